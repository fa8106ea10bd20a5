package dev.era.launcher.guest;

import dev.era.launcher.LaunchException;
import dev.era.launcher.protocol.Frame;
import dev.era.launcher.protocol.FrameCodec;
import dev.era.launcher.protocol.MessageType;
import dev.era.launcher.protocol.ProtocolException;
import dev.era.launcher.protocol.Tag;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The host end of one guest's agent channel: QEMU's chardev Unix socket. One reader thread
 * dispatches frames to handlers by request id; writes are serialized, so any thread may send. Every
 * write has a deadline: a guest that stops reading (it is hostile, paused or hung) gets its channel
 * closed rather than holding the writer, and everyone queued behind it, forever.
 */
public final class GuestConnection implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GuestConnection.class);

  /**
   * A frame is at most about 1 MiB; a guest that reads at all takes well under a second for it,
   * even under TCG.
   */
  static final Duration WRITE_DEADLINE = Duration.ofSeconds(10);

  /** Closes channels whose write outlived its deadline; one daemon thread for every connection. */
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "era-channel-watchdog");
            thread.setDaemon(true);
            return thread;
          });

  private final String vmId;
  private final SocketChannel channel;
  private final Supplier<LaunchException> lossReason;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Map<Integer, FrameHandler> handlers = new ConcurrentHashMap<>();

  /**
   * The guest keeps the ids of commands across connections (ATTACH), so a launcher that re-adopts a
   * VM must not repeat an earlier launcher's ids: each connection counts from a random start.
   */
  private final AtomicInteger ids = new AtomicInteger(ThreadLocalRandom.current().nextInt());

  private final CompletableFuture<String> ready = new CompletableFuture<>();
  private volatile LaunchException closedBecause;

  private GuestConnection(
      String vmId, SocketChannel channel, Supplier<LaunchException> lossReason) {
    this.vmId = vmId;
    this.channel = channel;
    this.lossReason = lossReason;
  }

  /**
   * Connects to the agent socket and starts the reader thread.
   *
   * @param lossReason says why the channel ended when the guest side closes it (e.g. "QEMU was
   *     killed"); it runs on the reader thread and may wait briefly for the process to be seen gone
   */
  public static GuestConnection open(String vmId, Path socket, Supplier<LaunchException> lossReason)
      throws IOException {
    SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    GuestConnection connection = new GuestConnection(vmId, channel, lossReason);
    Thread reader = new Thread(connection::readLoop, "era-vm-" + vmId + "-reader");
    reader.setDaemon(true);
    reader.start();
    return connection;
  }

  /**
   * Completes with the agent's name once the guest said HELLO (on its own, or answering {@link
   * #hello()}).
   */
  public CompletableFuture<String> ready() {
    return ready;
  }

  /**
   * Asks the agent for HELLO: how a launcher that re-adopts a running VM learns the agent is there.
   */
  public CompletableFuture<String> hello() {
    call(
            Frame.builder(MessageType.HELLO, nextId()).u32(Tag.VERSION, FrameCodec.VERSION).build(),
            "HELLO")
        .whenComplete(
            (reply, failure) -> {
              if (failure != null) {
                ready.completeExceptionally(failure);
              } else {
                acceptHello(reply);
              }
            });
    return ready;
  }

  public boolean isOpen() {
    return closedBecause == null;
  }

  /**
   * A fresh request id; never 0, which belongs to the guest's own messages, nor the id of a request
   * or command that still reports here.
   */
  public int nextId() {
    int id;
    do {
      id = ids.incrementAndGet() & Integer.MAX_VALUE;
    } while (id == 0 || handlers.containsKey(id));
    return id;
  }

  /**
   * Routes the frames with this id to the handler; fails when another request or command has the
   * id.
   */
  void register(int id, FrameHandler handler) {
    if (handlers.putIfAbsent(id, handler) != null) {
      throw new LaunchException("id " + id + " is in use on VM " + vmId + "'s agent channel");
    }
  }

  /** Registers the handler for the request's answers, then sends the request. */
  public void send(Frame request, FrameHandler handler) {
    send(request, handler, WRITE_DEADLINE);
  }

  private void send(Frame request, FrameHandler handler, Duration deadline) {
    register(request.id(), handler);
    try {
      send(request, deadline);
    } catch (LaunchException e) {
      handlers.remove(request.id());
      throw e;
    }
  }

  /** Sends a request whose answers nobody waits for. */
  public void send(Frame frame) {
    send(frame, WRITE_DEADLINE);
  }

  /**
   * Sends within {@code deadline}, the wait for another writer included. A write still blocked at
   * the deadline closes the channel: the guest stopped reading it.
   */
  private void send(Frame frame, Duration deadline) {
    ByteBuffer bytes;
    try {
      bytes = FrameCodec.encode(frame);
    } catch (ProtocolException e) {
      throw new LaunchException("cannot send to VM " + vmId + ": " + e.getMessage());
    }
    long end = System.nanoTime() + deadline.toNanos();
    try {
      if (!writeLock.tryLock(deadline.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new LaunchException(
            "cannot write to VM "
                + vmId
                + "'s agent channel: another write has held it for "
                + deadline.toMillis()
                + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException(
          "interrupted while waiting to write to VM " + vmId + "'s agent channel", e);
    }
    try {
      LaunchException closed = closedBecause;
      if (closed != null) {
        throw new LaunchException(closed.getMessage(), closed);
      }
      ScheduledFuture<?> watchdog =
          WATCHDOG.schedule(
              () ->
                  close(
                      new LaunchException(
                          "VM "
                              + vmId
                              + "'s guest agent stopped reading its channel: a write did not finish within "
                              + deadline.toMillis()
                              + " ms, so the channel was closed")),
              end - System.nanoTime(),
              TimeUnit.NANOSECONDS);
      try {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      } catch (IOException e) {
        LaunchException closedMeanwhile = closedBecause;
        throw new LaunchException(
            closedMeanwhile != null
                ? closedMeanwhile.getMessage()
                : "cannot write to VM " + vmId + "'s agent channel: " + e.getMessage(),
            e);
      } finally {
        watchdog.cancel(false);
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Sends a request answered by exactly one frame; ERROR completes the future exceptionally. */
  public CompletableFuture<Frame> call(Frame request, String what) {
    return call(request, what, WRITE_DEADLINE);
  }

  /** As {@link #call(Frame, String)}, with the request written within {@code writeDeadline}. */
  public CompletableFuture<Frame> call(Frame request, String what, Duration writeDeadline) {
    CompletableFuture<Frame> answer = new CompletableFuture<>();
    send(
        request,
        new FrameHandler() {
          @Override
          public boolean onFrame(Frame frame) {
            if (frame.is(MessageType.ERROR)) {
              answer.completeExceptionally(GuestAgentException.from(frame, vmId, what));
            } else {
              answer.complete(frame);
            }
            return true;
          }

          @Override
          public void onClose(LaunchException cause) {
            answer.completeExceptionally(cause);
          }
        },
        writeDeadline);
    answer.whenComplete((frame, failure) -> handlers.remove(request.id()));
    return answer;
  }

  /** Forgets a request's handler; later frames for its id are dropped. */
  public void forget(int id) {
    handlers.remove(id);
  }

  /** Closes the channel; pending requests fail with {@code reason}. The VM keeps running. */
  public void close(LaunchException reason) {
    if (closedBecause == null) {
      closedBecause = reason;
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debugf(e, "closing the agent channel of %s", vmId);
    }
  }

  @Override
  public void close() {
    close(new LaunchException("the connection to VM " + vmId + " was closed"));
  }

  private void readLoop() {
    LaunchException end;
    try (DataInputStream in = FrameCodec.stream(Channels.newInputStream(channel))) {
      Frame frame;
      while ((frame = FrameCodec.read(in)) != null) {
        dispatch(frame);
      }
      end = closedBecause != null ? closedBecause : lossReason.get();
    } catch (ProtocolException e) {
      LOG.warnf(
          "VM %s: the guest agent sent a malformed frame, closing its channel: %s",
          vmId, e.getMessage());
      end =
          new LaunchException(
              "VM "
                  + vmId
                  + "'s guest agent broke the protocol ("
                  + e.getMessage()
                  + "); stop the VM and check its console log");
    } catch (IOException e) {
      end = closedBecause != null ? closedBecause : lossReason.get();
    } catch (RuntimeException e) {
      LOG.errorf(e, "VM %s: reader thread failed", vmId);
      end = new LaunchException("VM " + vmId + ": internal error reading the agent channel: " + e);
    }
    if (closedBecause == null) {
      closedBecause = end;
    }
    close(end);
    ready.completeExceptionally(end);
    for (Integer id : List.copyOf(handlers.keySet())) {
      FrameHandler handler = handlers.remove(id);
      if (handler != null) {
        handler.onClose(end);
      }
    }
  }

  private void dispatch(Frame frame) {
    if (frame.id() == 0) {
      if (frame.is(MessageType.HELLO_REPLY)) {
        acceptHello(frame);
      } else {
        LOG.debugf("VM %s: ignoring unsolicited %s", vmId, frame);
      }
      return;
    }
    FrameHandler handler = handlers.get(frame.id());
    if (handler == null) {
      LOG.debugf("VM %s: no request waits for %s", vmId, frame);
      return;
    }
    boolean last;
    try {
      last = handler.onFrame(frame);
    } catch (RuntimeException e) {
      LOG.warnf(e, "VM %s: handler for request %d failed", vmId, frame.id());
      last = true;
    }
    if (last) {
      handlers.remove(frame.id(), handler);
    }
  }

  private void acceptHello(Frame hello) {
    long version;
    try {
      version = hello.u32(Tag.VERSION).orElse(-1);
    } catch (ProtocolException e) {
      version = -1;
    }
    String agent = GuestText.cut(hello.string(Tag.AGENT).orElse("unknown agent"));
    if (version != FrameCodec.VERSION) {
      ready.completeExceptionally(
          new LaunchException(
              "VM "
                  + vmId
                  + "'s guest agent ("
                  + agent
                  + ") speaks protocol version "
                  + version
                  + " but this launcher speaks "
                  + FrameCodec.VERSION
                  + ": rebuild the guest image with this launcher's sources"));
    } else if (ready.complete(agent)) {
      LOG.debugf("VM %s: guest agent ready (%s)", vmId, agent);
    }
  }
}
