/* test_ci.c - the CI-facing parts of a scan through the library: cpol:ignore comment parsing
   (also on hostile text), suppression matching, fingerprints, baselines, configuration through the
   API (a failed load changes nothing) and parallel scans equal to serial ones. */
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

#include "engine/report.h"

/* ---- comment parsing ------------------------------------------------------------------------ */

static const report_source *parse_text(cpol_report *r, const char *text, size_t len)
{
    source_add(r, "f", text, len);
    assert_int_equal(r->failed, 0);
    assert_int_equal(r->nsources, 1);
    return &r->sources[0];
}

static void test_comment_forms(void **state)
{
    (void)state;
    cpol_report *r = report_new();
    static const char text[] = "FROM a\n"                                  /* 1 */
                               "RUN x # cpol:ignore=CP001,cp002, CP003 why not\n" /* 2 */
                               "#cpol:ignore=CP004\n"                      /* 3 */
                               "  # cpol:ignore-file=CP005  \n"            /* 4 */
                               "# cpol:ignore= CP006\n"                    /* 5: no id */
                               "# cpol:ignore\n"                           /* 6: no = */
                               "x # not cpol:ignore=CP007\n"               /* 7: not after # */
                               "\n"                                        /* 8 */
                               "# cpol:ignoreX=CP008\n"                    /* 9 */
                               "RUN y\r\n"                                 /* 10 */
                               "# cpol:ignore=CP009";                      /* 11, no newline */
    const report_source *s = parse_text(r, text, sizeof text - 1);
    assert_int_equal(s->nlines, 11);
    assert_int_equal(s->nign, 4);
    const src_ignore *g = &s->ign[0];
    assert_int_equal(g->line, 2);
    assert_int_equal(g->col, 7);
    assert_int_equal(g->next_line, 0); /* after code: its own line only */
    assert_int_equal(g->nids, 3);
    assert_string_equal(g->ids[0], "CP001");
    assert_string_equal(g->ids[1], "CP002");
    assert_string_equal(g->ids[2], "CP003");
    assert_string_equal(g->reason, "why not");
    g = &s->ign[1];
    assert_int_equal(g->line, 3);
    assert_int_equal(g->next_line, 7); /* lines 4-6 are comments too: skipped */
    g = &s->ign[2];
    assert_int_equal(g->line, 4);
    assert_int_equal(g->col, 3);
    assert_int_equal(g->file_level, 1);
    assert_string_equal(g->ids[0], "CP005");
    assert_string_equal(g->reason, "");
    g = &s->ign[3];
    assert_int_equal(g->line, 11);
    assert_int_equal(g->next_line, 0); /* nothing follows */
    /* the CRLF line hashes like the same line without CR, blanks normalized */
    cpol_report *r2 = report_new();
    report_source *s2 = (report_source *)parse_text(r2, "  RUN   y", 9);
    report_source *s1 = (report_source *)s;
    assert_true(source_line_hash(s2, 1) == source_line_hash(s1, 10));
    assert_true(source_line_hash(s1, 1) != source_line_hash(s1, 10));
    assert_true(source_line_hash(s1, 10) == source_line_hash(s2, 1)); /* back and forth */
    assert_true(source_line_hash(s1, 12) == 0);                       /* past the end */
    cpol_report_free(r2);
    cpol_report_free(r);
}

static void test_comment_stacking(void **state)
{
    (void)state;
    cpol_report *r = report_new();
    static const char text[] = "# cpol:ignore=A1\n# cpol:ignore=B2\n  # other comment\nRUN x\n";
    const report_source *s = parse_text(r, text, sizeof text - 1);
    assert_int_equal(s->nlines, 4);
    assert_int_equal(s->nign, 2);
    assert_int_equal(s->ign[0].next_line, 4);
    assert_int_equal(s->ign[1].next_line, 4);
    /* a name already recorded is not scanned twice */
    source_add(r, "f", "# cpol:ignore=Z9\n", 17);
    assert_int_equal(r->nsources, 1);
    cpol_report_free(r);
}

static void test_comment_hostile(void **state)
{
    (void)state;
    /* NULs, invalid UTF-8, a huge line, many ids: no crash, bounded results */
    size_t n = 3u << 20;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    static const char head[] = "# cpol:ignore=";
    memcpy(big, head, sizeof head - 1);
    for (size_t i = sizeof head - 1; i + 2 < 2000; i += 2) {
        big[i] = 'X';
        big[i + 1] = ',';
    }
    big[100000] = '\0';
    big[100001] = '\xff';
    big[n - 1] = '\n';
    cpol_report *r = report_new();
    const report_source *s = parse_text(r, big, n);
    assert_int_equal(s->nlines, 1);
    assert_int_equal(s->nign, 1);
    assert_int_equal(s->ign[0].nids, 64); /* capped */
    cpol_report_free(r);
    free(big);
    r = report_new();
    s = parse_text(r, "", 0);
    assert_int_equal(s->nign, 0);
    cpol_report_free(r);
    r = report_new();
    s = parse_text(r, "#", 1);
    assert_int_equal(s->nign, 0);
    assert_int_equal(s->nlines, 1);
    cpol_report_free(r);
}

/* ---- through the API ------------------------------------------------------------------------- */

static const char rule_src[] =
    "return { id = 'T002', severity = 'medium', title = 'RUN seen', formats = { 'dockerfile' },\n"
    "  remediation = 'none', options = { words = { 'x' }, limit = 3 },\n"
    "  check = function(c, report)\n"
    "    local st = c.build.stages\n"
    "    for _, ins in ipairs(st[#st].instructions) do\n"
    "      if ins.cmd == 'RUN' then report{ at = ins, message = 'RUN ' .. cpol.option('limit') }\n"
    "      end\n"
    "    end\n"
    "  end }\n";

static cpol_engine *engine(void)
{
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = 1;
    cpol_engine *e = cpol_engine_new(&o);
    assert_non_null(e);
    assert_int_equal(cpol_engine_add_rule_source(e, "t002.lua", rule_src, strlen(rule_src)), 0);
    return e;
}

static cpol_report *scan(cpol_engine *e, const char *text)
{
    cpol_report *r = NULL;
    assert_int_equal(
        cpol_engine_scan_buffer(e, "Dockerfile", text, strlen(text), CPOL_FORMAT_AUTO, &r), 0);
    return r;
}

static void test_api_suppress_and_fingerprint(void **state)
{
    (void)state;
    cpol_engine *e = engine();
    cpol_report *r = scan(e, "FROM a\nRUN one\n# cpol:ignore=T002 ok\nRUN two\nRUN one\n");
    assert_int_equal(cpol_report_count(r), 3);
    assert_int_equal(cpol_report_suppressed_count(r), 1);
    assert_int_equal(cpol_report_finding(r, 1)->line, 4);
    assert_int_equal(cpol_report_finding(r, 1)->suppressed, 1);
    assert_int_equal(cpol_report_finding(r, 0)->suppressed, 0);
    assert_int_equal(cpol_report_unused_ignore_count(r), 0);
    assert_null(cpol_report_unused_ignore(r, 0));
    /* two identical lines: different fingerprints (rank), each 16 hex digits */
    const char *f0 = cpol_report_fingerprint(r, 0), *f2 = cpol_report_fingerprint(r, 2);
    assert_int_equal(strlen(f0), 16);
    assert_string_not_equal(f0, f2);
    assert_null(cpol_report_fingerprint(r, 3));
    char *json = cpol_report_to_json(r);
    assert_non_null(strstr(json, "\"summary\": {\"files\": 1, \"findings\": 2, \"errors\": 0, "
                                 "\"suppressed\": 1}"));
    cpol_free(json);
    /* unrelated lines above: same fingerprints */
    cpol_report *r2 = scan(e, "# header\n\nFROM a\nRUN one\n# cpol:ignore=T002 ok\nRUN two\n"
                              "RUN one\n");
    assert_int_equal(cpol_report_count(r2), 3);
    assert_int_equal(cpol_report_finding(r2, 0)->line, 4);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(cpol_report_fingerprint(r, i), cpol_report_fingerprint(r2, i));
    /* a baseline of r: r2 has nothing new; a new RUN is new */
    char *bl = cpol_report_to_baseline(r);
    assert_non_null(bl);
    char path[] = "/tmp/cpol-baseline-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bl, strlen(bl)), (ssize_t)strlen(bl));
    close(fd);
    cpol_free(bl);
    assert_int_equal(cpol_engine_load_baseline(e, path), 0);
    cpol_report *r3 = scan(e, "FROM a\nRUN one\n# cpol:ignore=T002 ok\nRUN two\nRUN one\nRUN 3\n");
    assert_int_equal(cpol_report_baselined_count(r3), 2);
    assert_int_equal(cpol_report_count(r3), 2); /* the suppressed one and the new one */
    assert_int_equal(cpol_report_finding(r3, 1)->line, 6);
    assert_int_equal(cpol_report_finding(r3, 1)->suppressed, 0);
    cpol_report_free(r3);
    FILE *f = fopen(path, "w");
    fputs("{\"cpol_baseline\": 1, \"findings\": [{\"fingerprint\": \"xyz\"}]}", f);
    fclose(f);
    assert_int_equal(cpol_engine_load_baseline(e, path), CPOL_ECONFIG);
    assert_non_null(strstr(cpol_engine_last_error(e), "finding 1 has no valid \"fingerprint\""));
    unlink(path);
    cpol_report_free(r);
    cpol_report_free(r2);
    cpol_engine_free(e);
}

static void test_api_unused(void **state)
{
    (void)state;
    cpol_engine *e = engine();
    cpol_report *r = scan(e, "FROM a\n# cpol:ignore=T002,T404 x\nRUN y\n");
    assert_int_equal(cpol_report_unused_ignore_count(r), 1);
    const cpol_diag *d = cpol_report_unused_ignore(r, 0);
    assert_string_equal(d->file, "Dockerfile");
    assert_int_equal(d->line, 2);
    assert_int_equal(d->column, 1);
    assert_string_equal(d->rule_id, "T404");
    assert_string_equal(d->message, "cpol:ignore=T404 matches no T404 finding here");
    assert_int_equal(cpol_report_incomplete(r), 0);
    cpol_report_free(r);
    cpol_engine_free(e);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/cpol-cfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_api_config(void **state)
{
    (void)state;
    cpol_engine *e = engine();
    assert_int_equal(cpol_engine_config_fail_on(e), -1);
    /* a bad file changes nothing, even the parts before the error */
    char *p = write_tmp("fail-on: low\nrules:\n  T002:\n    severity: low\n    options:\n"
                        "      limit: 9\n      nope: 1\n");
    assert_int_equal(cpol_engine_load_config(e, p), CPOL_ECONFIG);
    char want[256];
    snprintf(want, sizeof want, "%s:7: rule T002 has no option \"nope\" (its options: limit, words)",
             p);
    assert_string_equal(cpol_engine_last_error(e), want);
    unlink(p);
    assert_int_equal(cpol_engine_config_fail_on(e), -1);
    cpol_report *r = scan(e, "FROM a\nRUN y\n");
    assert_string_equal(cpol_report_finding(r, 0)->message, "RUN 3");
    assert_int_equal(cpol_report_finding(r, 0)->severity, CPOL_SEVERITY_MEDIUM);
    cpol_report_free(r);
    /* a good one applies: severity, one option replaced, the other kept */
    p = write_tmp("fail-on: none\nrules:\n  T002:\n    severity: low\n    options:\n"
                  "      limit: 9\n");
    assert_int_equal(cpol_engine_load_config(e, p), 0);
    unlink(p);
    assert_int_equal(cpol_engine_config_fail_on(e), 0);
    r = scan(e, "FROM a\nRUN y\n");
    assert_string_equal(cpol_report_finding(r, 0)->message, "RUN 9");
    assert_int_equal(cpol_report_finding(r, 0)->severity, CPOL_SEVERITY_LOW);
    cpol_report_free(r);
    /* disabled: no findings, and the rule leaves the SARIF rule list */
    p = write_tmp("rules:\n  T002: {enabled: false}\n");
    assert_int_equal(cpol_engine_load_config(e, p), 0);
    unlink(p);
    r = scan(e, "FROM a\nRUN y\n");
    assert_int_equal(cpol_report_count(r), 0);
    char *sarif = cpol_report_to_sarif(r);
    assert_non_null(strstr(sarif, "\"rules\": []"));
    cpol_free(sarif);
    cpol_report_free(r);
    /* an empty file is a valid configuration; two documents are not */
    p = write_tmp("# nothing\n");
    assert_int_equal(cpol_engine_load_config(e, p), 0);
    unlink(p);
    p = write_tmp("rules: {}\n---\nrules: {}\n");
    assert_int_equal(cpol_engine_load_config(e, p), CPOL_ECONFIG);
    snprintf(want, sizeof want, "%s:2: the configuration must be one YAML document", p);
    assert_string_equal(cpol_engine_last_error(e), want);
    unlink(p);
    assert_int_equal(cpol_engine_load_config(e, "/nonexistent/.cpol.yaml"), CPOL_EIO);
    assert_int_equal(cpol_engine_load_config(NULL, "x"), CPOL_EINVAL);
    assert_int_equal(cpol_engine_config_fail_on(NULL), -1);
    cpol_engine_free(e);
}

/* The shared corpus when it is beside the checkout (CI has it), else the project's own inputs. */
static int have_corpus(void)
{
    struct stat st;
    return stat(CPOL_CORPUS_DIR, &st) == 0;
}

static void test_api_parallel(void **state)
{
    (void)state;
    const char *paths[] = {CPOL_CORPUS_DIR "/dockerfile", CPOL_CORPUS_DIR "/k8s"};
    if (!have_corpus()) {
        paths[0] = CPOL_SOURCE_DIR "/examples";
        paths[1] = CPOL_SOURCE_DIR "/rules";
    }
    cpol_engine *one = cpol_engine_new(NULL);
    cpol_report *a = NULL, *b = NULL;
    assert_int_equal(cpol_engine_scan_paths(one, paths, 2, &a), 0);
    cpol_engine *es[3] = {cpol_engine_new(NULL), cpol_engine_new(NULL), cpol_engine_new(NULL)};
    assert_int_equal(cpol_engine_scan_paths_parallel(es, 3, paths, 2, &b), 0);
    char *ja = cpol_report_to_json(a), *jb = cpol_report_to_json(b);
    assert_true(cpol_report_count(a) > 10);
    assert_string_equal(ja, jb);
    char *sa = cpol_report_to_sarif(a), *sb = cpol_report_to_sarif(b);
    assert_string_equal(sa, sb);
    cpol_free(ja);
    cpol_free(jb);
    cpol_free(sa);
    cpol_free(sb);
    cpol_report_free(b);
    /* more engines than files, and bad arguments */
    const char *single[] = {have_corpus()
                                ? CPOL_CORPUS_DIR "/dockerfile/kube-score/cmd/kube-score/Dockerfile"
                                : CPOL_SOURCE_DIR "/examples/dockerfile-bad/Dockerfile"};
    assert_int_equal(cpol_engine_scan_paths_parallel(es, 3, single, 1, &b), 0);
    assert_int_equal(cpol_report_file_count(b), 1);
    cpol_report_free(b);
    assert_int_equal(cpol_engine_scan_paths_parallel(es, 0, paths, 2, &b), CPOL_EINVAL);
    assert_null(b);
    cpol_engine *withnull[2] = {es[0], NULL};
    assert_int_equal(cpol_engine_scan_paths_parallel(withnull, 2, paths, 2, &b), CPOL_EINVAL);
    for (int i = 0; i < 3; i++)
        cpol_engine_free(es[i]);
    cpol_report_free(a);
    cpol_engine_free(one);
}

/* A cpol_write_fn collecting the pieces; refuses once `fail_after` pieces were taken. */
typedef struct collect {
    char *text;
    size_t len, pieces, fail_after, largest;
} collect;

static int collect_piece(void *ud, const char *data, size_t len)
{
    collect *c = ud;
    if (c->pieces == c->fail_after)
        return -1;
    c->text = realloc(c->text, c->len + len + 1);
    memcpy(c->text + c->len, data, len);
    c->len += len;
    c->text[c->len] = '\0';
    c->pieces++;
    if (len > c->largest)
        c->largest = len;
    return 0;
}

/* The streaming writers give the very text of the string ones, in pieces of about 64 KiB, and
   stop with CPOL_EIO when the sink refuses. */
static void test_api_write_streams(void **state)
{
    (void)state;
    const char *paths[] = {have_corpus() ? CPOL_CORPUS_DIR "/k8s" : CPOL_SOURCE_DIR "/examples"};
    cpol_engine *e = cpol_engine_new(NULL);
    cpol_report *r = NULL;
    assert_int_equal(cpol_engine_scan_paths(e, paths, 1, &r), 0);
    int (*const writers[2])(const cpol_report *, cpol_write_fn, void *) = {
        cpol_report_write_json, cpol_report_write_sarif};
    char *(*const strings[2])(const cpol_report *) = {cpol_report_to_json, cpol_report_to_sarif};
    for (int w = 0; w < 2; w++) {
        collect c = {NULL, 0, 0, (size_t)-1, 0};
        assert_int_equal(writers[w](r, collect_piece, &c), 0);
        char *whole = strings[w](r);
        assert_string_equal(c.text, whole);
        if (have_corpus()) {
            assert_true(c.pieces > 2); /* megabytes of findings: streamed, not one piece */
            assert_true(c.largest <= 64 * 1024);
        }
        free(c.text);
        cpol_free(whole);
        collect refuse = {NULL, 0, 0, 0, 0};
        assert_int_equal(writers[w](r, collect_piece, &refuse), CPOL_EIO);
        assert_int_equal(refuse.len, 0);
        assert_int_equal(writers[w](NULL, collect_piece, &refuse), CPOL_EINVAL);
        assert_int_equal(writers[w](r, NULL, NULL), CPOL_EINVAL);
    }
    cpol_report_free(r);
    cpol_engine_free(e);
}

static void count_progress(void *ud, size_t done, size_t total)
{
    size_t *calls = ud;
    calls[total ? 1 : 0]++;
    if (total)
        assert_true(done >= 1 && done <= total);
}

static void test_api_progress(void **state)
{
    (void)state;
    const char *paths[] = {have_corpus() ? CPOL_CORPUS_DIR "/dockerfile" : CPOL_SOURCE_DIR "/rules"};
    cpol_engine *e = cpol_engine_new(NULL);
    size_t calls[2] = {0, 0};
    cpol_engine_set_progress(e, count_progress, calls);
    cpol_report *r = NULL;
    assert_int_equal(cpol_engine_scan_paths(e, paths, 1, &r), 0);
    size_t parsed = calls[1];
    assert_true(calls[0] > 0);
    assert_true(parsed > 0);
    cpol_report_free(r);
    cpol_engine *es[2] = {e, cpol_engine_new(NULL)};
    calls[0] = calls[1] = 0;
    assert_int_equal(cpol_engine_scan_paths_parallel(es, 2, paths, 1, &r), 0);
    assert_int_equal(calls[1], parsed);
    cpol_report_free(r);
    cpol_engine_free(es[1]);
    cpol_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comment_forms),
        cmocka_unit_test(test_comment_stacking),
        cmocka_unit_test(test_comment_hostile),
        cmocka_unit_test(test_api_suppress_and_fingerprint),
        cmocka_unit_test(test_api_unused),
        cmocka_unit_test(test_api_config),
        cmocka_unit_test(test_api_parallel),
        cmocka_unit_test(test_api_progress),
        cmocka_unit_test(test_api_write_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
