/*
 * test_oci.c - the OCI config.json parser (parse/oci.c) and its position index (parse/json_pos.c):
 * golden cases under tests/data/oci/<case>/ (input.json -> expected.model and/or expected.error),
 * direct checks of positions and limits, hostile inputs, and the corpus (shared/corpus/oci).
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
#include "parse/json_pos.h"
#include "parse/parse.h"
#include "util/buf.h"

#define DATA_DIR CPOL_SOURCE_DIR "/tests/data/oci"

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
    r->rc = oci_parse(&ctx, data, len);
}

static void parse_buf(result *r, const char *name, const char *data, size_t len)
{
    static const cpol_limits limits; /* zeroes: the parser's defaults */
    parse_lim(r, name, data, len, &limits);
}

static void parse_str(result *r, const char *s) { parse_buf(r, "config.json", s, strlen(s)); }

static void result_free(result *r)
{
    diag_free(&r->d);
    arena_free(&r->a);
}

static node *container(result *r)
{
    node *l = node_get(r->project, "containers");
    return l && l->u.list.n ? l->u.list.v[0] : NULL;
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
        snprintf(path, sizeof path, "%s/%s/input.json", DATA_DIR, names[i]);
        char *src = golden_read_file(path, &len);
        if (!src)
            fail_msg("%s/%s has no input.json", DATA_DIR, names[i]);
        result r;
        parse_buf(&r, "config.json", src, len);
        golden_expect(DATA_DIR, names[i], r.project, r.d.n ? golden_diag_text(&r.d) : NULL, update,
                      &failures);
        free(src);
        result_free(&r);
        free(names[i]);
    }
    print_message("%zu golden OCI cases%s\n", n, update ? " (updated)" : "");
    assert_true(n >= 12);
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

static void test_fields_and_positions(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "{\"ociVersion\": \"1.0.2\",\n"
                  " \"process\": {\n"
                  "  \"user\": {\"uid\": 0, \"gid\": 0},\n"
                  "  \"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\", \"CAP_CHOWN\"],\n"
                  "                   \"effective\": [\"CAP_CHOWN\"]},\n"
                  "  \"noNewPrivileges\": false},\n"
                  " \"root\": {\"path\": \"rootfs\", \"readonly\": false},\n"
                  " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}],\n"
                  "   \"resources\": {\"cpu\": {\"quota\": 50000, \"period\": 100000}}}}\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    node *c = container(&r);
    assert_non_null(c);
    assert_string_equal(node_get_str(c, "kind"), "oci");
    assert_string_equal(node_get_str(c, "name"), "config.json");
    assert_pos(c, 2, 2); /* the "process" key */
    node *u = node_get(c, "user");
    assert_int_equal(node_get_int(u, "uid", -1), 0);
    assert_pos(node_get(u, "uid"), 3, 19);
    assert_pos(node_get(u, "gid"), 3, 29);
    node *caps = node_get(c, "capabilities");
    node *add = node_get(caps, "add");
    assert_int_equal(add->u.list.n, 2);
    assert_string_equal(list_at(add, 0)->u.s.s, "CHOWN");
    assert_pos(list_at(add, 0), 4, 50); /* first written in bounding */
    assert_string_equal(list_at(add, 1)->u.s.s, "SYS_ADMIN");
    assert_pos(list_at(add, 1), 4, 33);
    assert_false(node_get_bool(c, "no_new_privileges", 1));
    assert_pos(node_get(c, "no_new_privileges"), 6, 22);
    assert_false(node_get_bool(c, "read_only_rootfs", 1));
    assert_pos(node_get(c, "read_only_rootfs"), 7, 41);
    node *host = node_get(c, "host");
    assert_false(node_get_bool(host, "pid", 1));
    assert_pos(node_get(host, "pid"), 8, 27);
    assert_true(node_get_bool(host, "network", 0));
    assert_pos(node_get(host, "network"), 8, 26); /* the namespaces list */
    assert_true(node_get_bool(host, "user", 0));
    node *res = node_get(c, "resources");
    node *cpu = node_get(res, "cpu_limit");
    assert_non_null(cpu);
    assert_int_equal(cpu->type, N_NUM);
    assert_true(cpu->u.d == 0.5);
    assert_pos(cpu, 9, 35);
    assert_null(node_get(res, "memory_limit"));
    assert_null(node_get(c, "seccomp"));
    result_free(&r);
}

/* Without a linux section every namespace is the host's; the positions say nothing was written. */
static void test_no_linux_means_host(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "{\"ociVersion\": \"1.0.0\", \"process\": {\"args\": [\"sh\"]}}");
    assert_int_equal(r.d.n, 0);
    node *host = node_get(container(&r), "host");
    const char *keys[] = {"network", "pid", "ipc", "uts", "user", "cgroup"};
    for (size_t i = 0; i < 6; i++) {
        assert_true(node_get_bool(host, keys[i], 0));
        assert_int_equal(node_get(host, keys[i])->pos.line, 0);
    }
    assert_null(node_get(container(&r), "namespaces"));
    result_free(&r);
}

static void test_syntax_error_position(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "{\n  \"ociVersion\": \"1.0.0\",\n  \"process\": {\"cwd\": \"/\",}\n}\n");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 3);
    assert_int_equal(r.d.v[0].col, 26);
    assert_non_null(strstr(r.d.v[0].message, "invalid JSON"));
    assert_null(node_get(r.project, "containers"));
    assert_non_null(node_get(r.project, "documents"));
    result_free(&r);
}

static void test_duplicate_key_line(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "{\"ociVersion\": \"1.0.0\",\n \"process\": {\"cwd\": \"/\",\n"
                  "   \"cwd\": \"/root\"}}");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 3);
    assert_non_null(strstr(r.d.v[0].message, "duplicate"));
    result_free(&r);
}

static void test_depth_limit(void **state)
{
    (void)state;
    cpol_limits lim = {0};
    lim.max_json_depth = 4;
    result r;
    const char *s = "{\"ociVersion\": \"1\",\n \"a\": {\"b\": [[[1]]]}}";
    parse_lim(&r, "config.json", s, strlen(s), &lim);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message, "JSON nested deeper than 4 levels");
    assert_int_equal(r.d.v[0].line, 2);
    assert_int_equal(r.d.v[0].col, 15);
    result_free(&r);
    /* exactly at the limit is fine */
    s = "{\"ociVersion\": \"1\", \"a\": {\"b\": [[]]}}";
    parse_lim(&r, "config.json", s, strlen(s), &lim);
    if (r.d.n)
        print_error("%u:%u %s\n", r.d.v[0].line, r.d.v[0].col, r.d.v[0].message);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    result_free(&r);
}

/* 100,000 nested brackets: a diagnostic from our own limit, no deep recursion anywhere. */
static void test_hundred_thousand_brackets(void **state)
{
    (void)state;
    const size_t n = 100000;
    char *s = malloc(2 * n + 32);
    assert_non_null(s);
    size_t k = 0;
    k += (size_t)sprintf(s, "{\"ociVersion\": \"1\", \"x\": ");
    for (size_t i = 0; i < n; i++)
        s[k++] = '[';
    for (size_t i = 0; i < n; i++)
        s[k++] = ']';
    s[k++] = '}';
    result r;
    parse_buf(&r, "deep.json", s, k);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message, "JSON nested deeper than 256 levels");
    assert_int_equal(r.d.v[0].line, 1);
    assert_int_equal(r.d.v[0].col, 26 + 255);
    result_free(&r);
    /* unclosed as well */
    parse_buf(&r, "deep.json", s, n / 2);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    result_free(&r);
    free(s);
}

/* Every prefix of a real file, NUL bytes and invalid UTF-8: a diagnostic or a model, no crash. */
static void test_hostile(void **state)
{
    (void)state;
    size_t len;
    char *src = golden_read_file(DATA_DIR "/full/input.json", &len);
    assert_non_null(src);
    for (size_t cut = 0; cut < len; cut++) {
        result r;
        parse_buf(&r, "cut.json", src, cut);
        assert_true(r.rc == -1 || r.rc == 0);
        if (r.rc == -1)
            assert_true(r.d.n >= 1);
        result_free(&r);
    }
    free(src);
    static const char nul[] = "{\"ociVersion\": \"1\0\", \"hostname\": \"a\"}";
    result r;
    parse_buf(&r, "nul.json", nul, sizeof nul - 1);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 1);
    result_free(&r);
    parse_str(&r, "{\"ociVersion\": \"1\", \"hostname\": \"\xff\xfe\"}");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    result_free(&r);
    parse_str(&r, "");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    result_free(&r);
}

/* The index on its own: keys with escapes are found by their decoded name. */
static void test_index(void **state)
{
    (void)state;
    const char *s = "{\"a\\u0062\": [1, {\"\\ud83d\\ude00\": true}], \"c\": \"x\"}";
    jpos_index ix;
    unsigned int l, c;
    assert_int_equal(jpos_build(s, strlen(s), 10, &ix, &l, &c), JPOS_OK);
    unsigned int ab = jpos_child(&ix, s, 0, "ab");
    assert_int_not_equal(ab, JPOS_NONE);
    assert_int_equal(ix.v[ab].type, '[');
    assert_int_equal(ix.v[ab].col, 13);
    unsigned int obj = jpos_item(&ix, ab, 1);
    assert_int_not_equal(obj, JPOS_NONE);
    unsigned int smile = jpos_child(&ix, s, obj, "\xf0\x9f\x98\x80");
    assert_int_not_equal(smile, JPOS_NONE);
    assert_int_equal(ix.v[smile].type, 't');
    assert_int_equal(jpos_child(&ix, s, 0, "a"), JPOS_NONE);
    assert_int_equal(jpos_item(&ix, ab, 2), JPOS_NONE);
    assert_int_equal(ix.v[jpos_child(&ix, s, 0, "c")].col, 47);
    jpos_free(&ix);
    assert_int_equal(jpos_build("[1,]", 4, 10, &ix, &l, &c), JPOS_SYNTAX);
    assert_int_equal(c, 4);
    jpos_free(&ix);
    assert_int_equal(jpos_build("\"\xc3\xa9\" x", 6, 10, &ix, &l, &c), JPOS_SYNTAX);
    assert_int_equal(c, 5); /* characters, not bytes */
    jpos_free(&ix);
}

/* ---- the corpus ---- */

static void test_corpus(void **state)
{
    (void)state;
    char manifest[1024];
    struct stat sb;
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", CPOL_CORPUS_DIR);
    if (stat(CPOL_CORPUS_DIR "/oci", &sb) != 0) {
        print_message("corpus folder %s/oci not found: skipped\n", CPOL_CORPUS_DIR);
        skip();
    }
    size_t len;
    char *m = golden_read_file(manifest, &len);
    assert_non_null(m);
    size_t files = 0, rejected = 0, with_user = 0, with_caps = 0;
    int failures = 0;
    for (char *line = strtok(m, "\n"); line; line = strtok(NULL, "\n")) {
        char *col[12] = {0};
        size_t nc = golden_split_tsv(line, col, 12);
        if (nc < 9 || strncmp(col[0], "oci/", 4) != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", CPOL_CORPUS_DIR, col[0]);
        char *src = golden_read_file(path, &len);
        if (!src) {
            print_error("%s: cannot read\n", path);
            failures++;
            continue;
        }
        files++;
        result r;
        parse_buf(&r, col[0], src, len);
        if (strcmp(col[8], "yes") == 0) {
            if (r.d.n || r.rc != 0 || !container(&r)) {
                char *t = golden_diag_text(&r.d);
                print_error("%s: unexpected diagnostics:\n%s", col[0], t);
                free(t);
                failures++;
            }
            node *c = container(&r);
            with_user += c && node_get(c, "user");
            with_caps += c && node_get(c, "capabilities");
        } else {
            rejected++;
            if (r.d.n == 0 || r.d.v[0].line == 0) {
                print_error("%s: marked not parseable but no positioned diagnostic\n", col[0]);
                failures++;
            }
        }
        free(src);
        result_free(&r);
    }
    free(m);
    print_message("%zu OCI corpus files, %zu rejected as expected, %zu with user, %zu with "
                  "capabilities\n", files, rejected, with_user, with_caps);
    assert_true(files >= 41);
    assert_int_equal(rejected, 1);
    assert_true(with_caps >= 25);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_fields_and_positions),
        cmocka_unit_test(test_no_linux_means_host),
        cmocka_unit_test(test_syntax_error_position),
        cmocka_unit_test(test_duplicate_key_line),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_hundred_thousand_brackets),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
