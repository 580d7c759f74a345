/*
 * test_dockerfile.c - the Dockerfile parser (parse/dockerfile*.c): golden cases under
 * tests/data/dockerfile/<case>/ (Dockerfile -> expected.model and/or expected.error), direct
 * checks of positions and limits, and the corpus of real Dockerfiles (shared/corpus).
 * CPOL_UPDATE_GOLDEN=1 rewrites the expected files; review the diff.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "support/golden.h"

#include "model/dump.h"
#include "model/node.h"
#include "parse/parse.h"
#include "util/buf.h"

#define DATA_DIR CPOL_SOURCE_DIR "/tests/data/dockerfile"

typedef struct result {
    arena a;
    diag_sink d;
    node *project;
    int rc;
} result;

static void parse_buf(result *r, const char *data, size_t len, size_t max_line)
{
    static cpol_limits limits;
    memset(&limits, 0, sizeof limits);
    limits.max_line_length = max_line;
    arena_init(&r->a);
    diag_sink d = DIAG_SINK_INIT;
    r->d = d;
    r->project = node_map(&r->a, cpos_make(NULL, 0, 0));
    parse_ctx ctx = {&r->a, &r->d, &limits, "Dockerfile", r->project};
    r->rc = dockerfile_parse(&ctx, data, len);
}

static void parse_str(result *r, const char *s) { parse_buf(r, s, strlen(s), 0); }

static void result_free(result *r)
{
    diag_free(&r->d);
    arena_free(&r->a);
}

static node *first(node *project, const char *list)
{
    node *l = node_get(project, list);
    return l && l->u.list.n ? l->u.list.v[0] : NULL;
}

/* ---- golden cases ---- */

static void test_golden(void **state)
{
    (void)state;
    char *names[512];
    size_t n = golden_list(DATA_DIR, names, 512);
    int update = golden_updating();
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        size_t len, max_line = 0;
        snprintf(path, sizeof path, "%s/%s/max_line_length", DATA_DIR, names[i]);
        char *lim = golden_read_file(path, &len);
        if (lim)
            max_line = (size_t)strtoul(lim, NULL, 10);
        free(lim);
        snprintf(path, sizeof path, "%s/%s/Dockerfile", DATA_DIR, names[i]);
        char *src = golden_read_file(path, &len);
        if (!src)
            fail_msg("%s is missing", path);
        result r;
        parse_buf(&r, src, len, max_line);
        golden_expect(DATA_DIR, names[i], r.rc == 0 ? r.project : NULL,
                      r.d.n ? golden_diag_text(&r.d) : NULL, update, &failures);
        free(src);
        result_free(&r);
        free(names[i]);
    }
    print_message("%zu golden Dockerfile cases%s\n", n, update ? " (updated)" : "");
    assert_true(n >= 25);
    assert_int_equal(failures, 0);
}

/* ---- direct checks ---- */

static void test_positions_crlf_bom(void **state)
{
    (void)state;
    result r;
    const char *s = "\xEF\xBB\xBF# syntax=docker/dockerfile:1\r\n"
                    "FROM alpine:3.19 AS Base\r\n"
                    "RUN apk add \\\r\n"
                    "    curl\r\n"
                    "USER 1000:1000\r\n";
    parse_str(&r, s);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    node *b = first(r.project, "builds");
    node *d = node_get(b, "directives");
    node *syn = node_get(d, "syntax");
    assert_string_equal(syn->u.s.s, "docker/dockerfile:1");
    assert_int_equal(syn->pos.line, 1);
    assert_int_equal(syn->pos.col, 10); /* the BOM does not count */
    node *st = node_get(b, "stages")->u.list.v[0];
    assert_string_equal(node_get_str(st, "name"), "base");
    node *img = node_get(st, "base");
    assert_string_equal(node_get_str(img, "ref"), "alpine:3.19");
    assert_int_equal(img->pos.line, 2);
    assert_int_equal(img->pos.col, 6);
    node *run = node_get(st, "instructions")->u.list.v[1];
    node *arg = node_get(run, "args")->u.list.v[0];
    assert_string_equal(arg->u.s.s, "apk add     curl"); /* no \r, escape removed */
    assert_int_equal(node_get_int(run, "end_line", 0), 4);
    node *u = node_get(st, "user");
    assert_int_equal(node_get_int(u, "uid", -1), 1000);
    assert_int_equal(node_get_int(u, "gid", -1), 1000);
    assert_int_equal(node_get(u, "gid")->pos.col, 11);
    result_free(&r);
}

static void test_container_shares_nodes(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "FROM golang:1.22 AS build\nUSER app\nHEALTHCHECK NONE\n"
                  "FROM build AS runtime\nENV A=1\n");
    assert_int_equal(r.rc, 0);
    node *c = first(r.project, "containers");
    node *b = first(r.project, "builds");
    node *st = node_get(b, "stages")->u.list.v[1];
    assert_ptr_equal(node_get(c, "build"), b);
    assert_ptr_equal(node_get(c, "document"), first(r.project, "documents"));
    assert_ptr_equal(node_get(c, "user"), node_get(st, "user"));
    assert_ptr_equal(node_get(c, "image"), node_get(st, "base"));
    assert_ptr_equal(node_get(c, "env"), node_get(st, "env"));
    assert_string_equal(node_get_str(c, "object"), "Dockerfile stage 'runtime' (final)");
    assert_string_equal(node_get_str(node_get(c, "user"), "source"), "stage build");
    assert_true(node_get_bool(node_get(c, "healthcheck"), "disabled", 0));
    assert_int_equal(node_get_int(b, "final", 0), 2);
    result_free(&r);
}

static void test_long_line_limit(void **state)
{
    (void)state;
    result r;
    const char *s = "FROM alpine\nRUN echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nUSER 1\n";
    parse_buf(&r, s, strlen(s), 20);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 2);
    assert_int_equal(r.d.v[0].col, 21);
    node *st = node_get(first(r.project, "builds"), "stages")->u.list.v[0];
    assert_int_equal(node_get(st, "instructions")->u.list.n, 2); /* the RUN was skipped */
    result_free(&r);
}

/* 10 MB on one line, in the shapes that could go quadratic: must finish in well under a second
   or two even in a debug build. */
static void test_huge_lines_are_linear(void **state)
{
    (void)state;
    size_t n = 10u << 20;
    char *s = malloc(n + 64);
    assert_non_null(s);
    static const char *const shapes[] = {"ENV ", "RUN ", "LABEL ", "COPY --chown=", "ARG ",
                                         "EXPOSE ", "ENV X=${", "CMD [\""};
    static const char *const units[] = {"a=b ", "x <<E ", "k=\"v\" ", "x", "v$v ", "80/tcp ",
                                        "a:-${", "a\\\","};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t len = (size_t)sprintf(s, "FROM x\n%s", shapes[k]);
        size_t ul = strlen(units[k]);
        while (len + ul < n) {
            memcpy(s + len, units[k], ul);
            len += ul;
        }
        s[len++] = '\n';
        clock_t t0 = clock();
        result r;
        parse_buf(&r, s, len, 0);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        print_message("%-16s %zu bytes: %.2fs, rc %d, %zu diagnostics\n", shapes[k], len, secs,
                      r.rc, r.d.n);
        assert_int_equal(r.rc, 0);
        assert_true(r.d.n <= 101);
        assert_true(secs < 20.0);
        result_free(&r);
    }
    free(s);
}

static void test_binary_and_garbage(void **state)
{
    (void)state;
    result r;
    static const char bin[] = "FROM alpine\nRUN x\0\x01\x02\n";
    parse_buf(&r, bin, sizeof bin - 1, 0);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 2);
    assert_int_equal(r.d.v[0].col, 6);
    assert_null(node_get(r.project, "containers"));
    result_free(&r);

    /* invalid UTF-8 and odd bytes everywhere: no crash, a model */
    parse_str(&r, "FROM \xff\xfe:1\nENV \xc3=\x80\nUSER \xe2\x82\nCMD [\"\xff\"]\n");
    assert_int_equal(r.rc, 0);
    result_free(&r);

    /* every prefix of a tricky file parses without crashing */
    const char *t = "# escape=`\nARG A=${B:-${C:+x}}\nFROM $A AS s\n"
                    "RUN <<-\"E\" cat <<F\n\tx\n\tE\ny\nF\nCOPY [\"a\", 'b']\n"
                    "ONBUILD USER ${U}\nHEALTHCHECK --retries=x CMD [\"a\"\n";
    size_t tl = strlen(t);
    for (size_t i = 0; i <= tl; i++) {
        parse_buf(&r, t, i, 0);
        result_free(&r);
    }
}

/* ---- the corpus ---- */

/* MANIFEST.tsv says these parse, but Docker rejects them ("unknown instruction") and so do we:
   a vim '~' line pasted into a fixture, and a fixture that is meant to fail its build. */
static const struct {
    const char *path, *diags;
} manifest_disputed[] = {
    {"dockerfile/checkov/tests/dockerfile/checks/example_UpdateNotAlone/failure/Dockerfile",
     "12:1 unknown instruction '~'\n"},
    {"dockerfile/docker-compose/pkg/e2e/fixtures/wrong-composefile/service1/Dockerfile",
     "17:1 unknown instruction 'WRONG'\n"},
};

static void test_corpus(void **state)
{
    (void)state;
    char manifest[1024];
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", CPOL_CORPUS_DIR);
    struct stat sb;
    if (stat(CPOL_CORPUS_DIR "/dockerfile", &sb) != 0) {
        print_message("corpus folder %s/dockerfile not found: skipped\n", CPOL_CORPUS_DIR);
        skip();
    }
    size_t mlen;
    char *m = golden_read_file(manifest, &mlen);
    assert_non_null(m);
    size_t parsed = 0, rejected = 0, ndisputed = 0;
    int failures = 0;
    char *save = NULL;
    for (char *line = strtok_r(m, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *col[10] = {0};
        size_t nc = golden_split_tsv(line, col, 10);
        if (nc < 9 || strcmp(col[1], "dockerfile") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", CPOL_CORPUS_DIR, col[0]);
        size_t len;
        char *src = golden_read_file(path, &len);
        if (!src) {
            print_error("%s: cannot read\n", path);
            failures++;
            continue;
        }
        result r;
        parse_buf(&r, src, len, 0);
        const char *disputed = NULL;
        for (size_t i = 0; i < sizeof manifest_disputed / sizeof manifest_disputed[0]; i++)
            if (strcmp(col[0], manifest_disputed[i].path) == 0)
                disputed = manifest_disputed[i].diags;
        if (disputed) {
            char *t = golden_diag_text(&r.d);
            if (r.rc != 0 || strcmp(t, disputed) != 0) {
                print_error("%s: rc %d, diagnostics:\n%s", col[0], r.rc, t);
                failures++;
            }
            free(t);
            ndisputed++;
        } else if (strcmp(col[8], "yes") == 0) {
            if (r.rc != 0 || r.d.n) {
                char *t = golden_diag_text(&r.d);
                print_error("%s: rc %d, diagnostics:\n%s", col[0], r.rc, t);
                free(t);
                failures++;
            }
            parsed++;
        } else {
            int ok = r.rc == -1;
            for (size_t i = 0; i < r.d.n; i++)
                if (r.d.v[i].line > 0)
                    ok = 1;
            if (!ok) {
                print_error("%s: marked unparseable but gave rc %d and no positioned diagnostic\n",
                            col[0], r.rc);
                failures++;
            }
            rejected++;
        }
        result_free(&r);
        free(src);
    }
    free(m);
    print_message("corpus: %zu Dockerfiles parsed cleanly, %zu rejected as expected, %zu with an "
                  "unknown instruction the manifest calls fine\n",
                  parsed, rejected, ndisputed);
    assert_int_equal(ndisputed, sizeof manifest_disputed / sizeof manifest_disputed[0]);
    assert_true(parsed > 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_positions_crlf_bom),
        cmocka_unit_test(test_container_shares_nodes),
        cmocka_unit_test(test_long_line_limit),
        cmocka_unit_test(test_binary_and_garbage),
        cmocka_unit_test(test_huge_lines_are_linear),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
