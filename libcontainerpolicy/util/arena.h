/*
 * arena.h - region allocator. Every document's nodes and strings live in one arena and die
 * together, so parsers never pair malloc with free per field.
 */
#ifndef CPOL_ARENA_H
#define CPOL_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head;
    size_t used;   /* bytes handed out, for statistics */
    int failed;    /* set once an allocation failed; callers may check at the end */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
/* Zeroed memory aligned for any type, or NULL (and a->failed set) when out of memory. */
void *arena_alloc(arena *a, size_t size);
/* Copy of s[0..len) with a terminating NUL. */
char *arena_strndup(arena *a, const char *s, size_t len);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Grow an array held in the arena: returns a copy with room for new_cap elements. */
void *arena_grow(arena *a, void *old, size_t old_count, size_t new_cap, size_t elem);

#endif
