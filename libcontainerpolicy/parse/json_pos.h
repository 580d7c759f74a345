/*
 * json_pos.h - our JSON reader: one validating pass over the text builds an index of every value
 * with its position (line, column in characters), so the OCI parser needs no other JSON library.
 * It accepts exactly RFC 8259 JSON (UTF-8, no byte order mark, no duplicate object keys).
 *
 * The index is a tree of entries (entry 0 is the top value); children of a container are linked
 * in order, object members carry their key as written (escapes not yet decoded). Strings are
 * decoded only when asked (jpos_string); jpos_child() looks a member up by its decoded name, so
 * "\u0075id" finds "uid". Numbers stay text; the caller reads them.
 */
#ifndef CPOL_JSON_POS_H
#define CPOL_JSON_POS_H

#include <stddef.h>

#include "../util/arena.h"

#define JPOS_NONE ((unsigned int)-1)

typedef struct jpos_entry {
    unsigned int line, col;          /* first character of the value; 1-based */
    unsigned int key_line, key_col;  /* the member's key (its opening quote), for members */
    size_t off, len;                 /* the value's bytes in the text (strings with quotes) */
    size_t key_off, key_len;         /* the key between its quotes, as written */
    unsigned int parent, first_child, last_child, next; /* JPOS_NONE when absent */
    unsigned int nchildren;
    char type;                       /* '{' '[' '"' '0' (number) 't' 'f' 'n' */
    char is_member;                  /* 1 when the value belongs to an object key */
    char esc;                        /* a string value with backslash escapes */
    char key_esc;                    /* a key with backslash escapes */
} jpos_entry;

typedef struct jpos_index {
    jpos_entry *v; /* malloc'd; jpos_free() */
    size_t n, cap;
} jpos_index;

/* Where the text stops being JSON, and why (our words, without an "invalid JSON: " prefix). */
typedef struct jpos_error {
    unsigned int line, col;
    char msg[192];
} jpos_error;

enum { JPOS_OK = 0, JPOS_SYNTAX = -1, JPOS_TOO_DEEP = -2, JPOS_NOMEM = -3 };

/*
 * Read and index text[0..len). max_depth bounds the nesting of arrays and objects (the top value
 * is depth 1). Any value may be the top one. On failure, err says where and why: the first problem
 * in the text (a duplicate key counts at its second occurrence; JPOS_TOO_DEEP at the bracket that
 * went too deep). The index is freed on failure.
 */
int jpos_build(const char *text, size_t len, unsigned int max_depth, jpos_index *ix,
               jpos_error *err);
void jpos_free(jpos_index *ix);

/* The member `key` of object entry `obj`, the i-th item of array entry `arr`; JPOS_NONE when
   absent. */
unsigned int jpos_child(const jpos_index *ix, const char *text, unsigned int obj, const char *key);
unsigned int jpos_item(const jpos_index *ix, unsigned int arr, size_t i);

/* The decoded value of string entry e, NUL-terminated in the arena (NULL when out of memory);
   *len is its length. Decoded strings never hold NUL bytes: the reader rejects \u0000. */
char *jpos_string(arena *a, const char *text, const jpos_entry *e, size_t *len);

#endif
