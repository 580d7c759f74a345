/* buf.h - growable byte buffer used by writers and by parsers that build strings. */
#ifndef CPOL_BUF_H
#define CPOL_BUF_H

#include <stddef.h>

/* Where a streaming buffer's full contents go: 0 when all len bytes were taken. */
typedef int (*buf_sink_fn)(void *ud, const char *data, size_t len);

typedef struct buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len, cap;
    int failed; /* an allocation (or the sink) failed; further appends are ignored */
    /* when set, a full buffer is handed to sink and emptied instead of grown: a writer of any
       size then holds cap bytes, not the whole text (buf_sink_init, buf_flush) */
    buf_sink_fn sink;
    void *sink_ud;
} buf;

#define BUF_INIT {NULL, 0, 0, 0, NULL, NULL}

/* A buffer that streams to sink in pieces of about `cap` bytes. */
void buf_sink_init(buf *b, size_t cap, buf_sink_fn sink, void *ud);
/* Hand what is buffered to the sink. 0, or -1 when the sink or an allocation failed. */
int buf_flush(buf *b);

void buf_free(buf *b);
void buf_put(buf *b, const char *s, size_t len);
/* Make room for `extra` more bytes now (a writer that knows its size grows the buffer once
   instead of copying it at every doubling). 0 when out of memory (the buffer is then failed). */
int buf_reserve(buf *b, size_t extra);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Append an integer in decimal (what "%llu" / "%lld" print, without printf's cost). */
void buf_put_uint(buf *b, unsigned long long v);
void buf_put_int(buf *b, long long v);
/* Append s as a JSON string literal (quotes included); invalid UTF-8 becomes U+FFFD. */
void buf_json_string(buf *b, const char *s, size_t len);
/* Hand the data to the caller (malloc'd, NUL-terminated) and reset b. NULL if failed. */
char *buf_take(buf *b);

#endif
