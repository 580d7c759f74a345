/*
 * compose_int.h - private to parse/compose*.c. Compose merges YAML trees from several places (an
 * extended service, the override file, later documents of the stream) before anything is read
 * from them, so the parser works on a merged tree (cv) whose every node remembers the file it
 * came from; yv nodes carry only line and column.
 */
#ifndef CPOL_COMPOSE_INT_H
#define CPOL_COMPOSE_INT_H

#include "yaml.h"

typedef struct cv cv;
typedef struct cv_pair {
    const yv *key;    /* a scalar; may be made up (build: "dir" becomes {context: "dir"}) */
    const char *file; /* of the key */
    cv *val;          /* NULL: a list item turned into a key with no value (networks: [a]) */
} cv_pair;

/* A merged value: y says where it was written (position, style, tag, scalar text); children are
   in u, never read from y. Trees are never changed once built: merges copy what they change. */
struct cv {
    const yv *y;
    const char *file;
    unsigned char kind; /* yv_kind */
    union {
        struct {
            cv **v;
            size_t n;
        } seq;
        struct {
            cv_pair *v;
            size_t n;
        } map;
    } u;
};

/* The tree of y, each node tagged with file. NULL when out of memory. */
cv *cv_from_yv(arena *a, const yv *y, const char *file);

/* The value of key in map; NULL when absent, when map is not a map, or when the value is tagged
   !reset (compose removes those). */
cv *cv_get(const cv *map, const char *key);
/* 1 when v is tagged !reset (items and values so tagged count as not written). */
int cv_is_reset(const cv *v);

/*
 * Merge `over` onto `base` as compose merges files (the compose spec's merge rules, with the
 * special cases of compose-go's override package): maps merged key by key, sequences appended
 * (ports, volumes, secrets, configs, cap_add, environment, labels, ... without duplicates of
 * their unique key, the later entry taking the earlier one's place), command/entrypoint/
 * healthcheck.test/ulimits replaced, `!reset` removing the key, `!override` replacing it.
 * path[0..depth) are the keys above both values ("services", "web"), which select the rules.
 * drop_extends: leave out base's `extends` at service level (for resolving `extends`).
 * Mismatched kinds are reported at over's position and over wins. Returns a new tree (sharing
 * unchanged subtrees), or over/base when the other is NULL.
 */
cv *cv_merge(parse_ctx *ctx, const cv *base, const cv *over, const char **path, size_t depth,
             int drop_extends);

#endif
