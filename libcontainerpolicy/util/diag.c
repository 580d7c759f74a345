/* diag.c - diagnostics sink (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void vadd(diag_sink *d, const char *rule_id, const char *file, unsigned int line,
                 unsigned int col, const char *fmt, va_list ap)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        diag_entry *v = realloc(d->v, cap * sizeof *v);
        if (!v) {
            d->failed = 1;
            return;
        }
        d->v = v;
        d->cap = cap;
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    diag_entry *e = &d->v[d->n];
    e->file = dup(file);
    e->line = line;
    e->col = col;
    e->rule_id = dup(rule_id);
    e->message = dup(msg);
    if (!e->message || (file && !e->file) || (rule_id && !e->rule_id)) {
        free(e->file);
        free(e->rule_id);
        free(e->message);
        d->failed = 1;
        return;
    }
    d->n++;
}

void diag_add(diag_sink *d, const char *file, unsigned int line, unsigned int col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, NULL, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_add_rule(diag_sink *d, const char *rule_id, const char *file, unsigned int line,
                   unsigned int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(d, rule_id, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_free(diag_sink *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].rule_id);
        free(d->v[i].message);
    }
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}
