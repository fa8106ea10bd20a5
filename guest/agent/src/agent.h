/* The agent: one event loop serving the protocol on one channel, plus the modules it drives. */
#ifndef ERA_AGENT_H
#define ERA_AGENT_H

#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"

#define SANDBOX_ID 65532           /* UID and GID of everything the host asks to run or create */
#define GUEST_WORK_DIR "/work"     /* the work dir as the host names it */
#define VIRTIO_PORT_NAME "era.agent"

#include "bounds.h"

enum chan_mode {
    CHAN_FD,       /* host mode: one connection on an inherited fd; EOF ends the agent */
    CHAN_SOCKET,   /* host mode: a listening Unix socket, one host connection at a time */
    CHAN_VIRTIO,   /* guest: the virtio-serial port; the host comes and goes */
};

struct exec;
struct transfer;

struct agent {
    enum chan_mode mode;
    int fd;                 /* the connection (CHAN_VIRTIO: the port, always open) */
    int listen_fd;          /* CHAN_SOCKET */
    int connected;
    uint64_t recheck_at;    /* CHAN_VIRTIO while no host: when to look again if no SIGIO came */
    struct parser parser;
    struct msg *out_head, *out_tail;
    size_t out_bytes;

    int work_fd;            /* O_PATH fd of the work dir; paths resolve beneath it */
    const char *work_path;  /* where the work dir really is (host mode: --workdir) */
    int drop_privileges;    /* run commands as SANDBOX_ID (off only when host mode is not root) */
    int is_init;            /* PID 1 of a VM: SHUTDOWN powers off */
    int persist;            /* era.persist=1: the persistent disk goes on /work at the first IDENTITY */
    int persist_mounted;    /* it is there: unmount it on SHUTDOWN */
    char *vm_id;            /* from IDENTITY; commands see it as ERA_VM_ID */
    int cgroups;            /* each command runs in its own cgroup, killed whole when it ends (guest mode) */

    struct exec *execs;
    size_t held_bytes;      /* memory of the frames kept for detached commands, all together */
    struct transfer *transfers;
    int sigfd;
    int quit;               /* leave the loop: host gone (CHAN_FD) or SHUTDOWN */
};

/* A set of fds to poll, each with the callback that handles its events. */
struct watch {
    void (*fn)(struct agent *a, void *ctx, short revents);
    void *ctx;
};
struct watchset {
    struct pollfd fds[256];
    struct watch w[256];
    int n;
};
void watch_add(struct watchset *s, int fd, short events, void (*fn)(struct agent *, void *, short), void *ctx);

/* agent.c */
/* Routes SIGCHLD, SIGIO (a host connecting to the port), SIGTERM and SIGINT to a signalfd; call it
 * before opening the channel. */
int agent_setup_signals(struct agent *a);
/* Serves until SHUTDOWN (or, in host mode, the end of the host), then kills every command. */
int agent_run(struct agent *a);
void agent_handle_frame(struct agent *a, const struct frame *f);

/* Reading typed fields of a request: the first problem sends ERROR and marks the request failed,
 * after which the other readers do nothing, so a handler checks `failed` once before acting. */
struct req {
    struct agent *a;
    const struct frame *f;
    int failed;
};
uint32_t req_u32(struct req *r, uint8_t tag, const char *name, int required, uint32_t dflt);
uint64_t req_u64(struct req *r, uint8_t tag, const char *name, int required, uint64_t dflt);
/* A NUL-terminated copy of a string field (the caller frees it), or NULL when absent or failed. */
char *req_str(struct req *r, uint8_t tag, const char *name, int required);
void req_fail(struct req *r, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* channel.c */
void chan_open_fd(struct agent *a, int fd);
int chan_open_socket(struct agent *a, const char *path);
int chan_open_virtio(struct agent *a);
void chan_watch(struct agent *a, struct watchset *s);
void chan_on_sigio(struct agent *a);
void chan_tick(struct agent *a, uint64_t now, uint64_t *next);
/* Queues a message for the host (dropped when none is connected) and takes ownership of it. */
void chan_send(struct agent *a, struct msg *m);
void chan_send_error(struct agent *a, uint32_t id, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int chan_has_room(const struct agent *a);
/* Writes what is queued, waiting up to timeout_ms (used before power-off). */
void chan_flush(struct agent *a, int timeout_ms);

/* exec.c */
void exec_start(struct agent *a, const struct frame *f);
void exec_kill(struct agent *a, const struct frame *f);
void exec_attach(struct agent *a, const struct frame *f);
void exec_watch(struct agent *a, struct watchset *s);
int exec_cgroups_init(void);
void exec_reap(struct agent *a);
void exec_tick(struct agent *a, uint64_t now, uint64_t *next);
/* The host left: a frame of a command that was still queued for it is kept for the next ATTACH
 * (1), anything else is not (0, the caller frees it). */
int exec_take_back(struct agent *a, struct msg *m);
void exec_detach_all(struct agent *a);
/* The EXIT of command `id` reached the host: the command is forgotten. */
void exec_delivered(struct agent *a, uint32_t id);
void exec_kill_all(struct agent *a);

/* identity.c */
void identity_apply(struct agent *a, const struct frame *f);

/* files.c */
void file_put(struct agent *a, const struct frame *f);
void file_get(struct agent *a, const struct frame *f);
void transfers_pump(struct agent *a);
void transfers_cancel_all(struct agent *a);

#endif
