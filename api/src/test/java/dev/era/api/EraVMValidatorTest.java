package dev.era.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EraVMValidatorTest {

  private static List<String> problems(Consumer<EraVMSpec> change) {
    EraVMSpec spec = new EraVMSpec();
    change.accept(spec);
    return EraVMValidator.validate(spec);
  }

  @Test
  void defaultSpecIsValid() {
    assertThat(EraVMValidator.validate(new EraVMSpec())).isEmpty();
  }

  @Test
  void emptyYamlSpecGetsTheDefaults() {
    EraVM vm =
        Serialization.unmarshal(
            "apiVersion: era.dev/v1alpha1\nkind: EraVM\nmetadata: {name: a}\nspec: {}\n",
            EraVM.class);
    EraVMSpec spec = vm.getSpec();
    assertThat(spec.getLanguage()).isEqualTo("python");
    assertThat(spec.getCpu()).isEqualTo(1);
    assertThat(spec.getMemory()).isEqualTo("256Mi");
    assertThat(spec.getNetwork()).isEqualTo("none");
    assertThat(spec.getRunning()).isTrue();
    assertThat(vm.getStatus().getPhase()).isEqualTo(EraVMPhase.Pending);
  }

  @Test
  void explicitNullsBecomeDefaults() {
    EraVM vm =
        Serialization.unmarshal(
            "apiVersion: era.dev/v1alpha1\nkind: EraVM\nmetadata: {name: a}\n"
                + "spec: {cpu: null, memory: null, language: null, running: null}\nstatus: null\n",
            EraVM.class);
    assertThat(vm.getSpec().getCpu()).isEqualTo(1);
    assertThat(vm.getSpec().getMemory()).isEqualTo("256Mi");
    assertThat(vm.getSpec().getRunning()).isTrue();
    assertThat(vm.getStatus()).isNotNull();
  }

  @Test
  void unknownEnumValueStillReadsAndIsReported() {
    EraVM vm =
        Serialization.unmarshal(
            "apiVersion: era.dev/v1alpha1\nkind: EraVM\nmetadata: {name: a}\nspec: {language: ruby}\n",
            EraVM.class);
    assertThat(EraVMValidator.validate(vm.getSpec()))
        .containsExactly("spec.language: 'ruby' is not one of [python, node]");
  }

  @Test
  void cpuOutOfRange() {
    Bounds.assertRange(c -> problems(s -> s.setCpu(c)), "spec.cpu", 1, 64);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"lots", "1.5Xi", "-1Gi", "256 Mi", "1000000000000000000000000000000000Mi"})
  void memoryMustBeAQuantity(String memory) {
    assertThat(problems(s -> s.setMemory(memory)))
        .hasSize(1)
        .first()
        .asString()
        .isEqualTo("spec.memory: '" + memory + "' is not a quantity such as 256Mi");
  }

  @Test
  void memoryHasAMinimum() {
    assertThat(problems(s -> s.setMemory("127Mi")))
        .containsExactly("spec.memory: must be at least 128Mi");
    assertThat(problems(s -> s.setMemory("256")))
        .as("256 bytes")
        .containsExactly("spec.memory: must be at least 128Mi");
    assertThat(problems(s -> s.setMemory("128Mi"))).isEmpty();
    assertThat(problems(s -> s.setMemory("1Gi"))).isEmpty();
  }

  @Test
  void networkRules() {
    assertThat(problems(s -> s.setNetwork("wifi")))
        .containsExactly("spec.network: 'wifi' is not one of [none, egress, full]");
    assertThat(problems(s -> s.setNetwork("egress")))
        .containsExactly("spec.egressAllow: network egress needs a non-empty list");
    assertThat(problems(s -> s.setEgressAllow(List.of("pypi.org"))))
        .containsExactly("spec.egressAllow: is only allowed with network egress");
    assertThat(
            problems(
                s -> {
                  s.setNetwork("egress");
                  s.setEgressAllow(
                      List.of(
                          "pypi.org:443",
                          "*.github.com",
                          "10.0.0.1:8080",
                          "198.18.0.0/15",
                          "192.0.2.0/24:5432"));
                }))
        .isEmpty();
    assertThat(
            problems(
                s -> {
                  s.setNetwork("egress");
                  s.setEgressAllow(
                      List.of(
                          "http://pypi.org",
                          "a.org:70000",
                          "10.0.0.0/33",
                          "256.1.1.1:80",
                          "a.org/8",
                          "*.10.0.0.0/8"));
                }))
        .containsExactly(
            "spec.egressAllow[0]: 'http://pypi.org' is not host[:port] or cidr[:port]",
            "spec.egressAllow[1]: port must be between 1 and 65535",
            "spec.egressAllow[2]: an IPv4 prefix length must be 0 to 32",
            "spec.egressAllow[3]: IPv4 octets must be 0 to 255",
            "spec.egressAllow[4]: 'a.org/8' is not host[:port] or cidr[:port]",
            "spec.egressAllow[5]: '*.10.0.0.0/8' is not host[:port] or cidr[:port]");
  }

  @Test
  void persistNodeNameAndTtl() {
    assertThat(problems(s -> s.setPersist(new PersistSpec(null))))
        .containsExactly("spec.persist.size: is required");
    assertThat(problems(s -> s.setPersist(new PersistSpec("0"))))
        .containsExactly("spec.persist.size: must be more than zero");
    assertThat(problems(s -> s.setPersist(new PersistSpec("big"))))
        .containsExactly("spec.persist.size: 'big' is not a quantity such as 1Gi");
    assertThat(problems(s -> s.setPersist(new PersistSpec("1Gi")))).isEmpty();
    assertThat(problems(s -> s.setNodeName("Node_1")))
        .containsExactly("spec.nodeName: 'Node_1' is not a valid node name");
    TtlSpec empty = new TtlSpec();
    assertThat(problems(s -> s.setTtl(empty)))
        .containsExactly("spec.ttl: needs idleSeconds or absoluteSeconds");
    TtlSpec bad = new TtlSpec();
    bad.setIdleSeconds(0L);
    bad.setAction("Pause");
    assertThat(problems(s -> s.setTtl(bad)))
        .containsExactly(
            "spec.ttl.idleSeconds: must be at least 1 (got 0)",
            "spec.ttl.action: 'Pause' is not one of [Stop, Delete]");
    TtlSpec noTime = new TtlSpec();
    noTime.setAbsoluteSeconds(0L);
    assertThat(problems(s -> s.setTtl(noTime)))
        .containsExactly("spec.ttl.absoluteSeconds: must be at least 1 (got 0)");
  }

  @Test
  void aPlacedVmCannotBePinnedElsewhere() {
    EraVMSpec spec = new EraVMSpec();
    spec.setNodeName("b");
    assertThat(EraVMValidator.validate(spec, "a"))
        .singleElement()
        .asString()
        .contains("already placed on a");
    assertThat(EraVMValidator.validate(spec, "b")).isEmpty();
    assertThat(EraVMValidator.validate(spec, null)).isEmpty();
  }
}
