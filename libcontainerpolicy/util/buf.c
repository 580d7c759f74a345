/* buf.c - growable byte buffer (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_free(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static int reserve(buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    if (b->sink && b->len) {
        if (b->sink(b->sink_ud, b->data, b->len) != 0) {
            b->failed = 1;
            return 0;
        }
        b->len = 0;
        b->data[0] = '\0';
        if (extra + 1 <= b->cap)
            return 1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return 0;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void buf_sink_init(buf *b, size_t cap, buf_sink_fn sink, void *ud)
{
    buf empty = BUF_INIT;
    *b = empty;
    b->data = malloc(cap ? cap : 1);
    if (!b->data)
        b->failed = 1;
    else {
        b->data[0] = '\0';
        b->cap = cap ? cap : 1;
    }
    b->sink = sink;
    b->sink_ud = ud;
}

int buf_flush(buf *b)
{
    if (!b->failed && b->sink && b->len) {
        if (b->sink(b->sink_ud, b->data, b->len) != 0)
            b->failed = 1;
        b->len = 0;
        b->data[0] = '\0';
    }
    return b->failed ? -1 : 0;
}

int buf_reserve(buf *b, size_t extra)
{
    return reserve(b, extra);
}

void buf_put(buf *b, const char *s, size_t len)
{
    if (!reserve(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
    buf_put(b, &c, 1);
}

void buf_printf(buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        buf_put(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        min = 0x80;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        min = 0x800;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        min = 0x10000;
        c &= 0x07;
    } else
        return 0;
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return n;
}

void buf_put_uint(buf *b, unsigned long long v)
{
    char t[24];
    size_t n = sizeof t;
    do {
        t[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_put(b, t + n, sizeof t - n);
}

void buf_put_int(buf *b, long long v)
{
    if (v < 0) {
        buf_putc(b, '-');
        buf_put_uint(b, 0ULL - (unsigned long long)v);
    } else {
        buf_put_uint(b, (unsigned long long)v);
    }
}

static int plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* Length of the prefix of p that goes into a JSON string as it is. Most text is plain ASCII, so
   eight bytes are checked at once: a byte >= 0x80 has its top bit set in w; for bytes below 0x80,
   a byte < 0x20 sets it in w - 0x20.., and a '"' or '\\' (a zero byte of q or s) in q - 0x01..
   or s - 0x01.. (a borrow only spreads upwards from a byte that matched, so no match is missed;
   a false alarm only sends the word to the byte loop). */
static size_t plain_run(const unsigned char *p, size_t len)
{
    const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
    size_t i = 0;
    while (len - i >= 8) {
        uint64_t w, q, s;
        memcpy(&w, p + i, 8);
        q = w ^ (lo * '"');
        s = w ^ (lo * '\\');
        if ((w | (w - lo * 0x20) | (q - lo) | (s - lo)) & hi)
            break;
        i += 8;
    }
    while (i < len && plain(p[i]))
        i++;
    return i;
}

void buf_json_string(buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    if (!reserve(b, len + 2))
        return;
    size_t i = plain_run(p, len);
    if (i == len) { /* the common case: nothing to escape, room reserved above */
        char *o = b->data + b->len;
        o[0] = '"';
        if (len)
            memcpy(o + 1, s, len);
        o[len + 1] = '"';
        o[len + 2] = '\0';
        b->len += len + 2;
        return;
    }
    buf_putc(b, '"');
    buf_put(b, s, i);
    while (i < len) {
        size_t n = plain_run(p + i, len - i);
        if (n) {
            buf_put(b, s + i, n);
            i += n;
            continue;
        }
        unsigned char c = p[i];
        if (c >= 0x80) {
            n = utf8_len(p + i, len - i);
            if (n == 0) {
                buf_put(b, "\\ufffd", 6);
                i++;
            } else {
                buf_put(b, s + i, n);
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"': buf_put(b, "\\\"", 2); break;
        case '\\': buf_put(b, "\\\\", 2); break;
        case '\n': buf_put(b, "\\n", 2); break;
        case '\r': buf_put(b, "\\r", 2); break;
        case '\t': buf_put(b, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_put(b, u, sizeof u);
            break;
        }
        }
        i++;
    }
    buf_putc(b, '"');
}

char *buf_take(buf *b)
{
    if (b->failed) {
        buf_free(b);
        b->failed = 0;
        return NULL;
    }
    if (!b->data)
        buf_put(b, "", 0);
    char *d = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
