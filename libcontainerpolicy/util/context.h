/*
 * context.h - list the files of a Docker build context, minus what its .dockerignore excludes. This
 * does I/O: the API layer calls it after parsing a Dockerfile (parsers never do), and rule CP006
 * reads the list to see which secret files `COPY . .` would take in.
 */
#ifndef CPOL_CONTEXT_H
#define CPOL_CONTEXT_H

#include <stddef.h>

typedef struct context_list {
    char **paths;         /* context-relative, '/'-separated, sorted by byte value */
    size_t n;
    int truncated;        /* more than max_files files (or a tree deeper than 128 levels) */
    int has_dockerignore; /* dir/.dockerignore is a regular file (it was read) */
    char *error;          /* why dir could not be read, else NULL */
} context_list;

/*
 * Walk dir recursively with lstat: regular files and symbolic links are listed (links are not
 * followed, so loops cannot happen), FIFOs, sockets and devices are skipped and never opened, and
 * ".git" entries are skipped. Paths excluded by dir/.dockerignore are left out; an excluded
 * directory is not entered unless the .dockerignore has '!' exceptions. At most max_files paths are
 * kept (in walk order, each directory's entries sorted); beyond that truncated is set.
 * Subdirectories that cannot be read are skipped silently.
 * @param out  zeroed, then filled; free it with context_list_free() in every case.
 * @return 0, or -1 with out->error set (malloc'd) when dir cannot be read, or -1 with out->error
 *         NULL when out of memory.
 */
int context_list_files(const char *dir, size_t max_files, context_list *out);
/* Free everything in l and zero it. Accepts NULL and zeroed lists. */
void context_list_free(context_list *l);

#endif
