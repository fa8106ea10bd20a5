package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * A blocking Unix stream socket through libc, for what the JDK's channels cannot do: hand a file
 * descriptor to the peer (SCM_RIGHTS), as QMP's {@code getfd} expects. Every read and write gives
 * up after the timeout it was opened with. The structures are laid out for 64-bit Linux.
 */
public final class UnixSocket implements Closeable {
  private static final int SUN_PATH_MAX = 108;
  private static final int ECONNRESET = 104;

  private final int fd;
  private final byte[] buffer = new byte[8192];
  private int buffered;
  private int position;

  private UnixSocket(int fd) {
    this.fd = fd;
  }

  public static UnixSocket connect(Path path, Duration timeout) throws IOException {
    byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
    if (name.length >= SUN_PATH_MAX) {
      throw new IOException("socket path too long: " + path);
    }
    byte[] address = new byte[2 + SUN_PATH_MAX];
    address[0] = (byte) LibC.AF_UNIX; // sa_family_t, little-endian
    System.arraycopy(name, 0, address, 2, name.length);
    int fd;
    try {
      fd = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw new IOException("socket: errno " + e.getErrorCode(), e);
    }
    UnixSocket socket = new UnixSocket(fd);
    try {
      byte[] timeval =
          ByteBuffer.allocate(16)
              .order(ByteOrder.nativeOrder())
              .putLong(timeout.toSeconds())
              .putLong(timeout.toMillisPart() * 1000L)
              .array();
      LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, timeval.length);
      LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDTIMEO, timeval, timeval.length);
      LibC.INSTANCE.connect(fd, address, 2 + name.length + 1);
      return socket;
    } catch (LastErrorException e) {
      socket.close();
      throw new IOException("connect " + path + ": errno " + e.getErrorCode(), e);
    }
  }

  /** Opens a file for {@link #sendWithFd}; the caller closes it with {@link #closeFd}. */
  public static int openFile(Path path, boolean write) throws IOException {
    try {
      return write
          ? LibC.INSTANCE.open(
              path.toString(), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_CLOEXEC, 0600)
          : LibC.INSTANCE.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new IOException("open " + path + ": errno " + e.getErrorCode(), e);
    }
  }

  public static void closeFd(int fd) {
    try {
      LibC.INSTANCE.close(fd);
    } catch (LastErrorException ignored) {
      // nothing left to release
    }
  }

  public void write(byte[] data) throws IOException {
    int off = 0;
    while (off < data.length) {
      byte[] rest = off == 0 ? data : Arrays.copyOfRange(data, off, data.length);
      try {
        off +=
            LibC.INSTANCE.send(fd, rest, new NativeLong(rest.length), LibC.MSG_NOSIGNAL).intValue();
      } catch (LastErrorException e) {
        throw new IOException("send: errno " + e.getErrorCode(), e);
      }
    }
  }

  /** Writes {@code data} with {@code passed} attached as SCM_RIGHTS, in one message. */
  public void sendWithFd(byte[] data, int passed) throws IOException {
    Memory payload = new Memory(data.length);
    payload.write(0, data, 0, data.length);
    Memory iov = new Memory(16); // struct iovec
    iov.setPointer(0, payload);
    iov.setLong(8, data.length);
    Memory control = new Memory(24); // CMSG_SPACE(sizeof(int))
    control.clear();
    control.setLong(0, 20); // cmsg_len = CMSG_LEN(sizeof(int))
    control.setInt(8, LibC.SOL_SOCKET);
    control.setInt(12, LibC.SCM_RIGHTS);
    control.setInt(16, passed);
    Memory message = new Memory(56); // struct msghdr
    message.clear();
    message.setPointer(16, iov);
    message.setLong(24, 1);
    message.setPointer(32, control);
    message.setLong(40, 24);
    try {
      long sent = LibC.INSTANCE.sendmsg(fd, message, LibC.MSG_NOSIGNAL).longValue();
      if (sent != data.length) {
        throw new IOException("sendmsg sent " + sent + " of " + data.length + " bytes");
      }
    } catch (LastErrorException e) {
      throw new IOException("sendmsg: errno " + e.getErrorCode(), e);
    }
  }

  /** The next line without its newline; null at the end of the stream. */
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      if (position == buffered) {
        int n;
        try {
          n = LibC.INSTANCE.read(fd, buffer, new NativeLong(buffer.length)).intValue();
        } catch (LastErrorException e) {
          if (e.getErrorCode() == ECONNRESET) {
            n = 0; // the peer died with data unread: the stream ended all the same
          } else {
            throw new IOException(
                e.getErrorCode() == LibC.EAGAIN
                    ? "no answer within the timeout"
                    : "read: errno " + e.getErrorCode(),
                e);
          }
        }
        if (n == 0) {
          return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }
        buffered = n;
        position = 0;
      }
      byte b = buffer[position++];
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8);
      }
      line.write(b);
    }
  }

  @Override
  public void close() {
    closeFd(fd);
  }
}
