/*
 * junit.c - the report as JUnit XML for CI test dashboards: a testsuite per file read, a failing
 * testcase per unsuppressed finding, a passing one for a clean file, an error testcase per
 * diagnostic. Text is made safe for XML 1.0: invalid UTF-8 and the control characters XML
 * forbids become U+FFFD.
 */
#include <stdint.h>
#include <stdlib.h>
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

/* Characters that stand for themselves in attributes and text. */
static int xml_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

/* Length of the prefix of p made of xml_plain bytes, eight at a time while it lasts: a byte
   >= 0x80 or < 0x20, or a zero byte in w xor one of the five special characters, sets that byte's
   top bit in the test below (as in buf_json_string; a false alarm only ends the word loop). */
static size_t xml_run(const unsigned char *p, size_t n)
{
    const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
    size_t i = 0;
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t t = w | (w - lo * 0x20);
        t |= (w ^ (lo * '&')) - lo;
        t |= (w ^ (lo * '<')) - lo;
        t |= (w ^ (lo * '>')) - lo;
        t |= (w ^ (lo * '"')) - lo;
        t |= (w ^ (lo * '\'')) - lo;
        if (t & hi)
            break;
        i += 8;
    }
    while (i < n && xml_plain(p[i]))
        i++;
    return i;
}

static void xml(buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (xml_plain(c)) { /* a run at once: most text needs no escaping */
            size_t j = i + xml_run(p + i, n - i);
            buf_put(b, (const char *)p + i, j - i);
            i = j;
            continue;
        }
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

#define LIT(b, s) buf_put((b), (s), sizeof(s) - 1)

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Index of file among the sorted distinct names, or nnames when it is not one of them. */
static size_t name_id(const char *const *names, size_t nnames, const char *file)
{
    if (!file || !nnames)
        return nnames;
    const char *const *hit = bsearch(&file, names, nnames, sizeof *names, cmp_name);
    return hit ? (size_t)(hit - names) : nnames;
}

/* Stable grouping of items by id (0..nids-1): on return first[id]..first[id+1] index `order`. */
static int group(const size_t *id, size_t n, size_t nids, size_t **first, size_t **order)
{
    *first = calloc(nids + 2, sizeof **first);
    *order = malloc((n ? n : 1) * sizeof **order);
    if (!*first || !*order)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (id[i] < nids)
            (*first)[id[i] + 2]++;
    for (size_t k = 2; k < nids + 2; k++)
        (*first)[k] += (*first)[k - 1];
    for (size_t i = 0; i < n; i++)
        if (id[i] < nids)
            (*order)[(*first)[id[i] + 1]++] = i;
    return 1;
}

static void failure_case(buf *b, const cpol_finding *f)
{
    const char *sev = cpol_severity_name(f->severity);
    LIT(b, "    <testcase classname=\"");
    xml(b, f->file);
    LIT(b, "\" name=\"");
    buf_puts(b, f->rule_id);
    buf_putc(b, ' ');
    buf_put_uint(b, f->line);
    buf_putc(b, ':');
    buf_put_uint(b, f->column);
    buf_putc(b, ' ');
    xml(b, f->title);
    LIT(b, "\" file=\"");
    xml(b, f->file);
    LIT(b, "\" line=\"");
    buf_put_uint(b, f->line);
    LIT(b, "\">\n      <failure type=\"");
    buf_puts(b, sev);
    LIT(b, "\" message=\"");
    xml(b, f->message);
    LIT(b, "\">");
    xml(b, f->file);
    buf_putc(b, ':');
    buf_put_uint(b, f->line);
    buf_putc(b, ':');
    buf_put_uint(b, f->column);
    LIT(b, ": ");
    buf_puts(b, sev);
    buf_putc(b, ' ');
    buf_puts(b, f->rule_id);
    buf_putc(b, ' ');
    xml(b, f->message);
    if (f->object && *f->object) {
        LIT(b, " [");
        xml(b, f->object);
        buf_putc(b, ']');
    }
    LIT(b, "\nfix: ");
    xml(b, f->remediation);
    LIT(b, "</failure>\n    </testcase>\n");
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
    /* Each finding and diagnostic goes to the suites of the files with its name, in report order.
       They are grouped by name once instead of every suite walking every finding. */
    size_t nn = 0, *fid = NULL, *did = NULL, *ff = NULL, *fo = NULL, *df = NULL, *dord = NULL;
    const char **names = malloc((r->nfile_names ? r->nfile_names : 1) * sizeof *names);
    fid = malloc((r->n ? r->n : 1) * sizeof *fid);
    did = malloc((r->ndiags ? r->ndiags : 1) * sizeof *did);
    if (!names || !fid || !did)
        goto oom;
    for (size_t i = 0; i < r->nfile_names; i++)
        names[i] = r->file_names[i];
    if (r->nfile_names > 1)
        qsort(names, r->nfile_names, sizeof *names, cmp_name);
    for (size_t i = 0; i < r->nfile_names; i++)
        if (!nn || strcmp(names[nn - 1], names[i]) != 0)
            names[nn++] = names[i];
    const char *last = NULL;
    size_t last_id = nn;
    for (size_t i = 0; i < r->n; i++) {
        const char *file = r->findings[i].f.file;
        if (!last || !file || strcmp(last, file) != 0) {
            last = file;
            last_id = name_id(names, nn, file);
        }
        fid[i] = r->findings[i].f.suppressed ? nn + 1 : last_id; /* nn: not scanned */
    }
    for (size_t i = 0; i < r->ndiags; i++)
        did[i] = name_id(names, nn, r->diags[i].file);
    if (!group(fid, r->n, nn + 1, &ff, &fo) || !group(did, r->ndiags, nn + 1, &df, &dord))
        goto oom;
    for (size_t s = 0; s < r->nfile_names; s++) {
        const char *name = r->file_names[s];
        size_t id = name_id(names, nn, name);
        size_t nf = ff[id + 1] - ff[id], ne = df[id + 1] - df[id];
        buf cases = BUF_INIT;
        for (size_t k = ff[id]; k < ff[id + 1]; k++)
            failure_case(&cases, &r->findings[fo[k]].f);
        for (size_t k = df[id]; k < df[id + 1]; k++)
            error_case(&cases, name, &r->diags[dord[k]]);
        if (!nf && !ne) {
            LIT(&cases, "    <testcase classname=\"");
            xml(&cases, name);
            LIT(&cases, "\" name=\"no findings\"/>\n");
        }
        size_t nt = nf + ne + (!nf && !ne);
        LIT(&body, "  <testsuite name=\"");
        xml(&body, name);
        LIT(&body, "\" tests=\"");
        buf_put_uint(&body, nt);
        LIT(&body, "\" failures=\"");
        buf_put_uint(&body, nf);
        LIT(&body, "\" errors=\"");
        buf_put_uint(&body, ne);
        LIT(&body, "\">\n");
        if (cases.data)
            buf_put(&body, cases.data, cases.len);
        if (cases.failed)
            body.failed = 1;
        buf_free(&cases);
        LIT(&body, "  </testsuite>\n");
        tests += nt;
        failures += nf;
        errors += ne;
    }
    /* findings in files that were not scanned themselves (a Dockerfile a compose file builds) and
       diagnostics about no scanned file */
    size_t nf = ff[nn + 1] - ff[nn], ne = df[nn + 1] - df[nn];
    buf cases = BUF_INIT;
    for (size_t k = ff[nn]; k < ff[nn + 1]; k++)
        failure_case(&cases, &r->findings[fo[k]].f);
    for (size_t k = df[nn]; k < df[nn + 1]; k++) {
        const cpol_diag *d = &r->diags[dord[k]];
        error_case(&cases, d->file ? d->file : "cpol", d);
    }
    if (nf || ne) {
        buf_printf(&body, "  <testsuite name=\"cpol\" tests=\"%zu\" failures=\"%zu\" "
                          "errors=\"%zu\">\n",
                   nf + ne, nf, ne);
        if (cases.data)
            buf_put(&body, cases.data, cases.len);
        LIT(&body, "  </testsuite>\n");
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
        buf_put(&b, body.data, body.len);
    if (body.failed)
        b.failed = 1;
    buf_free(&body);
    LIT(&b, "</testsuites>\n");
    goto done;
oom:
    b.failed = 1;
done:
    free(names);
    free(fid);
    free(did);
    free(ff);
    free(fo);
    free(df);
    free(dord);
    return buf_take(&b);
}
