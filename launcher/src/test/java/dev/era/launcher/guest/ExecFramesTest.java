package dev.era.launcher.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.ExecRequest;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.FrameCodec;
import dev.era.launcher.protocol.MessageType;
import dev.era.launcher.protocol.Tag;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecFramesTest {

  @Test
  void carriesArgvInOrderWithLimits() throws Exception {
    Frame frame =
        ExecFrames.exec(
            5,
            ExecRequest.argv("python3", "-c", "print(1)")
                .withTimeout(Duration.ofSeconds(2))
                .withMaxOutput(1000)
                .withWorkingDir("/work/src"));

    assertThat(frame.is(MessageType.EXEC)).isTrue();
    assertThat(frame.id()).isEqualTo(5);
    assertThat(frame.strings(Tag.ARGV)).containsExactly("python3", "-c", "print(1)");
    assertThat(frame.string(Tag.SHELL)).isEmpty();
    assertThat(frame.u32(Tag.TIMEOUT_MS)).hasValue(2000);
    assertThat(frame.u32(Tag.MAX_OUTPUT)).hasValue(1000);
    assertThat(frame.string(Tag.CWD)).contains("/work/src");
    assertThat(frame.bytes(Tag.STDIN)).isEmpty();
  }

  @Test
  void carriesShellEnvAndStdin() throws Exception {
    Frame frame =
        ExecFrames.exec(
            1,
            ExecRequest.shell("echo $A | cat")
                .withEnv(Map.of("A", "x=y"))
                .withStdin(new byte[] {1, 2}));

    assertThat(frame.string(Tag.SHELL)).contains("echo $A | cat");
    assertThat(frame.strings(Tag.ARGV)).isEmpty();
    assertThat(frame.strings(Tag.ENV)).containsExactly("A=x=y");
    assertThat(frame.bytes(Tag.STDIN)).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2));
    assertThat(frame.u32(Tag.TIMEOUT_MS)).hasValue(0);
  }

  @Test
  void rejectsWhatTheGuestCouldNotRunAsMeant() {
    assertThatThrownBy(() -> ExecFrames.exec(1, ExecRequest.argv("echo", "a\0b")))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("NUL");
    assertThatThrownBy(
            () -> ExecFrames.exec(1, ExecRequest.argv("env").withEnv(Map.of("1BAD", "x"))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("environment variable name '1BAD'");
    assertThatThrownBy(
            () ->
                ExecFrames.exec(
                    1, ExecRequest.argv("cat").withStdin(new byte[FrameCodec.MAX_PAYLOAD])))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("putFile");
    assertThatThrownBy(
            () -> ExecFrames.exec(1, ExecRequest.argv("true").withTimeout(Duration.ofSeconds(-1))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(
            () -> ExecFrames.exec(1, ExecRequest.argv("true").withTimeout(Duration.ofDays(100))))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("too long");
  }

  @Test
  void roundsASubMillisecondTimeoutUpRatherThanToNone() {
    assertThat(ExecFrames.timeoutMillis(Duration.ofNanos(10))).isEqualTo(1);
    assertThat(ExecFrames.timeoutMillis(Duration.ZERO)).isZero();
    assertThat(ExecFrames.timeoutMillis(null)).isZero();
  }
}
