package dev.era.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.api.EraRunStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeAgentConfigTest {
  @Test
  void defaultsKeepA64KiBTailAndListenOnLoopbackOnAFreePort() {
    NodeAgentConfig config = NodeAgentConfig.defaults("node-1");

    assertThat(config.runTailBytes()).isEqualTo(64 * 1024);
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.httpPort()).isZero();
    assertThat(config.endpointHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void aWildcardBindIsAdvertisedAsLoopbackUnlessAHostIsGiven() {
    NodeAgentConfig config = NodeAgentConfig.defaults("n");

    assertThat(config.withHttp("0.0.0.0", 8095, null).endpointHost()).isEqualTo("127.0.0.1");
    assertThat(config.withHttp("0.0.0.0", 8095, "10.1.2.3").endpointHost()).isEqualTo("10.1.2.3");
  }

  @Test
  void rejectsWhatCannotWork() {
    NodeAgentConfig config = NodeAgentConfig.defaults("n");

    assertThatThrownBy(() -> NodeAgentConfig.defaults("Not_A_Node"))
        .hasMessageContaining("nodeName");
    assertThatThrownBy(() -> config.withHeartbeat(Duration.ZERO)).hasMessageContaining("heartbeat");
    assertThatThrownBy(() -> config.withHttp("127.0.0.1", 70000, null))
        .hasMessageContaining("httpPort");
    assertThatThrownBy(() -> config.withRunOutput(1024, 10)).hasMessageContaining("runLogMaxBytes");
    assertThatThrownBy(() -> config.withRunOutput(EraRunStatus.OUTPUT_TAIL_BYTES + 1, 1 << 20))
        .hasMessageContaining("runTailBytes must be at most " + EraRunStatus.OUTPUT_TAIL_BYTES);
    assertThatThrownBy(() -> config.withCpuAllocationRatio(0))
        .hasMessageContaining("cpuAllocationRatio");
  }
}
