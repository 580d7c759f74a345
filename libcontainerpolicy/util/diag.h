/*
 * diag.h - diagnostics: input that could not be read or parsed, limits that were hit, rules that
 * failed. Parsers add to a sink; the report takes the list. Strings are copied (malloc).
 */
#ifndef CPOL_DIAG_H
#define CPOL_DIAG_H

#include <stddef.h>

typedef struct diag_entry {
    char *file;    /* may be NULL */
    unsigned int line, col;
    char *rule_id; /* NULL for input problems */
    char *message;
} diag_entry;

typedef struct diag_sink {
    diag_entry *v;
    size_t n, cap;
    int failed; /* out of memory while recording */
} diag_sink;

#define DIAG_SINK_INIT {NULL, 0, 0, 0}

void diag_add(diag_sink *d, const char *file, unsigned int line, unsigned int col,
              const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
void diag_add_rule(diag_sink *d, const char *rule_id, const char *file, unsigned int line,
                   unsigned int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
void diag_free(diag_sink *d);

#endif
