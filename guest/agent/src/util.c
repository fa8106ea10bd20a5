#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int kmsg_fd = -1;
static int console_too; /* copy errors to stderr (the console) because the kernel's loglevel hides them */

void log_use_kmsg(void)
{
    kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    FILE *f = fopen("/proc/sys/kernel/printk", "re");
    int level = 7;
    if (f) {
        if (fscanf(f, "%d", &level) != 1)
            level = 7;
        fclose(f);
    }
    console_too = level <= 3; /* KERN_ERR is 3; it reaches the console only when level > 3 */
}

static void vlog(int level, const char *fmt, va_list ap)
{
    char line[512];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    if (kmsg_fd >= 0) {
        dprintf(kmsg_fd, "<%d>era-agent: %s\n", level, line);
        if (!(level <= 3 && console_too))
            return;
    }
    dprintf(STDERR_FILENO, "era-agent: %s\n", line);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(6, fmt, ap);
    va_end(ap);
}

void log_err(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog(3, fmt, ap);
    va_end(ap);
    errno = saved;
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *check(void *p, size_t n)
{
    if (!p && n) {
        log_err("out of memory allocating %zu bytes", n);
        _exit(70);
    }
    return p;
}

void *xmalloc(size_t n)
{
    return check(malloc(n), n);
}

void *xcalloc(size_t n, size_t size)
{
    return check(calloc(n, size), n * size);
}

void *xrealloc(void *p, size_t n)
{
    return check(realloc(p, n), n);
}

char *xstrndup(const char *s, size_t n)
{
    return check(strndup(s, n), n + 1);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

int write_file(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, value, strlen(value));
    int saved = errno;
    close(fd);
    errno = saved;
    return n < 0 ? -1 : 0;
}

int write_file_at(const char *dir, const char *name, const char *value)
{
    char path[128];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return write_file(path, value);
}
