/*
 * rulestest.c - `cpol rules test [DIR...]`: runs every rule's examples. For each
 * <ID>-<name>.examples folder beside the rules, every input under good/ must give no finding of
 * rule ID, and every input under bad/ must give exactly the findings its `expect:` comment lines
 * state (`# expect: CP001 4` or `# expect: CP001 4:7`; for formats without comments, a sidecar
 * file `<input>.expect` with lines `CP001 4`). Files that match no input format are context files
 * (a .env beside a Dockerfile) and are not run. Built-in and custom rules use the same runner.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "containerpolicy.h"
#include "cli.h"

typedef struct expect {
    unsigned line, col; /* col 0 = any */
    int seen;
} expect;

typedef struct tally {
    int passed, failed;
    int verbose;
} tally;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
        if (n + 1 >= cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            } else
                b = nb;
        }
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = n;
    }
    return b;
}

/* Collect `expect: ID L[:C]` markers for rule id from text. */
static size_t parse_expects(const char *text, const char *id, expect *out, size_t max)
{
    size_t n = 0, idlen = strlen(id);
    const char *p = text;
    while ((p = strstr(p, "expect:")) != NULL) {
        p += 7;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, id, idlen) != 0 || (p[idlen] != ' ' && p[idlen] != '\t'))
            continue;
        p += idlen;
        unsigned line = 0, col = 0;
        char *end;
        line = (unsigned)strtoul(p, &end, 10);
        if (end != p && *end == ':')
            col = (unsigned)strtoul(end + 1, &end, 10);
        p = end;
        if (line && n < max) {
            out[n].line = line;
            out[n].col = col;
            out[n].seen = 0;
            n++;
        }
    }
    return n;
}

static void run_example(cpol_engine *e, const char *path, const char *id, int bad, tally *t)
{
    size_t len = 0;
    char *text = slurp(path, &len);
    if (!text) {
        printf("FAIL %s %s: cannot read\n", id, path);
        t->failed++;
        return;
    }
    if (cpol_detect_format(path, text, len) == CPOL_FORMAT_AUTO) {
        free(text);
        return; /* a context file */
    }
    expect ex[64];
    size_t nex = parse_expects(text, id, ex, 64);
    free(text);
    char side[4200];
    snprintf(side, sizeof side, "%s.expect", path);
    char *sidecar = slurp(side, &len);
    if (sidecar) {
        /* sidecar lines are "CP001 4": reuse the marker parser */
        char *buf = malloc(strlen(sidecar) * 2 + 16);
        if (buf) {
            char *o = buf;
            for (char *line = strtok(sidecar, "\n"); line; line = strtok(NULL, "\n"))
                o += sprintf(o, "expect: %s\n", line);
            *o = '\0';
            nex += parse_expects(buf, id, ex + nex, 64 - nex);
            free(buf);
        }
        free(sidecar);
    }
    const char *paths[1] = {path};
    cpol_report *r = NULL;
    if (cpol_engine_scan_paths(e, paths, 1, &r) != 0) {
        printf("FAIL %s %s: scan failed: %s\n", id, path, cpol_engine_last_error(e));
        t->failed++;
        return;
    }
    char got[1024] = "";
    int ok = 1;
    for (size_t i = 0; i < cpol_report_count(r); i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (strcmp(f->rule_id, id) != 0)
            continue;
        size_t gl = strlen(got);
        snprintf(got + gl, sizeof got - gl, "%s%u:%u", gl ? ", " : "", f->line, f->column);
        int matched = 0;
        for (size_t k = 0; k < nex; k++)
            if (!ex[k].seen && ex[k].line == f->line && (!ex[k].col || ex[k].col == f->column)) {
                ex[k].seen = matched = 1;
                break;
            }
        if (!matched)
            ok = 0;
    }
    for (size_t k = 0; k < nex; k++)
        if (!ex[k].seen)
            ok = 0;
    if (bad && nex == 0) {
        printf("FAIL %s %s: a bad example must state its findings with '# expect: %s LINE'\n", id,
               path, id);
        t->failed++;
        cpol_report_free(r);
        return;
    }
    for (size_t i = 0; i < cpol_report_error_count(r); i++) {
        const cpol_diag *d = cpol_report_error(r, i);
        printf("     error: %s:%u:%u: %s\n", d->file ? d->file : "", d->line, d->column,
               d->message);
        ok = 0;
    }
    char want[512] = "";
    for (size_t k = 0; k < nex; k++) {
        size_t wl = strlen(want);
        if (ex[k].col)
            snprintf(want + wl, sizeof want - wl, "%s%u:%u", wl ? ", " : "", ex[k].line, ex[k].col);
        else
            snprintf(want + wl, sizeof want - wl, "%s%u", wl ? ", " : "", ex[k].line);
    }
    if (ok) {
        t->passed++;
        if (t->verbose)
            printf("PASS %s %s%s%s\n", id, path, bad ? ": at " : "", bad ? got : "");
    } else {
        t->failed++;
        printf("FAIL %s %s: expected %s at [%s], got [%s]\n", id, path, bad ? id : "no", want,
               got);
    }
    cpol_report_free(r);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of a folder (malloc'd names). */
static size_t list_dir(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    *out = NULL;
    if (!d)
        return 0;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **v = realloc(*out, cap * sizeof *v);
            if (!v)
                break;
            *out = v;
        }
        (*out)[n] = malloc(strlen(ent->d_name) + 1);
        if (!(*out)[n])
            break;
        strcpy((*out)[n++], ent->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(*out, n, sizeof **out, cmp_names);
    return n;
}

static void run_tree(cpol_engine *e, const char *dir, const char *id, int bad, tally *t)
{
    char **names;
    size_t n = list_dir(dir, &names);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                run_tree(e, path, id, bad, t);
            else if (S_ISREG(st.st_mode) && strstr(names[i], ".expect") == NULL)
                run_example(e, path, id, bad, t);
        }
        free(names[i]);
    }
    free(names);
}

int rules_test(int argc, const char *const *dirs, int verbose)
{
    tally t = {0, 0, verbose};
    const char *def[1] = {"rules"};
    if (argc == 0) {
        dirs = def;
        argc = 1;
    }
    for (int a = 0; a < argc; a++) {
        cpol_options o;
        cpol_options_init(&o);
        o.no_builtin_rules = 1; /* test the rule files themselves, not what was compiled in */
        cpol_engine *e = cpol_engine_new(&o);
        if (e && verbose)
            cpol_engine_set_log(e, print_log, stdout); /* beside the PASS lines it explains */
        if (!e || cpol_engine_add_rules(e, dirs[a]) != 0) {
            fprintf(stderr, "cpol rules test: %s\n", e ? cpol_engine_last_error(e) : "out of memory");
            cpol_engine_free(e);
            return 2;
        }
        char **names;
        size_t n = list_dir(dirs[a], &names);
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(names[i]);
            if (len > 9 && strcmp(names[i] + len - 9, ".examples") == 0) {
                char id[64];
                size_t idl = strcspn(names[i], "-.");
                snprintf(id, sizeof id, "%.*s", (int)(idl < 63 ? idl : 63), names[i]);
                char path[4096];
                snprintf(path, sizeof path, "%s/%s/good", dirs[a], names[i]);
                run_tree(e, path, id, 0, &t);
                snprintf(path, sizeof path, "%s/%s/bad", dirs[a], names[i]);
                run_tree(e, path, id, 1, &t);
                found = 1;
            }
            free(names[i]);
        }
        free(names);
        cpol_engine_free(e);
        if (!found) {
            fprintf(stderr, "cpol rules test: %s: no <ID>-<name>.examples folders\n", dirs[a]);
            return 2;
        }
    }
    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed ? 1 : 0;
}
