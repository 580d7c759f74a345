/*
 * view.c - the model as rules see it: read-only Lua tables, built lazily as rules read them. Each
 * map or list node becomes an empty proxy whose metatable's __index is a "real" table (the VM
 * follows a table __index without a C call, so a second read of a field is as cheap as a plain
 * table read). The real table starts empty; its own metatable (one per run, shared) fills a field
 * from the node on its first read. Writes raise an error naming the rule. Positions: `pos` =
 * {file, line, col} on every table written somewhere, and `field_pos[key]` for scalar children
 * (so a rule can point at `privileged: true`, not just at the container); the filler serves both
 * without storing them in the real table, so pairs() never yields them.
 *
 * Why lazy: rules read a small part of each model (a Dockerfile's build context lists every file
 * of its folder; the project rules read a few fields of every container), and building the whole
 * tree with a position table per scalar was most of the time of a scan (docs/performance.md).
 *
 * A view is valid for one run (one file, or the project): the nodes behind it live in the scan's
 * arena. A rule that keeps a table past its run gets an error when it reads an unread field, not a
 * read of freed memory: every run has a generation, checked on each fill.
 */
#include <lauxlib.h>
#include <string.h>

#include "engine.h"

/* Addresses used as keys: cache[&k_meta] is the shared metatable of real tables of this run,
   cache[&k_len] / cache[&k_pairs] the closures over this cache, cache[&k_gen] its generation,
   and the registry's [&k_gen] the engine's current generation. */
static const char k_meta = 0, k_len = 0, k_pairs = 0, k_gen = 0;

/* Keys of the cache for a node's pos and field_pos tables: inside the node, so never another
   node's address. */
#define POS_KEY(n) ((const void *)((const char *)(n) + 1))
#define FIELD_POS_KEY(n) ((const void *)((const char *)(n) + 2))

/* __newindex of every proxy: refuse.  [-3, +0, e] */
static int ro_newindex(lua_State *L)
{
    cpol_engine *e = *(cpol_engine **)lua_getextraspace(L);
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return luaL_error(L, "rule %s tried to modify the model (field '%s'); the model is read-only",
                      e->cur.r ? e->cur.r->id : "?", key);
}

static void push_real(lua_State *L, int idx)
{
    lua_getmetatable(L, idx);
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
}

/* Raise unless the cache at index `cache` belongs to the current run. */
static void check_live(lua_State *L, int cache)
{
    lua_rawgetp(L, cache, &k_gen);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &k_gen);
    int live = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (!live)
        luaL_error(L, "a model table was kept from an earlier run of the rules; it cannot be read");
}

/* The node behind the real table at idx, or NULL for tables that are not lazy (pos tables). */
static const node *node_of(lua_State *L, int cache, int idx)
{
    lua_pushvalue(L, idx);
    lua_rawget(L, cache);
    const node *n = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return n;
}

static int is_table_node(const node *n) { return n->type == N_MAP || n->type == N_LIST; }

/* Wrap the table at the top of the stack in a read-only proxy; leaves the proxy there. Proxies of
   model tables get __len/__pairs closures that see the whole node; pos tables are complete. */
static void make_proxy(lua_State *L, int cache, int lazy)
{
    lua_createtable(L, 0, 0); /* proxy */
    lua_createtable(L, 0, 5); /* metatable */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    if (lazy) {
        lua_rawgetp(L, cache, &k_len);
        lua_setfield(L, -2, "__len");
        lua_rawgetp(L, cache, &k_pairs);
        lua_setfield(L, -2, "__pairs");
    }
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

/* __len of pos tables: they have no list part.  [-1, +1, -] */
static int pos_len(lua_State *L)
{
    lua_pushinteger(L, 0);
    return 1;
}

/* __pairs of pos tables: iterate the (complete) real table.  [-1, +3, -] */
static int pos_pairs(lua_State *L)
{
    lua_getglobal(L, "next");
    push_real(L, 1);
    lua_pushnil(L);
    return 3;
}

static void push_pos(lua_State *L, int cache, cpos p)
{
    lua_createtable(L, 0, 3);
    if (p.file) {
        lua_pushstring(L, p.file);
        lua_setfield(L, -2, "file");
    }
    lua_pushinteger(L, p.line);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, p.col);
    lua_setfield(L, -2, "col");
    make_proxy(L, cache, 0);
    lua_getmetatable(L, -1);
    lua_pushcfunction(L, pos_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, pos_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pop(L, 1);
}

static void push_node(lua_State *L, const node *n, int cache);

/* The child of n at stack key idx, or NULL. Maps: the last entry of that name, as a table built
   in order would hold. Lists: 1-based integer keys. */
static const node *child_at(lua_State *L, const node *n, int idx)
{
    if (n->type == N_MAP) {
        if (lua_type(L, idx) != LUA_TSTRING)
            return NULL;
        const char *k = lua_tostring(L, idx);
        for (size_t i = n->u.map.n; i-- > 0;)
            if (strcmp(n->u.map.kv[i].key, k) == 0)
                return n->u.map.kv[i].val;
        return NULL;
    }
    if (lua_type(L, idx) != LUA_TNUMBER)
        return NULL;
    int ok = 0;
    lua_Integer i = lua_tointegerx(L, idx, &ok);
    if (!ok || i < 1 || (lua_Unsigned)i > n->u.list.n)
        return NULL;
    return n->u.list.v[i - 1];
}

/* The field_pos table of n (positions of its scalar children), or nil when none has one. */
static void push_field_pos(lua_State *L, const node *n, int cache)
{
    if (lua_rawgetp(L, cache, FIELD_POS_KEY(n)) != LUA_TNIL)
        return;
    lua_pop(L, 1);
    size_t count = n->type == N_MAP ? n->u.map.n : n->u.list.n;
    int any = 0;
    for (size_t i = 0; i < count && !any; i++) {
        const node *c = n->type == N_MAP ? n->u.map.kv[i].val : n->u.list.v[i];
        any = !is_table_node(c) && c->pos.line;
    }
    if (!any) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 0);
    for (size_t i = 0; i < count; i++) {
        const node *c = n->type == N_MAP ? n->u.map.kv[i].val : n->u.list.v[i];
        if (is_table_node(c) || !c->pos.line)
            continue;
        push_pos(L, cache, c->pos);
        if (n->type == N_MAP)
            lua_setfield(L, -2, n->u.map.kv[i].key);
        else
            lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    make_proxy(L, cache, 0);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, cache, FIELD_POS_KEY(n));
}

/* __index of real tables (upvalue 1: the run's cache): the first read of a field builds its view
   and stores it in the real table, so later reads never come here. `pos` and `field_pos` are
   served from the cache.  [-2, +1, e] */
static int lazy_index(lua_State *L)
{
    int cache = lua_upvalueindex(1);
    check_live(L, cache);
    const node *n = node_of(L, cache, 1);
    if (!n) {
        lua_pushnil(L);
        return 1;
    }
    const node *c = child_at(L, n, 2);
    if (c) {
        push_node(L, c, cache);
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
        return 1;
    }
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, 2);
        if (strcmp(k, "pos") == 0 && n->pos.line) {
            if (lua_rawgetp(L, cache, POS_KEY(n)) == LUA_TNIL) {
                lua_pop(L, 1);
                push_pos(L, cache, n->pos);
                lua_pushvalue(L, -1);
                lua_rawsetp(L, cache, POS_KEY(n));
            }
            return 1;
        }
        if (strcmp(k, "field_pos") == 0) {
            push_field_pos(L, n, cache);
            return 1;
        }
    }
    lua_pushnil(L);
    return 1;
}

/* __len of model proxies (upvalue 1: the cache): the node's length, read or not.  [-1, +1, e] */
static int lazy_len(lua_State *L)
{
    int cache = lua_upvalueindex(1);
    check_live(L, cache);
    push_real(L, 1);
    const node *n = node_of(L, cache, lua_gettop(L));
    lua_pushinteger(L, n && n->type == N_LIST ? (lua_Integer)n->u.list.n : 0);
    return 1;
}

/* __pairs of model proxies (upvalue 1: the cache): complete the real table, then iterate it
   (its children are proxies themselves).  [-1, +3, e] */
static int lazy_pairs(lua_State *L)
{
    int cache = lua_upvalueindex(1);
    check_live(L, cache);
    lua_getglobal(L, "next");
    push_real(L, 1);
    int real = lua_gettop(L);
    const node *n = node_of(L, cache, real);
    size_t count = !n ? 0 : n->type == N_MAP ? n->u.map.n : n->u.list.n;
    luaL_checkstack(L, 8, "model too deep");
    for (size_t i = 0; i < count; i++) {
        /* an entry already read holds its view; a duplicate key gets the last value, as a read
           does */
        if (n->type == N_MAP)
            lua_pushstring(L, n->u.map.kv[i].key);
        else
            lua_pushinteger(L, (lua_Integer)i + 1);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, real) != LUA_TNIL) {
            lua_pop(L, 2);
            continue;
        }
        lua_pop(L, 1);
        push_node(L, child_at(L, n, -1), cache);
        lua_rawset(L, real);
    }
    lua_pushnil(L);
    return 3;
}

/* Per run: the shared metatable of real tables and the closures over this cache. */
static void setup_run(lua_State *L, int cache)
{
    if (lua_rawgetp(L, cache, &k_meta) != LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &k_gen) != LUA_TNUMBER) {
        lua_pop(L, 1);
        lua_pushinteger(L, 1);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &k_gen);
    }
    lua_rawsetp(L, cache, &k_gen);
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, cache);
    lua_pushcclosure(L, lazy_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, cache, &k_meta);
    lua_pushvalue(L, cache);
    lua_pushcclosure(L, lazy_len, 1);
    lua_rawsetp(L, cache, &k_len);
    lua_pushvalue(L, cache);
    lua_pushcclosure(L, lazy_pairs, 1);
    lua_rawsetp(L, cache, &k_pairs);
}

static void push_node(lua_State *L, const node *n, int cache)
{
    switch (n->type) {
    case N_BOOL: lua_pushboolean(L, n->u.b); return;
    case N_INT: lua_pushinteger(L, (lua_Integer)n->u.i); return;
    case N_NUM: lua_pushnumber(L, n->u.d); return;
    case N_STR: lua_pushlstring(L, n->u.s.s, n->u.s.len); return;
    default: break;
    }
    if (lua_rawgetp(L, cache, n) != LUA_TNIL)
        return;
    lua_pop(L, 1);
    luaL_checkstack(L, 8, "model too deep");
    size_t count = n->type == N_MAP ? n->u.map.n : n->u.list.n;
    /* sized as the complete table will be, so filling it never rehashes */
    lua_createtable(L, n->type == N_LIST ? (int)count : 0, n->type == N_MAP ? (int)count : 0);
    int real = lua_gettop(L);
    lua_rawgetp(L, cache, &k_meta);
    lua_setmetatable(L, real);
    lua_pushvalue(L, real);
    lua_pushlightuserdata(L, (void *)n);
    lua_rawset(L, cache); /* real -> node, for the filler */
    lua_pushvalue(L, real);
    make_proxy(L, cache, 1);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, cache, n);
    lua_remove(L, real); /* leave the proxy */
}

void view_push(cpol_engine *e, const node *n, int cache)
{
    lua_State *L = e->L;
    cache = lua_absindex(L, cache);
    setup_run(L, cache);
    push_node(L, n, cache);
}

void view_retire(cpol_engine *e)
{
    lua_State *L = e->L;
    /* the key exists once a view was made, so this store allocates nothing (no error possible
       outside a protected call) */
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &k_gen) == LUA_TNUMBER) {
        lua_Integer g = lua_tointeger(L, -1);
        lua_pop(L, 1);
        lua_pushinteger(L, g + 1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &k_gen);
    } else
        lua_pop(L, 1);
}
