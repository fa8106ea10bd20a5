/* Frame codec for the host <-> guest protocol (docs/guest-protocol.md). Pure: no I/O. */
#ifndef ERA_PROTO_H
#define ERA_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 2
#define FRAME_HEADER 9              /* length (4) + type (1) + id (4) */
#define FRAME_MIN_LENGTH 5          /* the length field counts type and id */
#define MAX_PAYLOAD (1u << 20)
#define OUTPUT_CHUNK (64u << 10)    /* largest STDOUT/STDERR DATA */
#define FILE_CHUNK (256u << 10)     /* largest FILE_DATA DATA */

enum msg_type {
    MSG_HELLO = 0x01, MSG_PING = 0x02, MSG_EXEC = 0x10, MSG_KILL = 0x11, MSG_ATTACH = 0x12,
    MSG_PUT_FILE = 0x20, MSG_GET_FILE = 0x21, MSG_SHUTDOWN = 0x30, MSG_IDENTITY = 0x31,
    MSG_OK = 0x80, MSG_HELLO_REPLY = 0x81, MSG_PONG = 0x82, MSG_ERROR = 0x83,
    MSG_STARTED = 0x90, MSG_STDOUT = 0x91, MSG_STDERR = 0x92, MSG_EXIT = 0x93,
    MSG_FILE_DATA = 0xA1,
};

enum tag {
    TAG_VERSION = 1, TAG_AGENT, TAG_ARGV, TAG_SHELL, TAG_ENV, TAG_CWD, TAG_STDIN, TAG_TIMEOUT_MS,
    TAG_MAX_OUTPUT, TAG_PATH, TAG_MODE, TAG_OFFSET, TAG_DATA, TAG_EXIT_CODE, TAG_SIGNAL, TAG_TIMED_OUT,
    TAG_STDOUT_TRUNCATED, TAG_STDERR_TRUNCATED, TAG_MESSAGE, TAG_TARGET, TAG_SIZE, TAG_PID,
    TAG_DURATION_MS, TAG_CODE, TAG_ENTROPY, TAG_TIME_NS, TAG_HOSTNAME, TAG_VM_ID,
};

static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* ---- outgoing: a message is one heap buffer holding the whole frame, and a node of the send queue */

struct msg {
    struct msg *next;
    uint8_t *buf;
    size_t len, cap, sent;
};

struct msg *msg_new(uint8_t type, uint32_t id, size_t payload_hint);
void msg_add(struct msg *m, uint8_t tag, const void *val, uint32_t len);
void msg_add_str(struct msg *m, uint8_t tag, const char *s);
void msg_add_u8(struct msg *m, uint8_t tag, uint8_t v);
void msg_add_u32(struct msg *m, uint8_t tag, uint32_t v);
void msg_add_u64(struct msg *m, uint8_t tag, uint64_t v);
void msg_free(struct msg *m);

/* ---- incoming: an incremental parser that never needs more than one frame in memory */

struct frame {
    uint8_t type;
    uint32_t id;
    const uint8_t *payload;
    uint32_t len;
};

enum parse_result {
    PARSE_MORE,          /* consumed everything, no event yet */
    PARSE_FRAME,         /* a whole frame is in *out (valid until the next parser call) */
    PARSE_TOO_LARGE,     /* the frame with out->type/out->id is too long; its bytes are being skipped */
    PARSE_BAD_LENGTH,    /* a length field below the minimum; those bytes are skipped */
};

struct parser {
    enum { P_LENGTH, P_HEAD, P_BODY, P_SKIP } state;
    uint8_t head[FRAME_HEADER];
    uint32_t length;     /* the frame's length field */
    uint32_t got;        /* bytes of the current state already read */
    uint64_t skip;       /* bytes left to drop in P_SKIP */
    uint8_t *body;
};

/* Consumes bytes from data[0..n) and stops after at most one event; *used says how many it took. */
enum parse_result parser_feed(struct parser *p, const uint8_t *data, size_t n, size_t *used, struct frame *out);
/* Drops any half-read frame (host disconnected). */
void parser_reset(struct parser *p);

/* ---- fields of a received payload */

struct field {
    uint8_t tag;
    uint32_t len;
    const uint8_t *val;
};

/* Reads the field at *pos and advances it: 1 = got one, 0 = end of payload, -1 = field runs past the end. */
int field_next(const struct frame *f, uint32_t *pos, struct field *out);
/* First field with this tag; 1 = found, 0 = absent (the payload must already be known to be well formed). */
int field_find(const struct frame *f, uint8_t tag, struct field *out);

#endif
