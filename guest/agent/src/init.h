/* PID 1 duties before the agent starts serving: modules, root switch, mounts, network. */
#ifndef ERA_INIT_H
#define ERA_INIT_H

enum net_mode { NET_NONE, NET_FULL, NET_EGRESS };

struct boot_options {
    int net;        /* era.net=: NET_NONE, NET_FULL or NET_EGRESS */
    int persist;    /* era.persist=1: mounted on /work at the first IDENTITY, not at boot */
    int test_root;  /* era.test.root=1: commands run as root, for host-side isolation tests */
};

/* Brings the VM from the initramfs to the running root filesystem with /work mounted (a tmpfs;
 * with era.persist=1, the root filesystem's empty, read-only /work until IDENTITY).
 * Returns 0, or -1 after logging why the VM cannot serve (the caller powers it off). */
int init_system(struct boot_options *opts);

/* Mounts the disk with serial era-persist on /work (giving a fresh disk's root to the sandbox user);
 * -1 after logging why not. */
int init_mount_persistent_work(void);

/* init.c: makes sure fds 0-2 are open, so no fd the agent opens lands on them. */
void ensure_std_fds(const char *device);

/* net.c: loopback always; with full or egress, eth0 as QEMU user networking expects it. */
int net_setup(enum net_mode mode);

#endif
