/* arena.c - region allocator (see arena.h). Blocks grow geometrically; big requests get their own. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

struct arena_block {
    arena_block *next;
    size_t size, off;
    max_align_t data[];
};

#define ARENA_MIN_BLOCK 8192
/* Blocks grow to this size. A scan keeps every model until its project rules ran, so a large
   scan holds tens of megabytes of them: at this size a block is aligned and offered to the
   kernel as a transparent huge page (Linux, madvise mode), one page fault per 2 MiB instead of
   one per 4 KiB (faults were 40% of a corpus scan's CPU time, most of it in the kernel). */
#define ARENA_MAX_BLOCK ((size_t)2 << 20)
#define ARENA_HUGE ((size_t)2 << 20)

/* A block of `total` bytes; huge-page aligned and advised when it is that big. */
static arena_block *block_alloc(size_t total)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (total >= ARENA_HUGE) {
        void *p = NULL;
        size_t rounded = (total + ARENA_HUGE - 1) & ~(ARENA_HUGE - 1);
        if (posix_memalign(&p, ARENA_HUGE, rounded) != 0)
            return NULL;
        madvise(p, rounded, MADV_HUGEPAGE); /* a hint: failure changes nothing */
        return p;
    }
#endif
    return malloc(total);
}

void arena_init(arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->failed = 0;
}

void arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->used = 0;
}

void *arena_alloc(arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    arena_block *b = a->head;
    if (!b || b->size - b->off < size) {
        size_t bs = b ? b->size * 2 : ARENA_MIN_BLOCK;
        if (bs > ARENA_MAX_BLOCK - sizeof(arena_block))
            bs = ARENA_MAX_BLOCK - sizeof(arena_block); /* header and data fill 2 MiB exactly */
        if (bs < size)
            bs = size;
        arena_block *nb = block_alloc(sizeof(arena_block) + bs);
        if (!nb) {
            a->failed = 1;
            return NULL;
        }
        nb->size = bs;
        nb->off = 0;
        if (b && bs == size && b->size - b->off >= ARENA_MIN_BLOCK / 4) {
            /* a large one-off: keep the current block in front for small requests */
            nb->next = b->next;
            b->next = nb;
            nb->off = size;
            a->used += size;
            memset(nb->data, 0, size);
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = (char *)b->data + b->off;
    b->off += size;
    a->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *arena_grow(arena *a, void *old, size_t old_count, size_t new_cap, size_t elem)
{
    if (new_cap && elem > SIZE_MAX / new_cap) {
        a->failed = 1;
        return NULL;
    }
    void *p = arena_alloc(a, new_cap * elem);
    if (!p)
        return NULL;
    if (old && old_count)
        memcpy(p, old, old_count * elem);
    return p;
}
