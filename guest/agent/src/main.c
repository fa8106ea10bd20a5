/* era-agent: PID 1 of an ERA microVM, or (with --serve-fd / --socket) the same protocol on the host for tests. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "agent.h"
#include "init.h"
#include "util.h"

static const char usage[] =
    "usage: era-agent                                 (as PID 1 of an ERA microVM)\n"
    "       era-agent --serve-fd N --workdir DIR      serve the protocol on fd N until it closes\n"
    "       era-agent --socket PATH --workdir DIR     serve one host at a time on a Unix socket\n"
    "Host mode serves docs/guest-protocol.md with DIR standing in for /work; run as root, commands\n"
    "still run as uid/gid 65532.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "era-agent: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

static int open_work_dir(struct agent *a, const char *dir)
{
    static char real[PATH_MAX];
    if (!realpath(dir, real)) {
        log_err("work dir %s: %s", dir, strerror(errno));
        return -1;
    }
    a->work_path = real;
    a->work_fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (a->work_fd < 0) {
        log_err("work dir %s: %s", real, strerror(errno));
        return -1;
    }
    return 0;
}

static int host_mode(struct agent *a, const char *fd_arg, const char *socket_path, const char *workdir)
{
    ensure_std_fds("/dev/null");
    if (open_work_dir(a, workdir) < 0)
        return 1;
    /* Like PID 1 in the guest, adopt and reap whatever commands leave behind. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    a->drop_privileges = geteuid() == 0;
    if (!a->drop_privileges)
        log_info("not running as root: commands keep uid %d instead of %d", (int)geteuid(), SANDBOX_ID);
    if (agent_setup_signals(a) < 0)
        return 1;
    if (fd_arg) {
        char *end;
        long fd = strtol(fd_arg, &end, 10);
        if (*end || fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0)
            return usage_error("--serve-fd %s is not an open file descriptor", fd_arg);
        chan_open_fd(a, (int)fd);
    } else if (chan_open_socket(a, socket_path) < 0) {
        return 1;
    }
    int rc = agent_run(a) == 0 ? 0 : 1;
    if (socket_path)
        unlink(socket_path);
    return rc;
}

/* PID 1 must never exit (the kernel would panic): whatever fails, say why and power off. */
static __attribute__((noreturn)) void guest_mode(struct agent *a)
{
    struct boot_options opts = {0};
    if (init_system(&opts) == 0 && open_work_dir(a, GUEST_WORK_DIR) == 0) {
        /* Only a launcher set up for tests asks for this: they play a guest whose code became root. */
        a->drop_privileges = !opts.test_root;
        if (opts.test_root)
            log_err("era.test.root=1: commands run as root (a test of host-side isolation)");
        a->is_init = 1;
        a->cgroups = exec_cgroups_init() == 0;
        a->persist = opts.persist;
        if (agent_setup_signals(a) == 0 && chan_open_virtio(a) == 0)
            agent_run(a);
    }
    log_err("cannot serve the host; powering off");
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    struct agent a = {.fd = -1, .listen_fd = -1, .work_fd = -1, .sigfd = -1};
    const char *fd_arg = NULL, *socket_path = NULL, *workdir = NULL;
    /* The kernel hands init the command-line words it does not know: as PID 1, arguments mean nothing. */
    if (getpid() == 1)
        guest_mode(&a);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(opt, "--version") == 0) {
            printf("%s (protocol %d)\n", AGENT_NAME, PROTO_VERSION);
            return 0;
        }
        const char **slot = strcmp(opt, "--serve-fd") == 0 ? &fd_arg
                            : strcmp(opt, "--socket") == 0  ? &socket_path
                            : strcmp(opt, "--workdir") == 0 ? &workdir
                                                            : NULL;
        if (!slot)
            return usage_error("unknown argument %s", opt);
        if (i + 1 >= argc)
            return usage_error("%s needs a value", opt);
        *slot = argv[++i];
    }
    if (fd_arg || socket_path || workdir) {
        if (!fd_arg == !socket_path)
            return usage_error("%s", "give exactly one of --serve-fd and --socket");
        if (!workdir)
            return usage_error("%s", "host mode needs --workdir DIR");
        return host_mode(&a, fd_arg, socket_path, workdir);
    }
    return usage_error("%s", "without --serve-fd or --socket, era-agent must run as PID 1 of a microVM");
}
