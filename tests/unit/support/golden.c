/*
 * golden.c - what every golden-data test needs: read and write files, list case folders,
 * compare a result with its expected file (or rewrite it under CPOL_UPDATE_GOLDEN=1).
 */
#include "golden.h"
#include "model/dump.h"

#include <dirent.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

char *golden_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = BUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(&b, tmp, n);
    fclose(f);
    if (!b.data)
        buf_put(&b, "", 0);
    *len = b.len;
    return buf_take(&b);
}

int golden_write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(s, f);
    return fclose(f);
}

char *golden_diag_text(const diag_sink *d)
{
    buf b = BUF_INIT;
    buf_put(&b, "", 0);
    for (size_t i = 0; i < d->n; i++)
        buf_printf(&b, "%u:%u %s\n", d->v[i].line, d->v[i].col, d->v[i].message);
    return buf_take(&b);
}

int golden_cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

void golden_compare(const char *path, const char *got, int update, int *failures)
{
    size_t len;
    char *want = golden_read_file(path, &len);
    if (update) {
        if (got)
            golden_write_file(path, got);
        else if (want)
            remove(path);
    } else if (!got && want) {
        print_error("%s: expected this file's content, got nothing\n", path);
        (*failures)++;
    } else if (got && (!want || strcmp(want, got) != 0)) {
        print_error("%s differs; got:\n%s\n", path, got);
        (*failures)++;
    }
    free(want);
}

size_t golden_list(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], golden_cmp_names);
    return n;
}

int golden_updating(void)
{
    const char *upd = getenv("CPOL_UPDATE_GOLDEN");
    return upd && strcmp(upd, "1") == 0;
}

void golden_expect(const char *dir, const char *name, const node *project, char *errs, int update,
                   int *failures)
{
    char *model = NULL;
    if (project) {
        buf b = BUF_INIT;
        model_dump_json(&b, project, 1);
        buf_putc(&b, '\n');
        model = buf_take(&b);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/expected.model", dir, name);
    golden_compare(path, model, update, failures);
    snprintf(path, sizeof path, "%s/%s/expected.error", dir, name);
    golden_compare(path, errs, update, failures);
    free(model);
    free(errs);
}

size_t golden_split_tsv(char *line, char **cols, size_t max)
{
    size_t n = 0;
    for (char *p = line; p && n < max;) {
        cols[n++] = p;
        char *tab = strchr(p, '\t');
        if (tab)
            *tab = '\0';
        p = tab ? tab + 1 : NULL;
    }
    return n;
}
