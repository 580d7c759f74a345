/*
 * sarif.c - the report as SARIF 2.1.0 for code-scanning services: one run, tool.driver.rules from
 * the rules' metadata (with security-severity so services can rank them), one result per finding
 * (suppressed ones carry an inSource suppression), diagnostics as tool execution notifications.
 * Columns count code points (columnKind), as our parsers report them.
 */
#include <string.h>

#include "../engine/report.h"
#include "../util/buf.h"
#include "stream.h"

static void jstr(buf *b, const char *s)
{
    buf_json_string(b, s ? s : "", strlen(s ? s : ""));
}

static const char *level_of(cpol_severity s)
{
    return s >= CPOL_SEVERITY_HIGH ? "error" : s == CPOL_SEVERITY_MEDIUM ? "warning" : "note";
}

/* GitHub ranks 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low; info gets none. */
static const char *security_severity(cpol_severity s)
{
    switch (s) {
    case CPOL_SEVERITY_CRITICAL: return "9.5";
    case CPOL_SEVERITY_HIGH: return "8.0";
    case CPOL_SEVERITY_MEDIUM: return "5.5";
    case CPOL_SEVERITY_LOW: return "3.0";
    default: return NULL;
    }
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '/';
}

/* A path as a URI reference: relative paths stay relative (to %SRCROOT%), absolute ones become
   file:// URIs; bytes outside the unreserved set and '/' are percent-encoded. */
static void uri(buf *b, const char *path, int *relative)
{
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    *relative = path[0] != '/';
    buf_putc(b, '"');
    if (!*relative)
        buf_puts(b, "file://");
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)path;
    while (*p) {
        const unsigned char *q = p; /* a run of bytes that stay as they are, appended at once */
        while (unreserved(*q))
            q++;
        if (q > p) {
            buf_put(b, (const char *)p, (size_t)(q - p));
            p = q;
            continue;
        }
        char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        buf_put(b, e, sizeof e);
        p++;
    }
    buf_putc(b, '"');
}

static void location(buf *b, const char *file, unsigned line, unsigned col)
{
    int rel;
    buf_puts(b, "{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
    uri(b, file, &rel);
    if (rel)
        buf_puts(b, ", \"uriBaseId\": \"%SRCROOT%\"");
    buf_putc(b, '}');
    if (line) {
        buf_puts(b, ", \"region\": {\"startLine\": ");
        buf_put_uint(b, line);
        if (col) {
            buf_puts(b, ", \"startColumn\": ");
            buf_put_uint(b, col);
        }
        buf_putc(b, '}');
    }
    buf_puts(b, "}}");
}

static void rule_entry(buf *b, const report_rule *r)
{
    buf_puts(b, "{\"id\": ");
    jstr(b, r->id);
    buf_puts(b, ",\n          \"shortDescription\": {\"text\": ");
    jstr(b, r->title);
    buf_puts(b, "},\n          \"fullDescription\": {\"text\": ");
    jstr(b, r->description && *r->description ? r->description : r->title);
    buf_puts(b, "},\n          \"help\": {\"text\": ");
    buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s\n\nFix: %s", r->description && *r->description ? r->description : r->title,
               r->remediation ? r->remediation : "");
    jstr(b, tmp.data);
    buf_free(&tmp);
    buf_puts(b, ", \"markdown\": ");
    buf_printf(&tmp, "%s\n\n**Fix:** %s", r->description && *r->description ? r->description
                                                                             : r->title,
               r->remediation ? r->remediation : "");
    if (r->references && *r->references) {
        buf_puts(&tmp, "\n\nReferences:");
        for (const char *s = r->references; *s;) {
            const char *nl = strchr(s, '\n');
            size_t len = nl ? (size_t)(nl - s) : strlen(s);
            buf_printf(&tmp, "\n- %.*s", (int)len, s);
            s += len + (nl ? 1 : 0);
        }
    }
    jstr(b, tmp.data);
    if (tmp.failed)
        b->failed = 1;
    buf_free(&tmp);
    buf_putc(b, '}');
    if (r->references && *r->references) {
        const char *nl = strchr(r->references, '\n');
        size_t len = nl ? (size_t)(nl - r->references) : strlen(r->references);
        buf_puts(b, ",\n          \"helpUri\": ");
        buf_json_string(b, r->references, len);
    }
    buf_printf(b, ",\n          \"defaultConfiguration\": {\"level\": \"%s\"}",
               level_of(r->severity));
    buf_puts(b, ",\n          \"properties\": {");
    const char *ss = security_severity(r->severity);
    if (ss)
        buf_printf(b, "\"security-severity\": \"%s\", ", ss);
    buf_printf(b, "\"severity\": \"%s\", \"control\": %d, \"tags\": [\"security\", \"container\"]}}",
               cpol_severity_name(r->severity), r->control);
}

static void render(const cpol_report *r, buf *b)
{
    buf_puts(b, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                 "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n");
    buf_printf(b,
               "      \"tool\": {\"driver\": {\"name\": \"cpol\", \"version\": \"%s\", "
               "\"semanticVersion\": \"%s\",\n        \"rules\": [",
               cpol_version(), cpol_version());
    for (size_t i = 0; i < r->nrules; i++) {
        buf_puts(b, i ? ",\n         " : "\n         ");
        rule_entry(b, &r->rules[i]);
    }
    buf_puts(b, r->nrules ? "\n        ]}},\n" : "]}},\n");
    buf_puts(b, "      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [");
    const char *last_id = NULL;
    size_t rule_index = r->nrules;
    for (size_t i = 0; i < r->n; i++) {
        const finding_rec *fr = &r->findings[i];
        const cpol_finding *f = &fr->f;
        buf_puts(b, i ? ",\n        {\"ruleId\": " : "\n        {\"ruleId\": ");
        jstr(b, f->rule_id);
        if (!last_id || strcmp(last_id, f->rule_id) != 0) { /* findings of a rule come in runs */
            last_id = f->rule_id;
            rule_index = r->nrules;
            for (size_t k = 0; k < r->nrules; k++)
                if (strcmp(r->rules[k].id, f->rule_id) == 0) {
                    rule_index = k;
                    break;
                }
        }
        if (rule_index < r->nrules) {
            buf_puts(b, ", \"ruleIndex\": ");
            buf_put_uint(b, rule_index);
        }
        buf_puts(b, ", \"level\": \"");
        buf_puts(b, level_of(f->severity));
        buf_puts(b, "\", \"message\": {\"text\": ");
        jstr(b, f->message);
        buf_puts(b, "},\n         \"locations\": [");
        location(b, f->file ? f->file : "", f->line, f->column);
        buf_puts(b, "]");
        if (fr->fingerprint) {
            buf_puts(b, ",\n         \"partialFingerprints\": {\"cpolFingerprint/v1\": \"");
            buf_puts(b, fr->fingerprint);
            buf_puts(b, "\"}");
        }
        if (f->suppressed) {
            buf_puts(b, ",\n         \"suppressions\": [{\"kind\": \"inSource\"");
            if (fr->suppress_reason && *fr->suppress_reason) {
                buf_puts(b, ", \"justification\": ");
                jstr(b, fr->suppress_reason);
            }
            buf_puts(b, "}]");
        }
        buf_puts(b, ",\n         \"properties\": {\"severity\": \"");
        buf_puts(b, cpol_severity_name(f->severity));
        buf_puts(b, "\", \"object\": ");
        jstr(b, f->object);
        buf_puts(b, "}}");
    }
    buf_puts(b, r->n ? "\n      ],\n" : "],\n");
    buf_printf(b, "      \"invocations\": [{\"executionSuccessful\": %s, "
                   "\"toolExecutionNotifications\": [",
               r->ndiags || r->failed ? "false" : "true");
    for (size_t i = 0; i < r->ndiags; i++) {
        const cpol_diag *d = &r->diags[i];
        buf_puts(b, i ? ",\n        {\"level\": \"error\", \"message\": {\"text\": "
                       : "\n        {\"level\": \"error\", \"message\": {\"text\": ");
        jstr(b, d->message);
        buf_putc(b, '}');
        if (d->file) {
            buf_puts(b, ", \"locations\": [");
            location(b, d->file, d->line, d->column);
            buf_putc(b, ']');
        }
        if (d->rule_id) {
            buf_puts(b, ", \"associatedRule\": {\"id\": ");
            jstr(b, d->rule_id);
            buf_putc(b, '}');
        }
        buf_putc(b, '}');
    }
    buf_puts(b, r->ndiags ? "\n      ]}]\n    }\n  ]\n}\n" : "]}]\n    }\n  ]\n}\n");
}

char *cpol_report_to_sarif(const cpol_report *r)
{
    if (!r)
        return NULL;
    buf b = BUF_INIT;
    render(r, &b);
    return buf_take(&b);
}

int cpol_report_write_sarif(const cpol_report *r, cpol_write_fn write, void *ud)
{
    if (!r || !write)
        return CPOL_EINVAL;
    return writer_run(r, render, write, ud);
}
