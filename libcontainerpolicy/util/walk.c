/* walk.c - folder walking and file reading for scans (see walk.h). */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WALK_MAX_DEPTH 64

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] != '/';
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (slash)
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

static int push(char ***v, size_t *n, size_t *cap, char *s)
{
    if (!s)
        return -1;
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        char **nv = realloc(*v, c * sizeof *nv);
        if (!nv) {
            free(s);
            return -1;
        }
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = s;
    return 0;
}

static void problem(walk_list *l, const char *path, const char *why)
{
    size_t len = strlen(path) + strlen(why) + 3;
    char *s = malloc(len);
    if (!s)
        return;
    snprintf(s, len, "%s: %s", path, why);
    push(&l->problems, &l->nproblems, &l->cap_problems, s);
}

enum { KIND_UNKNOWN = 1, KIND_DIR, KIND_FILE, KIND_LINK, KIND_OTHER };

/* What readdir says an entry is, as lstat would; KIND_UNKNOWN when the file system does not say. */
static int entry_kind(const struct dirent *de)
{
#ifdef DT_DIR
    switch (de->d_type) {
    case DT_DIR: return KIND_DIR;
    case DT_REG: return KIND_FILE;
    case DT_LNK: return KIND_LINK;
    case DT_UNKNOWN: return KIND_UNKNOWN;
    default: return KIND_OTHER;
    }
#else
    (void)de;
    return KIND_UNKNOWN;
#endif
}

/* Entries sort by name (after their kind byte). */
static int cmp_entry(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static int walk(const char *dir, int depth, int (*want)(const char *, void *), void *ud,
                walk_list *out)
{
    if (depth > WALK_MAX_DEPTH) {
        problem(out, dir, "folder nesting deeper than 64 levels; not walked further");
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        problem(out, dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    int rc = 0;
    while ((ent = readdir(d))) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0 ||
            strcmp(ent->d_name, ".git") == 0)
            continue;
        /* the entry's type from readdir rides in front of its name: a stat of every entry was a
           third of a scan's system calls; only file systems that do not tell need one */
        size_t len = strlen(ent->d_name) + 1;
        char *s = malloc(len + 1);
        if (s) {
            s[0] = (char)entry_kind(ent);
            memcpy(s + 1, ent->d_name, len);
        }
        if (push(&names, &n, &cap, s)) {
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_entry);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = join(dir, names[i] + 1);
        if (!path) {
            rc = -1;
            break;
        }
        struct stat st;
        int kind = names[i][0];
        if (kind == KIND_UNKNOWN) {
            if (lstat(path, &st) != 0) {
                problem(out, path, strerror(errno));
                free(path);
                continue;
            }
            kind = S_ISDIR(st.st_mode)   ? KIND_DIR
                   : S_ISREG(st.st_mode) ? KIND_FILE
                   : S_ISLNK(st.st_mode) ? KIND_LINK
                                         : KIND_OTHER;
        }
        if (kind == KIND_DIR) {
            rc = walk(path, depth + 1, want, ud, out);
            free(path);
            continue;
        }
        if (kind == KIND_LINK) {
            /* follow links to files only: a link to a folder could make a loop */
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
                free(path);
                continue;
            }
            kind = KIND_FILE;
        }
        if (kind != KIND_FILE || (want && !want(path, ud))) {
            free(path);
            continue;
        }
        if (push(&out->paths, &out->n, &out->cap, path))
            rc = -1;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int walk_dir(const char *dir, int (*want)(const char *path, void *ud), void *ud, walk_list *out)
{
    return walk(dir, 0, want, ud, out);
}

void walk_list_free(walk_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    for (size_t i = 0; i < l->nproblems; i++)
        free(l->problems[i]);
    free(l->paths);
    free(l->problems);
    memset(l, 0, sizeof *l);
}

int read_file(const char *path, size_t max_size, char **data, size_t *len, char *why, size_t whylen)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "cannot read: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "%s", S_ISDIR(st.st_mode) ? "is a folder" : "not a regular file");
        close(fd);
        return -1;
    }
    if ((size_t)st.st_size > max_size) {
        snprintf(why, whylen, "file is %lld bytes, larger than the limit of %zu bytes",
                 (long long)st.st_size, max_size);
        close(fd);
        return -1;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(why, whylen, "out of memory");
        close(fd);
        return -1;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max_size + 1) {
                free(buf);
                close(fd);
                snprintf(why, whylen, "file grew larger than the limit of %zu bytes", max_size);
                return -1;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                close(fd);
                snprintf(why, whylen, "out of memory");
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            snprintf(why, whylen, "cannot read: %s", strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
