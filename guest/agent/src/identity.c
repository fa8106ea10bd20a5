/* IDENTITY: what a guest restored from a snapshot must not share with its clones (fresh entropy, the
 * time, its hostname and VM id), and the persistent /work that a snapshot cannot carry. */
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "init.h"
#include "util.h"

#define MIN_ENTROPY 32
#define MAX_ENTROPY 512
#define MAX_HOSTNAME 64
#define MAX_VM_ID 253

static int valid_hostname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_HOSTNAME)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '.'))
            return 0;
    return 1;
}

/* Mixes the host's bytes into the input pool, credited, and makes the CRNG rekey from it now: every
 * reader after this (getrandom, boot_id on first read, a new Python's seed) differs between clones. */
static int reseed(const uint8_t *seed, uint32_t len)
{
    struct {
        struct rand_pool_info info;
        uint32_t buf[MAX_ENTROPY / 4];
    } pool;
    pool.info.entropy_count = (int)len * 8;
    pool.info.buf_size = (int)len;
    memcpy(pool.buf, seed, len);
    int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
    int rc = fd < 0 || ioctl(fd, RNDADDENTROPY, &pool) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0 ? -1 : 0;
    int err = errno;
    if (fd >= 0)
        close(fd);
    explicit_bzero(&pool, sizeof pool);
    errno = err;
    return rc;
}

/* Mounts the persistent disk on /work the first time (a snapshot is taken before any disk is mounted)
 * and points the agent's work dir at it. */
static int mount_work(struct agent *a)
{
    if (init_mount_persistent_work() < 0)
        return -1;
    int fd = open(GUEST_WORK_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    close(a->work_fd);
    a->work_fd = fd;
    a->persist_mounted = 1;
    return 0;
}

void identity_apply(struct agent *a, const struct frame *f)
{
    struct req r = {a, f, 0};
    struct field seed;
    uint64_t time_ns = req_u64(&r, TAG_TIME_NS, "TIME_NS", 1, 0);
    char *hostname = req_str(&r, TAG_HOSTNAME, "HOSTNAME", 1);
    char *vm_id = req_str(&r, TAG_VM_ID, "VM_ID", 1);
    if (!r.failed && !field_find(f, TAG_ENTROPY, &seed))
        req_fail(&r, "MISSING_FIELD", "this request needs ENTROPY (tag %u)", TAG_ENTROPY);
    else if (!r.failed && (seed.len < MIN_ENTROPY || seed.len > MAX_ENTROPY))
        req_fail(&r, "BAD_REQUEST", "ENTROPY must be %d to %d bytes, got %u", MIN_ENTROPY, MAX_ENTROPY, seed.len);
    if (!r.failed && !valid_hostname(hostname))
        req_fail(&r, "BAD_REQUEST", "HOSTNAME must be 1 to %d letters, digits, '-' or '.'", MAX_HOSTNAME);
    if (!r.failed && (!vm_id[0] || strlen(vm_id) > MAX_VM_ID))
        req_fail(&r, "BAD_REQUEST", "VM_ID must be 1 to %d bytes", MAX_VM_ID);
    if (r.failed)
        goto out;
    /* Only PID 1 of a VM owns the kernel's state; host mode (tests) keeps just what commands see. */
    if (a->is_init) {
        struct timespec ts = {.tv_sec = (time_t)(time_ns / 1000000000u), .tv_nsec = (long)(time_ns % 1000000000u)};
        if (reseed(seed.val, seed.len) < 0)
            req_fail(&r, "IO", "reseeding the kernel's random generator: %s", strerror(errno));
        else if (clock_settime(CLOCK_REALTIME, &ts) < 0)
            req_fail(&r, "IO", "setting the clock: %s", strerror(errno));
        else if (sethostname(hostname, strlen(hostname)) < 0)
            req_fail(&r, "IO", "sethostname: %s", strerror(errno));
        else if (a->persist && !a->persist_mounted && mount_work(a) < 0)
            req_fail(&r, "IO", "mounting the persistent disk on " GUEST_WORK_DIR " failed (see the console log)");
        if (r.failed)
            goto out;
    }
    free(a->vm_id);
    a->vm_id = vm_id;
    vm_id = NULL;
    chan_send(a, msg_new(MSG_OK, f->id, 0));
out:
    free(hostname);
    free(vm_id);
}
