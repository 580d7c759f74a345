/*
 * test_dockerrun.c - docker run command lines (parse/dockerrun.c, parse/shellwords.c): golden
 * cases under tests/data/dockerrun/<case>/ (input.sh -> expected.model and/or expected.error),
 * direct checks of positions, the line map used by CI workflows, and hostile inputs.
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

#include <cmocka.h>

#include "support/golden.h"

#include "model/dump.h"
#include "model/node.h"
#include "parse/dockerrun.h"
#include "parse/shellwords.h"
#include "parse/parse.h"
#include "util/buf.h"

#define DATA_DIR CPOL_SOURCE_DIR "/tests/data/dockerrun"

typedef struct result {
    arena a;
    diag_sink d;
    node *project;
    int rc;
} result;

static void parse_lim(result *r, const char *name, const char *data, size_t len,
                      const cpol_limits *lim)
{
    arena_init(&r->a);
    diag_sink d = DIAG_SINK_INIT;
    r->d = d;
    r->project = node_map(&r->a, cpos_make(NULL, 0, 0));
    parse_ctx ctx = {&r->a, &r->d, lim, name, r->project};
    r->rc = dockerrun_parse(&ctx, data, len);
}

static void parse_buf(result *r, const char *name, const char *data, size_t len)
{
    static const cpol_limits limits; /* zeroes: the parser's defaults */
    parse_lim(r, name, data, len, &limits);
}

static void parse_str(result *r, const char *s) { parse_buf(r, "run.sh", s, strlen(s)); }

static void result_free(result *r)
{
    diag_free(&r->d);
    arena_free(&r->a);
}

static size_t ncontainers(result *r)
{
    node *l = node_get(r->project, "containers");
    return l ? l->u.list.n : 0;
}

static node *container(result *r, size_t i)
{
    node *l = node_get(r->project, "containers");
    return l && i < l->u.list.n ? l->u.list.v[i] : NULL;
}

/* ---- golden cases ---- */

static void test_golden(void **state)
{
    (void)state;
    char *names[256];
    size_t n = golden_list(DATA_DIR, names, 256);
    int update = golden_updating();
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s/input.sh", DATA_DIR, names[i]);
        char *src = golden_read_file(path, &len);
        if (!src)
            fail_msg("%s/%s has no input.sh", DATA_DIR, names[i]);
        result r;
        parse_buf(&r, "run.sh", src, len);
        golden_expect(DATA_DIR, names[i], r.project, r.d.n ? golden_diag_text(&r.d) : NULL, update,
                      &failures);
        free(src);
        result_free(&r);
        free(names[i]);
    }
    print_message("%zu golden docker run cases%s\n", n, update ? " (updated)" : "");
    assert_true(n >= 11);
    assert_int_equal(failures, 0);
}

/* ---- direct checks ---- */

static void assert_pos(const node *n, unsigned int line, unsigned int col)
{
    assert_non_null(n);
    assert_int_equal(n->pos.line, line);
    assert_int_equal(n->pos.col, col);
}

static node *list_at(const node *l, size_t i)
{
    assert_non_null(l);
    assert_int_equal(l->type, N_LIST);
    assert_true(i < l->u.list.n);
    return l->u.list.v[i];
}

/* --flag=value points at the value; --flag value at the next word; continuations move lines. */
static void test_value_positions(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "x=1; docker run --memory=512m \\\n"
                  "    --user 1000:50 -e 'K=v w' \\\n"
                  "    --cap-add=CAP_NET_ADMIN img:1 arg\n");
    assert_int_equal(r.d.n, 0);
    assert_int_equal(ncontainers(&r), 1);
    node *c = container(&r, 0);
    assert_pos(c, 1, 6);
    assert_string_equal(node_get_str(c, "object"), "docker run img:1 (line 1)");
    node *res = node_get(c, "resources");
    assert_int_equal(node_get_int(res, "memory_limit", 0), 512LL * 1024 * 1024);
    assert_pos(node_get(res, "memory_limit"), 1, 26);
    node *u = node_get(c, "user");
    assert_int_equal(node_get_int(u, "uid", -1), 1000);
    assert_pos(node_get(u, "uid"), 2, 12);
    assert_int_equal(node_get_int(u, "gid", -1), 50);
    assert_pos(node_get(u, "gid"), 2, 17);
    node *e = list_at(node_get(c, "env"), 0);
    assert_string_equal(node_get_str(e, "value"), "v w");
    assert_pos(node_get(e, "name"), 2, 24);  /* inside the quotes */
    assert_pos(node_get(e, "value"), 2, 26);
    node *add = node_get(node_get(c, "capabilities"), "add");
    assert_string_equal(list_at(add, 0)->u.s.s, "NET_ADMIN");
    assert_pos(list_at(add, 0), 3, 19); /* past CAP_ */
    assert_pos(node_get(c, "image"), 3, 29);
    assert_string_equal(list_at(node_get(c, "command"), 0)->u.s.s, "arg");
    result_free(&r);
}

/* The CI workflow parser's entry: text lines mapped into the file. */
static void test_linemap(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    diag_sink d = DIAG_SINK_INIT;
    node *project = node_map(&a, cpos_make(NULL, 0, 0));
    static const cpol_limits lim;
    parse_ctx ctx = {&a, &d, &lim, ".github/workflows/ci.yml", project};
    node *doc = project_document(&ctx, "github");
    const char *text = "echo build\ndocker run --privileged \\\n  alpine\n\"unclosed\n";
    static const unsigned int lines[] = {20, 21, 22, 23};
    static const unsigned int cols[] = {11, 11, 11, 11};
    dockerrun_linemap map = {lines, cols, 4};
    assert_int_equal(dockerrun_scan(&ctx, text, strlen(text), doc, &map), 1);
    node *c = list_at(node_get(project, "containers"), 0);
    assert_pos(c, 21, 11);
    assert_string_equal(c->pos.file, ".github/workflows/ci.yml");
    assert_ptr_equal(node_get(c, "document"), doc);
    assert_pos(node_get(c, "privileged"), 21, 22);
    assert_pos(node_get(c, "image"), 22, 13);
    assert_string_equal(node_get_str(c, "object"), "docker run alpine (line 21)");
    assert_int_equal(d.n, 1);
    assert_int_equal(d.v[0].line, 23);
    assert_int_equal(d.v[0].col, 11);
    assert_string_equal(d.v[0].message, "unterminated double quote");
    /* lines past the map continue from its last entry; NULL map = the text is the file */
    static const unsigned int l1[] = {5}, c1[] = {3};
    dockerrun_linemap short_map = {l1, c1, 1};
    assert_int_equal(dockerrun_scan(&ctx, "\n\ndocker run x", 14, doc, &short_map), 1);
    assert_pos(list_at(node_get(project, "containers"), 1), 7, 3);
    assert_int_equal(dockerrun_scan(&ctx, "\n\ndocker run x", 14, doc, NULL), 1);
    assert_pos(list_at(node_get(project, "containers"), 2), 3, 1);
    diag_free(&d);
    arena_free(&a);
}

/* An unterminated quote costs its own command only; columns count characters. */
static void test_errors_recover(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "echo 'é unclosed\ndocker run a\ndocker run -v \"$(pwd:/x b\ndocker run c\n");
    assert_int_equal(ncontainers(&r), 2);
    assert_string_equal(node_get_str(node_get(container(&r, 0), "image"), "ref"), "a");
    assert_string_equal(node_get_str(node_get(container(&r, 1), "image"), "ref"), "c");
    assert_int_equal(r.d.n, 2);
    assert_int_equal(r.d.v[0].line, 1);
    assert_int_equal(r.d.v[0].col, 6);
    assert_string_equal(r.d.v[0].message, "unterminated single quote");
    assert_int_equal(r.d.v[1].line, 3);
    assert_int_equal(r.d.v[1].col, 16);
    assert_string_equal(r.d.v[1].message, "unterminated $(");
    result_free(&r);
}

/* $(...) and backticks are scanned again, also nested. */
static void test_substitutions(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "ID=$(docker run -d a)\necho \"$(x \"$(docker run b)\")\" `docker run c`\n"
                  "echo $(( 1 + 2 ))\n");
    assert_int_equal(r.d.n, 0);
    assert_int_equal(ncontainers(&r), 3);
    const char *want[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; i++) {
        int found = 0;
        for (size_t j = 0; j < 3; j++)
            found |= !strcmp(node_get_str(node_get(container(&r, j), "image"), "ref"), want[i]);
        assert_true(found);
    }
    result_free(&r);
}

/* Hostile text: NUL bytes, a 10 MB line, deep $( nesting, every prefix of a real script. */
static void test_hostile(void **state)
{
    (void)state;
    result r;
    static const char nul[] = "docker run \0--privileged x\ndocker run y\n";
    parse_buf(&r, "nul.sh", nul, sizeof nul - 1);
    assert_true(ncontainers(&r) >= 1);
    result_free(&r);

    size_t big = 10u << 20;
    char *s = malloc(big + 32);
    assert_non_null(s);
    memcpy(s, "docker run ", 11);
    for (size_t i = 11; i < big; i++)
        s[i] = (i % 7 == 0) ? ' ' : 'a';
    memcpy(s + big, " \ndocker run z\n", 15);
    parse_buf(&r, "big.sh", s, big + 15);
    assert_int_equal(ncontainers(&r), 2);
    result_free(&r);

    /* "$("$("$( ... )")")": quotes inside substitutions recurse; the lexer stops at 64 */
    size_t depth = 5000, k = 0;
    for (size_t i = 0; i < depth; i++) {
        s[k++] = '"';
        s[k++] = '$';
        s[k++] = '(';
    }
    for (size_t i = 0; i < depth; i++) {
        s[k++] = ')';
        s[k++] = '"';
    }
    parse_buf(&r, "deep.sh", s, k);
    assert_int_equal(r.rc, 0);
    assert_true(r.d.n >= 1);
    assert_string_equal(r.d.v[0].message, "substitutions nested too deeply");
    result_free(&r);
    /* plain $( nesting is counted, not recursed: scanned again only 8 levels deep */
    k = 0;
    for (size_t i = 0; i < depth; i++) {
        s[k++] = '$';
        s[k++] = '(';
    }
    for (size_t i = 0; i < depth; i++)
        s[k++] = ')';
    parse_buf(&r, "deep.sh", s, k);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    result_free(&r);
    free(s);

    size_t len;
    char *src = golden_read_file(DATA_DIR "/flag-forms/input.sh", &len);
    assert_non_null(src);
    for (size_t cut = 0; cut < len; cut++) {
        parse_buf(&r, "cut.sh", src, cut);
        assert_int_equal(r.rc, 0);
        result_free(&r);
    }
    free(src);
}

/* The lexer on its own: quotes removed, operators split, heredoc bodies skipped. */
static void test_lexer(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    sh_lex lx;
    const char *t = "a\\ b \"c $d\"'e'>f 2>&1 <<X;g\nbody\nX\nh||i";
    assert_int_equal(sh_lex_text(&a, t, 0, strlen(t), &lx), 0);
    assert_int_equal(lx.nerrs, 0);
    const char *want[] = {"a b", "c $de", ">", "f", ">&", "1", "<<", ";", "g", "\n", "h",
                          "||", "i"};
    assert_int_equal(lx.n, 13);
    for (size_t i = 0; i < lx.n; i++)
        assert_string_equal(lx.t[i].kind == SH_WORD ? lx.t[i].s : lx.t[i].op, want[i]);
    assert_true(lx.t[1].quoted);
    assert_true(lx.t[1].subst);
    assert_int_equal(lx.t[1].src[2], 8); /* the '$' of "c $d" */
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_value_positions),
        cmocka_unit_test(test_linemap),
        cmocka_unit_test(test_errors_recover),
        cmocka_unit_test(test_substitutions),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_lexer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
