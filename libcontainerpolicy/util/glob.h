/*
 * glob.h - path globs for rules (cpol.glob) and .dockerignore, which the build-context lister
 * (util/context.c) applies and rule CP006 consults for `COPY . .`.
 */
#ifndef CPOL_GLOB_H
#define CPOL_GLOB_H

#include <stddef.h>

/* Longest pattern accepted (bytes); longer ones are bad patterns. Paths longer than GLOB_MAX_PATH
   never match: no real path is that long, and the bound keeps matching O(pattern * path). */
#define GLOB_MAX_PATTERN 1024
#define GLOB_MAX_PATH 65536

/*
 * Match path against pattern with Go filepath.Match semantics: '*' is any run of characters other
 * than '/', '?' one character other than '/', "[...]" a class of code points with ranges "a-z",
 * negated by a leading '^' or '!', '\' quotes the next character (also inside a class). Plus
 * Docker's "**": "**" followed by '/' (or by more pattern) matches zero or more whole leading
 * segments, a trailing "**" matches anything. UTF-8 is matched by code point.
 * @return 1 match, 0 no match, -1 bad pattern (unterminated or empty class, reversed range,
 *         trailing '\', longer than GLOB_MAX_PATTERN).
 */
int glob_match(const char *pattern, const char *path);

/*
 * .dockerignore, as the Docker CLI and BuildKit read it: a line whose first byte is '#' is a
 * comment, other lines are trimmed, blank ones skipped; a leading '!' makes an exception; the
 * pattern is cleaned like Go's filepath.Clean and a leading '/' dropped. A path is excluded when the
 * last rule that matches it, or one of its parent directories, is not an exception. Inside
 * .dockerignore a class is negated by '^' only ('!' is a member), as in Docker. Bad patterns (which
 * make Docker refuse the build) are kept but never match.
 */
typedef struct dockerignore dockerignore; /* opaque, malloc'd */

/* Parse the file text (any bytes; a UTF-8 BOM is skipped). NULL only when out of memory.
   Free with dockerignore_free(). */
dockerignore *dockerignore_parse(const char *text, size_t len);
/* 1 when relpath ('/'-separated, relative to the context root; cleaned here) is excluded, else 0.
   A NULL di excludes nothing. */
int dockerignore_excluded(const dockerignore *di, const char *relpath);
/* 1 when some rule is an exception ('!'), so an excluded directory may still hold included files. */
int dockerignore_has_exceptions(const dockerignore *di);
/* Number of rules kept (comments and blank lines are not rules). */
size_t dockerignore_rule_count(const dockerignore *di);
void dockerignore_free(dockerignore *di);

#endif
