/*
 * era-client --run JAR SCRIPT ARGS...: what ./era runs for a command. Hands the command to the
 * user's command server for JAR (a warm JVM, see dev.era.cli.server.CommandServer) over its Unix
 * socket, writes what the command prints to stdout and stderr, and exits with its exit code. Ctrl-C
 * is passed on to the command; a second one leaves. When no server answers, it runs SCRIPT ARGS
 * instead, with ERA_CLIENT_FALLBACK=1, and the script starts a server and runs the command in a JVM
 * of its own. (A command's own exit code can be anything, so "no server" cannot be told by one.)
 * Everything ./era needs on this path is done here, since each process the script forked cost it
 * milliseconds.
 *
 * era-client --socket JAR: prints the socket of JAR's command server: one per user, checkout and
 * build of the jar and JDK, in a directory only the user can enter (created with mode 0700; exits 1
 * when it is not such a directory, or no java is on PATH).
 *
 * era-client SOCKET ARGS...: runs ARGS on the server at SOCKET. era-client --probe SOCKET: exits 0
 * when a server answers on SOCKET, else 1.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* The first executable java on PATH, resolved through its links (alternatives), into out. */
static int find_java(char *out) {
  const char *path = getenv("PATH");
  if (path == NULL) {
    return 0;
  }
  char candidate[PATH_MAX];
  while (*path != '\0') {
    size_t length = strcspn(path, ":");
    if (length > 0 && length + sizeof "/java" <= sizeof candidate) {
      memcpy(candidate, path, length);
      strcpy(candidate + length, "/java");
      if (access(candidate, X_OK) == 0 && realpath(candidate, out) != NULL) {
        return 1;
      }
    }
    path += length;
    if (*path == ':') {
      path++;
    }
  }
  return 0;
}

static uint64_t hash_bytes(uint64_t hash, const void *data, size_t length) {
  const unsigned char *p = data;
  for (size_t i = 0; i < length; i++) {
    hash = (hash ^ p[i]) * 0x100000001b3u; /* FNV-1a */
  }
  return hash;
}

static uint64_t hash_file(uint64_t hash, const char *path) {
  struct stat st;
  char line[PATH_MAX + 96];
  if (stat(path, &st) != 0) {
    return hash;
  }
  int n = snprintf(line, sizeof line, "%s %lld %lld %llu;", path, (long long)st.st_size,
                   (long long)st.st_mtime, (unsigned long long)st.st_ino);
  return hash_bytes(hash, line, (size_t)n);
}

/* Creates dir (and missing parents) with mode 0700; true when it is a directory this user owns
 * with mode 0700 and no link. */
static int private_dir(char *dir) {
  for (char *p = dir + 1; *p != '\0'; p++) {
    if (*p == '/') {
      *p = '\0';
      mkdir(dir, 0700);
      *p = '/';
    }
  }
  mkdir(dir, 0700);
  struct stat st;
  return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
         (st.st_mode & 07777) == 0700;
}

/* The server socket for jar into out: its name changes with the checkout, the jar's build and the
 * JDK, so that a rebuilt jar or another JDK gets a server of its own. */
static int socket_for(const char *jar, char *out, size_t size) {
  char real_jar[PATH_MAX], java[PATH_MAX], dir[PATH_MAX];
  if (realpath(jar, real_jar) == NULL || !find_java(java)) {
    return 0;
  }
  uint64_t hash = hash_file(hash_file(0xcbf29ce484222325u, real_jar), java);
  const char *runtime = getenv("XDG_RUNTIME_DIR");
  const char *cache = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  int n;
  if (runtime != NULL && *runtime != '\0') {
    n = snprintf(dir, sizeof dir, "%s/era-cli", runtime);
  } else if (cache != NULL && *cache != '\0') {
    n = snprintf(dir, sizeof dir, "%s/era/era-cli", cache);
  } else if (home != NULL && *home != '\0') {
    n = snprintf(dir, sizeof dir, "%s/.cache/era/era-cli", home);
  } else {
    return 0;
  }
  if (n <= 0 || (size_t)n >= sizeof dir || !private_dir(dir)) {
    return 0;
  }
  n = snprintf(out, size, "%s/server-%016llx.sock", dir, (unsigned long long)hash);
  return n > 0 && (size_t)n < size;
}

/* A connected socket to the server at path, or -1. */
static int connect_to(const char *path) {
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof address.sun_path) {
    return -1;
  }
  strcpy(address.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Runs args on the server behind fd and returns its exit code. */
static int run_command(int fd, int argc, char **args) {
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == NULL) {
    die("cannot tell the working directory");
  }
  put_u32(MAGIC);
  put_u32((uint32_t)argc);
  for (int i = 0; i < argc; i++) {
    put_string(args[i]);
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

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: era-client --run JAR SCRIPT [ARGS...] | --socket JAR | SOCKET [ARGS...]\n");
    return 2;
  }
  char socket_path[PATH_MAX];
  if (strcmp(argv[1], "--socket") == 0) {
    if (argc != 3 || !socket_for(argv[2], socket_path, sizeof socket_path)) {
      return 1;
    }
    puts(socket_path);
    return 0;
  }
  if (strcmp(argv[1], "--run") == 0) {
    if (argc < 4) {
      return 2;
    }
    int fd = socket_for(argv[2], socket_path, sizeof socket_path) ? connect_to(socket_path) : -1;
    if (fd >= 0) {
      return run_command(fd, argc - 4, argv + 4);
    }
    setenv("ERA_CLIENT_FALLBACK", "1", 1);
    execv(argv[3], argv + 3);
    die("cannot run the era script");
  }
  int probe = strcmp(argv[1], "--probe") == 0;
  const char *path = argv[probe ? 2 : 1];
  if (path == NULL) {
    return 2;
  }
  int fd = connect_to(path);
  if (probe) {
    return fd >= 0 ? 0 : 1;
  }
  if (fd < 0) {
    die("cannot reach the command server");
  }
  return run_command(fd, argc - 2, argv + 2);
}
