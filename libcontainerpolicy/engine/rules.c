/*
 * rules.c - loading rule files into the sandbox, checking their metadata, and running them over the
 * containers of each document. A rule file returns one table (docs/writing-rules.md):
 *   { id, control, severity, title, formats, description, remediation, references, options,
 *     api, replace, check = function(container, report), check_project = function(project, report) }
 * A rule that fails or is stopped becomes a diagnostic naming the rule and the input.
 */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "engine.h"
#include "../util/strhash.h"

/* A runaway rule could report without end: a call may report this many findings, and a
   check_project call this many more per container and per pipeline job of the scan (a project
   rule reports about every object, and a big repository has thousands). */
#define MAX_FINDINGS_PER_CALL 1000
#define MAX_PROJECT_FINDINGS_PER_OBJECT 10
/* ... and a check_project call gets this many more instructions and microseconds per object */
#define PROJECT_INSTRUCTIONS_PER_OBJECT 20000UL
#define PROJECT_US_PER_OBJECT 200UL

static const struct {
    const char *name;
    unsigned bit;
} formats[] = {{"dockerfile", FMT_DOCKERFILE}, {"compose", FMT_COMPOSE}, {"k8s", FMT_K8S},
               {"oci", FMT_OCI},               {"docker-run", FMT_DOCKER_RUN},
               {"github", FMT_GITHUB},         {"gitlab", FMT_GITLAB}};

unsigned rules_format_bit(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, name) == 0)
            return formats[i].bit;
    return 0;
}

unsigned rules_kind_format(const char *kind)
{
    if (!kind)
        return 0;
    if (strcmp(kind, "dockerfile") == 0)
        return FMT_DOCKERFILE;
    if (strcmp(kind, "compose-service") == 0)
        return FMT_COMPOSE;
    if (strncmp(kind, "k8s-", 4) == 0)
        return FMT_K8S;
    if (strcmp(kind, "oci") == 0)
        return FMT_OCI;
    if (strcmp(kind, "docker-run") == 0)
        return FMT_DOCKER_RUN;
    return 0;
}

void engine_set_error(cpol_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->error, sizeof e->error, fmt, ap);
    va_end(ap);
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void rule_clear(cpol_engine *e, rule *r)
{
    free(r->id);
    free(r->title);
    free(r->description);
    free(r->remediation);
    free(r->formats_csv);
    free(r->references);
    free(r->origin);
    if (e->L) {
        luaL_unref(e->L, LUA_REGISTRYINDEX, r->env_ref);
        luaL_unref(e->L, LUA_REGISTRYINDEX, r->table_ref);
        luaL_unref(e->L, LUA_REGISTRYINDEX, r->check_ref);
        luaL_unref(e->L, LUA_REGISTRYINDEX, r->check_project_ref);
        luaL_unref(e->L, LUA_REGISTRYINDEX, r->options_ref);
    }
    memset(r, 0, sizeof *r);
}

void rules_free(cpol_engine *e)
{
    for (size_t i = 0; i < e->nrules; i++)
        rule_clear(e, &e->rules[i]);
    free(e->rules);
    e->rules = NULL;
    e->nrules = e->cap_rules = 0;
}

/* The line where `key =` is first written in the source: metadata errors point there. */
static int key_line(const char *src, size_t len, const char *key)
{
    size_t kl = strlen(key);
    int line = 1;
    for (size_t i = 0; i + kl <= len; i++) {
        if (src[i] == '\n') {
            line++;
            continue;
        }
        if (memcmp(src + i, key, kl) != 0)
            continue;
        if (i > 0 && (src[i - 1] == '_' || ((src[i - 1] | 32) >= 'a' && (src[i - 1] | 32) <= 'z')))
            continue;
        size_t j = i + kl;
        while (j < len && (src[j] == ' ' || src[j] == '\t'))
            j++;
        if (j < len && src[j] == '=' && (j + 1 >= len || src[j + 1] != '='))
            return line;
    }
    return 0;
}

typedef struct load_ctx {
    cpol_engine *e;
    const char *origin, *src;
    size_t len;
} load_ctx;

static int meta_error(load_ctx *c, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int meta_error(load_ctx *c, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = key ? key_line(c->src, c->len, key) : 0;
    if (line)
        engine_set_error(c->e, "%s:%d: %s", c->origin, line, msg);
    else
        engine_set_error(c->e, "%s: %s", c->origin, msg);
    return CPOL_ERULE;
}

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 32 || s[0] < 'A' || s[0] > 'Z')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return 0;
    return 1;
}

/* Read string field `key` of the table at t into *out (malloc'd). */
static int get_string(load_ctx *c, int t, const char *key, int required, char **out)
{
    lua_State *L = c->e->L;
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TNIL) {
        lua_pop(L, 1);
        if (required)
            return meta_error(c, NULL, "rule has no '%s' (a string is required)", key);
        *out = xstrdup("");
        return *out ? 0 : CPOL_ENOMEM;
    }
    if (ty != LUA_TSTRING) {
        lua_pop(L, 1);
        return meta_error(c, key, "'%s' must be a string, not a %s", key, lua_typename(L, ty));
    }
    *out = xstrdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (required && *out && !**out)
        return meta_error(c, key, "'%s' must not be empty", key);
    return *out ? 0 : CPOL_ENOMEM;
}

static int get_function(lua_State *L, int t, const char *key, int *ref)
{
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TNIL) {
        lua_pop(L, 1);
        *ref = LUA_NOREF;
        return 0;
    }
    if (ty != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return -1;
    }
    *ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static const char *const rule_keys[] = {"id",          "api",         "control",    "severity",
                                        "title",       "formats",     "description", "remediation",
                                        "references",  "options",     "replace",    "check",
                                        "check_project", NULL};

/* Edit distance of two short keys, capped: a typo is one or two edits away. */
static size_t key_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[33];
    if (la > 32 || lb > 32)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* A key the engine does not read is almost always a typo (`severty`): silently ignoring it would
   run the rule with a default the author did not mean, so it is refused. */
static int check_keys(load_ctx *c, int t)
{
    lua_State *L = c->e->L;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            char shown[64];
            snprintf(shown, sizeof shown, "%s",
                     lua_type(L, -1) == LUA_TNUMBER ? lua_tostring(L, -1) : luaL_typename(L, -1));
            lua_pop(L, 1);
            return meta_error(c, NULL,
                              "the rule table has an entry without a name (key %s): write "
                              "`name = value`",
                              shown);
        }
        const char *k = lua_tostring(L, -1);
        const char *near = NULL;
        size_t best = 3;
        int known = 0;
        for (const char *const *p = rule_keys; *p && !known; p++) {
            size_t d = key_distance(k, *p);
            known = d == 0;
            if (d < best && d * 3 <= strlen(*p)) {
                best = d;
                near = *p;
            }
        }
        if (!known) {
            char key[64];
            snprintf(key, sizeof key, "%s", k);
            lua_pop(L, 1);
            if (near)
                return meta_error(c, key, "unknown key '%s' in the rule table (did you mean '%s'?)",
                                  key, near);
            return meta_error(c, key,
                              "unknown key '%s' in the rule table (known: id, api, control, "
                              "severity, title, formats, description, remediation, references, "
                              "options, replace, check, check_project; put your own values in "
                              "'options')",
                              key);
        }
    }
    return 0;
}

/* Validate the rule table at index t and fill r. Returns 0 or CPOL_ERULE/CPOL_ENOMEM. */
static int read_meta(load_ctx *c, int t, rule *r, int *replace)
{
    lua_State *L = c->e->L;
    int rc;
    if ((rc = check_keys(c, t)))
        return rc;
    if ((rc = get_string(c, t, "id", 1, &r->id)))
        return rc;
    if (!valid_id(r->id))
        return meta_error(c, "id",
                          "id \"%s\" is not valid: use 2-32 characters, A-Z first, then A-Z, 0-9, "
                          "'_' or '-' (e.g. \"ACME001\")",
                          r->id);
    int ty = lua_getfield(L, t, "api");
    if (ty != LUA_TNIL && (!lua_isinteger(L, -1) || lua_tointeger(L, -1) != CPOL_RULE_API_VERSION)) {
        char shown[64];
        snprintf(shown, sizeof shown, "%s",
                 ty == LUA_TNUMBER || ty == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
        lua_pop(L, 1);
        return meta_error(c, "api", "rule %s declares api = %s; this engine supports api = %d",
                          r->id, shown, CPOL_RULE_API_VERSION);
    }
    lua_pop(L, 1);
    if ((rc = get_string(c, t, "title", 1, &r->title)) ||
        (rc = get_string(c, t, "description", 0, &r->description)) ||
        (rc = get_string(c, t, "remediation", 1, &r->remediation)))
        return rc;
    char *sev = NULL;
    if ((rc = get_string(c, t, "severity", 1, &sev)))
        return rc;
    r->severity = cpol_severity_from_string(sev);
    if (!r->severity) {
        rc = meta_error(c, "severity",
                        "severity \"%s\" is not one of critical, high, medium, low, info", sev);
        free(sev);
        return rc;
    }
    free(sev);
    ty = lua_getfield(L, t, "control");
    if (ty == LUA_TNIL)
        r->control = 0;
    else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0 && lua_tointeger(L, -1) <= 10)
        r->control = (int)lua_tointeger(L, -1);
    else {
        lua_pop(L, 1);
        return meta_error(c, "control", "control must be an integer from 0 to 10");
    }
    lua_pop(L, 1);
    /* formats: a non-empty list of known names */
    ty = lua_getfield(L, t, "formats");
    if (ty != LUA_TTABLE) {
        lua_pop(L, 1);
        return meta_error(c, ty == LUA_TNIL ? NULL : "formats",
                          "'formats' must be a list of format names (dockerfile, compose, k8s, "
                          "oci, docker-run, github, gitlab)");
    }
    char csv[256] = "";
    lua_Integer nf = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= nf; i++) {
        lua_rawgeti(L, -1, i);
        const char *f = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        unsigned bit = f ? rules_format_bit(f) : 0;
        if (!bit) {
            char bad[64];
            snprintf(bad, sizeof bad, "%s", f ? f : "(not a string)");
            lua_pop(L, 2);
            return meta_error(c, "formats",
                              "unknown format \"%s\" in 'formats' (known: dockerfile, compose, "
                              "k8s, oci, docker-run, github, gitlab)",
                              bad);
        }
        r->formats |= bit;
        if (strlen(csv) + strlen(f) + 2 < sizeof csv) {
            if (*csv)
                strcat(csv, ",");
            strcat(csv, f);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (!r->formats)
        return meta_error(c, "formats", "'formats' must name at least one format");
    r->formats_csv = xstrdup(csv);
    /* references: list of strings */
    ty = lua_getfield(L, t, "references");
    luaL_Buffer *unused = NULL;
    (void)unused;
    char refs[2048] = "";
    if (ty == LUA_TTABLE) {
        lua_Integer nr = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= nr; i++) {
            if (lua_rawgeti(L, -1, i) != LUA_TSTRING) {
                lua_pop(L, 2);
                return meta_error(c, "references", "'references' must be a list of strings");
            }
            const char *s = lua_tostring(L, -1);
            if (strlen(refs) + strlen(s) + 2 < sizeof refs) {
                if (*refs)
                    strcat(refs, "\n");
                strcat(refs, s);
            }
            lua_pop(L, 1);
        }
    } else if (ty != LUA_TNIL) {
        lua_pop(L, 1);
        return meta_error(c, "references", "'references' must be a list of strings");
    }
    lua_pop(L, 1);
    r->references = xstrdup(refs);
    ty = lua_getfield(L, t, "options");
    if (ty == LUA_TTABLE)
        r->options_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    else {
        lua_pop(L, 1);
        r->options_ref = LUA_NOREF;
        if (ty != LUA_TNIL)
            return meta_error(c, "options", "'options' must be a table");
    }
    if (get_function(L, t, "check", &r->check_ref))
        return meta_error(c, "check", "'check' must be a function(container, report)");
    if (get_function(L, t, "check_project", &r->check_project_ref))
        return meta_error(c, "check_project",
                          "'check_project' must be a function(project, report)");
    if (r->check_ref == LUA_NOREF && r->check_project_ref == LUA_NOREF)
        return meta_error(c, NULL, "rule %s has neither 'check' nor 'check_project'", r->id);
    ty = lua_getfield(L, t, "replace");
    *replace = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (ty != LUA_TNIL && ty != LUA_TBOOLEAN)
        return meta_error(c, "replace", "'replace' must be true or false, not a %s",
                          lua_typename(L, ty));
    if (!r->formats_csv || !r->references)
        return CPOL_ENOMEM;
    return 0;
}

static int cmp_rules(const void *a, const void *b)
{
    return strcmp(((const rule *)a)->id, ((const rule *)b)->id);
}

int rules_load_source(cpol_engine *e, const char *origin, const char *src, size_t len, int builtin)
{
    lua_State *L = e->L;
    load_ctx c = {e, origin, src, len};
    int top = lua_gettop(L);
    char chunk[512];
    snprintf(chunk, sizeof chunk, "@%s", origin);
    int rc = luaL_loadbufferx(L, src, len, chunk, "t");
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        engine_set_error(e, "%s", msg ? msg : "cannot load rule");
        lua_settop(L, top);
        return rc == LUA_ERRMEM ? CPOL_ENOMEM : CPOL_ERULE;
    }
    sandbox_new_env(e);
    lua_pushvalue(L, -1);
    int env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setupvalue(L, -2, 1);
    rule r;
    memset(&r, 0, sizeof r);
    r.env_ref = env_ref;
    r.table_ref = r.check_ref = r.check_project_ref = r.options_ref = LUA_NOREF;
    r.builtin = builtin;
    e->cur.r = &r;
    rc = sandbox_pcall(e, 0, 1, 1);
    e->cur.r = NULL;
    if (rc != LUA_OK) {
        char why[256];
        const char *reason = sandbox_abort_reason(e, why, sizeof why);
        const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (reason)
            engine_set_error(e, "%s: loading the rule %s", origin, reason);
        else
            engine_set_error(e, "%s", msg ? msg : "error while loading the rule");
        rule_clear(e, &r);
        lua_settop(L, top);
        return rc == LUA_ERRMEM && !reason ? CPOL_ENOMEM : CPOL_ERULE;
    }
    if (lua_type(L, -1) != LUA_TTABLE) {
        engine_set_error(e, "%s: a rule file must return a table, not a %s", origin,
                         luaL_typename(L, -1));
        rule_clear(e, &r);
        lua_settop(L, top);
        return CPOL_ERULE;
    }
    int replace = 0;
    rc = read_meta(&c, lua_gettop(L), &r, &replace);
    if (rc) {
        rule_clear(e, &r);
        lua_settop(L, top);
        return rc;
    }
    r.origin = xstrdup(builtin ? "builtin" : origin);
    lua_pushvalue(L, -1);
    r.table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, top);
    if (!r.origin) {
        rule_clear(e, &r);
        return CPOL_ENOMEM;
    }
    for (size_t i = 0; i < e->nrules; i++) {
        if (strcmp(e->rules[i].id, r.id) != 0)
            continue;
        if (!replace) {
            engine_set_error(e,
                             "%s: rule id %s is already used by %s; choose another id or set "
                             "replace = true",
                             origin, r.id, e->rules[i].origin);
            rule_clear(e, &r);
            return CPOL_ERULE;
        }
        rule_clear(e, &e->rules[i]);
        e->rules[i] = r;
        return 0;
    }
    if (e->nrules == e->cap_rules) {
        size_t cap = e->cap_rules ? e->cap_rules * 2 : 32;
        rule *v = realloc(e->rules, cap * sizeof *v);
        if (!v) {
            rule_clear(e, &r);
            return CPOL_ENOMEM;
        }
        e->rules = v;
        e->cap_rules = cap;
    }
    e->rules[e->nrules++] = r;
    qsort(e->rules, e->nrules, sizeof(rule), cmp_rules);
    return 0;
}

/*
 * A built-in library (rules/_name.lua) returns a table of functions that every rule then finds
 * in its `cpol` table (cpol.final_stage, cpol.base_image, ...): model walks several rules need,
 * written once. It runs in a sandbox environment of its own, like a rule.
 */
int rules_load_library(cpol_engine *e, const char *origin, const char *src, size_t len)
{
    lua_State *L = e->L;
    int top = lua_gettop(L);
    char chunk[512];
    snprintf(chunk, sizeof chunk, "@%s", origin);
    if (luaL_loadbufferx(L, src, len, chunk, "t") != LUA_OK) {
        engine_set_error(e, "%s", lua_tostring(L, -1));
        lua_settop(L, top);
        return CPOL_ERULE;
    }
    sandbox_new_env(e);
    lua_setupvalue(L, -2, 1);
    if (sandbox_pcall(e, 0, 1, 1) != LUA_OK) {
        char why[256];
        const char *reason = sandbox_abort_reason(e, why, sizeof why);
        engine_set_error(e, "%s", reason ? reason : lua_type(L, -1) == LUA_TSTRING
                                                        ? lua_tostring(L, -1)
                                                        : "error while loading the library");
        lua_settop(L, top);
        return CPOL_ERULE;
    }
    if (!lua_istable(L, -1)) {
        engine_set_error(e, "%s: a library (a file whose name starts with '_') must return a "
                            "table of functions", origin);
        lua_settop(L, top);
        return CPOL_ERULE;
    }
    if (e->lib_ref == LUA_NOREF) {
        lua_newtable(L);
        e->lib_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->lib_ref);
    lua_pushnil(L);
    while (lua_next(L, -3)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    lua_settop(L, top);
    return 0;
}

int rules_load_builtin(cpol_engine *e, int with_rules)
{
    for (int pass = 0; pass < (with_rules ? 2 : 1); pass++) {
        for (size_t i = 0; i < builtin_rule_count; i++) {
            const builtin_rule *b = &builtin_rules[i];
            int is_lib = b->name[0] == '_';
            if (is_lib != (pass == 0))
                continue;
            int rc = is_lib ? rules_load_library(e, b->name, b->source, b->len)
                            : rules_load_source(e, b->name, b->source, b->len, 1);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- running ---------------------------------------------------------------------------- */

/* Read {file, line, col} from the pos table at idx. */
static int read_pos(lua_State *L, int idx, const char **file, unsigned *line, unsigned *col)
{
    cpos p;
    if (view_position(L, idx, 0, &p)) {
        if (!p.line)
            return 0;
        *file = p.file;
        *line = p.line;
        *col = p.col;
        return 1;
    }
    if (!lua_istable(L, idx))
        return 0;
    lua_getfield(L, idx, "line");
    lua_getfield(L, idx, "col");
    lua_getfield(L, idx, "file");
    int ok = lua_isinteger(L, -3) && lua_tointeger(L, -3) > 0;
    if (ok) {
        *line = (unsigned)lua_tointeger(L, -3);
        *col = lua_isinteger(L, -2) ? (unsigned)lua_tointeger(L, -2) : 1;
        if (lua_type(L, -1) == LUA_TSTRING)
            *file = lua_tostring(L, -1); /* kept alive by the model view until the call ends */
    }
    lua_pop(L, 3);
    return ok;
}

/* check_project: the scanned files by name, so a finding sorts with its file in constant time
   (a scan of 16,000 files reports thousands of project findings). The first file of a name
   wins. Without memory for the table, file_order_of() walks the list. */
static void file_index_build(cpol_engine *e)
{
    size_t cap = 16;
    while (cap < e->cur.nfiles * 2)
        cap *= 2;
    e->cur.file_slots = calloc(cap, sizeof *e->cur.file_slots);
    e->cur.file_slot_cap = e->cur.file_slots ? cap : 0;
    for (size_t i = 0; e->cur.file_slots && i < e->cur.nfiles; i++) {
        size_t h = str_hash(e->cur.files[i]) & (cap - 1);
        while (e->cur.file_slots[h] && strcmp(e->cur.files[e->cur.file_slots[h] - 1],
                                              e->cur.files[i]) != 0)
            h = (h + 1) & (cap - 1);
        if (!e->cur.file_slots[h])
            e->cur.file_slots[h] = i + 1;
    }
}

/* The position of file among the scanned files (check_project), or the file being checked. */
static size_t file_order_of(const cpol_engine *e, const char *file)
{
    if (!e->cur.files || !file)
        return e->cur.file_order;
    if (e->cur.file_slots) {
        size_t mask = e->cur.file_slot_cap - 1;
        for (size_t h = str_hash(file) & mask; e->cur.file_slots[h]; h = (h + 1) & mask)
            if (strcmp(e->cur.files[e->cur.file_slots[h] - 1], file) == 0)
                return e->cur.file_slots[h] - 1;
        return e->cur.file_order;
    }
    for (size_t i = 0; i < e->cur.nfiles; i++)
        if (strcmp(e->cur.files[i], file) == 0)
            return i;
    return e->cur.file_order;
}

/* report{at = node, field = "key", message = text, object = label} -> nothing.  [-1, +0, e] */
static int report_call(lua_State *L)
{
    cpol_engine *e = *(cpol_engine **)lua_getextraspace(L);
    rule *r = e->cur.r;
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!r || !e->cur.report)
        return luaL_error(L, "report called outside a rule check");
    if (++e->cur.nfindings > e->cur.max_findings)
        return luaL_error(L, "rule %s reported more than %I findings in one call", r->id,
                          (lua_Integer)e->cur.max_findings);
    lua_getfield(L, 1, "message");
    if (lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "report: 'message' must be a string");
    const char *message = lua_tostring(L, -1);
    const char *file = NULL;
    unsigned line = 0, col = 0;
    int at = lua_getfield(L, 1, "at");
    int idx = lua_gettop(L);
    cpos vp;
    if (at == LUA_TUSERDATA) {
        /* a model table (view.c): its position, or its scalar field's, straight from the node */
        int ft = lua_getfield(L, 1, "field");
        if (!view_position(L, idx, ft == LUA_TSTRING || ft == LUA_TNUMBER ? idx + 1 : 0, &vp))
            return luaL_error(L, "report: 'at' must be a model table or a position");
        file = vp.file;
        line = vp.line;
        col = vp.col;
        lua_pop(L, 1);
    } else if (at == LUA_TTABLE) {
        /* a table the rule made: its field_pos[field], its pos, or itself as a position */
        int ft = lua_getfield(L, 1, "field");
        if (ft == LUA_TSTRING || ft == LUA_TNUMBER) {
            lua_getfield(L, idx, "field_pos");
            if (lua_type(L, -1) == LUA_TTABLE || lua_type(L, -1) == LUA_TUSERDATA) {
                lua_pushvalue(L, -2);
                lua_gettable(L, -2);
                read_pos(L, lua_gettop(L), &file, &line, &col);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (!line) {
            lua_getfield(L, idx, "pos");
            read_pos(L, lua_gettop(L), &file, &line, &col);
            lua_pop(L, 1);
        }
        if (!line)
            read_pos(L, idx, &file, &line, &col);
    } else if (at != LUA_TNIL)
        return luaL_error(L, "report: 'at' must be a model table or a position");
    if (!line && e->cur.container) {
        file = e->cur.container->pos.file;
        line = e->cur.container->pos.line;
        col = e->cur.container->pos.col;
    }
    if (!line)
        return luaL_error(L, "report: no position: pass 'at' with a model table that has one");
    const char *object = e->cur.object;
    if (lua_getfield(L, 1, "object") == LUA_TSTRING)
        object = lua_tostring(L, -1);
    cpol_finding f;
    memset(&f, 0, sizeof f);
    f.rule_id = r->id;
    f.control = r->control;
    f.severity = r->severity;
    f.title = r->title;
    f.message = message;
    f.file = file;
    f.line = line;
    f.column = col ? col : 1;
    f.object = object ? object : "";
    f.remediation = r->remediation;
    report_add_finding(e->cur.report, &f, file_order_of(e, file));
    return 0;
}

static void push_report_fn(cpol_engine *e)
{
    lua_pushcfunction(e->L, report_call);
}

static void call_failed(cpol_engine *e, rule *r, const node *at)
{
    lua_State *L = e->L;
    char why[256];
    const char *reason = sandbox_abort_reason(e, why, sizeof why);
    char msg[600];
    if (reason)
        snprintf(msg, sizeof msg, "%s", reason);
    else if (lua_type(L, -1) == LUA_TSTRING)
        snprintf(msg, sizeof msg, "%s", lua_tostring(L, -1));
    else
        snprintf(msg, sizeof msg, "error object is a %s value", luaL_typename(L, -1));
    lua_pop(L, 1);
    const char *file = at ? at->pos.file : NULL;
    diag_add_rule(&e->cur.report->sink, r->id, file, at ? at->pos.line : 0, at ? at->pos.col : 0,
                  "rule %s failed%s%s: %s", r->id, e->cur.object ? " on " : "",
                  e->cur.object ? e->cur.object : "", msg);
}

typedef struct run_args {
    cpol_engine *e;
    const node *project;
    size_t first, end, file_order;
} run_args;

static int run_protected(lua_State *L)
{
    run_args *a = lua_touserdata(L, 1);
    cpol_engine *e = a->e;
    /* the view cache: node -> view; sized for a typical file so it rarely rehashes */
    lua_createtable(L, 0, 64);
    int cache = lua_gettop(L);
    node *list = node_get(a->project, "containers");
    size_t n = list && list->type == N_LIST ? list->u.list.n : 0;
    if (a->end < n)
        n = a->end;
    for (size_t i = a->first; i < n; i++) {
        const node *c = list->u.list.v[i];
        unsigned fmt = rules_kind_format(node_get_str(c, "kind"));
        view_push(e, c, cache);
        int cv = lua_gettop(L);
        e->cur.container = c;
        e->cur.object = node_get_str(c, "object");
        for (size_t k = 0; k < e->nrules; k++) {
            rule *r = &e->rules[k];
            if (!(r->formats & fmt) || r->check_ref == LUA_NOREF || r->disabled)
                continue;
            lua_rawgeti(L, LUA_REGISTRYINDEX, r->check_ref);
            lua_pushvalue(L, cv);
            push_report_fn(e);
            e->cur.r = r;
            e->cur.nfindings = 0;
            e->cur.max_findings = MAX_FINDINGS_PER_CALL;
            if (sandbox_pcall(e, 2, 0, 1) != LUA_OK)
                call_failed(e, r, c);
            e->cur.r = NULL;
        }
        lua_settop(L, cache);
    }
    e->cur.container = NULL;
    e->cur.object = NULL;
    return 0;
}

void rules_run(cpol_engine *e, cpol_report *report, const node *project, size_t first,
               size_t end, size_t file_order)
{
    lua_State *L = e->L;
    if (first >= end)
        return;
    run_args a = {e, project, first, end, file_order};
    e->cur.report = report;
    e->cur.file_order = file_order;
    lua_pushcfunction(L, run_protected);
    lua_pushlightuserdata(L, &a);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        diag_add(&report->sink, NULL, 0, 0, "rule engine failed while building the model view: %s",
                 msg);
        lua_pop(L, 1);
    }
    e->cur.report = NULL;
    view_retire(e);
}

/* The formats present in the project: a check_project rule runs only when one of its formats
   was scanned. */
static unsigned project_formats(const node *project)
{
    unsigned bits = 0;
    const node *docs = node_get(project, "documents");
    for (size_t i = 0; docs && docs->type == N_LIST && i < docs->u.list.n; i++) {
        const char *f = node_get_str(docs->u.list.v[i], "format");
        if (f)
            bits |= rules_format_bit(f);
    }
    return bits;
}

static size_t list_count(const node *n, const char *key)
{
    const node *l = node_get(n, key);
    return l && l->type == N_LIST ? l->u.list.n : 0;
}

/* What a project rule may report about: containers, policies, networks, pipeline jobs. */
static size_t project_objects(const node *project)
{
    size_t n = list_count(project, "containers") + list_count(project, "policies") +
               list_count(project, "networks");
    const node *p = node_get(project, "pipelines");
    for (size_t i = 0; p && p->type == N_LIST && i < p->u.list.n; i++)
        n += list_count(p->u.list.v[i], "jobs");
    return n;
}

typedef struct project_args {
    cpol_engine *e;
    const node *project;
    unsigned formats;
    size_t objects; /* containers, policies, networks and pipeline jobs of the scan */
} project_args;

static int run_project_protected(lua_State *L)
{
    project_args *a = lua_touserdata(L, 1);
    cpol_engine *e = a->e;
    lua_newtable(L);
    int cache = lua_gettop(L);
    view_push(e, a->project, cache);
    int pv = lua_gettop(L);
    e->cur.container = NULL;
    e->cur.object = NULL;
    for (size_t k = 0; k < e->nrules; k++) {
        rule *r = &e->rules[k];
        if (!(r->formats & a->formats) || r->check_project_ref == LUA_NOREF || r->disabled)
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->check_project_ref);
        lua_pushvalue(L, pv);
        push_report_fn(e);
        e->cur.r = r;
        e->cur.nfindings = 0;
        e->cur.max_findings = MAX_FINDINGS_PER_CALL + MAX_PROJECT_FINDINGS_PER_OBJECT * a->objects;
        e->cur.extra_instructions = PROJECT_INSTRUCTIONS_PER_OBJECT * a->objects;
        e->cur.extra_ms = PROJECT_US_PER_OBJECT * a->objects / 1000;
        int rc = sandbox_pcall(e, 2, 0, 1);
        e->cur.extra_instructions = e->cur.extra_ms = 0;
        if (rc != LUA_OK)
            call_failed(e, r, NULL);
        e->cur.r = NULL;
    }
    return 0;
}

void rules_run_project(cpol_engine *e, cpol_report *report, const node *project,
                       const char *const *files, size_t nfiles)
{
    project_args a = {e, project, project_formats(project), project_objects(project)};
    int any = 0;
    for (size_t k = 0; k < e->nrules; k++)
        if ((e->rules[k].formats & a.formats) && e->rules[k].check_project_ref != LUA_NOREF)
            any = 1;
    if (!any)
        return;
    lua_State *L = e->L;
    e->cur.report = report;
    e->cur.files = files;
    e->cur.nfiles = nfiles;
    e->cur.file_order = nfiles;
    file_index_build(e);
    lua_pushcfunction(L, run_project_protected);
    lua_pushlightuserdata(L, &a);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        diag_add(&report->sink, NULL, 0, 0,
                 "rule engine failed while building the project view: %s", msg);
        lua_pop(L, 1);
    }
    e->cur.report = NULL;
    e->cur.files = NULL;
    e->cur.nfiles = 0;
    free(e->cur.file_slots);
    e->cur.file_slots = NULL;
    e->cur.file_slot_cap = 0;
    view_retire(e);
}
