package dev.era.apiserver.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code KubernetesClient} field of a {@link WithEmbeddedApiServer} test class to receive
 * the server's client as user {@code era}, who may do anything: for the test's own setup and
 * checks, where the application under test has only its component's rules.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface AdminClient {}
