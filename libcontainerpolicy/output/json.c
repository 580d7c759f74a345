/* json.c - the report as JSON, in the shape of DESIGN section 6 (docs/cli.md). */
#include <string.h>

#include "../engine/report.h"
#include "../util/buf.h"
#include "stream.h"

/* A string literal, its length counted by the compiler. */
#define LIT(b, s) buf_put((b), (s), sizeof(s) - 1)

static size_t slen(const char *s) { return s ? strlen(s) : 4; }

static void str_or_null(buf *b, const char *s)
{
    if (s)
        buf_json_string(b, s, strlen(s));
    else
        LIT(b, "null");
}

static void render(const cpol_report *r, buf *b);

char *cpol_report_to_json(const cpol_report *r)
{
    if (!r)
        return NULL;
    buf b = BUF_INIT;
    /* the size without escapes, so the buffer is allocated once: growing an 8 MB report by
       doubling copied it and touched twice the pages (a third of a corpus scan's page faults) */
    size_t size = 512;
    for (size_t i = 0; i < r->n; i++) {
        const cpol_finding *f = &r->findings[i].f;
        size += 220 + slen(f->rule_id) + slen(f->title) + slen(f->message) + slen(f->file) +
                slen(f->object) + slen(f->remediation);
    }
    for (size_t i = 0; i < r->ndiags; i++)
        size += 96 + slen(r->diags[i].file) + slen(r->diags[i].message) +
                slen(r->diags[i].rule_id);
    buf_reserve(&b, size);
    render(r, &b);
    return buf_take(&b);
}

int cpol_report_write_json(const cpol_report *r, cpol_write_fn write, void *ud)
{
    if (!r || !write)
        return CPOL_EINVAL;
    return writer_run(r, render, write, ud);
}

static void render(const cpol_report *r, buf *b)
{
    buf_printf(b, "{\n  \"tool\": {\"name\": \"cpol\", \"version\": \"%s\"},\n  \"findings\": [",
               cpol_version());
    /* integers through buf_put_uint and literals with their length known: printf's parsing of
       the format cost as much as escaping the strings */
    for (size_t i = 0; i < r->n; i++) {
        const cpol_finding *f = &r->findings[i].f;
        if (i)
            LIT(b, ",\n    {\"rule_id\": ");
        else
            LIT(b, "\n    {\"rule_id\": ");
        str_or_null(b, f->rule_id);
        LIT(b, ", \"control\": ");
        buf_put_int(b, f->control);
        LIT(b, ", \"severity\": \"");
        buf_puts(b, cpol_severity_name(f->severity));
        LIT(b, "\", \"title\": ");
        str_or_null(b, f->title);
        LIT(b, ", \"message\": ");
        str_or_null(b, f->message);
        LIT(b, ", \"file\": ");
        str_or_null(b, f->file);
        LIT(b, ", \"line\": ");
        buf_put_uint(b, f->line);
        LIT(b, ", \"column\": ");
        buf_put_uint(b, f->column);
        LIT(b, ", \"object\": ");
        str_or_null(b, f->object);
        LIT(b, ", \"remediation\": ");
        str_or_null(b, f->remediation);
        if (f->suppressed)
            LIT(b, ", \"suppressed\": true}");
        else
            LIT(b, ", \"suppressed\": false}");
    }
    buf_puts(b, r->n ? "\n  ],\n  \"errors\": [" : "],\n  \"errors\": [");
    for (size_t i = 0; i < r->ndiags; i++) {
        const cpol_diag *d = &r->diags[i];
        buf_puts(b, i ? ",\n    {\"file\": " : "\n    {\"file\": ");
        str_or_null(b, d->file);
        LIT(b, ", \"line\": ");
        buf_put_uint(b, d->line);
        LIT(b, ", \"column\": ");
        buf_put_uint(b, d->column);
        LIT(b, ", \"rule_id\": ");
        str_or_null(b, d->rule_id);
        LIT(b, ", \"message\": ");
        str_or_null(b, d->message);
        buf_putc(b, '}');
    }
    buf_puts(b, r->ndiags ? "\n  ],\n" : "],\n");
    buf_printf(b,
               "  \"summary\": {\"files\": %zu, \"findings\": %zu, \"errors\": %zu, "
               "\"suppressed\": %zu}\n}\n",
               r->files, r->n - r->suppressed, r->ndiags, r->suppressed);
}
