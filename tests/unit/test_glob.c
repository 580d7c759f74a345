/* test_glob.c - glob_match against Go's filepath.Match cases plus Docker's "**", and .dockerignore
   parsing and exclusion as the Docker documentation describes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/glob.h"

typedef struct gcase {
    const char *pattern, *path;
    int want;
} gcase;

static const gcase go_cases[] = {
    {"abc", "abc", 1}, {"*", "abc", 1}, {"*c", "abc", 1}, {"a*", "a", 1}, {"a*", "abc", 1},
    {"a*", "ab/c", 0}, {"a*/b", "abc/b", 1}, {"a*/b", "a/c/b", 0},
    {"a*b*c*d*e*/f", "axbxcxdxe/f", 1}, {"a*b*c*d*e*/f", "axbxcxdxexxx/f", 1},
    {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0}, {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0},
    {"a*b?c*x", "abxbbxdbxebxczzx", 1}, {"a*b?c*x", "abxbbxdbxebxczzy", 0},
    {"ab[c]", "abc", 1}, {"ab[b-d]", "abc", 1}, {"ab[e-g]", "abc", 0}, {"ab[^c]", "abc", 0},
    {"ab[^b-d]", "abc", 0}, {"ab[^e-g]", "abc", 1}, {"a\\*b", "a*b", 1}, {"a\\*b", "ab", 0},
    {"a?b", "a\xe2\x98\xba" "b", 1}, {"a[^a]b", "a\xe2\x98\xba" "b", 1},
    {"a???b", "a\xe2\x98\xba" "b", 0}, {"a[^a][^a][^a]b", "a\xe2\x98\xba" "b", 0},
    {"[a-\xce\xb6]*", "\xce\xb1", 1}, {"*[a-\xce\xb6]", "A", 0}, {"a?b", "a/b", 0},
    {"a*b", "a/b", 0}, {"[\\]a]", "]", 1}, {"[\\-]", "-", 1}, {"[x\\-]", "x", 1},
    {"[x\\-]", "-", 1}, {"[x\\-]", "z", 0}, {"[\\-x]", "x", 1}, {"[\\-x]", "-", 1},
    {"[\\-x]", "a", 0}, {"[]a]", "]", -1}, {"[-]", "-", -1}, {"[x-]", "x", -1},
    {"[x-]", "-", -1}, {"[-x]", "x", -1}, {"\\", "a", -1}, {"[a-b-c]", "a", -1},
    {"[", "a", -1}, {"[^", "a", -1}, {"[^bc", "a", -1}, {"a[", "a", -1}, {"a[", "ab", -1},
    {"*x", "xxx", 1}, {"*", ".hidden", 1}, {"", "", 1}, {"", "a", 0},
};

static const gcase extra_cases[] = {
    {"**/*.go", "main.go", 1}, {"**/*.go", "a/b/main.go", 1}, {"**/*.go", "a/b/main.c", 0},
    {"**", "a/b/c", 1}, {"**", "", 1}, {"a/**", "a/b/c", 1}, {"a/**", "a", 0},
    {"a/**/b", "a/b", 1}, {"a/**/b", "a/x/y/b", 1}, {"a/**/b", "a/xb", 0},
    {"**b", "b", 1}, {"**b", "x/b", 1}, {"**b", "xb", 0}, {"[!a]b", "xb", 1}, {"[!a]b", "ab", 0},
    {"[z-a]", "b", -1}, {"x\xff", "x\xff", 1}, {"x?", "x\xff", 1}, {"x\xff", "x\xfe", 0},
    {".env*", ".env.local", 1}, {"*.pem", "certs/a.pem", 0},
};

static void run_cases(const gcase *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = glob_match(cs[i].pattern, cs[i].path);
        if (got != cs[i].want)
            fail_msg("glob_match(\"%s\", \"%s\") = %d, want %d", cs[i].pattern, cs[i].path, got,
                     cs[i].want);
    }
}

static void test_go_semantics(void **state)
{
    (void)state;
    run_cases(go_cases, sizeof go_cases / sizeof go_cases[0]);
}

static void test_double_star_and_extras(void **state)
{
    (void)state;
    run_cases(extra_cases, sizeof extra_cases / sizeof extra_cases[0]);
}

static void test_limits_no_blowup(void **state)
{
    (void)state;
    /* 500 stars against a long path that cannot match: linear NFA, not exponential backtracking */
    char pat[GLOB_MAX_PATTERN + 2];
    size_t k = 0;
    for (int i = 0; i < 500; i++)
        pat[k++] = '*', pat[k++] = 'a';
    pat[k++] = 'b';
    pat[k] = '\0';
    char *path = malloc(20001);
    memset(path, 'a', 20000);
    path[20000] = '\0';
    assert_int_equal(glob_match(pat, path), 0);
    path[19999] = 'b';
    assert_int_equal(glob_match(pat, path), 1);
    free(path);
    memset(pat, 'a', GLOB_MAX_PATTERN + 1);
    pat[GLOB_MAX_PATTERN + 1] = '\0';
    assert_int_equal(glob_match(pat, "a"), -1);
    assert_int_equal(glob_match(NULL, "a"), -1);
}

static dockerignore *parse(const char *text)
{
    dockerignore *di = dockerignore_parse(text, strlen(text));
    assert_non_null(di);
    return di;
}

static void test_dockerignore_rules(void **state)
{
    (void)state;
    dockerignore *di = parse("# comment\n"
                             "   # not a comment\n"
                             "*.md\n"
                             "!README.md\n"
                             "node_modules\n"
                             "/secret/\n"
                             "  build/**  \r\n"
                             "**/*.pem\n"
                             "!keep/**/*.pem\n"
                             "temp?\n"
                             "./logs/../cache\n"
                             "!\n"
                             "[\n"
                             "\n");
    assert_int_equal(dockerignore_rule_count(di), 12);
    assert_int_equal(dockerignore_has_exceptions(di), 1);
    static const struct { const char *path; int want; } c[] = {
        {"notes.md", 1}, {"./notes.md", 1}, {"/notes.md", 1}, {"README.md", 0}, {"docs/x.md", 0},
        {"node_modules", 1}, {"node_modules/a/b.js", 1}, {"secret/key", 1}, {"secret", 1},
        {"build/out/x", 1}, {"build", 0}, {"a/b/c.pem", 1}, {"c.pem", 1}, {"keep/c.pem", 0},
        {"keep/x/c.pem", 0}, {"tempa", 1}, {"tempab", 0}, {"dir/tempa", 0}, {"cache/x", 1},
        {"logs/x", 0}, {"# not a comment", 1}, {"# comment", 0}, {".", 0}, {"", 0},
        {"src/main.c", 0}, {"[", 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (dockerignore_excluded(di, c[i].path) != c[i].want)
            fail_msg("excluded(\"%s\") != %d", c[i].path, c[i].want);
    dockerignore_free(di);
}

static void test_dockerignore_docs_examples(void **state)
{
    (void)state;
    /* Exception placement: the last matching line decides. */
    dockerignore *di = parse("*.md\n!README*.md\nREADME-secret.md\n");
    assert_int_equal(dockerignore_excluded(di, "README-secret.md"), 1);
    assert_int_equal(dockerignore_excluded(di, "README.md"), 0);
    assert_int_equal(dockerignore_excluded(di, "CHANGES.md"), 1);
    dockerignore_free(di);
    di = parse("*.md\nREADME-secret.md\n!README*.md\n");
    assert_int_equal(dockerignore_excluded(di, "README-secret.md"), 0);
    dockerignore_free(di);
    /* "*" then exceptions: only what is listed goes in, directories included. */
    di = parse("*\n!src\n!go.mod\n");
    assert_int_equal(dockerignore_excluded(di, "src/main.c"), 0);
    assert_int_equal(dockerignore_excluded(di, "go.mod"), 0);
    assert_int_equal(dockerignore_excluded(di, "other/x"), 1);
    assert_int_equal(dockerignore_excluded(di, ".env"), 1);
    dockerignore_free(di);
    /* the docs example with one and two levels of "temp" prefixes */
    di = parse("*/temp*\n*/*/temp*\n");
    assert_int_equal(dockerignore_excluded(di, "somedir/temporary.txt"), 1);
    assert_int_equal(dockerignore_excluded(di, "somedir/temp"), 1);
    assert_int_equal(dockerignore_excluded(di, "somedir/subdir/temporary.txt"), 1);
    assert_int_equal(dockerignore_excluded(di, "temporary.txt"), 0);
    dockerignore_free(di);
}

static void test_dockerignore_details(void **state)
{
    (void)state;
    /* '!' inside a class is a member in Docker, a BOM is skipped */
    dockerignore *di = parse("\xEF\xBB\xBF" "x[!a]\n*.log\n");
    assert_int_equal(dockerignore_excluded(di, "x!"), 1);
    assert_int_equal(dockerignore_excluded(di, "xa"), 1);
    assert_int_equal(dockerignore_excluded(di, "xb"), 0);
    assert_int_equal(dockerignore_excluded(di, "a.log"), 1);
    assert_int_equal(dockerignore_has_exceptions(di), 0);
    dockerignore_free(di);
    /* a NUL inside a line makes that rule bad, the others still work */
    const char text[] = "a\0b\nc\n";
    di = dockerignore_parse(text, sizeof text - 1);
    assert_non_null(di);
    assert_int_equal(dockerignore_rule_count(di), 2);
    assert_int_equal(dockerignore_excluded(di, "a"), 0);
    assert_int_equal(dockerignore_excluded(di, "c"), 1);
    dockerignore_free(di);
    di = dockerignore_parse(NULL, 0);
    assert_non_null(di);
    assert_int_equal(dockerignore_excluded(di, "x"), 0);
    dockerignore_free(di);
    assert_int_equal(dockerignore_excluded(NULL, "x"), 0);
    dockerignore_free(NULL);
    /* cleaned patterns: "../x" stays, "a//b/./c/" is a/b/c */
    di = parse("a//b/./c/\n../x\n/\n");
    assert_int_equal(dockerignore_excluded(di, "a/b/c/d"), 1);
    assert_int_equal(dockerignore_excluded(di, "a/b"), 0);
    assert_int_equal(dockerignore_excluded(di, "x"), 0);
    dockerignore_free(di);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_semantics),
        cmocka_unit_test(test_double_star_and_extras),
        cmocka_unit_test(test_limits_no_blowup),
        cmocka_unit_test(test_dockerignore_rules),
        cmocka_unit_test(test_dockerignore_docs_examples),
        cmocka_unit_test(test_dockerignore_details),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
