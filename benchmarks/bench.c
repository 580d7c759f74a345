/*
 * bench.c - cpol-bench, the measuring half of `make bench` (benchmarks/run.py drives it and takes
 * the medians). Each mode times one thing in this process and prints one JSON object:
 *   floor PATH...          parse-only floor: the files a scan takes, read and parsed with nothing
 *                          built (libyaml events / jansson / a line split)
 *   floor-jpos PATH...     the same, but OCI JSON validated by our own reader (parse/json_pos.c,
 *                          which the OCI parser uses instead of jansson) instead of jansson: the
 *                          cheapest reading of the same files that we know of
 *   scan PATH...           engine creation plus cpol_engine_scan_paths
 *   startup N              N engine creations with the built-in rules (median, p99)
 *   embedded FILE N        N scans of one buffer on one engine (median, p99)
 *   perfile PATH...        every file scanned alone on one engine (median, p99)
 *   exec CMD [ARG...]      run CMD (its stderr to /dev/null) and print its CPU time, wall time
 *                          and peak RSS on stderr. A launcher this small keeps the figures the
 *                          child's own: Linux counts a process's peak RSS across exec, so a child
 *                          of a big parent (the Python driver, after reading a scanner's report)
 *                          inherits the parent's size in ru_maxrss
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "containerpolicy.h"
#include "parse/detect.h"
#include "parse/json_pos.h"
#include "util/walk.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The value below which a fraction q of the sorted samples lie (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
    if (!n)
        return 0;
    size_t i = (size_t)(q * (double)n);
    return v[i >= n ? n - 1 : i];
}

/* The scanner's candidate test (api.c): by name, by extension for content detection, or a
   shell script with a shebang. */
static int want(const char *path, void *ud)
{
    (void)ud;
    if (detect_by_name(path) != CPOL_FORMAT_AUTO || detect_content_candidate(path))
        return 1;
    if (!detect_shebang_candidate(path))
        return 0;
    FILE *f = fopen(path, "rb");
    char b[2] = {0, 0};
    size_t n = f ? fread(b, 1, 2, f) : 0;
    if (f)
        fclose(f);
    return n == 2 && b[0] == '#' && b[1] == '!';
}

typedef struct input {
    char *path, *data;
    size_t len;
    cpol_format fmt;
} input;

typedef struct inputs {
    input *v;
    size_t n;
    size_t bytes;
} inputs;

/* Walk, read and detect as a scan does; with keep = 0 the data is freed and only counted, so a
   caller can time the whole thing. parse is called on each recognised file before it is freed. */
static int collect(char **paths, int npaths, int keep, inputs *out,
                   void (*parse)(const input *in, void *ud), void *ud)
{
    memset(out, 0, sizeof *out);
    for (int p = 0; p < npaths; p++) {
        walk_list wl;
        memset(&wl, 0, sizeof wl);
        if (walk_dir(paths[p], want, NULL, &wl) != 0) {
            walk_list_free(&wl);
            return -1;
        }
        for (size_t i = 0; i < wl.n; i++) {
            input in;
            memset(&in, 0, sizeof in);
            char why[256];
            if (read_file(wl.paths[i], 16u << 20, &in.data, &in.len, why, sizeof why) != 0)
                continue;
            in.fmt = detect_by_name(wl.paths[i]);
            if (in.fmt == CPOL_FORMAT_AUTO)
                in.fmt = detect_by_content(in.data, in.len);
            if (in.fmt == CPOL_FORMAT_AUTO) {
                free(in.data);
                continue;
            }
            in.path = wl.paths[i];
            if (parse)
                parse(&in, ud);
            out->bytes += in.len;
            if (!keep) {
                free(in.data);
                out->n++;
                continue;
            }
            input *v = realloc(out->v, (out->n + 1) * sizeof *v);
            if (!v) {
                free(in.data);
                walk_list_free(&wl);
                return -1;
            }
            out->v = v;
            in.path = strdup(wl.paths[i]);
            out->v[out->n++] = in;
        }
        walk_list_free(&wl);
    }
    return 0;
}

static void inputs_free(inputs *in)
{
    for (size_t i = 0; i < in->n && in->v; i++) {
        free(in->v[i].path);
        free(in->v[i].data);
    }
    free(in->v);
}

typedef struct floor_count {
    size_t events, lines, json_ok;
    int jpos; /* OCI through json_pos.c instead of jansson */
} floor_count;

/* The least any checker must do with a file: tokenise it. Nothing is built. */
static void floor_parse(const input *in, void *ud)
{
    floor_count *fc = ud;
    if (in->fmt == CPOL_FORMAT_OCI && fc->jpos) {
        jpos_index ix;
        jpos_error err;
        memset(&ix, 0, sizeof ix);
        fc->json_ok += jpos_build(in->data, in->len, 256, &ix, &err) == JPOS_OK;
        jpos_free(&ix);
    } else if (in->fmt == CPOL_FORMAT_OCI) {
        json_error_t err;
        /* the flags the OCI parser uses: without JSON_DECODE_INT_AS_REAL jansson stops at the
           first integer beyond 64 bits (half the corpus's OCI bytes have one, in seccomp rules)
           and the floor would not have read the rest of the file */
        json_t *j = json_loadb(in->data, in->len,
                               JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
        fc->json_ok += j != NULL;
        json_decref(j);
    } else if (in->fmt == CPOL_FORMAT_DOCKERFILE || in->fmt == CPOL_FORMAT_DOCKER_RUN) {
        const char *p = in->data, *end = in->data + in->len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            fc->lines++;
            p = nl ? nl + 1 : end;
        }
    } else {
        yaml_parser_t y;
        yaml_event_t ev;
        if (!yaml_parser_initialize(&y))
            return;
        yaml_parser_set_input_string(&y, (const unsigned char *)in->data, in->len);
        for (;;) {
            if (!yaml_parser_parse(&y, &ev))
                break;
            int done = ev.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&ev);
            fc->events++;
            if (done)
                break;
        }
        yaml_parser_delete(&y);
    }
}

static int mode_floor(char **paths, int n, int jpos)
{
    floor_count fc = {0, 0, 0, jpos};
    inputs in;
    double t0 = now_s();
    if (collect(paths, n, 0, &in, floor_parse, &fc) != 0)
        return 1;
    double t = now_s() - t0;
    printf("{\"mode\":\"%s\",\"files\":%zu,\"bytes\":%zu,\"seconds\":%.6f,\"yaml_events\":%zu,"
           "\"lines\":%zu,\"json_docs\":%zu}\n",
           jpos ? "floor-jpos" : "floor", in.n, in.bytes, t, fc.events, fc.lines, fc.json_ok);
    return 0;
}

static cpol_engine *new_engine(void)
{
    cpol_engine *e = cpol_engine_new(NULL);
    if (!e)
        fprintf(stderr, "cpol-bench: cannot create an engine\n");
    return e;
}

static int mode_scan(char **paths, int n)
{
    double t0 = now_s();
    cpol_engine *e = new_engine();
    if (!e)
        return 1;
    double t1 = now_s();
    cpol_report *r = NULL;
    int rc = cpol_engine_scan_paths(e, (const char *const *)paths, (size_t)n, &r);
    double t2 = now_s();
    if (rc != 0) {
        fprintf(stderr, "cpol-bench: scan failed: %s\n", cpol_engine_last_error(e));
        cpol_engine_free(e);
        return 1;
    }
    printf("{\"mode\":\"scan\",\"files\":%zu,\"findings\":%zu,\"errors\":%zu,\"engine_seconds\":%.6f,"
           "\"scan_seconds\":%.6f}\n",
           cpol_report_file_count(r), cpol_report_count(r), cpol_report_error_count(r), t1 - t0,
           t2 - t1);
    cpol_report_free(r);
    cpol_engine_free(e);
    return 0;
}

static void print_dist(const char *mode, double *v, size_t n, const char *extra)
{
    qsort(v, n, sizeof *v, cmp_double);
    printf("{\"mode\":\"%s\",\"samples\":%zu,\"median_us\":%.1f,\"p99_us\":%.1f,\"min_us\":%.1f%s}\n",
           mode, n, quantile(v, n, 0.5) * 1e6, quantile(v, n, 0.99) * 1e6, n ? v[0] * 1e6 : 0.0,
           extra);
}

static int mode_startup(size_t n)
{
    double *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return 1;
    size_t rules = 0;
    for (size_t i = 0; i < n; i++) {
        double t0 = now_s();
        cpol_engine *e = new_engine();
        v[i] = now_s() - t0;
        if (!e) {
            free(v);
            return 1;
        }
        rules = cpol_engine_rule_count(e);
        cpol_engine_free(e);
    }
    char extra[64];
    snprintf(extra, sizeof extra, ",\"rules\":%zu", rules);
    print_dist("startup", v, n, extra);
    free(v);
    return 0;
}

static int mode_embedded(const char *file, size_t n)
{
    char *data;
    size_t len;
    char why[256];
    if (read_file(file, 16u << 20, &data, &len, why, sizeof why) != 0) {
        fprintf(stderr, "cpol-bench: %s: %s\n", file, why);
        return 1;
    }
    cpol_engine *e = new_engine();
    double *v = calloc(n ? n : 1, sizeof *v);
    if (!e || !v) {
        free(data);
        free(v);
        cpol_engine_free(e);
        return 1;
    }
    size_t findings = 0;
    for (size_t i = 0; i < n; i++) {
        cpol_report *r = NULL;
        double t0 = now_s();
        int rc = cpol_engine_scan_buffer(e, "Dockerfile", data, len, CPOL_FORMAT_AUTO, &r);
        v[i] = now_s() - t0;
        if (rc == 0)
            findings = cpol_report_count(r);
        cpol_report_free(r);
    }
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    char extra[96];
    snprintf(extra, sizeof extra, ",\"lines\":%zu,\"findings\":%zu", lines, findings);
    print_dist("embedded", v, n, extra);
    free(v);
    free(data);
    cpol_engine_free(e);
    return 0;
}

static int mode_perfile(char **paths, int n)
{
    inputs in;
    if (collect(paths, n, 1, &in, NULL, NULL) != 0)
        return 1;
    cpol_engine *e = new_engine();
    double *v = calloc(in.n ? in.n : 1, sizeof *v);
    if (!e || !v) {
        inputs_free(&in);
        free(v);
        cpol_engine_free(e);
        return 1;
    }
    double total = 0;
    for (size_t i = 0; i < in.n; i++) {
        cpol_report *r = NULL;
        double t0 = now_s();
        cpol_engine_scan_buffer(e, in.v[i].path, in.v[i].data, in.v[i].len, in.v[i].fmt, &r);
        v[i] = now_s() - t0;
        total += v[i];
        cpol_report_free(r);
    }
    char extra[128];
    snprintf(extra, sizeof extra, ",\"files\":%zu,\"bytes\":%zu,\"seconds\":%.6f", in.n, in.bytes,
             total);
    print_dist("perfile", v, in.n, extra);
    free(v);
    inputs_free(&in);
    cpol_engine_free(e);
    return 0;
}

static int mode_exec(char **argv)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("cpol-bench: fork");
        return 1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("cpol-bench: wait4");
        return 1;
    }
    double wall = now_s() - t0;
    fprintf(stderr,
            "{\"mode\":\"exec\",\"status\":%d,\"user\":%.6f,\"sys\":%.6f,\"wall\":%.6f,"
            "\"maxrss_kb\":%ld}\n",
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
            (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, wall, ru.ru_maxrss);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "exec") == 0)
        return mode_exec(argv + 2);
    if (argc >= 3 && strcmp(argv[1], "floor") == 0)
        return mode_floor(argv + 2, argc - 2, 0);
    if (argc >= 3 && strcmp(argv[1], "floor-jpos") == 0)
        return mode_floor(argv + 2, argc - 2, 1);
    if (argc >= 3 && strcmp(argv[1], "scan") == 0)
        return mode_scan(argv + 2, argc - 2);
    if (argc == 3 && strcmp(argv[1], "startup") == 0)
        return mode_startup(strtoul(argv[2], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "embedded") == 0)
        return mode_embedded(argv[2], strtoul(argv[3], NULL, 10));
    if (argc >= 3 && strcmp(argv[1], "perfile") == 0)
        return mode_perfile(argv + 2, argc - 2);
    fprintf(stderr, "usage: cpol-bench floor|floor-jpos|scan|perfile PATH... | startup N | "
                    "embedded FILE N | exec CMD [ARG...]\n");
    return 2;
}
