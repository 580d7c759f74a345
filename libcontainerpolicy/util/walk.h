/*
 * walk.h - reading input files and walking folders safely: no following of directory symlinks
 * (no loops), FIFOs and devices never opened, a depth limit, entries sorted for stable output.
 */
#ifndef CPOL_WALK_H
#define CPOL_WALK_H

#include <stddef.h>

typedef struct walk_list {
    char **paths;
    size_t n, cap;
    char **problems; /* "path: reason" for entries that could not be read */
    size_t nproblems, cap_problems;
} walk_list;

/* Collect the regular files (and symlinks to regular files) under dir, sorted, depth-first.
   `want` decides by name which files to keep (NULL: all). Returns 0 or -1 (out of memory). */
int walk_dir(const char *dir, int (*want)(const char *path, void *ud), void *ud, walk_list *out);
void walk_list_free(walk_list *l);

/* Read a whole regular file. Returns 0 and a malloc'd buffer (NUL-terminated) or -1 with a
   reason in why ("no such file or directory", "not a regular file", "larger than N bytes"). */
int read_file(const char *path, size_t max_size, char **data, size_t *len, char *why, size_t whylen);

#endif
