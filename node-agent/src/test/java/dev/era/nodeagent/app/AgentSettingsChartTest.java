package dev.era.nodeagent.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.era.launcher.LauncherConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's node-agent values are the agent's own defaults ({@link AgentSettings}' {@code
 * WithDefault}), so a node agent installed with the chart's defaults runs as one with no settings.
 */
class AgentSettingsChartTest {
  /** Surefire runs in the module directory. */
  private static final Path CHART = Path.of("..", "helm", "era").toAbsolutePath().normalize();

  private static final String PREFIX = "ERA_AGENT_";

  @Test
  void theChartPassesTheAgentsDefaults() {
    DaemonSet daemonSet = daemonSet(new Helm(CHART).template().withName("era"));
    Map<String, Method> settings = new TreeMap<>();
    for (Method setting : AgentSettings.class.getDeclaredMethods()) {
      settings.put(variable(setting.getName()), setting);
    }
    List<EnvVar> passed =
        daemonSet.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().startsWith(PREFIX) && e.getValue() != null)
            .toList();

    assertThat(passed).extracting(EnvVar::getName).contains(PREFIX + "HTTP_PORT");
    for (EnvVar env : passed) {
      Method setting = settings.get(env.getName());
      assertThat(setting).as("the AgentSettings read by %s", env.getName()).isNotNull();
      WithDefault byDefault = setting.getAnnotation(WithDefault.class);
      assertThat(byDefault).as("%s's default", setting.getName()).isNotNull();
      assertThat(value(setting.getReturnType(), env.getValue()))
          .as(env.getName())
          .isEqualTo(value(setting.getReturnType(), byDefault.value()));
    }
  }

  @Test
  void theChartsNetworkRangesReachTheLauncher(@TempDir Path dir) throws IOException {
    Path values = dir.resolve("values.yaml");
    Files.writeString(
        values,
        """
        nodeAgent:
          network:
            allowedCidrs: [10.1.0.0/16, "fd00:1::/64"]
            deniedCidrs: [100.100.0.0/16]
        """);
    DaemonSet daemonSet =
        daemonSet(new Helm(CHART).template().withName("era").withValuesFile(values));
    Map<String, String> env = new TreeMap<>(Map.of("ERA_AGENT_NODE_NAME", "node-1"));
    daemonSet.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getValue() != null)
        .forEach(e -> env.put(e.getName(), e.getValue()));

    LauncherConfig launcher =
        new SmallRyeConfigBuilder()
            .withSources(new EnvConfigSource(env, 300))
            .withMapping(AgentSettings.class)
            .build()
            .getConfigMapping(AgentSettings.class)
            .launcherConfig();

    assertThat(launcher.allowedCidrs()).containsExactly("10.1.0.0/16", "fd00:1::/64");
    assertThat(launcher.deniedCidrs()).containsExactly("100.100.0.0/16");
  }

  private static DaemonSet daemonSet(TemplateCommand template) {
    List<HasMetadata> objects = new KubernetesSerialization().unmarshal(template.call());
    return objects.stream()
        .filter(DaemonSet.class::isInstance)
        .map(DaemonSet.class::cast)
        .findFirst()
        .orElseThrow();
  }

  /** What SmallRye maps a setting from: era.agent.http-port is ERA_AGENT_HTTP_PORT. */
  private static String variable(String setting) {
    return PREFIX + setting.replaceAll("([A-Z])", "_$1").toUpperCase(Locale.ROOT);
  }

  /** "1" and "1.0" are the same ratio; a path the same however it is spelled. */
  private static Object value(Class<?> type, String text) {
    if (type == Path.class) {
      return Path.of(text).normalize();
    }
    return type.isPrimitive() ? (Object) Double.parseDouble(text) : text;
  }
}
