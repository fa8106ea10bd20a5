/* Guest networking with plain ioctls: loopback always, QEMU user networking with era.net=full or
 * era.net=egress. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"
#include "util.h"

/* QEMU's user networking (slirp) defaults. */
#define GUEST_ADDR "10.0.2.15"
#define GUEST_MASK "255.255.255.0"
#define GATEWAY "10.0.2.2"   /* slirp forwards this address to the host's loopback (egress: the proxy) */
#define DNS "10.0.2.3"
#define NIC "eth0"
#define NIC_WAIT_MS 2000

static void set_sockaddr(struct sockaddr *sa, const char *ip)
{
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    memset(in, 0, sizeof *in);
    in->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &in->sin_addr);
}

static int if_up(int sock, const char *name)
{
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
        return -1;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

static int if_address(int sock, const char *name, const char *addr, const char *mask)
{
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    set_sockaddr(&ifr.ifr_addr, addr);
    if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
        return -1;
    set_sockaddr(&ifr.ifr_netmask, mask);
    return ioctl(sock, SIOCSIFNETMASK, &ifr);
}

static int add_route(int sock, const char *dst, const char *mask, const char *gateway, unsigned short flags)
{
    struct rtentry rt = {0};
    set_sockaddr(&rt.rt_dst, dst);
    set_sockaddr(&rt.rt_genmask, mask);
    if (gateway)
        set_sockaddr(&rt.rt_gateway, gateway);
    rt.rt_flags = RTF_UP | flags;
    return ioctl(sock, SIOCADDRT, &rt);
}

static int wait_for_nic(void)
{
    uint64_t end = now_ms() + NIC_WAIT_MS;
    while (if_nametoindex(NIC) == 0) {
        if (now_ms() >= end)
            return -1;
        usleep(10000);
    }
    return 0;
}

static int write_resolv_conf(void)
{
    int fd = open("/run/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int ok = dprintf(fd, "nameserver %s\n", DNS) > 0;
    return close(fd) == 0 && ok ? 0 : -1;
}

static int failed(const char *step)
{
    log_err("network: %s: %s", step, strerror(errno));
    return -1;
}

static int setup_nic(int sock, enum net_mode mode)
{
    if (wait_for_nic() < 0) {
        log_err("network: no %s after %d ms (is virtio_net in /modules.order and a -netdev attached?)", NIC,
                NIC_WAIT_MS);
        return -1;
    }
    if (if_address(sock, NIC, GUEST_ADDR, GUEST_MASK) < 0)
        return failed("setting the address of " NIC);
    if (if_up(sock, NIC) < 0)
        return failed("bringing up " NIC);
    if (add_route(sock, "0.0.0.0", "0.0.0.0", GATEWAY, RTF_GATEWAY) < 0)
        return failed("adding the default route");
    /* After the default route, whose gateway must be reachable when it is added: packets still go
     * out via the gateway, but nothing can connect to the gateway address itself. With egress the
     * gateway is where the proxy is, and the host lets this VM reach nothing else there. */
    if (mode == NET_FULL && add_route(sock, GATEWAY, "255.255.255.255", NULL, RTF_HOST | RTF_REJECT) < 0)
        return failed("adding the reject route for " GATEWAY);
    if (write_resolv_conf() < 0)
        return failed("writing /run/resolv.conf");
    return 0;
}

int net_setup(enum net_mode mode)
{
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return failed("socket");
    int rc = if_up(sock, "lo") < 0 ? failed("bringing up lo") : 0;
    if (rc == 0 && mode != NET_NONE)
        rc = setup_nic(sock, mode);
    close(sock);
    return rc;
}
