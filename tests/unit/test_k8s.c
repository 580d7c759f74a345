/*
 * test_k8s.c - the Kubernetes parser (parse/k8s*.c): golden cases under tests/data/k8s/<case>/
 * (input.yaml or input.json -> expected.model and/or expected.error), direct checks of the
 * override and sharing rules, hostile inputs, and the corpus of real manifests (shared/corpus).
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
#include "parse/parse.h"
#include "parse/yaml.h"
#include "util/buf.h"

#define DATA_DIR CPOL_SOURCE_DIR "/tests/data/k8s"

typedef struct result {
    arena a;
    diag_sink d;
    node *project;
    int rc;
} result;

static void parse_buf(result *r, const char *name, const char *data, size_t len)
{
    static const cpol_limits limits; /* zeroes: the loader's defaults */
    arena_init(&r->a);
    diag_sink d = DIAG_SINK_INIT;
    r->d = d;
    r->project = node_map(&r->a, cpos_make(NULL, 0, 0));
    parse_ctx ctx = {&r->a, &r->d, &limits, name, r->project};
    r->rc = k8s_parse(&ctx, data, len);
}

static void parse_str(result *r, const char *s) { parse_buf(r, "input.yaml", s, strlen(s)); }

static void result_free(result *r)
{
    diag_free(&r->d);
    arena_free(&r->a);
}

static node *item(node *project, const char *list, size_t i)
{
    node *l = node_get(project, list);
    return l && i < l->u.list.n ? l->u.list.v[i] : NULL;
}

static size_t count(node *project, const char *list)
{
    node *l = node_get(project, list);
    return l ? l->u.list.n : 0;
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
        const char *input = "input.yaml";
        snprintf(path, sizeof path, "%s/%s/%s", DATA_DIR, names[i], input);
        char *src = golden_read_file(path, &len);
        if (!src) {
            input = "input.json";
            snprintf(path, sizeof path, "%s/%s/%s", DATA_DIR, names[i], input);
            src = golden_read_file(path, &len);
        }
        if (!src)
            fail_msg("%s/%s has no input.yaml or input.json", DATA_DIR, names[i]);
        result r;
        parse_buf(&r, input, src, len);
        golden_expect(DATA_DIR, names[i], r.project, r.d.n ? golden_diag_text(&r.d) : NULL, update,
                      &failures);
        free(src);
        result_free(&r);
        free(names[i]);
    }
    print_message("%zu golden Kubernetes cases%s\n", n, update ? " (updated)" : "");
    assert_true(n >= 15);
    assert_int_equal(failures, 0);
}

/* ---- direct checks ---- */

static void assert_pos(const node *n, unsigned int line, unsigned int col)
{
    assert_non_null(n);
    assert_int_equal(n->pos.line, line);
    assert_int_equal(n->pos.col, col);
}

/* The pod's securityContext is the default of every container; a container's own field wins,
   field by field, and each value keeps the line where it was written. */
static void test_pod_context_resolved_per_container(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "apiVersion: v1\n"
                  "kind: Pod\n"
                  "metadata: {name: p}\n"
                  "spec:\n"
                  "  securityContext:\n"
                  "    runAsNonRoot: true\n"
                  "    runAsUser: 1000\n"
                  "  containers:\n"
                  "  - name: root\n"
                  "    image: a\n"
                  "    securityContext:\n"
                  "      runAsUser: 0\n"
                  "  - name: inherits\n"
                  "    image: a\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    assert_int_equal(count(r.project, "containers"), 2);
    node *c1 = item(r.project, "containers", 0), *c2 = item(r.project, "containers", 1);
    assert_pos(c1, 9, 5); /* the `name` of `- name: root` */
    node *u1 = node_get(c1, "user"), *u2 = node_get(c2, "user");
    assert_int_equal(node_get_int(u1, "uid", -1), 0);
    assert_pos(node_get(u1, "uid"), 12, 18);
    assert_true(node_get_bool(u1, "non_root", 0));
    assert_pos(node_get(u1, "non_root"), 6, 19); /* still the pod's line */
    assert_string_equal(node_get_str(u1, "source"), "container");
    assert_pos(u1, 11, 5);
    assert_int_equal(node_get_int(u2, "uid", -1), 1000);
    assert_pos(node_get(u2, "uid"), 7, 16);
    assert_string_equal(node_get_str(u2, "source"), "pod");
    assert_pos(u2, 5, 3);
    /* one workload, shared; host is the workload's */
    assert_ptr_equal(node_get(c1, "workload"), node_get(c2, "workload"));
    assert_ptr_equal(node_get(c1, "pod"), node_get(c1, "workload"));
    assert_ptr_equal(node_get(c1, "host"), node_get(node_get(c1, "workload"), "host"));
    assert_ptr_equal(node_get(c1, "document"), item(r.project, "documents", 0));
    assert_string_equal(node_get_str(c1, "object"), "Pod p / container root");
    result_free(&r);
}

static void test_later_documents_keep_file_lines(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
                  "---\n"
                  "# comment\n"
                  "apiVersion: v1\n"
                  "kind: Pod\n"
                  "metadata: {name: p}\n"
                  "spec:\n"
                  "  containers:\n"
                  "    - name: c\n"
                  "      image: nginx:1.25\n"
                  "      securityContext: {privileged: true}\n");
    assert_int_equal(r.d.n, 0);
    assert_int_equal(count(r.project, "documents"), 1);
    node *c = item(r.project, "containers", 0);
    assert_pos(c, 11, 7);
    assert_pos(node_get(c, "image"), 12, 14);
    assert_pos(node_get(c, "privileged"), 13, 37);
    assert_pos(node_get(c, "workload"), 6, 1);
    assert_pos(node_get(node_get(c, "workload"), "kind"), 7, 7);
    result_free(&r);
}

/* `privileged: "true"`: the API server refuses it, so it is neither true nor false here; the
   diagnostic says why and where. */
static void test_quoted_boolean(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                  "  - name: c\n    image: a\n    securityContext:\n      privileged: \"true\"\n"
                  "      readOnlyRootFilesystem: yes\n");
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 9);
    assert_int_equal(r.d.v[0].col, 19);
    assert_string_equal(r.d.v[0].message, "privileged: \"true\" is a quoted string, not a boolean; "
                                          "Kubernetes rejects it (ignored)");
    node *c = item(r.project, "containers", 0);
    assert_null(node_get(c, "privileged"));
    node *ro = node_get(c, "read_only_rootfs");
    assert_non_null(ro);
    assert_int_equal(ro->type, N_BOOL);
    assert_int_equal(ro->u.b, 1);
    result_free(&r);
}

static void test_capabilities_and_quantities(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"j\"},\n"
                  " \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"a\",\n"
                  "  \"securityContext\": {\"capabilities\": {\"add\": [\"cap_net_raw\"]}},\n"
                  "  \"resources\": {\"limits\": "
                  "{\"memory\": \"1.5Gi\", \"cpu\": \"250m\"}}}]}}\n");
    assert_int_equal(r.d.n, 0);
    node *c = item(r.project, "containers", 0);
    node *add = node_get(node_get(c, "capabilities"), "add");
    assert_int_equal(add->u.list.n, 1);
    assert_string_equal(add->u.list.v[0]->u.s.s, "NET_RAW");
    assert_pos(add->u.list.v[0], 3, 48);
    node *res = node_get(c, "resources");
    assert_int_equal(node_get_int(res, "memory_limit", 0), 1610612736LL);
    node *cpu = node_get(res, "cpu_limit");
    assert_int_equal(cpu->type, N_NUM);
    assert_true(cpu->u.d == 0.25);
    result_free(&r);
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 0;
        if (!n)
            return 0;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

/* Bytes that must not crash or hang the parser. */
static void test_hostile(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *first_diag; /* a part of the first diagnostic, or NULL for none */
    } inputs[] = {
        {"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: \"a\\0b\"\n"
         "    image: \"x\\0\"\n    resources: {limits: {memory: \"1\\0Gi\"}}\n",
         "memory: '1?Gi' is not a Kubernetes quantity"},
        {"apiVersion: v1\nkind: \"\"\n", "kind must be a name"},
        {"apiVersion: v1\nkind: \"P\\0od\"\n", "kind must be a name, not the string \"P?od\""},
        {"apiVersion: v1\nkind: Pod\nspec: {containers: [[], {}, ~, {securityContext: ~}]}\n",
         "a container must be a mapping, not a list"},
        {"apiVersion: v1\nkind: Pod\nmetadata: {annotations: [1]}\n"
         "spec: {containers: [{name: c}]}\n", NULL},
        {"apiVersion: v1\nkind: List\nitems: [~, 1, [], {kind: List, items: {}}]\n",
         "must be a mapping, not '1'"},
        {"apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, env: [{valueFrom: {}}, "
         "{valueFrom: []}], envFrom: [1, {secretRef: 1}], ports: [{}], livenessProbe: 1}]}\n",
         "valueFrom: expected a mapping, not a list"},
        /* a UTF-16LE byte order mark: the rest reads as UTF-16, one scalar */
        {"\xff\xfe garbage", "a Kubernetes object must be a mapping, not '"},
        {"apiVersion: v1\nkind: NetworkPolicy\nspec: {podSelector: {matchExpressions: [1, "
         "{values: [[]]}]}, ingress: 3, egress: ~}\n",
         "matchExpressions: expected a mapping, not '1'"},
    };
    result r;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        parse_buf(&r, "input.yaml", inputs[i].in, strlen(inputs[i].in));
        if (!inputs[i].first_diag)
            assert_int_equal(r.d.n, 0);
        else {
            assert_true(r.d.n >= 1);
            if (!strstr(r.d.v[0].message, inputs[i].first_diag))
                fail_msg("input %zu: got '%s'", i, r.d.v[0].message);
        }
        result_free(&r);
    }
    /* NUL bytes inside the text (not escapes): the loader refuses them with a position */
    const char nul[] = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\0d\n";
    parse_buf(&r, "input.yaml", nul, sizeof nul - 1);
    assert_true(r.d.n >= 1);
    assert_int_equal(r.d.v[0].line, 5);
    result_free(&r);
    /* a long multi-byte name in a message is cut between characters */
    for (int shift = 0; shift < 3; shift++) {
        buf nb = BUF_INIT;
        buf_printf(&nb, "apiVersion: v1\nkind: Pod\nmetadata: {name: %.*s", shift, "abc");
        for (int i = 0; i < 600; i++)
            buf_puts(&nb, "\xc3\xa9");
        buf_puts(&nb, "}\nspec: [1]\nx: \"\\e[31m");
        for (int i = 0; i < 100; i++)
            buf_puts(&nb, "\xe2\x82\xac");
        buf_puts(&nb, "\"\n");
        char *t = buf_take(&nb);
        parse_str(&r, t);
        assert_int_equal(r.d.n, 1);
        assert_int_equal(r.d.v[0].line, 4);
        assert_true(valid_utf8(r.d.v[0].message));
        assert_true(strlen(r.d.v[0].message) >= 500);
        result_free(&r);
        free(t);
    }
    parse_str(&r, "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    "
                  "securityContext: {runAsUser: \"\\e[31m\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
                  "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
                  "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\"}\n");
    assert_int_equal(r.d.n, 1);
    assert_true(valid_utf8(r.d.v[0].message));
    assert_non_null(strstr(r.d.v[0].message, "\"?[31m\xe2\x82\xac"));
    assert_non_null(strstr(r.d.v[0].message, "\xe2\x82\xac...\""));
    result_free(&r);
    /* Lists nested deeper than the parser follows */
    buf b = BUF_INIT;
    for (int i = 0; i < 40; i++)
        buf_printf(&b, "%*s- kind: List\n%*s  items:\n", i * 4, "", i * 4, "");
    char *deep = buf_take(&b);
    char *doc = malloc(strlen(deep) + 64);
    sprintf(doc, "apiVersion: v1\nkind: List\nitems:\n%s", deep);
    parse_str(&r, doc);
    assert_int_equal(r.d.n, 1);
    assert_non_null(strstr(r.d.v[0].message, "nested more than 16 deep"));
    result_free(&r);
    free(doc);
    free(deep);
}

/* ---- the corpus ---- */

/* Files the MANIFEST marks parse_ok=yes (they are valid YAML) that Kubernetes itself would
   refuse for a value of the wrong shape or type: the diagnostic is expected, at this line. */
static const struct {
    const char *path;
    unsigned int line;
} known_bad[] = {
    {"checkov/tests/kubernetes/checks/example_AllowPrivilegeEscalation/"
     "pod-runas1000-malformed-PASSED.yaml", 15},
    {"checkov/tests/kubernetes/checks/example_DockerSocketVolume/scope-UNKNOWN.yaml", 20},
    {"checkov/tests/kubernetes/checks/example_Requests_Limits/pod-requests-limits-UNKNOWN.yaml",
     13},
    {"checkov/tests/kubernetes/checks/example_Requests_Limits/pod-requests-limits-UNKNOWN2.yaml",
     14},
    {"checkov/tests/kubernetes/checks/example_RootContainers/"
     "rootContainersFAILED-malformed-spec.yaml", 6},
    {"checkov/tests/kubernetes/checks/example_RootContainers/rootContainersFAILED.yaml", 66},
    {"checkov/tests/kubernetes/checks/example_RootContainers/rootContainersFAILED_2.yaml", 29},
    {"checkov/tests/kubernetes/checks/example_RootContainersHighUID/"
     "rootContainersHighUIDFAILED.yaml", 66},
    {"checkov/tests/kubernetes/checks/example_Seccomp/pod-seccomp-FAILED2.yaml", 43},
    {"checkov/tests/kubernetes/checks/example_Secrets/pod-secretsEnvironment-UNKNOWN.yaml", 9},
    {"checkov/tests/kubernetes/checks/example_SecurityContexts/"
     "pod-container-FAILED_malformed_spec.yaml", 7},
    {"checkov/tests/kubernetes/checks/example_ServiceAccountTokens/"
     "ServiceAccountTokensUNKNOWN.yaml", 20},
    {"kubesec/test/asset/invalid-schema.yml", 9},
};

static int known_bad_line(const char *path)
{
    for (size_t i = 0; i < sizeof known_bad / sizeof known_bad[0]; i++)
        if (strcmp(path, known_bad[i].path) == 0)
            return (int)known_bad[i].line;
    return -1;
}

static void test_corpus(void **state)
{
    (void)state;
    char manifest[1024];
    struct stat sb;
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", CPOL_CORPUS_DIR);
    if (stat(CPOL_CORPUS_DIR "/k8s", &sb) != 0) {
        print_message("corpus folder %s/k8s not found: skipped\n", CPOL_CORPUS_DIR);
        skip();
    }
    size_t len;
    char *m = golden_read_file(manifest, &len);
    assert_non_null(m);
    size_t files = 0, docs = 0, workloads = 0, containers = 0, policies = 0, rejected = 0,
           dupes = 0, bad_seen = 0;
    int failures = 0;
    for (char *line = strtok(m, "\n"); line; line = strtok(NULL, "\n")) {
        char *col[12] = {0};
        size_t nc = golden_split_tsv(line, col, 12);
        if (nc < 9 || strncmp(col[0], "k8s/", 4) != 0)
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
        const char *ok = col[8];
        int expect_line = known_bad_line(col[0] + 4);
        size_t other = 0;
        for (size_t i = 0; i < r.d.n; i++) {
            if (strncmp(r.d.v[i].message, "duplicate key", 13) == 0) {
                print_message("  %s:%u:%u: %s\n", col[0], r.d.v[i].line, r.d.v[i].col,
                              r.d.v[i].message);
                dupes++;
            } else
                other++;
        }
        if (strcmp(ok, "yes") == 0 && expect_line > 0) {
            bad_seen++;
            if (other == 0 || r.d.v[r.d.n - other].line != (unsigned int)expect_line) {
                print_error("%s: expected a diagnostic at line %d\n", col[0], expect_line);
                failures++;
            }
        } else if (strcmp(ok, "yes") == 0 && other) {
            char *t = golden_diag_text(&r.d);
            print_error("%s: unexpected diagnostics:\n%s", col[0], t);
            free(t);
            failures++;
        } else if (strcmp(ok, "no") == 0) {
            rejected++;
            if (r.d.n == 0 || r.d.v[0].line == 0) {
                print_error("%s: marked not parseable (%s) but no positioned diagnostic\n",
                            col[0], col[9]);
                failures++;
            }
        }
        {
            /* documents as the loader sees them (empty ones are not counted) */
            arena a2;
            diag_sink d2 = DIAG_SINK_INIT;
            arena_init(&a2);
            parse_ctx c2 = {&a2, &d2, NULL, col[0], NULL};
            yaml_doc *yd = NULL;
            yaml_load(&c2, src, len, NULL, &yd);
            for (size_t i = 0; yd && yd[i].root; i++)
                docs++;
            diag_free(&d2);
            arena_free(&a2);
        }
        node *cs = node_get(r.project, "containers");
        const node *last_w = NULL;
        for (size_t i = 0; cs && i < cs->u.list.n; i++) {
            const node *w = node_get(cs->u.list.v[i], "workload");
            if (w != last_w)
                workloads++;
            last_w = w;
        }
        containers += count(r.project, "containers");
        policies += count(r.project, "policies");
        result_free(&r);
        free(src);
    }
    free(m);
    print_message("corpus: %zu files (%zu rejected as marked, %zu marked yes but refused by "
                  "Kubernetes' types), %zu documents, %zu workloads with containers, %zu "
                  "containers, %zu network policies, %zu duplicate keys\n",
                  files, rejected, bad_seen, docs, workloads, containers, policies, dupes);
    assert_int_equal(bad_seen, sizeof known_bad / sizeof known_bad[0]);
    assert_true(files >= 900);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_pod_context_resolved_per_container),
        cmocka_unit_test(test_later_documents_keep_file_lines),
        cmocka_unit_test(test_quoted_boolean),
        cmocka_unit_test(test_capabilities_and_quantities),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
