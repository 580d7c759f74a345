/*
 * context.c - build-context listing (see context.h). Walks with openat/fstatat relative to open
 * directory descriptors, never following links and never opening anything but directories and the
 * .dockerignore, so symlink loops and FIFOs cannot make it hang.
 */
#include "context.h"

#include "glob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONTEXT_MAX_DEPTH 128
#define CONTEXT_MAX_IGNORE (1u << 20) /* bytes of .dockerignore read; Docker has no real limit */

typedef struct walker {
    const dockerignore *di;
    int prune; /* no '!' rules: an excluded directory holds nothing included */
    size_t max;
    context_list *out;
    size_t cap;
    char *rel;
    size_t rlen, rcap;
    int stop, oom;
} walker;

static char *errmsg(const char *what, const char *dir, int err)
{
    char eb[128];
    if (strerror_r(err, eb, sizeof eb) != 0)
        snprintf(eb, sizeof eb, "error %d", err);
    size_t n = strlen(what) + strlen(dir) + strlen(eb) + 8;
    char *m = malloc(n);
    if (m)
        snprintf(m, n, "%s %s: %s", what, dir, eb);
    return m;
}

static int rel_push(walker *w, const char *name)
{
    size_t nl = strlen(name);
    size_t need = w->rlen + nl + 2;
    if (need > w->rcap) {
        size_t nc = w->rcap ? w->rcap : 256;
        while (nc < need)
            nc *= 2;
        char *p = realloc(w->rel, nc);
        if (!p)
            return -1;
        w->rel = p;
        w->rcap = nc;
    }
    if (w->rlen > 0)
        w->rel[w->rlen++] = '/';
    memcpy(w->rel + w->rlen, name, nl + 1);
    w->rlen += nl;
    return 0;
}

static void add_file(walker *w)
{
    context_list *l = w->out;
    if (l->n >= w->max) {
        l->truncated = 1;
        w->stop = 1;
        return;
    }
    if (l->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        char **p = realloc(l->paths, nc * sizeof *p);
        if (!p) {
            w->oom = w->stop = 1;
            return;
        }
        l->paths = p;
        w->cap = nc;
    }
    char *s = malloc(w->rlen + 1);
    if (!s) {
        w->oom = w->stop = 1;
        return;
    }
    memcpy(s, w->rel, w->rlen + 1);
    l->paths[l->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries sort by name (after their kind byte). */
static int cmp_entry(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* Walk the directory open at fd (taken over and closed here). */
enum { KIND_UNKNOWN = 1, KIND_DIR, KIND_FILE, KIND_LINK, KIND_OTHER };

/* What readdir says an entry is, without following links; KIND_UNKNOWN when it does not say. */
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

static void walk_dir(walker *w, int fd, int depth)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || strcmp(nm, ".git") == 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **p = realloc(names, nc * sizeof *p);
            if (!p)
                goto oom;
            names = p;
            cap = nc;
        }
        /* the entry's type (readdir's d_type, as lstat would say; 0 when the file system does
           not tell) rides in front of its name: a stat per entry was a third of the system
           calls of a scan */
        size_t len = strlen(nm);
        char *e = malloc(len + 2);
        if (!e)
            goto oom;
        e[0] = (char)entry_kind(de);
        memcpy(e + 1, nm, len + 1);
        names[n++] = e;
    }
    if (n > 1) /* qsort(NULL, 0, ...) is undefined: an empty folder has no array */
        qsort(names, n, sizeof *names, cmp_entry);
    for (size_t i = 0; i < n && !w->stop; i++) {
        size_t saved = w->rlen;
        const char *name = names[i] + 1;
        int kind = names[i][0];
        struct stat st;
        if (rel_push(w, name) < 0)
            goto oom;
        if (kind == KIND_UNKNOWN)
            kind = fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0 ? KIND_OTHER
                   : S_ISDIR(st.st_mode)                               ? KIND_DIR
                   : S_ISREG(st.st_mode)                               ? KIND_FILE
                   : S_ISLNK(st.st_mode)                               ? KIND_LINK
                                                                       : KIND_OTHER;
        if (kind == KIND_DIR) {
            if (!(w->prune && dockerignore_excluded(w->di, w->rel))) {
                if (depth >= CONTEXT_MAX_DEPTH) {
                    w->out->truncated = 1;
                } else {
                    int sub = openat(dirfd(d), name,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                    if (sub >= 0)
                        walk_dir(w, sub, depth + 1);
                }
            }
        } else if (kind == KIND_FILE || kind == KIND_LINK) {
            if (!dockerignore_excluded(w->di, w->rel))
                add_file(w);
        }
        w->rlen = saved;
        if (w->rel)
            w->rel[saved] = '\0';
    }
    goto done;
oom:
    w->oom = w->stop = 1;
done:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
}

/* Read root/.dockerignore when it is a regular file. Returns NULL when absent or unreadable. */
static dockerignore *read_ignore(int root, int *present, int *oom)
{
    struct stat st;
    *present = fstatat(root, ".dockerignore", &st, 0) == 0 && S_ISREG(st.st_mode);
    if (!*present)
        return NULL;
    int fd = openat(root, ".dockerignore", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { /* swapped since fstatat */
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size < CONTEXT_MAX_IGNORE ? (size_t)st.st_size + 1 : CONTEXT_MAX_IGNORE;
    char *text = malloc(cap);
    size_t len = 0;
    if (!text) {
        close(fd);
        *oom = 1;
        return NULL;
    }
    while (len < cap) {
        ssize_t r = read(fd, text + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    dockerignore *di = dockerignore_parse(text, len);
    free(text);
    if (!di)
        *oom = 1;
    return di;
}

int context_list_files(const char *dir, size_t max_files, context_list *out)
{
    memset(out, 0, sizeof *out);
    if (!dir) {
        out->error = errmsg("cannot open", "(null)", EINVAL);
        return -1;
    }
    int root = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    if (root < 0) {
        out->error = errmsg("cannot open", dir, errno);
        return -1;
    }
    int oom = 0;
    dockerignore *di = read_ignore(root, &out->has_dockerignore, &oom);
    if (oom) {
        close(root);
        return -1;
    }
    walker w;
    memset(&w, 0, sizeof w);
    w.di = di;
    w.prune = !dockerignore_has_exceptions(di);
    w.max = max_files;
    w.out = out;
    walk_dir(&w, root, 0);
    free(w.rel);
    dockerignore_free(di);
    if (w.oom) {
        context_list_free(out);
        return -1;
    }
    if (out->n > 1)
        qsort(out->paths, out->n, sizeof *out->paths, cmp_str);
    return 0;
}

void context_list_free(context_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    free(l->error);
    memset(l, 0, sizeof *l);
}
