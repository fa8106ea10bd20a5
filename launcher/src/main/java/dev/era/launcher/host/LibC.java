package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The few libc calls the JDK does not offer. */
interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  int O_RDONLY = 0;
  int O_RDWR = 2;
  int O_NONBLOCK = 04000;
  int O_CLOEXEC = 02000000;
  int WNOHANG = 1;
  int EAGAIN = 11;
  int ECHILD = 10;
  int EPIPE = 32;
  int ESRCH = 3;
  int PRIO_PROCESS = 0;

  int O_WRONLY = 1;
  int O_CREAT = 0100;
  int O_TRUNC = 01000;
  int AF_UNIX = 1;
  int SOCK_STREAM = 1;
  int SOCK_CLOEXEC = 02000000;
  int SOL_SOCKET = 1;
  int SCM_RIGHTS = 1;
  int SO_RCVTIMEO = 20;
  int SO_SNDTIMEO = 21;
  int MSG_NOSIGNAL = 0x4000;

  int open(String path, int flags) throws LastErrorException;

  int open(String path, int flags, int mode) throws LastErrorException;

  int socket(int domain, int type, int protocol) throws LastErrorException;

  int connect(int fd, byte[] address, int length) throws LastErrorException;

  int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

  NativeLong send(int fd, byte[] buffer, NativeLong count, int flags) throws LastErrorException;

  NativeLong sendmsg(int fd, Pointer message, int flags) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int ioctl(int fd, NativeLong request, NativeLong argument) throws LastErrorException;

  NativeLong read(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

  int waitpid(int pid, int[] status, int options) throws LastErrorException;

  int geteuid();

  int setns(int fd, int nstype) throws LastErrorException;

  int setpriority(int which, int who, int prio) throws LastErrorException;

  /** The JDK cannot set the sticky bit. */
  int chmod(String path, int mode) throws LastErrorException;
}
