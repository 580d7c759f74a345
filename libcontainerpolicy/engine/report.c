/* report.c - findings and diagnostics of one scan (see report.h); read via cpol_report_*.
   report_finish() applies what the sources say (suppressions, line texts) and the baseline. */
#include <stdint.h>
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

/* keep() for strings that repeat from finding to finding: the same rule, file or container
   comes back with the same pointer, so a small cache keyed by the pointer saves the copies. */
static const char *keep_shared(cpol_report *r, const char *s)
{
    if (!s)
        return NULL;
    size_t slot = (size_t)(((uintptr_t)s * 0x9E3779B97F4A7C15ULL) >> 58) & 63;
    const char *k = r->kept[slot];
    if (k && strcmp(k, s) == 0)
        return k;
    k = arena_strdup(&r->a, s);
    if (k)
        r->kept[slot] = k;
    return k;
}

static uint64_t key_hash(const cpol_finding *f);

static finding_rec *add_rec(cpol_report *r, const cpol_finding *f, size_t file_order);

void report_add_finding(cpol_report *r, const cpol_finding *f, size_t file_order)
{
    finding_rec *d = add_rec(r, f, file_order);
    if (d)
        d->key_hash = key_hash(&d->f);
}

void report_add_finding_rec(cpol_report *r, const finding_rec *from)
{
    finding_rec *d = add_rec(r, &from->f, from->file_order);
    if (d)
        d->key_hash = from->key_hash;
}

/* Append a copy of f (its strings kept in r); NULL when out of memory. */
static finding_rec *add_rec(cpol_report *r, const cpol_finding *f, size_t file_order)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        finding_rec *v = realloc(r->findings, cap * sizeof *v);
        if (!v) {
            r->failed = 1;
            return NULL;
        }
        r->findings = v;
        r->cap = cap;
    }
    finding_rec *d = &r->findings[r->n];
    d->f = *f;
    d->f.rule_id = keep_shared(r, f->rule_id);
    d->f.title = keep_shared(r, f->title);
    d->f.message = keep(r, f->message);
    d->f.file = keep_shared(r, f->file);
    d->f.object = keep_shared(r, f->object);
    d->f.remediation = keep_shared(r, f->remediation);
    d->file_order = file_order;
    d->fingerprint = NULL;
    d->suppress_reason = NULL;
    d->src = NULL;
    if (r->a.failed) {
        r->failed = 1;
        return NULL;
    }
    r->n++;
    return d;
}

static int cmp_findings(const void *pa, const void *pb)
{
    const finding_rec *a = pa, *b = pb;
    if (a->file_order != b->file_order)
        return a->file_order < b->file_order ? -1 : 1;
    /* files are kept once (keep_shared), so equal names are mostly the same pointer */
    const char *fa = a->f.file ? a->f.file : "", *fb = b->f.file ? b->f.file : "";
    int c = fa == fb ? 0 : strcmp(fa, fb);
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

/* cmp_findings on pointers into one array, ties broken by position: the same order as a stable
   sort of the records themselves, without moving ~100-byte records at every merge step. */
static int cmp_finding_ptrs(const void *pa, const void *pb)
{
    const finding_rec *a = *(const finding_rec *const *)pa, *b = *(const finding_rec *const *)pb;
    int c = cmp_findings(a, b);
    return c ? c : a < b ? -1 : a > b;
}

/* Sort the findings (stable). 0, or -1 when out of memory (then the order is unchanged).
   Findings arrive grouped by file but not in file order (worker threads, project rules): they
   are first counted into their file's place (file_order is the first key), and only each
   file's findings are sorted by the rest of the key. */
static int sort_findings(cpol_report *r)
{
    size_t nfiles = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->findings[i].file_order >= nfiles)
            nfiles = r->findings[i].file_order + 1;
    if (nfiles == 0 || nfiles > r->n + (1u << 20))
        nfiles = 1; /* not a file index (no caller does this): one group, the whole key */
    size_t *start = calloc(nfiles + 1, sizeof *start);
    finding_rec **p = malloc(r->n * sizeof *p);
    if (!start || !p) {
        free(start);
        free(p);
        return -1;
    }
#define GROUP(i) (nfiles == 1 ? 0 : r->findings[i].file_order)
    for (size_t i = 0; i < r->n; i++)
        start[GROUP(i) + 1]++;
    for (size_t f = 0; f < nfiles; f++)
        start[f + 1] += start[f];
    for (size_t i = 0; i < r->n; i++) /* in array order: stable */
        p[start[GROUP(i)]++] = &r->findings[i];
#undef GROUP
    for (size_t f = 0, from = 0; f < nfiles; f++) { /* start[f] is now the end of file f */
        if (start[f] - from > 1)
            qsort(p + from, start[f] - from, sizeof *p, cmp_finding_ptrs);
        from = start[f];
    }
    /* move the records into place along the permutation's cycles: p[k] is the record that
       belongs at k; a placed position is marked NULL. No second array of records (17 MB of
       fresh pages on the ten-times corpus). */
    finding_rec *v = r->findings;
    for (size_t k = 0; k < r->n; k++) {
        if (!p[k] || p[k] == &v[k]) {
            p[k] = NULL;
            continue;
        }
        finding_rec tmp = v[k];
        size_t j = k;
        for (;;) {
            size_t from = (size_t)(p[j] - v);
            p[j] = NULL;
            if (from == k) {
                v[j] = tmp;
                break;
            }
            v[j] = v[from];
            j = from;
        }
    }
    free(start);
    free(p);
    return 0;
}

/* Findings that say the same thing at the same place are one finding: a pod-level setting
   is seen by every container of the pod, but it is written once. */
static int same_finding(const cpol_finding *a, const cpol_finding *b)
{
    return a->line == b->line && a->column == b->column && strcmp(a->rule_id, b->rule_id) == 0 &&
           strcmp(a->file ? a->file : "", b->file ? b->file : "") == 0 &&
           strcmp(a->message, b->message) == 0;
}

void report_add_file(cpol_report *r, const char *name)
{
    if (r->nfile_names == r->cap_file_names) {
        size_t cap = r->cap_file_names ? r->cap_file_names * 2 : 32;
        const char **v = realloc(r->file_names, cap * sizeof *v);
        if (!v) {
            r->failed = 1;
            return;
        }
        r->file_names = v;
        r->cap_file_names = cap;
    }
    const char *k = keep(r, name ? name : "");
    if (!k) {
        r->failed = 1;
        return;
    }
    r->file_names[r->nfile_names++] = k;
}

void report_add_rule(cpol_report *r, const report_rule *rule)
{
    report_rule *v = arena_grow(&r->a, r->rules, r->nrules, r->nrules + 1, sizeof *v);
    if (!v) {
        r->failed = 1;
        return;
    }
    r->rules = v;
    report_rule *d = &v[r->nrules];
    *d = *rule;
    d->id = keep(r, rule->id);
    d->title = keep(r, rule->title);
    d->description = keep(r, rule->description);
    d->remediation = keep(r, rule->remediation);
    d->references = keep(r, rule->references);
    if (r->a.failed)
        r->failed = 1;
    else
        r->nrules++;
}

static int covers(const src_ignore *ig, unsigned line)
{
    return ig->file_level || ig->line == line || (ig->next_line && ig->next_line == line);
}

static void apply_suppressions(cpol_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        finding_rec *fr = &r->findings[i];
        report_source *src = fr->src;
        for (size_t k = 0; src && k < src->nign; k++) {
            src_ignore *ig = &src->ign[k];
            if (!covers(ig, fr->f.line))
                continue;
            for (size_t j = 0; j < ig->nids; j++)
                if (strcmp(ig->ids[j], fr->f.rule_id) == 0) {
                    ig->used[j] = 1;
                    if (!fr->f.suppressed) {
                        fr->f.suppressed = 1;
                        fr->suppress_reason = ig->reason;
                    }
                }
        }
        if (fr->f.suppressed)
            r->suppressed++;
    }
}

static void collect_unused(cpol_report *r)
{
    size_t n = 0;
    for (size_t s = 0; s < r->nsources; s++)
        for (size_t k = 0; k < r->sources[s].nign; k++)
            for (size_t j = 0; j < r->sources[s].ign[k].nids; j++)
                n += !r->sources[s].ign[k].used[j];
    if (!n)
        return;
    r->unused = arena_alloc(&r->a, n * sizeof *r->unused);
    if (!r->unused) {
        r->failed = 1;
        return;
    }
    /* in scan order of the files, then line: the order a reader goes through them */
    for (size_t f = 0; f < r->nfile_names; f++) {
        report_source *src = source_find(r, r->file_names[f]);
        if (!src)
            continue;
        for (size_t k = 0; k < src->nign; k++) {
            src_ignore *ig = &src->ign[k];
            for (size_t j = 0; j < ig->nids; j++) {
                if (ig->used[j] || r->nunused == n)
                    continue;
                ig->used[j] = 2; /* listed */
                cpol_diag *d = &r->unused[r->nunused++];
                d->file = src->name;
                d->line = ig->line;
                d->column = ig->col;
                d->rule_id = ig->ids[j];
                d->message = arena_printf(&r->a, "cpol:ignore%s=%s matches no %s finding %s",
                                          ig->file_level ? "-file" : "", ig->ids[j], ig->ids[j],
                                          ig->file_level ? "in this file" : "here");
            }
        }
    }
    if (r->a.failed)
        r->failed = 1;
}

/* Fingerprints: rule, file, object and the finding's line text, plus the rank among findings
   that agree on all of these (two secrets on one line). Never the line number or the message
   (messages may quote line numbers). */
static const char *plain_path(const char *p)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    return p;
}

/* Tells apart findings whose hash is equal: the rank of each among the earlier findings (in
   report order) with the same hash, counted in an open-addressing table. */
typedef struct fp_count {
    uint64_t h;
    size_t n; /* findings seen with this hash; 0 = free slot */
} fp_count;

/* The part of a fingerprint that needs no source text: rule id, path and object. */
static uint64_t key_hash(const cpol_finding *f)
{
    const char *file = plain_path(f->file ? f->file : "");
    uint64_t h = SOURCE_HASH_INIT;
    h = source_hash(h, f->rule_id, strlen(f->rule_id) + 1);
    h = source_hash(h, file, strlen(file) + 1);
    return source_hash(h, f->object ? f->object : "", strlen(f->object ? f->object : "") + 1);
}

static void fingerprint(cpol_report *r)
{
    static const char hex[] = "0123456789abcdef";
    if (!r->n)
        return;
    size_t cap = 16;
    while (cap < 2 * r->n)
        cap *= 2;
    uint64_t *k = malloc(r->n * sizeof *k);
    fp_count *seen = calloc(cap, sizeof *seen);
    char *text = arena_alloc(&r->a, r->n * 17);
    if (!k || !seen || !text) {
        free(k);
        free(seen);
        r->failed = 1;
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const cpol_finding *f = &r->findings[i].f;
        uint64_t h = r->findings[i].key_hash;
        report_source *src = r->findings[i].src;
        uint64_t lh = src ? source_line_hash(src, f->line) : 0;
        unsigned char b[8];
        for (int j = 0; j < 8; j++)
            b[j] = (unsigned char)(lh >> (8 * j));
        k[i] = source_hash(h, b, sizeof b);
    }
    for (size_t i = 0; i < r->n; i++) {
        size_t slot = (size_t)(k[i] ^ (k[i] >> 32)) & (cap - 1);
        while (seen[slot].n && seen[slot].h != k[i])
            slot = (slot + 1) & (cap - 1);
        size_t rank = seen[slot].n++;
        seen[slot].h = k[i];
        unsigned char b[8];
        for (int j = 0; j < 8; j++)
            b[j] = (unsigned char)(rank >> (8 * j));
        uint64_t h = source_hash(k[i], b, sizeof b);
        char *fp = text + 17 * i;
        for (int j = 0; j < 16; j++)
            fp[j] = hex[(h >> (60 - 4 * j)) & 15];
        fp[16] = '\0';
        r->findings[i].fingerprint = fp;
    }
    free(k);
    free(seen);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Leave out unsuppressed findings whose fingerprint the baseline holds. */
static void apply_baseline(cpol_report *r, const char *const *baseline, size_t nbaseline)
{
    if (!baseline || !nbaseline)
        return;
    size_t out = 0;
    for (size_t i = 0; i < r->n; i++) {
        finding_rec *fr = &r->findings[i];
        const char *fp = fr->fingerprint;
        if (fp && !fr->f.suppressed &&
            bsearch(&fp, baseline, nbaseline, sizeof *baseline, cmp_str)) {
            r->baselined++;
            continue;
        }
        r->findings[out++] = *fr;
    }
    r->n = out;
}

void report_finish(cpol_report *r, const char *const *baseline, size_t nbaseline)
{
    if (r->n > 1 && sort_findings(r) != 0) {
        r->failed = 1;
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (kept && same_finding(&r->findings[kept - 1].f, &r->findings[i].f))
            continue;
        r->findings[kept++] = r->findings[i];
    }
    r->n = kept;
    /* each finding's source, looked up once; findings of one file are neighbours now */
    report_source *last = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const char *file = r->findings[i].f.file;
        if (!last || !file || strcmp(last->name, file) != 0)
            last = source_find(r, file);
        r->findings[i].src = last;
    }
    r->suppressed = 0;
    apply_suppressions(r);
    collect_unused(r);
    fingerprint(r);
    source_release(r);
    apply_baseline(r, baseline, nbaseline);
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
    source_release(r);
    free(r->sources);
    free(r->source_index);
    free(r->file_names);
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

const char *cpol_report_fingerprint(const cpol_report *r, size_t i)
{
    return r && i < r->n ? r->findings[i].fingerprint : NULL;
}

size_t cpol_report_suppressed_count(const cpol_report *r) { return r ? r->suppressed : 0; }

size_t cpol_report_baselined_count(const cpol_report *r) { return r ? r->baselined : 0; }

size_t cpol_report_unused_ignore_count(const cpol_report *r) { return r ? r->nunused : 0; }

const cpol_diag *cpol_report_unused_ignore(const cpol_report *r, size_t i)
{
    return r && i < r->nunused ? &r->unused[i] : NULL;
}
