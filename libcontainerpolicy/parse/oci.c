/*
 * oci.c - OCI runtime config.json (runtime-spec config.md, config-linux.md) into the model: one
 * document ("oci") and one container of kind "oci". The text is indexed for positions first
 * (json_pos.c, which also enforces our depth limit), then parsed by jansson with duplicate keys
 * rejected; the two trees are walked together.
 *
 * Fields read (everything else is ignored):
 *   ociVersion, hostname, process.{terminal, user.{uid, gid, username, additionalGids}, args,
 *   env ["NAME=value"], cwd, capabilities.{bounding, effective, inheritable, permitted, ambient}
 *   (or the pre-1.0 single list), noNewPrivileges, apparmorProfile}, root.{path, readonly},
 *   mounts [{destination, type, source, options}], linux.{namespaces [{type, path}],
 *   resources.{memory.{limit, reservation}, cpu.{shares, quota, period}, pids.limit},
 *   seccomp.{defaultAction, syscalls}}
 * Integers are read from the text itself (jansson decodes every number as a double here, so that
 * uint64 fields such as memory.swappiness = 2^64-1 do not fail the whole file).
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_pos.h"
#include "parse.h"

#define NOPOS cpos_make(NULL, 0, 0)
#define DEFAULT_MAX_DEPTH 256

typedef struct P {
    parse_ctx *ctx;
    arena *a;
    const char *text;
    jpos_index ix;
} P;

/* A jansson value with its index entry (JPOS_NONE when positions are unknown). */
typedef struct jv {
    json_t *j;
    unsigned int id;
} jv;

static const jv NOJV = {NULL, JPOS_NONE};

static cpos at(const P *p, jv v)
{
    if (v.id == JPOS_NONE)
        return cpos_make(p->ctx->file, 0, 0);
    return cpos_make(p->ctx->file, p->ix.v[v.id].line, p->ix.v[v.id].col);
}

static cpos key_at(const P *p, jv v)
{
    if (v.id == JPOS_NONE || !p->ix.v[v.id].is_member)
        return at(p, v);
    return cpos_make(p->ctx->file, p->ix.v[v.id].key_line, p->ix.v[v.id].key_col);
}

static void bad(P *p, jv v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void bad(P *p, jv v, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cpos w = at(p, v);
    diag_add(p->ctx->diags, p->ctx->file, w.line, w.col, "%s", msg);
}

static const char *type_word(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* Member `key` of an object; null counts as absent, as Go's decoder treats it. */
static jv get(const P *p, jv o, const char *key)
{
    jv r = NOJV;
    if (!o.j || !json_is_object(o.j))
        return r;
    r.j = json_object_get(o.j, key);
    if (!r.j || json_is_null(r.j))
        return NOJV;
    r.id = jpos_child(&p->ix, p->text, o.id, key);
    return r;
}

/* Step e to item *i of arr, keeping the index entry in step with jansson's item. */
static int next_item(const P *p, jv arr, size_t *i, jv *e)
{
    if (*i >= json_array_size(arr.j))
        return 0;
    unsigned int prev = e->id;
    e->j = json_array_get(arr.j, *i);
    if (arr.id == JPOS_NONE)
        e->id = JPOS_NONE;
    else if (*i == 0)
        e->id = p->ix.v[arr.id].first_child;
    else
        e->id = prev == JPOS_NONE ? JPOS_NONE : p->ix.v[prev].next;
    (*i)++;
    return 1;
}

#define EACH(P_, ARR, I, E)                                                                        \
    for (size_t I = 0, I##_once = 1; I##_once; I##_once = 0)                                       \
        for (jv E = NOJV; next_item((P_), (ARR), &I, &E);)

static int want(P *p, jv v, json_type t, const char *path)
{
    if (!v.j)
        return 0;
    int ok = json_typeof(v.j) == t ||
             (t == JSON_TRUE && json_is_boolean(v.j)) ||
             (t == JSON_REAL && json_is_number(v.j));
    if (!ok) {
        const char *w = t == JSON_OBJECT ? "an object"
                        : t == JSON_ARRAY ? "an array"
                        : t == JSON_STRING ? "a string"
                        : t == JSON_TRUE ? "a boolean" : "a number";
        bad(p, v, "%s must be %s, not %s", path, w, type_word(v.j));
    }
    return ok;
}

static node *str_node(P *p, jv v)
{
    return node_str(p->a, json_string_value(v.j), json_string_length(v.j), at(p, v));
}

static void set_str(P *p, node *m, const char *key, jv o, const char *field, const char *path)
{
    jv v = get(p, o, field);
    if (want(p, v, JSON_STRING, path))
        node_set(p->a, m, key, str_node(p, v));
}

static void set_bool(P *p, node *m, const char *key, jv o, const char *field, const char *path)
{
    jv v = get(p, o, field);
    if (want(p, v, JSON_TRUE, path))
        node_set_bool(p->a, m, key, json_is_true(v.j), at(p, v));
}

/*
 * An integer in [lo, hi] from the number's own text; 0, or -1 with a diagnostic. Without
 * positions (no index), the double jansson holds is used.
 */
static int int_of(P *p, jv v, const char *path, long long lo, unsigned long long hi,
                  long long *out)
{
    if (!v.j)
        return -1;
    if (!json_is_number(v.j)) {
        bad(p, v, "%s must be an integer, not %s", path, type_word(v.j));
        return -1;
    }
    char num[72];
    if (v.id == JPOS_NONE) {
        double d = json_number_value(v.j);
        if (d != (double)(long long)d) {
            bad(p, v, "%s must be an integer", path);
            return -1;
        }
        snprintf(num, sizeof num, "%lld", (long long)d);
    } else {
        const jpos_entry *e = &p->ix.v[v.id];
        if (e->len >= sizeof num || memchr(p->text + e->off, '.', e->len) ||
            memchr(p->text + e->off, 'e', e->len) || memchr(p->text + e->off, 'E', e->len)) {
            bad(p, v, "%s must be an integer, not %.*s", path, (int)(e->len < 40 ? e->len : 40),
                p->text + e->off);
            return -1;
        }
        memcpy(num, p->text + e->off, e->len);
        num[e->len] = '\0';
    }
    errno = 0;
    if (num[0] == '-') {
        long long x = strtoll(num, NULL, 10);
        if (errno || x < lo) {
            bad(p, v, "%s is out of range: %s", path, num);
            return -1;
        }
        *out = x;
        return 0;
    }
    unsigned long long u = strtoull(num, NULL, 10);
    if (errno || u > hi) {
        bad(p, v, "%s is out of range: %s", path, num);
        return -1;
    }
    /* values above LLONG_MAX are clamped: every field kept below fits in int64 */
    *out = u > (unsigned long long)9223372036854775807LL ? 9223372036854775807LL : (long long)u;
    return 0;
}

/* Text position of raw byte `off` inside the string value v (strings never span lines). */
static cpos sub_at(const P *p, jv v, size_t off)
{
    cpos c = at(p, v);
    if (v.id == JPOS_NONE)
        return c;
    const jpos_entry *e = &p->ix.v[v.id];
    for (size_t i = e->off; i < e->off + 1 + off && i < e->off + e->len; i++)
        if (((unsigned char)p->text[i] & 0xC0) != 0x80)
            c.col++;
    return c;
}

/* ---- process ---- */

static void do_user(P *p, node *c, jv u)
{
    if (!want(p, u, JSON_OBJECT, "process.user"))
        return;
    node *un = node_set_map(p->a, c, "user", at(p, u));
    long long x;
    jv v;
    if ((v = get(p, u, "uid")).j && int_of(p, v, "process.user.uid", 0, 4294967295ULL, &x) == 0)
        node_set_int(p->a, un, "uid", x, at(p, v));
    if ((v = get(p, u, "gid")).j && int_of(p, v, "process.user.gid", 0, 4294967295ULL, &x) == 0)
        node_set_int(p->a, un, "gid", x, at(p, v));
    set_str(p, un, "name", u, "username", "process.user.username");
    v = get(p, u, "additionalGids");
    if (v.j && want(p, v, JSON_ARRAY, "process.user.additionalGids")) {
        node *l = node_set_list(p->a, un, "additional_gids", at(p, v));
        EACH(p, v, i, e)
        {
            if (int_of(p, e, "process.user.additionalGids item", 0, 4294967295ULL, &x) == 0)
                node_push(p->a, l, node_int(p->a, x, at(p, e)));
        }
    }
    node_set_bool(p->a, un, "explicit", 1, NOPOS);
    node_set_str(p->a, un, "source", "oci", NOPOS);
}

/* "CAP_NET_ADMIN" -> "NET_ADMIN", upper case as the model writes capabilities. */
static node *cap_node(P *p, jv e)
{
    const char *s = json_string_value(e.j);
    size_t n = json_string_length(e.j);
    size_t off = n > 4 && strncasecmp(s, "CAP_", 4) == 0 ? 4 : 0;
    char *up = arena_strndup(p->a, s + off, n - off);
    if (!up)
        return NULL;
    for (size_t j = 0; j < n - off; j++)
        if (up[j] >= 'a' && up[j] <= 'z')
            up[j] = (char)(up[j] - 'a' + 'A');
    return node_str(p->a, up, n - off, at(p, e));
}

static int cmp_cap(const void *x, const void *y)
{
    const node *a = *(node *const *)x, *b = *(node *const *)y;
    return strcmp(a->u.s.s, b->u.s.s);
}

static void cap_list(P *p, node *caps, node *all, const char *key, jv v, const char *path)
{
    if (!want(p, v, JSON_ARRAY, path))
        return;
    node *l = key ? node_set_list(p->a, caps, key, at(p, v)) : NULL;
    EACH(p, v, i, e)
    {
        if (!json_is_string(e.j)) {
            bad(p, e, "%s items must be strings, not %s", path, type_word(e.j));
            continue;
        }
        node *cn = cap_node(p, e);
        if (!cn)
            return;
        if (l)
            node_push(p->a, l, cn);
        node_push(p->a, all, cn);
    }
}

static void do_caps(P *p, node *c, jv v)
{
    if (!v.j)
        return;
    if (!json_is_object(v.j) && !json_is_array(v.j)) {
        bad(p, v, "process.capabilities must be an object, not %s", type_word(v.j));
        return;
    }
    node *caps = node_set_map(p->a, c, "capabilities", at(p, v));
    node *all = node_list(p->a, NOPOS);
    if (json_is_array(v.j)) {
        /* runtime-spec before 1.0: one list for the process */
        cap_list(p, caps, all, NULL, v, "process.capabilities");
    } else {
        static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted",
                                           "ambient"};
        for (size_t k = 0; k < 5; k++) {
            char path[64];
            snprintf(path, sizeof path, "process.capabilities.%s", sets[k]);
            jv s = get(p, v, sets[k]);
            if (s.j)
                cap_list(p, caps, all, sets[k], s, path);
        }
    }
    if (!all)
        return;
    /* add: the union of the sets, sorted, each name once (at its first written place) */
    size_t n = all->u.list.n;
    node **sorted = arena_alloc(p->a, (n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return;
    for (size_t i = 0; i < n; i++)
        sorted[i] = all->u.list.v[i];
    /* a stable order for equal names keeps the first occurrence first */
    for (size_t i = 1; i < n; i++) {
        node *x = sorted[i];
        size_t j = i;
        while (j > 0 && cmp_cap(&sorted[j - 1], &x) > 0) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = x;
    }
    node *add = node_set_list(p->a, caps, "add", NOPOS);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || cmp_cap(&sorted[i - 1], &sorted[i]) != 0)
            node_push(p->a, add, node_str(p->a, sorted[i]->u.s.s, sorted[i]->u.s.len,
                                          sorted[i]->pos));
}

static void do_env(P *p, node *c, jv v)
{
    if (!want(p, v, JSON_ARRAY, "process.env"))
        return;
    node *l = node_set_list(p->a, c, "env", at(p, v));
    EACH(p, v, i, e)
    {
        if (!want(p, e, JSON_STRING, "process.env item"))
            continue;
        const char *s = json_string_value(e.j);
        size_t n = json_string_length(e.j);
        const char *eq = memchr(s, '=', n);
        size_t nl = eq ? (size_t)(eq - s) : n;
        node *en = node_map(p->a, at(p, e));
        node_set(p->a, en, "name", node_str(p->a, s, nl, at(p, e)));
        if (eq) {
            /* the value's column: past the raw bytes up to the first '=' as written */
            size_t raw = 0;
            if (e.id != JPOS_NONE) {
                const char *r = p->text + p->ix.v[e.id].off + 1;
                const char *req = memchr(r, '=', p->ix.v[e.id].len - 1);
                raw = req ? (size_t)(req - r) + 1 : nl + 1;
            }
            node_set(p->a, en, "value", node_str(p->a, eq + 1, n - nl - 1, sub_at(p, e, raw)));
        }
        node_push(p->a, l, en);
    }
}

static void str_list(P *p, node *m, const char *key, jv v, const char *path)
{
    if (!want(p, v, JSON_ARRAY, path))
        return;
    node *l = node_set_list(p->a, m, key, at(p, v));
    EACH(p, v, i, e)
    {
        if (want(p, e, JSON_STRING, path))
            node_push(p->a, l, str_node(p, e));
    }
}

static void do_process(P *p, node *c, jv pr)
{
    if (!want(p, pr, JSON_OBJECT, "process"))
        return;
    jv v;
    if ((v = get(p, pr, "user")).j)
        do_user(p, c, v);
    do_caps(p, c, get(p, pr, "capabilities"));
    set_bool(p, c, "no_new_privileges", pr, "noNewPrivileges", "process.noNewPrivileges");
    v = get(p, pr, "apparmorProfile");
    if (v.j && want(p, v, JSON_STRING, "process.apparmorProfile")) {
        node *aa = node_set_map(p->a, c, "apparmor", at(p, v));
        node_set(p->a, aa, "profile", str_node(p, v));
    }
    if ((v = get(p, pr, "env")).j)
        do_env(p, c, v);
    if ((v = get(p, pr, "args")).j)
        str_list(p, c, "args", v, "process.args");
    set_str(p, c, "cwd", pr, "cwd", "process.cwd");
    set_bool(p, c, "terminal", pr, "terminal", "process.terminal");
}

/* ---- root and mounts ---- */

static void do_root(P *p, node *c, jv r)
{
    if (!want(p, r, JSON_OBJECT, "root"))
        return;
    node *rn = node_set_map(p->a, c, "root", at(p, r));
    set_str(p, rn, "path", r, "path", "root.path");
    set_bool(p, rn, "readonly", r, "readonly", "root.readonly");
    node *ro = node_get(rn, "readonly");
    if (ro)
        node_set_bool(p->a, c, "read_only_rootfs", ro->u.b, ro->pos);
}

static int has_opt(const node *opts, const char *o)
{
    for (size_t i = 0; opts && i < opts->u.list.n; i++)
        if (strcmp(opts->u.list.v[i]->u.s.s, o) == 0)
            return 1;
    return 0;
}

static void do_mounts(P *p, node *c, jv v)
{
    if (!want(p, v, JSON_ARRAY, "mounts"))
        return;
    node *mounts = node_set_list(p->a, c, "mounts", at(p, v));
    node *tmpfs = NULL;
    EACH(p, v, i, e)
    {
        if (!want(p, e, JSON_OBJECT, "mounts item"))
            continue;
        node *m = node_map(p->a, at(p, e));
        node *opts = NULL;
        jv o = get(p, e, "options");
        if (o.j && want(p, o, JSON_ARRAY, "mounts.options")) {
            opts = node_list(p->a, at(p, o));
            EACH(p, o, k, x)
            {
                if (want(p, x, JSON_STRING, "mounts.options item"))
                    node_push(p->a, opts, str_node(p, x));
            }
        }
        jv t = get(p, e, "type");
        if (t.j && !want(p, t, JSON_STRING, "mounts.type"))
            t = NOJV;
        const char *type = t.j ? json_string_value(t.j) : NULL;
        if (has_opt(opts, "bind") || has_opt(opts, "rbind") || (type && !strcmp(type, "bind")))
            node_set_str(p->a, m, "type", "bind", t.j ? at(p, t) : NOPOS);
        else if (t.j)
            node_set(p->a, m, "type", str_node(p, t));
        set_str(p, m, "source", e, "source", "mounts.source");
        set_str(p, m, "target", e, "destination", "mounts.destination");
        for (size_t k = 0; opts && k < opts->u.list.n; k++) {
            const node *x = opts->u.list.v[k];
            if (!strcmp(x->u.s.s, "ro") || !strcmp(x->u.s.s, "rw"))
                node_set_bool(p->a, m, "read_only", x->u.s.s[1] == 'o', x->pos);
        }
        if (opts)
            node_set(p->a, m, "options", opts);
        node_push(p->a, mounts, m);
        if (type && !strcmp(type, "tmpfs")) {
            if (!tmpfs)
                tmpfs = node_set_list(p->a, c, "tmpfs", at(p, v));
            node *tn = node_map(p->a, at(p, e));
            if (node_get(m, "target"))
                node_set(p->a, tn, "path", node_get(m, "target"));
            /* a list of its own, so that the dump does not show a shared table */
            node *to = node_set_list(p->a, tn, "options", opts ? opts->pos : NOPOS);
            for (size_t k = 0; opts && k < opts->u.list.n; k++)
                node_push(p->a, to, opts->u.list.v[k]);
            node_push(p->a, tmpfs, tn);
        }
    }
}

/* ---- linux ---- */

static node *res_node(P *p, node *c, jv where)
{
    node *r = node_get(c, "resources");
    return r ? r : node_set_map(p->a, c, "resources", at(p, where));
}

static void do_resources(P *p, node *c, jv r)
{
    if (!want(p, r, JSON_OBJECT, "linux.resources"))
        return;
    const long long lo = -9223372036854775807LL - 1;
    const unsigned long long hi = 18446744073709551615ULL;
    long long x;
    jv m = get(p, r, "memory"), v;
    /* runc reads 0 and -1 as "no limit": only positive values are limits */
    if (m.j && want(p, m, JSON_OBJECT, "linux.resources.memory")) {
        if ((v = get(p, m, "limit")).j &&
            int_of(p, v, "linux.resources.memory.limit", lo, hi, &x) == 0 && x > 0)
            node_set_int(p->a, res_node(p, c, r), "memory_limit", x, at(p, v));
        if ((v = get(p, m, "reservation")).j &&
            int_of(p, v, "linux.resources.memory.reservation", lo, hi, &x) == 0 && x > 0)
            node_set_int(p->a, res_node(p, c, r), "memory_request", x, at(p, v));
    }
    jv cpu = get(p, r, "cpu");
    if (cpu.j && want(p, cpu, JSON_OBJECT, "linux.resources.cpu")) {
        long long quota = 0, period = 0;
        jv q = get(p, cpu, "quota"), pe = get(p, cpu, "period");
        if (q.j && int_of(p, q, "linux.resources.cpu.quota", lo, hi, &x) == 0)
            quota = x;
        if (pe.j && int_of(p, pe, "linux.resources.cpu.period", 0, hi, &x) == 0)
            period = x;
        if (quota > 0 && period > 0)
            node_set(p->a, res_node(p, c, r), "cpu_limit",
                     node_num(p->a, (double)quota / (double)period, at(p, q)));
        if ((v = get(p, cpu, "shares")).j &&
            int_of(p, v, "linux.resources.cpu.shares", 0, hi, &x) == 0 && x > 0)
            node_set_int(p->a, res_node(p, c, r), "cpu_shares", x, at(p, v));
    }
    jv pids = get(p, r, "pids");
    if (pids.j && want(p, pids, JSON_OBJECT, "linux.resources.pids") &&
        (v = get(p, pids, "limit")).j &&
        int_of(p, v, "linux.resources.pids.limit", lo, hi, &x) == 0 && x > 0)
        node_set_int(p->a, res_node(p, c, r), "pids_limit", x, at(p, v));
}

static const char *const host_ns[] = {"network", "pid", "ipc", "uts", "user", "cgroup"};

static void do_namespaces(P *p, node *c, jv lx, int other_platform)
{
    jv ns = get(p, lx, "namespaces");
    if (ns.j && !want(p, ns, JSON_ARRAY, "linux.namespaces"))
        return;
    if (!lx.j && other_platform)
        return; /* a Windows, Solaris, VM, FreeBSD or z/OS config has no Linux namespaces */
    jv where = ns.j ? ns : lx;
    node *host = node_set_map(p->a, c, "host", where.j ? at(p, where) : NOPOS);
    node *list = ns.j ? node_set_list(p->a, c, "namespaces", at(p, ns)) : NULL;
    cpos found[6];
    int listed[6] = {0};
    EACH(p, ns, i, e)
    {
        if (!want(p, e, JSON_OBJECT, "linux.namespaces item"))
            continue;
        node *n = node_map(p->a, at(p, e));
        set_str(p, n, "type", e, "type", "linux.namespaces.type");
        set_str(p, n, "path", e, "path", "linux.namespaces.path");
        node_push(p->a, list, n);
        const char *t = node_get_str(n, "type");
        for (size_t k = 0; t && k < 6; k++)
            if (!strcmp(t, host_ns[k]) && !listed[k]) {
                listed[k] = 1;
                found[k] = at(p, e);
            }
    }
    for (size_t k = 0; k < 6; k++)
        node_set_bool(p->a, host, host_ns[k], !listed[k],
                      listed[k] ? found[k] : (where.j ? at(p, where) : NOPOS));
}

static void do_seccomp(P *p, node *c, jv s)
{
    if (!want(p, s, JSON_OBJECT, "linux.seccomp"))
        return;
    node *sn = node_set_map(p->a, c, "seccomp", at(p, s));
    set_str(p, sn, "default_action", s, "defaultAction", "linux.seccomp.defaultAction");
    jv sc = get(p, s, "syscalls");
    if (sc.j && want(p, sc, JSON_ARRAY, "linux.seccomp.syscalls"))
        node_set_int(p->a, sn, "syscalls", (long long)json_array_size(sc.j), at(p, sc));
}

/* ---- the whole file ---- */

static void build(P *p, node *doc, jv top)
{
    jv pr = get(p, top, "process");
    const char *base = strrchr(p->ctx->file ? p->ctx->file : "", '/');
    base = base ? base + 1 : (p->ctx->file ? p->ctx->file : "config.json");
    node *c = node_map(p->a, pr.j ? key_at(p, pr) : cpos_make(p->ctx->file, 1, 1));
    node_set_str(p->a, c, "kind", "oci", NOPOS);
    node_set_str(p->a, c, "name", base, NOPOS);
    node_set_str(p->a, c, "object", "OCI config", NOPOS);
    node_set(p->a, c, "document", doc);
    set_str(p, c, "oci_version", top, "ociVersion", "ociVersion");
    set_str(p, c, "hostname", top, "hostname", "hostname");
    if (pr.j)
        do_process(p, c, pr);
    jv v;
    if ((v = get(p, top, "root")).j)
        do_root(p, c, v);
    if ((v = get(p, top, "mounts")).j)
        do_mounts(p, c, v);
    jv lx = get(p, top, "linux");
    if (lx.j && !want(p, lx, JSON_OBJECT, "linux"))
        lx = NOJV;
    if (lx.j && (v = get(p, lx, "resources")).j)
        do_resources(p, c, v);
    int other = get(p, top, "windows").j || get(p, top, "solaris").j || get(p, top, "vm").j ||
                get(p, top, "freebsd").j || get(p, top, "zos").j;
    do_namespaces(p, c, lx, other);
    if (lx.j && (v = get(p, lx, "seccomp")).j)
        do_seccomp(p, c, v);
    node_push(p->a, project_list(p->ctx, "containers"), c);
}

int oci_parse(parse_ctx *ctx, const char *data, size_t len)
{
    P p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.a = ctx->a;
    p.text = data;
    node *doc = project_document(ctx, "oci");
    if (!doc)
        return -1;
    unsigned int max_depth = ctx->limits && ctx->limits->max_json_depth
                                 ? ctx->limits->max_json_depth
                                 : DEFAULT_MAX_DEPTH;
    unsigned int line = 0, col = 0;
    int ix = jpos_build(data, len, max_depth, &p.ix, &line, &col);
    if (ix == JPOS_TOO_DEEP) {
        diag_add(ctx->diags, ctx->file, line, col, "JSON nested deeper than %u levels", max_depth);
        jpos_free(&p.ix);
        return -1;
    }
    json_error_t err;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
    if (!root && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        diag_add(ctx->diags, ctx->file, 1, 1, "invalid JSON: a byte order mark is not allowed");
        jpos_free(&p.ix);
        return -1;
    }
    if (!root) {
        diag_add(ctx->diags, ctx->file, err.line > 0 ? (unsigned int)err.line : 0,
                 err.column > 0 ? (unsigned int)err.column : 0, "invalid JSON: %s", err.text);
        jpos_free(&p.ix);
        return -1;
    }
    if (ix != JPOS_OK) /* jansson read what the indexer could not: go on without positions */
        jpos_free(&p.ix);
    jv top = {root, p.ix.n ? 0 : JPOS_NONE};
    int rc = 0;
    if (!json_is_object(root)) {
        bad(&p, top, "an OCI config must be a JSON object, not %s", type_word(root));
        rc = -1;
    } else {
        build(&p, doc, top);
    }
    json_decref(root);
    jpos_free(&p.ix);
    return rc;
}
