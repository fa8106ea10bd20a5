#include "proto.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct msg *msg_new(uint8_t type, uint32_t id, size_t payload_hint)
{
    struct msg *m = xcalloc(1, sizeof *m);
    m->cap = FRAME_HEADER + payload_hint;
    m->buf = xmalloc(m->cap);
    m->len = FRAME_HEADER;
    put_be32(m->buf, FRAME_MIN_LENGTH);
    m->buf[4] = type;
    put_be32(m->buf + 5, id);
    return m;
}

void msg_add(struct msg *m, uint8_t tag, const void *val, uint32_t len)
{
    size_t need = m->len + 5 + len;
    if (need > m->cap) {
        m->cap = need > 2 * m->cap ? need : 2 * m->cap;
        m->buf = xrealloc(m->buf, m->cap);
    }
    m->buf[m->len] = tag;
    put_be32(m->buf + m->len + 1, len);
    if (len)
        memcpy(m->buf + m->len + 5, val, len);
    m->len = need;
    put_be32(m->buf, (uint32_t)(m->len - 4));
}

void msg_add_str(struct msg *m, uint8_t tag, const char *s)
{
    msg_add(m, tag, s, (uint32_t)strlen(s));
}

void msg_add_u8(struct msg *m, uint8_t tag, uint8_t v)
{
    msg_add(m, tag, &v, 1);
}

void msg_add_u32(struct msg *m, uint8_t tag, uint32_t v)
{
    uint8_t b[4];
    put_be32(b, v);
    msg_add(m, tag, b, 4);
}

void msg_add_u64(struct msg *m, uint8_t tag, uint64_t v)
{
    uint8_t b[8];
    put_be32(b, (uint32_t)(v >> 32));
    put_be32(b + 4, (uint32_t)v);
    msg_add(m, tag, b, 8);
}

void msg_free(struct msg *m)
{
    if (m) {
        free(m->buf);
        free(m);
    }
}

void parser_reset(struct parser *p)
{
    free(p->body);
    memset(p, 0, sizeof *p);
    p->state = P_LENGTH;
}

/* Copies up to `want - p->got` bytes into dst; returns how many it took. */
static size_t fill(struct parser *p, uint8_t *dst, uint32_t want, const uint8_t *data, size_t n)
{
    size_t take = want - p->got;
    if (take > n)
        take = n;
    memcpy(dst + p->got, data, take);
    p->got += (uint32_t)take;
    return take;
}

/* Hands the finished frame to the caller; the body stays the parser's until its next call. */
static enum parse_result complete(struct parser *p, struct frame *out)
{
    out->type = p->head[4];
    out->id = get_be32(p->head + 5);
    out->len = p->length - FRAME_MIN_LENGTH;
    out->payload = p->body;
    p->state = P_LENGTH;
    p->got = 0;
    return PARSE_FRAME;
}

enum parse_result parser_feed(struct parser *p, const uint8_t *data, size_t n, size_t *used, struct frame *out)
{
    if (p->state == P_LENGTH && p->body) {
        free(p->body);
        p->body = NULL;
    }
    size_t pos = 0;
    enum parse_result r = PARSE_MORE;
    while (pos < n && r == PARSE_MORE) {
        switch (p->state) {
        case P_LENGTH:
            pos += fill(p, p->head, 4, data + pos, n - pos);
            if (p->got < 4)
                break;
            p->length = get_be32(p->head);
            if (p->length < FRAME_MIN_LENGTH) {
                /* Too short to hold a type and an id: drop what it claims and say so. */
                p->state = P_SKIP;
                p->skip = p->length;
                r = PARSE_BAD_LENGTH;
            } else {
                p->state = P_HEAD;
            }
            break;
        case P_HEAD: {
            pos += fill(p, p->head, FRAME_HEADER, data + pos, n - pos);
            if (p->got < FRAME_HEADER)
                break;
            uint32_t len = p->length - FRAME_MIN_LENGTH;
            p->got = 0;
            if (len > MAX_PAYLOAD) {
                out->type = p->head[4];
                out->id = get_be32(p->head + 5);
                out->len = len;
                out->payload = NULL;
                p->state = P_SKIP;
                p->skip = len;
                r = PARSE_TOO_LARGE;
            } else if (len == 0) {
                r = complete(p, out);
            } else {
                p->state = P_BODY;
                p->body = xmalloc(len);
            }
            break;
        }
        case P_BODY:
            pos += fill(p, p->body, p->length - FRAME_MIN_LENGTH, data + pos, n - pos);
            if (p->got == p->length - FRAME_MIN_LENGTH)
                r = complete(p, out);
            break;
        case P_SKIP: {
            size_t take = n - pos < p->skip ? n - pos : (size_t)p->skip;
            pos += take;
            p->skip -= take;
            break;
        }
        }
        if (p->state == P_SKIP && p->skip == 0) {
            p->state = P_LENGTH;
            p->got = 0;
        }
    }
    *used = pos;
    return r;
}

int field_next(const struct frame *f, uint32_t *pos, struct field *out)
{
    if (*pos == f->len)
        return 0;
    if (f->len - *pos < 5)
        return -1;
    const uint8_t *p = f->payload + *pos;
    uint32_t len = get_be32(p + 1);
    if (len > f->len - *pos - 5)
        return -1;
    out->tag = p[0];
    out->len = len;
    out->val = p + 5;
    *pos += 5 + len;
    return 1;
}

int field_find(const struct frame *f, uint8_t tag, struct field *out)
{
    uint32_t pos = 0;
    while (field_next(f, &pos, out) == 1)
        if (out->tag == tag)
            return 1;
    return 0;
}
