/*
 * junit.c - the report as JUnit XML for CI test dashboards: a testsuite per file read, a failing
 * testcase per unsuppressed finding, a passing one for a clean file, an error testcase per
 * diagnostic. Text is made safe for XML 1.0: invalid UTF-8 and the control characters XML
 * forbids become U+FFFD.
 */
#include <string.h>

#include "../engine/report.h"
#include "../util/buf.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        len = 2, min = 0x80, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        len = 3, min = 0x800, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0)
        len = 4, min = 0x10000, c &= 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF)
        return 0;
    return len;
}

static void xml(buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t l = utf8_seq(p + i, n - i);
            if (l) {
                buf_put(b, (const char *)p + i, l);
                i += l;
            } else {
                buf_puts(b, "\xEF\xBF\xBD");
                i++;
            }
            continue;
        }
        switch (c) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&apos;"); break;
        case '\n': buf_puts(b, "&#10;"); break;
        case '\t': buf_puts(b, "&#9;"); break;
        case '\r': buf_puts(b, "&#13;"); break;
        default:
            if (c < 0x20)
                buf_puts(b, "\xEF\xBF\xBD");
            else
                buf_putc(b, (char)c);
        }
        i++;
    }
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static int is_scanned(const cpol_report *r, const char *file)
{
    for (size_t i = 0; i < r->nfile_names; i++)
        if (same(r->file_names[i], file))
            return 1;
    return 0;
}

static void failure_case(buf *b, const cpol_finding *f)
{
    buf_puts(b, "    <testcase classname=\"");
    xml(b, f->file);
    buf_printf(b, "\" name=\"%s %u:%u ", f->rule_id, f->line, f->column);
    xml(b, f->title);
    buf_puts(b, "\" file=\"");
    xml(b, f->file);
    buf_printf(b, "\" line=\"%u\">\n      <failure type=\"%s\" message=\"",
               f->line, cpol_severity_name(f->severity));
    xml(b, f->message);
    buf_puts(b, "\">");
    xml(b, f->file);
    buf_printf(b, ":%u:%u: %s %s ", f->line, f->column, cpol_severity_name(f->severity),
               f->rule_id);
    xml(b, f->message);
    if (f->object && *f->object) {
        buf_puts(b, " [");
        xml(b, f->object);
        buf_putc(b, ']');
    }
    buf_puts(b, "\nfix: ");
    xml(b, f->remediation);
    buf_puts(b, "</failure>\n    </testcase>\n");
}

static void error_case(buf *b, const char *suite, const cpol_diag *d)
{
    buf_puts(b, "    <testcase classname=\"");
    xml(b, suite);
    buf_printf(b, "\" name=\"%s %u:%u\">\n      <error message=\"",
               d->rule_id ? "rule failed" : "input error", d->line, d->column);
    xml(b, d->message);
    buf_puts(b, "\">");
    xml(b, d->message);
    buf_puts(b, "</error>\n    </testcase>\n");
}

char *cpol_report_to_junit(const cpol_report *r)
{
    if (!r)
        return NULL;
    buf b = BUF_INIT, body = BUF_INIT;
    size_t tests = 0, failures = 0, errors = 0;
    for (size_t s = 0; s < r->nfile_names; s++) {
        const char *name = r->file_names[s];
        size_t nf = 0, ne = 0;
        buf cases = BUF_INIT;
        for (size_t i = 0; i < r->n; i++)
            if (!r->findings[i].f.suppressed && same(r->findings[i].f.file, name)) {
                failure_case(&cases, &r->findings[i].f);
                nf++;
            }
        for (size_t i = 0; i < r->ndiags; i++)
            if (same(r->diags[i].file, name)) {
                error_case(&cases, name, &r->diags[i]);
                ne++;
            }
        if (!nf && !ne) {
            buf_puts(&cases, "    <testcase classname=\"");
            xml(&cases, name);
            buf_puts(&cases, "\" name=\"no findings\"/>\n");
        }
        size_t nt = nf + ne + (!nf && !ne);
        buf_puts(&body, "  <testsuite name=\"");
        xml(&body, name);
        buf_printf(&body, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", nt, nf, ne);
        if (cases.data)
            buf_puts(&body, cases.data);
        if (cases.failed)
            body.failed = 1;
        buf_free(&cases);
        buf_puts(&body, "  </testsuite>\n");
        tests += nt;
        failures += nf;
        errors += ne;
    }
    /* findings in files that were not scanned themselves (a Dockerfile a compose file builds) and
       diagnostics about no scanned file */
    size_t nf = 0, ne = 0;
    buf cases = BUF_INIT;
    for (size_t i = 0; i < r->n; i++)
        if (!r->findings[i].f.suppressed && !is_scanned(r, r->findings[i].f.file)) {
            failure_case(&cases, &r->findings[i].f);
            nf++;
        }
    for (size_t i = 0; i < r->ndiags; i++)
        if (!is_scanned(r, r->diags[i].file)) {
            error_case(&cases, r->diags[i].file ? r->diags[i].file : "cpol", &r->diags[i]);
            ne++;
        }
    if (nf || ne) {
        buf_printf(&body, "  <testsuite name=\"cpol\" tests=\"%zu\" failures=\"%zu\" "
                          "errors=\"%zu\">\n",
                   nf + ne, nf, ne);
        if (cases.data)
            buf_puts(&body, cases.data);
        buf_puts(&body, "  </testsuite>\n");
        tests += nf + ne;
        failures += nf;
        errors += ne;
    }
    if (cases.failed)
        body.failed = 1;
    buf_free(&cases);
    buf_printf(&b,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"cpol\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
               tests, failures, errors);
    if (body.data)
        buf_puts(&b, body.data);
    if (body.failed)
        b.failed = 1;
    buf_free(&body);
    buf_puts(&b, "</testsuites>\n");
    return buf_take(&b);
}
