package dev.era.apiserver.testing;

import dev.era.apiserver.Component;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@code @QuarkusTest} class against an embedded API server of its own, which serves ERA's
 * CRDs; the application starts afresh for the class, so no object outlives it. The application
 * connects as {@link #value()}, with exactly the chart's RBAC rules for that component, so a
 * permission the chart lacks fails the test; the test's own client is an {@link AdminClient} field.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(
    value = EmbeddedApiServerResource.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
public @interface WithEmbeddedApiServer {
  /** The component the application under test is. */
  Component value();
}
