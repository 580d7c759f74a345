/* stream.c - see stream.h. */
#include "stream.h"

typedef struct sink {
    cpol_write_fn write;
    void *ud;
    int failed; /* the caller's write refused a piece (as opposed to running out of memory) */
} sink;

static int to_sink(void *ud, const char *data, size_t len)
{
    sink *s = ud;
    if (s->write(s->ud, data, len) != 0) {
        s->failed = 1;
        return -1;
    }
    return 0;
}

int writer_run(const cpol_report *r, render_fn render, cpol_write_fn write, void *ud)
{
    sink s = {write, ud, 0};
    buf b;
    buf_sink_init(&b, 64 * 1024, to_sink, &s);
    if (b.failed) {
        buf_free(&b);
        return CPOL_ENOMEM;
    }
    render(r, &b);
    int rc = buf_flush(&b) == 0 ? 0 : s.failed ? CPOL_EIO : CPOL_ENOMEM;
    buf_free(&b);
    return rc;
}
