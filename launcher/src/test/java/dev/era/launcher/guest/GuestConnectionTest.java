package dev.era.launcher.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.era.launcher.ExecListener;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.InvalidSpecException;
import dev.era.launcher.LaunchException;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.FrameCodec;
import dev.era.launcher.protocol.MessageType;
import dev.era.launcher.protocol.Tag;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host end of the channel against a scripted agent: dispatch by id, bounds, failures. */
class GuestConnectionTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private FakeGuestAgent agent;
  private GuestConnection connection;
  private final List<String> heard = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void connect() throws Exception {
    agent = new FakeGuestAgent(dir.resolve("agent.sock"));
    connection =
        GuestConnection.open(
            "vm1", dir.resolve("agent.sock"), () -> new LaunchException("vm1 went away"));
    agent.accept();
  }

  @AfterEach
  void close() throws Exception {
    connection.close();
    agent.close();
  }

  @Test
  void isReadyWhenTheGuestSaysHelloOnItsOwn() throws Exception {
    agent.hello(0, FrameCodec.VERSION);

    assertThat(connection.ready().get(5, TimeUnit.SECONDS)).isEqualTo("fake-agent 1");
  }

  @Test
  void refusesAnAgentOfAnotherProtocolVersion() throws Exception {
    agent.hello(0, 1);

    assertThatThrownBy(() -> connection.ready().get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LaunchException.class)
        .hasMessageContaining("protocol version 1 but this launcher speaks 2")
        .hasMessageContaining("rebuild the guest image");
  }

  @Test
  void asksForHelloWhenReadopting() throws Exception {
    CompletableFuture<String> ready = connection.hello();
    Frame hello = agent.read();
    agent.hello(hello.id(), FrameCodec.VERSION);

    assertThat(hello.is(MessageType.HELLO)).isTrue();
    assertThat(hello.id()).isNotZero();
    assertThat(hello.u32(Tag.VERSION)).hasValue(FrameCodec.VERSION);
    assertThat(ready.get(5, TimeUnit.SECONDS)).isEqualTo("fake-agent 1");
  }

  @Test
  void dispatchesInterleavedOutputOfConcurrentCommandsById() throws Exception {
    ExecSession first = start(ExecRequest.argv("a"), listener("first"));
    ExecSession second = start(ExecRequest.argv("b"), listener("second"));
    int a = agent.read().id();
    int b = agent.read().id();

    agent.send(out(MessageType.STDOUT, b, "b1 "));
    agent.send(out(MessageType.STDOUT, a, "a1 "));
    agent.send(out(MessageType.STDERR, a, "a-err"));
    agent.send(out(MessageType.STDOUT, b, "b2"));
    agent.send(exit(b, 0));
    agent.send(out(MessageType.STDOUT, a, "a2"));
    agent.send(exit(a, 3));

    ExecResult resultA = first.result().get(5, TimeUnit.SECONDS);
    ExecResult resultB = second.result().get(5, TimeUnit.SECONDS);
    assertThat(resultA.stdoutText()).isEqualTo("a1 a2");
    assertThat(resultA.stderrText()).isEqualTo("a-err");
    assertThat(resultA.exitCode()).isEqualTo(3);
    assertThat(resultA.duration()).isEqualTo(Duration.ofMillis(42));
    assertThat(resultB.stdoutText()).isEqualTo("b1 b2");
    assertThat(resultB.succeeded()).isTrue();
    assertThat(heard)
        .containsSubsequence("second:b1 ", "first:a1 ", "first!a-err", "second:b2", "first:a2");
  }

  @Test
  void aCommandsIdIsFreeBeforeItsEndIsHeard() throws Exception {
    ExecSession session = start(ExecRequest.argv("true"));
    int id = agent.read().id();
    // Runs on the reader thread as the result completes: whoever hears of the end may attach to the
    // id at once.
    CompletableFuture<Boolean> idFree =
        session
            .result()
            .handle(
                (result, failure) -> {
                  try {
                    connection.register(id, session);
                    return true;
                  } catch (LaunchException e) {
                    return false;
                  }
                });
    agent.send(exit(id, 0));

    assertThat(idFree.get(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void keepsNoMoreOutputThanAskedEvenIfTheAgentSendsMore() throws Exception {
    ExecSession session = start(ExecRequest.argv("yes").withMaxOutput(4));
    int id = agent.read().id();
    agent.send(out(MessageType.STDOUT, id, "0123456789"));
    agent.send(exit(id, 0));

    ExecResult result = session.result().get(5, TimeUnit.SECONDS);
    assertThat(result.stdoutText()).isEqualTo("0123");
    assertThat(result.stdoutTruncated()).isTrue();
    assertThat(result.stderrTruncated()).isFalse();
  }

  @Test
  void aStreamOnlyCommandHandsItsOutputToTheListenerAndKeepsNoneOfIt() throws Exception {
    ExecSession session =
        start(ExecRequest.argv("yes").withMaxOutput(8).streamingOnly(), listener("s"));
    int id = agent.read().id();
    agent.send(out(MessageType.STDOUT, id, "01234"));
    agent.send(out(MessageType.STDOUT, id, "56789"));
    agent.send(exit(id, 0));

    ExecResult result = session.result().get(5, TimeUnit.SECONDS);
    assertThat(heard).containsExactly("s:01234", "s:56789");
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stdoutTruncated()).as("more than maxOutput came").isTrue();
    assertThat(result.stderrTruncated()).isFalse();
  }

  @Test
  void reportsTheAgentsTimeoutAndTruncationFlags() throws Exception {
    ExecSession session = start(ExecRequest.argv("sleep", "9"));
    int id = agent.read().id();
    agent.send(
        Frame.builder(MessageType.EXIT, id)
            .i32(Tag.EXIT_CODE, -1)
            .i32(Tag.SIGNAL, 9)
            .u8(Tag.TIMED_OUT, 1)
            .u8(Tag.STDERR_TRUNCATED, 1)
            .u32(Tag.DURATION_MS, 2000)
            .build());

    ExecResult result = session.result().get(5, TimeUnit.SECONDS);
    assertThat(result.timedOut()).isTrue();
    assertThat(result.signal()).isEqualTo(9);
    assertThat(result.exitCode()).isEqualTo(-1);
    assertThat(result.stderrTruncated()).isTrue();
    assertThat(result.succeeded()).isFalse();
  }

  @Test
  void turnsAnErrorAnswerIntoAnExceptionWithTheAgentsWords() throws Exception {
    ExecSession session = start(ExecRequest.argv("x"));
    int id = agent.read().id();
    agent.send(error(id, "TOO_MANY_EXECS", "64 commands run already"));

    assertThatThrownBy(() -> session.result().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(GuestAgentException.class)
        .hasMessageContaining("64 commands run already")
        .hasMessageContaining("TOO_MANY_EXECS");
  }

  @Test
  void failsPendingCommandsWithTheReasonWhenTheGuestGoesAway() throws Exception {
    ExecSession session = start(ExecRequest.argv("sleep", "100"));
    agent.read();
    agent.disconnect();

    assertThatThrownBy(() -> session.result().get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LaunchException.class)
        .hasMessageContaining("vm1 went away");
    assertThatThrownBy(() -> start(ExecRequest.argv("true")))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("vm1 went away");
    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void closesTheChannelWhenTheAgentBreaksTheProtocol() throws Exception {
    ExecSession session = start(ExecRequest.argv("x"));
    agent.read();
    agent.sendRaw(new byte[] {0x7f, 0, 0, 0, 1, 2, 3, 4, 5});

    assertThatThrownBy(() -> session.result().get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LaunchException.class)
        .hasMessageContaining("broke the protocol");
  }

  @Test
  void ignoresFramesForUnknownIdsAndUnknownTypes() throws Exception {
    agent.send(new Frame(0x7e, 0, List.of()));
    agent.send(out(MessageType.STDOUT, 999, "stray"));
    agent.hello(0, FrameCodec.VERSION);

    assertThat(connection.ready().get(5, TimeUnit.SECONDS)).isEqualTo("fake-agent 1");
  }

  @Test
  void attachesToACommandAnEarlierConnectionStartedAndKeepsWhatTheGuestSaysTheExecAskedFor()
      throws Exception {
    CompletableFuture<ExecSession> attaching =
        CompletableFuture.supplyAsync(
            () -> ExecSession.attach(connection, "vm1", 77, 1024, false, listener("old"), WAIT));
    Frame attach = agent.read();
    agent.send(Frame.builder(MessageType.OK, attach.id()).u32(Tag.MAX_OUTPUT, 6).build());
    agent.send(out(MessageType.STDOUT, 77, "held "));
    agent.send(out(MessageType.STDERR, 77, "oops"));
    agent.send(out(MessageType.STDOUT, 77, "more"));
    agent.send(exit(77, 5));

    ExecSession session = attaching.get(5, TimeUnit.SECONDS);
    ExecResult result = session.result().get(5, TimeUnit.SECONDS);
    assertThat(attach.is(MessageType.ATTACH)).isTrue();
    assertThat(attach.u32(Tag.TARGET)).hasValue(77);
    assertThat(attach.id()).isNotIn(0, 77);
    assertThat(session.id()).isEqualTo(77);
    assertThat(heard).containsExactly("old:held ", "old!oops", "old:more");
    assertThat(result.stdoutText()).isEqualTo("held m");
    assertThat(result.stdoutTruncated()).isTrue();
    assertThat(result.stderrText()).isEqualTo("oops");
    assertThat(result.exitCode()).isEqualTo(5);
  }

  @Test
  void aGuestThatStopsReadingHasItsChannelClosedAtTheWriteDeadline() throws Exception {
    // The agent reads nothing: a few 1 MiB frames fill the socket's buffers and the write blocks.
    byte[] chunk = new byte[FrameCodec.MAX_PAYLOAD - 64];
    Duration deadline = Duration.ofMillis(500);
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 64; i++) {
                connection.call(
                    Frame.builder(MessageType.PUT_FILE, connection.nextId())
                        .bytes(Tag.DATA, chunk)
                        .build(),
                    "put",
                    deadline);
              }
            });

    assertThatThrownBy(() -> writer.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LaunchException.class)
        .hasMessageContaining("stopped reading its channel");
    assertThat(connection.isOpen()).isFalse();
    assertThatThrownBy(
            () -> connection.send(Frame.builder(MessageType.PING, connection.nextId()).build()))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("stopped reading its channel");
  }

  @Test
  void aGuestsErrorMessageIsCutBeforeItReachesAnyMessage() throws Exception {
    CompletableFuture<Frame> ping =
        connection.call(Frame.builder(MessageType.PING, connection.nextId()).build(), "ping");
    Frame request = agent.read();
    agent.send(error(request.id(), "BAD", "x".repeat(FrameCodec.MAX_PAYLOAD - 64)));

    assertThatThrownBy(() -> ping.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(GuestAgentException.class)
        .hasMessageContaining("more characters cut")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1024));
  }

  @Test
  void attachKeepsNoMoreThanTheHostAllowsWhateverTheGuestClaims() throws Exception {
    CompletableFuture<ExecSession> attaching =
        CompletableFuture.supplyAsync(
            () -> ExecSession.attach(connection, "vm1", 78, 4, false, ExecListener.IGNORE, WAIT));
    Frame attach = agent.read();
    agent.send(Frame.builder(MessageType.OK, attach.id()).u32(Tag.MAX_OUTPUT, 0xFFFFFFFFL).build());
    agent.send(out(MessageType.STDOUT, 78, "far more than four bytes"));
    agent.send(exit(78, 0));

    ExecResult result = attaching.get(5, TimeUnit.SECONDS).result().get(5, TimeUnit.SECONDS);

    assertThat(result.stdoutText()).isEqualTo("far ");
    assertThat(result.stdoutTruncated()).isTrue();
  }

  @Test
  void attachingToACommandTheGuestNoLongerKnowsFailsAndFreesItsId() throws Exception {
    CompletableFuture<Void> refusing =
        onNextRequest(
            attach ->
                agent.send(error(attach.id(), "NO_SUCH_EXEC", "no command with id 77 is known")));

    assertThatThrownBy(
            () -> ExecSession.attach(connection, "vm1", 77, 1024, false, ExecListener.IGNORE, WAIT))
        .isInstanceOf(GuestAgentException.class)
        .hasMessageContaining("attaching to command 77 failed in VM vm1")
        .hasMessageContaining("NO_SUCH_EXEC");
    refusing.get(5, TimeUnit.SECONDS);
    ExecSession again =
        ExecSession.start(connection, "vm1", 77, ExecRequest.argv("true"), ExecListener.IGNORE);
    agent.read();
    agent.send(exit(77, 0));
    assertThat(again.result().get(5, TimeUnit.SECONDS).succeeded()).isTrue();
  }

  @Test
  void countsIdsFromARandomStartAndSkipsThoseOfCommandsAttachedTo() throws Exception {
    try (GuestConnection other =
        GuestConnection.open("vm1", dir.resolve("agent.sock"), () -> new LaunchException("gone"))) {
      int first = connection.nextId();
      // Two launchers counting from the same start would repeat each other's ids.
      assertThat(other.nextId()).isNotEqualTo(first);
      ExecSession.start(
          connection, "vm1", first + 1, ExecRequest.argv("sleep", "9"), ExecListener.IGNORE);

      assertThat(connection.nextId()).isEqualTo(first + 2);
      assertThatThrownBy(
              () ->
                  ExecSession.attach(
                      connection, "vm1", first + 1, 1024, false, ExecListener.IGNORE, WAIT))
          .isInstanceOf(LaunchException.class)
          .hasMessageContaining("id " + (first + 1) + " is in use");
    }
  }

  @Test
  void putsALargeFileInAcknowledgedChunksWithIncreasingOffsets() throws Exception {
    byte[] content = new byte[GuestFiles.PUT_CHUNK * 2 + 100];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) i;
    }
    CompletableFuture<ByteArrayOutputStream> received =
        onAgent(
            () -> {
              ByteArrayOutputStream bytes = new ByteArrayOutputStream();
              for (int chunk = 0; chunk < 3; chunk++) {
                Frame put = agent.read();
                assertThat(put.is(MessageType.PUT_FILE)).isTrue();
                assertThat(put.string(Tag.PATH)).contains("/work/data/blob.bin");
                assertThat(put.u32(Tag.MODE)).hasValue(0755);
                assertThat(put.u64(Tag.OFFSET)).hasValue((long) bytes.size());
                bytes.write(put.bytes(Tag.DATA).orElseThrow());
                agent.send(Frame.builder(MessageType.OK, put.id()).build());
              }
              return bytes;
            });

    new GuestFiles(connection, "vm1", WAIT)
        .put("data/blob.bin", new ByteArrayInputStream(content), 0755);

    assertThat(received.get(5, TimeUnit.SECONDS).toByteArray()).isEqualTo(content);
  }

  @Test
  void putsAnEmptyFileAsOneFrame() throws Exception {
    CompletableFuture<Frame> received =
        onAgent(
            () -> {
              Frame put = agent.read();
              agent.send(Frame.builder(MessageType.OK, put.id()).build());
              return put;
            });

    new GuestFiles(connection, "vm1", WAIT)
        .put("empty", new ByteArrayInputStream(new byte[0]), 0644);

    assertThat(received.get(5, TimeUnit.SECONDS).bytes(Tag.DATA))
        .hasValueSatisfying(d -> assertThat(d).isEmpty());
  }

  @Test
  void refusesAPathOutsideTheWorkDirBeforeSendingAnything() throws Exception {
    assertThatThrownBy(
            () ->
                new GuestFiles(connection, "vm1", WAIT)
                    .put("../etc/passwd", new ByteArrayInputStream(new byte[1]), 0644))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("escapes the work dir");
    connection.send(Frame.builder(MessageType.PING, connection.nextId()).build());

    assertThat(agent.read().is(MessageType.PING))
        .as("no PUT_FILE went out before the PING")
        .isTrue();
  }

  @Test
  void getsAFileFromItsChunks() throws Exception {
    onNextRequest(
        get -> {
          agent.send(out(MessageType.FILE_DATA, get.id(), "hello "));
          agent.send(out(MessageType.FILE_DATA, get.id(), "world"));
          agent.send(Frame.builder(MessageType.OK, get.id()).u64(Tag.SIZE, 11).build());
        });
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    long size = new GuestFiles(connection, "vm1", WAIT).get("/work/out.txt", out);

    assertThat(size).isEqualTo(11);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
  }

  @Test
  void aFailingOutputStreamAbandonsTheTransferWithoutBlockingTheChannel() throws Exception {
    CompletableFuture<Void> sender =
        onNextRequest(
            get -> {
              for (int i = 0; i < GuestFiles.GET_QUEUE_CHUNKS * 3; i++) {
                agent.send(
                    Frame.builder(MessageType.FILE_DATA, get.id())
                        .bytes(Tag.DATA, new byte[1024])
                        .build());
              }
              agent.send(Frame.builder(MessageType.OK, get.id()).build());
            });
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("disk full");
          }
        };

    assertThatThrownBy(() -> new GuestFiles(connection, "vm1", WAIT).get("big.bin", broken))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("disk full");
    sender.get(5, TimeUnit.SECONDS);
    ExecSession session = start(ExecRequest.argv("true"));
    agent.send(exit(agent.read().id(), 0));

    assertThat(session.result().get(2, TimeUnit.SECONDS).succeeded())
        .as("the reader thread still dispatches")
        .isTrue();
  }

  @Test
  void reportsAMissingFile() throws Exception {
    onNextRequest(get -> agent.send(error(get.id(), "NOT_FOUND", "no such file")));

    assertThatThrownBy(
            () ->
                new GuestFiles(connection, "vm1", WAIT)
                    .get("nope.txt", new ByteArrayOutputStream()))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("reading /work/nope.txt")
        .hasMessageContaining("NOT_FOUND");
  }

  /** What the scripted agent does while the host side, on the test's thread, waits for it. */
  private static <T> CompletableFuture<T> onAgent(Callable<T> script) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return script.call();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static CompletableFuture<Void> onAgent(AgentScript script) {
    return onAgent(
        () -> {
          script.run();
          return null;
        });
  }

  private interface AgentScript {
    void run() throws Exception;
  }

  /** How the scripted agent answers the next request the host side sends while it waits. */
  private CompletableFuture<Void> onNextRequest(RequestScript script) {
    return onAgent(() -> script.answer(agent.read()));
  }

  private interface RequestScript {
    void answer(Frame request) throws Exception;
  }

  /** Starts a command under the next id, as the launcher does. */
  private ExecSession start(ExecRequest request, ExecListener listener) {
    return ExecSession.start(connection, "vm1", connection.nextId(), request, listener);
  }

  private ExecSession start(ExecRequest request) {
    return start(request, ExecListener.IGNORE);
  }

  /** A listener that adds what it hears to {@link #heard}, marked with its name. */
  private ExecListener listener(String name) {
    return new ExecListener() {
      @Override
      public void onStdout(byte[] chunk) {
        heard.add(name + ":" + new String(chunk, StandardCharsets.UTF_8));
      }

      @Override
      public void onStderr(byte[] chunk) {
        heard.add(name + "!" + new String(chunk, StandardCharsets.UTF_8));
      }
    };
  }

  private static Frame out(MessageType stream, int id, String text) {
    return Frame.builder(stream, id).bytes(Tag.DATA, text.getBytes(StandardCharsets.UTF_8)).build();
  }

  private static Frame error(int id, String code, String message) {
    return Frame.builder(MessageType.ERROR, id)
        .string(Tag.CODE, code)
        .string(Tag.MESSAGE, message)
        .build();
  }

  private static Frame exit(int id, int code) {
    return Frame.builder(MessageType.EXIT, id)
        .i32(Tag.EXIT_CODE, code)
        .i32(Tag.SIGNAL, 0)
        .u8(Tag.TIMED_OUT, 0)
        .u8(Tag.STDOUT_TRUNCATED, 0)
        .u8(Tag.STDERR_TRUNCATED, 0)
        .u32(Tag.DURATION_MS, 42)
        .build();
  }
}
