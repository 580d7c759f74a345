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
    jpos_error err;
    assert_int_equal(jpos_build(s, strlen(s), 10, &ix, &err), JPOS_OK);
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
    assert_int_equal(jpos_build("[1,]", 4, 10, &ix, &err), JPOS_SYNTAX);
    assert_int_equal(err.col, 4);
    assert_null(ix.v); /* freed on failure */
    assert_int_equal(jpos_build("\"\xc3\xa9\" x", 6, 10, &ix, &err), JPOS_SYNTAX);
    assert_int_equal(err.col, 5); /* characters, not bytes */
}

/* ---- the JSON reader: every error class with its exact message, line and column ---- */

static void expect_bad(const char *s, size_t len, unsigned int line, unsigned int col,
                       const char *msg)
{
    result r;
    parse_buf(&r, "bad.json", s, len);
    if (r.d.n != 1 || strcmp(r.d.v[0].message, msg) != 0 || r.d.v[0].line != line ||
        r.d.v[0].col != col)
        print_error("input %.60s\n  got %u:%u %s\n want %u:%u %s\n", s, r.d.n ? r.d.v[0].line : 0,
                    r.d.n ? r.d.v[0].col : 0, r.d.n ? r.d.v[0].message : "(none)", line, col,
                    msg);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message, msg);
    assert_int_equal(r.d.v[0].line, line);
    assert_int_equal(r.d.v[0].col, col);
    assert_null(node_get(r.project, "containers"));
    result_free(&r);
}

#define BAD(lit, line, col, msg) expect_bad((lit), sizeof(lit) - 1, (line), (col), (msg))

static void test_reader_structure_errors(void **state)
{
    (void)state;
    BAD("", 1, 1, "invalid JSON: expected a value, found the end of the text");
    BAD(" \n  ", 2, 3, "invalid JSON: expected a value, found the end of the text");
    BAD("\xef\xbb\xbf{\"ociVersion\": \"1.0.0\"}", 1, 1,
        "invalid JSON: a byte order mark is not allowed");
    BAD("{]", 1, 2, "invalid JSON: expected a member name in double quotes, found ']'");
    BAD("{\"ociVersion\": \"1\",\n 'hostname': \"x\"}", 2, 2,
        "invalid JSON: expected a member name in double quotes, found '''");
    BAD("{\"ociVersion\": \"1\",\n \"hostname\": \"x\",\n}", 3, 1,
        "invalid JSON: expected a member name after ',', found '}' (a trailing comma is not "
        "allowed)");
    BAD("{\"process\": {\"args\": [\"sh\",]}}", 1, 28,
        "invalid JSON: expected a value after ',', found ']' (a trailing comma is not allowed)");
    BAD("{\"process\": {\"args\": [\"sh\" \"-c\"]}}", 1, 28,
        "invalid JSON: expected ',' or ']' after an array item, found \"-c\"");
    BAD("{\"ociVersion\" \"1\"}", 1, 15, "invalid JSON: expected ':' after the member name, "
                                          "found \"1\"");
    BAD("{\"ociVersion\": \"1\"\n \"hostname\": \"x\"}", 2, 2,
        "invalid JSON: expected ',' or '}' after an object member, found \"hostname\"");
    BAD("{\"ociVersion\": \"1\"", 1, 19,
        "invalid JSON: expected ',' or '}' after an object member, found the end of the text");
    BAD("{\"ociVersion\": ", 1, 16, "invalid JSON: expected a value, found the end of the text");
    BAD("{\"ociVersion\": \"1\"} {}", 1, 21,
        "invalid JSON: expected the end of the text after the top-level value, found '{'");
    BAD("{\"process\": {\"terminal\": True}}", 1, 26,
        "invalid JSON: expected a value, found 'True'");
    BAD("{\"process\": {\"terminal\": truex}}", 1, 26,
        "invalid JSON: expected a value, found 'truex'");
    BAD("{\"process\": {\"terminal\": nul}}", 1, 26, "invalid JSON: expected a value, found 'nul'");
    BAD("{\"a\": \x01}", 1, 7, "invalid JSON: expected a value, found byte 0x01");
    /* a NUL byte is no whitespace (jansson skipped one after a token; RFC 8259 does not) */
    static const char nul_after[] = "{\"ociVersion\": \"1\"}\0";
    expect_bad(nul_after, sizeof nul_after - 1, 1, 20,
               "invalid JSON: expected the end of the text after the top-level value, found byte "
               "0x00");
    static const char nul_inside[] = "{\"a\": 8\0}";
    expect_bad(nul_inside, sizeof nul_inside - 1, 1, 8,
               "invalid JSON: expected ',' or '}' after an object member, found byte 0x00");
    /* an OCI config must be an object; other top values are JSON but not a config */
    BAD("\"x\"", 1, 1, "an OCI config must be a JSON object, not a string");
    BAD("  \n 42", 2, 2, "an OCI config must be a JSON object, not a number");
}

static void test_reader_string_errors(void **state)
{
    (void)state;
    BAD("{\"hostname\": \"abc", 1, 14,
        "invalid JSON: string not closed before the end of the text");
    BAD("{\"hostname\": \"a\\", 1, 14,
        "invalid JSON: string not closed before the end of the text");
    BAD("{\"hostname\": \"ab\ncd\"}", 1, 17,
        "invalid JSON: control character 0x0a inside a string (write it as an escape)");
    BAD("{\"hostname\": \"\xc3\xa9t\xc3\xa9\tx\"}", 1, 18,
        "invalid JSON: control character 0x09 inside a string (write it as an escape)");
    static const char nul[] = "{\"ociVersion\": \"1\0\"}";
    expect_bad(nul, sizeof nul - 1, 1, 18,
               "invalid JSON: control character 0x00 inside a string (write it as an escape)");
    BAD("{\"hostname\": \"a\\x\"}", 1, 16, "invalid JSON: invalid escape '\\x' inside a string");
    BAD("{\"hostname\": \"a\\'\"}", 1, 16, "invalid JSON: invalid escape '\\'' inside a string");
    BAD("{\"hostname\": \"\\u00g9\"}", 1, 15, "invalid JSON: \\u must be followed by four hex "
                                              "digits");
    BAD("{\"hostname\": \"\\u12\"}", 1, 15, "invalid JSON: \\u must be followed by four hex "
                                            "digits");
    BAD("{\"hostname\": \"x\\u0000\"}", 1, 16,
        "invalid JSON: \\u0000 (a NUL character) is not allowed in a string");
    BAD("{\"hostname\": \"\\ud800\"}", 1, 15,
        "invalid JSON: lone surrogate \\ud800: a high surrogate must be followed by a low one "
        "(\\uDC00 to \\uDFFF)");
    BAD("{\"hostname\": \"\\uD83D\\u0041\"}", 1, 15,
        "invalid JSON: lone surrogate \\uD83D: a high surrogate must be followed by a low one "
        "(\\uDC00 to \\uDFFF)");
    BAD("{\"hostname\": \"\\udc00\"}", 1, 15,
        "invalid JSON: lone surrogate \\udc00: a low surrogate must follow a high one");
    /* invalid UTF-8 in a value and in a key; columns count characters before the bad byte */
    BAD("{\"ociVersion\": \"1\",\n \"hostname\": \"\xc3\xa9\xff\"}", 2, 16,
        "invalid JSON: invalid UTF-8 byte 0xff");
    BAD("{\"ociVersion\": \"1\",\n \"h\xc3\xa9\xfe\": \"x\"}", 2, 5,
        "invalid JSON: invalid UTF-8 byte 0xfe");
    BAD("{\"hostname\": \"\xe2\x82x\"}", 1, 15,
        "invalid JSON: incomplete UTF-8 sequence: byte 0xe2 needs 2 continuation bytes");
    BAD("{\"hostname\": \"\xed\xa0\x80\"}", 1, 15,
        "invalid JSON: invalid UTF-8 sequence 0xed 0xa0 (an overlong form, a surrogate or "
        "beyond U+10FFFF)");
    BAD("{\"hostname\": \"\xe0\x80\xaf\"}", 1, 15,
        "invalid JSON: invalid UTF-8 sequence 0xe0 0x80 (an overlong form, a surrogate or "
        "beyond U+10FFFF)");
    BAD("{\"hostname\": \"\xc0\xaf\"}", 1, 15, "invalid JSON: invalid UTF-8 byte 0xc0");
    BAD("{\"hostname\": \"\xf4\x90\x80\x80\"}", 1, 15,
        "invalid JSON: invalid UTF-8 sequence 0xf4 0x90 (an overlong form, a surrogate or "
        "beyond U+10FFFF)");
    BAD("{\"a\": \xc3\xa9}", 1, 7, "invalid JSON: expected a value, found byte 0xc3");
}

static void test_reader_number_errors(void **state)
{
    (void)state;
    BAD("{\"process\": {\"user\": {\"uid\": 1e99999}}}", 1, 30,
        "invalid JSON: number too large for a double: 1e99999");
    BAD("{\"a\": [-1.8e308]}", 1, 8, "invalid JSON: number too large for a double: -1.8e308");
    BAD("{\"process\": {\"user\": {\"uid\": 01}}}", 1, 30,
        "invalid JSON: a number must not start with 0 unless it is 0 (no leading zeros)");
    BAD("{\"process\": {\"user\": {\"uid\": 1.}}}", 1, 32,
        "invalid JSON: expected a digit after the decimal point, found '}'");
    BAD("{\"process\": {\"user\": {\"uid\": .5}}}", 1, 30,
        "invalid JSON: expected a value, found '.'");
    BAD("{\"a\": -}", 1, 8, "invalid JSON: expected a digit after '-', found '}'");
    BAD("{\"a\": -Infinity}", 1, 8, "invalid JSON: expected a digit after '-', found 'Infinity'");
    BAD("{\"a\": 1e+}", 1, 10, "invalid JSON: expected a digit in the exponent, found '}'");
    BAD("{\"a\": +1}", 1, 7, "invalid JSON: expected a value, found '+'");
    BAD("{\"a\": 12abc}", 1, 9, "invalid JSON: unexpected 'abc' right after a number");
    BAD("{\"a\": NaN}", 1, 7, "invalid JSON: expected a value, found 'NaN'");
}

/* Numbers that are JSON: read, then judged by the field's own range. */
static void test_reader_numbers_accepted(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "{\"process\": {\"user\": {\"uid\": -0, \"gid\": 18446744073709551616}},\n"
                  " \"x\": [1e-99999, 1.7976931348623157e308, 0e999999999999, 2.5E+3, -0.0]}");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message,
                        "process.user.gid is out of range: 18446744073709551616");
    assert_int_equal(r.d.v[0].line, 1);
    assert_int_equal(r.d.v[0].col, 41);
    node *u = node_get(container(&r), "user");
    assert_int_equal(node_get_int(u, "uid", -1), 0);
    assert_null(node_get(u, "gid"));
    result_free(&r);
}

static void test_reader_duplicates(void **state)
{
    (void)state;
    BAD("{\"process\": {\"user\": {\"uid\": 0,\n  \"uid\": 1}}}", 2, 3,
        "invalid JSON: duplicate key \"uid\"");
    /* keys are compared decoded */
    BAD("{\"process\": {\"user\": {\"uid\": 0, \"\\u0075id\": 1}}}", 1, 33,
        "invalid JSON: duplicate key \"uid\"");
    BAD("{\"a\\\"b\\n\": 0, \"a\\u0022b\\u000a\": 1}", 1, 15,
        "invalid JSON: duplicate key \"a\\\"b\\u000a\"");
    /* the first problem in the text wins: an earlier duplicate in an object still open... */
    BAD("{\"hostname\": \"a\", \"hostname\": \"b\", \"x\": [1,]}", 1, 19,
        "invalid JSON: duplicate key \"hostname\"");
    BAD("{\"hostname\": \"a\", \"hostname\" \"b\"}", 1, 19,
        "invalid JSON: duplicate key \"hostname\"");
    /* ...and an outer duplicate before an inner one */
    BAD("{\"a\": 1, \"a\": {\"b\": 1, \"b\": 2}}", 1, 10, "invalid JSON: duplicate key \"a\"");
    BAD("{\"a\": {\"b\": 1, \"b\": 2}, \"a\": 1}", 1, 16, "invalid JSON: duplicate key \"b\"");
}

/* A long key is shortened in the message, never inside a character. */
static void test_reader_long_duplicate(void **state)
{
    (void)state;
    char s[512], want[256];
    size_t k = (size_t)sprintf(s, "{\"x");
    for (int i = 0; i < 50; i++)
        k += (size_t)sprintf(s + k, "\xc3\xa9");
    k += (size_t)sprintf(s + k, "\": 1, \"\\u0078");
    for (int i = 0; i < 50; i++)
        k += (size_t)sprintf(s + k, "\xc3\xa9");
    k += (size_t)sprintf(s + k, "\": 2}");
    size_t w = (size_t)sprintf(want, "invalid JSON: duplicate key \"x");
    for (int i = 0; i < 41; i++)
        w += (size_t)sprintf(want + w, "\xc3\xa9");
    sprintf(want + w, "...\"");
    expect_bad(s, k, 1, 60, want);
}

/* A 100,000-key object: read in O(n log n); a repeated key at the very end is found. */
static void test_hundred_thousand_keys(void **state)
{
    (void)state;
    const size_t n = 100000;
    char *s = malloc(n * 24 + 64);
    assert_non_null(s);
    size_t k = (size_t)sprintf(s, "{\"ociVersion\": \"1\", \"x\": {");
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, "%s\"k%zu\": %zu", i ? "," : "", i, i);
    size_t open = k;
    k += (size_t)sprintf(s + k, "}, \"hostname\": \"h\"}");
    result r;
    parse_buf(&r, "keys.json", s, k);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    assert_string_equal(node_get_str(container(&r), "hostname"), "h");
    result_free(&r);
    /* the same object with "k77777" again as its last member */
    k = open;
    size_t at = k + 1; /* the opening quote, after the comma; columns are 1-based */
    k += (size_t)sprintf(s + k, ",\"k77777\": 1}}");
    parse_buf(&r, "keys.json", s, k);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message, "invalid JSON: duplicate key \"k77777\"");
    assert_int_equal(r.d.v[0].line, 1);
    assert_int_equal(r.d.v[0].col, (unsigned int)at + 1);
    result_free(&r);
    free(s);
}

/* With a limit high enough, 100,000 nested brackets are read without recursion. */
static void test_deep_nesting_allowed(void **state)
{
    (void)state;
    const size_t n = 100000;
    char *s = malloc(2 * n + 64);
    assert_non_null(s);
    size_t k = (size_t)sprintf(s, "{\"ociVersion\": \"1\", \"x\": ");
    for (size_t i = 0; i < n; i++)
        s[k++] = '[';
    for (size_t i = 0; i < n; i++)
        s[k++] = ']';
    k += (size_t)sprintf(s + k, ", \"hostname\": \"h\"}");
    cpol_limits lim = {0};
    lim.max_json_depth = 200000;
    result r;
    parse_lim(&r, "deep.json", s, k, &lim);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    assert_string_equal(node_get_str(container(&r), "hostname"), "h");
    result_free(&r);
    free(s);
}

/* Lookups by decoded name; null counts as absent. */
static void test_lookup_rules(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "{\"process\": {\"user\": {\"\\u0075id\": 7, \"g\\u0069d\": null},\n"
                  " \"cwd\": null, \"env\": [\"A\\u003d\\u00e9=x\"], \"terminal\": null},\n"
                  " \"root\": null, \"linux\": null}");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    node *c = container(&r);
    node *u = node_get(c, "user");
    assert_int_equal(node_get_int(u, "uid", -1), 7);
    assert_pos(node_get(u, "uid"), 1, 35);
    assert_null(node_get(u, "gid"));
    assert_null(node_get(c, "cwd"));
    assert_null(node_get(c, "terminal"));
    assert_null(node_get(c, "root"));
    node *env = list_at(node_get(c, "env"), 0);
    assert_string_equal(node_get_str(env, "name"), "A");
    assert_string_equal(node_get_str(env, "value"), "\xc3\xa9=x");
    result_free(&r);
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
        cmocka_unit_test(test_reader_structure_errors),
        cmocka_unit_test(test_reader_string_errors),
        cmocka_unit_test(test_reader_number_errors),
        cmocka_unit_test(test_reader_numbers_accepted),
        cmocka_unit_test(test_reader_duplicates),
        cmocka_unit_test(test_reader_long_duplicate),
        cmocka_unit_test(test_hundred_thousand_keys),
        cmocka_unit_test(test_deep_nesting_allowed),
        cmocka_unit_test(test_lookup_rules),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
