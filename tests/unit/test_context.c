/* test_context.c - build-context listing over the fixtures in tests/data/context/ and over temp
   folders holding what git cannot keep: symlink loops, links to folders, FIFOs, .git. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/context.h"

static void expect_list(const context_list *l, const char *const *want, size_t n)
{
    for (size_t i = 0; i < l->n; i++)
        print_message("  %s\n", l->paths[i]);
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->paths[i], want[i]);
}

static void test_fixture_with_dockerignore(void **state)
{
    (void)state;
    context_list l;
    assert_int_equal(context_list_files(CPOL_SOURCE_DIR "/tests/data/context/basic", 1000, &l), 0);
    static const char *const want[] = {".dockerignore", ".env.example", "README.md",
                                       "config/id_rsa", "secrets/public.txt", "src/lib/util.c",
                                       "src/main.c"};
    expect_list(&l, want, 7);
    assert_int_equal(l.has_dockerignore, 1);
    assert_int_equal(l.truncated, 0);
    assert_null(l.error);
    context_list_free(&l);
    assert_int_equal(l.n, 0);
    assert_null(l.paths);
}

static void test_fixture_without_dockerignore(void **state)
{
    (void)state;
    context_list l;
    assert_int_equal(context_list_files(CPOL_SOURCE_DIR "/tests/data/context/noignore", 1000, &l),
                     0);
    static const char *const want[] = {".env", "a/b.txt"};
    expect_list(&l, want, 2);
    assert_int_equal(l.has_dockerignore, 0);
    context_list_free(&l);
}

static void test_truncation(void **state)
{
    (void)state;
    context_list l;
    assert_int_equal(context_list_files(CPOL_SOURCE_DIR "/tests/data/context/basic", 3, &l), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.truncated, 1);
    /* walk order is sorted per folder, so the first three are these */
    static const char *const want[] = {".dockerignore", ".env.example", "README.md"};
    expect_list(&l, want, 3);
    context_list_free(&l);
    assert_int_equal(context_list_files(CPOL_SOURCE_DIR "/tests/data/context/basic", 0, &l), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.truncated, 1);
    context_list_free(&l);
}

static void test_missing_dir(void **state)
{
    (void)state;
    context_list l;
    assert_int_equal(context_list_files("/nonexistent/cpol-context", 10, &l), -1);
    assert_non_null(l.error);
    assert_string_equal(l.error, "cannot open /nonexistent/cpol-context: No such file or directory");
    context_list_free(&l);
    assert_int_equal(context_list_files(CPOL_SOURCE_DIR "/tests/data/context/basic/README.md", 10,
                                        &l), -1);
    assert_non_null(strstr(l.error, "Not a directory"));
    context_list_free(&l);
    context_list_free(NULL);
}

static char tmp[64];

static void mk(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void mkd(const char *rel)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void ln(const char *target, const char *rel)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    assert_int_equal(symlink(target, p), 0);
}

static void fifo(const char *rel)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    assert_int_equal(mkfifo(p, 0644), 0);
}

static void rm_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

/* An empty folder (also the context itself) lists nothing and is not undefined behaviour: the
   walker once sorted a NULL array there, which UBSan stops. */
static void test_empty_folders(void **state)
{
    (void)state;
    strcpy(tmp, "/tmp/cpol-context-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    context_list l;
    assert_int_equal(context_list_files(tmp, 100, &l), 0);
    assert_null(l.error);
    assert_int_equal(l.n, 0);
    context_list_free(&l);
    mkd("empty");
    mkd("empty/deeper");
    mk("a.txt", "x");
    assert_int_equal(context_list_files(tmp, 100, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.paths[0], "a.txt");
    context_list_free(&l);
    rm_tree();
}

static void test_links_fifos_git(void **state)
{
    (void)state;
    strcpy(tmp, "/tmp/cpol-context-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    mkd("d");
    mk("d/file.txt", "x");
    ln(".", "d/loop");           /* a loop: listed as a link, never entered */
    ln("../d", "d/up");          /* a link to a folder */
    ln("/nonexistent", "dangling");
    fifo("pipe");                /* never opened, never listed */
    mkd(".git");
    mk(".git/config", "[core]");
    mk("app.env", "A=1");
    context_list l;
    assert_int_equal(context_list_files(tmp, 100, &l), 0);
    static const char *const want[] = {"app.env", "d/file.txt", "d/loop", "d/up", "dangling"};
    expect_list(&l, want, 5);
    assert_int_equal(l.has_dockerignore, 0);
    context_list_free(&l);
    rm_tree();
}

static void test_fifo_dockerignore_and_pruning(void **state)
{
    (void)state;
    strcpy(tmp, "/tmp/cpol-context-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    fifo(".dockerignore"); /* opening it for reading would block */
    mk("a.txt", "x");
    context_list l;
    assert_int_equal(context_list_files(tmp, 100, &l), 0);
    /* the FIFO itself is not listed (not a file or link) and is not read as rules */
    static const char *const want[] = {"a.txt"};
    expect_list(&l, want, 1);
    assert_int_equal(l.has_dockerignore, 0);
    context_list_free(&l);
    rm_tree();

    /* Without '!' rules an excluded folder is not entered; with them it is. */
    strcpy(tmp, "/tmp/cpol-context-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    mk(".dockerignore", "vendor\n");
    mkd("vendor");
    mk("vendor/x.go", "x");
    mk("main.go", "x");
    assert_int_equal(context_list_files(tmp, 100, &l), 0);
    static const char *const want2[] = {".dockerignore", "main.go"};
    expect_list(&l, want2, 2);
    assert_int_equal(l.has_dockerignore, 1);
    context_list_free(&l);
    mk(".dockerignore", "vendor\n!vendor/x.go\n");
    assert_int_equal(context_list_files(tmp, 100, &l), 0);
    static const char *const want3[] = {".dockerignore", "main.go", "vendor/x.go"};
    expect_list(&l, want3, 3);
    context_list_free(&l);
    rm_tree();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_with_dockerignore),
        cmocka_unit_test(test_fixture_without_dockerignore),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_missing_dir),
        cmocka_unit_test(test_links_fifos_git),
        cmocka_unit_test(test_empty_folders),
        cmocka_unit_test(test_fifo_dockerignore_and_pruning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
