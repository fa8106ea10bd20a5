/* PUT_FILE and GET_FILE, confined to the work dir. Every path is resolved by the kernel with
 * openat2(RESOLVE_BENEATH) from the work dir's fd, so neither "..", nor absolute symlinks, nor
 * symlinks swapped in by a running command can lead outside it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"
#include "util.h"

#define MAX_TRANSFERS 16
#define DEFAULT_MODE 0644

/* A GET_FILE being streamed as fast as the host reads it. */
struct transfer {
    struct transfer *next;
    uint32_t id;
    int fd;
    uint64_t sent;
};

static int open_beneath(struct agent *a, const char *rel, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = mode,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    int fd, tries = 0;
    /* EAGAIN: a concurrent rename raced the lookup; the kernel asks for a retry. */
    do
        fd = (int)syscall(SYS_openat2, a->work_fd, rel, &how, sizeof how);
    while (fd < 0 && errno == EAGAIN && ++tries < 10);
    return fd;
}

/* PATH as a path relative to the work dir, or NULL after sending an error. The result points into `path`. */
static const char *work_relative(struct req *r, const char *path)
{
    size_t wl = strlen(GUEST_WORK_DIR);
    if (!*path) {
        req_fail(r, "BAD_REQUEST", "PATH is empty");
        return NULL;
    }
    if (path[0] != '/')
        return path;
    if (strncmp(path, GUEST_WORK_DIR, wl) == 0 && (path[wl] == '/' || path[wl] == 0)) {
        path += wl;
        while (*path == '/')
            path++;
        return *path ? path : ".";
    }
    req_fail(r, "PATH_ESCAPES", "%s is outside %s", path, GUEST_WORK_DIR);
    return NULL;
}

static void fail_errno(struct req *r, const char *what, const char *path, int err)
{
    if (err == EXDEV)
        req_fail(r, "PATH_ESCAPES", "%s resolves outside %s", path, GUEST_WORK_DIR);
    else if (err == ENOENT)
        req_fail(r, "NOT_FOUND", "%s: %s does not exist", what, path);
    else
        req_fail(r, "IO", "%s %s: %s", what, path, strerror(err));
}

/* Opens (creating as needed, owned by the sandbox user) every directory above the file in `rel`;
 * returns an fd of the last one, or -1 with errno. */
static int make_parents(struct agent *a, char *rel)
{
    int dir = open_beneath(a, ".", O_PATH | O_DIRECTORY, 0);
    for (char *slash = strchr(rel, '/'); slash && dir >= 0; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        int fd = open_beneath(a, rel, O_PATH | O_DIRECTORY, 0);
        if (fd < 0 && errno == ENOENT) {
            char *name = strrchr(rel, '/');
            name = name ? name + 1 : rel;
            /* `dir` was itself resolved beneath the work dir, and `name` is a single component. */
            if (mkdirat(dir, name, 0755) == 0 && a->drop_privileges)
                fchownat(dir, name, SANDBOX_ID, SANDBOX_ID, AT_SYMLINK_NOFOLLOW);
            fd = open_beneath(a, rel, O_PATH | O_DIRECTORY, 0);
        }
        int err = errno;
        *slash = '/';
        close(dir);
        dir = fd;
        errno = err;
    }
    return dir;
}

static int write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

void file_put(struct agent *a, const struct frame *f)
{
    struct req r = {a, f, 0};
    char *path = req_str(&r, TAG_PATH, "PATH", 1);
    uint32_t mode = req_u32(&r, TAG_MODE, "MODE", 0, DEFAULT_MODE);
    uint64_t offset = req_u64(&r, TAG_OFFSET, "OFFSET", 0, 0);
    struct field data = {TAG_DATA, 0, NULL};
    field_find(f, TAG_DATA, &data);
    const char *rel = r.failed ? NULL : work_relative(&r, path);
    if (!rel) {
        free(path);
        return;
    }
    char *copy = xstrdup(rel);
    const char *base = strrchr(copy, '/');
    base = base ? base + 1 : copy;
    int fd = -1;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        req_fail(&r, "BAD_REQUEST", "PATH %s names a directory, not a file", path);
    } else {
        int dir = make_parents(a, copy);
        if (dir < 0) {
            fail_errno(&r, "cannot create the directory for", path, errno);
        } else {
            close(dir);
            /* O_NONBLOCK: a FIFO planted by a command must not hang the agent. */
            fd = open_beneath(a, copy, O_WRONLY | O_CREAT | O_NONBLOCK | (offset == 0 ? O_TRUNC : 0), mode & 0777);
            if (fd < 0)
                fail_errno(&r, "cannot open", path, errno);
        }
    }
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)))
        req_fail(&r, "IO", "%s is not a regular file", path);
    if (fd >= 0 && !r.failed && offset == 0) {
        if (a->drop_privileges && fchown(fd, SANDBOX_ID, SANDBOX_ID) < 0)
            log_err("chown %s: %s", path, strerror(errno));
        fchmod(fd, mode & 0777);
    }
    if (fd >= 0 && !r.failed && write_all(fd, data.val, data.len, offset) < 0)
        req_fail(&r, "IO", "writing %s: %s", path, strerror(errno));
    if (fd >= 0 && !r.failed && fstat(fd, &st) == 0) {
        struct msg *m = msg_new(MSG_OK, f->id, 13);
        msg_add_u64(m, TAG_SIZE, (uint64_t)st.st_size);
        chan_send(a, m);
    }
    if (fd >= 0)
        close(fd);
    free(copy);
    free(path);
}

void file_get(struct agent *a, const struct frame *f)
{
    struct req r = {a, f, 0};
    char *path = req_str(&r, TAG_PATH, "PATH", 1);
    const char *rel = r.failed ? NULL : work_relative(&r, path);
    size_t count = 0;
    for (struct transfer *t = a->transfers; t; t = t->next)
        count++;
    if (rel && count >= MAX_TRANSFERS)
        req_fail(&r, "IO", "%d file transfers are already running; try again later", MAX_TRANSFERS);
    int fd = r.failed ? -1 : open_beneath(a, rel, O_RDONLY | O_NONBLOCK, 0);
    if (!r.failed && fd < 0)
        fail_errno(&r, "cannot open", path, errno);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        req_fail(&r, "IO", "%s is not a regular file", path);
        close(fd);
    } else if (fd >= 0) {
        struct transfer *t = xcalloc(1, sizeof *t);
        t->id = f->id;
        t->fd = fd;
        t->next = a->transfers;
        a->transfers = t;
    }
    free(path);
}

/* Sends one chunk; returns 0 when the transfer is finished (OK or ERROR sent). */
static int send_chunk(struct agent *a, struct transfer *t)
{
    static uint8_t buf[FILE_CHUNK];
    ssize_t n = read(t->fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return 1;
    if (n < 0) {
        chan_send_error(a, t->id, "IO", "reading the file: %s", strerror(errno));
        return 0;
    }
    if (n == 0) {
        struct msg *m = msg_new(MSG_OK, t->id, 13);
        msg_add_u64(m, TAG_SIZE, t->sent);
        chan_send(a, m);
        return 0;
    }
    struct msg *m = msg_new(MSG_FILE_DATA, t->id, (size_t)n + 5);
    msg_add(m, TAG_DATA, buf, (uint32_t)n);
    chan_send(a, m);
    t->sent += (uint64_t)n;
    return 1;
}

static void transfer_free(struct transfer *t)
{
    close(t->fd);
    free(t);
}

void transfers_pump(struct agent *a)
{
    while (a->transfers && chan_has_room(a)) {
        for (struct transfer **pp = &a->transfers; *pp && chan_has_room(a);) {
            struct transfer *t = *pp;
            if (send_chunk(a, t)) {
                pp = &t->next;
            } else {
                *pp = t->next;
                transfer_free(t);
            }
        }
    }
}

void transfers_cancel_all(struct agent *a)
{
    while (a->transfers) {
        struct transfer *t = a->transfers;
        a->transfers = t->next;
        transfer_free(t);
    }
}
