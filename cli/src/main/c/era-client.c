/*
 * era-client SOCKET ARGS...: hands one era command to the user's command server (a warm JVM, see
 * dev.era.cli.server.CommandServer) over its Unix socket, writes what the command prints to stdout
 * and stderr, and exits with its exit code. Ctrl-C is passed on to the command; a second one leaves.
 *
 * era-client --probe SOCKET: exits 0 when a server answers on SOCKET, else 1; the ./era script then
 * runs the command in a JVM of its own. (A command's own exit code can be anything, so "no server"
 * cannot be told by one.)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAGIC 0x45524131u

extern char **environ;

static volatile sig_atomic_t signals;

static void on_signal(int sig) {
  (void)sig;
  signals++;
}

static void die(const char *what) {
  fprintf(stderr, "era: %s (hint: run the command again; `pkill -f CommandServer` restarts the server)\n", what);
  exit(1);
}

static void write_all(int fd, const void *data, size_t length) {
  const char *p = data;
  while (length > 0) {
    ssize_t n = write(fd, p, length);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      die("lost the command server while sending the command");
    }
    p += n;
    length -= (size_t)n;
  }
}

/* Request bytes, collected before one write. */
static char *request;
static size_t request_length, request_capacity;

static void put(const void *data, size_t length) {
  if (request_length + length > request_capacity) {
    request_capacity = (request_length + length) * 2;
    request = realloc(request, request_capacity);
    if (request == NULL) {
      die("out of memory");
    }
  }
  memcpy(request + request_length, data, length);
  request_length += length;
}

static void put_u32(uint32_t value) {
  unsigned char b[4] = {value >> 24, value >> 16, value >> 8, value};
  put(b, 4);
}

static void put_string(const char *s) {
  size_t length = strlen(s);
  put_u32((uint32_t)length);
  put(s, length);
}

/* Reads exactly length bytes; 0 at a clean end of stream before the first byte. */
static int read_all(int fd, void *data, size_t length) {
  char *p = data;
  size_t got = 0;
  while (got < length) {
    ssize_t n = read(fd, p + got, length - got);
    if (n < 0 && errno == EINTR) {
      if (got == 0) {
        return -2; /* a signal between frames: the caller decides */
      }
      continue;
    }
    if (n < 0) {
      die("lost the command server");
    }
    if (n == 0) {
      if (got == 0) {
        return 0;
      }
      die("the command server ended mid-answer");
    }
    got += (size_t)n;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: era-client SOCKET [ARGS...]\n");
    return 2;
  }
  int probe = strcmp(argv[1], "--probe") == 0;
  const char *path = argv[probe ? 2 : 1];
  if (path == NULL) {
    return 2;
  }
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof address.sun_path) {
    if (probe) {
      return 1;
    }
    die("the command server's socket path is too long");
  }
  strcpy(address.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    if (probe) {
      return 1;
    }
    die("cannot reach the command server");
  }
  if (probe) {
    return 0;
  }

  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == NULL) {
    die("cannot tell the working directory");
  }
  put_u32(MAGIC);
  put_u32((uint32_t)(argc - 2));
  for (int i = 2; i < argc; i++) {
    put_string(argv[i]);
  }
  put_string(cwd);
  uint32_t envc = 0;
  for (char **e = environ; *e != NULL; e++) {
    envc++;
  }
  put_u32(envc);
  for (char **e = environ; *e != NULL; e++) {
    put_string(*e);
  }
  unsigned char flags = isatty(0) && isatty(1) ? 1 : 0;
  put(&flags, 1);

  struct sigaction action = {.sa_handler = on_signal};
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGHUP, &action, NULL);
  signal(SIGPIPE, SIG_IGN);
  write_all(fd, request, request_length);

  int cancelled = 0;
  char buffer[65536];
  for (;;) {
    if (signals > 0 && !cancelled) {
      char cancel = 'C';
      write_all(fd, &cancel, 1);
      cancelled = 1;
    } else if (signals > 1) {
      return 130;
    }
    unsigned char header[5];
    int got = read_all(fd, header, sizeof header);
    if (got == -2) {
      continue;
    }
    if (got == 0) {
      die("the command server ended without an exit code");
    }
    uint32_t length = (uint32_t)header[1] << 24 | (uint32_t)header[2] << 16 |
                      (uint32_t)header[3] << 8 | header[4];
    while (length > 0) {
      size_t chunk = length < sizeof buffer ? length : sizeof buffer;
      int r;
      while ((r = read_all(fd, buffer, chunk)) == -2) {
        /* a signal mid-frame: finish the frame first */
      }
      if (r == 0) {
        die("the command server ended mid-answer");
      }
      if (header[0] == 'X') {
        if (chunk != 4) {
          die("a malformed exit code from the command server");
        }
        return (int)((uint32_t)(unsigned char)buffer[0] << 24 |
                     (uint32_t)(unsigned char)buffer[1] << 16 |
                     (uint32_t)(unsigned char)buffer[2] << 8 | (unsigned char)buffer[3]);
      }
      int out = header[0] == '1' ? 1 : 2;
      size_t done = 0;
      while (done < chunk) {
        ssize_t n = write(out, buffer + done, chunk - done);
        if (n < 0 && errno == EINTR) {
          continue;
        }
        if (n <= 0) {
          break; /* stdout closed (a pipe into head): drop the rest, keep the exit code */
        }
        done += (size_t)n;
      }
      length -= (uint32_t)chunk;
    }
  }
}
