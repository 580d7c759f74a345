/*
 * oci.c - OCI runtime config.json (runtime-spec config.md, config-linux.md) into the model: one
 * document ("oci") and one container of kind "oci". The text is read by our own JSON reader
 * (json_pos.c: strict RFC 8259, duplicate keys rejected, our depth limit), whose index gives every
 * value its position; the fields below are looked up in that index.
 *
 * Fields read (everything else is ignored):
 *   ociVersion, hostname, process.{terminal, user.{uid, gid, username, additionalGids}, args,
 *   env ["NAME=value"], cwd, capabilities.{bounding, effective, inheritable, permitted, ambient}
 *   (or the pre-1.0 single list), noNewPrivileges, apparmorProfile}, root.{path, readonly},
 *   mounts [{destination, type, source, options}], linux.{namespaces [{type, path}],
 *   resources.{memory.{limit, reservation}, cpu.{shares, quota, period}, pids.limit},
 *   seccomp.{defaultAction, syscalls}}
 * Integers are read from the number's text with range checks (uint64 fields such as
 * memory.swappiness = 2^64-1 must not fail the whole file).
 */
#include <errno.h>
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

/* A value: its index entry, JPOS_NONE when absent. */
typedef unsigned int jv;

#define NOJV JPOS_NONE
#define HAS(v) ((v) != JPOS_NONE)

static const jpos_entry *E(const P *p, jv v) { return &p->ix.v[v]; }

static char typ(const P *p, jv v) { return p->ix.v[v].type; }

static cpos at(const P *p, jv v)
{
    return cpos_make(p->ctx->file, E(p, v)->line, E(p, v)->col);
}

static cpos key_at(const P *p, jv v)
{
    if (!E(p, v)->is_member)
        return at(p, v);
    return cpos_make(p->ctx->file, E(p, v)->key_line, E(p, v)->key_col);
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

static const char *type_word(char t)
{
    switch (t) {
    case '{':
        return "an object";
    case '[':
        return "an array";
    case '"':
        return "a string";
    case '0':
        return "a number";
    case 't':
    case 'f':
        return "a boolean";
    default:
        return "null";
    }
}

/* Member `key` of an object; null counts as absent, as Go's decoder treats it. */
static jv get(const P *p, jv o, const char *key)
{
    if (!HAS(o) || typ(p, o) != '{')
        return NOJV;
    jv r = jpos_child(&p->ix, p->text, o, key);
    return HAS(r) && typ(p, r) != 'n' ? r : NOJV;
}

/* Step e to the next item of arr (the first when e is NOJV and *started is 0). */
static int next_item(const P *p, jv arr, int *started, jv *e)
{
    if (!*started) {
        *started = 1;
        *e = p->ix.v[arr].first_child;
    } else {
        *e = p->ix.v[*e].next;
    }
    return HAS(*e);
}

#define EACH(P_, ARR, I, E)                                                                        \
    for (int I = 0, I##_once = 1; I##_once; I##_once = 0)                                          \
        for (jv E = NOJV; next_item((P_), (ARR), &I, &E);)

/* t: '{' '[' '"' '0' (number) or 't' (a boolean) */
static int want(P *p, jv v, char t, const char *path)
{
    if (!HAS(v))
        return 0;
    char vt = typ(p, v);
    int ok = vt == t || (t == 't' && vt == 'f');
    if (!ok) {
        const char *w = t == '{' ? "an object"
                        : t == '[' ? "an array"
                        : t == '"' ? "a string"
                        : t == 't' ? "a boolean" : "a number";
        bad(p, v, "%s must be %s, not %s", path, w, type_word(vt));
    }
    return ok;
}

/* The decoded string of v, NUL-terminated in the arena (NULL when out of memory). */
static const char *sval(P *p, jv v, size_t *len)
{
    return jpos_string(p->a, p->text, E(p, v), len);
}

static node *str_node(P *p, jv v)
{
    size_t n;
    const char *s = sval(p, v, &n);
    return s ? node_str(p->a, s, n, at(p, v)) : NULL;
}

static void set_str(P *p, node *m, const char *key, jv o, const char *field, const char *path)
{
    jv v = get(p, o, field);
    if (want(p, v, '"', path))
        node_set(p->a, m, key, str_node(p, v));
}

static void set_bool(P *p, node *m, const char *key, jv o, const char *field, const char *path)
{
    jv v = get(p, o, field);
    if (want(p, v, 't', path))
        node_set_bool(p->a, m, key, typ(p, v) == 't', at(p, v));
}

/* An integer in [lo, hi] from the number's own text; 0, or -1 with a diagnostic. */
static int int_of(P *p, jv v, const char *path, long long lo, unsigned long long hi,
                  long long *out)
{
    if (!HAS(v))
        return -1;
    if (typ(p, v) != '0') {
        bad(p, v, "%s must be an integer, not %s", path, type_word(typ(p, v)));
        return -1;
    }
    char num[72];
    const jpos_entry *e = E(p, v);
    if (e->len >= sizeof num || memchr(p->text + e->off, '.', e->len) ||
        memchr(p->text + e->off, 'e', e->len) || memchr(p->text + e->off, 'E', e->len)) {
        bad(p, v, "%s must be an integer, not %.*s", path, (int)(e->len < 40 ? e->len : 40),
            p->text + e->off);
        return -1;
    }
    memcpy(num, p->text + e->off, e->len);
    num[e->len] = '\0';
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
    const jpos_entry *e = E(p, v);
    for (size_t i = e->off; i < e->off + 1 + off && i < e->off + e->len; i++)
        if (((unsigned char)p->text[i] & 0xC0) != 0x80)
            c.col++;
    return c;
}

/* ---- process ---- */

static void do_user(P *p, node *c, jv u)
{
    if (!want(p, u, '{', "process.user"))
        return;
    node *un = node_set_map(p->a, c, "user", at(p, u));
    long long x;
    jv v;
    if (HAS(v = get(p, u, "uid")) && int_of(p, v, "process.user.uid", 0, 4294967295ULL, &x) == 0)
        node_set_int(p->a, un, "uid", x, at(p, v));
    if (HAS(v = get(p, u, "gid")) && int_of(p, v, "process.user.gid", 0, 4294967295ULL, &x) == 0)
        node_set_int(p->a, un, "gid", x, at(p, v));
    set_str(p, un, "name", u, "username", "process.user.username");
    v = get(p, u, "additionalGids");
    if (HAS(v) && want(p, v, '[', "process.user.additionalGids")) {
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
    size_t n;
    const char *s = sval(p, e, &n);
    if (!s)
        return NULL;
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
    if (!want(p, v, '[', path))
        return;
    node *l = key ? node_set_list(p->a, caps, key, at(p, v)) : NULL;
    EACH(p, v, i, e)
    {
        if (typ(p, e) != '"') {
            bad(p, e, "%s items must be strings, not %s", path, type_word(typ(p, e)));
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
    if (!HAS(v))
        return;
    if (typ(p, v) != '{' && typ(p, v) != '[') {
        bad(p, v, "process.capabilities must be an object, not %s", type_word(typ(p, v)));
        return;
    }
    node *caps = node_set_map(p->a, c, "capabilities", at(p, v));
    node *all = node_list(p->a, NOPOS);
    if (typ(p, v) == '[') {
        /* runtime-spec before 1.0: one list for the process */
        cap_list(p, caps, all, NULL, v, "process.capabilities");
    } else {
        static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted",
                                           "ambient"};
        for (size_t k = 0; k < 5; k++) {
            char path[64];
            snprintf(path, sizeof path, "process.capabilities.%s", sets[k]);
            jv s = get(p, v, sets[k]);
            if (HAS(s))
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
    if (!want(p, v, '[', "process.env"))
        return;
    node *l = node_set_list(p->a, c, "env", at(p, v));
    EACH(p, v, i, e)
    {
        if (!want(p, e, '"', "process.env item"))
            continue;
        size_t n;
        const char *s = sval(p, e, &n);
        if (!s)
            return;
        const char *eq = memchr(s, '=', n);
        size_t nl = eq ? (size_t)(eq - s) : n;
        node *en = node_map(p->a, at(p, e));
        node_set(p->a, en, "name", node_str(p->a, s, nl, at(p, e)));
        if (eq) {
            /* the value's column: past the raw bytes up to the first '=' as written */
            const char *r = p->text + E(p, e)->off + 1;
            const char *req = memchr(r, '=', E(p, e)->len - 1);
            size_t raw = req ? (size_t)(req - r) + 1 : nl + 1;
            node_set(p->a, en, "value", node_str(p->a, eq + 1, n - nl - 1, sub_at(p, e, raw)));
        }
        node_push(p->a, l, en);
    }
}

static void str_list(P *p, node *m, const char *key, jv v, const char *path)
{
    if (!want(p, v, '[', path))
        return;
    node *l = node_set_list(p->a, m, key, at(p, v));
    EACH(p, v, i, e)
    {
        if (want(p, e, '"', path))
            node_push(p->a, l, str_node(p, e));
    }
}

static void do_process(P *p, node *c, jv pr)
{
    if (!want(p, pr, '{', "process"))
        return;
    jv v;
    if (HAS(v = get(p, pr, "user")))
        do_user(p, c, v);
    do_caps(p, c, get(p, pr, "capabilities"));
    set_bool(p, c, "no_new_privileges", pr, "noNewPrivileges", "process.noNewPrivileges");
    v = get(p, pr, "apparmorProfile");
    if (HAS(v) && want(p, v, '"', "process.apparmorProfile")) {
        node *aa = node_set_map(p->a, c, "apparmor", at(p, v));
        node_set(p->a, aa, "profile", str_node(p, v));
    }
    if (HAS(v = get(p, pr, "env")))
        do_env(p, c, v);
    if (HAS(v = get(p, pr, "args")))
        str_list(p, c, "args", v, "process.args");
    set_str(p, c, "cwd", pr, "cwd", "process.cwd");
    set_bool(p, c, "terminal", pr, "terminal", "process.terminal");
}

/* ---- root and mounts ---- */

static void do_root(P *p, node *c, jv r)
{
    if (!want(p, r, '{', "root"))
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
    if (!want(p, v, '[', "mounts"))
        return;
    node *mounts = node_set_list(p->a, c, "mounts", at(p, v));
    node *tmpfs = NULL;
    EACH(p, v, i, e)
    {
        if (!want(p, e, '{', "mounts item"))
            continue;
        node *m = node_map(p->a, at(p, e));
        node *opts = NULL;
        jv o = get(p, e, "options");
        if (HAS(o) && want(p, o, '[', "mounts.options")) {
            opts = node_list(p->a, at(p, o));
            EACH(p, o, k, x)
            {
                if (want(p, x, '"', "mounts.options item"))
                    node_push(p->a, opts, str_node(p, x));
            }
        }
        jv t = get(p, e, "type");
        if (HAS(t) && !want(p, t, '"', "mounts.type"))
            t = NOJV;
        size_t type_len;
        const char *type = HAS(t) ? sval(p, t, &type_len) : NULL;
        if (has_opt(opts, "bind") || has_opt(opts, "rbind") || (type && !strcmp(type, "bind")))
            node_set_str(p->a, m, "type", "bind", HAS(t) ? at(p, t) : NOPOS);
        else if (HAS(t))
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
    if (!want(p, r, '{', "linux.resources"))
        return;
    const long long lo = -9223372036854775807LL - 1;
    const unsigned long long hi = 18446744073709551615ULL;
    long long x;
    jv m = get(p, r, "memory"), v;
    /* runc reads 0 and -1 as "no limit": only positive values are limits */
    if (HAS(m) && want(p, m, '{', "linux.resources.memory")) {
        if (HAS(v = get(p, m, "limit")) &&
            int_of(p, v, "linux.resources.memory.limit", lo, hi, &x) == 0 && x > 0)
            node_set_int(p->a, res_node(p, c, r), "memory_limit", x, at(p, v));
        if (HAS(v = get(p, m, "reservation")) &&
            int_of(p, v, "linux.resources.memory.reservation", lo, hi, &x) == 0 && x > 0)
            node_set_int(p->a, res_node(p, c, r), "memory_request", x, at(p, v));
    }
    jv cpu = get(p, r, "cpu");
    if (HAS(cpu) && want(p, cpu, '{', "linux.resources.cpu")) {
        long long quota = 0, period = 0;
        jv q = get(p, cpu, "quota"), pe = get(p, cpu, "period");
        if (HAS(q) && int_of(p, q, "linux.resources.cpu.quota", lo, hi, &x) == 0)
            quota = x;
        if (HAS(pe) && int_of(p, pe, "linux.resources.cpu.period", 0, hi, &x) == 0)
            period = x;
        if (quota > 0 && period > 0)
            node_set(p->a, res_node(p, c, r), "cpu_limit",
                     node_num(p->a, (double)quota / (double)period, at(p, q)));
        if (HAS(v = get(p, cpu, "shares")) &&
            int_of(p, v, "linux.resources.cpu.shares", 0, hi, &x) == 0 && x > 0)
            node_set_int(p->a, res_node(p, c, r), "cpu_shares", x, at(p, v));
    }
    jv pids = get(p, r, "pids");
    if (HAS(pids) && want(p, pids, '{', "linux.resources.pids") &&
        HAS(v = get(p, pids, "limit")) &&
        int_of(p, v, "linux.resources.pids.limit", lo, hi, &x) == 0 && x > 0)
        node_set_int(p->a, res_node(p, c, r), "pids_limit", x, at(p, v));
}

static const char *const host_ns[] = {"network", "pid", "ipc", "uts", "user", "cgroup"};

static void do_namespaces(P *p, node *c, jv lx, int other_platform)
{
    jv ns = get(p, lx, "namespaces");
    if (HAS(ns) && !want(p, ns, '[', "linux.namespaces"))
        return;
    if (!HAS(lx) && other_platform)
        return; /* a Windows, Solaris, VM, FreeBSD or z/OS config has no Linux namespaces */
    jv where = HAS(ns) ? ns : lx;
    node *host = node_set_map(p->a, c, "host", HAS(where) ? at(p, where) : NOPOS);
    node *list = HAS(ns) ? node_set_list(p->a, c, "namespaces", at(p, ns)) : NULL;
    cpos found[6];
    int listed[6] = {0};
    for (jv e = HAS(ns) ? E(p, ns)->first_child : NOJV; HAS(e); e = E(p, e)->next) {
        if (!want(p, e, '{', "linux.namespaces item"))
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
                      listed[k] ? found[k] : (HAS(where) ? at(p, where) : NOPOS));
}

static void do_seccomp(P *p, node *c, jv s)
{
    if (!want(p, s, '{', "linux.seccomp"))
        return;
    node *sn = node_set_map(p->a, c, "seccomp", at(p, s));
    set_str(p, sn, "default_action", s, "defaultAction", "linux.seccomp.defaultAction");
    jv sc = get(p, s, "syscalls");
    if (HAS(sc) && want(p, sc, '[', "linux.seccomp.syscalls"))
        node_set_int(p->a, sn, "syscalls", (long long)E(p, sc)->nchildren, at(p, sc));
}

/* ---- the whole file ---- */

static void build(P *p, node *doc, jv top)
{
    jv pr = get(p, top, "process");
    const char *base = strrchr(p->ctx->file ? p->ctx->file : "", '/');
    base = base ? base + 1 : (p->ctx->file ? p->ctx->file : "config.json");
    node *c = node_map(p->a, HAS(pr) ? key_at(p, pr) : cpos_make(p->ctx->file, 1, 1));
    node_set_str(p->a, c, "kind", "oci", NOPOS);
    node_set_str(p->a, c, "name", base, NOPOS);
    node_set_str(p->a, c, "object", "OCI config", NOPOS);
    node_set(p->a, c, "document", doc);
    set_str(p, c, "oci_version", top, "ociVersion", "ociVersion");
    set_str(p, c, "hostname", top, "hostname", "hostname");
    if (HAS(pr))
        do_process(p, c, pr);
    jv v;
    if (HAS(v = get(p, top, "root")))
        do_root(p, c, v);
    if (HAS(v = get(p, top, "mounts")))
        do_mounts(p, c, v);
    jv lx = get(p, top, "linux");
    if (HAS(lx) && !want(p, lx, '{', "linux"))
        lx = NOJV;
    if (HAS(lx) && HAS(v = get(p, lx, "resources")))
        do_resources(p, c, v);
    int other = HAS(get(p, top, "windows")) || HAS(get(p, top, "solaris")) ||
                HAS(get(p, top, "vm")) || HAS(get(p, top, "freebsd")) || HAS(get(p, top, "zos"));
    do_namespaces(p, c, lx, other);
    if (HAS(lx) && HAS(v = get(p, lx, "seccomp")))
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
    jpos_error err;
    int ix = jpos_build(data, len, max_depth, &p.ix, &err);
    if (ix == JPOS_TOO_DEEP) {
        diag_add(ctx->diags, ctx->file, err.line, err.col, "JSON nested deeper than %u levels",
                 max_depth);
        return -1;
    }
    if (ix != JPOS_OK) {
        diag_add(ctx->diags, ctx->file, err.line, err.col, "invalid JSON: %s", err.msg);
        return -1;
    }
    jv top = 0;
    int rc = 0;
    if (typ(&p, top) != '{') {
        bad(&p, top, "an OCI config must be a JSON object, not %s", type_word(typ(&p, top)));
        rc = -1;
    } else {
        build(&p, doc, top);
    }
    jpos_free(&p.ix);
    return rc;
}
