/*
 * json_pos.h - positions of JSON values. jansson gives none, so the OCI parser first runs this
 * one-pass indexer over the same text: it records where every value starts (line, column in
 * characters, as jansson counts them) and enforces our nesting limit before jansson sees the text.
 *
 * The index is a tree of entries (entry 0 is the top value); children of a container are linked
 * in order, object members carry their key as written (escapes not yet decoded). jpos_child()
 * looks a member up by its decoded name, so "\u0075id" finds "uid" as jansson does.
 */
#ifndef CPOL_JSON_POS_H
#define CPOL_JSON_POS_H

#include <stddef.h>

#define JPOS_NONE ((unsigned int)-1)

typedef struct jpos_entry {
    unsigned int line, col;          /* first character of the value; 1-based */
    unsigned int key_line, key_col;  /* the member's key, for object members (else 0) */
    size_t off, len;                 /* the value's bytes in the text */
    size_t key_off, key_len;         /* the key between its quotes, as written */
    unsigned int parent, first_child, last_child, next; /* JPOS_NONE when absent */
    unsigned int nchildren;
    char type;                       /* '{' '[' '"' '0' (number) 't' 'f' 'n' */
    char is_member;                  /* 1 when the value belongs to an object key */
} jpos_entry;

typedef struct jpos_index {
    jpos_entry *v; /* malloc'd; jpos_free() */
    size_t n, cap;
} jpos_index;

enum { JPOS_OK = 0, JPOS_SYNTAX = -1, JPOS_TOO_DEEP = -2, JPOS_NOMEM = -3 };

/*
 * Index text[0..len). max_depth bounds the nesting of arrays and objects (the top value is depth
 * 1). On JPOS_TOO_DEEP or JPOS_SYNTAX, *line and *col say where (the bracket that went too deep,
 * or the first character the indexer could not read); the caller lets jansson word syntax errors.
 */
int jpos_build(const char *text, size_t len, unsigned int max_depth, jpos_index *ix,
               unsigned int *line, unsigned int *col);
void jpos_free(jpos_index *ix);

/* The member `key` of object entry `obj`, the i-th item of array entry `arr`; JPOS_NONE when
   absent. */
unsigned int jpos_child(const jpos_index *ix, const char *text, unsigned int obj, const char *key);
unsigned int jpos_item(const jpos_index *ix, unsigned int arr, size_t i);

#endif
