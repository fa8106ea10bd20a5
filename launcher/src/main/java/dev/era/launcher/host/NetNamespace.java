package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import dev.era.launcher.LaunchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A network namespace other than the launcher's, held open, in which the launcher makes sockets: a
 * confined egress VM's proxy listens in the VM's namespace, where QEMU reaches it on loopback, and
 * connects out from there, so that the VM's traffic leaves with its pod's address. A socket belongs
 * for life to the namespace of the thread that created it, so sockets are made on one thread that
 * enters the namespace for each call; no other thread of the launcher ever leaves its own.
 */
public final class NetNamespace implements AutoCloseable {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final ExecutorService SOCKETS =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "era-netns-sockets");
            thread.setDaemon(true);
            return thread;
          });

  private final Path file;
  private final int fd;

  private NetNamespace(Path file, int fd) {
    this.file = file;
    this.fd = fd;
  }

  /**
   * Opens a namespace file ({@code /proc/<pid>/ns/net}); the namespace lives on while this is open.
   */
  public static NetNamespace open(Path file) {
    try {
      return new NetNamespace(
          file, LibC.INSTANCE.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC));
    } catch (LastErrorException e) {
      throw new LaunchException(
          "cannot open the network namespace " + file + " (errno " + e.getErrorCode() + ")", e);
    }
  }

  /** The namespace file of a process whose network namespace is not the launcher's. */
  public static Optional<Path> otherThanOurs(long pid) {
    Path file = Path.of("/proc", Long.toString(pid), "ns", "net");
    try {
      return Files.readSymbolicLink(file)
              .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))
          ? Optional.empty()
          : Optional.of(file);
    } catch (IOException e) {
      throw new LaunchException("cannot read the network namespace of process " + pid, e);
    }
  }

  /** Runs {@code make}, which opens a socket, inside this namespace. */
  public <T> T call(Supplier<T> make) {
    try {
      return SOCKETS
          .submit(
              () -> {
                try {
                  LibC.INSTANCE.setns(fd, CLONE_NEWNET);
                } catch (LastErrorException e) {
                  throw new LaunchException(
                      "cannot enter the network namespace "
                          + file
                          + " (errno "
                          + e.getErrorCode()
                          + ")",
                      e);
                }
                return make.get();
              })
          .get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new LaunchException("cannot open a socket in " + file, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted while opening a socket in " + file, e);
    }
  }

  @Override
  public void close() {
    LibC.INSTANCE.close(fd);
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
