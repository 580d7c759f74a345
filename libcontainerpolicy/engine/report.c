/* report.c - findings and diagnostics of one scan (see report.h); read via cpol_report_*. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

cpol_report *report_new(void)
{
    cpol_report *r = calloc(1, sizeof *r);
    if (r)
        arena_init(&r->a);
    return r;
}

static const char *keep(cpol_report *r, const char *s)
{
    return s ? arena_strdup(&r->a, s) : NULL;
}

void report_add_finding(cpol_report *r, const cpol_finding *f, size_t file_order)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        finding_rec *v = realloc(r->findings, cap * sizeof *v);
        if (!v) {
            r->failed = 1;
            return;
        }
        r->findings = v;
        r->cap = cap;
    }
    finding_rec *d = &r->findings[r->n];
    d->f = *f;
    d->f.rule_id = keep(r, f->rule_id);
    d->f.title = keep(r, f->title);
    d->f.message = keep(r, f->message);
    d->f.file = keep(r, f->file);
    d->f.object = keep(r, f->object);
    d->f.remediation = keep(r, f->remediation);
    d->file_order = file_order;
    if (r->a.failed) {
        r->failed = 1;
        return;
    }
    if (f->suppressed)
        r->suppressed++;
    r->n++;
}

static int cmp_findings(const void *pa, const void *pb)
{
    const finding_rec *a = pa, *b = pb;
    if (a->file_order != b->file_order)
        return a->file_order < b->file_order ? -1 : 1;
    int c = strcmp(a->f.file ? a->f.file : "", b->f.file ? b->f.file : "");
    if (c)
        return c;
    if (a->f.line != b->f.line)
        return a->f.line < b->f.line ? -1 : 1;
    if (a->f.column != b->f.column)
        return a->f.column < b->f.column ? -1 : 1;
    c = strcmp(a->f.rule_id, b->f.rule_id);
    if (c)
        return c;
    return strcmp(a->f.message, b->f.message);
}

/* Findings that say the same thing at the same place are one finding: a pod-level setting
   is seen by every container of the pod, but it is written once. */
static int same_finding(const cpol_finding *a, const cpol_finding *b)
{
    return a->line == b->line && a->column == b->column && strcmp(a->rule_id, b->rule_id) == 0 &&
           strcmp(a->file ? a->file : "", b->file ? b->file : "") == 0 &&
           strcmp(a->message, b->message) == 0;
}

void report_finish(cpol_report *r)
{
    if (r->n > 1)
        qsort(r->findings, r->n, sizeof(finding_rec), cmp_findings);
    size_t kept = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (kept && same_finding(&r->findings[kept - 1].f, &r->findings[i].f)) {
            if (r->findings[i].f.suppressed)
                r->suppressed--;
            continue;
        }
        r->findings[kept++] = r->findings[i];
    }
    r->n = kept;
    free(r->diags);
    r->diags = calloc(r->sink.n ? r->sink.n : 1, sizeof(cpol_diag));
    if (!r->diags) {
        r->failed = 1;
        r->ndiags = 0;
        return;
    }
    for (size_t i = 0; i < r->sink.n; i++) {
        r->diags[i].file = r->sink.v[i].file;
        r->diags[i].line = r->sink.v[i].line;
        r->diags[i].column = r->sink.v[i].col;
        r->diags[i].rule_id = r->sink.v[i].rule_id;
        r->diags[i].message = r->sink.v[i].message;
    }
    r->ndiags = r->sink.n;
}

void cpol_report_free(cpol_report *r)
{
    if (!r)
        return;
    arena_free(&r->a);
    free(r->findings);
    free(r->sorted);
    free(r->diags);
    diag_free(&r->sink);
    free(r->tool_version);
    free(r);
}

size_t cpol_report_count(const cpol_report *r) { return r ? r->n : 0; }

const cpol_finding *cpol_report_finding(const cpol_report *r, size_t i)
{
    return r && i < r->n ? &r->findings[i].f : NULL;
}

size_t cpol_report_error_count(const cpol_report *r) { return r ? r->ndiags : 0; }

const cpol_diag *cpol_report_error(const cpol_report *r, size_t i)
{
    return r && i < r->ndiags ? &r->diags[i] : NULL;
}

size_t cpol_report_file_count(const cpol_report *r) { return r ? r->files : 0; }

int cpol_report_incomplete(const cpol_report *r) { return r && (r->ndiags > 0 || r->failed); }
