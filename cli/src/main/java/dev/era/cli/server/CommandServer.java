package dev.era.cli.server;

import dev.era.cli.CliContext;
import dev.era.cli.Main;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A warm JVM that runs {@code era} commands for {@code era-client}, so that a command costs no JVM
 * start-up, class loading or TLS set-up: the {@code ./era} script starts one per user and build of
 * the CLI, in the background, and hands it every command it can after that. Each command runs here
 * exactly as in its own process ({@link Main#run}), with the client's arguments, environment and
 * working directory, its output sent back as it is written, and Ctrl-C on the client interrupting
 * it.
 *
 * <p>It listens on a Unix socket in a directory only the user can enter, answers only processes of
 * its own user (the socket's peer credentials), and exits once no command has come for the idle
 * time, removing its socket.
 */
public final class CommandServer implements AutoCloseable {
  private static final Duration IDLE_CHECK = Duration.ofSeconds(1);

  private final Path socket;
  private final Duration idle;
  private final ServerSocketChannel server;
  private final UserPrincipal owner;
  private final ExecutorService commands =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "era-command");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong lastActive = new AtomicLong(System.nanoTime());

  private CommandServer(Path socket, Duration idle, ServerSocketChannel server) throws IOException {
    this.socket = socket;
    this.idle = idle;
    this.server = server;
    this.owner = Files.getOwner(socket);
  }

  /**
   * Binds {@code socket}, replacing a stale one nothing listens on.
   *
   * @throws IOException also when another server already listens there
   */
  public static CommandServer bind(Path socket, Duration idle) throws IOException {
    if (Files.exists(socket)) {
      if (answers(socket)) {
        throw new IOException("a command server already listens on " + socket);
      }
      Files.delete(socket);
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    return new CommandServer(socket, idle, server);
  }

  private static boolean answers(Path socket) {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code CommandServer SOCKET IDLE_SECONDS}: serves until idle that long. */
  public static void main(String[] args) {
    try (CommandServer server =
        bind(Path.of(args[0]), Duration.ofSeconds(Long.parseLong(args[1])))) {
      server.serve();
    } catch (IOException e) {
      // Two first commands at once each start a server; the one that lost leaves.
      System.err.println("era command server: " + e.getMessage());
    }
  }

  /** Accepts commands until idle; returns with the socket removed. */
  public void serve() {
    Thread idleWatch =
        new Thread(
            () -> {
              while (server.isOpen()) {
                try {
                  Thread.sleep(IDLE_CHECK.toMillis());
                } catch (InterruptedException e) {
                  return;
                }
                if (running.get() == 0 && System.nanoTime() - lastActive.get() > idle.toNanos()) {
                  close();
                }
              }
            },
            "era-command-server-idle");
    idleWatch.setDaemon(true);
    idleWatch.start();
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        break; // closed
      }
      lastActive.set(System.nanoTime());
      commands.execute(() -> serve(client));
    }
  }

  private void serve(SocketChannel client) {
    running.incrementAndGet();
    try (client) {
      UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (!peer.user().equals(owner)) {
        return; // another user's process: it gets nothing, not even an error
      }
      DataInputStream in = new DataInputStream(new BufferedInputStream(input(client)));
      CommandRequest request = CommandRequest.read(in);
      Frames frames = Frames.to(client);
      Thread command = Thread.currentThread();
      Thread cancel = new Thread(() -> awaitCancel(in, command), "era-command-cancel");
      cancel.setDaemon(true);
      cancel.start();
      int exitCode = run(request, frames);
      Thread.interrupted(); // a cancel that came as the command ended
      frames.finish(exitCode);
    } catch (IOException e) {
      // Not a request, or the client went away: there is no one to tell.
    } finally {
      lastActive.set(System.nanoTime());
      running.decrementAndGet();
    }
  }

  private static int run(CommandRequest request, Frames frames) {
    try (PrintStream out =
            new PrintStream(frames.stream(Frames.STDOUT), true, StandardCharsets.UTF_8);
        PrintStream err =
            new PrintStream(frames.stream(Frames.STDERR), true, StandardCharsets.UTF_8)) {
      CliContext context =
          new CliContext(
              request.env(),
              request.env().getOrDefault("HOME", System.getProperty("user.home")),
              out,
              err,
              request.interactive(),
              request.cwd());
      return Main.run(context, request.args().toArray(String[]::new));
    }
  }

  /** Interrupts the command when its client asks (Ctrl-C) or goes away. */
  private static void awaitCancel(InputStream in, Thread command) {
    try {
      int b = in.read();
      if (b == Frames.CANCEL || b == -1) {
        command.interrupt();
      }
    } catch (IOException e) {
      // Closed once the command has ended.
    }
  }

  /**
   * The channel as a stream, without {@link java.nio.channels.Channels#newInputStream}, which holds
   * the channel's blocking lock while it waits and so would stall the command's output.
   */
  private static InputStream input(SocketChannel channel) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) throws IOException {
        return channel.read(ByteBuffer.wrap(bytes, offset, length));
      }
    };
  }

  /** Stops accepting commands and removes the socket; commands in flight finish. */
  @Override
  public void close() {
    try {
      server.close();
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // Nothing to clean up that a later bind() does not replace.
    }
  }
}
