/* Logging, clocks and allocation shared by every part of the agent. */
#ifndef ERA_UTIL_H
#define ERA_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define AGENT_NAME "era-agent 0.1.0"

/* Guest: /dev/kmsg (and the console when the kernel would hide errors); host mode: stderr. */
void log_use_kmsg(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);

/* The agent cannot do its job without memory: these log and exit instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);
char *xstrdup(const char *s);

/* Writes value to an existing file (a sysctl, a cgroup control file) in one write; -1 with errno on
 * failure. Safe in a forked child: no allocation. */
int write_file(const char *path, const char *value);
int write_file_at(const char *dir, const char *name, const char *value);

#endif
