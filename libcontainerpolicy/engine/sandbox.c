/*
 * sandbox.c - the Lua state rules run in. One lua_State per engine with a capping allocator; each
 * rule gets its own _ENV built from an allow-list; chunks load as text only; the string metatable
 * points at a private copy of the string library whose pattern functions are ours (lpat.c), so
 * every pattern call has a step budget. Calls run with an instruction budget (count hook, re-armed
 * to fire on every instruction once exhausted, so pcall cannot swallow the abort) and a deadline.
 */
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "helpers.h"

#define HOOK_PERIOD 1000

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    cpol_engine *e = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        e->mem_used -= old;
        return NULL;
    }
    if (nsize > old && e->mem_used - old + nsize > e->mem_limit) {
        e->mem_hit = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p)
        e->mem_used = e->mem_used - old + nsize;
    return p;
}

static int time_after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

int sandbox_deadline_passed(cpol_engine *e)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return time_after(&now, &e->cur.deadline);
}

static int pattern_expired(void *ud)
{
    cpol_engine *e = ud;
    if (sandbox_deadline_passed(e)) {
        e->cur.abort = ABORT_DEADLINE;
        return 1;
    }
    return 0;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    cpol_engine *e = *(cpol_engine **)lua_getextraspace(L);
    if (e->cur.abort == ABORT_NONE) {
        e->cur.instructions += HOOK_PERIOD;
        if (e->cur.instructions > e->opts.lua_instructions + e->cur.extra_instructions)
            e->cur.abort = ABORT_INSTRUCTIONS;
        else if (sandbox_deadline_passed(e))
            e->cur.abort = ABORT_DEADLINE;
        else
            return;
        /* from now on fire on every instruction: a pcall in the rule cannot outlive the abort */
        lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    }
    luaL_error(L, "rule stopped");
}

void sandbox_arm(cpol_engine *e, int hooked)
{
    e->cur.instructions = 0;
    e->cur.abort = ABORT_NONE;
    e->cur.hooked = hooked;
    e->cur.nlogs = 0;
    e->mem_hit = 0;
    clock_gettime(CLOCK_MONOTONIC, &e->cur.deadline);
    unsigned long ms = e->opts.rule_timeout_ms + e->cur.extra_ms;
    e->cur.deadline.tv_sec += ms / 1000;
    e->cur.deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (e->cur.deadline.tv_nsec >= 1000000000L) {
        e->cur.deadline.tv_sec++;
        e->cur.deadline.tv_nsec -= 1000000000L;
    }
    if (hooked)
        lua_sethook(e->L, count_hook, LUA_MASKCOUNT, HOOK_PERIOD);
}

void sandbox_disarm(cpol_engine *e)
{
    lua_sethook(e->L, NULL, 0, 0);
}

int sandbox_pcall(cpol_engine *e, int nargs, int nresults, int hooked)
{
    sandbox_arm(e, hooked);
    int rc = lua_pcall(e->L, nargs, nresults, 0);
    sandbox_disarm(e);
    if (rc != LUA_OK && e->mem_hit && e->cur.abort == ABORT_NONE && rc == LUA_ERRMEM)
        e->cur.abort = ABORT_MEMORY;
    if (rc != LUA_OK && e->cur.abort != ABORT_NONE)
        lua_gc(e->L, LUA_GCCOLLECT);
    return rc;
}

const char *sandbox_abort_reason(cpol_engine *e, char *buf, size_t size)
{
    switch (e->cur.abort) {
    case ABORT_INSTRUCTIONS:
        snprintf(buf, size, "stopped: instruction budget of %lu exceeded",
                 e->opts.lua_instructions + e->cur.extra_instructions);
        return buf;
    case ABORT_DEADLINE:
        snprintf(buf, size, "stopped: time limit of %lu ms exceeded",
                 e->opts.rule_timeout_ms + e->cur.extra_ms);
        return buf;
    case ABORT_MEMORY:
        snprintf(buf, size, "stopped: Lua memory limit of %zu bytes exceeded", e->mem_limit);
        return buf;
    default: return NULL;
    }
}

/* Copy the fields of the global library `lib` into a new table, leaving out `omit` (NULL-ended). */
static void copy_lib(lua_State *L, const char *lib, const char *const *omit)
{
    lua_newtable(L);
    lua_getglobal(L, lib);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        int skip = 0;
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            for (const char *const *o = omit; o && *o; o++)
                if (strcmp(k, *o) == 0)
                    skip = 1;
        }
        if (skip) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -5);
    }
    lua_pop(L, 1);
}

/*
 * xpcall(f, handler, ...) with the handler called after the stack unwound. Stock xpcall runs the
 * handler at the point of the error; when that error comes from our count hook, Lua still has
 * hooks switched off there, so a looping handler could never be stopped.  [-(n), +r, e]
 */
static int safe_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checkany(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    for (int i = 3; i <= n; i++)
        lua_pushvalue(L, i);
    if (lua_pcall(L, n - 2, LUA_MULTRET, 0) == LUA_OK)
        return lua_gettop(L) - n;
    lua_pushboolean(L, 0);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -3);
    lua_call(L, 1, 1);
    return 2;
}

static const char *const string_omit[] = {"dump", NULL};
static const char *const math_omit[] = {"random", "randomseed", NULL};
static const char *const base_allow[] = {
    "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
    "select", "tonumber", "tostring", "type", "_VERSION", NULL};

/* A copy of the string library with our pattern functions. [-0, +1, m] */
static void push_string_lib(cpol_engine *e)
{
    copy_lib(e->L, "string", string_omit);
    lpat_register(e->L, &e->pat);
}

/*
 * cpol.log(...) -> nothing.  [-n, +0, e]
 * The arguments, converted as tostring does and joined by one space, go to the engine's log
 * callback (cpol_engine_set_log) with the rule and the input position being checked. A rule call
 * logs at most CPOL_LOG_MAX_LINES messages plus one that says the rest was dropped, so a rule
 * logging in a loop cannot flood --verbose output; long messages are cut at a UTF-8 boundary.
 */
static int cpol_log(lua_State *L)
{
    cpol_engine *e = *(cpol_engine **)lua_getextraspace(L);
    if (!e->log_fn || e->cur.nlogs > CPOL_LOG_MAX_LINES)
        return 0;
    const char *rule_id = e->cur.r ? e->cur.r->id : NULL;
    const char *file = e->cur.container ? e->cur.container->pos.file : NULL;
    unsigned line = e->cur.container && file ? e->cur.container->pos.line : 0;
    if (e->cur.nlogs++ == CPOL_LOG_MAX_LINES) {
        e->log_fn(e->log_ud, rule_id, file, line,
                  "log truncated: more than 100 messages in one call");
        return 0;
    }
    char msg[CPOL_LOG_MAX_MESSAGE + 1];
    size_t used = 0;
    int n = lua_gettop(L);
    for (int i = 1; i <= n && used < CPOL_LOG_MAX_MESSAGE; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1)
            msg[used++] = ' ';
        if (len > CPOL_LOG_MAX_MESSAGE - used) {
            len = CPOL_LOG_MAX_MESSAGE - used;
            while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
                len--; /* s[len] continues a character: cut before that character */
        }
        memcpy(msg + used, s, len);
        used += len;
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < used; i++)
        if (msg[i] == '\0')
            msg[i] = '?'; /* the callback gets a C string: a NUL would hide the rest */
    msg[used] = '\0';
    e->log_fn(e->log_ud, rule_id, file, line, msg);
    return 0;
}

/* cpol.option(name) -> the current rule's option value (config overrides defaults). [-1, +1, e] */
static int cpol_option(lua_State *L)
{
    cpol_engine *e = *(cpol_engine **)lua_getextraspace(L);
    const char *name = luaL_checkstring(L, 1);
    if (!e->cur.r || e->cur.r->options_ref == LUA_NOREF) {
        lua_pushnil(L);
        return 1;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->cur.r->options_ref);
    lua_getfield(L, -1, name);
    return 1;
}

void sandbox_new_env(cpol_engine *e)
{
    lua_State *L = e->L;
    lua_newtable(L);
    int env = lua_gettop(L);
    for (const char *const *b = base_allow; *b; b++) {
        lua_getglobal(L, *b);
        lua_setfield(L, env, *b);
    }
    view_set_base(L, env);
    lua_pushcfunction(L, safe_xpcall);
    lua_setfield(L, env, "xpcall");
    push_string_lib(e);
    lua_setfield(L, env, "string");
    copy_lib(L, "table", NULL);
    lua_setfield(L, env, "table");
    copy_lib(L, "math", math_omit);
    lua_setfield(L, env, "math");
    copy_lib(L, "utf8", NULL);
    lua_setfield(L, env, "utf8");
    lua_newtable(L);
    helpers_register(L);
    lua_pushcfunction(L, cpol_log);
    lua_setfield(L, -2, "log");
    lua_pushcfunction(L, cpol_option);
    lua_setfield(L, -2, "option");
    lua_pushinteger(L, CPOL_RULE_API_VERSION);
    lua_setfield(L, -2, "api");
    if (e->lib_ref != LUA_NOREF) {
        /* the built-in libraries' functions, copied so a rule that replaces one affects only
           itself */
        lua_rawgeti(L, LUA_REGISTRYINDEX, e->lib_ref);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -5);
        }
        lua_pop(L, 1);
    }
    lua_setfield(L, env, "cpol");
    lua_pushvalue(L, env);
    lua_setfield(L, env, "_G");
}

static int open_protected(lua_State *L)
{
    cpol_engine *e = lua_touserdata(L, 1);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 1);
    view_open(L);
    /* every string method goes through our budgeted copy; nobody can reach the original */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    push_string_lib(e);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    return 0;
}

int sandbox_open(cpol_engine *e)
{
    e->lib_ref = LUA_NOREF;
    e->L = lua_newstate(capped_alloc, e);
    if (!e->L)
        return CPOL_ENOMEM;
    *(cpol_engine **)lua_getextraspace(e->L) = e;
    e->pat.max_steps = e->opts.pattern_steps;
    e->pat.expired = pattern_expired;
    e->pat.ud = e;
    lua_pushcfunction(e->L, open_protected);
    lua_pushlightuserdata(e->L, e);
    if (lua_pcall(e->L, 1, 0, 0) != LUA_OK) {
        lua_close(e->L);
        e->L = NULL;
        return CPOL_ENOMEM;
    }
    return 0;
}

void sandbox_close(cpol_engine *e)
{
    if (e->L)
        lua_close(e->L);
    e->L = NULL;
}
