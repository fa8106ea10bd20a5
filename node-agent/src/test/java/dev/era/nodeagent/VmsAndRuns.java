package dev.era.nodeagent;

import static org.awaitility.Awaitility.await;

import dev.era.api.EraRun;
import dev.era.api.EraRunSpec;
import dev.era.api.EraVM;
import dev.era.api.EraVMPhase;
import dev.era.api.EraVMSpec;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Builds and waits for EraVMs and EraRuns as a user would. */
public final class VmsAndRuns {
  public static final String NAMESPACE = "default";

  /** First boots and runs are slow under TCG on a loaded 2-core machine. */
  public static final Duration BOOT = Duration.ofMinutes(3);

  public static final Duration RUN = Duration.ofMinutes(2);

  private VmsAndRuns() {}

  public static EraVM createVm(
      KubernetesClient client, String name, String language, Consumer<EraVMSpec> customise) {
    EraVM vm = new EraVM();
    vm.getMetadata().setName(name);
    vm.getMetadata().setNamespace(NAMESPACE);
    vm.getSpec().setLanguage(language);
    customise.accept(vm.getSpec());
    return client.resource(vm).create();
  }

  public static EraRun createRun(
      KubernetesClient client, String name, String vmName, Consumer<EraRunSpec> customise) {
    EraRun run = new EraRun();
    run.getMetadata().setName(name);
    run.getMetadata().setNamespace(NAMESPACE);
    run.getSpec().setVmName(vmName);
    customise.accept(run.getSpec());
    return client.resource(run).create();
  }

  public static EraVM getVm(KubernetesClient client, String name) {
    return client.resources(EraVM.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public static EraRun getRun(KubernetesClient client, String name) {
    return client.resources(EraRun.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public static EraVM awaitVm(KubernetesClient client, String name, EraVMPhase phase) {
    return awaitVm(client, name, vm -> vm.getStatus().getPhase() == phase, BOOT);
  }

  public static EraVM awaitVm(
      KubernetesClient client, String name, Predicate<EraVM> condition, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              EraVM vm = getVm(client, name);
              return vm != null && condition.test(vm);
            });
    return getVm(client, name);
  }

  public static EraRun awaitFinished(KubernetesClient client, String name) {
    return awaitRun(client, name, r -> r.getStatus().getPhase().isFinished());
  }

  public static EraRun awaitRun(KubernetesClient client, String name, Predicate<EraRun> condition) {
    await()
        .atMost(RUN)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              EraRun run = getRun(client, name);
              return run != null && condition.test(run);
            });
    return getRun(client, name);
  }

  /** Events about an object, oldest first. */
  public static List<Event> events(KubernetesClient client, String objectName) {
    return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> objectName.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
