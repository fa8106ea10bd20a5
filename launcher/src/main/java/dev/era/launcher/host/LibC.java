package dev.era.launcher.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

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

  int open(String path, int flags) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int ioctl(int fd, NativeLong request, NativeLong argument) throws LastErrorException;

  NativeLong read(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

  int waitpid(int pid, int[] status, int options) throws LastErrorException;

  int geteuid();

  /** The JDK cannot set the sticky bit. */
  int chmod(String path, int mode) throws LastErrorException;
}
