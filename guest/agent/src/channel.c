/* The byte stream to the host: connecting, reading frames, and the bounded send queue. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "util.h"

#define VIRTIO_RECHECK_MS 1000  /* fallback if the SIGIO for a host connecting is ever missed */

static void on_connect(struct agent *a)
{
    a->connected = 1;
    struct msg *m = msg_new(MSG_HELLO_REPLY, 0, 32);
    msg_add_u32(m, TAG_VERSION, PROTO_VERSION);
    msg_add_str(m, TAG_AGENT, AGENT_NAME);
    chan_send(a, m);
}

static void set_async(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, on ? fl | O_ASYNC : fl & ~O_ASYNC);
}

/* The port reports POLLHUP for as long as no host is connected to its socket on the host side. */
static int virtio_host_present(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
    return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
}

void chan_on_sigio(struct agent *a)
{
    if (a->mode == CHAN_VIRTIO && !a->connected && virtio_host_present(a->fd)) {
        set_async(a->fd, 0);
        on_connect(a);
    }
}

/* The port raises SIGIO when a host connects; a host that came before O_ASYNC was set is caught by
 * the check right after it. */
static void virtio_wait_for_host(struct agent *a)
{
    set_async(a->fd, 1);
    a->recheck_at = now_ms() + VIRTIO_RECHECK_MS;
    chan_on_sigio(a);
}

void chan_tick(struct agent *a, uint64_t now, uint64_t *next)
{
    if (a->mode != CHAN_VIRTIO || a->connected)
        return;
    if (now >= a->recheck_at) {
        chan_on_sigio(a);
        a->recheck_at = now + VIRTIO_RECHECK_MS;
    }
    if (!a->connected && a->recheck_at < *next)
        *next = a->recheck_at;
}

/* Commands the host started run on, detached: what was queued of their output (whole frames, even
 * one half written) waits for the next host to ATTACH; the rest of the queue was for that host alone. */
static void on_disconnect(struct agent *a)
{
    a->connected = 0;
    parser_reset(&a->parser);
    while (a->out_head) {
        struct msg *m = a->out_head;
        a->out_head = m->next;
        if (!exec_take_back(a, m))
            msg_free(m);
    }
    a->out_tail = NULL;
    a->out_bytes = 0;
    exec_detach_all(a);
    transfers_cancel_all(a);
    switch (a->mode) {
    case CHAN_FD:
        a->quit = 1;
        break;
    case CHAN_SOCKET:
        close(a->fd);
        a->fd = -1;
        break;
    case CHAN_VIRTIO:
        virtio_wait_for_host(a);
        break;
    }
}

void chan_send(struct agent *a, struct msg *m)
{
    if (!a->connected) {
        msg_free(m);
        return;
    }
    m->next = NULL;
    if (a->out_tail)
        a->out_tail->next = m;
    else
        a->out_head = m;
    a->out_tail = m;
    a->out_bytes += m->len;
}

void chan_send_error(struct agent *a, uint32_t id, const char *code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct msg *m = msg_new(MSG_ERROR, id, strlen(code) + strlen(text) + 10);
    msg_add_str(m, TAG_CODE, code);
    msg_add_str(m, TAG_MESSAGE, text);
    chan_send(a, m);
}

int chan_has_room(const struct agent *a)
{
    return a->out_bytes < OUT_HIGH;
}

/* Writes until the queue is empty or the fd would block; 0 on success, -1 when the host is gone. */
static int write_queue(struct agent *a)
{
    while (a->out_head) {
        struct msg *m = a->out_head;
        ssize_t n = write(a->fd, m->buf + m->sent, m->len - m->sent);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return 0;
            if (errno != EPIPE && errno != ECONNRESET)
                log_err("writing to the host: %s", strerror(errno));
            return -1;
        }
        m->sent += (size_t)n;
        a->out_bytes -= (size_t)n;
        if (m->sent == m->len) {
            a->out_head = m->next;
            if (!a->out_head)
                a->out_tail = NULL;
            if (m->buf[4] == MSG_EXIT)
                exec_delivered(a, get_be32(m->buf + 5));
            msg_free(m);
        }
    }
    return 0;
}

static void feed(struct agent *a, const uint8_t *data, size_t n)
{
    while (n > 0 && a->connected && !a->quit) {
        struct frame f;
        size_t used;
        enum parse_result r = parser_feed(&a->parser, data, n, &used, &f);
        data += used;
        n -= used;
        switch (r) {
        case PARSE_FRAME:
            agent_handle_frame(a, &f);
            break;
        case PARSE_TOO_LARGE:
            chan_send_error(a, f.id, "FRAME_TOO_LARGE", "frame of %u payload bytes is over the %u byte limit; skipped",
                            f.len, MAX_PAYLOAD);
            break;
        case PARSE_BAD_LENGTH:
            chan_send_error(a, 0, "BAD_FRAME", "frame length below %d: no room for a type and an id; skipped",
                            FRAME_MIN_LENGTH);
            break;
        case PARSE_MORE:
            break;
        }
    }
}

static void on_conn_event(struct agent *a, void *ctx, short revents)
{
    (void)ctx;
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        static uint8_t buf[64 << 10];
        /* A few reads per wakeup keep one busy host from starving command output. */
        for (int i = 0; i < 4 && a->connected && !a->quit; i++) {
            ssize_t n = read(a->fd, buf, sizeof buf);
            if (n > 0) {
                feed(a, buf, (size_t)n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                break;
            if (n < 0 && errno != ECONNRESET)
                log_err("reading from the host: %s", strerror(errno));
            on_disconnect(a);
            return;
        }
    }
    if (a->connected && (revents & POLLOUT) && write_queue(a) < 0)
        on_disconnect(a);
}

static void on_accept(struct agent *a, void *ctx, short revents)
{
    (void)ctx;
    (void)revents;
    int fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            log_err("accepting a host connection: %s", strerror(errno));
        return;
    }
    a->fd = fd;
    on_connect(a);
}

void chan_watch(struct agent *a, struct watchset *s)
{
    if (a->connected) {
        short ev = a->out_bytes < OUT_HARD ? POLLIN : 0;
        if (a->out_head)
            ev |= POLLOUT;
        watch_add(s, a->fd, ev, on_conn_event, NULL);
    } else if (a->mode == CHAN_SOCKET) {
        watch_add(s, a->listen_fd, POLLIN, on_accept, NULL);
    }
}

void chan_flush(struct agent *a, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (a->connected && a->out_head && now_ms() < end) {
        struct pollfd p = {.fd = a->fd, .events = POLLOUT};
        if (poll(&p, 1, (int)(end - now_ms())) <= 0 || (p.revents & (POLLHUP | POLLERR)) || write_queue(a) < 0)
            return;
    }
}

void chan_open_fd(struct agent *a, int fd)
{
    a->mode = CHAN_FD;
    a->fd = fd;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    on_connect(a);
}

int chan_open_socket(struct agent *a, const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        log_err("socket path %s is longer than %zu bytes", path, sizeof addr.sun_path - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 4) < 0) {
        log_err("listening on %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    a->mode = CHAN_SOCKET;
    a->listen_fd = fd;
    a->fd = -1;
    return 0;
}

/* Without udev there is no /dev/virtio-ports/<name> link: find the port by the name in sysfs. */
static int find_virtio_port(char *dev, size_t size)
{
    DIR *d = opendir("/sys/class/virtio-ports");
    if (!d)
        return -1;
    int found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], name[64] = "";
        snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        if (fgets(name, sizeof name, f)) {
            name[strcspn(name, "\n")] = 0;
            if (strcmp(name, VIRTIO_PORT_NAME) == 0) {
                snprintf(dev, size, "/dev/%s", e->d_name);
                found = 0;
            }
        }
        fclose(f);
    }
    closedir(d);
    return found;
}

int chan_open_virtio(struct agent *a)
{
    char dev[300];
    uint64_t start = now_ms(), warned = start;
    int fd = -1;
    for (;;) {
        if (find_virtio_port(dev, sizeof dev) == 0) {
            fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd >= 0)
                break;
            if (errno != ENOENT) {
                log_err("opening %s: %s", dev, strerror(errno));
                return -1;
            }
        }
        if (now_ms() - warned >= 10000) {
            log_err("still waiting for the virtio-serial port %s (%llu s); does QEMU have "
                    "-device virtserialport,name=%s?", VIRTIO_PORT_NAME,
                    (unsigned long long)(now_ms() - start) / 1000, VIRTIO_PORT_NAME);
            warned = now_ms();
        }
        usleep(10000);
    }
    a->mode = CHAN_VIRTIO;
    a->fd = fd;
    fcntl(fd, F_SETOWN, getpid());
    virtio_wait_for_host(a);
    return 0;
}
