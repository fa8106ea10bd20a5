package dev.era.launcher.guest;

import dev.era.launcher.ExecListener;
import dev.era.launcher.ExecRequest;
import dev.era.launcher.ExecResult;
import dev.era.launcher.Execution;
import dev.era.launcher.LaunchException;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.MessageType;
import dev.era.launcher.protocol.ProtocolException;
import dev.era.launcher.protocol.Tag;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One EXEC in flight, started here or attached to: forwards output to the listener, keeps it
 * bounded, completes on EXIT.
 */
public final class ExecSession implements Execution, FrameHandler {
  private static final Logger LOG = Logger.getLogger(ExecSession.class);

  private final GuestConnection connection;
  private final String vmId;
  private final int id;
  private final ExecListener listener;
  private final boolean keepOutput;
  private volatile BoundedOutput stdout;
  private volatile BoundedOutput stderr;
  private final CompletableFuture<ExecResult> result = new CompletableFuture<>();

  private ExecSession(
      GuestConnection connection,
      String vmId,
      int id,
      ExecListener listener,
      int maxOutput,
      boolean keepOutput) {
    this.connection = connection;
    this.vmId = vmId;
    this.id = id;
    this.listener = listener;
    this.keepOutput = keepOutput;
    bound(maxOutput);
  }

  /**
   * Sends the EXEC under {@code id} (from {@link GuestConnection#nextId()}); the session completes
   * when the guest reports the end.
   */
  public static ExecSession start(
      GuestConnection connection, String vmId, int id, ExecRequest request, ExecListener listener) {
    Frame frame = ExecFrames.exec(id, request);
    ExecSession session =
        new ExecSession(connection, vmId, id, listener, request.maxOutput(), !request.streamOnly());
    connection.send(frame, session);
    return session;
  }

  /**
   * Attaches to a command an earlier connection started (ATTACH) and waits for the guest's answer.
   * The session gets the output the command wrote since that connection ended, then the rest and
   * the end.
   *
   * @param maxOutput the most bytes of each stream taken here: the guest's word for what the EXEC
   *     asked for counts only up to this
   * @param streamOnly the output goes to the listener only, as {@link ExecRequest#streamOnly()}
   * @throws LaunchException when the guest does not know the command (any more) or does not answer
   *     in time
   */
  public static ExecSession attach(
      GuestConnection connection,
      String vmId,
      int id,
      int maxOutput,
      boolean streamOnly,
      ExecListener listener,
      Duration timeout) {
    // Bounded once the guest says what the EXEC asked for, before any of its output comes.
    ExecSession session = new ExecSession(connection, vmId, id, listener, 0, !streamOnly);
    connection.register(id, session);
    CompletableFuture<Void> answered = new CompletableFuture<>();
    try {
      connection.send(
          Frame.builder(MessageType.ATTACH, connection.nextId()).u32(Tag.TARGET, id).build(),
          new FrameHandler() {
            @Override
            public boolean onFrame(Frame frame) {
              try {
                if (frame.is(MessageType.ERROR)) {
                  answered.completeExceptionally(
                      GuestAgentException.from(frame, vmId, "attaching to command " + id));
                } else {
                  session.bound(
                      (int)
                          Math.min(
                              maxOutput,
                              frame.u32(Tag.MAX_OUTPUT).orElse(ExecRequest.DEFAULT_MAX_OUTPUT)));
                  answered.complete(null);
                }
              } catch (ProtocolException e) {
                answered.completeExceptionally(
                    new LaunchException(
                        "VM "
                            + vmId
                            + "'s guest agent answered ATTACH with"
                            + " a malformed frame: "
                            + e.getMessage()));
              }
              return true;
            }

            @Override
            public void onClose(LaunchException cause) {
              answered.completeExceptionally(cause);
            }
          });
      Futures.await(
          answered,
          timeout,
          "VM " + vmId + "'s guest agent did not answer ATTACH for command " + id);
    } catch (LaunchException e) {
      connection.forget(id);
      throw e;
    }
    return session;
  }

  private void bound(int maxOutput) {
    stdout = new BoundedOutput(maxOutput, keepOutput);
    stderr = new BoundedOutput(maxOutput, keepOutput);
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public CompletableFuture<ExecResult> result() {
    return result;
  }

  @Override
  public void signal(int signal) {
    if (result.isDone()) {
      return;
    }
    Frame kill =
        Frame.builder(MessageType.KILL, connection.nextId())
            .u32(Tag.TARGET, id)
            .i32(Tag.SIGNAL, signal)
            .build();
    connection
        .call(kill, "signal " + signal)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                LOG.debugf(
                    "VM %s: signal %d to command %d: %s", vmId, signal, id, failure.getMessage());
              }
            });
  }

  /** Gives up waiting: the guest did not report the end in time. */
  public void abandon(LaunchException reason) {
    if (result.completeExceptionally(reason)) {
      connection.forget(id);
    }
  }

  @Override
  public boolean onFrame(Frame frame) {
    MessageType type = frame.messageType().orElse(null);
    if (type == null) {
      LOG.debugf("VM %s: ignoring unknown frame %s", vmId, frame);
      return false;
    }
    switch (type) {
      case STARTED:
        return false;
      case STDOUT:
        frame.bytes(Tag.DATA).ifPresent(chunk -> output(chunk, stdout, listener::onStdout));
        return false;
      case STDERR:
        frame.bytes(Tag.DATA).ifPresent(chunk -> output(chunk, stderr, listener::onStderr));
        return false;
      case EXIT:
        // Free the id before anyone hears of the end, so an ATTACH to it right after is told the
        // guest's answer.
        connection.forget(id);
        complete(frame);
        return true;
      case ERROR:
        connection.forget(id);
        result.completeExceptionally(GuestAgentException.from(frame, vmId, "running the command"));
        return true;
      default:
        LOG.debugf("VM %s: ignoring %s for command %d", vmId, frame, id);
        return false;
    }
  }

  @Override
  public void onClose(LaunchException cause) {
    result.completeExceptionally(cause);
  }

  private void complete(Frame exit) {
    try {
      result.complete(
          new ExecResult(
              exit.i32(Tag.EXIT_CODE).orElse(-1),
              exit.i32(Tag.SIGNAL).orElse(0),
              exit.flag(Tag.TIMED_OUT),
              stdout.bytes(),
              stderr.bytes(),
              stdout.truncated() || exit.flag(Tag.STDOUT_TRUNCATED),
              stderr.truncated() || exit.flag(Tag.STDERR_TRUNCATED),
              Duration.ofMillis(exit.u32(Tag.DURATION_MS).orElse(0))));
    } catch (ProtocolException e) {
      result.completeExceptionally(
          new LaunchException(
              "VM " + vmId + "'s guest agent sent a malformed EXIT: " + e.getMessage()));
    }
  }

  /** Keeps a chunk of one stream within its bound and hands all of it to the listener. */
  private void output(byte[] chunk, BoundedOutput kept, Consumer<byte[]> onChunk) {
    kept.append(chunk);
    try {
      onChunk.accept(chunk);
    } catch (RuntimeException e) {
      LOG.warnf(e, "VM %s: exec listener failed", vmId);
    }
  }
}
