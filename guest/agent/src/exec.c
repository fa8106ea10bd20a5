/* EXEC, KILL and ATTACH: commands as the sandbox user in their own session, with streamed, bounded
 * output that outlives the host's connection. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "util.h"

#define MAX_EXECS 64
#define MAX_KEPT 64        /* ended commands whose EXIT waits for a host to ATTACH */
#define KEEP_MS (10 * 60 * 1000)  /* how long an ended command waits for that */
#define DEFAULT_MAX_OUTPUT (1u << 20)
#define CGROUP_ROOT "/sys/fs/cgroup/era"
#define CGROUP_RETRY_MS 50
#define LINGER_MS 200   /* how long processes left behind may hold the output pipes after the command exits */

struct stream {
    struct exec *e;
    int fd;             /* read end of the command's stdout or stderr pipe, -1 once closed */
    uint8_t type;       /* MSG_STDOUT or MSG_STDERR */
    uint64_t kept;      /* bytes forwarded: sent to the host or held for it */
    int truncated;
};

struct exec {
    struct exec *next;
    uint32_t id;
    pid_t pid;          /* also the process group: the command calls setsid() */
    struct stream out[2];
    uint32_t max_output;
    int in_fd;          /* write end of the stdin pipe, -1 once all of STDIN is written */
    uint8_t *in_data;
    size_t in_len, in_off;
    uint64_t started_at, deadline, exited_at;
    int status, exited, timed_out;
    int ended;          /* EXIT is built: queued for the host (the record goes once it is written) or held */
    int detached;       /* no host is attached: its frames are held for the next ATTACH */
    struct msg *held_head, *held_tail;
    char cgroup[48];    /* the command's cgroup, "" without one (host mode) or once removed */
};

/* ---- request parsing */

/* Every field with this tag as a NULL-terminated string array; NULL if the request failed. */
static char **req_strs(struct req *r, uint8_t tag, const char *name, size_t *count)
{
    struct field fl;
    uint32_t pos = 0;
    size_t n = 0;
    while (field_next(r->f, &pos, &fl) == 1)
        n += fl.tag == tag;
    char **v = xcalloc(n + 1, sizeof *v);
    pos = 0;
    n = 0;
    while (!r->failed && field_next(r->f, &pos, &fl) == 1) {
        if (fl.tag != tag)
            continue;
        if (memchr(fl.val, 0, fl.len)) {
            req_fail(r, "BAD_REQUEST", "%s #%zu contains a NUL byte", name, n + 1);
            break;
        }
        v[n++] = xstrndup((const char *)fl.val, fl.len);
    }
    *count = n;
    if (r->failed) {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return NULL;
    }
    return v;
}

static void free_strs(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* The default environment with the request's ENV entries on top (same name: replaced). */
static char **build_env(struct req *r, const char *home, const char *vm_id)
{
    size_t n;
    char **extra = req_strs(r, TAG_ENV, "ENV", &n);
    if (!extra)
        return NULL;
    char **env = xcalloc(n + 5, sizeof *env);
    size_t len = 0;
    env[len++] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    size_t hl = strlen(home) + 6;
    env[len] = xmalloc(hl);
    snprintf(env[len++], hl, "HOME=%s", home);
    env[len++] = xstrdup("LANG=C.UTF-8");
    if (vm_id) {
        size_t il = strlen(vm_id) + 11;
        env[len] = xmalloc(il);
        snprintf(env[len++], il, "ERA_VM_ID=%s", vm_id);
    }
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(extra[i], '=');
        if (!eq || eq == extra[i]) {
            req_fail(r, "BAD_REQUEST", "ENV entries look like NAME=value; got \"%.60s\"", extra[i]);
            break;
        }
        size_t k = 0;
        while (k < len && !(strncmp(env[k], extra[i], (size_t)(eq - extra[i]) + 1) == 0))
            k++;
        if (k < len)
            free(env[k]);
        else
            len++;
        env[k] = extra[i];
        extra[i] = NULL;
    }
    for (size_t i = 0; i < n; i++)
        free(extra[i]);
    free(extra);
    if (r->failed) {
        free_strs(env);
        return NULL;
    }
    return env;
}

/* CWD names the work dir as the guest does (/work/...); relative paths are relative to it. */
static char *resolve_cwd(struct agent *a, const char *cwd)
{
    const char *rest = NULL;
    size_t wl = strlen(GUEST_WORK_DIR);
    if (!cwd)
        rest = "";
    else if (cwd[0] != '/')
        rest = cwd;
    else if (strncmp(cwd, GUEST_WORK_DIR, wl) == 0 && (cwd[wl] == '/' || cwd[wl] == 0))
        rest = cwd + wl + (cwd[wl] == '/');
    if (!rest)
        return xstrdup(cwd);
    size_t n = strlen(a->work_path) + strlen(rest) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s%s%s", a->work_path, *rest ? "/" : "", rest);
    return p;
}

/* ---- spawning */

enum setup_stage { STAGE_STDIO, STAGE_CGROUP, STAGE_SESSION, STAGE_PRIVILEGES, STAGE_CWD };

struct setup_failure {
    int stage;
    int err;
};

/* In the child: never returns. Setup failures go back on report_fd; a program that cannot be run
 * exits 127 (not found) or 126 with a message on stderr, as a shell does. */
static void child(struct agent *a, const char *cgroup, char **argv, char **env, const char *cwd, int in_fd, int out_fd,
                  int err_fd, int report_fd)
{
    struct setup_failure fail = {STAGE_STDIO, 0};
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);

    if (in_fd < 0)
        in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in_fd < 0 || dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
        goto failed;
    /* Nothing else reaches the command, not even fds the agent inherited (host mode); report_fd
     * stays usable until the exec. */
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        goto failed;
    /* Joined while still root: everything the command starts stays in its cgroup, out of reach of setsid(). */
    fail.stage = STAGE_CGROUP;
    if (*cgroup && write_file_at(cgroup, "cgroup.procs", "0") < 0)
        goto failed;
    fail.stage = STAGE_SESSION;
    if (setsid() < 0)
        goto failed;
    fail.stage = STAGE_PRIVILEGES;
    if (a->drop_privileges && (setgroups(0, NULL) < 0 || setgid(SANDBOX_ID) < 0 || setuid(SANDBOX_ID) < 0))
        goto failed;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        goto failed;
    fail.stage = STAGE_CWD;
    if (chdir(cwd) < 0)
        goto failed;
    environ = env;
    execvp(argv[0], argv);
    dprintf(2, "era-agent: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
failed:
    fail.err = errno;
    if (write(report_fd, &fail, sizeof fail) < 0)
        _exit(125);
    _exit(125);
}

static const char *stage_text(int stage)
{
    switch (stage) {
    case STAGE_STDIO: return "set up standard input and output";
    case STAGE_CGROUP: return "join the command's cgroup";
    case STAGE_SESSION: return "start a new session";
    case STAGE_PRIVILEGES: return "drop privileges to the sandbox user";
    default: return "change to the working directory";
    }
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Mounts cgroup2 and makes CGROUP_ROOT, under which each command gets a cgroup; -1 if the kernel cannot. */
int exec_cgroups_init(void)
{
    /* favordynmods (Linux 6.0): moving each command into its cgroup costs a slow RCU sync without it. */
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", flags, "favordynmods") < 0 && errno != EBUSY &&
        mount("cgroup2", "/sys/fs/cgroup", "cgroup2", flags, NULL) < 0 && errno != EBUSY) {
        log_err("mounting cgroup2: %s; commands run without their own cgroup", strerror(errno));
        return -1;
    }
    if (mkdir(CGROUP_ROOT, 0755) < 0 && errno != EEXIST) {
        log_err("creating %s: %s; commands run without their own cgroup", CGROUP_ROOT, strerror(errno));
        return -1;
    }
    return 0;
}

/* Ends every process of the command's cgroup, whatever session or group they moved to. */
static void cgroup_kill(struct exec *e)
{
    if (*e->cgroup && write_file_at(e->cgroup, "cgroup.kill", "1") < 0 && errno != ENOENT)
        log_err("killing %s: %s", e->cgroup, strerror(errno));
}

/* Removes the cgroup once its processes are reaped; 0 when there is none left. */
static int cgroup_remove(struct exec *e)
{
    if (*e->cgroup && rmdir(e->cgroup) == 0)
        *e->cgroup = 0;
    return *e->cgroup ? -1 : 0;
}

/* Forks the command; on success fills e->pid and the pipe ends and returns 0; else sends ERROR. */
static int spawn(struct agent *a, struct exec *e, char **argv, char **env, const char *cwd, int with_stdin)
{
    if (a->cgroups) {
        snprintf(e->cgroup, sizeof e->cgroup, "%s/exec-%u", CGROUP_ROOT, e->id);
        if (mkdir(e->cgroup, 0755) < 0) {
            chan_send_error(a, e->id, "SPAWN", "cannot create the cgroup %s: %s", e->cgroup, strerror(errno));
            *e->cgroup = 0;
            return -1;
        }
    }
    int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1}, report[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || (with_stdin && pipe2(in, O_CLOEXEC) < 0) ||
        pipe2(report, O_CLOEXEC) < 0) {
        chan_send_error(a, e->id, "SPAWN", "cannot create pipes: %s", strerror(errno));
        goto fail;
    }
    pid_t pid = fork();
    if (pid < 0) {
        chan_send_error(a, e->id, "SPAWN", "cannot fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0)
        child(a, e->cgroup, argv, env, cwd, in[0], out[1], err[1], report[1]);
    close_fd(&out[1]);
    close_fd(&err[1]);
    close_fd(&in[0]);
    close_fd(&report[1]);
    /* Blocks only until the child execs or fails its setup: a few milliseconds. */
    struct setup_failure fail;
    ssize_t n;
    do
        n = read(report[0], &fail, sizeof fail);
    while (n < 0 && errno == EINTR);
    close_fd(&report[0]);
    if (n == (ssize_t)sizeof fail) {
        waitpid(pid, NULL, 0);
        chan_send_error(a, e->id, "SPAWN", "cannot %s%s%s: %s", stage_text(fail.stage),
                        fail.stage == STAGE_CWD ? " " : "", fail.stage == STAGE_CWD ? cwd : "", strerror(fail.err));
        goto fail;
    }
    e->pid = pid;
    e->out[0].fd = out[0];
    e->out[1].fd = err[0];
    e->in_fd = in[1];
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    if (in[1] >= 0)
        fcntl(in[1], F_SETFL, O_NONBLOCK);
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        close_fd(&out[i]);
        close_fd(&err[i]);
        close_fd(&in[i]);
        close_fd(&report[i]);
    }
    cgroup_remove(e);
    return -1;
}

/* Any command the agent still knows: running, or ended but not yet reported to a host. */
static struct exec *find_exec(struct agent *a, uint32_t id)
{
    for (struct exec *e = a->execs; e; e = e->next)
        if (e->id == id)
            return e;
    return NULL;
}

/* What a held frame costs in memory: small chunks are mostly overhead. */
static size_t held_cost(const struct msg *m)
{
    return sizeof *m + m->cap;
}

static void hold(struct agent *a, struct exec *e, struct msg *m)
{
    m->next = NULL;
    m->sent = 0;
    if (e->held_tail)
        e->held_tail->next = m;
    else
        e->held_head = m;
    e->held_tail = m;
    a->held_bytes += held_cost(m);
}

/* A frame of this command: to the host when one is attached, else kept for the next. */
static void emit(struct agent *a, struct exec *e, struct msg *m)
{
    if (e->detached)
        hold(a, e, m);
    else
        chan_send(a, m);
}

/* ARGV as given, or /bin/sh -c SHELL; NULL after an error was sent. */
static char **command_argv(struct req *r)
{
    size_t argc = 0;
    char **argv = req_strs(r, TAG_ARGV, "ARGV", &argc);
    char *shell = req_str(r, TAG_SHELL, "SHELL", 0);
    if (!r->failed && argc > 0 && shell)
        req_fail(r, "BAD_REQUEST", "EXEC takes ARGV or SHELL, not both");
    else if (!r->failed && argc == 0 && !shell)
        req_fail(r, "MISSING_FIELD", "EXEC needs ARGV or SHELL");
    else if (!r->failed && argc > 0 && argv[0][0] == 0)
        req_fail(r, "BAD_REQUEST", "the program name (ARGV #1) is empty");
    if (r->failed || shell) {
        free_strs(argv);
        argv = NULL;
    }
    if (!r->failed && shell) {
        argv = xcalloc(4, sizeof *argv);
        argv[0] = xstrdup("/bin/sh");
        argv[1] = xstrdup("-c");
        argv[2] = shell;
        return argv;
    }
    free(shell);
    return argv;
}

static struct exec *exec_new(uint32_t id, uint32_t max_output)
{
    struct exec *e = xcalloc(1, sizeof *e);
    e->id = id;
    e->max_output = max_output;
    e->in_fd = -1;
    for (int i = 0; i < 2; i++) {
        e->out[i].e = e;
        e->out[i].fd = -1;
        e->out[i].type = i == 0 ? MSG_STDOUT : MSG_STDERR;
    }
    e->started_at = now_ms();
    return e;
}

static void launch(struct agent *a, const struct frame *f, char **argv, char **env, const char *cwd, uint32_t timeout,
                   uint32_t max_output)
{
    struct field in;
    int with_stdin = field_find(f, TAG_STDIN, &in);
    struct exec *e = exec_new(f->id, max_output);
    if (spawn(a, e, argv, env, cwd, with_stdin) < 0) {
        free(e);
        return;
    }
    if (timeout)
        e->deadline = e->started_at + timeout;
    if (with_stdin && in.len) {
        e->in_data = xmalloc(in.len);
        memcpy(e->in_data, in.val, in.len);
        e->in_len = in.len;
    } else {
        close_fd(&e->in_fd); /* empty STDIN: EOF at once */
    }
    e->next = a->execs;
    a->execs = e;
    struct msg *m = msg_new(MSG_STARTED, e->id, 9);
    msg_add_u32(m, TAG_PID, (uint32_t)e->pid);
    chan_send(a, m);
}

void exec_start(struct agent *a, const struct frame *f)
{
    struct req r = {a, f, 0};
    size_t count = 0;
    for (struct exec *e = a->execs; e; e = e->next)
        count += !e->ended;
    if (f->id == 0)
        req_fail(&r, "BAD_REQUEST", "EXEC needs a non-zero id");
    else if (find_exec(a, f->id))
        req_fail(&r, "BAD_REQUEST", "exec id %u belongs to a command the agent still knows; use a new id", f->id);
    else if (count >= MAX_EXECS)
        req_fail(&r, "TOO_MANY_EXECS", "%d commands are already running", MAX_EXECS);
    char **argv = r.failed ? NULL : command_argv(&r);
    char *cwd_field = req_str(&r, TAG_CWD, "CWD", 0);
    uint32_t timeout = req_u32(&r, TAG_TIMEOUT_MS, "TIMEOUT_MS", 0, 0);
    uint32_t max_output = req_u32(&r, TAG_MAX_OUTPUT, "MAX_OUTPUT", 0, DEFAULT_MAX_OUTPUT);
    char **env = r.failed ? NULL : build_env(&r, a->work_path, a->vm_id);
    char *cwd = r.failed ? NULL : resolve_cwd(a, cwd_field);
    if (!r.failed)
        launch(a, f, argv, env, cwd, timeout, max_output);
    free_strs(argv);
    free(cwd_field);
    free_strs(env);
    free(cwd);
}

void exec_kill(struct agent *a, const struct frame *f)
{
    struct req r = {a, f, 0};
    uint32_t target = req_u32(&r, TAG_TARGET, "TARGET", 1, 0);
    uint32_t sig = req_u32(&r, TAG_SIGNAL, "SIGNAL", 0, SIGKILL);
    if (r.failed)
        return;
    if (sig < 1 || sig > 64) {
        req_fail(&r, "BAD_REQUEST", "SIGNAL %u is not a signal number (1-64)", sig);
        return;
    }
    struct exec *e = find_exec(a, target);
    if (!e || e->exited) {
        req_fail(&r, "NO_SUCH_EXEC", "no command with id %u is running", target);
        return;
    }
    if (kill(-e->pid, (int)sig) < 0 && errno != ESRCH) {
        req_fail(&r, "IO", "cannot signal process group %d: %s", e->pid, strerror(errno));
        return;
    }
    chan_send(a, msg_new(MSG_OK, f->id, 0));
}

void exec_attach(struct agent *a, const struct frame *f)
{
    struct req r = {a, f, 0};
    uint32_t target = req_u32(&r, TAG_TARGET, "TARGET", 1, 0);
    if (r.failed)
        return;
    struct exec *e = find_exec(a, target);
    if (!e) {
        req_fail(&r, "NO_SUCH_EXEC", "no command with id %u is known: it never ran here, or it ended over %d min ago"
                 " with no host attached", target, KEEP_MS / 60000);
        return;
    }
    if (!e->detached) {
        req_fail(&r, "BAD_REQUEST", "command %u already reports to this host", target);
        return;
    }
    struct msg *ok = msg_new(MSG_OK, f->id, 9);
    msg_add_u32(ok, TAG_MAX_OUTPUT, e->max_output);
    chan_send(a, ok);
    e->detached = 0;
    while (e->held_head) {
        struct msg *m = e->held_head;
        e->held_head = m->next;
        a->held_bytes -= held_cost(m);
        chan_send(a, m);
    }
    e->held_tail = NULL;
}

/* ---- running */

/* Reads one chunk and forwards what MAX_OUTPUT allows: 1 = read data, 0 = would block, -1 = closed now. */
static int read_stream(struct agent *a, struct stream *s)
{
    struct exec *e = s->e;
    static uint8_t buf[OUTPUT_CHUNK];
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n <= 0) {
        close_fd(&s->fd);
        return -1;
    }
    uint64_t room = e->max_output - s->kept;
    size_t keep = (uint64_t)n < room ? (size_t)n : (size_t)room;
    if (keep) {
        struct msg *m = msg_new(s->type, e->id, keep + 5);
        msg_add(m, TAG_DATA, buf, (uint32_t)keep);
        emit(a, e, m);
        s->kept += keep;
    }
    if ((size_t)n > keep)
        s->truncated = 1;
    return 1;
}

static void on_output(struct agent *a, void *ctx, short revents)
{
    (void)revents;
    read_stream(a, ctx);
}

static void on_stdin(struct agent *a, void *ctx, short revents)
{
    (void)a;
    (void)revents;
    struct exec *e = ctx;
    ssize_t n = write(e->in_fd, e->in_data + e->in_off, e->in_len - e->in_off);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0)
        e->in_off += (size_t)n;
    /* Written out, or the command closed its stdin (EPIPE): either way, done. */
    if (n < 0 || e->in_off == e->in_len) {
        close_fd(&e->in_fd);
        free(e->in_data);
        e->in_data = NULL;
    }
}

void exec_watch(struct agent *a, struct watchset *s)
{
    for (struct exec *e = a->execs; e; e = e->next) {
        for (int i = 0; i < 2; i++) {
            struct stream *st = &e->out[i];
            /* Output that will be dropped anyway is read at once, so the command never blocks on it. */
            int room = e->detached ? a->held_bytes < HELD_HIGH : chan_has_room(a);
            if (st->fd >= 0 && (st->kept >= e->max_output || room))
                watch_add(s, st->fd, POLLIN, on_output, st);
        }
        if (e->in_fd >= 0)
            watch_add(s, e->in_fd, POLLOUT, on_stdin, e);
    }
}

void exec_reap(struct agent *a)
{
    int status;
    pid_t pid;
    /* As PID 1 this also reaps orphans that are none of ours. */
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (struct exec *e = a->execs; e; e = e->next) {
            if (e->pid == pid && !e->exited) {
                e->exited = 1;
                e->status = status;
                e->exited_at = now_ms();
                cgroup_kill(e); /* nothing the command started outlives it */
            }
        }
    }
}

static void emit_exit(struct agent *a, struct exec *e)
{
    struct msg *m = msg_new(MSG_EXIT, e->id, 48);
    int code = WIFEXITED(e->status) ? WEXITSTATUS(e->status) : -1;
    int sig = WIFSIGNALED(e->status) ? WTERMSIG(e->status) : 0;
    msg_add_u32(m, TAG_EXIT_CODE, (uint32_t)code);
    msg_add_u32(m, TAG_SIGNAL, (uint32_t)sig);
    msg_add_u8(m, TAG_TIMED_OUT, (uint8_t)e->timed_out);
    msg_add_u8(m, TAG_STDOUT_TRUNCATED, (uint8_t)e->out[0].truncated);
    msg_add_u8(m, TAG_STDERR_TRUNCATED, (uint8_t)e->out[1].truncated);
    msg_add_u32(m, TAG_DURATION_MS, (uint32_t)(e->exited_at - e->started_at));
    emit(a, e, m);
    e->ended = 1;
    /* Nothing of an ended command is watched any more: exec_delivered may free it mid-round. */
    close_fd(&e->in_fd);
    free(e->in_data);
    e->in_data = NULL;
}

static void exec_free(struct agent *a, struct exec *e)
{
    cgroup_kill(e);
    cgroup_remove(e);
    close_fd(&e->out[0].fd);
    close_fd(&e->out[1].fd);
    close_fd(&e->in_fd);
    free(e->in_data);
    while (e->held_head) {
        struct msg *m = e->held_head;
        e->held_head = m->next;
        a->held_bytes -= held_cost(m);
        msg_free(m);
    }
    free(e);
}

static void unlink_exec(struct agent *a, struct exec *e)
{
    for (struct exec **pp = &a->execs; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            exec_free(a, e);
            return;
        }
    }
}

/* Beyond MAX_KEPT ended commands waiting for an ATTACH, the oldest are forgotten. */
static void forget_excess(struct agent *a)
{
    for (;;) {
        int kept = 0;
        struct exec *oldest = NULL;
        for (struct exec *e = a->execs; e; e = e->next) {
            if (e->ended && e->detached) {
                kept++;
                if (!oldest || e->exited_at < oldest->exited_at)
                    oldest = e;
            }
        }
        if (kept <= MAX_KEPT)
            return;
        unlink_exec(a, oldest);
    }
}

/* Reads what the pipes hold now, whatever the room, and closes them. */
static void drain_and_close(struct agent *a, struct exec *e)
{
    for (int i = 0; i < 2; i++) {
        while (e->out[i].fd >= 0 && read_stream(a, &e->out[i]) > 0)
            ;
        close_fd(&e->out[i].fd);
    }
}

void exec_tick(struct agent *a, uint64_t now, uint64_t *next)
{
    for (struct exec **pp = &a->execs; *pp;) {
        struct exec *e = *pp;
        if (!e->exited && e->deadline) {
            if (now >= e->deadline && !e->timed_out) {
                kill(-e->pid, SIGKILL);
                cgroup_kill(e);
                e->timed_out = 1;
            } else if (!e->timed_out && e->deadline < *next) {
                *next = e->deadline;
            }
        }
        if (e->exited && (e->out[0].fd >= 0 || e->out[1].fd >= 0)) {
            if (now >= e->exited_at + LINGER_MS) {
                kill(-e->pid, SIGKILL);
                drain_and_close(a, e);
            } else if (e->exited_at + LINGER_MS < *next) {
                *next = e->exited_at + LINGER_MS;
            }
        }
        if (e->exited && !e->ended && e->out[0].fd < 0 && e->out[1].fd < 0)
            emit_exit(a, e);
        /* Its killed processes are reaped by now or soon: look again shortly until the cgroup is gone. */
        if (e->exited && cgroup_remove(e) < 0 && now + CGROUP_RETRY_MS < *next)
            *next = now + CGROUP_RETRY_MS;
        if (e->ended && e->detached) {
            if (now >= e->exited_at + KEEP_MS) {
                *pp = e->next;
                exec_free(a, e);
                continue;
            }
            if (e->exited_at + KEEP_MS < *next)
                *next = e->exited_at + KEEP_MS;
        }
        pp = &e->next;
    }
    forget_excess(a);
}

int exec_take_back(struct agent *a, struct msg *m)
{
    uint8_t type = m->buf[4];
    struct exec *e = type == MSG_STDOUT || type == MSG_STDERR || type == MSG_EXIT ? find_exec(a, get_be32(m->buf + 5))
                                                                                   : NULL;
    if (!e)
        return 0;
    hold(a, e, m);
    return 1;
}

void exec_detach_all(struct agent *a)
{
    for (struct exec *e = a->execs; e; e = e->next)
        e->detached = 1;
}

void exec_delivered(struct agent *a, uint32_t id)
{
    struct exec *e = find_exec(a, id);
    if (e && e->ended && !e->detached)
        unlink_exec(a, e);
}

void exec_kill_all(struct agent *a)
{
    /* Also the groups of commands that exited but whose children still linger; not those of ended
     * ones, whose group ids the kernel may have handed out again. */
    for (struct exec *e = a->execs; e; e = e->next) {
        if (!e->ended)
            kill(-e->pid, SIGKILL);
        cgroup_kill(e);
    }
    while (a->execs) {
        struct exec *e = a->execs;
        if (!e->exited)
            waitpid(e->pid, NULL, 0);
        a->execs = e->next;
        exec_free(a, e);
    }
}
