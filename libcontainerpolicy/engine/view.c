/*
 * view.c - the model as rules see it: read-only views of the C nodes, made on demand. A map or
 * list node reaches Lua as a small userdata (the node's address and the run it belongs to) whose
 * metatable, one per engine, answers `t.key`, `t[i]`, `#t` and `pairs(t)` from the node itself.
 * The sandbox's `type`, `next`, `rawget`, `rawlen` and `ipairs` know these views, so to a rule they are
 * tables: `type(t) == "table"`, `next(t) == nil` for an empty one, and they print as "table: 0x..".
 * Writes raise an error naming the rule. Positions: `pos` = {file, line, col} of every table
 * written somewhere, and `field_pos[key]` for scalar children (so a rule can point at
 * `privileged: true`, not just at the container); both are views too, and pairs() never yields
 * them.
 *
 * Why not Lua tables: rules read a small part of each model, about twice per field read, and
 * building tables (a proxy, its metatable and the real table per node, a table per position) cost
 * more than the rules' own work (docs/performance.md). A view costs one allocation when first
 * reached; a read costs one C call and a scan of the node's keys.
 *
 * A view is valid for one run (one file, or the project): the nodes behind it live in the scan's
 * arena. Every view carries its run's generation and every access checks it, so a rule that keeps
 * a table past its run gets an error, not a read of freed memory. Views reached twice in a run are
 * the same value (a per-run cache keyed by node), so identity and table keys behave as on tables.
 */
#include <lauxlib.h>
#include <string.h>

#include "engine.h"

enum { V_NODE, V_POS, V_FIELD_POS };

typedef struct vobj {
    const node *n;     /* V_NODE: a map or list; V_POS: the node whose pos this is; V_FIELD_POS:
                          the map or list whose scalar children's positions these are */
    unsigned long gen; /* the run it was made in (cpol_engine.view_gen) */
    unsigned char kind;
} vobj;

/* Registry key of the shared metatable. */
static const char k_meta = 0;

/* Cache keys for a node's pos and field_pos views: inside the node, so never another node's
   address. */
#define POS_KEY(n) ((const void *)((const char *)(n) + 1))
#define FIELD_POS_KEY(n) ((const void *)((const char *)(n) + 2))

static cpol_engine *engine_of(lua_State *L) { return *(cpol_engine **)lua_getextraspace(L); }

static int is_table_node(const node *n) { return n->type == N_MAP || n->type == N_LIST; }

/* The view at idx (the first argument of a metamethod is always one), checked to be live. */
static vobj *live(lua_State *L, int idx)
{
    vobj *v = lua_touserdata(L, idx);
    if (v->gen != engine_of(L)->view_gen)
        luaL_error(L, "a model table was kept from an earlier run of the rules; it cannot be read");
    return v;
}

/* The value at idx as a view, or NULL when it is anything else. */
static vobj *as_view(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return NULL;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &k_meta);
    int ours = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return ours ? lua_touserdata(L, idx) : NULL;
}

/*
 * Push the view of kind over n, from the run's cache (the table at stack index cache) or new.
 * The view keeps the cache as its user value, so views it hands out join the same cache.
 */
static void push_view(lua_State *L, const node *n, int kind, int cache)
{
    const void *key = kind == V_NODE ? (const void *)n : kind == V_POS ? POS_KEY(n)
                                                                      : FIELD_POS_KEY(n);
    if (lua_rawgetp(L, cache, key) != LUA_TNIL)
        return;
    lua_pop(L, 1);
    vobj *v = lua_newuserdatauv(L, sizeof *v, 1);
    v->n = n;
    v->gen = engine_of(L)->view_gen;
    v->kind = (unsigned char)kind;
    lua_pushvalue(L, cache);
    lua_setiuservalue(L, -2, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &k_meta);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, cache, key);
}

/* Push a child value of the view at index 1: for V_NODE scalars as Lua values and tables as
   views; for V_POS the child's position. */
static void push_child(lua_State *L, const node *c, int kind)
{
    switch (kind == V_NODE ? c->type : N_MAP) {
    case N_BOOL: lua_pushboolean(L, c->u.b); return;
    case N_INT: lua_pushinteger(L, (lua_Integer)c->u.i); return;
    case N_NUM: lua_pushnumber(L, c->u.d); return;
    case N_STR: lua_pushlstring(L, c->u.s.s, c->u.s.len); return;
    default: break;
    }
    lua_getiuservalue(L, 1, 1);
    int cache = lua_gettop(L);
    push_view(L, c, kind, cache);
    lua_remove(L, cache);
}

/* The string at idx when it is a string without NULs (a node key cannot hold one), else NULL. */
static const char *key_string(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TSTRING)
        return NULL;
    size_t len;
    const char *k = lua_tolstring(L, idx, &len);
    return strlen(k) == len ? k : NULL;
}

/* Index of the child of n named by the key at idx, or -1. Maps: by name (node_set keeps names
   unique); lists: 1-based integer keys. */
static long child_index(lua_State *L, const node *n, int idx)
{
    if (n->type == N_MAP) {
        const char *k = key_string(L, idx);
        if (!k)
            return -1;
        for (size_t i = 0; i < n->u.map.n; i++)
            if (n->u.map.kv[i].key[0] == k[0] && strcmp(n->u.map.kv[i].key, k) == 0)
                return (long)i;
        return -1;
    }
    if (n->type != N_LIST || lua_type(L, idx) != LUA_TNUMBER)
        return -1;
    int ok = 0;
    lua_Integer i = lua_tointegerx(L, idx, &ok);
    if (!ok || i < 1 || (lua_Unsigned)i > n->u.list.n)
        return -1;
    return (long)(i - 1);
}

static size_t child_count(const node *n)
{
    return n->type == N_MAP ? n->u.map.n : n->type == N_LIST ? n->u.list.n : 0;
}

static const node *child(const node *n, size_t i)
{
    return n->type == N_MAP ? n->u.map.kv[i].val : n->u.list.v[i];
}

/* Does the map/list n have a scalar child with a position? Only then is there a field_pos. */
static int has_field_pos(const node *n)
{
    for (size_t i = 0, cnt = child_count(n); i < cnt; i++) {
        const node *c = child(n, i);
        if (!is_table_node(c) && c->pos.line)
            return 1;
    }
    return 0;
}

/* Entry i of a field_pos view exists when child i is a scalar with a position. */
static int field_pos_has(const node *n, size_t i)
{
    const node *c = child(n, i);
    return !is_table_node(c) && c->pos.line;
}

static const char *const pos_keys[] = {"file", "line", "col"};

/* Push field k (0 file, 1 line, 2 col) of a position; 0 when it has none (no file). */
static int push_pos_field(lua_State *L, cpos p, int k)
{
    if (k == 0) {
        if (!p.file)
            return 0;
        lua_pushstring(L, p.file);
    } else
        lua_pushinteger(L, k == 1 ? p.line : p.col);
    return 1;
}

/* t[key] for a view, without metamethods of the key. Leaves one value.  [-0, +1, e] */
static void view_get(lua_State *L, vobj *v, int key)
{
    const node *n = v->n;
    if (v->kind == V_POS) {
        const char *k = key_string(L, key);
        for (int i = 0; k && i < 3; i++)
            if (strcmp(k, pos_keys[i]) == 0 && push_pos_field(L, n->pos, i))
                return;
        lua_pushnil(L);
        return;
    }
    long i = child_index(L, n, key);
    if (v->kind == V_FIELD_POS) {
        if (i >= 0 && field_pos_has(n, (size_t)i))
            push_child(L, child(n, (size_t)i), V_POS);
        else
            lua_pushnil(L);
        return;
    }
    if (i >= 0) {
        push_child(L, child(n, (size_t)i), V_NODE);
        return;
    }
    const char *k = key_string(L, key);
    if (k && strcmp(k, "pos") == 0 && n->pos.line) {
        lua_getiuservalue(L, 1, 1);
        push_view(L, n, V_POS, lua_gettop(L));
        lua_remove(L, -2);
    } else if (k && strcmp(k, "field_pos") == 0 && has_field_pos(n)) {
        lua_getiuservalue(L, 1, 1);
        push_view(L, n, V_FIELD_POS, lua_gettop(L));
        lua_remove(L, -2);
    } else
        lua_pushnil(L);
}

/* __index.  [-2, +1, e] */
static int v_index(lua_State *L)
{
    view_get(L, live(L, 1), 2);
    return 1;
}

/* __newindex: refuse.  [-3, +0, e] */
static int v_newindex(lua_State *L)
{
    cpol_engine *e = engine_of(L);
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return luaL_error(L, "rule %s tried to modify the model (field '%s'); the model is read-only",
                      e->cur.r ? e->cur.r->id : "?", key);
}

static lua_Integer view_len(vobj *v)
{
    return v->kind == V_NODE && v->n->type == N_LIST ? (lua_Integer)v->n->u.list.n : 0;
}

/* __len: a list's length; 0 for maps and positions.  [-1, +1, e] */
static int v_len(lua_State *L)
{
    lua_pushinteger(L, view_len(live(L, 1)));
    return 1;
}

/*
 * The entry of view v at or after position i (0-based over the node's children, or over
 * file/line/col for a position): pushes key and value and returns the position after it, or
 * pushes nothing and returns 0 at the end.  [-0, +(0|2), e]
 */
static size_t push_entry_from(lua_State *L, vobj *v, size_t i)
{
    const node *n = v->n;
    if (v->kind == V_POS) {
        for (; i < 3; i++) {
            lua_pushstring(L, pos_keys[i]);
            if (push_pos_field(L, n->pos, (int)i))
                return i + 1;
            lua_pop(L, 1);
        }
        return 0;
    }
    for (size_t cnt = child_count(n); i < cnt; i++) {
        if (v->kind == V_FIELD_POS && !field_pos_has(n, i))
            continue;
        if (n->type == N_MAP)
            lua_pushstring(L, n->u.map.kv[i].key);
        else
            lua_pushinteger(L, (lua_Integer)i + 1);
        push_child(L, child(n, i), v->kind == V_FIELD_POS ? V_POS : V_NODE);
        return i + 1;
    }
    return 0;
}

/* The iterator pairs() returns (upvalue 1: the position to go on from), in the node's order.
   [-2, +(1|2), e] */
static int v_iter(lua_State *L)
{
    vobj *v = live(L, 1);
    size_t next = push_entry_from(L, v, (size_t)lua_tointeger(L, lua_upvalueindex(1)));
    if (!next) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, (lua_Integer)next);
    lua_replace(L, lua_upvalueindex(1));
    return 2;
}

/* __pairs.  [-1, +3, e] */
static int v_pairs(lua_State *L)
{
    live(L, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, v_iter, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* next(view, key) as on a table: the position after the key's entry.  [-2, +(1|2), e] */
static int view_next(lua_State *L, vobj *v)
{
    size_t from = 0;
    if (!lua_isnoneornil(L, 2)) {
        long i = -1;
        if (v->kind == V_POS) {
            const char *k = key_string(L, 2);
            for (int j = 0; k && j < 3; j++)
                if (strcmp(k, pos_keys[j]) == 0)
                    i = j;
        } else
            i = child_index(L, v->n, 2);
        if (i < 0)
            return luaL_error(L, "invalid key to 'next'");
        from = (size_t)i + 1;
    }
    if (!push_entry_from(L, v, from)) {
        lua_pushnil(L);
        return 1;
    }
    return 2;
}

/* ---- the sandbox's base functions that must know views --------------------------------- */

/* type(v): "table" for views.  [-1, +1, -] */
static int base_type(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_pushstring(L, as_view(L, 1) ? "table" : luaL_typename(L, 1));
    return 1;
}

/* next(t [, k]).  [-2, +(1|2), e] */
static int base_next(lua_State *L)
{
    vobj *v = as_view(L, 1);
    if (v) {
        live(L, 1);
        return view_next(L, v);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_next(L, 1))
        return 2;
    lua_pushnil(L);
    return 1;
}

/* rawget(t, k): a view has no metamethods to bypass, so it reads as t[k].  [-2, +1, e] */
static int base_rawget(lua_State *L)
{
    vobj *v = as_view(L, 1);
    luaL_checkany(L, 2);
    if (v) {
        live(L, 1);
        view_get(L, v, 2);
        return 1;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

/* rawlen(t).  [-1, +1, e] */
static int base_rawlen(lua_State *L)
{
    vobj *v = as_view(L, 1);
    if (v) {
        lua_pushinteger(L, view_len(live(L, 1)));
        return 1;
    }
    int t = lua_type(L, 1);
    luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    return 1;
}

/* The iterator ipairs returns for a view: the next item straight from the list node, without
   the VM's index metamethod round trip per item.  [-2, +(1|2), e] */
static int view_ipairs_step(lua_State *L)
{
    vobj *v = live(L, 1);
    lua_Integer i = luaL_checkinteger(L, 2) + 1;
    if (v->kind != V_NODE || v->n->type != N_LIST || i < 1 || (lua_Unsigned)i > v->n->u.list.n) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, i);
    push_child(L, v->n->u.list.v[i - 1], V_NODE);
    return 2;
}

/* ipairs(t) (upvalue 1: the base library's iterator, for everything but views).  [-1, +3, e] */
static int base_ipairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (!as_view(L, 1))
        lua_pushvalue(L, lua_upvalueindex(1));
    else {
        live(L, 1);
        lua_pushcfunction(L, view_ipairs_step);
    }
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

void view_open(lua_State *L)
{
    lua_createtable(L, 0, 6);
    lua_pushcfunction(L, v_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, v_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, v_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, v_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "table"); /* how tostring, error messages and %s name a view */
    lua_setfield(L, -2, "__name");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &k_meta);
}

void view_set_base(lua_State *L, int env)
{
    static const luaL_Reg fns[] = {{"type", base_type},     {"next", base_next},
                                   {"rawget", base_rawget}, {"rawlen", base_rawlen},
                                   {NULL, NULL}};
    env = lua_absindex(L, env);
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, env, f->name);
    }
    lua_getglobal(L, "ipairs"); /* its iterator: the first result of ipairs({}) */
    lua_createtable(L, 0, 0);
    lua_call(L, 1, 1);
    lua_pushcclosure(L, base_ipairs, 1);
    lua_setfield(L, env, "ipairs");
}

void view_push(cpol_engine *e, const node *n, int cache)
{
    lua_State *L = e->L;
    cache = lua_absindex(L, cache);
    if (is_table_node(n))
        push_view(L, n, V_NODE, cache);
    else
        lua_pushnil(L);
}

int view_position(lua_State *L, int idx, int field, cpos *out)
{
    vobj *v = as_view(L, idx);
    if (!v)
        return 0;
    if (v->gen != engine_of(L)->view_gen)
        return luaL_error(L, "a model table was kept from an earlier run of the rules; it "
                             "cannot be read");
    const node *n = v->n;
    memset(out, 0, sizeof *out);
    if (v->kind == V_NODE && field) {
        long i = child_index(L, n, field);
        if (i >= 0 && field_pos_has(n, (size_t)i)) {
            *out = child(n, (size_t)i)->pos;
            return 1;
        }
    }
    if (n->pos.line)
        *out = n->pos;
    return 1;
}

void view_retire(cpol_engine *e)
{
    e->view_gen++;
}
