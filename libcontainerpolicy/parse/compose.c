/*
 * compose.c - Docker Compose files into the model: one container per service, the top-level
 * networks, and build_spec for link/ to join with the Dockerfile. Reads the YAML loader's tree
 * after compose's own merges (compose_merge.c): documents of the file, `extends` within the file,
 * then the sibling override file.
 *
 * Grammar (the compose specification; only what the model holds is read, anything else, x-
 * fields included, is accepted silently):
 *   file      = { services: {NAME: service}, networks: {NAME: network|null}, version, ... }
 *   service   = { image, build: CONTEXT | {context, dockerfile, dockerfile_inline, target},
 *                 user: "uid[:gid]" | "name[:group]", privileged, read_only, security_opt: [..],
 *                 cap_add: [..], cap_drop: [..], tmpfs: PATH[:OPTS] | [..],
 *                 volumes: ["[SRC:]DST[:MODE]" | {type, source, target, read_only, tmpfs}],
 *                 deploy.resources.{limits,reservations}.{memory,cpus,pids}, mem_limit,
 *                 mem_reservation, cpus, pids_limit, network_mode, networks: [..] | {NAME: ..},
 *                 ports: ["[[IP:]PUB:]TARGET[/PROTO]" | N | {target, published, protocol,
 *                 host_ip}], pid, ipc, uts, userns_mode, logging: {driver, options},
 *                 environment: {K: v} | ["K=v" | "K"], env_file, secrets, healthcheck, extends,
 *                 labels }
 * Booleans are read as compose-go casts them (yv_bool_compose). Values holding ${VAR} or $VAR
 * are recognised (interpolated = true) but not resolved.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/imageref.h"
#include "../util/units.h"
#include "compose_int.h"

#define NOPOS cpos_make(NULL, 0, 0)

typedef struct P {
    parse_ctx *ctx;
    arena *a;
    node *doc;
    const char *svc; /* the service being read, for messages */
} P;

/* ---- small helpers ---- */

static cpos at(const cv *v) { return cpos_make(v->file, v->y->line, v->y->col); }

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Where byte off of a scalar's text was written: exact for one-line plain and quoted scalars
   (escapes aside); the scalar's own position otherwise. */
static cpos sub_at(const cv *v, size_t off)
{
    cpos p = at(v);
    const yv *y = v->y;
    if (y->kind != YV_SCALAR || off > y->u.str.len || memchr(y->u.str.s, '\n', y->u.str.len))
        return p;
    if (y->style == YV_PLAIN)
        p.col += (unsigned)utf8_chars(y->u.str.s, off);
    else if (y->style == YV_SINGLE_QUOTED || y->style == YV_DOUBLE_QUOTED)
        p.col += 1 + (unsigned)utf8_chars(y->u.str.s, off);
    return p;
}

static void bad(P *p, const cv *v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void bad(P *p, const cv *v, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->svc)
        diag_add(p->ctx->diags, v->file, v->y->line, v->y->col, "service \"%s\": %s", p->svc,
                 msg);
    else
        diag_add(p->ctx->diags, v->file, v->y->line, v->y->col, "%s", msg);
}

static const char *kind_word(const cv *v)
{
    if (v->kind == YV_SCALAR && yv_is_null(v->y))
        return "empty";
    return v->kind == YV_MAP ? "a map" : v->kind == YV_SEQ ? "a list" : "a scalar";
}

/* The text of a scalar; NULL (and a diagnostic naming field) for a map or a list. */
static const char *text(P *p, const cv *v, const char *field, size_t *n)
{
    if (v->kind != YV_SCALAR) {
        bad(p, v, "%s must be a string, not %s", field, kind_word(v));
        return NULL;
    }
    *n = v->y->u.str.len;
    return v->y->u.str.s;
}

/* ${VAR}, $VAR ($$ is a literal dollar). */
static int interpolated(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '$')
            continue;
        char c = s[i + 1];
        if (c == '$') {
            i++;
            continue;
        }
        if (c == '{' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
            return 1;
    }
    return 0;
}

static int cv_interpolated(const cv *v)
{
    return v->kind == YV_SCALAR && interpolated(v->y->u.str.s, v->y->u.str.len);
}

static node *str_at(P *p, const cv *v, size_t off, size_t len)
{
    return node_str(p->a, v->y->u.str.s + off, len, sub_at(v, off));
}

/* A scalar field copied as a string at its position. */
static node *set_text(P *p, node *m, const char *key, const cv *v, const char *field)
{
    size_t n;
    const char *s = text(p, v, field, &n);
    return s ? node_set_strn(p->a, m, key, s, n, at(v)) : NULL;
}

/* A boolean field; silent for an interpolated value (unknown until run time). */
static int get_bool(P *p, const cv *v, const char *field, int *out)
{
    if (v->kind == YV_SCALAR && cv_interpolated(v))
        return -1;
    if (yv_bool_compose(v->y, out) == 0 && v->kind == YV_SCALAR)
        return 0;
    if (v->kind == YV_SCALAR)
        bad(p, v, "%s must be a boolean, not \"%.*s\"", field, (int)v->y->u.str.len,
            v->y->u.str.s);
    else
        bad(p, v, "%s must be a boolean, not %s", field, kind_word(v));
    return -1;
}

static void set_bool(P *p, node *m, const char *key, const cv *v, const char *field)
{
    int b;
    if (v && get_bool(p, v, field, &b) == 0)
        node_set_bool(p->a, m, key, b, at(v));
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 18)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* An integer written plain or quoted. */
static int int_of(const cv *v, long long *out)
{
    if (v->kind != YV_SCALAR)
        return -1;
    if (yv_int(v->y, out) == 0)
        return 0;
    const char *s = v->y->u.str.s;
    size_t n = v->y->u.str.len;
    size_t neg = n && s[0] == '-';
    if (!all_digits(s + neg, n - neg))
        return -1;
    *out = strtoll(s, NULL, 10);
    return 0;
}

/* "8080" -> int 8080, "3000-3005" stays a string. */
static node *port_node(P *p, const cv *v, size_t off, size_t len)
{
    const char *s = v->y->u.str.s + off;
    if (all_digits(s, len))
        return node_int(p->a, strtoll(s, NULL, 10), sub_at(v, off));
    return str_at(p, v, off, len);
}

/* A list field; a single scalar is accepted when single_ok (tmpfs, env_file). */
static int is_list(P *p, const cv *v, const char *field, int single_ok)
{
    if (v->kind == YV_SEQ || (single_ok && v->kind == YV_SCALAR))
        return 1;
    bad(p, v, "%s must be a list, not %s", field, kind_word(v));
    return 0;
}

#define EACH(L, I, E)                                                                              \
    for (size_t I = 0; I < ((L)->kind == YV_SEQ ? (L)->u.seq.n : 1); I++)                          \
        for (const cv *E = (L)->kind == YV_SEQ ? (L)->u.seq.v[I] : (L); E; E = NULL)               \
            if (!cv_is_reset(E))

/* ---- image, build, user ---- */

static void do_image(P *p, node *c, const cv *v)
{
    size_t n;
    const char *s = text(p, v, "image", &n);
    if (!s)
        return;
    node *img = node_set_map(p->a, c, "image", at(v));
    node_set_strn(p->a, img, "ref", s, n, at(v));
    if (interpolated(s, n)) {
        node_set_bool(p->a, img, "interpolated", 1, NOPOS);
        return;
    }
    image_ref r;
    char *ref = arena_strndup(p->a, s, n);
    if (ref && strlen(ref) == n && image_ref_parse(p->a, ref, &r) == 0) {
        node_set_str(p->a, img, "registry", r.registry, NOPOS);
        node_set_str(p->a, img, "repository", r.repository, NOPOS);
        node_set_str(p->a, img, "name", r.name, NOPOS);
        if (r.tag)
            node_set_str(p->a, img, "tag", r.tag, NOPOS);
        if (r.digest)
            node_set_str(p->a, img, "digest", r.digest, NOPOS);
    }
}

static void do_build(P *p, node *c, const cv *v)
{
    node *b;
    if (v->kind == YV_SCALAR) {
        b = node_set_map(p->a, c, "build_spec", at(v));
        set_text(p, b, "context", v, "build");
        node_set_str(p->a, b, "dockerfile", "Dockerfile", NOPOS);
        return;
    }
    if (v->kind != YV_MAP) {
        bad(p, v, "build must be a string or a map, not %s", kind_word(v));
        return;
    }
    b = node_set_map(p->a, c, "build_spec", at(v));
    const cv *x;
    if ((x = cv_get(v, "context")))
        set_text(p, b, "context", x, "build.context");
    if (!node_get(b, "context"))
        node_set_str(p->a, b, "context", ".", NOPOS);
    if ((x = cv_get(v, "dockerfile")))
        set_text(p, b, "dockerfile", x, "build.dockerfile");
    if ((x = cv_get(v, "dockerfile_inline")))
        set_text(p, b, "dockerfile_inline", x, "build.dockerfile_inline");
    if (!node_get(b, "dockerfile") && !node_get(b, "dockerfile_inline"))
        node_set_str(p->a, b, "dockerfile", "Dockerfile", NOPOS);
    if ((x = cv_get(v, "target")))
        set_text(p, b, "target", x, "build.target");
}

static void do_user(P *p, node *c, const cv *v)
{
    size_t n;
    const char *s = text(p, v, "user", &n);
    if (!s)
        return;
    node *u = node_set_map(p->a, c, "user", at(v));
    if (interpolated(s, n)) {
        node_set_strn(p->a, u, "name", s, n, at(v));
        node_set_bool(p->a, u, "interpolated", 1, NOPOS);
    } else {
        const char *colon = memchr(s, ':', n);
        size_t ul = colon ? (size_t)(colon - s) : n;
        node_set_strn(p->a, u, "name", s, ul, at(v));
        if (all_digits(s, ul))
            node_set_int(p->a, u, "uid", strtoll(s, NULL, 10), at(v));
        else if (ul == 4 && memcmp(s, "root", 4) == 0)
            node_set_int(p->a, u, "uid", 0, NOPOS);
        if (colon) {
            size_t gl = n - ul - 1;
            node_set(p->a, u, "group", str_at(p, v, ul + 1, gl));
            if (all_digits(colon + 1, gl))
                node_set_int(p->a, u, "gid", strtoll(colon + 1, NULL, 10), sub_at(v, ul + 1));
            else if (gl == 4 && memcmp(colon + 1, "root", 4) == 0)
                node_set_int(p->a, u, "gid", 0, NOPOS);
        }
    }
    node_set_bool(p->a, u, "explicit", 1, NOPOS);
    node_set_str(p->a, u, "source", "compose", NOPOS);
}

/* ---- security ---- */

static void do_security_opt(P *p, node *c, const cv *v)
{
    if (!is_list(p, v, "security_opt", 0))
        return;
    node *raw = node_set_list(p->a, c, "security_opt", at(v));
    EACH(v, i, e)
    {
        size_t n;
        const char *s = text(p, e, "security_opt item", &n);
        if (!s)
            continue;
        node_push(p->a, raw, node_str(p->a, s, n, at(e)));
        size_t k = 0;
        while (k < n && s[k] != ':' && s[k] != '=')
            k++;
        size_t voff = k < n ? k + 1 : n;
        const char *val = s + voff;
        size_t vl = n - voff;
        if (k == 17 && memcmp(s, "no-new-privileges", 17) == 0) {
            int b = 1;
            if (k < n) {
                if (vl == 4 && strncasecmp(val, "true", 4) == 0)
                    b = 1;
                else if (vl == 5 && strncasecmp(val, "false", 5) == 0)
                    b = 0;
                else {
                    bad(p, e, "security_opt no-new-privileges takes true or false, not \"%.*s\"",
                        (int)vl, val);
                    continue;
                }
            }
            node_set_bool(p->a, c, "no_new_privileges", b, at(e));
        } else if ((k == 7 && memcmp(s, "seccomp", 7) == 0) ||
                   (k == 8 && memcmp(s, "apparmor", 8) == 0)) {
            node *m = node_set_map(p->a, c, k == 7 ? "seccomp" : "apparmor", at(e));
            node_set(p->a, m, "profile", str_at(p, e, voff, vl));
        }
    }
}

static void caps(P *p, node *caps_node, const char *key, const cv *v, const char *field)
{
    if (!is_list(p, v, field, 0))
        return;
    node *l = node_set_list(p->a, caps_node, key, at(v));
    EACH(v, i, e)
    {
        size_t n;
        const char *s = text(p, e, key[0] == 'a' ? "cap_add item" : "cap_drop item", &n);
        if (!s)
            continue;
        size_t off = n > 4 && strncasecmp(s, "CAP_", 4) == 0 ? 4 : 0;
        char *up = arena_strndup(p->a, s + off, n - off);
        if (!up)
            return;
        for (size_t j = 0; j < n - off; j++)
            if (up[j] >= 'a' && up[j] <= 'z')
                up[j] = (char)(up[j] - 'a' + 'A');
        node_push(p->a, l, node_str(p->a, up, n - off, sub_at(e, off)));
    }
}

/* ---- tmpfs and volumes ---- */

static void tmpfs_entry(P *p, node *list, const cv *e)
{
    size_t n;
    const char *s = text(p, e, "tmpfs", &n);
    if (!s)
        return;
    const char *colon = memchr(s, ':', n);
    size_t pl = colon ? (size_t)(colon - s) : n;
    node *t = node_map(p->a, at(e));
    node_set(p->a, t, "path", str_at(p, e, 0, pl));
    node *opts = node_set_list(p->a, t, "options", colon ? sub_at(e, pl + 1) : NOPOS);
    for (size_t i = pl + 1; colon && i <= n;) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        if (j > i)
            node_push(p->a, opts, str_at(p, e, i, j - i));
        i = j + 1;
    }
    node_push(p->a, list, t);
}

static node *tmpfs_list(P *p, node *c, const cv *where)
{
    node *l = node_get(c, "tmpfs");
    return l ? l : node_set_list(p->a, c, "tmpfs", at(where));
}

static void do_tmpfs(P *p, node *c, const cv *v)
{
    if (!is_list(p, v, "tmpfs", 1))
        return;
    node *l = tmpfs_list(p, c, v);
    EACH(v, i, e)
    tmpfs_entry(p, l, e);
}

static int is_path(const char *s, size_t n)
{
    if (!n)
        return 0;
    if (s[0] == '/' || s[0] == '.' || s[0] == '~' || s[0] == '\\')
        return 1;
    if (n >= 3 && s[1] == ':' && (s[2] == '\\' || s[2] == '/'))
        return 1;
    return s[0] == '$' && memchr(s, '/', n) != NULL;
}

static void volume_short(P *p, node *mounts, const cv *e)
{
    size_t n;
    const char *s = e->y->u.str.s;
    n = e->y->u.str.len;
    size_t off[3], len[3], np = 0, i = 0;
    while (i <= n && np < 3) {
        size_t j = i;
        while (j < n && s[j] != ':')
            j++;
        if (j == i + 1 && j + 1 < n && (s[j + 1] == '\\' || s[j + 1] == '/')) {
            j += 2;
            while (j < n && s[j] != ':')
                j++;
        }
        off[np] = i;
        len[np++] = j - i;
        i = j + 1;
    }
    node *m = node_map(p->a, at(e));
    if (np == 1) {
        node_set_str(p->a, m, "type", "volume", NOPOS);
        node_set(p->a, m, "target", str_at(p, e, off[0], len[0]));
    } else {
        node_set_str(p->a, m, "type", is_path(s + off[0], len[0]) ? "bind" : "volume", NOPOS);
        node_set(p->a, m, "source", str_at(p, e, off[0], len[0]));
        node_set(p->a, m, "target", str_at(p, e, off[1], len[1]));
    }
    if (np == 3) {
        node_set(p->a, m, "mode", str_at(p, e, off[2], len[2]));
        for (size_t k = off[2]; k <= off[2] + len[2];) {
            size_t j = k;
            while (j < off[2] + len[2] && s[j] != ',')
                j++;
            if (j - k == 2 && (memcmp(s + k, "ro", 2) == 0 || memcmp(s + k, "rw", 2) == 0))
                node_set_bool(p->a, m, "read_only", s[k + 1] == 'o', sub_at(e, k));
            k = j + 1;
        }
    }
    node_push(p->a, mounts, m);
}

static void volume_long(P *p, node *c, node *mounts, const cv *e)
{
    node *m = node_map(p->a, at(e));
    const cv *x;
    if ((x = cv_get(e, "type")))
        set_text(p, m, "type", x, "volumes.type");
    else
        node_set_str(p->a, m, "type", "volume", NOPOS);
    if ((x = cv_get(e, "source")))
        set_text(p, m, "source", x, "volumes.source");
    if ((x = cv_get(e, "target")))
        set_text(p, m, "target", x, "volumes.target");
    else
        bad(p, e, "a volume needs a target");
    if ((x = cv_get(e, "read_only")))
        set_bool(p, m, "read_only", x, "volumes.read_only");
    node_push(p->a, mounts, m);
    const char *type = node_get_str(m, "type");
    if (!type || strcmp(type, "tmpfs") != 0 || !node_get(m, "target"))
        return;
    /* a tmpfs volume is also a tmpfs of the container, for rules that check tmpfs options */
    node *t = node_map(p->a, at(e));
    node_set(p->a, t, "path", node_get(m, "target"));
    node *opts = node_set_list(p->a, t, "options", NOPOS);
    const cv *tf = cv_get(e, "tmpfs");
    static const char *const keys[] = {"size", "mode"};
    for (size_t k = 0; tf && tf->kind == YV_MAP && k < 2; k++) {
        size_t n;
        const char *s;
        if ((x = cv_get(tf, keys[k])) && (s = text(p, x, keys[k], &n)))
            node_push(p->a, opts, node_strz(p->a, arena_printf(p->a, "%s=%.*s", keys[k],
                                                                (int)n, s), at(x)));
    }
    node_push(p->a, tmpfs_list(p, c, e), t);
}

static void do_volumes(P *p, node *c, const cv *v)
{
    if (!is_list(p, v, "volumes", 0))
        return;
    node *mounts = node_set_list(p->a, c, "mounts", at(v));
    EACH(v, i, e)
    {
        if (e->kind == YV_SCALAR)
            volume_short(p, mounts, e);
        else if (e->kind == YV_MAP)
            volume_long(p, c, mounts, e);
        else
            bad(p, e, "a volume must be a string or a map, not %s", kind_word(e));
    }
}

/* ---- resources ---- */

static node *res_node(P *p, node *c, const cv *where)
{
    node *r = node_get(c, "resources");
    return r ? r : node_set_map(p->a, c, "resources", at(where));
}

static void res_bytes(P *p, node *c, const char *key, const cv *v, const char *field)
{
    size_t n;
    const char *s = text(p, v, field, &n);
    double d;
    if (!s || interpolated(s, n))
        return;
    char *z = arena_strndup(p->a, s, n);
    if (!z || strlen(z) != n || units_parse_bytes(z, UNITS_DOCKER, &d) != 0) {
        bad(p, v, "%s must be a size like 512m, not \"%.*s\"", field, (int)n, s);
        return;
    }
    node_set_int(p->a, res_node(p, c, v), key, (long long)d, at(v));
}

static void res_cpu(P *p, node *c, const char *key, const cv *v, const char *field)
{
    size_t n;
    const char *s = text(p, v, field, &n);
    double d;
    if (!s || interpolated(s, n))
        return;
    char *z = arena_strndup(p->a, s, n);
    if (!z || strlen(z) != n || units_parse_cpu(z, &d) != 0) {
        bad(p, v, "%s must be a number of CPUs like 0.5, not \"%.*s\"", field, (int)n, s);
        return;
    }
    node_set(p->a, res_node(p, c, v), key, node_num(p->a, d, at(v)));
}

static void res_int(P *p, node *c, const char *key, const cv *v, const char *field)
{
    long long x;
    if (cv_interpolated(v))
        return;
    if (int_of(v, &x) != 0) {
        bad(p, v, "%s must be an integer", field);
        return;
    }
    node_set_int(p->a, res_node(p, c, v), key, x, at(v));
}

static void do_deploy(P *p, node *c, const cv *v)
{
    if (v->kind != YV_MAP) {
        bad(p, v, "deploy must be a map, not %s", kind_word(v));
        return;
    }
    const cv *r = cv_get(v, "resources");
    if (!r)
        return;
    if (r->kind != YV_MAP) {
        bad(p, r, "deploy.resources must be a map, not %s", kind_word(r));
        return;
    }
    node *rn = node_get(c, "resources");
    if (rn)
        rn->pos = at(r); /* deploy.resources is where a reader looks first */
    else
        res_node(p, c, r);
    const cv *l = cv_get(r, "limits"), *q = cv_get(r, "reservations"), *x;
    if (l && l->kind != YV_MAP)
        bad(p, l, "deploy.resources.limits must be a map, not %s", kind_word(l));
    else if (l) {
        if ((x = cv_get(l, "memory")))
            res_bytes(p, c, "memory_limit", x, "deploy.resources.limits.memory");
        if ((x = cv_get(l, "cpus")))
            res_cpu(p, c, "cpu_limit", x, "deploy.resources.limits.cpus");
        if ((x = cv_get(l, "pids")))
            res_int(p, c, "pids_limit", x, "deploy.resources.limits.pids");
    }
    if (q && q->kind != YV_MAP)
        bad(p, q, "deploy.resources.reservations must be a map, not %s", kind_word(q));
    else if (q) {
        if ((x = cv_get(q, "memory")))
            res_bytes(p, c, "memory_request", x, "deploy.resources.reservations.memory");
        if ((x = cv_get(q, "cpus")))
            res_cpu(p, c, "cpu_request", x, "deploy.resources.reservations.cpus");
    }
}

/* ---- network, host namespaces ---- */

static node *net_node(P *p, node *c, const cv *where)
{
    node *n = node_get(c, "network");
    return n ? n : node_set_map(p->a, c, "network", at(where));
}

static void do_networks(P *p, node *c, const cv *v)
{
    if (v->kind != YV_SEQ && v->kind != YV_MAP) {
        bad(p, v, "networks must be a list or a map, not %s", kind_word(v));
        return;
    }
    node *l = node_set_list(p->a, net_node(p, c, v), "networks", at(v));
    if (v->kind == YV_MAP) {
        for (size_t i = 0; i < v->u.map.n; i++) {
            const cv_pair *pr = &v->u.map.v[i];
            if (pr->val && cv_is_reset(pr->val))
                continue;
            if (pr->val && pr->val->kind == YV_SEQ)
                bad(p, pr->val, "networks.%.*s must be a map or empty, not a list",
                    (int)pr->key->u.str.len, pr->key->u.str.s);
            node_push(p->a, l, node_str(p->a, pr->key->u.str.s, pr->key->u.str.len,
                                        cpos_make(pr->file, pr->key->line, pr->key->col)));
        }
        return;
    }
    EACH(v, i, e)
    {
        size_t n;
        const char *s = text(p, e, "networks item", &n);
        if (s)
            node_push(p->a, l, node_str(p->a, s, n, at(e)));
    }
}

static void port_short(P *p, node *list, const cv *e)
{
    const char *s = e->y->u.str.s;
    size_t n = e->y->u.str.len;
    node *pt = node_map(p->a, at(e));
    size_t end = n;
    const char *slash = memchr(s, '/', n);
    if (slash) {
        end = (size_t)(slash - s);
        node_set(p->a, pt, "protocol", str_at(p, e, end + 1, n - end - 1));
    }
    size_t c1 = end; /* last ':' before the protocol */
    while (c1 > 0 && s[c1 - 1] != ':')
        c1--;
    node_set(p->a, pt, "target", port_node(p, e, c1, end - c1));
    if (c1 > 0) {
        size_t pend = c1 - 1, c2 = pend;
        while (c2 > 0 && s[c2 - 1] != ':')
            c2--;
        /* "[::1]:8080:80": the host part is bracketed */
        if (c2 > 0 && s[0] == '[') {
            const char *rb = memchr(s, ']', pend);
            if (rb && (size_t)(rb - s) + 1 < pend && s[rb - s + 1] == ':')
                c2 = (size_t)(rb - s) + 2;
        }
        if (pend > c2)
            node_set(p->a, pt, "published", port_node(p, e, c2, pend - c2));
        if (c2 > 1) {
            size_t hs = 0, he = c2 - 1;
            if (s[0] == '[' && he > 1 && s[he - 1] == ']') {
                hs = 1;
                he--;
            }
            node_set(p->a, pt, "host_ip", str_at(p, e, hs, he - hs));
        }
    }
    node_push(p->a, list, pt);
}

static void port_long(P *p, node *list, const cv *e)
{
    node *pt = node_map(p->a, at(e));
    static const char *const keys[] = {"target", "published", "protocol", "host_ip", "mode"};
    for (size_t k = 0; k < 5; k++) {
        const cv *x = cv_get(e, keys[k]);
        size_t n;
        const char *s;
        if (!x || !(s = text(p, x, keys[k], &n)))
            continue;
        if (k < 2)
            node_set(p->a, pt, keys[k], port_node(p, x, 0, n));
        else
            node_set_strn(p->a, pt, keys[k], s, n, at(x));
    }
    if (!node_get(pt, "target"))
        bad(p, e, "a port needs a target");
    node_push(p->a, list, pt);
}

static void do_ports(P *p, node *c, const cv *v)
{
    if (!is_list(p, v, "ports", 0))
        return;
    node *l = node_set_list(p->a, net_node(p, c, v), "ports", at(v));
    EACH(v, i, e)
    {
        if (e->kind == YV_SCALAR)
            port_short(p, l, e);
        else if (e->kind == YV_MAP)
            port_long(p, l, e);
        else
            bad(p, e, "a port must be a string, a number or a map, not a list");
    }
}

static void host_ns(P *p, node *c, const char *key, const cv *v, const char *field)
{
    size_t n;
    const char *s = text(p, v, field, &n);
    if (!s)
        return;
    node *h = node_get(c, "host");
    if (!h)
        h = node_set_map(p->a, c, "host", NOPOS);
    node_set_bool(p->a, h, key, n == 4 && memcmp(s, "host", 4) == 0, at(v));
}

/* ---- logging, environment, secrets, healthcheck, labels ---- */

static void str_map(P *p, node *m, const cv *v, const char *field)
{
    for (size_t i = 0; i < v->u.map.n; i++) {
        const cv_pair *pr = &v->u.map.v[i];
        if (pr->val && cv_is_reset(pr->val))
            continue;
        char *k = arena_strndup(p->a, pr->key->u.str.s, pr->key->u.str.len);
        if (!k)
            return;
        if (!pr->val || yv_is_null(pr->val->y))
            continue;
        set_text(p, m, k, pr->val, field);
    }
}

static void do_logging(P *p, node *c, const cv *v)
{
    if (v->kind != YV_MAP) {
        bad(p, v, "logging must be a map, not %s", kind_word(v));
        return;
    }
    node *l = node_set_map(p->a, c, "logging", at(v));
    const cv *x;
    if ((x = cv_get(v, "driver")))
        set_text(p, l, "driver", x, "logging.driver");
    if ((x = cv_get(v, "options"))) {
        if (x->kind != YV_MAP)
            bad(p, x, "logging.options must be a map, not %s", kind_word(x));
        else
            str_map(p, node_set_map(p->a, l, "options", at(x)), x, "logging option");
    }
}

static void env_entry(P *p, node *l, const char *name, size_t nl, cpos npos, const cv *val,
                      size_t voff, int has_value)
{
    node *e = node_map(p->a, npos);
    node_set(p->a, e, "name", node_str(p->a, name, nl, npos));
    if (has_value) {
        size_t vl = val->y->u.str.len - voff;
        node_set(p->a, e, "value", str_at(p, val, voff, vl));
        if (interpolated(val->y->u.str.s + voff, vl))
            node_set_bool(p->a, e, "interpolated", 1, NOPOS);
    }
    node_push(p->a, l, e);
}

/* environment and labels items: "K=v", "K", or a one-pair map left by a merge */
static void env_pairs(P *p, node *l, const cv *v, const char *field)
{
    for (size_t i = 0; i < v->u.map.n; i++) {
        const cv_pair *pr = &v->u.map.v[i];
        if (pr->val && cv_is_reset(pr->val))
            continue;
        cpos kp = cpos_make(pr->file, pr->key->line, pr->key->col);
        int has = pr->val && !yv_is_null(pr->val->y);
        if (has && pr->val->kind != YV_SCALAR) {
            bad(p, pr->val, "%s values must be strings, not %s", field, kind_word(pr->val));
            continue;
        }
        env_entry(p, l, pr->key->u.str.s, pr->key->u.str.len, kp, pr->val, 0, has);
    }
}

static void do_env(P *p, node *c, const cv *v)
{
    if (v->kind != YV_SEQ && v->kind != YV_MAP) {
        bad(p, v, "environment must be a map or a list, not %s", kind_word(v));
        return;
    }
    node *l = node_set_list(p->a, c, "env", at(v));
    if (v->kind == YV_MAP) {
        env_pairs(p, l, v, "environment");
        return;
    }
    EACH(v, i, e)
    {
        if (e->kind == YV_MAP) {
            env_pairs(p, l, e, "environment");
            continue;
        }
        size_t n;
        const char *s = text(p, e, "environment item", &n);
        if (!s)
            continue;
        const char *eqs = memchr(s, '=', n);
        size_t nl = eqs ? (size_t)(eqs - s) : n;
        env_entry(p, l, s, nl, at(e), e, nl + 1, eqs != NULL);
    }
}

static void do_labels(P *p, node *c, const cv *v)
{
    if (v->kind != YV_SEQ && v->kind != YV_MAP) {
        bad(p, v, "labels must be a map or a list, not %s", kind_word(v));
        return;
    }
    node *m = node_set_map(p->a, c, "labels", at(v));
    node *tmp = node_list(p->a, NOPOS);
    if (v->kind == YV_MAP)
        env_pairs(p, tmp, v, "labels");
    else
        EACH(v, i, e)
        {
            if (e->kind == YV_MAP) {
                env_pairs(p, tmp, e, "labels");
                continue;
            }
            size_t n;
            const char *s = text(p, e, "labels item", &n);
            if (!s)
                continue;
            const char *eqs = memchr(s, '=', n);
            size_t nl = eqs ? (size_t)(eqs - s) : n;
            env_entry(p, tmp, s, nl, at(e), e, nl + 1, eqs != NULL);
        }
    for (size_t i = 0; tmp && i < tmp->u.list.n; i++) {
        node *e = tmp->u.list.v[i];
        node *name = node_get(e, "name"), *val = node_get(e, "value");
        char *k = arena_strndup(p->a, name->u.s.s, name->u.s.len);
        if (k)
            node_set(p->a, m, k, val ? val : node_str(p->a, "", 0, name->pos));
    }
}

/* A list of names or of maps holding the name under map_key (env_file entries {path}, secrets
   {source}): the names, each at its position. */
static void name_list(P *p, node *c, const cv *v, const char *key, const char *map_key,
                      int allow_scalar)
{
    if (!is_list(p, v, key, allow_scalar))
        return;
    node *l = node_set_list(p->a, c, key, at(v));
    EACH(v, i, e)
    {
        const cv *x = e->kind == YV_MAP ? cv_get(e, map_key) : e;
        size_t n;
        const char *s = x ? text(p, x, key, &n) : NULL;
        if (s)
            node_push(p->a, l, node_str(p->a, s, n, at(x)));
    }
}

static void do_env_file(P *p, node *c, const cv *v) { name_list(p, c, v, "env_file", "path", 1); }

static void do_secrets(P *p, node *c, const cv *v) { name_list(p, c, v, "secrets", "source", 0); }

static void do_healthcheck(P *p, node *c, const cv *v)
{
    if (v->kind != YV_MAP) {
        bad(p, v, "healthcheck must be a map, not %s", kind_word(v));
        return;
    }
    node *h = node_set_map(p->a, c, "healthcheck", at(v));
    const cv *x;
    int disabled = -1;
    cpos dpos = NOPOS;
    if ((x = cv_get(v, "test"))) {
        if (x->kind == YV_SEQ) {
            node *t = node_set_list(p->a, h, "test", at(x));
            EACH(x, i, e)
            {
                size_t n;
                const char *s = text(p, e, "healthcheck.test item", &n);
                if (!s)
                    continue;
                node_push(p->a, t, node_str(p->a, s, n, at(e)));
                if (i == 0 && n == 4 && memcmp(s, "NONE", 4) == 0) {
                    disabled = 1;
                    dpos = at(e);
                }
            }
        } else
            set_text(p, h, "test", x, "healthcheck.test");
    }
    if ((x = cv_get(v, "disable")) && get_bool(p, x, "healthcheck.disable", &disabled) == 0)
        dpos = at(x);
    if (disabled >= 0)
        node_set_bool(p->a, h, "disabled", disabled, dpos);
    static const char *const durs[] = {"interval", "timeout", "start_period", "start_interval"};
    for (size_t k = 0; k < 4; k++)
        if ((x = cv_get(v, durs[k])))
            set_text(p, h, durs[k], x, durs[k]);
    long long r;
    if ((x = cv_get(v, "retries"))) {
        if (int_of(x, &r) == 0)
            node_set_int(p->a, h, "retries", r, at(x));
        else if (!cv_interpolated(x))
            bad(p, x, "healthcheck.retries must be an integer");
    }
}

static void do_extends(P *p, node *c, const cv *v)
{
    node *m = node_set_map(p->a, c, "extends", at(v));
    if (v->kind == YV_SCALAR) {
        set_text(p, m, "service", v, "extends");
        return;
    }
    const cv *x;
    if ((x = cv_get(v, "service")))
        set_text(p, m, "service", x, "extends.service");
    if ((x = cv_get(v, "file")))
        set_text(p, m, "file", x, "extends.file");
}

/* ---- one service ---- */

static void service(P *p, const cv_pair *pr)
{
    const cv *s = pr->val;
    char *name = arena_strndup(p->a, pr->key->u.str.s, pr->key->u.str.len);
    if (!name)
        return;
    p->svc = name;
    if (!s || s->kind != YV_MAP) {
        if (s)
            bad(p, s, "a service must be a map, not %s", kind_word(s));
        else
            diag_add(p->ctx->diags, pr->file, pr->key->line, pr->key->col,
                     "service \"%s\" must be a map", name);
        p->svc = NULL;
        return;
    }
    cpos kp = cpos_make(pr->file, pr->key->line, pr->key->col);
    node *c = node_map(p->a, kp);
    node_set_str(p->a, c, "kind", "compose-service", NOPOS);
    node_set_str(p->a, c, "name", name, kp);
    node_set_str(p->a, c, "object", arena_printf(p->a, "service %s", name), NOPOS);
    node_set(p->a, c, "document", p->doc);
    const cv *x, *caps_add = cv_get(s, "cap_add"), *caps_drop = cv_get(s, "cap_drop");
    if ((x = cv_get(s, "image")))
        do_image(p, c, x);
    if ((x = cv_get(s, "build")))
        do_build(p, c, x);
    if ((x = cv_get(s, "user")))
        do_user(p, c, x);
    if ((x = cv_get(s, "privileged")))
        set_bool(p, c, "privileged", x, "privileged");
    if ((x = cv_get(s, "security_opt")))
        do_security_opt(p, c, x);
    if (caps_add || caps_drop) {
        node *cn = node_set_map(p->a, c, "capabilities", at(caps_drop ? caps_drop : caps_add));
        if (caps_add)
            caps(p, cn, "add", caps_add, "cap_add");
        if (caps_drop)
            caps(p, cn, "drop", caps_drop, "cap_drop");
    }
    if ((x = cv_get(s, "read_only")))
        set_bool(p, c, "read_only_rootfs", x, "read_only");
    if ((x = cv_get(s, "tmpfs")))
        do_tmpfs(p, c, x);
    if ((x = cv_get(s, "volumes")))
        do_volumes(p, c, x);
    if ((x = cv_get(s, "mem_limit")))
        res_bytes(p, c, "memory_limit", x, "mem_limit");
    if ((x = cv_get(s, "mem_reservation")))
        res_bytes(p, c, "memory_request", x, "mem_reservation");
    if ((x = cv_get(s, "cpus")))
        res_cpu(p, c, "cpu_limit", x, "cpus");
    if ((x = cv_get(s, "pids_limit")))
        res_int(p, c, "pids_limit", x, "pids_limit");
    if ((x = cv_get(s, "deploy")))
        do_deploy(p, c, x);
    if ((x = cv_get(s, "network_mode"))) {
        set_text(p, net_node(p, c, x), "mode", x, "network_mode");
        host_ns(p, c, "network", x, "network_mode");
    }
    if ((x = cv_get(s, "networks")))
        do_networks(p, c, x);
    if ((x = cv_get(s, "ports")))
        do_ports(p, c, x);
    if ((x = cv_get(s, "pid")))
        host_ns(p, c, "pid", x, "pid");
    if ((x = cv_get(s, "ipc")))
        host_ns(p, c, "ipc", x, "ipc");
    if ((x = cv_get(s, "uts")))
        host_ns(p, c, "uts", x, "uts");
    if ((x = cv_get(s, "userns_mode")))
        host_ns(p, c, "user", x, "userns_mode");
    if ((x = cv_get(s, "logging")))
        do_logging(p, c, x);
    if ((x = cv_get(s, "environment")))
        do_env(p, c, x);
    if ((x = cv_get(s, "env_file")))
        do_env_file(p, c, x);
    if ((x = cv_get(s, "secrets")))
        do_secrets(p, c, x);
    if ((x = cv_get(s, "healthcheck")))
        do_healthcheck(p, c, x);
    if ((x = cv_get(s, "extends")))
        do_extends(p, c, x);
    if ((x = cv_get(s, "labels")))
        do_labels(p, c, x);
    node_push(p->a, project_list(p->ctx, "containers"), c);
    p->svc = NULL;
}

static void network(P *p, const cv_pair *pr)
{
    cpos kp = cpos_make(pr->file, pr->key->line, pr->key->col);
    node *n = node_map(p->a, kp);
    node_set_strn(p->a, n, "name", pr->key->u.str.s, pr->key->u.str.len, kp);
    node_set(p->a, n, "document", p->doc);
    const cv *v = pr->val;
    if (v && v->kind == YV_MAP) {
        const cv *x;
        if ((x = cv_get(v, "internal")))
            set_bool(p, n, "internal", x, "networks.internal");
        if ((x = cv_get(v, "driver")))
            set_text(p, n, "driver", x, "networks.driver");
        if ((x = cv_get(v, "external"))) {
            if (x->kind == YV_MAP) /* the old {name: x} form */
                node_set_bool(p->a, n, "external", 1, at(x));
            else
                set_bool(p, n, "external", x, "networks.external");
        }
    } else if (v && !yv_is_null(v->y)) {
        bad(p, v, "network \"%.*s\" must be a map or empty, not %s", (int)pr->key->u.str.len,
            pr->key->u.str.s, kind_word(v));
    }
    node_push(p->a, project_list(p->ctx, "networks"), n);
}

/* ---- files: documents, extends, override ---- */

typedef struct ext {
    P *p;
    const cv *services;  /* of this file */
    const cv *fallback;  /* the base file's resolved services, for the override file */
    unsigned char *state; /* 0 new, 1 resolving, 2 done */
    cv **done;
} ext;

static long find_service(const cv *services, const char *s, size_t n)
{
    for (size_t i = 0; services && services->kind == YV_MAP && i < services->u.map.n; i++) {
        const yv *k = services->u.map.v[i].key;
        if (k->u.str.len == n && memcmp(k->u.str.s, s, n) == 0)
            return (long)i;
    }
    return -1;
}

static cv *resolve(ext *x, size_t i)
{
    const cv_pair *pr = &x->services->u.map.v[i];
    if (x->state[i] == 2)
        return x->done[i];
    cv *svc = pr->val;
    const cv *e = svc && svc->kind == YV_MAP ? cv_get(svc, "extends") : NULL;
    if (x->state[i] == 1) {
        diag_add(x->p->ctx->diags, pr->file, pr->key->line, pr->key->col,
                 "service \"%.*s\": extends loops back to this service",
                 (int)pr->key->u.str.len, pr->key->u.str.s);
        return svc;
    }
    x->state[i] = 1;
    cv *out = svc;
    const cv *target = e && e->kind == YV_MAP ? cv_get(e, "service") : e;
    const cv *file = e && e->kind == YV_MAP ? cv_get(e, "file") : NULL;
    char who[128];
    snprintf(who, sizeof who, "%.*s", (int)pr->key->u.str.len, pr->key->u.str.s);
    if (file) {
        diag_add(x->p->ctx->diags, file->file, file->y->line, file->y->col,
                 "service \"%s\": extends a service of another file (%.*s), which is not "
                 "followed",
                 who, file->kind == YV_SCALAR ? (int)file->y->u.str.len : 0,
                 file->kind == YV_SCALAR ? file->y->u.str.s : "");
    } else if (e && (!target || target->kind != YV_SCALAR)) {
        diag_add(x->p->ctx->diags, e->file, e->y->line, e->y->col,
                 "service \"%s\": extends needs a service name", who);
    } else if (target) {
        const char *tn = target->y->u.str.s;
        size_t tl = target->y->u.str.len;
        long j = find_service(x->services, tn, tl);
        const cv *base = NULL;
        if (j >= 0)
            base = resolve(x, (size_t)j);
        else if ((j = find_service(x->fallback, tn, tl)) >= 0)
            base = x->fallback->u.map.v[j].val;
        else
            diag_add(x->p->ctx->diags, target->file, target->y->line, target->y->col,
                     "service \"%s\": extends \"%.*s\", which is not a service of this file",
                     who, (int)tl, tn);
        if (base && base->kind == YV_MAP) {
            const char *path[2] = {"services", who};
            out = cv_merge(x->p->ctx, base, svc, path, 2, 1);
        }
    }
    x->state[i] = 2;
    x->done[i] = out ? out : svc;
    return x->done[i];
}

/* The file's tree with every service's extends applied. */
static cv *apply_extends(P *p, cv *root, const cv *fallback)
{
    const cv *services = cv_get(root, "services");
    if (!services || services->kind != YV_MAP || !services->u.map.n)
        return root;
    size_t n = services->u.map.n;
    ext x = {p, services, fallback, arena_alloc(p->a, n), arena_alloc(p->a, n * sizeof(cv *))};
    cv *ns = arena_alloc(p->a, sizeof *ns);
    cv_pair *pairs = arena_alloc(p->a, n * sizeof *pairs);
    cv *nr = arena_alloc(p->a, sizeof *nr);
    cv_pair *rp = arena_alloc(p->a, root->u.map.n * sizeof *rp);
    if (!x.state || !x.done || !ns || !pairs || !nr || !rp)
        return root;
    for (size_t i = 0; i < n; i++) {
        pairs[i] = services->u.map.v[i];
        pairs[i].val = resolve(&x, i);
    }
    *ns = *services;
    ns->u.map.v = pairs;
    *nr = *root;
    nr->u.map.v = rp;
    for (size_t i = 0; i < root->u.map.n; i++) {
        rp[i] = root->u.map.v[i];
        if (rp[i].val == services)
            rp[i].val = ns;
    }
    return nr;
}

/* One file: its documents merged in order, then extends. NULL when it holds nothing usable. */
static cv *load_file(P *p, const char *name, const char *data, size_t len, const cv *fallback,
                     int *failed)
{
    parse_ctx sub = *p->ctx;
    sub.file = name;
    yaml_doc *docs = NULL;
    int n = yaml_load(&sub, data ? data : "", data ? len : 0, NULL, &docs);
    cv *root = NULL;
    if (n < 0 && (!docs || !docs[0].root))
        *failed = 1;
    if (n == 0)
        diag_add(p->ctx->diags, name, 1, 1, "the compose file is empty");
    for (size_t i = 0; docs && docs[i].root; i++) {
        const yv *y = docs[i].root;
        if (y->kind != YV_MAP) {
            diag_add(p->ctx->diags, name, y->line, y->col,
                     "a compose file must be a map of top-level keys (services, networks, ...)");
            continue;
        }
        cv *c = cv_from_yv(p->a, y, name);
        root = root ? cv_merge(p->ctx, root, c, NULL, 0, 0) : c;
    }
    return root ? apply_extends(p, root, fallback) : NULL;
}

int compose_parse(parse_ctx *ctx, const char *data, size_t len, const char *override_name,
                  const char *override_data, size_t override_len)
{
    P p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.a = ctx->a;
    p.doc = project_document(ctx, "compose");
    int failed = 0;
    cv *root = load_file(&p, ctx->file, data, len, NULL, &failed);
    if (override_name && override_data) {
        const char *on = arena_strdup(p.a, override_name);
        if (on) {
            node_set_str(p.a, p.doc, "override_file", on, NOPOS);
            int ofailed = 0;
            const cv *base_services = root ? cv_get(root, "services") : NULL;
            cv *over = load_file(&p, on, override_data, override_len, base_services, &ofailed);
            if (over)
                root = root ? cv_merge(ctx, root, over, NULL, 0, 0) : over;
        }
    }
    if (!root)
        return failed ? -1 : 0;
    const cv *services = cv_get(root, "services");
    if (services && services->kind == YV_MAP) {
        for (size_t i = 0; i < services->u.map.n; i++)
            if (!cv_is_reset(services->u.map.v[i].val))
                service(&p, &services->u.map.v[i]);
    } else if (services && !yv_is_null(services->y)) {
        bad(&p, services, "services must be a map of service names, not %s", kind_word(services));
    }
    const cv *nets = cv_get(root, "networks");
    if (nets && nets->kind == YV_MAP) {
        for (size_t i = 0; i < nets->u.map.n; i++)
            if (!cv_is_reset(nets->u.map.v[i].val))
                network(&p, &nets->u.map.v[i]);
    } else if (nets && !yv_is_null(nets->y)) {
        bad(&p, nets, "networks must be a map of network names, not %s", kind_word(nets));
    }
    return ctx->a->failed ? -1 : 0;
}
