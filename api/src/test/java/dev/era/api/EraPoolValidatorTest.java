package dev.era.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class EraPoolValidatorTest {

  private static List<String> poolProblems(Consumer<EraPoolSpec> change) {
    EraPoolSpec spec = new EraPoolSpec();
    change.accept(spec);
    return EraPoolValidator.validate(spec);
  }

  private static EraPool pool(Consumer<VmTemplate> template) {
    EraPool pool = new EraPool();
    pool.getMetadata().setName("warm");
    template.accept(pool.getSpec().getTemplate());
    return pool;
  }

  @Test
  void defaultPoolIsValid() {
    assertThat(poolProblems(s -> {})).isEmpty();
  }

  @Test
  void templateFieldsAreCheckedUnderTheirPath() {
    assertThat(
            poolProblems(
                s -> {
                  s.getTemplate().setLanguage("ruby");
                  s.getTemplate().setCpu(0);
                  s.getTemplate().setMemory("64Mi");
                }))
        .containsExactly(
            "spec.template.language: 'ruby' is not one of [python, node]",
            "spec.template.cpu: must be between 1 and 64 (got 0)",
            "spec.template.memory: must be at least 128Mi");
  }

  @Test
  void egressAndReplicasOutOfRangeAreRejected() {
    assertThat(
            poolProblems(
                s -> {
                  s.getTemplate().setNetwork("egress");
                  s.setReplicas(1001);
                }))
        .containsExactly(
            "spec.template.network: a pool's guests cannot have network egress"
                + " (it needs a per-VM allow-list)",
            "spec.replicas: must be between 0 and 1000 (got 1001)");
    assertThat(poolProblems(s -> s.setReplicas(-1)))
        .containsExactly("spec.replicas: must be between 0 and 1000 (got -1)");
  }

  @Test
  void aVmWithThePoolsTemplateBinds() {
    EraVMSpec vm = new EraVMSpec();
    vm.setPool("warm");
    vm.setLanguage("node");
    vm.setCpu(2);
    vm.setMemory("1Gi");

    assertThat(
            EraVMValidator.validateBinding(
                vm,
                pool(
                    t -> {
                      t.setLanguage("node");
                      t.setCpu(2);
                      t.setMemory("1024Mi");
                    })))
        .isEmpty();
  }

  @Test
  void aVmContradictingThePoolsTemplateOrWithADiskDoesNotBind() {
    EraVMSpec vm = new EraVMSpec();
    vm.setPool("warm");
    vm.setPersist(new PersistSpec("1Gi"));

    assertThat(EraVMValidator.validateBinding(vm, pool(t -> t.setNetwork("full"))))
        .containsExactly(
            "spec: language, cpu, memory and network (python, 1 CPU, 256Mi, none) contradict"
                + " the template of EraPool warm (python, 1 CPU, 256Mi, full)",
            "spec.persist: a pool's guests have no persistent disk");
  }

  @Test
  void aPoolNameMustBeAResourceName() {
    EraVMSpec vm = new EraVMSpec();
    vm.setPool("Not_A_Name");
    assertThat(EraVMValidator.validate(vm))
        .containsExactly("spec.pool: 'Not_A_Name' is not a valid EraPool name");
  }
}
