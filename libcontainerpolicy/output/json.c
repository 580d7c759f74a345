/* json.c - the report as JSON, in the shape of DESIGN section 6 (docs/cli.md). */
#include <string.h>

#include "../engine/report.h"
#include "../util/buf.h"

static void str_or_null(buf *b, const char *s)
{
    if (s)
        buf_json_string(b, s, strlen(s));
    else
        buf_puts(b, "null");
}

char *cpol_report_to_json(const cpol_report *r)
{
    if (!r)
        return NULL;
    buf b = BUF_INIT;
    buf_printf(&b, "{\n  \"tool\": {\"name\": \"cpol\", \"version\": \"%s\"},\n  \"findings\": [",
               cpol_version());
    for (size_t i = 0; i < r->n; i++) {
        const cpol_finding *f = &r->findings[i].f;
        buf_puts(&b, i ? ",\n    {" : "\n    {");
        buf_puts(&b, "\"rule_id\": ");
        str_or_null(&b, f->rule_id);
        buf_printf(&b, ", \"control\": %d, \"severity\": \"%s\", \"title\": ", f->control,
                   cpol_severity_name(f->severity));
        str_or_null(&b, f->title);
        buf_puts(&b, ", \"message\": ");
        str_or_null(&b, f->message);
        buf_puts(&b, ", \"file\": ");
        str_or_null(&b, f->file);
        buf_printf(&b, ", \"line\": %u, \"column\": %u, \"object\": ", f->line, f->column);
        str_or_null(&b, f->object);
        buf_puts(&b, ", \"remediation\": ");
        str_or_null(&b, f->remediation);
        buf_printf(&b, ", \"suppressed\": %s}", f->suppressed ? "true" : "false");
    }
    buf_puts(&b, r->n ? "\n  ],\n  \"errors\": [" : "],\n  \"errors\": [");
    for (size_t i = 0; i < r->ndiags; i++) {
        const cpol_diag *d = &r->diags[i];
        buf_puts(&b, i ? ",\n    {\"file\": " : "\n    {\"file\": ");
        str_or_null(&b, d->file);
        buf_printf(&b, ", \"line\": %u, \"column\": %u, \"rule_id\": ", d->line, d->column);
        str_or_null(&b, d->rule_id);
        buf_puts(&b, ", \"message\": ");
        str_or_null(&b, d->message);
        buf_putc(&b, '}');
    }
    buf_puts(&b, r->ndiags ? "\n  ],\n" : "],\n");
    buf_printf(&b,
               "  \"summary\": {\"files\": %zu, \"findings\": %zu, \"errors\": %zu, "
               "\"suppressed\": %zu}\n}\n",
               r->files, r->n - r->suppressed, r->ndiags, r->suppressed);
    return buf_take(&b);
}
