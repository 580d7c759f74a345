/*
 * dockerfile.c - Dockerfile to model: the build (directives, global ARGs, stages with their
 * instructions and effective user/env/healthcheck) and one container for the final stage.
 * Lines come from dockerfile_lex.c, words from dockerfile_words.c.
 *
 * Grammar of the instructions (Dockerfile reference); keywords are case-insensitive, flags are
 * "--name[=value]" words before the arguments:
 *   FROM [--platform=p] image [AS name]      ARG name[=value] ...      ENV k=v ... | ENV k v
 *   RUN|CMD|ENTRYPOINT exec-form | shell-text   SHELL exec-form    USER user[:group]
 *   HEALTHCHECK [flags] (CMD exec-form|shell-text | NONE)         EXPOSE port[/proto] ...
 *   COPY|ADD [flags] (exec-form | src... dest)   WORKDIR path   VOLUME exec-form | path...
 *   LABEL k=v ...   STOPSIGNAL sig   MAINTAINER text   ONBUILD instruction
 * Only ARG may come before the first FROM; those ARGs are visible to FROM lines only, and a
 * stage sees one again after "ARG name". Substitution happens in ADD COPY ENV EXPOSE FROM LABEL
 * STOPSIGNAL USER VOLUME WORKDIR ARG and ONBUILD triggers, never in RUN CMD ENTRYPOINT.
 */
#include "dockerfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/imageref.h"
#include "../util/strhash.h"

enum {
    K_FROM, K_RUN, K_CMD, K_LABEL, K_MAINTAINER, K_EXPOSE, K_ENV, K_ADD, K_COPY, K_ENTRYPOINT,
    K_VOLUME, K_USER, K_WORKDIR, K_ARG, K_ONBUILD, K_STOPSIGNAL, K_HEALTHCHECK, K_SHELL, K_COUNT
};

static const char *const kw_names[K_COUNT] = {
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"};

enum { F_VALUE, F_BOOL, F_LIST };

typedef struct flag_def {
    int kw;
    const char *name;
    int kind;
} flag_def;

static const flag_def flag_defs[] = {
    {K_FROM, "platform", F_VALUE},
    {K_RUN, "mount", F_LIST},       {K_RUN, "network", F_VALUE},
    {K_RUN, "security", F_VALUE},   {K_RUN, "device", F_LIST},
    {K_COPY, "from", F_VALUE},      {K_COPY, "chown", F_VALUE},
    {K_COPY, "chmod", F_VALUE},     {K_COPY, "link", F_BOOL},
    {K_COPY, "parents", F_BOOL},    {K_COPY, "exclude", F_LIST},
    {K_ADD, "chown", F_VALUE},      {K_ADD, "chmod", F_VALUE},
    {K_ADD, "link", F_BOOL},        {K_ADD, "keep-git-dir", F_BOOL},
    {K_ADD, "checksum", F_VALUE},   {K_ADD, "exclude", F_LIST},
    {K_ADD, "unpack", F_BOOL},
    {K_HEALTHCHECK, "interval", F_VALUE},     {K_HEALTHCHECK, "timeout", F_VALUE},
    {K_HEALTHCHECK, "start-period", F_VALUE}, {K_HEALTHCHECK, "start-interval", F_VALUE},
    {K_HEALTHCHECK, "retries", F_VALUE},
};

/* name -> value (an index into a list, or a uid), open addressing, grown at half load */
typedef struct vslot {
    const char *k;
    size_t klen;
    long long v;
} vslot;

typedef struct vmap {
    vslot *s;
    size_t cap, n;
} vmap;

typedef struct stage_st {
    node *stage, *env, *args, *expose, *user, *healthcheck, *instructions;
    vmap envmap, argmap, users;
    const char *name; /* lower case, NULL without AS */
    unsigned int index;
    cpos from_pos;
} stage_st;

typedef struct P {
    parse_ctx *ctx;
    arena *a;
    df_lexer lx;
    df_words w;
    node *build, *stages, *gargs;
    vmap gmap;
    stage_st *st;
    size_t nst, capst;
} P;

static const cpos NOPOS = {NULL, 0, 0};

static vslot *vmap_find(const vmap *m, const char *k, size_t n)
{
    if (!m->cap)
        return NULL;
    size_t i = str_hash_n(k, n) & (m->cap - 1);
    while (m->s[i].k) {
        if (m->s[i].klen == n && memcmp(m->s[i].k, k, n) == 0)
            return &m->s[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static void vmap_put(arena *a, vmap *m, const char *k, size_t n, long long v)
{
    vslot *old = vmap_find(m, k, n);
    if (old) {
        old->v = v;
        return;
    }
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        vslot *s = arena_alloc(a, cap * sizeof *s);
        if (!s)
            return;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->s[i].k)
                continue;
            size_t j = str_hash_n(m->s[i].k, m->s[i].klen) & (cap - 1);
            while (s[j].k)
                j = (j + 1) & (cap - 1);
            s[j] = m->s[i];
        }
        m->s = s;
        m->cap = cap;
    }
    size_t j = str_hash_n(k, n) & (m->cap - 1);
    while (m->s[j].k)
        j = (j + 1) & (m->cap - 1);
    m->s[j].k = k;
    m->s[j].klen = n;
    m->s[j].v = v;
    m->n++;
}

static vmap vmap_copy(arena *a, const vmap *m)
{
    vmap c = *m;
    if (m->cap) {
        c.s = arena_alloc(a, m->cap * sizeof *c.s);
        if (c.s)
            memcpy(c.s, m->s, m->cap * sizeof *c.s);
        else
            c.cap = c.n = 0;
    }
    return c;
}

static cpos at(P *p, const df_inst *in, size_t off) { return df_pos(&p->lx, in, off); }

/* The value of an {name, value} entry of list l found through m. */
static int entry_value(const node *l, const vmap *m, const char *name, size_t len,
                       const char **val, size_t *vlen)
{
    vslot *s = vmap_find(m, name, len);
    if (!s || !l || (size_t)s->v >= l->u.list.n)
        return 0;
    const node *e = l->u.list.v[s->v];
    const node *v = node_get(e, "value");
    if (!v || v->type != N_STR || node_get_bool(e, "unresolved", 0))
        return 0;
    *val = v->u.s.s;
    *vlen = v->u.s.len;
    return 1;
}

static int lookup_global(void *ud, const char *name, size_t len, const char **val, size_t *vlen)
{
    P *p = ud;
    return entry_value(p->gargs, &p->gmap, name, len, val, vlen);
}

/* ENV wins over ARG of the same name, as the reference says. */
static int lookup_stage(void *ud, const char *name, size_t len, const char **val, size_t *vlen)
{
    stage_st *st = ud;
    if (vmap_find(&st->envmap, name, len))
        return entry_value(st->env, &st->envmap, name, len, val, vlen);
    return entry_value(st->args, &st->argmap, name, len, val, vlen);
}

static void use_scope(P *p, stage_st *st, int substitute)
{
    p->w.lookup = !substitute ? NULL : st ? lookup_stage : lookup_global;
    p->w.ud = st ? (void *)st : (void *)p;
}

static int keyword(const char *s, size_t n)
{
    for (int k = 0; k < K_COUNT; k++)
        if (strlen(kw_names[k]) == n && strncasecmp(s, kw_names[k], n) == 0)
            return k;
    return -1;
}

static int substitutes(int kw)
{
    switch (kw) {
    case K_ADD: case K_COPY: case K_ENV: case K_EXPOSE: case K_FROM: case K_LABEL:
    case K_STOPSIGNAL: case K_USER: case K_VOLUME: case K_WORKDIR: case K_ONBUILD: case K_ARG:
        return 1;
    default:
        return 0;
    }
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t'))
        i++;
    return i;
}

static node *str_word(P *p, const df_inst *in, const df_word *w)
{
    return node_str(p->a, w->s, w->len, at(p, in, w->off));
}

/* ---- flags ---- */

/* Parse the --flags at *i into flags (a map), advancing *i past them. */
static void parse_flags(P *p, const df_inst *in, int kw, size_t *i, node *inst)
{
    const char *t = in->text;
    size_t len = in->len;
    const char *kwname = kw_names[kw];
    node *flags = NULL;
    int reported_unknown = 0;
    for (;;) {
        size_t j = skip_ws(t, len, *i);
        if (j + 1 >= len || t[j] != '-' || t[j + 1] != '-')
            break;
        df_word w;
        size_t k = j;
        if (!df_word_next(&p->w, t, len, &k, 0, &w))
            break;
        *i = k;
        if (w.len == 2)
            break; /* "--" ends the flags */
        const char *eq = memchr(w.s, '=', w.len);
        size_t nlen = eq ? (size_t)(eq - w.s) - 2 : w.len - 2;
        const char *name = w.s + 2;
        const flag_def *def = NULL;
        for (size_t f = 0; f < sizeof flag_defs / sizeof flag_defs[0]; f++)
            if (flag_defs[f].kw == kw && strlen(flag_defs[f].name) == nlen &&
                memcmp(flag_defs[f].name, name, nlen) == 0)
                def = &flag_defs[f];
        cpos fp = at(p, in, w.off);
        if (!def) {
            if (!reported_unknown)
                df_diag(&p->lx, fp.line, fp.col, "unknown flag --%.*s for %s", (int)nlen, name,
                        kwname);
            reported_unknown = 1;
            continue;
        }
        if (!flags)
            flags = node_set_map(p->a, inst, "flags", fp);
        const char *val = eq ? eq + 1 : NULL;
        size_t vlen = eq ? w.len - (size_t)(eq + 1 - w.s) : 0;
        if (def->kind == F_BOOL) {
            if (!val || (vlen == 4 && memcmp(val, "true", 4) == 0))
                node_set_bool(p->a, flags, def->name, 1, fp);
            else if (vlen == 5 && memcmp(val, "false", 5) == 0)
                node_set_bool(p->a, flags, def->name, 0, fp);
            else
                df_diag(&p->lx, fp.line, fp.col, "%s flag --%s expects true or false, not '%.*s'",
                        kwname, def->name, (int)vlen, val);
            continue;
        }
        if (!val) {
            df_diag(&p->lx, fp.line, fp.col, "%s flag --%s needs a value (--%s=<value>)", kwname,
                    def->name, def->name);
            continue;
        }
        if (def->kind == F_LIST) {
            node *l = node_get(flags, def->name);
            if (!l)
                l = node_set_list(p->a, flags, def->name, fp);
            node_push(p->a, l, node_str(p->a, val, vlen, fp));
        } else {
            node_set_strn(p->a, flags, def->name, val, vlen, fp);
        }
    }
}

/* ---- exec / shell form ---- */

/* Does a text that failed as JSON look like an attempt at the exec form? "[ -f x ]" does not. */
static int meant_as_json(const char *s, size_t len)
{
    size_t i = 1;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i < len && (s[i] == '"' || s[i] == '\'' || s[i] == ']');
}

/* args of RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK CMD from text[from..]. Returns the form. */
static const char *command_args(P *p, const df_inst *in, size_t from, const char *what,
                                node *args)
{
    const char *t = in->text;
    size_t len = in->len;
    from = skip_ws(t, len, from);
    df_word *words;
    size_t n, err_off = 0;
    const char *err = NULL;
    int r = df_json_array(&p->w, t + from, len - from, from, &words, &n, &err, &err_off);
    if (r == 1) {
        for (size_t k = 0; k < n; k++)
            node_push(p->a, args, str_word(p, in, &words[k]));
        return "exec";
    }
    if (r < 0 && meant_as_json(t + from, len - from)) {
        cpos ep = at(p, in, from + err_off);
        df_diag(&p->lx, ep.line, ep.col,
                "%s: not a valid JSON array (%s); Docker runs it as a shell command", what, err);
    }
    if (from < len)
        node_push(p->a, args, node_str(p->a, t + from, len - from, at(p, in, from)));
    return "shell";
}

/* ---- users ---- */

static int all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 18)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static node *default_user(P *p, cpos from_pos)
{
    node *u = node_map(p->a, from_pos);
    node_set_str(p->a, u, "name", "root", NOPOS);
    node_set_int(p->a, u, "uid", 0, NOPOS);
    node_set_bool(p->a, u, "explicit", 0, NOPOS);
    node_set_str(p->a, u, "source", "default", NOPOS);
    return u;
}

/* $NAME / ${NAME} through the stage's variables, for words of RUN lines. */
static const char *resolve_simple(P *p, stage_st *st, const char *s, size_t *n)
{
    if (*n < 2 || s[0] != '$')
        return s;
    const char *name = s + 1;
    size_t len = *n - 1;
    if (name[0] == '{' && len >= 2 && name[len - 1] == '}') {
        name++;
        len -= 2;
    }
    const char *val;
    size_t vlen;
    if (lookup_stage(st, name, len, &val, &vlen)) {
        *n = vlen;
        return val;
    }
    return s;
}

static int opt_takes_arg(const char *o, size_t n)
{
    static const char *const longs[] = {
        "--base-dir", "--comment", "--home-dir", "--home", "--expiredate", "--inactive", "--gid",
        "--groups", "--skel", "--key", "--password", "--root", "--prefix", "--shell", "--uid",
        "--selinux-user", "--ingroup", "--gecos", "--firstuid", "--lastuid", "--conf",
        "--firstgid", "--lastgid", "--extrausers"};
    if (n > 2 && o[1] == '-') {
        for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++)
            if (strlen(longs[i]) == n && memcmp(longs[i], o, n) == 0)
                return 1;
        return 0;
    }
    return 0;
}

/* One simple command of a RUN line: useradd/adduser with a numeric uid records name -> uid. */
static void scan_useradd(P *p, stage_st *st, const char **wv, const size_t *wl, size_t n)
{
    size_t c = 0;
    while (c < n) {
        const char *w = wv[c];
        size_t l = wl[c];
        const char *base = w;
        for (size_t k = 0; k < l; k++)
            if (w[k] == '/')
                base = w + k + 1;
        size_t bl = l - (size_t)(base - w);
        if ((bl == 7 && memcmp(base, "useradd", 7) == 0) ||
            (bl == 7 && memcmp(base, "adduser", 7) == 0))
            break;
        c++;
    }
    if (c == n)
        return;
    const char *uid = NULL, *user = NULL;
    size_t uidl = 0, userl = 0;
    for (size_t i = c + 1; i < n && !user; i++) {
        const char *w = wv[i];
        size_t l = wl[i];
        if (l >= 2 && w[0] == '-' && w[1] == '-') {
            const char *eq = memchr(w, '=', l);
            size_t ol = eq ? (size_t)(eq - w) : l;
            int is_uid = ol == 5 && memcmp(w, "--uid", 5) == 0;
            if (eq) {
                if (is_uid) {
                    uid = eq + 1;
                    uidl = l - ol - 1;
                }
            } else if (opt_takes_arg(w, l) && i + 1 < n) {
                if (is_uid) {
                    uid = wv[i + 1];
                    uidl = wl[i + 1];
                }
                i++;
            }
        } else if (l >= 2 && w[0] == '-') {
            for (size_t k = 1; k < l; k++) {
                if (!strchr("bcdefgGkKpRPsuZh", w[k]))
                    continue;
                const char *arg = k + 1 < l ? w + k + 1 : (i + 1 < n ? wv[i + 1] : NULL);
                size_t argl = k + 1 < l ? l - k - 1 : (i + 1 < n ? wl[i + 1] : 0);
                if (k + 1 >= l)
                    i++;
                if (w[k] == 'u' && arg) {
                    uid = arg;
                    uidl = argl;
                }
                break;
            }
        } else {
            user = w;
            userl = l;
        }
    }
    if (!user || !uid)
        return;
    uid = resolve_simple(p, st, uid, &uidl);
    user = resolve_simple(p, st, user, &userl);
    if (!all_digits(uid, uidl))
        return;
    vmap_put(p->a, &st->users, arena_strndup(p->a, user, userl), userl, strtoll(uid, NULL, 10));
}

static int contains(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (const char *q = s; n >= m && (q = memchr(q, needle[0], n - m + 1 - (size_t)(q - s)));
         q++)
        if (memcmp(q, needle, m) == 0)
            return 1;
    return 0;
}

/* Split a shell command into simple commands of words (quotes removed, no expansion). */
static void scan_run_users(P *p, stage_st *st, const char *t, size_t len)
{
    enum { MAXW = 64 };
    const char *wv[MAXW];
    size_t wl[MAXW], n = 0;
    buf *b = &p->w.scratch;
    size_t i = 0;
    const char esc = '\\'; /* the shell's escape, whatever the Dockerfile's is */
    if (!contains(t, len, "useradd") && !contains(t, len, "adduser"))
        return;
    while (i <= len) {
        while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n'))
            i++;
        int sep = i >= len || t[i] == ';' || t[i] == '&' || t[i] == '|';
        if (sep) {
            if (n)
                scan_useradd(p, st, wv, wl, n);
            n = 0;
            if (i >= len)
                break;
            i++;
            continue;
        }
        b->len = 0;
        while (i < len && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != ';' &&
               t[i] != '&' && t[i] != '|') {
            if (t[i] == '\'' || t[i] == '"') {
                char q = t[i++];
                size_t k = i;
                while (k < len && t[k] != q)
                    k++;
                buf_put(b, t + i, k - i);
                i = k < len ? k + 1 : k;
            } else if (t[i] == esc && i + 1 < len) {
                buf_putc(b, t[i + 1]);
                i += 2;
            } else {
                buf_putc(b, t[i++]);
            }
        }
        if (n < MAXW && !b->failed) {
            wv[n] = arena_strndup(p->a, b->data ? b->data : "", b->len);
            wl[n] = b->len;
            if (wv[n])
                n++;
        }
    }
}

static void apply_user(P *p, const df_inst *in, stage_st *st, size_t from, node *args)
{
    df_word w;
    size_t i = from;
    cpos kp = at(p, in, in->kw_off);
    if (!df_word_next(&p->w, in->text, in->len, &i, 1, &w)) {
        df_diag(&p->lx, kp.line, kp.col, "USER needs a user name or uid");
        return;
    }
    cpos vp = at(p, in, w.off);
    node_push(p->a, args, str_word(p, in, &w));
    node *u = node_map(p->a, kp);
    if (w.unresolved) {
        size_t e = w.end;
        node_set_strn(p->a, u, "name", in->text + w.off, e - w.off, vp);
        node_set_bool(p->a, u, "unresolved", 1, NOPOS);
    } else {
        const char *colon = memchr(w.s, ':', w.len);
        size_t ul = colon ? (size_t)(colon - w.s) : w.len;
        node_set_strn(p->a, u, "name", w.s, ul, vp);
        if (all_digits(w.s, ul))
            node_set_int(p->a, u, "uid", strtoll(w.s, NULL, 10), vp);
        else if (ul == 4 && memcmp(w.s, "root", 4) == 0)
            node_set_int(p->a, u, "uid", 0, NOPOS);
        else {
            vslot *s = vmap_find(&st->users, w.s, ul);
            if (s)
                node_set_int(p->a, u, "uid", s->v, NOPOS);
        }
        if (colon) {
            const char *g = colon + 1;
            size_t gl = w.len - ul - 1;
            cpos gp = at(p, in, w.off + ul + 1);
            if (all_digits(g, gl))
                node_set_int(p->a, u, "gid", strtoll(g, NULL, 10), gp);
            node_set_strn(p->a, u, "group", g, gl, gp);
        }
    }
    node_set_bool(p->a, u, "explicit", 1, NOPOS);
    node_set_str(p->a, u, "source", "USER", NOPOS);
    st->user = u;
}

/* ---- ENV / ARG / EXPOSE / HEALTHCHECK ---- */

static node *kv_entry(P *p, cpos pos, const char *name, size_t nlen, node *value)
{
    node *e = node_map(p->a, pos);
    node_set_strn(p->a, e, "name", name, nlen, pos);
    if (value)
        node_set(p->a, e, "value", value);
    return e;
}

/* Put entry e into list l under name (replacing an earlier one of that name). */
static void list_put(P *p, node *l, vmap *m, const char *name, size_t nlen, node *e)
{
    vslot *s = vmap_find(m, name, nlen);
    if (s && (size_t)s->v < l->u.list.n) {
        l->u.list.v[s->v] = e;
        return;
    }
    node_push(p->a, l, e);
    const char *k = node_get_str(e, "name");
    vmap_put(p->a, m, k, nlen, (long long)l->u.list.n - 1);
}

/* Offset just past the first unquoted '=' in the raw word text[off..end), or 0. */
static size_t raw_eq(const df_inst *in, size_t off, size_t end)
{
    char q = 0;
    for (size_t i = off; i < end; i++) {
        char c = in->text[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (c == '=') {
            return i + 1;
        }
    }
    return 0;
}

static void apply_env(P *p, const df_inst *in, stage_st *st, size_t from, node *args, int apply)
{
    const char *t = in->text;
    size_t len = in->len, i = from;
    df_word w;
    int first = 1;
    while (df_word_next(&p->w, t, len, &i, 0, &w)) {
        const char *eq = memchr(w.s, '=', w.len);
        if (!eq && first) {
            /* the old form: ENV name value-with-spaces */
            df_word v;
            size_t j = i;
            if (!df_word_next(&p->w, t, len, &j, 1, &v)) {
                cpos wp = at(p, in, w.off);
                df_diag(&p->lx, wp.line, wp.col, "ENV %s needs a value (ENV %s=<value>)", w.s,
                        w.s);
                return;
            }
            node_push(p->a, args, str_word(p, in, &w));
            node_push(p->a, args, str_word(p, in, &v));
            if (apply) {
                node *e = kv_entry(p, at(p, in, w.off), w.s, w.len, str_word(p, in, &v));
                if (v.unresolved)
                    node_set_bool(p->a, e, "unresolved", 1, NOPOS);
                list_put(p, st->env, &st->envmap, w.s, w.len, e);
            }
            return;
        }
        first = 0;
        cpos wp = at(p, in, w.off);
        if (!eq || eq == w.s) {
            df_diag(&p->lx, wp.line, wp.col, "ENV expects name=value, not '%s'", w.s);
            continue;
        }
        node_push(p->a, args, str_word(p, in, &w));
        if (!apply)
            continue;
        size_t nlen = (size_t)(eq - w.s);
        size_t voff = raw_eq(in, w.off, w.end);
        node *val = node_str(p->a, eq + 1, w.len - nlen - 1, voff ? at(p, in, voff) : wp);
        node *e = kv_entry(p, wp, w.s, nlen, val);
        if (w.unresolved)
            node_set_bool(p->a, e, "unresolved", 1, NOPOS);
        list_put(p, st->env, &st->envmap, w.s, nlen, e);
    }
}

/* ARG in a stage (st) or before the first FROM (st NULL). */
static void apply_arg(P *p, const df_inst *in, stage_st *st, size_t from, node *args, int apply)
{
    size_t i = from;
    df_word w;
    int any = 0;
    while (df_word_next(&p->w, in->text, in->len, &i, 0, &w)) {
        any = 1;
        cpos wp = at(p, in, w.off);
        node_push(p->a, args, str_word(p, in, &w));
        const char *eq = memchr(w.s, '=', w.len);
        size_t nlen = eq ? (size_t)(eq - w.s) : w.len;
        if (nlen == 0) {
            df_diag(&p->lx, wp.line, wp.col, "ARG expects name[=default], not '%s'", w.s);
            continue;
        }
        if (!apply)
            continue;
        node *val = NULL;
        if (eq) {
            size_t voff = raw_eq(in, w.off, w.end);
            val = node_str(p->a, eq + 1, w.len - nlen - 1, voff ? at(p, in, voff) : wp);
        } else if (st) {
            /* "ARG NAME" in a stage brings back the global default */
            vslot *g = vmap_find(&p->gmap, w.s, nlen);
            if (g)
                val = node_get(p->gargs->u.list.v[g->v], "value");
        }
        node *e = kv_entry(p, wp, w.s, nlen, val);
        if (eq && w.unresolved)
            node_set_bool(p->a, e, "unresolved", 1, NOPOS);
        if (st)
            list_put(p, st->args, &st->argmap, w.s, nlen, e);
        else
            list_put(p, p->gargs, &p->gmap, w.s, nlen, e);
    }
    if (!any) {
        cpos kp = at(p, in, in->kw_off);
        df_diag(&p->lx, kp.line, kp.col, "ARG needs a name");
    }
}

static void apply_expose(P *p, const df_inst *in, stage_st *st, size_t from, node *args,
                         int apply)
{
    size_t i = from;
    df_word w;
    while (df_word_next(&p->w, in->text, in->len, &i, 0, &w)) {
        node_push(p->a, args, str_word(p, in, &w));
        if (!apply)
            continue;
        cpos wp = at(p, in, w.off);
        const char *slash = memchr(w.s, '/', w.len);
        size_t pl = slash ? (size_t)(slash - w.s) : w.len;
        node *e = node_map(p->a, wp);
        node_set_strn(p->a, e, "port", w.s, pl, wp);
        if (slash) {
            char *proto = arena_strndup(p->a, slash + 1, w.len - pl - 1);
            for (char *c = proto; c && *c; c++)
                *c = (char)tolower((unsigned char)*c);
            node_set_str(p->a, e, "protocol", proto, at(p, in, w.off + pl + 1));
        } else {
            node_set_str(p->a, e, "protocol", "tcp", NOPOS);
        }
        node_push(p->a, st->expose, e);
    }
}

/* 0, or -1 when the instruction is unusable (reported). */
static int apply_healthcheck(P *p, const df_inst *in, stage_st *st, size_t from, node *inst,
                             node *args, int apply)
{
    const char *t = in->text;
    size_t len = in->len;
    cpos kp = at(p, in, in->kw_off);
    size_t i = skip_ws(t, len, from);
    size_t w0 = i;
    while (i < len && t[i] != ' ' && t[i] != '\t')
        i++;
    node *h = node_map(p->a, kp);
    if (i - w0 == 4 && strncasecmp(t + w0, "NONE", 4) == 0) {
        node_push(p->a, args, node_str(p->a, "NONE", 4, at(p, in, w0)));
        node_set_bool(p->a, h, "disabled", 1, at(p, in, w0));
    } else if (i - w0 == 3 && strncasecmp(t + w0, "CMD", 3) == 0) {
        const char *form = command_args(p, in, i, "HEALTHCHECK CMD", args);
        node_set_str(p->a, inst, "form", form, NOPOS);
        if (!args->u.list.n) {
            df_diag(&p->lx, kp.line, kp.col, "HEALTHCHECK CMD needs a command");
            return -1;
        }
        if (form[0] == 'e') {
            node *l = node_set_list(p->a, h, "test", at(p, in, i));
            for (size_t k = 0; k < args->u.list.n; k++)
                node_push(p->a, l, args->u.list.v[k]);
        } else {
            node_set(p->a, h, "shell", args->u.list.v[0]);
        }
    } else {
        cpos wp = w0 < len ? at(p, in, w0) : kp;
        df_diag(&p->lx, wp.line, wp.col, "HEALTHCHECK expects CMD <command> or NONE");
        return -1;
    }
    node *flags = node_get(inst, "flags");
    static const char *const hk[][2] = {{"interval", "interval"},
                                        {"timeout", "timeout"},
                                        {"start-period", "start_period"},
                                        {"start-interval", "start_interval"}};
    for (size_t k = 0; flags && k < 4; k++) {
        node *v = node_get(flags, hk[k][0]);
        if (v)
            node_set(p->a, h, hk[k][1], v);
    }
    node *r = flags ? node_get(flags, "retries") : NULL;
    if (r) {
        if (all_digits(r->u.s.s, r->u.s.len))
            node_set_int(p->a, h, "retries", strtoll(r->u.s.s, NULL, 10), r->pos);
        else
            df_diag(&p->lx, r->pos.line, r->pos.col, "HEALTHCHECK --retries must be a number");
    }
    if (apply)
        st->healthcheck = h;
    return 0;
}

/* ---- stages ---- */

/* The latest earlier stage of that name: a duplicate name is for rules to report. */
static stage_st *find_stage(P *p, size_t before, const char *name, size_t n)
{
    for (size_t i = before; i-- > 0;)
        if (p->st[i].name && strlen(p->st[i].name) == n && strncasecmp(p->st[i].name, name, n) == 0)
            return &p->st[i];
    return NULL;
}

static int valid_stage_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
              *s == '.'))
            return 0;
    return 1;
}

static node *image_node(P *p, const df_inst *in, const df_word *w)
{
    cpos wp = at(p, in, w->off);
    node *img = node_map(p->a, wp);
    node_set_strn(p->a, img, "ref", w->s, w->len, wp);
    size_t rawlen = w->end - w->off;
    if (rawlen != w->len || memcmp(in->text + w->off, w->s, w->len) != 0)
        node_set_strn(p->a, img, "raw", in->text + w->off, rawlen, wp);
    stage_st *parent = find_stage(p, p->nst - 1, w->s, w->len);
    if (parent && !w->unresolved) {
        node_set_str(p->a, img, "stage", parent->name, NOPOS);
        return img;
    }
    if (w->len == 7 && strncasecmp(w->s, "scratch", 7) == 0) {
        node_set_bool(p->a, img, "scratch", 1, NOPOS);
        return img;
    }
    image_ref r;
    if (image_ref_parse(p->a, w->s, &r) == 0) {
        node_set_str(p->a, img, "registry", r.registry, NOPOS);
        node_set_str(p->a, img, "repository", r.repository, NOPOS);
        node_set_str(p->a, img, "name", r.name, NOPOS);
        if (r.tag)
            node_set_str(p->a, img, "tag", r.tag, NOPOS);
        if (r.digest)
            node_set_str(p->a, img, "digest", r.digest, NOPOS);
    }
    /* an invalid reference ("baseImage") is Docker's build error, not a parse error: the node
       simply has no registry/repository, and rules may say so */
    if (w->unresolved)
        node_set_bool(p->a, img, "unresolved", 1, NOPOS);
    return img;
}

static stage_st *new_stage(P *p)
{
    if (p->nst == p->capst) {
        size_t cap = p->capst ? p->capst * 2 : 4;
        stage_st *v = arena_grow(p->a, p->st, p->nst, cap, sizeof *v);
        if (!v)
            return NULL;
        p->st = v;
        p->capst = cap;
    }
    stage_st *st = &p->st[p->nst++];
    memset(st, 0, sizeof *st);
    st->index = (unsigned int)p->nst;
    return st;
}

static void inherit(P *p, stage_st *st, const stage_st *parent)
{
    for (size_t i = 0; i < parent->env->u.list.n; i++)
        node_push(p->a, st->env, parent->env->u.list.v[i]);
    st->envmap = vmap_copy(p->a, &parent->envmap);
    st->users = vmap_copy(p->a, &parent->users);
    st->healthcheck = parent->healthcheck;
    if (!node_get_bool(parent->user, "explicit", 0))
        return;
    node *u = node_map(p->a, parent->user->pos);
    static const char *const keep[] = {"name", "uid", "gid", "group", "unresolved"};
    for (size_t i = 0; i < 5; i++) {
        node *v = node_get(parent->user, keep[i]);
        if (v)
            node_set(p->a, u, keep[i], v);
    }
    node_set_bool(p->a, u, "explicit", 1, NOPOS);
    const char *src = parent->name ? arena_printf(p->a, "stage %s", parent->name)
                                   : arena_printf(p->a, "stage %u", parent->index);
    node_set_str(p->a, u, "source", src, NOPOS);
    st->user = u;
}

static void apply_from(P *p, const df_inst *in, size_t from, node *inst, node *args)
{
    stage_st *st = new_stage(p);
    if (!st)
        return;
    cpos kp = at(p, in, in->kw_off);
    st->from_pos = kp;
    st->stage = node_map(p->a, kp);
    node_set_int(p->a, st->stage, "index", st->index, NOPOS);
    node_push(p->a, p->stages, st->stage);

    size_t n = 0;
    df_word *w = df_words_split(&p->w, in->text, from, in->len, &n);
    for (size_t k = 0; k < n; k++)
        node_push(p->a, args, str_word(p, in, &w[k]));
    stage_st *parent = NULL;
    if (n == 0) {
        df_diag(&p->lx, kp.line, kp.col, "FROM needs an image");
    } else if (n == 2 || n > 3 || (n == 3 && strcasecmp(w[1].s, "as") != 0)) {
        cpos xp = at(p, in, w[1].off);
        df_diag(&p->lx, xp.line, xp.col,
                "FROM expects 'FROM [--platform=<platform>] <image> [AS <name>]'");
    }
    if (n == 3 && strcasecmp(w[1].s, "as") == 0) {
        char *name = arena_strndup(p->a, w[2].s, w[2].len);
        for (char *c = name; c && *c; c++)
            *c = (char)tolower((unsigned char)*c);
        cpos np = at(p, in, w[2].off);
        if (name && !valid_stage_name(name))
            df_diag(&p->lx, np.line, np.col,
                    "invalid stage name '%s' (a letter, then letters, digits, '-', '_' or '.')",
                    w[2].s);
        st->name = name;
        node_set_str(p->a, st->stage, "name", name, np);
    }
    if (n >= 1) {
        node *img = image_node(p, in, &w[0]);
        node_set(p->a, st->stage, "base", img);
        const char *ref = node_get_str(img, "stage");
        if (ref)
            parent = find_stage(p, p->nst - 1, ref, strlen(ref));
    }
    node *flags = node_get(inst, "flags");
    node *plat = flags ? node_get(flags, "platform") : NULL;
    if (plat)
        node_set(p->a, st->stage, "platform", plat);

    st->env = node_list(p->a, kp);
    st->args = node_list(p->a, kp);
    st->expose = node_list(p->a, kp);
    st->instructions = node_list(p->a, kp);
    if (parent)
        inherit(p, st, parent);
    if (!st->user)
        st->user = default_user(p, kp);
    /* set now so that the keys keep this order; finish_stage stores the final values */
    node_set(p->a, st->stage, "user", st->user);
    node_set(p->a, st->stage, "env", st->env);
    node_set(p->a, st->stage, "args", st->args);
    node_set(p->a, st->stage, "expose", st->expose);
}

/* Store the final effective values of a stage in its map. */
static void finish_stage(P *p, stage_st *st)
{
    node_set(p->a, st->stage, "user", st->user);
    node_set(p->a, st->stage, "env", st->env);
    node_set(p->a, st->stage, "args", st->args);
    node_set(p->a, st->stage, "expose", st->expose);
    if (st->healthcheck)
        node_set(p->a, st->stage, "healthcheck", st->healthcheck);
    node_set(p->a, st->stage, "instructions", st->instructions);
}

/* ---- instructions ---- */

static void copy_command(P *p, stage_st *st, const char *key, node *inst)
{
    node *args = node_get(inst, "args");
    node *c = node_set_map(p->a, st->stage, key, inst->pos);
    node_set(p->a, c, "form", node_get(inst, "form"));
    node *l = node_set_list(p->a, c, "args", args->pos);
    for (size_t i = 0; i < args->u.list.n; i++)
        node_push(p->a, l, args->u.list.v[i]);
}

static void list_or_words(P *p, const df_inst *in, size_t from, node *args, const char *what)
{
    const char *t = in->text;
    size_t len = in->len;
    from = skip_ws(t, len, from);
    df_word *words;
    size_t n, err_off;
    const char *err = NULL;
    int r = df_json_array(&p->w, t + from, len - from, from, &words, &n, &err, &err_off);
    if (r < 0 && meant_as_json(t + from, len - from)) {
        cpos ep = at(p, in, from + err_off);
        df_diag(&p->lx, ep.line, ep.col, "%s: not a valid JSON array (%s); read as words", what,
                err);
    }
    if (r != 1) {
        words = df_words_split(&p->w, t, from, len, &n);
    } else if (p->w.lookup) {
        /* Docker substitutes inside each JSON element too */
        for (size_t k = 0; k < n; k++) {
            df_word x;
            size_t i = 0;
            if (df_word_next(&p->w, words[k].s, words[k].len, &i, 1, &x)) {
                words[k].s = x.s;
                words[k].len = x.len;
                words[k].unresolved = x.unresolved;
            }
        }
    }
    for (size_t k = 0; k < n; k++)
        node_push(p->a, args, str_word(p, in, &words[k]));
}

/*
 * One instruction of a stage (or an ONBUILD trigger: apply = 0, so the stage is not changed).
 * Returns the instruction node, or NULL when it was reported and skipped.
 */
static node *instruction(P *p, const df_inst *in, int kw, stage_st *st, int apply)
{
    const char *t = in->text;
    size_t len = in->len;
    cpos kp = at(p, in, in->kw_off);
    node *inst = node_map(p->a, kp);
    node_set_str(p->a, inst, "cmd", kw_names[kw], kp);
    size_t from = skip_ws(t, len, in->kw_off + in->kw_len);
    use_scope(p, kw == K_FROM ? NULL : st, substitutes(kw));
    node *args = node_list(p->a, from < len ? at(p, in, from) : kp);
    node_set(p->a, inst, "args", args);
    if (kw == K_FROM || kw == K_RUN || kw == K_COPY || kw == K_ADD || kw == K_HEALTHCHECK) {
        if (kw == K_HEALTHCHECK)
            use_scope(p, st, 0);
        parse_flags(p, in, kw, &from, inst);
        use_scope(p, kw == K_FROM ? NULL : st, substitutes(kw));
        from = skip_ws(t, len, from);
    }
    if (in->nheredocs && (kw == K_RUN || kw == K_COPY || kw == K_ADD)) {
        node *hl = node_set_list(p->a, inst, "heredocs", at(p, in, in->heredocs[0].off));
        for (size_t k = 0; k < in->nheredocs; k++) {
            const df_heredoc *h = &in->heredocs[k];
            cpos hp = at(p, in, h->off);
            node *hn = node_map(p->a, hp);
            node_set_str(p->a, hn, "delimiter", h->delim, hp);
            node_set_strn(p->a, hn, "body", h->body, h->body_len,
                          cpos_make(p->ctx->file, h->body_line, 1));
            node_set_bool(p->a, hn, "strip_tabs", h->strip_tabs, NOPOS);
            node_set_bool(p->a, hn, "quoted", h->quoted, NOPOS);
            node_push(p->a, hl, hn);
        }
    }
    switch (kw) {
    case K_FROM:
        apply_from(p, in, from, inst, args);
        break;
    case K_RUN:
    case K_CMD:
    case K_ENTRYPOINT: {
        const char *form = command_args(p, in, from, kw_names[kw], args);
        node_set_str(p->a, inst, "form", form, NOPOS);
        if (kw == K_RUN && apply) {
            if (form[0] == 's' && args->u.list.n)
                scan_run_users(p, st, args->u.list.v[0]->u.s.s, args->u.list.v[0]->u.s.len);
        } else if (apply) {
            copy_command(p, st, kw == K_CMD ? "cmd" : "entrypoint", inst);
        }
        break;
    }
    case K_SHELL: {
        const char *form = command_args(p, in, from, "SHELL", args);
        node_set_str(p->a, inst, "form", form, NOPOS);
        if (form[0] == 's') {
            df_diag(&p->lx, kp.line, kp.col, "SHELL must be written as a JSON array");
            return NULL;
        }
        break;
    }
    case K_ENV:
        apply_env(p, in, st, from, args, apply);
        break;
    case K_ARG:
        apply_arg(p, in, st, from, args, apply);
        break;
    case K_EXPOSE:
        apply_expose(p, in, st, from, args, apply);
        break;
    case K_USER:
        if (apply)
            apply_user(p, in, st, from, args);
        else {
            df_word w;
            size_t i = from;
            if (df_word_next(&p->w, t, len, &i, 1, &w))
                node_push(p->a, args, str_word(p, in, &w));
        }
        break;
    case K_WORKDIR: {
        df_word w;
        size_t i = from;
        if (!df_word_next(&p->w, t, len, &i, 1, &w)) {
            df_diag(&p->lx, kp.line, kp.col, "WORKDIR needs a path");
            return NULL;
        }
        node *v = str_word(p, in, &w);
        node_push(p->a, args, v);
        if (apply)
            node_set(p->a, st->stage, "workdir", v);
        break;
    }
    case K_STOPSIGNAL:
    case K_LABEL: {
        size_t n = 0;
        df_word *w = df_words_split(&p->w, t, from, len, &n);
        for (size_t k = 0; k < n; k++)
            node_push(p->a, args, str_word(p, in, &w[k]));
        break;
    }
    case K_MAINTAINER:
        if (from < len)
            node_push(p->a, args, node_str(p->a, t + from, len - from, at(p, in, from)));
        break;
    case K_COPY:
    case K_ADD:
    case K_VOLUME:
        list_or_words(p, in, from, args, kw_names[kw]);
        break;
    case K_HEALTHCHECK:
        if (apply_healthcheck(p, in, st, from, inst, args, apply) < 0)
            return NULL;
        break;
    case K_ONBUILD: {
        if (from < len)
            node_push(p->a, args, node_str(p->a, t + from, len - from, at(p, in, from)));
        df_inst sub = *in;
        sub.kw_off = from;
        size_t e = from;
        while (e < len && t[e] != ' ' && t[e] != '\t')
            e++;
        sub.kw_len = e - from;
        sub.nheredocs = 0;
        int tk = keyword(t + from, sub.kw_len);
        cpos tp = at(p, in, from);
        if (from >= len) {
            df_diag(&p->lx, kp.line, kp.col, "ONBUILD needs an instruction");
            return NULL;
        }
        if (tk < 0) {
            df_diag(&p->lx, tp.line, tp.col, "unknown instruction '%.*s' after ONBUILD",
                    (int)sub.kw_len, t + from);
            return NULL;
        }
        if (tk == K_ONBUILD || tk == K_FROM || tk == K_MAINTAINER) {
            df_diag(&p->lx, tp.line, tp.col, "%s is not allowed after ONBUILD", kw_names[tk]);
            return NULL;
        }
        node *trig = instruction(p, &sub, tk, st, 0);
        if (trig)
            node_set(p->a, inst, "trigger", trig);
        break;
    }
    default:
        break;
    }
    node_set_int(p->a, inst, "end_line", in->end_line, NOPOS);
    return inst;
}

static void handle(P *p, const df_inst *in)
{
    cpos kp = at(p, in, 0);
    int kw = keyword(in->text, in->kw_len);
    if (in->bad)
        return;
    if (kw < 0) {
        df_diag(&p->lx, kp.line, kp.col, "unknown instruction '%.*s'",
                (int)(in->kw_len > 40 ? 40 : in->kw_len), in->text);
        return;
    }
    for (size_t k = 0; k < in->nheredocs; k++) {
        const df_heredoc *h = &in->heredocs[k];
        if (!h->terminated) {
            cpos hp = at(p, in, h->off);
            df_diag(&p->lx, hp.line, hp.col,
                    "heredoc '%s' is not terminated (no line '%s' before the end of the file)",
                    h->delim, h->delim);
            return;
        }
    }
    stage_st *st = p->nst ? &p->st[p->nst - 1] : NULL;
    if (!st && kw != K_FROM && kw != K_ARG) {
        df_diag(&p->lx, kp.line, kp.col,
                "%s before the first FROM: only ARG may come before FROM", kw_names[kw]);
        return;
    }
    if (!st && kw == K_ARG) {
        node *scratch = node_list(p->a, kp);
        use_scope(p, NULL, 1);
        apply_arg(p, in, NULL, skip_ws(in->text, in->len, in->kw_len), scratch, 1);
        return;
    }
    node *inst = instruction(p, in, kw, st, 1);
    if (!inst || !p->nst)
        return;
    st = &p->st[p->nst - 1]; /* FROM may have started a stage (and moved the array) */
    if (st->instructions)
        node_push(p->a, st->instructions, inst);
}

int dockerfile_parse(parse_ctx *ctx, const char *data, size_t len)
{
    P p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.a = ctx->a;
    node *doc = project_document(ctx, "dockerfile");
    if (df_lex_init(&p.lx, ctx, data ? data : "", data ? len : 0) < 0)
        return -1;
    p.w.a = ctx->a;
    p.w.escape = p.lx.escape;
    cpos start = cpos_make(ctx->file, 1, 1);
    p.build = node_map(p.a, start);
    node_set_str(p.a, p.build, "file", ctx->file, NOPOS);
    if (p.lx.ndirectives) {
        node *d = node_set_map(p.a, p.build, "directives",
                               cpos_make(ctx->file, p.lx.directives[0].line, 1));
        for (size_t i = 0; i < p.lx.ndirectives; i++) {
            const df_directive *dv = &p.lx.directives[i];
            node_set_str(p.a, d, dv->key, dv->value, cpos_make(ctx->file, dv->line, dv->col));
        }
    }
    p.gargs = node_set_list(p.a, p.build, "args", start);
    p.stages = node_set_list(p.a, p.build, "stages", start);

    df_inst in;
    while (df_lex_next(&p.lx, &in))
        handle(&p, &in);

    int rc = 0;
    if (!p.nst) {
        df_diag(&p.lx, 1, 1, "no FROM instruction: not a usable Dockerfile");
        rc = -1;
    } else {
        for (size_t i = 0; i < p.nst; i++)
            finish_stage(&p, &p.st[i]);
        stage_st *fin = &p.st[p.nst - 1];
        node_set_int(p.a, p.build, "final", (long long)p.nst, NOPOS);
        node_push(p.a, project_list(ctx, "builds"), p.build);

        node *c = node_map(p.a, fin->from_pos);
        node_set_str(p.a, c, "kind", "dockerfile", NOPOS);
        node_set_str(p.a, c, "name", fin->name ? fin->name : "final", NOPOS);
        node_set_str(p.a, c, "object",
                     fin->name ? arena_printf(p.a, "Dockerfile stage '%s' (final)", fin->name)
                               : "Dockerfile final stage",
                     NOPOS);
        node_set(p.a, c, "document", doc);
        node_set(p.a, c, "build", p.build);
        node *base = node_get(fin->stage, "base");
        if (base)
            node_set(p.a, c, "image", base);
        node_set(p.a, c, "user", fin->user);
        node_set(p.a, c, "env", fin->env);
        if (fin->healthcheck)
            node_set(p.a, c, "healthcheck", fin->healthcheck);
        node_set(p.a, c, "expose", fin->expose);
        node_push(p.a, project_list(ctx, "containers"), c);
    }
    df_words_free(&p.w);
    df_lex_free(&p.lx);
    return rc;
}
