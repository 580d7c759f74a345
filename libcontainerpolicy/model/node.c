/* node.c - the model tree (see node.h). Everything lives in the document's arena. */
#include "node.h"

#include <string.h>

static node *mk(arena *a, node_type t, cpos pos)
{
    node *n = arena_alloc(a, sizeof *n);
    if (n) {
        n->type = (unsigned char)t;
        n->pos = pos;
    }
    return n;
}

node *node_map(arena *a, cpos pos) { return mk(a, N_MAP, pos); }
node *node_list(arena *a, cpos pos) { return mk(a, N_LIST, pos); }

node *node_str(arena *a, const char *s, size_t len, cpos pos)
{
    node *n = mk(a, N_STR, pos);
    if (n) {
        n->u.s.s = arena_strndup(a, s ? s : "", s ? len : 0);
        n->u.s.len = s ? len : 0;
        if (!n->u.s.s)
            return NULL;
    }
    return n;
}

node *node_strz(arena *a, const char *s, cpos pos) { return node_str(a, s, s ? strlen(s) : 0, pos); }

node *node_int(arena *a, long long v, cpos pos)
{
    node *n = mk(a, N_INT, pos);
    if (n)
        n->u.i = v;
    return n;
}

node *node_num(arena *a, double v, cpos pos)
{
    node *n = mk(a, N_NUM, pos);
    if (n)
        n->u.d = v;
    return n;
}

node *node_bool(arena *a, int v, cpos pos)
{
    node *n = mk(a, N_BOOL, pos);
    if (n)
        n->u.b = v != 0;
    return n;
}

void node_set(arena *a, node *map, const char *key, node *val)
{
    if (!map || map->type != N_MAP || !key)
        return;
    for (size_t i = 0; i < map->u.map.n; i++) {
        if (strcmp(map->u.map.kv[i].key, key) == 0) {
            if (val) {
                map->u.map.kv[i].val = val;
            } else {
                memmove(&map->u.map.kv[i], &map->u.map.kv[i + 1],
                        (map->u.map.n - i - 1) * sizeof(node_kv));
                map->u.map.n--;
            }
            return;
        }
    }
    if (!val)
        return;
    if (map->u.map.n == map->u.map.cap) {
        size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 8;
        node_kv *kv = arena_grow(a, map->u.map.kv, map->u.map.n, cap, sizeof(node_kv));
        if (!kv)
            return;
        map->u.map.kv = kv;
        map->u.map.cap = cap;
    }
    map->u.map.kv[map->u.map.n].key = key;
    map->u.map.kv[map->u.map.n].val = val;
    map->u.map.n++;
}

node *node_get(const node *map, const char *key)
{
    if (!map || map->type != N_MAP)
        return NULL;
    for (size_t i = 0; i < map->u.map.n; i++)
        if (strcmp(map->u.map.kv[i].key, key) == 0)
            return map->u.map.kv[i].val;
    return NULL;
}

void node_push(arena *a, node *list, node *val)
{
    if (!list || list->type != N_LIST || !val)
        return;
    if (list->u.list.n == list->u.list.cap) {
        size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
        node **v = arena_grow(a, list->u.list.v, list->u.list.n, cap, sizeof(node *));
        if (!v)
            return;
        list->u.list.v = v;
        list->u.list.cap = cap;
    }
    list->u.list.v[list->u.list.n++] = val;
}

node *node_set_map(arena *a, node *map, const char *key, cpos pos)
{
    node *n = node_map(a, pos);
    node_set(a, map, key, n);
    return n;
}

node *node_set_list(arena *a, node *map, const char *key, cpos pos)
{
    node *n = node_list(a, pos);
    node_set(a, map, key, n);
    return n;
}

node *node_set_str(arena *a, node *map, const char *key, const char *s, cpos pos)
{
    node *n = node_strz(a, s, pos);
    node_set(a, map, key, n);
    return n;
}

node *node_set_strn(arena *a, node *map, const char *key, const char *s, size_t len, cpos pos)
{
    node *n = node_str(a, s, len, pos);
    node_set(a, map, key, n);
    return n;
}

node *node_set_int(arena *a, node *map, const char *key, long long v, cpos pos)
{
    node *n = node_int(a, v, pos);
    node_set(a, map, key, n);
    return n;
}

node *node_set_bool(arena *a, node *map, const char *key, int v, cpos pos)
{
    node *n = node_bool(a, v, pos);
    node_set(a, map, key, n);
    return n;
}

const char *node_get_str(const node *map, const char *key)
{
    node *n = node_get(map, key);
    return n && n->type == N_STR ? n->u.s.s : NULL;
}

int node_get_bool(const node *map, const char *key, int dflt)
{
    node *n = node_get(map, key);
    return n && n->type == N_BOOL ? n->u.b : dflt;
}

long long node_get_int(const node *map, const char *key, long long dflt)
{
    node *n = node_get(map, key);
    return n && n->type == N_INT ? n->u.i : dflt;
}
