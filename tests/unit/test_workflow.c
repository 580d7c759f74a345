/*
 * test_workflow.c - the CI workflow parser (parse/workflow*.c): golden cases under
 * tests/data/workflow/<case>/input.yml (github-* read as GitHub Actions, gitlab-* as GitLab CI)
 * -> expected.model and/or expected.error, direct checks of positions and scanner verdicts, and
 * hostile inputs (every prefix of every case, long lines, deep extends).
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

#include <cmocka.h>

#include "support/golden.h"

#include "containerpolicy.h"
#include "model/dump.h"
#include "model/node.h"
#include "parse/parse.h"
#include "util/buf.h"

#define DATA_DIR CPOL_SOURCE_DIR "/tests/data/workflow"

typedef struct result {
    arena a;
    diag_sink d;
    node *project;
    int rc;
} result;

static void parse_buf(result *r, int format, const char *data, size_t len)
{
    static const cpol_limits limits; /* zeroes: the loader's defaults */
    arena_init(&r->a);
    diag_sink d = DIAG_SINK_INIT;
    r->d = d;
    r->project = node_map(&r->a, cpos_make(NULL, 0, 0));
    parse_ctx ctx = {&r->a, &r->d, &limits, "ci.yml", r->project};
    r->rc = workflow_parse(&ctx, data, len, format);
}

static void gh(result *r, const char *s) { parse_buf(r, CPOL_FORMAT_GITHUB, s, strlen(s)); }
static void gl(result *r, const char *s) { parse_buf(r, CPOL_FORMAT_GITLAB, s, strlen(s)); }

static void result_free(result *r)
{
    diag_free(&r->d);
    arena_free(&r->a);
}

static int case_format(const char *name)
{
    return strncmp(name, "gitlab", 6) == 0 ? CPOL_FORMAT_GITLAB : CPOL_FORMAT_GITHUB;
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
        snprintf(path, sizeof path, "%s/%s/input.yml", DATA_DIR, names[i]);
        char *src = golden_read_file(path, &len);
        if (!src)
            fail_msg("%s/%s has no input.yml", DATA_DIR, names[i]);
        result r;
        parse_buf(&r, case_format(names[i]), src, len);
        golden_expect(DATA_DIR, names[i], r.project, r.d.n ? golden_diag_text(&r.d) : NULL, update,
                      &failures);
        free(src);
        result_free(&r);
        free(names[i]);
    }
    print_message("%zu golden workflow cases%s\n", n, update ? " (updated)" : "");
    assert_true(n >= 10);
    assert_int_equal(failures, 0);
}

/* ---- direct checks ---- */

static node *at(node *list, size_t i)
{
    assert_non_null(list);
    assert_true(i < list->u.list.n);
    return list->u.list.v[i];
}

static node *job(result *r, size_t i)
{
    node *pipes = node_get(r->project, "pipelines");
    assert_non_null(pipes);
    assert_int_equal(pipes->u.list.n, 1);
    return at(node_get(pipes->u.list.v[0], "jobs"), i);
}

static size_t count(node *n, const char *key)
{
    node *l = node_get(n, key);
    return l ? l->u.list.n : 0;
}

static void assert_pos(const node *n, unsigned int line, unsigned int col)
{
    assert_non_null(n);
    if (n->pos.line != line || n->pos.col != col)
        fail_msg("position %u:%u, expected %u:%u", n->pos.line, n->pos.col, line, col);
}

static const char *sev_text(node *scan)
{
    static char out[128];
    node *l = node_get(scan, "severity");
    out[0] = '\0';
    for (size_t i = 0; l && i < l->u.list.n; i++) {
        strcat(out, i ? "," : "");
        strcat(out, l->u.list.v[i]->u.s.s);
    }
    return l ? out : "(all)";
}

/* The done-when of the issue: the seed's trivy step gates; without it nothing does. */
static void test_seed_trivy_gates(void **state)
{
    (void)state;
    result r;
    gh(&r, "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n"
           "      - run: docker build -t myapp:latest . && docker push myapp:latest\n"
           "      - name: Scan image\n"
           "        uses: aquasecurity/trivy-action@master\n"
           "        with:\n"
           "          image-ref: myapp:latest\n"
           "          severity: HIGH,CRITICAL\n"
           "          exit-code: 1 # fail the build\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    node *j = job(&r, 0);
    assert_true(node_get_bool(j, "builds_image", 0));
    assert_true(node_get_bool(j, "pushes_image", 0));
    assert_pos(node_get(j, "builds_image"), 6, 14);
    assert_pos(node_get(j, "pushes_image"), 6, 48);
    node *img = at(node_get(j, "images"), 0);
    assert_string_equal(node_get_str(img, "ref"), "myapp:latest");
    assert_true(node_get_bool(img, "pushed", 0));
    assert_int_equal(count(j, "scans"), 1);
    node *s = at(node_get(j, "scans"), 0);
    assert_string_equal(node_get_str(s, "tool"), "trivy");
    assert_string_equal(node_get_str(s, "target"), "image");
    assert_true(node_get_bool(s, "gates", 0));
    assert_false(node_get_bool(s, "allowed_to_fail", 1));
    assert_string_equal(sev_text(s), "HIGH,CRITICAL");
    assert_pos(s, 7, 9);
    result_free(&r);

    /* the same step without exit-code: trivy-action's default exit code is 0 */
    gh(&r, "on: push\njobs:\n  b:\n    steps:\n"
           "      - uses: aquasecurity/trivy-action@0.28.0\n"
           "        with: {image-ref: x, severity: 'HIGH,CRITICAL'}\n");
    s = at(node_get(job(&r, 0), "scans"), 0);
    assert_false(node_get_bool(s, "gates", 1));
    assert_string_equal(node_get_str(s, "note"),
                        "trivy-action does not fail on vulnerabilities unless exit-code is set");
    result_free(&r);
}

/* Commands in a literal block map to their own line and column of the file. */
static void test_block_positions(void **state)
{
    (void)state;
    result r;
    gh(&r, "jobs:\n"
           "  b:\n"
           "    steps:\n"
           "      - run: |\n"
           "          echo hi\n"
           "\n"
           "            docker build -t a:1 .   # indented more\n"
           "          \xc3\xa9" "cho; docker push a:1\n"
           "      - run: 'trivy image --exit-code 1 a:1'\n"
           "      - run: >-\n"
           "          grype a:1\n"
           "          --fail-on critical\n");
    assert_int_equal(r.d.n, 0);
    node *j = job(&r, 0);
    assert_pos(node_get(j, "builds_image"), 7, 13);
    assert_pos(node_get(j, "pushes_image"), 8, 17); /* columns count characters, not bytes */
    node *s = at(node_get(j, "scans"), 0);
    assert_pos(s, 9, 15); /* after the quote */
    assert_true(node_get_bool(s, "gates", 0));
    s = at(node_get(j, "scans"), 1);
    assert_pos(s, 10, 14); /* folded: the scalar's start */
    assert_string_equal(sev_text(s), "CRITICAL");
    result_free(&r);

    /* CRLF line ends and a GitLab `- |` item */
    gl(&r, "b:\r\n  script:\r\n    - |\r\n      set -x\r\n      kaniko=1 /kaniko/executor "
           "--context . --destination r/a:1\r\n");
    assert_int_equal(r.d.n, 0);
    j = job(&r, 0);
    assert_pos(node_get(j, "builds_image"), 5, 16);
    assert_true(node_get_bool(j, "pushes_image", 0));
    assert_string_equal(node_get_str(at(node_get(j, "images"), 0), "ref"), "r/a:1");
    result_free(&r);
}

/* `docker run` in a step becomes a container of the workflow's document, in the workflow file;
   GitHub expressions in the line are no shell errors. */
static void test_docker_run_containers(void **state)
{
    (void)state;
    result r;
    gh(&r, "jobs:\n  t:\n    steps:\n"
           "      - run: |\n"
           "          docker run -e TOKEN=${{ secrets.TOKEN }} --user 0 \\\n"
           "            ghcr.io/a/b:${{ github.sha }} echo ok\n");
    assert_int_equal(r.d.n, 0);
    node *cs = node_get(r.project, "containers");
    assert_int_equal(cs ? cs->u.list.n : 0, 1);
    node *c = at(cs, 0);
    assert_string_equal(node_get_str(c, "kind"), "docker-run");
    assert_pos(c, 5, 11);
    assert_pos(node_get(node_get(c, "user"), "uid"), 5, 59);
    assert_ptr_equal(node_get(c, "document"), at(node_get(r.project, "documents"), 0));
    assert_string_equal(node_get_str(node_get(c, "document"), "format"), "github");
    result_free(&r);
}

/* How a scanner's exit status is lost: `|| true`, a pipe without pipefail, set +e,
   continue-on-error, allow_failure, a manual job, after_script. */
static void test_allowed_to_fail(void **state)
{
    (void)state;
    static const struct {
        int format;
        const char *yaml;
        int gates, allowed;
        const char *note;
    } cases[] = {
        {CPOL_FORMAT_GITHUB, "jobs: {a: {steps: [{run: 'trivy image --exit-code 1 x || true'}]}}",
         1, 1, "a `||` after it ignores its exit status"},
        {CPOL_FORMAT_GITHUB, "jobs: {a: {steps: [{run: 'trivy image --exit-code 1 x || exit 1'}]}}",
         1, 0, NULL},
        {CPOL_FORMAT_GITHUB, "jobs: {a: {steps: [{run: 'trivy image --exit-code 1 x | tee f'}]}}",
         1, 1, "its exit status is lost in a pipe (pipefail is off)"},
        {CPOL_FORMAT_GITHUB,
         "jobs: {a: {steps: [{shell: bash, run: 'trivy image --exit-code 1 x | tee f'}]}}", 1, 0,
         NULL},
        {CPOL_FORMAT_GITHUB,
         "jobs: {a: {steps: [{run: \"set -o pipefail; trivy image --exit-code 1 x | tee f\"}]}}",
         1, 0, NULL},
        {CPOL_FORMAT_GITHUB,
         "jobs: {a: {continue-on-error: true, steps: [{run: 'grype x --fail-on high'}]}}", 1, 1,
         "the job has continue-on-error: true"},
        {CPOL_FORMAT_GITHUB,
         "jobs: {a: {continue-on-error: '${{ matrix.x }}', steps: [{run: 'grype x -f high'}]}}",
         1, 0, NULL},
        {CPOL_FORMAT_GITLAB, "a: {script: ['trivy image --exit-code 1 x | tee f']}", 1, 0, NULL},
        {CPOL_FORMAT_GITLAB, "a: {script: ['set +e', 'trivy image --exit-code 1 x', 'echo ok']}",
         1, 1, "errexit is off (set +e), so a later command decides the exit status"},
        {CPOL_FORMAT_GITLAB, "a: {script: ['set +e', 'trivy image --exit-code 1 x']}", 1, 0, NULL},
        {CPOL_FORMAT_GITLAB, "a: {allow_failure: yes, script: ['snyk container test x']}", 1, 1,
         "the job has allow_failure: true"},
        {CPOL_FORMAT_GITLAB,
         "a: {allow_failure: {exit_codes: 2}, script: ['docker scout cves --exit-code x']}", 1, 1,
         "allow_failure: exit_codes lists the exit code of the scanner"},
        {CPOL_FORMAT_GITLAB,
         "a: {allow_failure: {exit_codes: [3]}, script: ['trivy image --exit-code 1 x']}", 1, 0,
         NULL},
        {CPOL_FORMAT_GITLAB, "a: {when: manual, script: ['trivy image --exit-code 1 x']}", 1, 1,
         "a manual job may fail without failing the pipeline"},
        {CPOL_FORMAT_GITLAB,
         "a: {when: manual, allow_failure: false, script: ['trivy image --exit-code 1 x']}", 1, 0,
         NULL},
        {CPOL_FORMAT_GITLAB, "a: {script: [echo], after_script: ['trivy image --exit-code 1 x']}",
         1, 1, "after_script failures do not fail the job"},
        {CPOL_FORMAT_GITLAB, "a: {variables: {TRIVY_EXIT_CODE: 1}, script: ['trivy image x']}", 1,
         0, NULL},
        {CPOL_FORMAT_GITLAB, "a: {script: ['trivy --exit-code 0 image x']}", 0, 0,
         "--exit-code is 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        result r;
        parse_buf(&r, cases[i].format, cases[i].yaml, strlen(cases[i].yaml));
        if (r.d.n)
            fail_msg("case %zu: %s", i, r.d.v[0].message);
        node *s = at(node_get(job(&r, 0), "scans"), 0);
        if (node_get_bool(s, "gates", -1) != cases[i].gates ||
            node_get_bool(s, "allowed_to_fail", -1) != cases[i].allowed)
            fail_msg("case %zu: gates %d allowed_to_fail %d", i, node_get_bool(s, "gates", -1),
                     node_get_bool(s, "allowed_to_fail", -1));
        const char *note = node_get_str(s, "note");
        if (cases[i].note)
            assert_string_equal(note ? note : "(none)", cases[i].note);
        else if (note)
            fail_msg("case %zu: unexpected note %s", i, note);
        result_free(&r);
    }
}

/* Thresholds become the list of severities that fail. */
static void test_severities(void **state)
{
    (void)state;
    static const struct {
        const char *script, *tool, *sev;
        int gates;
    } cases[] = {
        {"trivy image --exit-code 1 -s MEDIUM,high x", "trivy", "MEDIUM,HIGH", 1},
        {"trivy i --severity=CRITICAL --exit-code=2 x", "trivy", "CRITICAL", 1},
        {"trivy image x", "trivy", "(all)", 0},
        {"grype x --fail-on=medium", "grype", "MEDIUM,HIGH,CRITICAL", 1},
        {"grype x", "grype", "(all)", 0},
        {"docker scout cves -e --only-severity=high x", "docker-scout", "HIGH", 1},
        {"snyk container test x", "snyk", "(all)", 1},
        {"snyk container test x --severity-threshold critical", "snyk", "CRITICAL", 1},
        {"snyk container monitor x", "snyk", "(all)", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml, "j:\n  script:\n    - %s\n", cases[i].script);
        result r;
        gl(&r, yaml);
        assert_int_equal(r.d.n, 0);
        node *s = at(node_get(job(&r, 0), "scans"), 0);
        assert_string_equal(node_get_str(s, "tool"), cases[i].tool);
        if (strcmp(sev_text(s), cases[i].sev) != 0)
            fail_msg("case %zu: severity %s", i, sev_text(s));
        assert_int_equal(node_get_bool(s, "gates", -1), cases[i].gates);
        assert_pos(s, 3, 7);
        result_free(&r);
    }
    /* not image scans and not scanners */
    result r;
    gl(&r, "j: {script: ['trivy fs --exit-code 1 .', 'grype dir:. -f high', 'trivy --version',"
           " 'echo trivy image x', 'docker scout quickview x']}\n");
    node *j = job(&r, 0);
    assert_int_equal(count(j, "scans"), 2);
    assert_string_equal(node_get_str(at(node_get(j, "scans"), 0), "target"), "fs");
    assert_string_equal(node_get_str(at(node_get(j, "scans"), 1), "target"), "fs");
    result_free(&r);
}

/* GitLab: hidden jobs and keywords are no jobs; extends brings the template's script. */
static void test_gitlab_structure(void **state)
{
    (void)state;
    result r;
    gl(&r, "stages: [a]\nvariables: {X: 1}\ndefault: {image: alpine}\nworkflow: {rules: []}\n"
           ".t: {script: ['docker build -t x:1 .']}\n"
           "j: {extends: .t, stage: a}\n"
           "k: {extends: [.t], script: ['echo']}\n");
    assert_int_equal(r.d.n, 0);
    node *pipes = node_get(r.project, "pipelines");
    node *jobs = node_get(at(pipes, 0), "jobs");
    assert_int_equal(jobs->u.list.n, 2);
    node *j = at(jobs, 0);
    assert_string_equal(node_get_str(j, "name"), "j");
    assert_string_equal(node_get_str(j, "stage"), "a");
    assert_true(node_get_bool(j, "builds_image", 0));
    assert_pos(node_get(j, "builds_image"), 5, 16); /* in the hidden job */
    assert_false(node_get_bool(at(jobs, 1), "builds_image", 1));
    /* the pipeline shares the document */
    assert_ptr_equal(node_get(at(pipes, 0), "document"), at(node_get(r.project, "documents"), 0));
    assert_string_equal(node_get_str(at(node_get(r.project, "documents"), 0), "format"),
                        "gitlab");
    result_free(&r);
}

/* Every prefix of every case, and shapes that must not crash or hang. */
static void test_hostile(void **state)
{
    (void)state;
    char *names[256];
    size_t n = golden_list(DATA_DIR, names, 256);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s/input.yml", DATA_DIR, names[i]);
        char *src = golden_read_file(path, &len);
        assert_non_null(src);
        for (size_t cut = 0; cut <= len; cut++) {
            result r;
            char *copy = malloc(cut + 1);
            memcpy(copy, src, cut);
            copy[cut] = '\0';
            parse_buf(&r, case_format(names[i]), copy, cut);
            result_free(&r);
            parse_buf(&r, case_format(names[i]) == CPOL_FORMAT_GITHUB ? CPOL_FORMAT_GITLAB
                                                                        : CPOL_FORMAT_GITHUB,
                      copy, cut);
            free(copy);
            result_free(&r);
        }
        free(src);
        free(names[i]);
    }
    /* a long script line with many words, quotes and operators */
    buf b = BUF_INIT;
    buf_puts(&b, "j:\n  script:\n    - \"");
    for (int i = 0; i < 20000; i++)
        buf_puts(&b, i % 7 ? "docker build -t a:1 \\\\\\\"$(x)' && " : "|| ; (`a` ${b}) ");
    buf_puts(&b, "\"\n");
    char *t = buf_take(&b);
    result r;
    gl(&r, t);
    assert_int_equal(r.d.n, 0);
    assert_true(node_get_bool(job(&r, 0), "builds_image", 0));
    result_free(&r);
    free(t);
    /* extends chains that fan out: bounded work and a diagnostic */
    b = (buf)BUF_INIT;
    for (int i = 0; i < 30; i++)
        buf_printf(&b, ".t%d: {extends: [.t%d, .t%d], script: [x]}\n", i, i + 1, i + 1);
    buf_puts(&b, ".t30: {script: ['docker push a']}\nj: {extends: .t0}\n");
    t = buf_take(&b);
    gl(&r, t);
    assert_true(r.d.n >= 1);
    result_free(&r);
    free(t);
    /* unknown reference, reference cycles, non-map roots */
    gl(&r, ".a: {script: [!reference [.a, script]]}\nj: {script: [!reference [.a, script]], "
           "before_script: [!reference [nope]]}\n");
    assert_true(r.d.n >= 1);
    result_free(&r);
    gh(&r, "- 1\n");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message, "a GitHub workflow must be a mapping, not a list");
    result_free(&r);
    gh(&r, "");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    assert_int_equal(count(at(node_get(r.project, "pipelines"), 0), "jobs"), 0);
    result_free(&r);
    /* UTF-16: read, positions of scripts at the scalar */
    const char u16[] = "\xff\xfej\0:\0 \0{\0s\0c\0r\0i\0p\0t\0:\0 \0[\0d\0o\0c\0k\0e\0r\0 \0p\0u\0s"
                       "\0h\0 \0x\0]\0}\0\n\0";
    parse_buf(&r, CPOL_FORMAT_GITLAB, u16, sizeof u16 - 1);
    assert_int_equal(r.d.n, 0);
    assert_pos(node_get(job(&r, 0), "pushes_image"), 1, 14);
    result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),          cmocka_unit_test(test_seed_trivy_gates),
        cmocka_unit_test(test_block_positions), cmocka_unit_test(test_allowed_to_fail),
        cmocka_unit_test(test_severities),      cmocka_unit_test(test_gitlab_structure),
        cmocka_unit_test(test_hostile),          cmocka_unit_test(test_docker_run_containers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
