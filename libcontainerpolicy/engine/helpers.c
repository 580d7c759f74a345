/*
 * helpers.c - the `cpol` module's C functions (see helpers.h). Each checks its arguments with
 * luaL_check* (a wrong type is a Lua error naming the argument), takes time linear in its input,
 * and frees its C memory before any Lua allocation that could raise, so an error leaks nothing.
 *
 * The list, for the rule-writing docs:
 *   cpol.image(ref)                 -> {registry, repository, name, tag, digest} | nil, errmsg
 *   cpol.parse_bytes(s [, flavour]) -> bytes | nil      flavour "docker" (default) or "k8s"
 *   cpol.parse_cpu(s)               -> cores | nil
 *   cpol.secret(name, value)        -> reason | nil
 *   cpol.secret_value(value)        -> reason | nil
 *   cpol.secret_path(path)          -> reason | nil
 *   cpol.entropy(s)                 -> bits per character
 *   cpol.glob(pattern, path)        -> boolean         (error on a bad pattern)
 *   cpol.split(s, sep)              -> {strings}       (plain separator)
 */
#include "helpers.h"

#include "util/arena.h"
#include "util/glob.h"
#include "util/imageref.h"
#include "util/secret.h"
#include "util/units.h"

#include <lauxlib.h>
#include <string.h>

#define IMAGE_REF_MAX 4096

/*
 * cpol.image(ref) -> table | nil, errmsg.  [-1, +1|2, m]
 * Split an image reference: {registry = "docker.io", repository = "library/node", name = "node",
 * tag = "18" or nil, digest = "sha256:..." or nil}. No implicit "latest": an absent tag is nil.
 */
static int image_call(lua_State *L)
{
    size_t len;
    const char *ref = luaL_checklstring(L, 1, &len);
    if (len > IMAGE_REF_MAX || strlen(ref) != len) {
        luaL_pushfail(L);
        lua_pushstring(L, len > IMAGE_REF_MAX ? "image reference too long"
                                              : "invalid image reference (NUL byte)");
        return 2;
    }
    /* Copy the parts out of the arena before touching Lua, which may raise on allocation. */
    static const char *const keys[5] = {"registry", "repository", "name", "tag", "digest"};
    char buf[5][IMAGE_REF_MAX + 64];
    int present[5] = {0};
    arena a;
    image_ref r;
    arena_init(&a);
    int rc = image_ref_parse(&a, ref, &r);
    if (rc == 0) {
        const char *parts[5] = {r.registry, r.repository, r.name, r.tag, r.digest};
        for (int i = 0; i < 5; i++) {
            if (parts[i] && strlen(parts[i]) < sizeof buf[i]) {
                memcpy(buf[i], parts[i], strlen(parts[i]) + 1);
                present[i] = 1;
            }
        }
    }
    arena_free(&a);
    if (rc != 0) {
        luaL_pushfail(L);
        lua_pushliteral(L, "invalid image reference");
        return 2;
    }
    lua_createtable(L, 0, 5);
    for (int i = 0; i < 5; i++) {
        if (present[i]) {
            lua_pushstring(L, buf[i]);
            lua_setfield(L, -2, keys[i]);
        }
    }
    return 1;
}

/* A number argument passes through; a string is parsed by fn; anything else is an error. */
static int parse_number_arg(lua_State *L, int (*fn)(const char *, int, double *), int flavour)
{
    int t = lua_type(L, 1);
    if (t == LUA_TNUMBER) {
        lua_pushvalue(L, 1);
        return 1;
    }
    if (t != LUA_TSTRING)
        return luaL_typeerror(L, 1, "string or number");
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    double v;
    if (strlen(s) != len || fn(s, flavour, &v) != 0)
        luaL_pushfail(L);
    else
        lua_pushnumber(L, v);
    return 1;
}

static int cpu_adapter(const char *s, int flavour, double *out)
{
    (void)flavour;
    return units_parse_cpu(s, out);
}

/*
 * cpol.parse_bytes(s [, flavour]) -> number | nil.  [-(1|2), +1, v]
 * "512m", "1g", "1.5G" with flavour "docker" (default: compose, docker run; binary, m = MiB);
 * "128Mi", "1G", "2e3", "500m" (= 0.5 bytes!) with "k8s". A number is returned as it is.
 */
static int parse_bytes_call(lua_State *L)
{
    static const char *const flavours[] = {"docker", "k8s", NULL};
    int f = luaL_checkoption(L, 2, "docker", flavours);
    return parse_number_arg(L, units_parse_bytes, f == 1 ? UNITS_K8S : UNITS_DOCKER);
}

/* cpol.parse_cpu(s) -> cores | nil: "500m" = 0.5, "1.5", "2". A number passes through.  [-1, +1, v] */
static int parse_cpu_call(lua_State *L)
{
    return parse_number_arg(L, cpu_adapter, 0);
}

static int push_reason(lua_State *L, const char *reason)
{
    if (reason)
        lua_pushstring(L, reason);
    else
        luaL_pushfail(L);
    return 1;
}

/*
 * cpol.secret(name, value) -> reason | nil.  [-2, +1, v]
 * Whether NAME=VALUE carries a literal secret (rules in util/secret.h): known token formats, a
 * secret-like name with a real literal (not a $reference, placeholder, boolean or path), or a
 * high-entropy value under a key-like name. Numbers are accepted as strings.
 */
static int secret_call(lua_State *L)
{
    size_t vl;
    const char *name = luaL_checkstring(L, 1);
    const char *value = luaL_checklstring(L, 2, &vl);
    return push_reason(L, secret_check_assignment(name, value, vl));
}

/* cpol.secret_value(value) -> reason | nil: known token formats only.  [-1, +1, v] */
static int secret_value_call(lua_State *L)
{
    size_t vl;
    const char *value = luaL_checklstring(L, 1, &vl);
    return push_reason(L, secret_check_value(value, vl));
}

/* cpol.secret_path(path) -> reason | nil: a file that holds secrets (.env, id_rsa, *.pem...).
   [-1, +1, v] */
static int secret_path_call(lua_State *L)
{
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    if (strlen(path) != len)
        return push_reason(L, NULL);
    return push_reason(L, secret_check_path(path));
}

/* cpol.entropy(s) -> Shannon entropy in bits per byte.  [-1, +1, v] */
static int entropy_call(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_pushnumber(L, secret_entropy(s, len));
    return 1;
}

/*
 * cpol.glob(pattern, path) -> boolean.  [-2, +1, v]
 * Go filepath.Match plus "**" (util/glob.h): '*' and '?' stop at '/', "[a-z]" "[^x]" "[!x]"
 * classes, '\' escapes. A bad pattern is an error.
 */
static int glob_call(lua_State *L)
{
    size_t pl, sl;
    const char *pattern = luaL_checklstring(L, 1, &pl);
    const char *path = luaL_checklstring(L, 2, &sl);
    int r = strlen(pattern) == pl ? glob_match(pattern, path) : -1;
    if (r < 0)
        return luaL_argerror(L, 1, "bad glob pattern");
    lua_pushboolean(L, r == 1 && strlen(path) == sl);
    return 1;
}

/*
 * cpol.split(s, sep) -> list of strings.  [-2, +1, m]
 * Split on every occurrence of the plain string sep (no patterns): split("a,,b", ",") is
 * {"a", "", "b"}, split("", ",") is {""}. An empty separator is an error.
 */
static int split_call(lua_State *L)
{
    size_t sl, pl;
    const char *s = luaL_checklstring(L, 1, &sl);
    const char *sep = luaL_checklstring(L, 2, &pl);
    luaL_argcheck(L, pl > 0, 2, "empty separator");
    /* Knuth-Morris-Pratt keeps this linear for any separator; the table lives in a userdata so
       that a memory error leaves nothing behind. */
    size_t *fail = NULL;
    if (pl > 1) {
        luaL_argcheck(L, pl <= ((size_t)-1) / sizeof(size_t), 2, "separator too long");
        fail = lua_newuserdatauv(L, pl * sizeof(size_t), 0);
        fail[0] = 0;
        for (size_t i = 1, k = 0; i < pl; i++) {
            while (k > 0 && sep[i] != sep[k])
                k = fail[k - 1];
            if (sep[i] == sep[k])
                k++;
            fail[i] = k;
        }
    }
    lua_newtable(L);
    lua_Integer idx = 1;
    size_t start = 0, k = 0;
    for (size_t i = 0; i < sl; i++) {
        while (k > 0 && s[i] != sep[k])
            k = fail[k - 1];
        if (s[i] == sep[k])
            k++;
        if (k == pl) {
            size_t end = i + 1 - pl;
            lua_pushlstring(L, s + start, end - start);
            lua_rawseti(L, -2, idx++);
            start = i + 1;
            k = 0;
        }
    }
    lua_pushlstring(L, s + start, sl - start);
    lua_rawseti(L, -2, idx);
    return 1;
}

void helpers_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"image", image_call},
        {"parse_bytes", parse_bytes_call},
        {"parse_cpu", parse_cpu_call},
        {"secret", secret_call},
        {"secret_value", secret_value_call},
        {"secret_path", secret_path_call},
        {"entropy", entropy_call},
        {"glob", glob_call},
        {"split", split_call},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
