/*
 * node.h - the container-config model as a positioned tree.
 *
 * Every parser writes the same model (docs/model.md) as a tree of nodes in the document's arena:
 * maps with string keys, lists, and scalars. Each node carries the position where its value was
 * written (pos.line == 0 means "derived, not written anywhere"). A key that is absent from a map
 * is "not set"; a bool node holding 0 is "set to false". The engine turns the tree into read-only
 * Lua tables (engine/view.c); output/model_json.c prints it for `cpol model`.
 */
#ifndef CPOL_NODE_H
#define CPOL_NODE_H

#include <stddef.h>

#include "../util/arena.h"

typedef struct cpos {
    const char *file; /* the path as given to the scan; shared, not owned */
    unsigned int line, col; /* 1-based; 0 = no position */
} cpos;

typedef enum node_type {
    N_BOOL = 1,
    N_INT,
    N_NUM,
    N_STR,
    N_LIST,
    N_MAP
} node_type;

typedef struct node node;
typedef struct node_kv {
    const char *key; /* not copied: a literal or a string in the same arena */
    node *val;
} node_kv;

struct node {
    unsigned char type;
    cpos pos;
    union {
        int b;
        long long i;
        double d;
        struct {
            const char *s; /* NUL-terminated; may also contain NULs within len */
            size_t len;
        } s;
        struct {
            node **v;
            size_t n, cap;
        } list;
        struct {
            node_kv *kv;
            size_t n, cap;
        } map;
    } u;
};

/* Constructors. Strings are copied into the arena. NULL when out of memory. */
node *node_map(arena *a, cpos pos);
node *node_list(arena *a, cpos pos);
node *node_str(arena *a, const char *s, size_t len, cpos pos);
node *node_strz(arena *a, const char *s, cpos pos);
node *node_int(arena *a, long long v, cpos pos);
node *node_num(arena *a, double v, cpos pos);
node *node_bool(arena *a, int v, cpos pos);

/* Maps keep insertion order. node_set replaces an existing key; val NULL removes it. */
void node_set(arena *a, node *map, const char *key, node *val);
node *node_get(const node *map, const char *key);
/* Lists. */
void node_push(arena *a, node *list, node *val);

/* Shorthands that create and set in one step; they return the new child (or NULL). */
node *node_set_map(arena *a, node *map, const char *key, cpos pos);
node *node_set_list(arena *a, node *map, const char *key, cpos pos);
node *node_set_str(arena *a, node *map, const char *key, const char *s, cpos pos);
node *node_set_strn(arena *a, node *map, const char *key, const char *s, size_t len, cpos pos);
node *node_set_int(arena *a, node *map, const char *key, long long v, cpos pos);
node *node_set_bool(arena *a, node *map, const char *key, int v, cpos pos);

/* Readers for code that consumes the tree (link/, tests). NULL/default when absent or mistyped. */
const char *node_get_str(const node *map, const char *key);
int node_get_bool(const node *map, const char *key, int dflt);
long long node_get_int(const node *map, const char *key, long long dflt);

static inline cpos cpos_make(const char *file, unsigned int line, unsigned int col)
{
    cpos p;
    p.file = file;
    p.line = line;
    p.col = col;
    return p;
}

#endif
