/*
 * suppress.c - what the report needs from an input's raw text once the parsers are done with it:
 * `cpol:ignore` comments and a hash of the lines findings are on (for fingerprints that survive
 * unrelated edits). api.c hands each file's text here as it reads it; report_finish() matches
 * findings against it, hashes the lines it needs and then releases the text.
 *
 * Comment grammar (only `#` comments exist in our formats: Dockerfile, YAML, shell):
 *   comment  = "#" blanks "cpol:ignore" ["-file"] "=" id { "," blanks id } [ blanks reason ]
 *   id       = 1*( "A"-"Z" | "a"-"z" | "0"-"9" | "_" | "-" )     (upper-cased when compared)
 * A comment after code covers its own line; a comment on a line of its own covers the next line
 * that is not a comment (so several such comments can stack above one line); `-file` covers every
 * line of the file. JSON has no comments, so OCI config.json cannot carry suppressions.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../util/strhash.h"

#define MAX_IDS 64
#define MAX_REASON 512

uint64_t source_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) { /* unrolled: fingerprints hash every finding's path */
        h = (h ^ p[i]) * 0x100000001b3ULL;
        h = (h ^ p[i + 1]) * 0x100000001b3ULL;
        h = (h ^ p[i + 2]) * 0x100000001b3ULL;
        h = (h ^ p[i + 3]) * 0x100000001b3ULL;
    }
    for (; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static int id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* Hash of a line with leading and trailing blanks dropped and inner runs of blanks made one. */
static uint64_t line_hash(const char *s, size_t len)
{
    uint64_t h = SOURCE_HASH_INIT;
    size_t i = 0;
    int pending = 0;
    while (i < len && blank(s[i]))
        i++;
    for (; i < len; i++) {
        if (blank(s[i])) {
            pending = 1;
            continue;
        }
        if (pending)
            h = source_hash(h, " ", 1);
        pending = 0;
        h = source_hash(h, &s[i], 1);
    }
    return h;
}

/* 1 when the first non-blank byte of the line is '#'. */
static int comment_only(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && blank(s[i]))
        i++;
    return i < len && s[i] == '#';
}

/* Length of the line starting at off (without its '\n'). */
static size_t line_len(const char *s, size_t len, size_t off)
{
    const char *e = off < len ? memchr(s + off, '\n', len - off) : NULL;
    return e ? (size_t)(e - (s + off)) : len - off;
}

uint64_t source_line_hash(report_source *src, size_t line)
{
    if (!src->text || line < 1 || line > src->nlines)
        return 0;
    if (line == src->hashed_line)
        return src->hashed_value;
    if (line - 1 < src->at_line) {
        src->at_line = 0;
        src->at_off = 0;
    }
    while (src->at_line < line - 1) {
        const char *nl = memchr(src->text + src->at_off, '\n', src->len - src->at_off);
        if (!nl)
            return 0; /* cannot happen: nlines counted the newlines */
        src->at_off = (size_t)(nl - src->text) + 1;
        src->at_line++;
    }
    src->hashed_line = line;
    src->hashed_value =
        line_hash(src->text + src->at_off, line_len(src->text, src->len, src->at_off));
    return src->hashed_value;
}

void source_release(cpol_report *r)
{
    for (size_t i = 0; i < r->nsources; i++) {
        free(r->sources[i].text);
        r->sources[i].text = NULL;
    }
}

static const char *find_in(const char *s, size_t len, const char *what, size_t from)
{
    size_t wl = strlen(what);
    for (size_t i = from; i + wl <= len; i++)
        if (s[i] == what[0] && memcmp(s + i, what, wl) == 0)
            return s + i;
    return NULL;
}

/* Parse a `cpol:ignore` comment in the line; 1 and *ig filled (arena memory) when there is one. */
static int parse_ignore(arena *a, const char *s, size_t len, src_ignore *ig)
{
    static const char key[] = "cpol:ignore";
    size_t from = 0;
    const char *k;
    while ((k = find_in(s, len, key, from))) {
        size_t at = (size_t)(k - s);
        from = at + 1;
        size_t h = at;
        while (h > 0 && blank(s[h - 1]))
            h--;
        if (h == 0 || s[h - 1] != '#')
            continue;
        size_t i = at + sizeof key - 1;
        int file_level = 0;
        if (len - i >= 5 && memcmp(s + i, "-file", 5) == 0) {
            file_level = 1;
            i += 5;
        }
        if (i >= len || s[i] != '=')
            continue;
        i++;
        const char *ids[MAX_IDS];
        size_t nids = 0;
        for (;;) {
            size_t st = i;
            while (i < len && id_char(s[i]))
                i++;
            if (i == st)
                break;
            char *id = arena_strndup(a, s + st, i - st);
            if (!id)
                return 0;
            for (char *c = id; *c; c++)
                if (*c >= 'a' && *c <= 'z')
                    *c = (char)(*c - 32);
            if (nids < MAX_IDS)
                ids[nids++] = id;
            size_t j = i;
            if (j < len && s[j] == ',') {
                j++;
                while (j < len && blank(s[j]))
                    j++;
                i = j;
                continue;
            }
            break;
        }
        if (nids == 0)
            continue;
        while (i < len && blank(s[i]))
            i++;
        size_t end = len;
        while (end > i && blank(s[end - 1]))
            end--;
        memset(ig, 0, sizeof *ig); /* next_line stays 0 unless the comment stands alone */
        ig->col = (unsigned)(h - 1) + 1;
        ig->file_level = file_level;
        ig->nids = nids;
        ig->ids = arena_alloc(a, nids * sizeof *ig->ids);
        ig->used = arena_alloc(a, nids);
        ig->reason = arena_strndup(a, s + i, end - i > MAX_REASON ? MAX_REASON : end - i);
        if (!ig->ids || !ig->used || !ig->reason)
            return 0;
        memcpy(ig->ids, ids, nids * sizeof *ids);
        return 1;
    }
    return 0;
}

/* Where a `cpol:ignore` comment can start: '#', blanks, the key. Lines without one are never
   looked at, so the search runs over the whole text instead of line by line. */
static const char *next_candidate(const char *data, size_t len, size_t from)
{
    static const char key[] = "cpol:ignore";
    while (from < len) {
        const char *h = memchr(data + from, '#', len - from);
        if (!h)
            return NULL;
        size_t k = (size_t)(h - data) + 1;
        while (k < len && blank(data[k]))
            k++;
        if (len - k >= sizeof key - 1 && memcmp(data + k, key, sizeof key - 1) == 0)
            return h;
        from = (size_t)(h - data) + 1;
    }
    return NULL;
}

/* Record the file's `cpol:ignore` comments and the line each one covers; 0 when out of memory. */
static int add_ignores(cpol_report *r, report_source *src, const char *data, size_t len)
{
    size_t cap_ign = 0, line = 0, st = 0; /* line (0-based) starts at st */
    size_t *starts = NULL;                /* per comment: where its line starts */
    const char *h;
    for (size_t from = 0; (h = next_candidate(data, len, from));) {
        size_t at = (size_t)(h - data);
        const char *nl;
        while ((nl = memchr(data + st, '\n', at - st))) {
            st = (size_t)(nl - data) + 1;
            line++;
        }
        size_t l = line_len(data, len, st);
        from = st + l + 1;
        src_ignore ig;
        if (!parse_ignore(&r->a, data + st, l, &ig))
            continue;
        if (src->nign == cap_ign) {
            size_t cap = cap_ign ? cap_ign * 2 : 4;
            src_ignore *v = arena_grow(&r->a, src->ign, src->nign, cap, sizeof *v);
            size_t *sv = realloc(starts, cap * sizeof *sv);
            if (sv)
                starts = sv;
            if (!v || !sv) {
                free(starts);
                return 0;
            }
            src->ign = v;
            cap_ign = cap;
        }
        ig.line = (unsigned)(line + 1);
        starts[src->nign] = st;
        src->ign[src->nign++] = ig;
    }
    /* A comment on a line of its own covers the next line that is not a comment. Going backwards,
       a walk stops at the next comment's line at the latest, and takes that one's answer when it
       stands alone too: linear however many comments are stacked. */
    size_t below = 0;   /* what the comment after k covers (1-based line, 0 = none) */
    int below_only = 0; /* the comment after k stands alone */
    for (size_t k = src->nign; k-- > 0;) {
        src_ignore *ig = &src->ign[k];
        size_t l = line_len(data, len, starts[k]);
        int only = comment_only(data + starts[k], l);
        size_t target = 0;
        if (only) {
            size_t j = ig->line, off = starts[k] + l + 1; /* 0-based index of the next line */
            for (; j < src->nlines; j++) {
                if (k + 1 < src->nign && src->ign[k + 1].line == j + 1) {
                    target = below_only ? below : j + 1;
                    break;
                }
                size_t ll = line_len(data, len, off);
                if (!comment_only(data + off, ll)) {
                    target = j + 1;
                    break;
                }
                off += ll + 1;
            }
            if (!ig->file_level)
                ig->next_line = (unsigned)target;
        }
        below = target;
        below_only = only;
    }
    free(starts);
    return 1;
}

report_source *source_find(const cpol_report *r, const char *name)
{
    if (!name || !r->nsources || !r->source_index_cap)
        return NULL;
    size_t mask = r->source_index_cap - 1;
    for (size_t slot = str_hash(name) & mask; r->source_index[slot]; slot = (slot + 1) & mask)
        if (strcmp(r->sources[r->source_index[slot] - 1].name, name) == 0)
            return &r->sources[r->source_index[slot] - 1];
    return NULL;
}

void source_add(cpol_report *r, const char *name, const char *data, size_t len)
{
    if (!name)
        return;
    /* a file is read once per scan, but its name may come again (an override file named twice):
       a hash of the names keeps this check O(1) instead of a walk over every earlier file */
    if (r->nsources * 2 >= r->source_index_cap) {
        size_t cap = r->source_index_cap ? r->source_index_cap * 2 : 256;
        size_t *idx = calloc(cap, sizeof *idx);
        if (!idx) {
            r->failed = 1;
            return;
        }
        for (size_t i = 0; i < r->nsources; i++) {
            size_t h = str_hash(r->sources[i].name) & (cap - 1);
            while (idx[h])
                h = (h + 1) & (cap - 1);
            idx[h] = i + 1;
        }
        free(r->source_index);
        r->source_index = idx;
        r->source_index_cap = cap;
    }
    size_t slot = str_hash(name) & (r->source_index_cap - 1);
    for (; r->source_index[slot]; slot = (slot + 1) & (r->source_index_cap - 1))
        if (strcmp(r->sources[r->source_index[slot] - 1].name, name) == 0)
            return;
    if (r->nsources == r->cap_sources) {
        size_t cap = r->cap_sources ? r->cap_sources * 2 : 16;
        report_source *v = realloc(r->sources, cap * sizeof *v);
        if (!v) {
            r->failed = 1;
            return;
        }
        r->sources = v;
        r->cap_sources = cap;
    }
    report_source *src = &r->sources[r->nsources];
    memset(src, 0, sizeof *src);
    src->name = arena_strdup(&r->a, name);
    src->text = malloc(len ? len : 1);
    if (!src->name || !src->text) {
        free(src->text);
        src->text = NULL;
        r->failed = 1;
        return;
    }
    if (len)
        memcpy(src->text, data, len);
    src->len = len;
    size_t nlines = 1;
    for (const char *p = data, *e = data + len; p && p < e; p++)
        if ((p = memchr(p, '\n', (size_t)(e - p))))
            nlines++;
        else
            break;
    if (len > 0 && data[len - 1] == '\n')
        nlines--;
    src->nlines = nlines;
    if (!add_ignores(r, src, data, len)) {
        free(src->text);
        src->text = NULL;
        r->failed = 1;
        return;
    }
    if (r->a.failed) {
        free(src->text);
        src->text = NULL;
        r->failed = 1;
    } else {
        r->source_index[slot] = r->nsources + 1;
        r->nsources++;
    }
}
