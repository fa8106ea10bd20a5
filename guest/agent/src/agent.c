/* The event loop and request dispatch. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "util.h"

void watch_add(struct watchset *s, int fd, short events, void (*fn)(struct agent *, void *, short), void *ctx)
{
    if (s->n == (int)(sizeof s->fds / sizeof s->fds[0])) {
        log_err("too many fds to watch; dropping fd %d this round", fd);
        return;
    }
    s->fds[s->n] = (struct pollfd){.fd = fd, .events = events};
    s->w[s->n] = (struct watch){fn, ctx};
    s->n++;
}

/* ---- typed request fields */

void req_fail(struct req *r, const char *code, const char *fmt, ...)
{
    if (r->failed)
        return;
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    chan_send_error(r->a, r->f->id, code, "%s", text);
    r->failed = 1;
}

/* The field with this tag if its length is `size` (0 = any); absent and not required: returns 0. */
static int req_field(struct req *r, uint8_t tag, const char *name, int required, uint32_t size, struct field *fl)
{
    if (r->failed)
        return 0;
    if (!field_find(r->f, tag, fl)) {
        if (required)
            req_fail(r, "MISSING_FIELD", "this request needs %s (tag %u)", name, tag);
        return 0;
    }
    if (size && fl->len != size) {
        req_fail(r, "BAD_FRAME", "%s must be %u bytes, got %u", name, size, fl->len);
        return 0;
    }
    return 1;
}

uint32_t req_u32(struct req *r, uint8_t tag, const char *name, int required, uint32_t dflt)
{
    struct field fl;
    return req_field(r, tag, name, required, 4, &fl) ? get_be32(fl.val) : dflt;
}

uint64_t req_u64(struct req *r, uint8_t tag, const char *name, int required, uint64_t dflt)
{
    struct field fl;
    return req_field(r, tag, name, required, 8, &fl) ? (uint64_t)get_be32(fl.val) << 32 | get_be32(fl.val + 4) : dflt;
}

char *req_str(struct req *r, uint8_t tag, const char *name, int required)
{
    struct field fl;
    if (!req_field(r, tag, name, required, 0, &fl))
        return NULL;
    if (memchr(fl.val, 0, fl.len)) {
        req_fail(r, "BAD_REQUEST", "%s contains a NUL byte", name);
        return NULL;
    }
    return xstrndup((const char *)fl.val, fl.len);
}

/* ---- dispatch */

static void handle_hello(struct agent *a, const struct frame *f)
{
    struct req r = {a, f, 0};
    uint32_t version = req_u32(&r, TAG_VERSION, "VERSION", 1, 0);
    if (r.failed)
        return;
    if (version != PROTO_VERSION) {
        req_fail(&r, "VERSION", "this agent speaks protocol version %d, the host asked for %u", PROTO_VERSION,
                 version);
        return;
    }
    struct msg *m = msg_new(MSG_HELLO_REPLY, f->id, 32);
    msg_add_u32(m, TAG_VERSION, PROTO_VERSION);
    msg_add_str(m, TAG_AGENT, AGENT_NAME);
    chan_send(a, m);
}

void agent_handle_frame(struct agent *a, const struct frame *f)
{
    struct field fl;
    uint32_t pos = 0;
    int more;
    while ((more = field_next(f, &pos, &fl)) == 1)
        ;
    if (more < 0) {
        chan_send_error(a, f->id, "BAD_FRAME", "the field at payload offset %u runs past the end of the frame", pos);
        return;
    }
    switch (f->type) {
    case MSG_HELLO:
        handle_hello(a, f);
        break;
    case MSG_PING:
        chan_send(a, msg_new(MSG_PONG, f->id, 0));
        break;
    case MSG_EXEC:
        exec_start(a, f);
        break;
    case MSG_KILL:
        exec_kill(a, f);
        break;
    case MSG_ATTACH:
        exec_attach(a, f);
        break;
    case MSG_PUT_FILE:
        file_put(a, f);
        break;
    case MSG_GET_FILE:
        file_get(a, f);
        break;
    case MSG_IDENTITY:
        identity_apply(a, f);
        break;
    case MSG_SHUTDOWN:
        chan_send(a, msg_new(MSG_OK, f->id, 0));
        a->quit = 1;
        break;
    default:
        chan_send_error(a, f->id, "UNKNOWN_TYPE", "unknown message type 0x%02x", f->type);
    }
}

/* ---- loop */

static void on_signal(struct agent *a, void *ctx, short revents)
{
    (void)ctx;
    (void)revents;
    struct signalfd_siginfo si;
    int child = 0, io = 0;
    while (read(a->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD)
            child = 1;
        else if (si.ssi_signo == SIGIO)
            io = 1;
        else if (!a->is_init)
            a->quit = 1; /* SIGTERM/SIGINT in host mode */
    }
    if (child)
        exec_reap(a);
    if (io)
        chan_on_sigio(a);
}

int agent_setup_signals(struct agent *a)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGIO);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || (a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        log_err("cannot set up signal handling: %s", strerror(errno));
        return -1;
    }
    /* A host that vanishes mid-write must cost an EPIPE, not the agent. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* Kills everything, flushes the OK, syncs and (as PID 1) powers off. */
static void shut_down(struct agent *a)
{
    exec_kill_all(a);
    transfers_cancel_all(a);
    chan_flush(a, 1000);
    if (!a->is_init)
        return;
    kill(-1, SIGKILL); /* whatever commands left behind in other sessions */
    while (waitpid(-1, NULL, 0) > 0)
        ;
    close(a->work_fd); /* it would keep /work busy */
    sync();
    if (a->persist_mounted && umount2(GUEST_WORK_DIR, 0) < 0)
        log_err("unmounting the persistent disk from %s: %s", GUEST_WORK_DIR, strerror(errno));
    reboot(RB_POWER_OFF);
}

int agent_run(struct agent *a)
{
    static struct watchset watches;
    while (!a->quit) {
        uint64_t now = now_ms(), next = UINT64_MAX;
        exec_tick(a, now, &next);
        chan_tick(a, now, &next);
        transfers_pump(a);

        struct watchset *s = &watches;
        s->n = 0;
        watch_add(s, a->sigfd, POLLIN, on_signal, NULL);
        chan_watch(a, s);
        exec_watch(a, s);
        int timeout = next == UINT64_MAX ? -1 : next <= now ? 0 : (int)(next - now);
        int n = poll(s->fds, (nfds_t)s->n, timeout);
        if (n < 0 && errno != EINTR) {
            log_err("poll: %s", strerror(errno));
            return -1;
        }
        for (int i = 0; i < s->n && n > 0 && !a->quit; i++)
            if (s->fds[i].revents)
                s->w[i].fn(a, s->w[i].ctx, s->fds[i].revents);
    }
    shut_down(a);
    return 0;
}
