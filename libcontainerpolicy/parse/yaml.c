/*
 * yaml.c - YAML loader (see yaml.h): libyaml's event stream -> yv trees in the document arena,
 * for parse/compose.c, parse/k8s.c and parse/workflow.c. No I/O, no model nodes here.
 *
 * Grammar: libyaml's parser yields, per stream,
 *   stream   ::= STREAM-START document* STREAM-END
 *   document ::= DOCUMENT-START node DOCUMENT-END
 *   node     ::= ALIAS | SCALAR | SEQUENCE-START node* SEQUENCE-END
 *              | MAPPING-START (node node)* MAPPING-END
 * and we follow it with an explicit stack of open collections (never recursion: libyaml has no
 * nesting limit, so 100,000 `[` must not reach the C stack) whose children wait on one shared item
 * stack until their collection ends and gets an exact-size arena array.
 *
 * Aliases are the one way a small input becomes a big tree, so every value knows its weight (values
 * below it, expansions included) and each alias adds its target's weight to a per-document budget.
 * Anchors are registered when their node STARTS, with no value yet: an alias that meets such an
 * anchor points into a value still being built (`&a [*a]`), which we refuse instead of making a
 * cycle.
 */
#include "yaml.h"
#include "../util/strhash.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define DEF_DEPTH 256u
#define DEF_ALIAS 10000u
#define DEF_DOCS 10000u
#define CORE_TAG "tag:yaml.org,2002:"

typedef struct frame {
    yv *node;
    size_t first;      /* its first child in items[] */
    size_t anchor_def; /* definition number of its anchor, 0 when none */
    size_t anchor_slot;
} frame;

/* Anchors of the current document: open addressing, stale entries told apart by generation. */
typedef struct anchor_ent {
    const char *name;
    yv *val;     /* NULL while the anchored collection is being built */
    size_t def;  /* which `&name` wrote this entry, so a redefinition inside keeps its own */
    unsigned gen;
} anchor_ent;

/* Map keys during one map's completion, same scheme. */
typedef struct key_ent {
    unsigned gen;
    size_t idx;
} key_ent;

typedef struct loader {
    parse_ctx *ctx;
    const char *data;
    size_t len;
    unsigned max_depth, max_docs;
    size_t max_alias;
    int merge_keys;

    frame *frames;
    size_t nframes, capframes;
    yv **items;
    size_t nitems, capitems;

    anchor_ent *anch;
    size_t anch_cap, anch_n, next_def;
    unsigned anch_gen;

    key_ent *keys;
    size_t keys_cap;
    unsigned keys_gen;

    yaml_doc *docs;
    size_t ndocs, capdocs;
    unsigned docs_seen;
    size_t expanded; /* values reached through aliases in this document */
    int failed;      /* loading stopped; a diagnostic was written */
} loader;

static void oom(loader *L)
{
    if (!L->failed)
        diag_add(L->ctx->diags, L->ctx->file, 0, 0, "out of memory while reading YAML");
    L->failed = 1;
}

static void *grow(loader *L, void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    if (nc > SIZE_MAX / elem) {
        oom(L);
        return NULL;
    }
    void *np = realloc(p, nc * elem);
    if (!np) {
        oom(L);
        return NULL;
    }
    *cap = nc;
    return np;
}

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* ---- positions ---- */

static unsigned clamp_u(size_t v)
{
    return v >= UINT_MAX ? UINT_MAX : (unsigned)v;
}

/*
 * libyaml's reader reports a byte offset, not a mark. Turn it into line:col the way libyaml counts
 * (characters, BOM not counted). Line breaks: LF, CRLF, lone CR.
 */
static void offset_pos(const loader *L, size_t off, unsigned *line, unsigned *col)
{
    const unsigned char *d = (const unsigned char *)L->data;
    size_t ln = 1, start = 0;
    if (off > L->len)
        off = L->len;
    for (size_t i = 0; i < off; i++) {
        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= L->len || d[i + 1] != '\n'))) {
            ln++;
            start = i + 1;
        }
    }
    if (start == 0 && L->len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF && off >= 3)
        start = 3;
    size_t c = 1;
    for (size_t i = start; i < off; i++)
        if ((d[i] & 0xC0) != 0x80)
            c++;
    *line = clamp_u(ln);
    *col = clamp_u(c);
}

/* The byte at a libyaml mark (0-based line, column in characters), or -1. */
static int byte_at_mark(const loader *L, size_t mline, size_t mcol)
{
    const unsigned char *d = (const unsigned char *)L->data;
    size_t i = 0, ln = 0;
    if (L->len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        i = 3;
    while (ln < mline && i < L->len) {
        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= L->len || d[i + 1] != '\n')))
            ln++;
        i++;
    }
    for (size_t c = 0; c < mcol && i < L->len; c++) {
        i++;
        while (i < L->len && (d[i] & 0xC0) == 0x80)
            i++;
    }
    return i < L->len ? d[i] : -1;
}

static void report_libyaml(loader *L, const yaml_parser_t *p)
{
    unsigned line, col;
    char msg[512];
    const char *problem = p->problem ? p->problem : "unknown YAML error";
    L->failed = 1;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        diag_add(L->ctx->diags, L->ctx->file, 0, 0, "out of memory while reading YAML");
        return;
    case YAML_READER_ERROR:
        if (strstr(problem, "UTF-8")) {
            /* libyaml names the bad trailing byte; people look for the character it belongs to */
            const unsigned char *d = (const unsigned char *)L->data;
            size_t end = p->problem_offset < L->len ? p->problem_offset : L->len, at = end;
            while (strstr(problem, "trailing") && at > 0 && end - at < 3) {
                at--; /* back over the sequence's continuation bytes to its lead byte */
                if ((d[at] & 0xC0) != 0x80)
                    break;
            }
            char hex[16] = "";
            size_t hl = 0;
            for (size_t i = at; i <= end && i < L->len && hl + 4 < sizeof hex; i++)
                hl += (size_t)snprintf(hex + hl, sizeof hex - hl, "%s%02X", hl ? " " : "", d[i]);
            offset_pos(L, at, &line, &col);
            diag_add(L->ctx->diags, L->ctx->file, line, col,
                     "invalid UTF-8 at byte offset %zu (bytes %s: %s); YAML input must be UTF-8",
                     at, hl ? hex : "none", problem);
        } else if (strstr(problem, "control characters")) {
            offset_pos(L, p->problem_offset, &line, &col);
            diag_add(L->ctx->diags, L->ctx->file, line, col,
                     "control character U+%04X is not allowed in YAML (byte offset %zu)",
                     (unsigned)p->problem_value, p->problem_offset);
        } else {
            offset_pos(L, p->problem_offset, &line, &col);
            diag_add(L->ctx->diags, L->ctx->file, line, col, "%s (byte offset %zu)", problem,
                     p->problem_offset);
        }
        return;
    default:
        break;
    }
    line = clamp_u(p->problem_mark.line + 1);
    col = clamp_u(p->problem_mark.column + 1);
    const char *hint = "";
    if (byte_at_mark(L, p->problem_mark.line, p->problem_mark.column) == '\t')
        hint = " (a tab: YAML indents with spaces only)";
    if (p->context && (p->context_mark.line != p->problem_mark.line ||
                       p->context_mark.column != p->problem_mark.column))
        snprintf(msg, sizeof msg, "%s%s (%s started at line %zu, column %zu)", problem, hint,
                 p->context, p->context_mark.line + 1, p->context_mark.column + 1);
    else
        snprintf(msg, sizeof msg, "%s%s", problem, hint);
    diag_add(L->ctx->diags, L->ctx->file, line, col, "%s", msg);
}

/* ---- anchors ---- */

static anchor_ent *anchor_find(loader *L, const char *name, size_t *slot)
{
    if (!L->anch_cap)
        return NULL;
    size_t mask = L->anch_cap - 1, n = strlen(name);
    for (size_t i = str_hash_n(name, n) & mask;; i = (i + 1) & mask) {
        anchor_ent *e = &L->anch[i];
        if (e->gen != L->anch_gen)
            return *slot = i, NULL;
        if (strcmp(e->name, name) == 0)
            return *slot = i, e;
    }
}

/* Define `&name` (val NULL while its collection is open); returns the definition number. */
static size_t anchor_define(loader *L, const char *name, yv *val, size_t *slot_out)
{
    if ((L->anch_n + 1) * 2 > L->anch_cap) {
        size_t nc = L->anch_cap ? L->anch_cap * 2 : 64;
        anchor_ent *old = L->anch;
        size_t oldcap = L->anch_cap;
        anchor_ent *nt = calloc(nc, sizeof *nt);
        if (!nt) {
            oom(L);
            return 0;
        }
        L->anch = nt;
        L->anch_cap = nc;
        for (size_t i = 0; i < oldcap; i++) {
            if (old[i].gen != L->anch_gen)
                continue;
            size_t s;
            anchor_find(L, old[i].name, &s);
            L->anch[s] = old[i];
        }
        free(old);
        /* definition slots held by open frames moved: find them again by name */
        for (size_t f = 0; f < L->nframes; f++) {
            if (L->frames[f].anchor_def && L->frames[f].node->anchor)
                anchor_find(L, L->frames[f].node->anchor, &L->frames[f].anchor_slot);
        }
    }
    size_t slot;
    anchor_ent *e = anchor_find(L, name, &slot);
    if (!e) {
        e = &L->anch[slot];
        L->anch_n++;
    }
    e->name = name;
    e->val = val;
    e->gen = L->anch_gen;
    e->def = ++L->next_def;
    if (slot_out)
        *slot_out = slot;
    return e->def;
}

static void anchors_reset(loader *L)
{
    L->anch_gen++;
    L->anch_n = 0;
    if (L->anch_gen == 0) { /* wrapped: old entries would look current */
        memset(L->anch, 0, L->anch_cap * sizeof *L->anch);
        L->anch_gen = 1;
    }
}

/* ---- values ---- */

static yv *new_yv(loader *L, int kind, const yaml_mark_t *m, const yaml_char_t *tag,
                  const yaml_char_t *anchor)
{
    arena *a = L->ctx->a;
    yv *v = arena_alloc(a, sizeof *v);
    if (!v)
        return oom(L), NULL;
    v->kind = (unsigned char)kind;
    v->line = clamp_u(m->line + 1);
    v->col = clamp_u(m->column + 1);
    v->weight = 1;
    if (tag && !(v->tag = arena_strdup(a, (const char *)tag)))
        return oom(L), NULL;
    if (anchor && !(v->anchor = arena_strdup(a, (const char *)anchor)))
        return oom(L), NULL;
    return v;
}

static int push_item(loader *L, yv *v)
{
    yv **ni = grow(L, L->items, &L->capitems, L->nitems + 1, sizeof *ni);
    if (!ni)
        return -1;
    L->items = ni;
    L->items[L->nitems++] = v;
    return 0;
}

static int is_merge_key(const loader *L, const yv *k)
{
    return L->merge_keys && k->kind == YV_SCALAR && k->style == YV_PLAIN && k->u.str.len == 2 &&
           memcmp(k->u.str.s, "<<", 2) == 0 &&
           (!k->tag || strcmp(k->tag, CORE_TAG "merge") == 0);
}

/* Where a value was written in THIS place: an alias points at its `*name`, not at the anchor. */
static unsigned use_line(const yv *v)
{
    return v->flags & YV_ALIAS ? v->ref_line : v->line;
}

static unsigned use_col(const yv *v)
{
    return v->flags & YV_ALIAS ? v->ref_col : v->col;
}

static const char *kind_name(const yv *v)
{
    return v->kind == YV_MAP ? "a map" : v->kind == YV_SEQ ? "a sequence" : "a scalar";
}

/* Look key up among pairs (indices into out); insert it as idx when absent. */
static key_ent *key_slot(loader *L, const yv_pair *out, const yv *key, size_t idx, int *found)
{
    size_t mask = L->keys_cap - 1;
    for (size_t i = str_hash_n(key->u.str.s, key->u.str.len) & mask;; i = (i + 1) & mask) {
        key_ent *e = &L->keys[i];
        if (e->gen != L->keys_gen) {
            e->gen = L->keys_gen;
            e->idx = idx;
            *found = 0;
            return e;
        }
        const yv *o = out[e->idx].key;
        if (o->u.str.len == key->u.str.len &&
            memcmp(o->u.str.s, key->u.str.s, key->u.str.len) == 0) {
            *found = 1;
            return e;
        }
    }
}

static int keys_prepare(loader *L, size_t n)
{
    size_t need = 16;
    while (need < n * 2 + 2) {
        if (need > SIZE_MAX / 4)
            return oom(L), -1;
        need *= 2;
    }
    if (need > L->keys_cap) {
        free(L->keys);
        L->keys = calloc(need, sizeof *L->keys);
        if (!L->keys) {
            L->keys_cap = 0;
            return oom(L), -1;
        }
        L->keys_cap = need;
        L->keys_gen = 0;
    }
    if (++L->keys_gen == 0) {
        memset(L->keys, 0, L->keys_cap * sizeof *L->keys);
        L->keys_gen = 1;
    }
    return 0;
}

/* Count the pairs `<<` would bring in (and say what cannot be merged). */
static size_t merge_count(loader *L, const yv *val, int report)
{
    size_t m = 0;
    if (val->kind == YV_MAP)
        return val->u.map.n;
    if (val->kind == YV_SEQ) {
        for (size_t i = 0; i < val->u.seq.n; i++) {
            const yv *s = val->u.seq.v[i];
            if (s->kind == YV_MAP)
                m = sat_add(m, s->u.map.n);
            else if (report)
                diag_add(L->ctx->diags, L->ctx->file, use_line(s), use_col(s),
                         "merge key `<<` lists %s, not a map; ignored", kind_name(s));
        }
        return m;
    }
    if (report)
        diag_add(L->ctx->diags, L->ctx->file, use_line(val), use_col(val),
                 "merge key `<<` needs a map or a list of maps, not %s; ignored", kind_name(val));
    return 0;
}

static void merge_from(loader *L, const yv *src, yv_pair *out, size_t *nout)
{
    for (size_t j = 0; j < src->u.map.n; j++) {
        int found;
        const yv_pair *pr = &src->u.map.v[j];
        key_slot(L, out, pr->key, *nout, &found);
        if (!found)
            out[(*nout)++] = *pr;
    }
}

/*
 * Complete a map from its items (key, value, key, value...): drop non-scalar keys, resolve
 * duplicates (the later pair wins, in the first one's place), apply `<<`.
 */
static int finish_map(loader *L, yv *map, size_t first)
{
    yv **it = L->items + first;
    size_t n = (L->nitems - first) / 2, m = 0, nmerge = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_merge_key(L, it[2 * i])) {
            m = sat_add(m, merge_count(L, it[2 * i + 1], 1));
            nmerge++;
        }
    }
    size_t total = sat_add(n, m);
    if (total > SIZE_MAX / 2 / sizeof(yv_pair) || keys_prepare(L, total) < 0)
        return oom(L), -1;
    /* explicit pairs first, so they win over merged ones wherever `<<` stands */
    yv_pair *out = arena_alloc(L->ctx->a, (total ? total : 1) * sizeof *out);
    if (!out)
        return oom(L), -1;
    size_t nout = 0, merge_at = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        yv *k = it[2 * i], *v = it[2 * i + 1];
        if (is_merge_key(L, k)) {
            if (merge_at == SIZE_MAX)
                merge_at = nout;
            continue;
        }
        if (k->kind != YV_SCALAR) {
            diag_add(L->ctx->diags, L->ctx->file, use_line(k), use_col(k),
                     "a mapping key must be a scalar, not %s; pair ignored", kind_name(k));
            continue;
        }
        int found;
        key_ent *e = key_slot(L, out, k, nout, &found);
        if (found) {
            char name[80];
            size_t kl = k->u.str.len < 60 ? k->u.str.len : 60;
            memcpy(name, k->u.str.s, kl);
            name[kl] = '\0';
            for (size_t c = 0; c < kl; c++)
                if ((unsigned char)name[c] < 0x20)
                    name[c] = '?';
            diag_add(L->ctx->diags, L->ctx->file, use_line(k), use_col(k),
                     "duplicate key \"%s%s\" (first at line %u)", name,
                     k->u.str.len > 60 ? "..." : "", use_line(out[e->idx].key));
            out[e->idx].key = k;
            out[e->idx].val = v;
        } else {
            out[nout].key = k;
            out[nout++].val = v;
        }
    }
    size_t nexp = nout;
    if (nmerge) {
        for (size_t i = 0; i < n; i++) {
            if (!is_merge_key(L, it[2 * i]))
                continue;
            const yv *mv = it[2 * i + 1];
            if (mv->kind == YV_MAP) {
                merge_from(L, mv, out, &nout);
            } else if (mv->kind == YV_SEQ) {
                for (size_t j = 0; j < mv->u.seq.n; j++)
                    if (mv->u.seq.v[j]->kind == YV_MAP)
                        merge_from(L, mv->u.seq.v[j], out, &nout);
            }
        }
        /* move the merged run [nexp, nout) to where the first `<<` stood */
        size_t nm = nout - nexp;
        if (nm && merge_at < nexp) {
            yv_pair *tmp = arena_alloc(L->ctx->a, nm * sizeof *tmp);
            if (!tmp)
                return oom(L), -1;
            memcpy(tmp, out + nexp, nm * sizeof *tmp);
            memmove(out + merge_at + nm, out + merge_at, (nexp - merge_at) * sizeof *out);
            memcpy(out + merge_at, tmp, nm * sizeof *tmp);
        }
    }
    size_t w = 1;
    for (size_t i = 0; i < nout; i++)
        w = sat_add(w, sat_add(out[i].key->weight, out[i].val->weight));
    map->u.map.v = out;
    map->u.map.n = nout;
    map->weight = w;
    return 0;
}

static int finish_seq(loader *L, yv *seq, size_t first)
{
    size_t n = L->nitems - first, w = 1;
    yv **v = arena_alloc(L->ctx->a, (n ? n : 1) * sizeof *v);
    if (!v)
        return oom(L), -1;
    for (size_t i = 0; i < n; i++) {
        v[i] = L->items[first + i];
        w = sat_add(w, v[i]->weight);
    }
    seq->u.seq.v = v;
    seq->u.seq.n = n;
    seq->weight = w;
    return 0;
}

/* ---- events ---- */

static int on_scalar(loader *L, const yaml_event_t *ev)
{
    yv *v = new_yv(L, YV_SCALAR, &ev->start_mark, ev->data.scalar.tag, ev->data.scalar.anchor);
    if (!v)
        return -1;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: v->style = YV_SINGLE_QUOTED; break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: v->style = YV_DOUBLE_QUOTED; break;
    case YAML_LITERAL_SCALAR_STYLE: v->style = YV_LITERAL; break;
    case YAML_FOLDED_SCALAR_STYLE: v->style = YV_FOLDED; break;
    default: v->style = YV_PLAIN; break;
    }
    v->u.str.len = ev->data.scalar.length;
    v->u.str.s = arena_strndup(L->ctx->a, (const char *)ev->data.scalar.value, v->u.str.len);
    if (!v->u.str.s)
        return oom(L), -1;
    if (v->anchor && !anchor_define(L, v->anchor, v, NULL))
        return -1;
    return push_item(L, v);
}

static int on_alias(loader *L, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    unsigned line = clamp_u(ev->start_mark.line + 1), col = clamp_u(ev->start_mark.column + 1);
    size_t slot;
    anchor_ent *e = anchor_find(L, name, &slot);
    if (!e) {
        diag_add(L->ctx->diags, L->ctx->file, line, col,
                 "unknown alias *%s (no anchor &%s before it in this document)", name, name);
        return L->failed = 1, -1;
    }
    if (!e->val) {
        diag_add(L->ctx->diags, L->ctx->file, line, col,
                 "alias *%s refers to a value that contains it (recursive anchor)", name);
        return L->failed = 1, -1;
    }
    L->expanded = sat_add(L->expanded, e->val->weight);
    if (L->expanded > L->max_alias) {
        diag_add(L->ctx->diags, L->ctx->file, line, col,
                 "alias *%s: too many values reached through aliases (more than %zu in this "
                 "document)",
                 name, L->max_alias);
        return L->failed = 1, -1;
    }
    yv *v = arena_alloc(L->ctx->a, sizeof *v);
    if (!v)
        return oom(L), -1;
    *v = *e->val;
    v->flags |= YV_ALIAS;
    v->anchor = e->name;
    v->ref_line = line;
    v->ref_col = col;
    return push_item(L, v);
}

static int on_start(loader *L, const yaml_event_t *ev, int kind)
{
    unsigned line = clamp_u(ev->start_mark.line + 1), col = clamp_u(ev->start_mark.column + 1);
    if (L->nframes >= L->max_depth) {
        diag_add(L->ctx->diags, L->ctx->file, line, col,
                 "YAML nested deeper than %u levels", L->max_depth);
        return L->failed = 1, -1;
    }
    const yaml_char_t *tag, *anchor;
    int flow;
    if (kind == YV_MAP) {
        tag = ev->data.mapping_start.tag;
        anchor = ev->data.mapping_start.anchor;
        flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
    } else {
        tag = ev->data.sequence_start.tag;
        anchor = ev->data.sequence_start.anchor;
        flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    }
    yv *v = new_yv(L, kind, &ev->start_mark, tag, anchor);
    if (!v)
        return -1;
    v->style = flow ? YV_FLOW : YV_BLOCK;
    frame *nf = grow(L, L->frames, &L->capframes, L->nframes + 1, sizeof *nf);
    if (!nf)
        return -1;
    L->frames = nf;
    frame *f = &L->frames[L->nframes++];
    f->node = v;
    f->first = L->nitems;
    f->anchor_def = 0;
    f->anchor_slot = 0;
    if (v->anchor && !(f->anchor_def = anchor_define(L, v->anchor, NULL, &f->anchor_slot)))
        return -1;
    return 0;
}

static int on_end(loader *L)
{
    if (!L->nframes)
        return 0; /* libyaml guarantees balance; stay safe anyway */
    frame f = L->frames[--L->nframes];
    int rc = f.node->kind == YV_MAP ? finish_map(L, f.node, f.first)
                                    : finish_seq(L, f.node, f.first);
    if (rc < 0)
        return -1;
    L->nitems = f.first;
    if (f.anchor_def) {
        anchor_ent *e = &L->anch[f.anchor_slot];
        if (e->gen == L->anch_gen && e->def == f.anchor_def)
            e->val = f.node;
    }
    return push_item(L, f.node);
}

static int is_empty_doc(const yv *r)
{
    return r->kind == YV_SCALAR && r->style == YV_PLAIN && r->u.str.len == 0 && !r->tag &&
           !r->anchor;
}

static int on_doc_end(loader *L, unsigned line)
{
    yv *root = L->nitems ? L->items[0] : NULL;
    L->nitems = 0;
    L->nframes = 0;
    if (!root || is_empty_doc(root))
        return 0;
    yaml_doc *nd = grow(L, L->docs, &L->capdocs, L->ndocs + 1, sizeof *nd);
    if (!nd)
        return -1;
    L->docs = nd;
    L->docs[L->ndocs].root = root;
    L->docs[L->ndocs++].line = line;
    return 0;
}

static void set_limits(loader *L, const yaml_opts *o)
{
    const cpol_limits *lim = L->ctx->limits;
    yaml_opts d = {0, 0, 0, 1};
    if (!o) {
        if (lim) {
            d.max_depth = lim->max_yaml_depth;
            d.max_alias_expansions = lim->max_alias_expansions;
            d.max_documents = lim->max_documents;
        }
        o = &d;
    }
    L->max_depth = o->max_depth ? o->max_depth : DEF_DEPTH;
    L->max_alias = o->max_alias_expansions ? o->max_alias_expansions : DEF_ALIAS;
    L->max_docs = o->max_documents ? o->max_documents : DEF_DOCS;
    L->merge_keys = o->merge_keys != 0;
}

static int run(loader *L, yaml_parser_t *p)
{
    unsigned doc_line = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev)) {
            report_libyaml(L, p);
            return -1;
        }
        int rc = 0, done = 0;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++L->docs_seen > L->max_docs) {
                diag_add(L->ctx->diags, L->ctx->file, clamp_u(ev.start_mark.line + 1),
                         clamp_u(ev.start_mark.column + 1), "more than %u YAML documents",
                         L->max_docs);
                L->failed = 1;
                rc = -1;
                break;
            }
            doc_line = clamp_u(ev.start_mark.line + 1);
            anchors_reset(L);
            L->expanded = 0;
            break;
        case YAML_DOCUMENT_END_EVENT: rc = on_doc_end(L, doc_line); break;
        case YAML_SCALAR_EVENT: rc = on_scalar(L, &ev); break;
        case YAML_ALIAS_EVENT: rc = on_alias(L, &ev); break;
        case YAML_SEQUENCE_START_EVENT: rc = on_start(L, &ev, YV_SEQ); break;
        case YAML_MAPPING_START_EVENT: rc = on_start(L, &ev, YV_MAP); break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: rc = on_end(L); break;
        case YAML_STREAM_END_EVENT: done = 1; break;
        default: break;
        }
        yaml_event_delete(&ev);
        if (rc < 0)
            return -1;
        if (done)
            return 0;
    }
}

int yaml_load(parse_ctx *ctx, const char *data, size_t len, const yaml_opts *opts,
              yaml_doc **docs)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.ctx = ctx;
    L.data = data ? data : "";
    L.len = data ? len : 0;
    set_limits(&L, opts);
    *docs = NULL;

    int rc = 0;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        oom(&L);
        rc = -1;
    } else {
        /* No forced encoding: libyaml then skips a UTF-8 BOM and decodes UTF-16 that starts
         * with a BOM, as Go's yaml packages (ports of libyaml) do for compose and Kubernetes. */
        yaml_parser_set_input_string(&p, (const unsigned char *)L.data, L.len);
        rc = run(&L, &p);
        yaml_parser_delete(&p);
    }

    yaml_doc *out = arena_alloc(ctx->a, (L.ndocs + 1) * sizeof *out);
    if (out) {
        if (L.ndocs)
            memcpy(out, L.docs, L.ndocs * sizeof *out);
        *docs = out; /* arena_alloc zeroed the terminator */
    } else {
        oom(&L);
        rc = -1;
    }
    free(L.frames);
    free(L.items);
    free(L.anch);
    free(L.keys);
    free(L.docs);
    return rc < 0 || L.failed ? -1 : (int)(L.ndocs > INT_MAX ? INT_MAX : L.ndocs);
}

/* ---- helpers for parsers ---- */

int yv_is(const yv *v, const char *text)
{
    size_t n = strlen(text);
    return v && v->kind == YV_SCALAR && v->u.str.len == n && memcmp(v->u.str.s, text, n) == 0;
}

yv *yv_get(const yv *map, const char *key)
{
    if (!map || map->kind != YV_MAP)
        return NULL;
    for (size_t i = 0; i < map->u.map.n; i++)
        if (yv_is(map->u.map.v[i].key, key))
            return map->u.map.v[i].val;
    return NULL;
}

/* May v be read as a `core` value (bool, int, null)? See yaml.h. */
static int resolvable(const yv *v, const char *core)
{
    if (!v || v->kind != YV_SCALAR)
        return 0;
    if (v->tag) {
        if (strncmp(v->tag, CORE_TAG, sizeof CORE_TAG - 1) == 0)
            return strcmp(v->tag + sizeof CORE_TAG - 1, core) == 0;
        if (strcmp(v->tag, "!") == 0) /* the non-specific tag makes a string */
            return 0;
    }
    return v->style == YV_PLAIN;
}

static int in_list(const yv *v, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (yv_is(v, list[i]))
            return 1;
    return 0;
}

int yv_is_null(const yv *v)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL", "", NULL};
    if (!resolvable(v, "null"))
        return 0;
    if (v->tag && strcmp(v->tag, CORE_TAG "null") == 0)
        return 1;
    return in_list(v, nulls);
}

int yv_bool_k8s(const yv *v, int *out)
{
    static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                      "on", "On", "ON", NULL};
    static const char *const no[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                     "off", "Off", "OFF", NULL};
    if (!resolvable(v, "bool"))
        return -1;
    if (in_list(v, yes))
        return *out = 1, 0;
    if (in_list(v, no))
        return *out = 0, 0;
    return -1;
}

int yv_bool_compose(const yv *v, int *out)
{
    static const char *const yes[] = {"y", "yes", "true", "on", NULL};
    static const char *const no[] = {"n", "no", "false", "off", NULL};
    char low[8];
    if (!v || v->kind != YV_SCALAR || v->u.str.len >= sizeof low)
        return -1;
    /* compose-go casts whatever string it holds; only a value yaml.v3 would not make a string or
     * a bool (an !!int, !!float, !!null...) stays out */
    if (v->tag && strncmp(v->tag, CORE_TAG, sizeof CORE_TAG - 1) == 0 &&
        strcmp(v->tag, CORE_TAG "str") != 0 && strcmp(v->tag, CORE_TAG "bool") != 0)
        return -1;
    for (size_t i = 0; i < v->u.str.len; i++) {
        char c = v->u.str.s[i];
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    low[v->u.str.len] = '\0';
    for (size_t i = 0; yes[i]; i++)
        if (strcmp(low, yes[i]) == 0)
            return *out = 1, 0;
    for (size_t i = 0; no[i]; i++)
        if (strcmp(low, no[i]) == 0)
            return *out = 0, 0;
    return -1;
}

static int digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

int yv_int(const yv *v, long long *out)
{
    if (!resolvable(v, "int"))
        return -1;
    const char *s = v->u.str.s, *e = s + v->u.str.len;
    int neg = 0;
    if (s < e && (*s == '+' || *s == '-'))
        neg = *s++ == '-';
    unsigned base = 10;
    if (e - s >= 2 && s[0] == '0') {
        char b = s[1];
        if (b == 'x' || b == 'X')
            base = 16, s += 2;
        else if (b == 'o' || b == 'O')
            base = 8, s += 2;
        else if (b == 'b' || b == 'B')
            base = 2, s += 2;
        else
            base = 8; /* leading zero: octal, the 0 being an octal digit itself */
    }
    unsigned long long acc = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    int digits = 0;
    for (; s < e; s++) {
        if (*s == '_')
            continue;
        int d = digit_val(*s);
        if (d >= (int)base)
            return -1;
        if (acc > (lim - (unsigned)d) / base)
            return -1;
        acc = acc * base + (unsigned)d;
        digits++;
    }
    if (!digits)
        return -1;
    if (neg)
        *out = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)acc;
    else
        *out = (long long)acc;
    return 0;
}

/* ---- golden dump ---- */

static const char *style_name(int s)
{
    static const char *const n[] = {"?",       "plain", "single", "double",
                                    "literal", "folded", "block", "flow"};
    return s >= 0 && s <= YV_FLOW ? n[s] : "?";
}

static void dump_head(buf *b, const yv *v, int indent, const char *lead)
{
    for (int i = 0; i < indent; i++)
        buf_putc(b, ' ');
    buf_printf(b, "%s%u:%u %s %s", lead, v->line, v->col,
               v->kind == YV_MAP ? "map" : v->kind == YV_SEQ ? "seq" : "scalar",
               style_name(v->style));
    if (v->tag)
        buf_printf(b, " <%s>", v->tag);
    if (v->flags & YV_ALIAS)
        buf_printf(b, " *%s@%u:%u", v->anchor, v->ref_line, v->ref_col);
    else if (v->anchor)
        buf_printf(b, " &%s", v->anchor);
    if (v->kind == YV_SCALAR) {
        buf_putc(b, ' ');
        buf_json_string(b, v->u.str.s, v->u.str.len);
    }
    buf_putc(b, '\n');
}

void yaml_dump(buf *b, const yv *v, int indent)
{
    /* An explicit stack again: the tree may be as deep as max_depth allows. */
    typedef struct dstep {
        const yv *v;
        size_t i;
        int indent;
    } dstep;
    dstep *st = NULL;
    size_t n = 0, cap = 0;
    if (!v)
        return;
    dump_head(b, v, indent, "");
    if (v->kind == YV_SCALAR)
        return;
    st = malloc(16 * sizeof *st);
    if (!st) {
        b->failed = 1;
        return;
    }
    cap = 16;
    st[n++] = (dstep){v, 0, indent};
    while (n && !b->failed) {
        dstep *t = &st[n - 1];
        const yv *c;
        int ci = t->indent + 2;
        if (t->v->kind == YV_SEQ) {
            if (t->i >= t->v->u.seq.n) {
                n--;
                continue;
            }
            c = t->v->u.seq.v[t->i++];
            dump_head(b, c, ci, "- ");
        } else {
            if (t->i >= t->v->u.map.n) {
                n--;
                continue;
            }
            const yv_pair *pr = &t->v->u.map.v[t->i++];
            dump_head(b, pr->key, ci, "? ");
            c = pr->val;
            dump_head(b, c, ci, ": ");
        }
        if (c->kind != YV_SCALAR) {
            if (n == cap) {
                dstep *ns = realloc(st, cap * 2 * sizeof *ns);
                if (!ns) {
                    b->failed = 1;
                    break;
                }
                st = ns;
                cap *= 2;
            }
            st[n++] = (dstep){c, 0, ci};
        }
    }
    free(st);
}
