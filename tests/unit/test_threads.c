/*
 * test_threads.c - engines used from several threads at once give exactly the results of a
 * serial scan (no global mutable state). Built also with ThreadSanitizer by `make test-tsan`.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "containerpolicy.h"

#define THREADS 4

static const char *const fallback[] = {"examples", "rules"};

typedef struct job {
    const char *const *paths;
    size_t npaths;
    char *json;
    int rc;
} job;

static char *scan_json(const char *const *paths, size_t n, int *rc)
{
    cpol_engine *e = cpol_engine_new(NULL);
    if (!e) {
        *rc = -100;
        return NULL;
    }
    cpol_report *r = NULL;
    *rc = cpol_engine_scan_paths(e, paths, n, &r);
    char *json = *rc == 0 ? cpol_report_to_json(r) : NULL;
    cpol_report_free(r);
    cpol_engine_free(e);
    return json;
}

static void *worker(void *arg)
{
    job *j = arg;
    j->json = scan_json(j->paths, j->npaths, &j->rc);
    return NULL;
}

static void parallel_equals_serial(void **state)
{
    (void)state;
    /* the shared corpus when it is there (CI has it beside the checkout), else our own files */
    static const char *const corpus[] = {CPOL_CORPUS_DIR "/dockerfile", CPOL_CORPUS_DIR "/compose",
                                         CPOL_CORPUS_DIR "/k8s"};
    struct stat st;
    const char *const *paths = stat(CPOL_CORPUS_DIR, &st) == 0 ? corpus : fallback;
    size_t n = paths == corpus ? 3 : 2;
    int rc;
    char *serial = scan_json(paths, n, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(serial);
    assert_true(strlen(serial) > 1000);
    pthread_t t[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i].paths = paths;
        jobs[i].npaths = n;
        jobs[i].json = NULL;
        assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(jobs[i].rc, 0);
        assert_non_null(jobs[i].json);
        assert_string_equal(jobs[i].json, serial);
        free(jobs[i].json);
    }
    print_message("    %d threads, each with its own engine: %zu bytes of JSON, identical\n",
                  THREADS, strlen(serial));
    free(serial);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parallel_equals_serial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
