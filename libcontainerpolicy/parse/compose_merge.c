/*
 * compose_merge.c - the merged tree the compose parser reads from (compose_int.h): yv trees tagged
 * with their file, and compose's merge of one tree onto another, used for `extends`, for the
 * override file and for later documents of a multi-document file.
 *
 * Rules (compose spec "merge", and compose-go's override package where the spec is silent):
 *   map onto map        key by key; keys only in over are appended; x- keys are merged too
 *   list onto list      appended; for unique-keyed lists an entry with a key already present
 *                       takes that entry's place (volumes/devices: target; ports: the text or
 *                       {host_ip, published, target, protocol}; secrets/configs: target or
 *                       source; environment, labels, cap_add, cap_drop, dns*, ...: text before
 *                       '='; tmpfs: the path before ':')
 *   environment, labels, annotations, sysctls, extra_hosts, build.args (map or list): two maps
 *                       merge as maps; otherwise both become lists of entries ("K=v" items, or
 *                       one-pair maps for map entries) and are appended without duplicate keys
 *   networks, depends_on: a list is read as a map of names with no value, then maps merge
 *   build: "dir" is read as {context: dir}
 *   logging             replaced when both name a driver and the drivers differ, else merged
 *   command, entrypoint, healthcheck.test, ulimits.*, extends: replaced
 *   scalars             replaced
 *   over tagged !reset  the key is removed; !override: the value replaces, nothing merged
 */
#include <string.h>

#include "compose_int.h"

#define MAX_PATH 8

enum rule {
    R_DEFAULT,
    R_REPLACE,
    R_ENTRIES,   /* environment, labels: map or list of K=v */
    R_TOMAP,     /* networks, depends_on */
    R_BUILD,
    R_LOGGING,
    R_UNIQ_KV,   /* text before '=' */
    R_UNIQ_TMPFS,
    R_UNIQ_TARGET, /* volumes, devices */
    R_UNIQ_PORT,
    R_UNIQ_MOUNT, /* secrets, configs */
    R_UNIQ_TEXT   /* expose, env_file */
};

cv *cv_from_yv(arena *a, const yv *y, const char *file)
{
    cv *c = arena_alloc(a, sizeof *c);
    if (!c || !y)
        return c && y ? c : NULL;
    c->y = y;
    c->file = file;
    c->kind = y->kind;
    if (y->kind == YV_SEQ && y->u.seq.n) {
        c->u.seq.v = arena_alloc(a, y->u.seq.n * sizeof *c->u.seq.v);
        if (!c->u.seq.v)
            return NULL;
        for (size_t i = 0; i < y->u.seq.n; i++)
            if ((c->u.seq.v[c->u.seq.n] = cv_from_yv(a, y->u.seq.v[i], file)))
                c->u.seq.n++;
    } else if (y->kind == YV_MAP && y->u.map.n) {
        c->u.map.v = arena_alloc(a, y->u.map.n * sizeof *c->u.map.v);
        if (!c->u.map.v)
            return NULL;
        for (size_t i = 0; i < y->u.map.n; i++) {
            cv_pair *p = &c->u.map.v[c->u.map.n];
            p->key = y->u.map.v[i].key;
            p->file = file;
            if ((p->val = cv_from_yv(a, y->u.map.v[i].val, file)))
                c->u.map.n++;
        }
    }
    return c;
}

static int tagged(const cv *v, const char *tag)
{
    return v && v->y && v->y->tag && strcmp(v->y->tag, tag) == 0;
}

int cv_is_reset(const cv *v) { return tagged(v, "!reset"); }

static int key_is(const cv_pair *p, const char *key)
{
    return p->key->kind == YV_SCALAR && strlen(key) == p->key->u.str.len &&
           memcmp(p->key->u.str.s, key, p->key->u.str.len) == 0;
}

static int same_key(const yv *a, const yv *b)
{
    return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
}

cv *cv_get(const cv *map, const char *key)
{
    if (!map || map->kind != YV_MAP)
        return NULL;
    for (size_t i = 0; i < map->u.map.n; i++)
        if (key_is(&map->u.map.v[i], key))
            return cv_is_reset(map->u.map.v[i].val) ? NULL : map->u.map.v[i].val;
    return NULL;
}

static int eq(const char *s, const char *t) { return s && strcmp(s, t) == 0; }

static enum rule rule_for(const char **path, size_t depth)
{
    if (depth < 3 || !eq(path[0], "services"))
        return R_DEFAULT;
    const char *f = path[2];
    if (depth == 3) {
        static const struct {
            const char *name;
            enum rule r;
        } t[] = {{"command", R_REPLACE},      {"entrypoint", R_REPLACE},
                 {"extends", R_REPLACE},      {"environment", R_ENTRIES},
                 {"labels", R_ENTRIES},       {"annotations", R_ENTRIES},
                 {"sysctls", R_ENTRIES},      {"extra_hosts", R_ENTRIES},
                 {"networks", R_TOMAP},       {"depends_on", R_TOMAP},
                 {"build", R_BUILD},          {"logging", R_LOGGING},
                 {"cap_add", R_UNIQ_KV},      {"cap_drop", R_UNIQ_KV},
                 {"dns", R_UNIQ_KV},          {"dns_search", R_UNIQ_KV},
                 {"dns_opt", R_UNIQ_KV},      {"links", R_UNIQ_KV},
                 {"profiles", R_UNIQ_KV},     {"security_opt", R_UNIQ_TEXT},
                 {"tmpfs", R_UNIQ_TMPFS},     {"volumes", R_UNIQ_TARGET},
                 {"devices", R_UNIQ_TARGET},  {"ports", R_UNIQ_PORT},
                 {"secrets", R_UNIQ_MOUNT},   {"configs", R_UNIQ_MOUNT},
                 {"expose", R_UNIQ_TEXT},     {"env_file", R_UNIQ_TEXT}};
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            if (eq(f, t[i].name))
                return t[i].r;
        return R_DEFAULT;
    }
    if (depth == 4 && eq(f, "healthcheck") && eq(path[3], "test"))
        return R_REPLACE;
    if (depth == 4 && eq(f, "ulimits"))
        return R_REPLACE;
    if (depth == 4 && eq(f, "build") && (eq(path[3], "args") || eq(path[3], "labels")))
        return R_ENTRIES;
    return R_DEFAULT;
}

/* ---- unique keys of list entries ---- */

typedef struct ukey {
    const char *s;
    size_t n;
    char *own; /* arena text when made up */
} ukey;

static const char *scalar(const cv *v, size_t *n)
{
    if (!v || v->kind != YV_SCALAR)
        return NULL;
    *n = v->y->u.str.len;
    return v->y->u.str.s;
}

static void key_text(ukey *k, const char *s, size_t n)
{
    k->s = s;
    k->n = n;
}

static void cut_at(ukey *k, char c)
{
    const char *p = k->s ? memchr(k->s, c, k->n) : NULL;
    if (p)
        k->n = (size_t)(p - k->s);
}

/* target of a short volume "src:dst[:mode]", "dst", with a Windows drive letter kept whole */
static void volume_target(ukey *k, const char *s, size_t n)
{
    const char *parts[3];
    size_t lens[3], np = 0, i = 0;
    while (i <= n && np < 3) {
        size_t j = i;
        while (j < n && s[j] != ':')
            j++;
        /* "C:\x" or "C:/x": the colon belongs to the drive */
        if (j == i + 1 && j + 1 < n && (s[j + 1] == '\\' || s[j + 1] == '/')) {
            j += 2;
            while (j < n && s[j] != ':')
                j++;
        }
        parts[np] = s + i;
        lens[np++] = j - i;
        i = j + 1;
    }
    size_t t = np == 1 ? 0 : 1;
    key_text(k, parts[t], lens[t]);
}

static void entry_key(arena *a, enum rule r, const cv *e, ukey *k)
{
    size_t n = 0;
    const char *s = scalar(e, &n);
    memset(k, 0, sizeof *k);
    if (s) {
        key_text(k, s, n);
        if (r == R_UNIQ_KV || r == R_ENTRIES)
            cut_at(k, '=');
        else if (r == R_UNIQ_TMPFS)
            cut_at(k, ':');
        else if (r == R_UNIQ_TARGET)
            volume_target(k, s, n);
        else if (r == R_UNIQ_MOUNT) {
            k->own = arena_printf(a, "/run/secrets/%.*s", (int)n, s);
            if (k->own)
                key_text(k, k->own, strlen(k->own));
        }
        return;
    }
    if (!e || e->kind != YV_MAP)
        return;
    if (r == R_ENTRIES && e->u.map.n == 1) {
        key_text(k, e->u.map.v[0].key->u.str.s, e->u.map.v[0].key->u.str.len);
        return;
    }
    const char *t;
    if (r == R_UNIQ_TARGET || r == R_UNIQ_MOUNT) {
        if ((t = scalar(cv_get(e, "target"), &n))) {
            key_text(k, t, n);
        } else if (r == R_UNIQ_MOUNT && (t = scalar(cv_get(e, "source"), &n))) {
            k->own = arena_printf(a, "/run/secrets/%.*s", (int)n, t);
            if (k->own)
                key_text(k, k->own, strlen(k->own));
        }
    } else if (r == R_UNIQ_PORT) {
        size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
        const char *ip = scalar(cv_get(e, "host_ip"), &n1);
        const char *pub = scalar(cv_get(e, "published"), &n2);
        const char *tg = scalar(cv_get(e, "target"), &n3);
        const char *pr = scalar(cv_get(e, "protocol"), &n4);
        k->own = arena_printf(a, "{%.*s:%.*s:%.*s/%.*s}", (int)n1, ip ? ip : "0.0.0.0",
                              (int)n2, pub ? pub : "", (int)n3, tg ? tg : "", (int)n4,
                              pr ? pr : "tcp");
        if (k->own)
            key_text(k, k->own, strlen(k->own));
    } else if (r == R_UNIQ_TEXT && (t = scalar(cv_get(e, "path"), &n))) {
        key_text(k, t, n);
    }
}

static int is_uniq(enum rule r) { return r >= R_UNIQ_KV || r == R_ENTRIES; }

/* base + over, entries of over replacing those of base (or of over) with the same key. */
static cv *append_unique(arena *a, const cv *base, const cv *over, enum rule r, const cv *head)
{
    size_t total = base->u.seq.n + over->u.seq.n;
    cv *c = arena_alloc(a, sizeof *c);
    cv **v = total ? arena_alloc(a, total * sizeof *v) : NULL;
    ukey *keys = total ? arena_alloc(a, total * sizeof *keys) : NULL;
    if (!c || (total && (!v || !keys)))
        return NULL;
    *c = *head;
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        cv *e = i < base->u.seq.n ? base->u.seq.v[i] : over->u.seq.v[i - base->u.seq.n];
        ukey k;
        size_t j = n;
        if (is_uniq(r)) {
            entry_key(a, r, e, &k);
            for (j = 0; k.s && j < n; j++)
                if (keys[j].s && keys[j].n == k.n && memcmp(keys[j].s, k.s, k.n) == 0)
                    break;
            if (!k.s)
                j = n;
        } else
            memset(&k, 0, sizeof k);
        v[j] = e;
        keys[j] = k;
        if (j == n)
            n++;
    }
    c->u.seq.v = v;
    c->u.seq.n = n;
    return c;
}

static yv *made_key(arena *a, const yv *at, const char *text)
{
    yv *k = arena_alloc(a, sizeof *k);
    if (!k)
        return NULL;
    k->kind = YV_SCALAR;
    k->style = YV_PLAIN;
    k->line = at->line;
    k->col = at->col;
    k->weight = 1;
    k->u.str.s = text;
    k->u.str.len = strlen(text);
    return k;
}

/* networks: [a, b] as {a: , b: }; build: "dir" as {context: dir}. */
static const cv *as_map(arena *a, const cv *v, enum rule r)
{
    if (!v || v->kind == YV_MAP)
        return v;
    cv *m = arena_alloc(a, sizeof *m);
    if (!m)
        return NULL;
    m->y = v->y;
    m->file = v->file;
    m->kind = YV_MAP;
    if (r == R_BUILD && v->kind == YV_SCALAR) {
        m->u.map.v = arena_alloc(a, sizeof *m->u.map.v);
        if (!m->u.map.v || !(m->u.map.v[0].key = made_key(a, v->y, "context")))
            return NULL;
        m->u.map.v[0].file = v->file;
        m->u.map.v[0].val = (cv *)v;
        m->u.map.n = 1;
        return m;
    }
    if (v->kind != YV_SEQ)
        return v;
    m->u.map.v = v->u.seq.n ? arena_alloc(a, v->u.seq.n * sizeof *m->u.map.v) : NULL;
    if (v->u.seq.n && !m->u.map.v)
        return NULL;
    for (size_t i = 0; i < v->u.seq.n; i++) {
        const cv *e = v->u.seq.v[i];
        if (e->kind != YV_SCALAR)
            continue;
        m->u.map.v[m->u.map.n].key = e->y;
        m->u.map.v[m->u.map.n].file = e->file;
        m->u.map.v[m->u.map.n].val = NULL;
        m->u.map.n++;
    }
    return m;
}

/* environment {K: v} as a list of one-pair maps, so it can be appended to a K=v list. */
static const cv *as_entries(arena *a, const cv *v)
{
    if (!v || v->kind != YV_MAP)
        return v;
    cv *s = arena_alloc(a, sizeof *s);
    if (!s)
        return NULL;
    s->y = v->y;
    s->file = v->file;
    s->kind = YV_SEQ;
    s->u.seq.v = v->u.map.n ? arena_alloc(a, v->u.map.n * sizeof *s->u.seq.v) : NULL;
    for (size_t i = 0; s->u.seq.v && i < v->u.map.n; i++) {
        cv *one = arena_alloc(a, sizeof *one);
        if (!one)
            return NULL;
        one->y = v->u.map.v[i].key;
        one->file = v->u.map.v[i].file;
        one->kind = YV_MAP;
        one->u.map.v = &v->u.map.v[i];
        one->u.map.n = 1;
        s->u.seq.v[s->u.seq.n++] = one;
    }
    return s;
}

static const char *kind_word(const cv *v)
{
    return v->kind == YV_MAP ? "a map" : v->kind == YV_SEQ ? "a list" : "a scalar";
}

static cv *merge_maps(parse_ctx *ctx, const cv *base, const cv *over, const char **path,
                      size_t depth, int drop_extends);

static cv *merge_at(parse_ctx *ctx, const cv *base, const cv *over, const char **path,
                    size_t depth)
{
    arena *a = ctx->a;
    if (!base || !over)
        return (cv *)(over ? over : base);
    enum rule r = rule_for(path, depth);
    if (r == R_REPLACE)
        return (cv *)over;
    if (r == R_TOMAP || r == R_BUILD) {
        base = as_map(a, base, r);
        over = as_map(a, over, r);
        if (!base || !over)
            return NULL;
    }
    if (r == R_ENTRIES && (base->kind != YV_MAP || over->kind != YV_MAP)) {
        base = as_entries(a, base);
        over = as_entries(a, over);
        if (!base || !over)
            return NULL;
    }
    if (r == R_LOGGING && base->kind == YV_MAP && over->kind == YV_MAP) {
        size_t n1 = 0, n2 = 0;
        const char *d1 = scalar(cv_get(base, "driver"), &n1);
        const char *d2 = scalar(cv_get(over, "driver"), &n2);
        if (d1 && d2 && (n1 != n2 || memcmp(d1, d2, n1) != 0))
            return (cv *)over;
    }
    if (base->kind != over->kind) {
        if (base->kind != YV_SCALAR || over->kind != YV_SCALAR)
            diag_add(ctx->diags, over->file, over->y->line, over->y->col,
                     "cannot merge %s onto %s (%s:%u:%u); this value replaces it",
                     kind_word(over), kind_word(base), base->file, base->y->line, base->y->col);
        return (cv *)over;
    }
    if (base->kind == YV_MAP)
        return merge_maps(ctx, base, over, path, depth, 0);
    if (base->kind == YV_SEQ)
        return append_unique(a, base, over, r, base);
    return (cv *)over;
}

static cv *merge_maps(parse_ctx *ctx, const cv *base, const cv *over, const char **path,
                      size_t depth, int drop_extends)
{
    arena *a = ctx->a;
    size_t cap = base->u.map.n + over->u.map.n;
    cv *m = arena_alloc(a, sizeof *m);
    cv_pair *v = cap ? arena_alloc(a, cap * sizeof *v) : NULL;
    if (!m || (cap && !v))
        return NULL;
    *m = *base;
    size_t n = 0;
    for (size_t i = 0; i < base->u.map.n; i++)
        if (!(drop_extends && key_is(&base->u.map.v[i], "extends")))
            v[n++] = base->u.map.v[i];
    const char *sub[MAX_PATH + 1];
    for (size_t i = 0; i < depth && i < MAX_PATH; i++)
        sub[i] = path[i];
    for (size_t i = 0; i < over->u.map.n; i++) {
        const cv_pair *p = &over->u.map.v[i];
        size_t j;
        for (j = 0; j < n; j++)
            if (same_key(v[j].key, p->key))
                break;
        if (cv_is_reset(p->val)) {
            if (j < n) {
                memmove(&v[j], &v[j + 1], (n - j - 1) * sizeof *v);
                n--;
            }
            continue;
        }
        if (j == n) {
            v[n++] = *p;
            continue;
        }
        if (tagged(p->val, "!override") || !p->val || !v[j].val) {
            v[j].val = p->val;
            continue;
        }
        char *k = NULL;
        if (depth < MAX_PATH) {
            k = arena_strndup(a, p->key->u.str.s, p->key->u.str.len);
            if (!k)
                return NULL;
            sub[depth] = k;
        }
        cv *merged = merge_at(ctx, v[j].val, p->val, sub, depth < MAX_PATH ? depth + 1 : depth);
        if (!merged)
            return NULL;
        v[j].val = merged;
    }
    m->u.map.v = v;
    m->u.map.n = n;
    return m;
}

cv *cv_merge(parse_ctx *ctx, const cv *base, const cv *over, const char **path, size_t depth,
             int drop_extends)
{
    if (base && over && base->kind == YV_MAP && over->kind == YV_MAP)
        return merge_maps(ctx, base, over, path, depth, drop_extends);
    return merge_at(ctx, base, over, path, depth);
}
