/*
 * config.c - the .cpol.yaml configuration: it changes the loaded rules (enabled, severity,
 * options merged over the rule's defaults, one option key replacing the default of that key) and
 * what a scan reads (ignore globs) before any file is parsed. Read with the project's YAML loader.
 *
 *   config  = map { version: 1, fail-on: LEVEL | none, ignore: [glob, ...], rules: map { ID: rule } }
 *   rule    = map { enabled: bool, severity: LEVEL, options: map { NAME: value } }
 * Every key is optional; an unknown key, an unknown rule id or option name, or a value of the wrong
 * type is an error at its line, and nothing is applied (the file is checked whole first).
 */
#include <lauxlib.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/yaml.h"
#include "../util/glob.h"
#include "../util/walk.h"
#include "engine.h"

typedef struct cfg {
    cpol_engine *e;
    const char *path;
    const yv *root;
    int apply;  /* 0: check only; 1: change the engine */
    int failed; /* an error was recorded in e->error */
} cfg;

static int cfg_error(cfg *c, const yv *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int cfg_error(cfg *c, const yv *at, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at && at->line)
        engine_set_error(c->e, "%s:%u: %s", c->path, at->line, msg);
    else
        engine_set_error(c->e, "%s: %s", c->path, msg);
    c->failed = 1;
    return -1;
}

static const char *kind_name(const yv *v)
{
    return v->kind == YV_MAP ? "a map" : v->kind == YV_SEQ ? "a list" : "a scalar";
}

/* A scalar's text, shortened for messages. */
static const char *shown(const yv *v)
{
    return v->kind == YV_SCALAR ? v->u.str.s : kind_name(v);
}

static int known_key(const char *k, const char *const *keys)
{
    for (; *keys; keys++)
        if (strcmp(k, *keys) == 0)
            return 1;
    return 0;
}

/* Every key of map v must be in keys. */
static int check_keys(cfg *c, const yv *v, const char *where, const char *const *keys,
                      const char *list)
{
    for (size_t i = 0; i < v->u.map.n; i++) {
        const yv *k = v->u.map.v[i].key;
        if (!known_key(k->u.str.s, keys))
            return cfg_error(c, k, "unknown key \"%s\" in %s (known: %s)", k->u.str.s, where, list);
    }
    return 0;
}

/* "none" -> 0, a severity name -> it, else -1. */
static int level(const yv *v)
{
    if (!v || v->kind != YV_SCALAR)
        return -1;
    if (strcmp(v->u.str.s, "none") == 0)
        return 0;
    int s = (int)cpol_severity_from_string(v->u.str.s);
    return s ? s : -1;
}

/* ---- options: YAML values -> Lua values shaped like the rule's defaults ------------------ */

/* Push v as a Lua value. def is the stack index of the default value it replaces (0: none), so
   `"80"` becomes a number where the default is a number and stays a string in a list of names.
   [-0, +1, m] on success; on a type error records it and pushes nothing. */
static int push_option(cfg *c, lua_State *L, const yv *v, int def, const char *name, int depth)
{
    int dt = def ? lua_type(L, def) : LUA_TNIL;
    if (depth > 32)
        return cfg_error(c, v, "option %s nests too deeply", name);
    if (v->kind == YV_SCALAR) {
        if (dt == LUA_TTABLE)
            return cfg_error(c, v, "option %s must be a list or map like its default, not \"%s\"",
                             name, shown(v));
        if (dt == LUA_TBOOLEAN) {
            int b;
            if (yv_bool_k8s(v, &b) != 0)
                return cfg_error(c, v, "option %s must be true or false, not \"%s\"", name,
                                 shown(v));
            lua_pushboolean(L, b);
            return 0;
        }
        if (dt == LUA_TNUMBER) {
            long long i;
            char *end;
            if (yv_int(v, &i) == 0) {
                lua_pushinteger(L, (lua_Integer)i);
                return 0;
            }
            double d = strtod(v->u.str.s, &end);
            if (v->u.str.len == 0 || *end != '\0' || v->style != YV_PLAIN)
                return cfg_error(c, v, "option %s must be a number, not \"%s\"", name, shown(v));
            lua_pushnumber(L, d);
            return 0;
        }
        if (yv_is_null(v) && v->style == YV_PLAIN)
            return cfg_error(c, v, "option %s has no value", name);
        lua_pushlstring(L, v->u.str.s, v->u.str.len);
        return 0;
    }
    if (dt != LUA_TTABLE && dt != LUA_TNIL)
        return cfg_error(c, v, "option %s must be a %s like its default, not %s", name,
                         lua_typename(L, dt), kind_name(v));
    lua_newtable(L);
    int t = lua_gettop(L);
    if (v->kind == YV_SEQ) {
        /* items are shaped like the default list's first item, when it has one */
        int idef = 0;
        if (dt == LUA_TTABLE) {
            lua_rawgeti(L, def, 1);
            idef = lua_isnil(L, -1) ? 0 : lua_gettop(L);
            if (!idef)
                lua_pop(L, 1);
        }
        for (size_t i = 0; i < v->u.seq.n; i++) {
            if (push_option(c, L, v->u.seq.v[i], idef, name, depth + 1)) {
                lua_settop(L, t - 1);
                return -1;
            }
            lua_rawseti(L, t, (lua_Integer)i + 1);
        }
        lua_settop(L, t);
        return 0;
    }
    for (size_t i = 0; i < v->u.map.n; i++) {
        const yv *k = v->u.map.v[i].key;
        int fdef = 0;
        if (dt == LUA_TTABLE) {
            lua_getfield(L, def, k->u.str.s);
            fdef = lua_isnil(L, -1) ? 0 : lua_gettop(L);
            if (!fdef)
                lua_pop(L, 1);
        }
        if (push_option(c, L, v->u.map.v[i].val, fdef, name, depth + 1)) {
            lua_settop(L, t - 1);
            return -1;
        }
        lua_setfield(L, t, k->u.str.s);
        lua_settop(L, t);
    }
    return 0;
}

/* The option names of the table at idx, sorted, for messages. */
static void option_names(lua_State *L, int idx, char *out, size_t size)
{
    const char *names[64];
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING && n < 64)
            names[n++] = lua_tostring(L, -2); /* the key stays in the table */
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[i], names[j]) > 0) {
                const char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, size - l, "%s%s", i ? ", " : "", names[i]);
    }
}

static int do_options(cfg *c, rule *r, const yv *opts)
{
    lua_State *L = c->e->L;
    if (opts->kind != YV_MAP)
        return cfg_error(c, opts, "rules.%s.options must be a map of option names to values",
                         r->id);
    if (r->options_ref == LUA_NOREF) {
        if (opts->u.map.n == 0)
            return 0;
        return cfg_error(c, opts->u.map.v[0].key, "rule %s has no options", r->id);
    }
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->options_ref);
    int t = lua_gettop(L);
    for (size_t i = 0; i < opts->u.map.n; i++) {
        const yv *k = opts->u.map.v[i].key;
        lua_getfield(L, t, k->u.str.s);
        if (lua_isnil(L, -1)) {
            char names[512];
            option_names(L, t, names, sizeof names);
            lua_settop(L, top);
            return cfg_error(c, k, "rule %s has no option \"%s\" (its options: %s)", r->id,
                             k->u.str.s, names);
        }
        char name[160];
        snprintf(name, sizeof name, "%s.%s", r->id, k->u.str.s);
        if (push_option(c, L, opts->u.map.v[i].val, lua_gettop(L), name, 0)) {
            lua_settop(L, top);
            return -1;
        }
        if (c->apply)
            lua_setfield(L, t, k->u.str.s); /* replaces the default of this key only */
        lua_settop(L, t);
    }
    lua_settop(L, top);
    return 0;
}

static rule *find_rule(cpol_engine *e, const char *id)
{
    for (size_t i = 0; i < e->nrules; i++)
        if (strcmp(e->rules[i].id, id) == 0)
            return &e->rules[i];
    return NULL;
}

static int do_rule(cfg *c, const yv *key, const yv *v)
{
    static const char *const keys[] = {"enabled", "severity", "options", NULL};
    rule *r = find_rule(c->e, key->u.str.s);
    if (!r)
        return cfg_error(c, key, "unknown rule id \"%s\" in rules", key->u.str.s);
    if (v->kind != YV_MAP)
        return cfg_error(c, v, "rules.%s must be a map (enabled, severity, options)", r->id);
    char where[128];
    snprintf(where, sizeof where, "rules.%s", r->id);
    if (check_keys(c, v, where, keys, "enabled, severity, options"))
        return -1;
    const yv *en = yv_get(v, "enabled"), *sev = yv_get(v, "severity"), *op = yv_get(v, "options");
    int enabled = 1;
    if (en && yv_bool_k8s(en, &enabled) != 0)
        return cfg_error(c, en, "rules.%s.enabled must be true or false, not \"%s\"", r->id,
                         shown(en));
    int s = 0;
    if (sev && (s = level(sev)) <= 0)
        return cfg_error(c, sev,
                         "rules.%s.severity must be one of critical, high, medium, low, info, "
                         "not \"%s\"",
                         r->id, shown(sev));
    if (op && do_options(c, r, op))
        return -1;
    if (c->apply) {
        if (en)
            r->disabled = !enabled;
        if (s > 0)
            r->severity = (cpol_severity)s;
    }
    return 0;
}

/* Patterns are matched against paths relative to the config's folder: drop "./" and a trailing
   '/', which people write for folders. */
static char *clean_glob(const char *s)
{
    while (s[0] == '.' && s[1] == '/')
        s += 2;
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int do_ignore(cfg *c, const yv *v, char ***out, size_t *nout)
{
    if (v->kind != YV_SEQ)
        return cfg_error(c, v, "ignore must be a list of globs");
    for (size_t i = 0; i < v->u.seq.n; i++) {
        const yv *g = v->u.seq.v[i];
        if (g->kind != YV_SCALAR || g->u.str.len == 0 || strlen(g->u.str.s) != g->u.str.len)
            return cfg_error(c, g, "ignore: each entry must be a non-empty glob");
        if (glob_match(g->u.str.s, "x") < 0)
            return cfg_error(c, g, "ignore: \"%s\" is not a valid glob", g->u.str.s);
    }
    if (!c->apply)
        return 0;
    char **list = calloc(v->u.seq.n ? v->u.seq.n : 1, sizeof *list);
    if (!list)
        return cfg_error(c, v, "out of memory");
    for (size_t i = 0; i < v->u.seq.n; i++)
        if (!(list[i] = clean_glob(v->u.seq.v[i]->u.str.s))) {
            for (size_t j = 0; j < i; j++)
                free(list[j]);
            free(list);
            return cfg_error(c, v, "out of memory");
        }
    *out = list;
    *nout = v->u.seq.n;
    return 0;
}

/* Both passes over the document. */
static int walk_config(cfg *c)
{
    static const char *const keys[] = {"version", "fail-on", "ignore", "rules", NULL};
    const yv *root = c->root;
    if (!root)
        return 0;
    if (root->kind != YV_MAP)
        return cfg_error(c, root, "the configuration must be a map (version, fail-on, ignore, "
                                  "rules)");
    if (check_keys(c, root, "the configuration", keys, "version, fail-on, ignore, rules"))
        return -1;
    const yv *ver = yv_get(root, "version");
    long long vn;
    if (ver && (yv_int(ver, &vn) != 0 || vn != 1))
        return cfg_error(c, ver, "version must be 1, not \"%s\"", shown(ver));
    const yv *fo = yv_get(root, "fail-on");
    int fail_on = -1;
    if (fo && (fail_on = level(fo)) < 0)
        return cfg_error(c, fo,
                         "fail-on must be one of none, info, low, medium, high, critical, not "
                         "\"%s\"",
                         shown(fo));
    const yv *rules = yv_get(root, "rules");
    if (rules && rules->kind != YV_MAP)
        return cfg_error(c, rules, "rules must be a map from rule ids to settings");
    for (size_t i = 0; rules && i < rules->u.map.n; i++)
        if (do_rule(c, rules->u.map.v[i].key, rules->u.map.v[i].val))
            return -1;
    const yv *ig = yv_get(root, "ignore");
    char **ignore = NULL;
    size_t nignore = 0;
    if (ig && do_ignore(c, ig, &ignore, &nignore))
        return -1;
    if (c->apply) {
        if (fo)
            c->e->fail_on = fail_on;
        if (ig) {
            for (size_t i = 0; i < c->e->nignore; i++)
                free(c->e->ignore[i]);
            free(c->e->ignore);
            c->e->ignore = ignore;
            c->e->nignore = nignore;
        }
    }
    return 0;
}

static int config_protected(lua_State *L)
{
    cfg *c = lua_touserdata(L, 1);
    c->apply = 0;
    if (walk_config(c) == 0 && !c->failed) {
        c->apply = 1;
        walk_config(c);
    }
    return 0;
}

/* The real path of the folder holding path, malloc'd, or NULL. */
static char *real_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    if (slash == copy)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = copy;
    }
    char *real = realpath(dir, NULL);
    free(copy);
    return real;
}

int cpol_engine_load_config(cpol_engine *e, const char *path)
{
    if (!e || !path)
        return CPOL_EINVAL;
    e->error[0] = '\0';
    char *data;
    size_t len;
    char why[256];
    if (read_file(path, e->limits.max_file_size, &data, &len, why, sizeof why) != 0) {
        engine_set_error(e, "%s: %s", path, why);
        return CPOL_EIO;
    }
    arena a;
    arena_init(&a);
    diag_sink sink = DIAG_SINK_INIT;
    parse_ctx ctx = {&a, &sink, &e->limits, path, NULL};
    yaml_doc *docs = NULL;
    int nd = yaml_load(&ctx, data, len, NULL, &docs);
    free(data);
    int rc = 0;
    cfg c = {e, path, NULL, 0, 0};
    if (sink.n > 0) {
        engine_set_error(e, "%s:%u: %s", path, sink.v[0].line, sink.v[0].message);
        rc = CPOL_ECONFIG;
    } else if (nd < 0) {
        engine_set_error(e, "%s: cannot be read as YAML", path);
        rc = a.failed ? CPOL_ENOMEM : CPOL_ECONFIG;
    } else if (nd > 1) {
        engine_set_error(e, "%s:%u: the configuration must be one YAML document", path,
                         docs[1].line);
        rc = CPOL_ECONFIG;
    }
    char *dir = NULL;
    if (rc == 0 && !(dir = real_dir(path))) {
        engine_set_error(e, "%s: cannot resolve its folder", path);
        rc = CPOL_EIO;
    }
    if (rc == 0) {
        c.root = nd == 1 ? docs[0].root : NULL;
        lua_State *L = e->L;
        lua_pushcfunction(L, config_protected);
        lua_pushlightuserdata(L, &c);
        if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
            lua_pop(L, 1);
            engine_set_error(e, "%s: out of memory", path);
            rc = CPOL_ENOMEM;
        } else if (c.failed)
            rc = CPOL_ECONFIG;
    }
    if (rc == 0) {
        free(e->config_dir);
        e->config_dir = dir;
    } else
        free(dir);
    arena_free(&a);
    diag_free(&sink);
    return rc;
}

int cpol_engine_config_fail_on(const cpol_engine *e) { return e ? e->fail_on : -1; }

void config_free(cpol_engine *e)
{
    for (size_t i = 0; i < e->nignore; i++)
        free(e->ignore[i]);
    free(e->ignore);
    free(e->config_dir);
    e->ignore = NULL;
    e->nignore = 0;
    e->config_dir = NULL;
}

int config_ignored(const cpol_engine *e, const char *path)
{
    if (!e->nignore || !e->config_dir)
        return 0;
    char *real = realpath(path, NULL);
    if (!real)
        return 0;
    size_t dl = strlen(e->config_dir);
    int hit = 0;
    const char *rel = NULL;
    if (strcmp(e->config_dir, "/") == 0)
        rel = real + 1;
    else if (strncmp(real, e->config_dir, dl) == 0 && real[dl] == '/')
        rel = real + dl + 1;
    /* the file itself or one of its folders (a glob naming a folder ignores what is in it) */
    for (size_t i = 0; rel && i < e->nignore && !hit; i++) {
        if (glob_match(e->ignore[i], rel) == 1) {
            hit = 1;
            break;
        }
        for (char *s = strchr(rel, '/'); s && !hit; s = strchr(s + 1, '/')) {
            *s = '\0';
            hit = glob_match(e->ignore[i], rel) == 1;
            *s = '/';
        }
    }
    free(real);
    return hit;
}
