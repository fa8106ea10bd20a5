/* From the initramfs to a running root: modules, root disk by serial, switch root, runtime mounts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"
#include "init.h"
#include "util.h"

#define ROOT_SERIAL "era-root"
#define PERSIST_SERIAL "era-persist"
#define DISK_WAIT_MS 5000
#define NEWROOT "/newroot"
#define NOSUID_NODEV (MS_NOSUID | MS_NODEV)

void ensure_std_fds(const char *device)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        int n = open(device, O_RDWR);
        if (n < 0)
            n = open("/dev/null", O_RDWR);
        if (n >= 0 && n != fd) {
            dup2(n, fd);
            close(n);
        }
    }
}

static int mount_fs(const char *src, const char *target, const char *type, unsigned long flags, const char *data)
{
    mkdir(target, 0755);
    if (mount(src, target, type, flags, data) < 0 && errno != EBUSY) {
        log_err("mounting %s on %s: %s", type, target, strerror(errno));
        return -1;
    }
    return 0;
}

/* /modules.order lists module files in dependency order; modules sit flat in /lib/modules. */
static void load_modules(void)
{
    FILE *f = fopen("/modules.order", "re");
    if (!f)
        return; /* a kernel with the drivers built in needs none */
    char line[256];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        const char *name = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
        char path[300];
        snprintf(path, sizeof path, "/lib/modules/%s", name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            log_err("module %s: %s", path, strerror(errno));
            continue;
        }
        if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
            log_err("loading module %s: %s", name, strerror(errno));
        close(fd);
    }
    fclose(f);
}

static void read_cmdline(struct boot_options *o)
{
    char buf[4096] = "";
    FILE *f = fopen("/proc/cmdline", "re");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = 0;
        fclose(f);
    }
    for (char *save, *w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        if (strncmp(w, "era.net=", 8) == 0) {
            const char *mode = w + 8;
            o->net = strcmp(mode, "full") == 0     ? NET_FULL
                     : strcmp(mode, "egress") == 0 ? NET_EGRESS
                                                   : NET_NONE;
            if (o->net == NET_NONE && strcmp(mode, "none") != 0)
                log_err("unknown %s on the kernel command line; using era.net=none", w);
        } else if (strcmp(w, "era.persist=1") == 0) {
            o->persist = 1;
        } else if (strcmp(w, "era.test.root=1") == 0) {
            o->test_root = 1;
        }
    }
}

/* microvm enumerates virtio-mmio devices in reverse order: find disks by serial, never by name. */
static int find_disk(const char *serial, char *dev, size_t size)
{
    uint64_t end = now_ms() + DISK_WAIT_MS;
    do {
        DIR *d = opendir("/sys/block");
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strncmp(e->d_name, "vd", 2) != 0)
                continue;
            char path[300], value[64] = "";
            snprintf(path, sizeof path, "/sys/block/%s/serial", e->d_name);
            FILE *f = fopen(path, "re");
            if (!f)
                continue;
            if (fgets(value, sizeof value, f))
                value[strcspn(value, "\n")] = 0;
            fclose(f);
            snprintf(dev, size, "/dev/%s", e->d_name);
            if (strcmp(value, serial) == 0 && access(dev, F_OK) == 0) {
                closedir(d);
                return 0;
            }
        }
        if (d)
            closedir(d);
        usleep(10000);
    } while (now_ms() < end);
    log_err("no virtio disk with serial %s appeared within %d ms (is it attached with "
            "-device virtio-blk-device,serial=%s, and is virtio_blk in /modules.order?)",
            serial, DISK_WAIT_MS, serial);
    return -1;
}

/* Frees the initramfs: deletes everything on its filesystem, not descending into other mounts. */
static void delete_tree(int dirfd, dev_t dev)
{
    DIR *d = fdopendir(dirfd);
    if (!d) {
        close(dirfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
            continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                delete_tree(sub, dev);
            unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
        } else {
            unlinkat(dirfd, e->d_name, 0);
        }
    }
    closedir(d);
}

static int switch_root(void)
{
    static const char *const moved[] = {"/dev", "/proc", "/sys"};
    for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++) {
        char target[64];
        snprintf(target, sizeof target, NEWROOT "%s", moved[i]);
        if (mount(moved[i], target, NULL, MS_MOVE, NULL) < 0) {
            log_err("moving %s into the root filesystem: %s (does the image have %s?)", moved[i], strerror(errno),
                    moved[i]);
            return -1;
        }
    }
    if (chdir(NEWROOT) < 0) {
        log_err("chdir " NEWROOT ": %s", strerror(errno));
        return -1;
    }
    struct statfs fs;
    struct stat st;
    if (statfs("/", &fs) == 0 && (fs.f_type == RAMFS_MAGIC || fs.f_type == TMPFS_MAGIC) && stat("/", &st) == 0)
        delete_tree(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), st.st_dev);
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0) {
        log_err("switching to the root filesystem: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int mount_root(void)
{
    char dev[300];
    if (find_disk(ROOT_SERIAL, dev, sizeof dev) < 0)
        return -1;
    mkdir(NEWROOT, 0755);
    if (mount(dev, NEWROOT, "erofs", MS_RDONLY, NULL) == 0)
        return 0;
    int erofs_err = errno;
    if (mount(dev, NEWROOT, "ext4", MS_RDONLY, NULL) == 0)
        return 0;
    log_err("mounting the root disk %s: as erofs: %s; as ext4: %s", dev, strerror(erofs_err), strerror(errno));
    return -1;
}

int init_mount_persistent_work(void)
{
    char dev[300];
    if (find_disk(PERSIST_SERIAL, dev, sizeof dev) < 0)
        return -1;
    /* A guest restored from a snapshot may still cache blocks it read from the template's disk (the
     * partition scan): drop them, or ext4 would mount from a stale superblock. */
    int fd = open(dev, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ioctl(fd, BLKFLSBUF, 0) < 0) {
        log_err("dropping the cached blocks of %s: %s", dev, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    if (mount(dev, GUEST_WORK_DIR, "ext4", NOSUID_NODEV, NULL) < 0) {
        log_err("mounting the persistent disk %s on " GUEST_WORK_DIR ": %s (is it formatted as ext4?)", dev,
                strerror(errno));
        return -1;
    }
    struct stat st;
    /* A fresh disk's root belongs to root: hand it to the sandbox user on first use. */
    if (stat(GUEST_WORK_DIR, &st) == 0 && st.st_uid != SANDBOX_ID &&
        (chown(GUEST_WORK_DIR, SANDBOX_ID, SANDBOX_ID) < 0 || chmod(GUEST_WORK_DIR, 0755) < 0)) {
        log_err("chown " GUEST_WORK_DIR ": %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void write_sysctl(const char *path, const char *value)
{
    if (write_file(path, value) < 0)
        log_err("setting %s: %s", path, strerror(errno));
}

/* Defence in depth should a command become root in the guest: no kernel pointers or log to aim with,
 * no unprivileged BPF or user namespaces, and no module loading once the initramfs's are in. */
static void harden_kernel(void)
{
    write_sysctl("/proc/sys/kernel/kptr_restrict", "2");
    write_sysctl("/proc/sys/kernel/dmesg_restrict", "1");
    write_sysctl("/proc/sys/kernel/perf_event_paranoid", "3");
    write_sysctl("/proc/sys/kernel/unprivileged_bpf_disabled", "1");
    write_sysctl("/proc/sys/user/max_user_namespaces", "0");
    write_sysctl("/proc/sys/kernel/modules_disabled", "1");
}

/* The read-only root needs writable places; the image provides the mount points. */
static int mount_runtime(const struct boot_options *o)
{
    int rc = 0;
    rc |= mount_fs("tmpfs", "/tmp", "tmpfs", NOSUID_NODEV, "mode=1777");
    rc |= mount_fs("tmpfs", "/run", "tmpfs", NOSUID_NODEV, "mode=0755");
    rc |= mount_fs("tmpfs", "/dev/shm", "tmpfs", NOSUID_NODEV, "mode=1777");
    /* devtmpfs lacks the links that udev would add; shells use /dev/fd for process substitution. */
    symlink("/proc/self/fd", "/dev/fd");
    symlink("/proc/self/fd/0", "/dev/stdin");
    symlink("/proc/self/fd/1", "/dev/stdout");
    symlink("/proc/self/fd/2", "/dev/stderr");
    /* The persistent disk waits for IDENTITY (identity.c): a snapshot must not hold it mounted. */
    if (!o->persist)
        rc |= mount_fs("tmpfs", GUEST_WORK_DIR, "tmpfs", NOSUID_NODEV, "mode=0755,uid=65532,gid=65532");
    /* What systemd would set: a command cannot trick the root agent through links in /tmp or /work. */
    write_sysctl("/proc/sys/fs/protected_symlinks", "1");
    write_sysctl("/proc/sys/fs/protected_hardlinks", "1");
    return rc;
}

int init_system(struct boot_options *opts)
{
    umask(022);
    mount_fs("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
    ensure_std_fds("/dev/console");
    mount_fs("proc", "/proc", "proc", NOSUID_NODEV | MS_NOEXEC, NULL);
    mount_fs("sysfs", "/sys", "sysfs", NOSUID_NODEV | MS_NOEXEC, NULL);
    log_use_kmsg();
    uint64_t start = now_ms();

    load_modules();
    read_cmdline(opts);
    if (mount_root() < 0 || switch_root() < 0 || mount_runtime(opts) < 0)
        return -1;
    if (sethostname("era", 3) < 0)
        log_err("sethostname: %s", strerror(errno));
    if (net_setup(opts->net) < 0)
        return -1;
    harden_kernel();
    log_info("system up in %llu ms (network %s, %s /work)", (unsigned long long)(now_ms() - start),
             opts->net == NET_FULL ? "full" : opts->net == NET_EGRESS ? "egress" : "none",
             opts->persist ? "persistent (at IDENTITY)" : "tmpfs");
    return 0;
}
