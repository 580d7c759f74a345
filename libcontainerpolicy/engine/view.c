/*
 * view.c - the model as rules see it: read-only Lua tables built once per document. Each map or
 * list node becomes an empty proxy whose metatable's __index is the real table (the VM follows a
 * table __index without a C call, so reads stay cheap); writes raise an error naming the rule.
 * Positions: `pos` = {file, line, col} on every table written somewhere, and `field_pos[key]` for
 * scalar children (so a rule can point at `privileged: true`, not just at the container). Both
 * are read through the real table's metatable, so pairs() never yields them.
 */
#include <lauxlib.h>

#include "engine.h"

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

/* __len: the real table's length.  [-1, +1, -] */
static int ro_len(lua_State *L)
{
    push_real(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

/* __pairs: iterate the real table (whose children are proxies themselves).  [-1, +3, -] */
static int ro_pairs(lua_State *L)
{
    lua_getglobal(L, "next");
    push_real(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Wrap the table at the top of the stack in a proxy; leaves the proxy there. */
static void make_proxy(lua_State *L)
{
    lua_createtable(L, 0, 0); /* proxy */
    lua_createtable(L, 0, 5); /* metatable */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, ro_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, ro_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

static void push_pos(lua_State *L, cpos p)
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
    make_proxy(L);
}

static int is_table_node(const node *n) { return n->type == N_MAP || n->type == N_LIST; }

void view_push(cpol_engine *e, const node *n, int cache)
{
    lua_State *L = e->L;
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
    lua_createtable(L, n->type == N_LIST ? (int)count : 0, n->type == N_MAP ? (int)count + 1 : 1);
    int real = lua_gettop(L);
    lua_pushvalue(L, real);
    make_proxy(L); /* the proxy reads through to `real`, filled below */
    lua_pushvalue(L, -1);
    lua_rawsetp(L, cache, n);
    int with_pos = 0;
    for (size_t i = 0; i < count; i++) {
        const node *c = n->type == N_MAP ? n->u.map.kv[i].val : n->u.list.v[i];
        view_push(e, c, cache);
        if (n->type == N_MAP)
            lua_setfield(L, real, n->u.map.kv[i].key);
        else
            lua_rawseti(L, real, (lua_Integer)i + 1);
        if (!is_table_node(c) && c->pos.line)
            with_pos = 1;
    }
    /* pos and field_pos live in a metatable of the real table (its __index), not in the table:
       a read finds them, but pairs() over a map of labels or options yields only the data. */
    if (!n->pos.line && !with_pos) {
        lua_remove(L, real);
        return;
    }
    lua_createtable(L, 0, 3);
    int meta = lua_gettop(L);
    lua_pushvalue(L, meta);
    lua_setfield(L, meta, "__index");
    if (n->pos.line) {
        push_pos(L, n->pos);
        lua_setfield(L, meta, "pos");
    }
    if (with_pos) {
        lua_createtable(L, 0, 0);
        for (size_t i = 0; i < count; i++) {
            const node *c = n->type == N_MAP ? n->u.map.kv[i].val : n->u.list.v[i];
            if (is_table_node(c) || !c->pos.line)
                continue;
            push_pos(L, c->pos);
            if (n->type == N_MAP)
                lua_setfield(L, -2, n->u.map.kv[i].key);
            else
                lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        make_proxy(L);
        lua_setfield(L, meta, "field_pos");
    }
    lua_setmetatable(L, real);
    lua_remove(L, real); /* leave the proxy */
}
