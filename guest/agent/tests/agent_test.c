/* Protocol tests: each test starts a fresh era-agent in host mode (--serve-fd over a socketpair,
 * or --socket) with a temporary work dir, talks to it as the launcher would, and checks the answers.
 * Usage: agent-test /abs/path/to/era-agent. Prints "agent: N passed, M failed" and exits non-zero on
 * any failure. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bounds.h"
#include "proto.h"
#include "util.h"

#define SANDBOX_ID 65532
#define DEFAULT_MAX_OUTPUT (1u << 20)
#define RECV_TIMEOUT_MS 10000

static const char *agent_bin;
static int as_root;

/* ---- the agent under test */

struct agent {
    pid_t pid;
    int fd;
    char work[64];
    char sock[108];        /* sockaddr_un.sun_path */
};

static void make_workdir(struct agent *a)
{
    /* Under /tmp, not $TMPDIR: the sandbox user must be able to reach it. */
    snprintf(a->work, sizeof a->work, "/tmp/era-agent-test.XXXXXX");
    if (!mkdtemp(a->work)) {
        perror("mkdtemp");
        exit(2);
    }
    /* Like /work in the guest: the sandbox user's. */
    chmod(a->work, 0755);
    if (as_root && chown(a->work, SANDBOX_ID, SANDBOX_ID) < 0)
        perror("chown work dir");
}

static pid_t spawn_agent(char *const argv[], int keep_fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (keep_fd >= 0 && keep_fd != 3) {
            dup2(keep_fd, 3);
            close(keep_fd);
        }
        dup2(open("/dev/null", O_RDONLY), 7); /* the stray fd of t_no_fd_leaks */
        execv(agent_bin, argv);
        perror("exec era-agent");
        _exit(127);
    }
    return pid;
}

static void start_agent(struct agent *a)
{
    memset(a, 0, sizeof *a);
    make_workdir(a);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        perror("socketpair");
        exit(2);
    }
    int child_end = fcntl(sv[1], F_DUPFD, 10); /* without CLOEXEC, moved to 3 in the child */
    close(sv[1]);
    char *argv[] = {(char *)agent_bin, "--serve-fd", "3", "--workdir", a->work, NULL};
    a->pid = spawn_agent(argv, child_end);
    close(child_end);
    a->fd = sv[0];
}

/* The socket mode: the test connects (and reconnects) itself. */
static void start_agent_socket(struct agent *a)
{
    memset(a, 0, sizeof *a);
    make_workdir(a);
    snprintf(a->sock, sizeof a->sock, "%s.sock", a->work);
    char *argv[] = {(char *)agent_bin, "--socket", a->sock, "--workdir", a->work, NULL};
    a->pid = spawn_agent(argv, -1);
    a->fd = -1;
}

static int connect_agent(struct agent *a)
{
    for (int i = 0; i < 500; i++) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        memcpy(addr.sun_path, a->sock, sizeof a->sock);
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
            return a->fd = fd;
        close(fd);
        usleep(10000);
    }
    return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Waits for the agent to exit; returns its wait status, or -1 if it had to be killed. */
static int wait_agent(struct agent *a, int timeout_ms)
{
    int status;
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        if (waitpid(a->pid, &status, WNOHANG) == a->pid)
            return status;
        usleep(10000);
    }
    kill(a->pid, SIGKILL);
    waitpid(a->pid, &status, 0);
    return -1;
}

/* Closes the connection; the agent must then exit cleanly (0) by itself. */
static int stop_agent(struct agent *a)
{
    if (a->fd >= 0)
        close(a->fd);
    if (a->sock[0])
        kill(a->pid, SIGTERM);
    int status = wait_agent(a, 5000);
    nftw(a->work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return status;
}

static long agent_mem_kb(struct agent *a, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)a->pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0)
            kb = strtol(line + strlen(key) + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

/* Starts a fresh peak (VmHWM) and returns the agent's RSS now: memory checks bound growth from here, not an
 * absolute size, which depends on the libc, the kernel and the page size of the machine. The bounds are the
 * agent's own limits (agent.h) plus SLACK_KB for frames in flight; each test produces far more than that. */
#define SLACK_KB 1024L
static long agent_mem_baseline_kb(struct agent *a)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)a->pid);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("5", f); /* 5: reset the peak resident set size */
        fclose(f);
    }
    return agent_mem_kb(a, "VmRSS");
}

/* ---- wire */

static int write_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_msg(struct agent *a, struct msg *m)
{
    int rc = write_all(a->fd, m->buf, m->len);
    msg_free(m);
    return rc;
}

static int read_exact(int fd, void *buf, size_t n, int timeout_ms)
{
    uint8_t *p = buf;
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (n > 0) {
        uint64_t now = now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (now >= end || poll(&pfd, 1, (int)(end - now)) <= 0)
            return -1;
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Receives one frame (payload malloc'd, free it); -1 on timeout or EOF. */
static int recv_frame(struct agent *a, struct frame *f, int timeout_ms)
{
    uint8_t head[FRAME_HEADER];
    if (read_exact(a->fd, head, sizeof head, timeout_ms) < 0)
        return -1;
    f->type = head[4];
    f->id = get_be32(head + 5);
    f->len = get_be32(head) - FRAME_MIN_LENGTH;
    uint8_t *body = malloc(f->len + 1);
    if (read_exact(a->fd, body, f->len, timeout_ms) < 0) {
        free(body);
        return -1;
    }
    f->payload = body;
    return 0;
}

static void free_frame(struct frame *f)
{
    free((void *)f->payload);
    f->payload = NULL;
}

static uint32_t fu32(const struct frame *f, uint8_t tag)
{
    struct field fl;
    return field_find(f, tag, &fl) && fl.len == 4 ? get_be32(fl.val) : 0xdeadbeef;
}

static uint64_t fu64(const struct frame *f, uint8_t tag)
{
    struct field fl;
    return field_find(f, tag, &fl) && fl.len == 8 ? (uint64_t)get_be32(fl.val) << 32 | get_be32(fl.val + 4) : ~0ull;
}

static int fu8(const struct frame *f, uint8_t tag)
{
    struct field fl;
    return field_find(f, tag, &fl) && fl.len == 1 ? fl.val[0] : -1;
}

/* A string field copied into buf (empty if absent). */
static const char *fstr(const struct frame *f, uint8_t tag, char *buf, size_t size)
{
    struct field fl;
    buf[0] = 0;
    if (field_find(f, tag, &fl))
        snprintf(buf, size, "%.*s", (int)fl.len, (const char *)fl.val);
    return buf;
}

/* ---- results */

struct buf {
    uint8_t *data;
    size_t len;
};

static void buf_add(struct buf *b, const uint8_t *p, size_t n)
{
    b->data = realloc(b->data, b->len + n + 1);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

struct result {
    uint32_t id;
    int done;           /* EXIT, ERROR or the final OK came */
    int started;        /* STARTED came (before any output) */
    uint32_t pid;
    int32_t exit_code, signal;
    int timed_out, out_truncated, err_truncated;
    uint32_t duration_ms;
    struct buf out, err, file;
    int file_chunks;
    size_t max_chunk;
    uint64_t size;
    char error[32], message[300];
    int unexpected;     /* a frame this exchange did not expect */
};

static void result_free(struct result *r)
{
    free(r->out.data);
    free(r->err.data);
    free(r->file.data);
    memset(r, 0, sizeof *r);
}

static void apply(struct result *r, const struct frame *f)
{
    struct field data = {0, 0, NULL};
    field_find(f, TAG_DATA, &data);
    switch (f->type) {
    case MSG_STARTED:
        r->started = !r->out.len && !r->err.len;
        r->pid = fu32(f, TAG_PID);
        break;
    case MSG_STDOUT:
        buf_add(&r->out, data.val, data.len);
        break;
    case MSG_STDERR:
        buf_add(&r->err, data.val, data.len);
        break;
    case MSG_FILE_DATA:
        buf_add(&r->file, data.val, data.len);
        r->file_chunks++;
        if (data.len > r->max_chunk)
            r->max_chunk = data.len;
        break;
    case MSG_EXIT:
        r->exit_code = (int32_t)fu32(f, TAG_EXIT_CODE);
        r->signal = (int32_t)fu32(f, TAG_SIGNAL);
        r->timed_out = fu8(f, TAG_TIMED_OUT);
        r->out_truncated = fu8(f, TAG_STDOUT_TRUNCATED);
        r->err_truncated = fu8(f, TAG_STDERR_TRUNCATED);
        r->duration_ms = fu32(f, TAG_DURATION_MS);
        r->done = 1;
        break;
    case MSG_ERROR:
        fstr(f, TAG_CODE, r->error, sizeof r->error);
        fstr(f, TAG_MESSAGE, r->message, sizeof r->message);
        r->done = 1;
        break;
    case MSG_OK:
    case MSG_PONG:
    case MSG_HELLO_REPLY:
        r->size = fu64(f, TAG_SIZE);
        r->done = 1;
        break;
    default:
        r->unexpected++;
    }
}

/* Reads frames until every result is done; frames for other ids count as unexpected in r[0]. */
static int collect(struct agent *a, struct result *r, int n, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        int pending = 0;
        for (int i = 0; i < n; i++)
            pending += !r[i].done;
        if (!pending)
            return 0;
        uint64_t now = now_ms();
        struct frame f;
        if (now >= end || recv_frame(a, &f, (int)(end - now)) < 0)
            return -1;
        int i = 0;
        while (i < n && r[i].id != f.id)
            i++;
        if (i < n)
            apply(&r[i], &f);
        else
            r[0].unexpected++;
        free_frame(&f);
    }
}

/* Sends a request and collects its whole answer. */
static int request(struct agent *a, struct msg *m, struct result *r)
{
    memset(r, 0, sizeof *r);
    r->id = get_be32(m->buf + 5);
    if (send_msg(a, m) < 0)
        return -1;
    return collect(a, r, 1, RECV_TIMEOUT_MS);
}

static struct msg *shell(uint32_t id, const char *cmd)
{
    struct msg *m = msg_new(MSG_EXEC, id, 64);
    msg_add_str(m, TAG_SHELL, cmd);
    return m;
}

static struct msg *put(uint32_t id, const char *path, const void *data, uint32_t len, uint64_t offset)
{
    struct msg *m = msg_new(MSG_PUT_FILE, id, len + 64);
    msg_add_str(m, TAG_PATH, path);
    msg_add_u64(m, TAG_OFFSET, offset);
    msg_add(m, TAG_DATA, data, len);
    return m;
}

static struct msg *get(uint32_t id, const char *path)
{
    struct msg *m = msg_new(MSG_GET_FILE, id, 64);
    msg_add_str(m, TAG_PATH, path);
    return m;
}

/* ---- test framework */

static int failures_in_test;

#define CHECK(cond, ...)                                                                                   \
    do {                                                                                                   \
        if (!(cond)) {                                                                                     \
            printf("    line %d: %s: ", __LINE__, #cond);                                                \
            printf(__VA_ARGS__);                                                                           \
            printf("\n");                                                                                  \
            failures_in_test++;                                                                            \
            goto out;                                                                                      \
        }                                                                                                  \
    } while (0)

/* Every serve-fd test starts after the unsolicited HELLO. */
static int skip_hello(struct agent *a)
{
    struct frame f;
    if (recv_frame(a, &f, RECV_TIMEOUT_MS) < 0)
        return -1;
    int ok = f.type == MSG_HELLO_REPLY && f.id == 0;
    free_frame(&f);
    return ok ? 0 : -1;
}

static int ping_ok(struct agent *a, uint32_t id)
{
    struct result r;
    int ok = request(a, msg_new(MSG_PING, id, 0), &r) == 0 && !r.error[0] && !r.unexpected;
    result_free(&r);
    return ok;
}

static int process_gone(pid_t pid, int timeout_ms)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        if (access(path, F_OK) < 0)
            return 1;
        usleep(20000);
    }
    return 0;
}

/* ---- tests: each gets a fresh agent already past its HELLO */

static void t_hello_and_ping(struct agent *a)
{
    struct result r = {0};
    struct msg *m = msg_new(MSG_HELLO, 5, 16);
    msg_add_u32(m, TAG_VERSION, PROTO_VERSION);
    CHECK(send_msg(a, m) == 0, "send");
    struct frame f = {0};
    CHECK(recv_frame(a, &f, RECV_TIMEOUT_MS) == 0, "no answer to HELLO");
    char agent_name[64];
    CHECK(f.type == MSG_HELLO_REPLY && f.id == 5, "got type 0x%x id %u", f.type, f.id);
    CHECK(fu32(&f, TAG_VERSION) == PROTO_VERSION, "version %u", fu32(&f, TAG_VERSION));
    CHECK(strncmp(fstr(&f, TAG_AGENT, agent_name, sizeof agent_name), "era-agent ", 10) == 0, "agent %s", agent_name);
    CHECK(ping_ok(a, 6), "PING got no PONG");
    m = msg_new(MSG_HELLO, 7, 16);
    msg_add_u32(m, TAG_VERSION, PROTO_VERSION + 1);
    CHECK(request(a, m, &r) == 0 && strcmp(r.error, "VERSION") == 0, "HELLO v%d answered with '%s'", PROTO_VERSION + 1,
          r.error);
out:
    free_frame(&f);
    result_free(&r);
}

static void t_exec_argv(struct agent *a)
{
    struct result r = {0};
    struct msg *m = msg_new(MSG_EXEC, 10, 64);
    msg_add_str(m, TAG_ARGV, "printf");
    msg_add_str(m, TAG_ARGV, "%s|%s");
    msg_add_str(m, TAG_ARGV, "a b");
    msg_add_str(m, TAG_ARGV, "c");
    CHECK(request(a, m, &r) == 0, "no EXIT");
    CHECK(r.started && r.pid > 0, "STARTED missing or after output");
    CHECK(r.exit_code == 0 && r.signal == 0 && r.timed_out == 0, "exit %d signal %d", r.exit_code, r.signal);
    CHECK(r.out.len == 5 && memcmp(r.out.data, "a b|c", 5) == 0, "stdout '%s'", r.out.data);
    CHECK(r.err.len == 0 && !r.unexpected, "stderr '%s'", r.err.data);
out:
    result_free(&r);
}

static void t_exec_shell_streams(struct agent *a)
{
    struct result r = {0};
    CHECK(request(a, shell(11, "echo out; echo err >&2; echo out2; exit 3"), &r) == 0, "no EXIT");
    CHECK(r.out.len && strcmp((char *)r.out.data, "out\nout2\n") == 0, "stdout '%s'", r.out.data);
    CHECK(r.err.len && strcmp((char *)r.err.data, "err\n") == 0, "stderr '%s'", r.err.data);
    CHECK(r.exit_code == 3 && r.signal == 0, "exit %d signal %d", r.exit_code, r.signal);
    CHECK(r.out_truncated == 0 && r.err_truncated == 0, "truncated flags %d %d", r.out_truncated, r.err_truncated);
out:
    result_free(&r);
}

static void t_exit_codes(struct agent *a)
{
    struct result r = {0};
    CHECK(request(a, shell(12, "exit 42"), &r) == 0 && r.exit_code == 42, "exit %d", r.exit_code);
    result_free(&r);
    struct msg *m = msg_new(MSG_EXEC, 13, 64);
    msg_add_str(m, TAG_ARGV, "/nonexistent/program");
    CHECK(request(a, m, &r) == 0 && !r.error[0], "error %s: %s", r.error, r.message);
    CHECK(r.exit_code == 127, "exit %d for a missing program", r.exit_code);
    CHECK(r.err.len && strstr((char *)r.err.data, "/nonexistent/program"), "stderr '%s'", r.err.data);
out:
    result_free(&r);
}

static void t_exit_by_signal(struct agent *a)
{
    struct result r = {0};
    CHECK(request(a, shell(14, "kill -TERM $$"), &r) == 0, "no EXIT");
    CHECK(r.exit_code == -1 && r.signal == 15 && r.timed_out == 0, "exit %d signal %d timed_out %d", r.exit_code,
          r.signal, r.timed_out);
out:
    result_free(&r);
}

static void t_timeout(struct agent *a)
{
    struct result r = {0};
    struct msg *m = msg_new(MSG_EXEC, 15, 64);
    msg_add_str(m, TAG_ARGV, "sleep");
    msg_add_str(m, TAG_ARGV, "1000");
    msg_add_u32(m, TAG_TIMEOUT_MS, 2000);
    uint64_t start = now_ms();
    CHECK(request(a, m, &r) == 0, "no EXIT");
    uint64_t took = now_ms() - start;
    CHECK(r.timed_out == 1 && r.signal == 9 && r.exit_code == -1, "timed_out %d signal %d exit %d", r.timed_out,
          r.signal, r.exit_code);
    CHECK(took >= 1900 && took < 4000, "EXIT after %llu ms", (unsigned long long)took);
    CHECK(r.duration_ms >= 1900 && r.duration_ms < 4000, "DURATION_MS %u", r.duration_ms);
    CHECK(process_gone((pid_t)r.pid, 1000), "sleep %u still exists", r.pid);
out:
    result_free(&r);
}

static void t_output_truncated(struct agent *a)
{
    struct result r = {0};
    struct msg *m = shell(16, "head -c 10000000 /dev/zero; echo tail >&2");
    msg_add_u32(m, TAG_MAX_OUTPUT, 1 << 20);
    long before = agent_mem_baseline_kb(a);
    CHECK(request(a, m, &r) == 0, "no EXIT");
    CHECK(r.out.len == 1 << 20, "kept %zu bytes of stdout", r.out.len);
    CHECK(r.out_truncated == 1 && r.err_truncated == 0, "truncated flags %d %d", r.out_truncated, r.err_truncated);
    CHECK(r.err.len == 5 && memcmp(r.err.data, "tail\n", 5) == 0, "stderr '%s'", r.err.data);
    CHECK(r.exit_code == 0, "exit %d (the command must not block or die on a full pipe)", r.exit_code);
    long hwm = agent_mem_kb(a, "VmHWM");
    CHECK(before > 0 && hwm > 0 && hwm - before < OUT_HARD / 1024 + SLACK_KB,
          "agent peak RSS grew from %ld to %ld kB for 10 MB of output", before, hwm);
out:
    result_free(&r);
}

static void t_slow_host_bounded(struct agent *a)
{
    struct result r = {0};
    struct msg *m = shell(17, "head -c 10000000 /dev/zero");
    msg_add_u32(m, TAG_MAX_OUTPUT, 32 << 20);
    r.id = 17;
    long before = agent_mem_baseline_kb(a);
    CHECK(send_msg(a, m) == 0, "send");
    usleep(1500000); /* a host that does not read: the agent must stop reading the command's pipe */
    long rss = agent_mem_kb(a, "VmRSS");
    CHECK(before > 0 && rss > 0 && rss - before < OUT_HARD / 1024 + SLACK_KB,
          "agent RSS grew from %ld to %ld kB while the host is not reading", before, rss);
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0, "no EXIT");
    CHECK(r.out.len == 10000000 && r.out_truncated == 0, "got %zu bytes, truncated %d", r.out.len, r.out_truncated);
    CHECK(r.exit_code == 0, "exit %d", r.exit_code);
out:
    result_free(&r);
}

static void t_concurrent(struct agent *a)
{
    struct result r[4] = {{0}};
    char cmd[64];
    for (int i = 0; i < 4; i++) {
        snprintf(cmd, sizeof cmd, "sleep 1; echo job%d", i);
        r[i].id = 100 + (uint32_t)i;
        CHECK(send_msg(a, shell(r[i].id, cmd)) == 0, "send");
    }
    uint64_t start = now_ms();
    CHECK(collect(a, r, 4, RECV_TIMEOUT_MS) == 0, "not every EXIT came");
    uint64_t took = now_ms() - start;
    CHECK(took < 2500, "4 parallel 'sleep 1' took %llu ms", (unsigned long long)took);
    for (int i = 0; i < 4; i++) {
        snprintf(cmd, sizeof cmd, "job%d\n", i);
        CHECK(r[i].exit_code == 0 && r[i].out.len && strcmp((char *)r[i].out.data, cmd) == 0, "job %d: '%s'", i,
              r[i].out.data);
    }
    CHECK(!r[0].unexpected, "%d unexpected frames", r[0].unexpected);
out:
    for (int i = 0; i < 4; i++)
        result_free(&r[i]);
}

static void t_stdin(struct agent *a)
{
    struct result r = {0};
    size_t big = 600000;
    uint8_t *data = malloc(big);
    memset(data, 'x', big);
    struct msg *m = msg_new(MSG_EXEC, 20, 64);
    msg_add_str(m, TAG_ARGV, "cat");
    msg_add_str(m, TAG_STDIN, "hello stdin");
    CHECK(request(a, m, &r) == 0 && r.out.len && strcmp((char *)r.out.data, "hello stdin") == 0, "cat gave '%s'",
          r.out.data);
    result_free(&r);
    m = msg_new(MSG_EXEC, 21, 64);
    msg_add_str(m, TAG_ARGV, "cat");
    CHECK(request(a, m, &r) == 0 && r.out.len == 0 && r.exit_code == 0, "cat without STDIN: exit %d, %zu bytes",
          r.exit_code, r.out.len);
    result_free(&r);
    m = shell(22, "wc -c");
    msg_add(m, TAG_STDIN, data, (uint32_t)big);
    CHECK(request(a, m, &r) == 0 && r.out.len && atol((char *)r.out.data) == (long)big, "wc -c gave '%s'",
          r.out.data);
out:
    free(data);
    result_free(&r);
}

static void t_env_and_cwd(struct agent *a)
{
    struct result r = {0};
    char want[PATH_MAX * 2 + 64];
    CHECK(request(a, put(30, "sub/keep", "", 0, 0), &r) == 0 && !r.error[0], "PUT: %s", r.message);
    result_free(&r);
    struct msg *m = shell(31, "echo \"$FOO|$HOME|$PATH|$LANG\"; pwd");
    msg_add_str(m, TAG_ENV, "FOO=bar=baz");
    msg_add_str(m, TAG_ENV, "PATH=/usr/bin:/bin");
    msg_add_str(m, TAG_CWD, "sub");
    CHECK(request(a, m, &r) == 0, "no EXIT");
    snprintf(want, sizeof want, "bar=baz|%s|/usr/bin:/bin|C.UTF-8\n%s/sub\n", a->work, a->work);
    CHECK(r.out.len && strcmp((char *)r.out.data, want) == 0, "got '%s', want '%s'", r.out.data, want);
    result_free(&r);
    m = shell(32, "pwd");
    msg_add_str(m, TAG_CWD, "/work/sub");
    snprintf(want, sizeof want, "%s/sub\n", a->work);
    CHECK(request(a, m, &r) == 0 && r.out.len && strcmp((char *)r.out.data, want) == 0, "CWD /work/sub: '%s'",
          r.out.data);
    result_free(&r);
    m = shell(33, "pwd");
    msg_add_str(m, TAG_CWD, "missing");
    CHECK(request(a, m, &r) == 0 && strcmp(r.error, "SPAWN") == 0 && strstr(r.message, "missing"),
          "bad CWD: %s %s", r.error, r.message);
out:
    result_free(&r);
}

static void t_sandbox_user(struct agent *a)
{
    struct result r = {0};
    char want[100];
    if (!as_root) {
        printf("    SKIP: not root, so the agent cannot switch commands to uid %d\n", SANDBOX_ID);
        failures_in_test = -1;
        return;
    }
    CHECK(request(a, shell(40, "id -u; id -g; id -G"), &r) == 0, "no EXIT");
    snprintf(want, sizeof want, "%d\n%d\n%d\n", SANDBOX_ID, SANDBOX_ID, SANDBOX_ID);
    CHECK(r.out.len && strcmp((char *)r.out.data, want) == 0, "got '%s', want '%s'", r.out.data, want);
out:
    result_free(&r);
}

static void t_no_new_privs_own_session(struct agent *a)
{
    struct result r = {0};
    char want[100];
    CHECK(request(a, shell(41, "grep NoNewPrivs /proc/self/status; echo $(cut -d' ' -f6 /proc/$$/stat) $$"), &r) == 0,
          "no EXIT");
    snprintf(want, sizeof want, "NoNewPrivs:\t1\n%u %u\n", r.pid, r.pid);
    CHECK(r.out.len && strcmp((char *)r.out.data, want) == 0, "got '%s', want '%s' (session id = pid)", r.out.data,
          want);
out:
    result_free(&r);
}

/* The driver hands the agent a stray fd without CLOEXEC (besides the channel on fd 3): commands
 * must see neither. It lists the fds of a background child, which has the shell's fds but none of
 * the pipe fds the shell holds for a moment while it sets up the `ls | tr` pipeline. */
static void t_no_fd_leaks(struct agent *a)
{
    struct result r = {0};
    /* The shell's own fds, as the agent handed them over. Not a child's: a starting program briefly holds fd 3
     * (the dynamic loader's files), and a pipeline's shell holds the pipe. "; true" keeps ls a child. */
    CHECK(request(a, shell(45, "ls /proc/$$/fd; true"), &r) == 0, "no EXIT");
    CHECK(r.out.len && strcmp((char *)r.out.data, "0\n1\n2\n") == 0, "the command has fds '%s'", r.out.data);
out:
    result_free(&r);
}

static void t_put_get_roundtrip(struct agent *a)
{
    struct result r = {0};
    char path[PATH_MAX + 20];
    struct stat st;
    struct msg *m = put(50, "hello.txt", "content", 7, 0);
    msg_add_u32(m, TAG_MODE, 0600);
    CHECK(request(a, m, &r) == 0 && !r.error[0] && r.size == 7, "PUT: %s %s size %llu", r.error, r.message,
          (unsigned long long)r.size);
    result_free(&r);
    snprintf(path, sizeof path, "%s/hello.txt", a->work);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);
    CHECK(!as_root || (st.st_uid == SANDBOX_ID && st.st_gid == SANDBOX_ID), "owner %d:%d", st.st_uid, st.st_gid);
    CHECK(request(a, get(51, "/work/hello.txt"), &r) == 0 && !r.error[0], "GET: %s %s", r.error, r.message);
    CHECK(r.file.len == 7 && memcmp(r.file.data, "content", 7) == 0 && r.size == 7, "GET gave %zu bytes, SIZE %llu",
          r.file.len, (unsigned long long)r.size);
    result_free(&r);
    CHECK(request(a, get(52, "nope.txt"), &r) == 0 && strcmp(r.error, "NOT_FOUND") == 0, "missing file: %s",
          r.error);
out:
    result_free(&r);
}

static void t_put_get_large(struct agent *a)
{
    struct result r = {0};
    const size_t size = 3500000, chunk = 1000000;
    uint8_t *data = malloc(size);
    char path[PATH_MAX + 40];
    struct stat st;
    uint32_t x = 12345;
    for (size_t i = 0; i < size; i++)
        data[i] = (uint8_t)((x = x * 1103515245 + 12345) >> 16);
    for (size_t off = 0; off < size; off += chunk) {
        uint32_t n = (uint32_t)(size - off < chunk ? size - off : chunk);
        CHECK(request(a, put(60 + (uint32_t)(off / chunk), "deep/er/big.bin", data + off, n, off), &r) == 0 &&
                  !r.error[0] && r.size == off + n, "PUT at %zu: %s %s", off, r.error, r.message);
        result_free(&r);
    }
    snprintf(path, sizeof path, "%s/deep/er", a->work);
    CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "parent dirs not created");
    CHECK(!as_root || st.st_uid == SANDBOX_ID, "created dir owned by %d", st.st_uid);
    CHECK(request(a, get(70, "deep/er/big.bin"), &r) == 0 && !r.error[0], "GET: %s %s", r.error, r.message);
    CHECK(r.file.len == size && memcmp(r.file.data, data, size) == 0 && r.size == size, "GET gave %zu bytes",
          r.file.len);
    CHECK(r.file_chunks >= 14 && r.max_chunk <= FILE_CHUNK, "%d chunks, largest %zu", r.file_chunks, r.max_chunk);
out:
    free(data);
    result_free(&r);
}

static void t_path_escapes(struct agent *a)
{
    struct result r = {0};
    char path[PATH_MAX + 20];
    snprintf(path, sizeof path, "%s/abs", a->work);
    CHECK(symlink("/etc", path) == 0, "symlink");
    snprintf(path, sizeof path, "%s/up", a->work);
    CHECK(symlink("..", path) == 0, "symlink");
    static const char *const gets[] = {"../etc/passwd", "/etc/passwd", "abs/passwd", "up/up/etc/passwd",
                                       "/work/../etc/passwd"};
    for (size_t i = 0; i < sizeof gets / sizeof gets[0]; i++) {
        CHECK(request(a, get(80 + (uint32_t)i, gets[i]), &r) == 0 && strcmp(r.error, "PATH_ESCAPES") == 0 &&
                  r.file.len == 0, "GET %s: '%s' with %zu bytes", gets[i], r.error, r.file.len);
        result_free(&r);
    }
    static const char *const puts_[] = {"../escaped", "/tmp/escaped", "up/escaped", "abs/escaped", "x/../../escaped"};
    for (size_t i = 0; i < sizeof puts_ / sizeof puts_[0]; i++) {
        CHECK(request(a, put(90 + (uint32_t)i, puts_[i], "x", 1, 0), &r) == 0 && strcmp(r.error, "PATH_ESCAPES") == 0,
              "PUT %s: '%s'", puts_[i], r.error);
        result_free(&r);
    }
    snprintf(path, sizeof path, "%s/../escaped", a->work);
    CHECK(access(path, F_OK) < 0 && access("/tmp/escaped", F_OK) < 0 && access("/etc/escaped", F_OK) < 0,
          "a file escaped the work dir");
    /* Symlinks that stay inside are fine. */
    snprintf(path, sizeof path, "%s/in", a->work);
    CHECK(symlink("sub", path) == 0, "symlink");
    CHECK(request(a, put(96, "sub/f", "ok", 2, 0), &r) == 0 && !r.error[0], "PUT sub/f: %s", r.message);
    result_free(&r);
    CHECK(request(a, get(97, "in/f"), &r) == 0 && r.file.len == 2, "GET via inside symlink: %s", r.error);
out:
    result_free(&r);
}

static void t_special_files(struct agent *a)
{
    struct result r = {0};
    char path[PATH_MAX + 20];
    snprintf(path, sizeof path, "%s/fifo", a->work);
    CHECK(mkfifo(path, 0666) == 0, "mkfifo");
    CHECK(request(a, put(98, "fifo", "x", 1, 0), &r) == 0 && strcmp(r.error, "IO") == 0, "PUT to a FIFO: '%s'",
          r.error);
    result_free(&r);
    CHECK(request(a, get(99, "fifo"), &r) == 0 && strcmp(r.error, "IO") == 0, "GET a FIFO: '%s'", r.error);
    result_free(&r);
    CHECK(request(a, get(100, "/work"), &r) == 0 && strcmp(r.error, "IO") == 0, "GET a dir: '%s'", r.error);
out:
    result_free(&r);
}

/* A raw frame: length as given, whatever the bytes that follow. */
static int send_raw(struct agent *a, uint32_t length, uint8_t type, uint32_t id, const void *payload, size_t n)
{
    uint8_t head[FRAME_HEADER];
    put_be32(head, length);
    head[4] = type;
    put_be32(head + 5, id);
    return write_all(a->fd, head, sizeof head) == 0 && write_all(a->fd, payload, n) == 0 ? 0 : -1;
}

static void t_malformed_frames(struct agent *a)
{
    struct result r = {0};
    r.id = 200;
    CHECK(send_raw(a, 5, 0x7f, 200, "", 0) == 0 && collect(a, &r, 1, RECV_TIMEOUT_MS) == 0 &&
              strcmp(r.error, "UNKNOWN_TYPE") == 0, "garbage type: '%s'", r.error);
    result_free(&r);
    /* A field that claims 100 bytes where 3 follow. */
    uint8_t bad[] = {TAG_SHELL, 0, 0, 0, 100, 'a', 'b', 'c'};
    r.id = 201;
    CHECK(send_raw(a, 5 + sizeof bad, MSG_EXEC, 201, bad, sizeof bad) == 0 && collect(a, &r, 1, RECV_TIMEOUT_MS) == 0 &&
              strcmp(r.error, "BAD_FRAME") == 0, "truncated field: '%s'", r.error);
    result_free(&r);
    struct msg *m = msg_new(MSG_EXEC, 202, 16);
    msg_add(m, TAG_TIMEOUT_MS, "\1\2", 2);
    msg_add_str(m, TAG_SHELL, "true");
    CHECK(request(a, m, &r) == 0 && strcmp(r.error, "BAD_FRAME") == 0, "2-byte TIMEOUT_MS: '%s'", r.error);
    result_free(&r);
    CHECK(request(a, msg_new(MSG_EXEC, 203, 0), &r) == 0 && strcmp(r.error, "MISSING_FIELD") == 0,
          "EXEC without a command: '%s'", r.error);
    result_free(&r);
    CHECK(request(a, msg_new(MSG_KILL, 204, 0), &r) == 0 && strcmp(r.error, "MISSING_FIELD") == 0,
          "KILL without TARGET: '%s'", r.error);
    result_free(&r);
    m = shell(205, "true");
    msg_add_str(m, TAG_ENV, "NOEQUALS");
    CHECK(request(a, m, &r) == 0 && strcmp(r.error, "BAD_REQUEST") == 0, "ENV without '=': '%s'", r.error);
    result_free(&r);
    m = msg_new(MSG_EXEC, 206, 16);
    msg_add(m, TAG_ARGV, "ec\0ho", 5);
    CHECK(request(a, m, &r) == 0 && strcmp(r.error, "BAD_REQUEST") == 0, "NUL in ARGV: '%s'", r.error);
    result_free(&r);
    CHECK(ping_ok(a, 207), "no PONG after malformed frames");
out:
    result_free(&r);
}

static void t_oversized_frame(struct agent *a)
{
    struct result r = {0};
    size_t n = 2u << 20;
    uint8_t *junk = calloc(1, n);
    r.id = 300;
    CHECK(send_raw(a, (uint32_t)(5 + n), MSG_PUT_FILE, 300, junk, n) == 0, "send");
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0 && strcmp(r.error, "FRAME_TOO_LARGE") == 0, "got '%s'", r.error);
    result_free(&r);
    /* A length too small to hold type and id: 3 bytes are dropped and the stream goes on. */
    uint8_t tiny[] = {0, 0, 0, 3, 1, 2, 3};
    r.id = 0;
    CHECK(write_all(a->fd, tiny, sizeof tiny) == 0 && collect(a, &r, 1, RECV_TIMEOUT_MS) == 0 &&
              strcmp(r.error, "BAD_FRAME") == 0, "short length: '%s'", r.error);
    CHECK(ping_ok(a, 301), "no PONG after an oversized frame");
out:
    free(junk);
    result_free(&r);
}

static void t_kill(struct agent *a)
{
    /* Two sleeps and two KILLs (default SIGKILL, then SIGTERM): answers in any order. */
    struct result all[4] = {{.id = 400}, {.id = 401}, {.id = 402}, {.id = 403}};
    struct result k = {0};
    CHECK(send_msg(a, shell(400, "sleep 1000")) == 0 && send_msg(a, shell(401, "sleep 1000")) == 0, "send");
    usleep(100000);
    struct msg *m = msg_new(MSG_KILL, 402, 16);
    msg_add_u32(m, TAG_TARGET, 400);
    CHECK(send_msg(a, m) == 0, "send");
    m = msg_new(MSG_KILL, 403, 16);
    msg_add_u32(m, TAG_TARGET, 401);
    msg_add_u32(m, TAG_SIGNAL, 15);
    CHECK(send_msg(a, m) == 0, "send");
    CHECK(collect(a, all, 4, RECV_TIMEOUT_MS) == 0, "not every answer came");
    CHECK(!all[2].error[0] && !all[3].error[0], "KILL answered '%s' '%s'", all[2].error, all[3].error);
    CHECK(all[0].signal == 9 && all[0].timed_out == 0, "KILL: signal %d timed_out %d", all[0].signal,
          all[0].timed_out);
    CHECK(all[1].signal == 15, "KILL with SIGNAL 15: signal %d", all[1].signal);
    m = msg_new(MSG_KILL, 404, 16);
    msg_add_u32(m, TAG_TARGET, 400);
    CHECK(request(a, m, &k) == 0 && strcmp(k.error, "NO_SUCH_EXEC") == 0, "KILL of a finished exec: '%s'", k.error);
out:
    for (int i = 0; i < 4; i++)
        result_free(&all[i]);
    result_free(&k);
}

static void t_leftover_processes(struct agent *a)
{
    struct result r = {0};
    uint64_t start = now_ms();
    CHECK(request(a, shell(500, "sleep 1000 & echo $!"), &r) == 0, "no EXIT");
    uint64_t took = now_ms() - start;
    CHECK(took < 2000, "EXIT took %llu ms while a background process held the pipes", (unsigned long long)took);
    CHECK(r.exit_code == 0 && r.out.len, "exit %d", r.exit_code);
    pid_t bg = (pid_t)atol((char *)r.out.data);
    CHECK(bg > 0 && process_gone(bg, 1000), "background sleep %d survived", (int)bg);
out:
    result_free(&r);
}

static void t_shutdown(struct agent *a)
{
    struct result r = {0}, s = {0};
    r.id = 600;
    CHECK(send_msg(a, shell(600, "sleep 1000")) == 0, "send");
    struct frame f;
    CHECK(recv_frame(a, &f, RECV_TIMEOUT_MS) == 0 && f.type == MSG_STARTED, "no STARTED");
    pid_t pid = (pid_t)fu32(&f, TAG_PID);
    free_frame(&f);
    CHECK(request(a, msg_new(MSG_SHUTDOWN, 601, 0), &s) == 0 && s.size == ~0ull && !s.error[0], "SHUTDOWN: '%s'",
          s.error);
    int status = wait_agent(a, 3000);
    CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "agent status %d", status);
    a->pid = -1;
    CHECK(process_gone(pid, 1000), "command %d survived SHUTDOWN", (int)pid);
out:
    result_free(&r);
    result_free(&s);
}

static void t_host_disconnect(struct agent *a)
{
    struct frame f = {0};
    CHECK(send_msg(a, shell(700, "sleep 1000")) == 0, "send");
    CHECK(recv_frame(a, &f, RECV_TIMEOUT_MS) == 0 && f.type == MSG_STARTED, "no STARTED");
    pid_t pid = (pid_t)fu32(&f, TAG_PID);
    close(a->fd);
    a->fd = -1;
    int status = wait_agent(a, 3000);
    a->pid = -1;
    CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "agent status %d after EOF", status);
    CHECK(process_gone(pid, 1000), "command %d survived the agent", (int)pid);
out:
    free_frame(&f);
}

/* Socket mode: a host leaves mid-frame, the next one gets a clean stream and no stale frames. */
static void t_reconnect(struct agent *a)
{
    struct result r = {0};
    uint8_t half[] = {0, 0, 0, 5, MSG_PING}; /* the id never comes */
    CHECK(send_msg(a, shell(800, "sleep 1; echo late")) == 0, "send");
    CHECK(write_all(a->fd, half, sizeof half) == 0, "send");
    close(a->fd);
    CHECK(connect_agent(a) >= 0, "reconnect");
    CHECK(skip_hello(a) == 0, "no HELLO on the new connection");
    usleep(1500000); /* the first host's command finishes meanwhile */
    CHECK(request(a, msg_new(MSG_PING, 801, 0), &r) == 0 && !r.error[0], "PING: '%s'", r.error);
    CHECK(!r.unexpected, "%d frames meant for the old host", r.unexpected);
out:
    result_free(&r);
}

/* Socket mode: the host leaves and, after `gap_ms`, a new one connects (past its HELLO). */
static int new_host(struct agent *a, int gap_ms)
{
    close(a->fd);
    a->fd = -1;
    usleep((useconds_t)gap_ms * 1000);
    return connect_agent(a) >= 0 && skip_hello(a) == 0 ? 0 : -1;
}

/* Sends ATTACH and reads its answer, which comes before any frame of the command: the MAX_OUTPUT of
 * the OK, or 0 with the error code (or what came instead) in `code`. */
static uint32_t attach(struct agent *a, uint32_t id, uint32_t target, char *code, size_t size)
{
    struct msg *m = msg_new(MSG_ATTACH, id, 16);
    msg_add_u32(m, TAG_TARGET, target);
    struct frame f;
    uint32_t max_output = 0;
    snprintf(code, size, "no answer");
    if (send_msg(a, m) < 0 || recv_frame(a, &f, RECV_TIMEOUT_MS) < 0)
        return 0;
    if (f.id == id && f.type == MSG_OK)
        max_output = fu32(&f, TAG_MAX_OUTPUT);
    else if (f.id == id && f.type == MSG_ERROR)
        fstr(&f, TAG_CODE, code, size);
    else
        snprintf(code, size, "type 0x%x id %u", f.type, f.id);
    free_frame(&f);
    return max_output;
}

static int recv_started(struct agent *a, uint32_t id)
{
    struct frame f;
    if (recv_frame(a, &f, RECV_TIMEOUT_MS) < 0)
        return 0;
    int ok = f.type == MSG_STARTED && f.id == id;
    free_frame(&f);
    return ok;
}

/* The host leaves mid-command; a new host attaches and gets the rest and the EXIT, once. */
static void t_attach_mid_exec(struct agent *a)
{
    struct result r = {.id = 900};
    struct frame f = {0};
    char code[32];
    CHECK(send_msg(a, shell(900, "echo a; sleep 1; echo b; exit 3")) == 0, "send");
    while (r.out.len < 2 && recv_frame(a, &f, RECV_TIMEOUT_MS) == 0) {
        apply(&r, &f);
        free_frame(&f);
    }
    CHECK(r.out.len == 2 && memcmp(r.out.data, "a\n", 2) == 0 && !r.done, "before leaving: '%s'", r.out.data);
    result_free(&r);
    CHECK(new_host(a, 0) == 0, "reconnect");
    CHECK(request(a, shell(900, "true"), &r) == 0 && strcmp(r.error, "BAD_REQUEST") == 0,
          "EXEC with the id of the detached command: '%s'", r.error);
    result_free(&r);
    CHECK(attach(a, 901, 900, code, sizeof code) == DEFAULT_MAX_OUTPUT, "ATTACH: %s", code);
    r.id = 900;
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0, "no EXIT after ATTACH");
    CHECK(r.out.len == 2 && memcmp(r.out.data, "b\n", 2) == 0, "after ATTACH: '%s'", r.out.data);
    CHECK(r.exit_code == 3 && !r.unexpected && !r.error[0], "exit %d, %d unexpected frames, error '%s'", r.exit_code,
          r.unexpected, r.error);
    CHECK(attach(a, 902, 900, code, sizeof code) == 0 && strcmp(code, "NO_SUCH_EXEC") == 0,
          "ATTACH after its EXIT was delivered: %s", code);
out:
    result_free(&r);
}

/* Output while no host is there waits for the next one, stdout and stderr apart. */
static void t_attach_output_while_detached(struct agent *a)
{
    struct result r = {.id = 910};
    char code[32];
    CHECK(send_msg(a, shell(910, "sleep 0.5; echo one; echo two >&2; sleep 0.5; echo three")) == 0, "send");
    CHECK(recv_started(a, 910), "no STARTED");
    CHECK(new_host(a, 800) == 0, "reconnect");
    CHECK(attach(a, 911, 910, code, sizeof code) == DEFAULT_MAX_OUTPUT, "ATTACH: %s", code);
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0, "no EXIT after ATTACH");
    CHECK(r.out.len && strcmp((char *)r.out.data, "one\nthree\n") == 0, "stdout '%s'", r.out.data);
    CHECK(r.err.len && strcmp((char *)r.err.data, "two\n") == 0, "stderr '%s'", r.err.data);
    CHECK(r.exit_code == 0 && !r.unexpected, "exit %d, %d unexpected frames", r.exit_code, r.unexpected);
out:
    result_free(&r);
}

/* A command that ended with no host attached keeps its output and EXIT for the next one. */
static void t_attach_after_exit(struct agent *a)
{
    struct result r = {.id = 920}, k = {0};
    char code[32];
    CHECK(send_msg(a, shell(920, "sleep 0.3; echo done; exit 7")) == 0, "send");
    CHECK(recv_started(a, 920), "no STARTED");
    CHECK(new_host(a, 1000) == 0, "reconnect");
    struct msg *m = msg_new(MSG_KILL, 921, 16);
    msg_add_u32(m, TAG_TARGET, 920);
    CHECK(request(a, m, &k) == 0 && strcmp(k.error, "NO_SUCH_EXEC") == 0, "KILL of the ended command: '%s'", k.error);
    CHECK(attach(a, 922, 920, code, sizeof code) == DEFAULT_MAX_OUTPUT, "ATTACH: %s", code);
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0, "no EXIT after ATTACH");
    CHECK(r.out.len && strcmp((char *)r.out.data, "done\n") == 0, "stdout '%s'", r.out.data);
    CHECK(r.exit_code == 7 && r.duration_ms >= 300 && r.duration_ms < 1000, "exit %d after %u ms", r.exit_code,
          r.duration_ms);
out:
    result_free(&r);
    result_free(&k);
}

/* KILL reaches a command no host is attached to. */
static void t_kill_detached(struct agent *a)
{
    struct result r = {.id = 930}, k = {0};
    char code[32];
    CHECK(send_msg(a, shell(930, "sleep 1000")) == 0, "send");
    CHECK(recv_started(a, 930), "no STARTED");
    CHECK(new_host(a, 0) == 0, "reconnect");
    struct msg *m = msg_new(MSG_KILL, 931, 16);
    msg_add_u32(m, TAG_TARGET, 930);
    CHECK(request(a, m, &k) == 0 && !k.error[0], "KILL: '%s'", k.error);
    CHECK(attach(a, 932, 930, code, sizeof code) == DEFAULT_MAX_OUTPUT, "ATTACH: %s", code);
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0 && r.signal == 9, "EXIT: signal %d", r.signal);
out:
    result_free(&r);
    result_free(&k);
}

static void t_attach_refused(struct agent *a)
{
    struct result r = {0};
    char code[32];
    CHECK(attach(a, 940, 12345, code, sizeof code) == 0 && strcmp(code, "NO_SUCH_EXEC") == 0,
          "ATTACH to an id never used: %s", code);
    CHECK(request(a, msg_new(MSG_ATTACH, 941, 0), &r) == 0 && strcmp(r.error, "MISSING_FIELD") == 0,
          "ATTACH without TARGET: '%s'", r.error);
    result_free(&r);
    CHECK(send_msg(a, shell(942, "sleep 1000")) == 0 && recv_started(a, 942), "no STARTED");
    CHECK(attach(a, 943, 942, code, sizeof code) == 0 && strcmp(code, "BAD_REQUEST") == 0,
          "ATTACH to a command of this host: %s", code);
out:
    result_free(&r);
}

/* A detached command that writes more than the agent holds blocks on its pipe; nothing is lost. */
static void t_detached_output_bounded(struct agent *a)
{
    struct result r = {.id = 950};
    char code[32];
    struct msg *m = shell(950, "sleep 0.3; head -c 20000000 /dev/zero");
    msg_add_u32(m, TAG_MAX_OUTPUT, 32 << 20);
    long before = agent_mem_baseline_kb(a);
    CHECK(send_msg(a, m) == 0, "send");
    CHECK(recv_started(a, 950), "no STARTED");
    CHECK(new_host(a, 1500) == 0, "reconnect");
    long rss = agent_mem_kb(a, "VmRSS");
    CHECK(before > 0 && rss > 0 && rss - before < HELD_HIGH / 1024 + SLACK_KB,
          "agent RSS grew from %ld to %ld kB while holding output for no host", before, rss);
    CHECK(attach(a, 951, 950, code, sizeof code) == 32 << 20, "ATTACH: %s", code);
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0, "no EXIT");
    CHECK(r.out.len == 20000000 && r.out_truncated == 0, "got %zu bytes, truncated %d", r.out.len, r.out_truncated);
    CHECK(r.exit_code == 0, "exit %d", r.exit_code);
out:
    result_free(&r);
}

static long read_long(const char *path)
{
    FILE *f = fopen(path, "r");
    long v = -1;
    if (f && fscanf(f, "%ld", &v) != 1)
        v = -1;
    if (f)
        fclose(f);
    return v;
}

/* Output queued for a host that left without reading it goes to the next host: only what the old
 * connection itself had taken (its socket buffer) is lost, and the rest follows without a gap. */
static void t_attach_queued_output(struct agent *a)
{
    struct result r = {.id = 960};
    struct buf want = {0};
    char code[32], line[16];
    for (int i = 1; i <= 1000000; i++)
        buf_add(&want, (const uint8_t *)line, (size_t)snprintf(line, sizeof line, "%d\n", i));
    long sndbuf = read_long("/proc/sys/net/core/wmem_default");
    struct msg *m = shell(960, "seq 1 1000000");
    msg_add_u32(m, TAG_MAX_OUTPUT, 32 << 20);
    CHECK(send_msg(a, m) == 0, "send");
    usleep(1000000); /* the host reads nothing: the socket and then the agent's queue fill up */
    CHECK(new_host(a, 0) == 0, "reconnect");
    CHECK(attach(a, 961, 960, code, sizeof code) == 32 << 20, "ATTACH: %s", code);
    CHECK(collect(a, &r, 1, RECV_TIMEOUT_MS) == 0 && r.exit_code == 0, "EXIT: %d", r.exit_code);
    size_t lost = want.len - r.out.len;
    CHECK(r.out.len <= want.len && memcmp(r.out.data, want.data + lost, r.out.len) == 0,
          "%zu bytes came, not the end of the output", r.out.len);
    CHECK(sndbuf > 0 && lost <= (size_t)sndbuf, "%zu bytes lost, more than the old socket held (%ld)", lost, sndbuf);
out:
    free(want.data);
    result_free(&r);
}

static struct msg *identity(uint32_t id, size_t entropy, const char *hostname, const char *vm_id)
{
    uint8_t seed[600];
    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (uint8_t)(i * 7 + id);
    struct msg *m = msg_new(MSG_IDENTITY, id, 700);
    if (entropy)
        msg_add(m, TAG_ENTROPY, seed, (uint32_t)entropy);
    msg_add_u64(m, TAG_TIME_NS, 1700000000ull * 1000000000ull);
    msg_add_str(m, TAG_HOSTNAME, hostname);
    msg_add_str(m, TAG_VM_ID, vm_id);
    return m;
}

/* What a command sees as ERA_VM_ID, in brackets; "" when the command failed. */
static const char *vm_id_seen(struct agent *a, uint32_t id, char *out, size_t size)
{
    struct result r = {0};
    out[0] = 0;
    if (request(a, shell(id, "echo \"[$ERA_VM_ID]\""), &r) == 0 && r.exit_code == 0 && r.out.len)
        snprintf(out, size, "%.*s", (int)r.out.len, (const char *)r.out.data);
    result_free(&r);
    return out;
}

/* IDENTITY is checked whole before anything changes; once taken, commands see the VM id. (Host mode
 * leaves the host's entropy, clock and hostname alone: the VM ITs check those in a guest.) */
static void t_identity(struct agent *a)
{
    static const struct {
        size_t entropy;
        const char *hostname, *vm_id, *error;
    } refused[] = {
        {0, "vm-a", "ns/a", "MISSING_FIELD"}, {16, "vm-a", "ns/a", "BAD_REQUEST"},
        {600, "vm-a", "ns/a", "BAD_REQUEST"}, {32, "vm a", "ns/a", "BAD_REQUEST"},
        {32, "vm-a", "", "BAD_REQUEST"},
    };
    struct result r = {0};
    char seen[64];
    CHECK(strcmp(vm_id_seen(a, 40, seen, sizeof seen), "[]\n") == 0, "before IDENTITY: '%s'", seen);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        CHECK(request(a, identity(41 + (uint32_t)i, refused[i].entropy, refused[i].hostname, refused[i].vm_id), &r) == 0 &&
                  strcmp(r.error, refused[i].error) == 0,
              "IDENTITY #%zu answered '%s', not %s", i, r.error, refused[i].error);
        result_free(&r);
    }
    CHECK(strcmp(vm_id_seen(a, 50, seen, sizeof seen), "[]\n") == 0, "after refused IDENTITYs: '%s'", seen);
    CHECK(request(a, identity(51, 64, "vm-a", "ns/a"), &r) == 0 && r.done && !r.error[0], "IDENTITY: %s %s", r.error,
          r.message);
    result_free(&r);
    CHECK(request(a, identity(52, 32, "vm-b.example", "ns/b"), &r) == 0 && r.done && !r.error[0],
          "second IDENTITY: %s %s", r.error, r.message);
    CHECK(strcmp(vm_id_seen(a, 53, seen, sizeof seen), "[ns/b]\n") == 0, "after IDENTITY: '%s'", seen);
out:
    result_free(&r);
}

struct test {
    const char *name;
    void (*fn)(struct agent *);
    int socket_mode;
};

static const struct test tests[] = {
    {"hello and ping", t_hello_and_ping, 0},
    {"exec argv", t_exec_argv, 0},
    {"exec shell, stdout and stderr apart", t_exec_shell_streams, 0},
    {"exit codes", t_exit_codes, 0},
    {"exit by signal", t_exit_by_signal, 0},
    {"timeout kills the group", t_timeout, 0},
    {"output cut at MAX_OUTPUT", t_output_truncated, 0},
    {"slow host: memory stays bounded", t_slow_host_bounded, 0},
    {"several execs at once", t_concurrent, 0},
    {"stdin", t_stdin, 0},
    {"env and cwd", t_env_and_cwd, 0},
    {"commands run as uid/gid 65532, no groups", t_sandbox_user, 0},
    {"no_new_privs and own session", t_no_new_privs_own_session, 0},
    {"commands inherit no stray fds", t_no_fd_leaks, 0},
    {"put/get round trip", t_put_get_roundtrip, 0},
    {"put/get larger than a frame", t_put_get_large, 0},
    {"path escapes rejected", t_path_escapes, 0},
    {"special files rejected", t_special_files, 0},
    {"malformed frames", t_malformed_frames, 0},
    {"oversized frame", t_oversized_frame, 0},
    {"kill", t_kill, 0},
    {"processes left behind", t_leftover_processes, 0},
    {"identity", t_identity, 0},
    {"shutdown", t_shutdown, 0},
    {"host disconnect ends host mode", t_host_disconnect, 0},
    {"reconnect", t_reconnect, 1},
    {"attach: the rest of a command after a reconnect", t_attach_mid_exec, 1},
    {"attach: output while no host was there", t_attach_output_while_detached, 1},
    {"attach: a command that ended while detached", t_attach_after_exit, 1},
    {"kill reaches a detached command", t_kill_detached, 1},
    {"attach refused", t_attach_refused, 0},
    {"detached output bounded, nothing lost", t_detached_output_bounded, 1},
    {"output queued for a host that left goes to the next", t_attach_queued_output, 1},
};

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: %s /absolute/path/to/era-agent\n", argv[0]);
        return 2;
    }
    agent_bin = argv[1];
    as_root = geteuid() == 0;
    signal(SIGPIPE, SIG_IGN);
    int passed = 0, failed = 0, skipped = 0;
    uint64_t start = now_ms();
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        struct agent a;
        uint64_t t0 = now_ms();
        failures_in_test = 0;
        if (tests[i].socket_mode) {
            start_agent_socket(&a);
            if (connect_agent(&a) < 0)
                failures_in_test++;
        } else {
            start_agent(&a);
        }
        if (!failures_in_test && skip_hello(&a) < 0) {
            printf("    no HELLO from the agent\n");
            failures_in_test++;
        }
        if (!failures_in_test)
            tests[i].fn(&a);
        if (a.pid > 0) {
            int status = stop_agent(&a);
            if (failures_in_test >= 0 && !(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                printf("    the agent did not exit cleanly (status %d)\n", status);
                failures_in_test++;
            }
        } else {
            if (a.fd >= 0)
                close(a.fd);
            nftw(a.work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        }
        const char *verdict = failures_in_test < 0 ? "SKIP" : failures_in_test ? "FAIL" : "ok";
        printf("%-4s %s (%llu ms)\n", verdict, tests[i].name, (unsigned long long)(now_ms() - t0));
        fflush(stdout);
        if (failures_in_test < 0)
            skipped++;
        else if (failures_in_test)
            failed++;
        else
            passed++;
    }
    printf("took %.1f s\n", (double)(now_ms() - start) / 1000);
    printf("agent: %d passed, %d failed", passed, failed);
    if (skipped)
        printf(", %d skipped", skipped);
    printf("\n");
    return failed ? 1 : 0;
}
