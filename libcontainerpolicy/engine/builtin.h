/* builtin.h - the built-in rules, embedded at build time by scripts/embed-rules.cmake. */
#ifndef CPOL_BUILTIN_H
#define CPOL_BUILTIN_H

#include <stddef.h>

typedef struct builtin_rule {
    const char *name;   /* file name, e.g. "CP001-root-user.lua" */
    const char *source; /* NUL-terminated Lua text */
    size_t len;
} builtin_rule;

extern const builtin_rule builtin_rules[];
extern const size_t builtin_rule_count;

#endif
