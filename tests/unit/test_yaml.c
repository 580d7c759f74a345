/*
 * test_yaml.c - the YAML loader (parse/yaml.c): golden cases in tests/data/yaml/<case>/ (input.yaml,
 * optional `options`, expected.tree and expected.error; CPOL_UPDATE_GOLDEN=1 rewrites them), hostile
 * inputs generated here (too big to keep as files), the field resolvers, and the real corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "parse/yaml.h"
#include "support/golden.h"
#include "util/buf.h"

typedef struct run {
    arena a;
    diag_sink d;
    parse_ctx ctx;
    yaml_doc *docs;
    int rc;
} run;

static void load(run *r, const char *data, size_t len, const yaml_opts *o)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->a);
    r->ctx.a = &r->a;
    r->ctx.diags = &r->d;
    r->ctx.file = "input.yaml";
    r->rc = yaml_load(&r->ctx, data, len, o, &r->docs);
}

static void load_str(run *r, const char *s)
{
    load(r, s, strlen(s), NULL);
}

static void done(run *r)
{
    diag_free(&r->d);
    arena_free(&r->a);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = BUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    if (!b.data)
        buf_put(&b, "", 0);
    char *s = buf_take(&b);
    if (!s) {
        s = malloc(1);
        s[0] = '\0';
    }
    return s;
}

static int spit(const char *path, const char *s, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(s, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

/* ---- golden cases ---- */

static void read_options(const char *path, yaml_opts *o)
{
    size_t len;
    char *s = slurp(path, &len);
    o->merge_keys = 1;
    if (!s)
        return;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long long v;
        char key[64];
        if (sscanf(line, "%63[a-z_]=%llu", key, &v) != 2)
            fail_msg("bad options line %s in %s", line, path);
        if (!strcmp(key, "max_depth"))
            o->max_depth = (unsigned)v;
        else if (!strcmp(key, "max_alias_expansions"))
            o->max_alias_expansions = (size_t)v;
        else if (!strcmp(key, "max_documents"))
            o->max_documents = (unsigned)v;
        else if (!strcmp(key, "merge_keys"))
            o->merge_keys = (int)v;
        else
            fail_msg("unknown option %s in %s", key, path);
    }
    free(s);
}

static void render(const run *r, buf *tree, buf *err)
{
    buf_printf(tree, "result %d\n", r->rc);
    for (const yaml_doc *d = r->docs; d && d->root; d++) {
        buf_printf(tree, "--- document at line %u\n", d->line);
        yaml_dump(tree, d->root, 0);
    }
    for (size_t i = 0; i < r->d.n; i++)
        buf_printf(err, "%u:%u %s\n", r->d.v[i].line, r->d.v[i].col, r->d.v[i].message);
}

/* 1 when the file holds exactly want (a missing file holds ""). */
static int same(const char *path, const buf *want, int update)
{
    size_t len = 0;
    char *have = slurp(path, &len);
    const char *w = want->data ? want->data : "";
    int ok = have ? len == want->len && memcmp(have, w, len) == 0 : want->len == 0;
    if (!ok && update) {
        if (want->len)
            spit(path, w, want->len);
        else
            remove(path);
        ok = 1;
    } else if (!ok) {
        fprintf(stderr, "--- %s expected:\n%s--- got:\n%s", path, have ? have : "(no file)\n", w);
    }
    free(have);
    return ok;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void **state)
{
    (void)state;
    char root[1024];
    snprintf(root, sizeof root, "%s/tests/data/yaml", CPOL_SOURCE_DIR);
    const char *upd = getenv("CPOL_UPDATE_GOLDEN");
    int update = upd && *upd && strcmp(upd, "0") != 0;
    DIR *dir = opendir(root);
    assert_non_null(dir);
    char *names[512];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) && n < 512)
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_names);

    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char p[2048];
        size_t len;
        snprintf(p, sizeof p, "%s/%s/input.yaml", root, names[i]);
        char *in = slurp(p, &len);
        if (!in) {
            fprintf(stderr, "%s: no input.yaml\n", names[i]);
            bad++;
            continue;
        }
        yaml_opts o = {0, 0, 0, 1};
        snprintf(p, sizeof p, "%s/%s/options", root, names[i]);
        read_options(p, &o);
        run r;
        load(&r, in, len, &o);
        buf tree = BUF_INIT, err = BUF_INIT;
        render(&r, &tree, &err);
        snprintf(p, sizeof p, "%s/%s/expected.tree", root, names[i]);
        int ok = same(p, &tree, update);
        snprintf(p, sizeof p, "%s/%s/expected.error", root, names[i]);
        ok &= same(p, &err, update);
        if (!ok) {
            fprintf(stderr, "golden case %s differs\n", names[i]);
            bad++;
        }
        buf_free(&tree);
        buf_free(&err);
        done(&r);
        free(in);
        free(names[i]);
    }
    printf("yaml golden: %zu cases%s\n", n, update ? " (updated)" : "");
    assert_true(n >= 20);
    assert_int_equal(bad, 0);
}

/* ---- positions ---- */

static void test_columns_count_characters(void **state)
{
    (void)state;
    run r;
    /* é and ü are two bytes each, the whale four: in bytes `ü` would sit at 12, `2` at 15 */
    load_str(&r, "a: {é: 1, ü: 2}\nkey: \xf0\x9f\x90\xb3 x\nnext: y\n");
    assert_int_equal(r.rc, 1);
    const yv *m = yv_get(r.docs[0].root, "a");
    assert_int_equal(m->kind, YV_MAP);
    assert_int_equal(m->col, 4);
    assert_int_equal(m->u.map.n, 2);
    assert_int_equal(m->u.map.v[1].key->line, 1);
    assert_int_equal(m->u.map.v[1].key->col, 11);
    assert_int_equal(m->u.map.v[1].val->col, 14);
    assert_int_equal(yv_get(r.docs[0].root, "key")->col, 6);
    assert_int_equal(yv_get(r.docs[0].root, "key")->u.str.len, 6);
    assert_int_equal(r.docs[0].root->u.map.v[2].key->line, 3);
    done(&r);
}

/* ---- aliases and limits ---- */

static char *laughs(int levels, int fan)
{
    buf b = BUF_INIT;
    buf_puts(&b, "l0: &l0 [\"lol\"]\n");
    for (int i = 1; i <= levels; i++) {
        buf_printf(&b, "l%d: &l%d [", i, i);
        for (int j = 0; j < fan; j++)
            buf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
        buf_puts(&b, "]\n");
    }
    return buf_take(&b);
}

static void test_billion_laughs(void **state)
{
    (void)state;
    char *s = laughs(9, 9);
    run r;
    double t0 = now();
    load_str(&r, s);
    double dt = now() - t0;
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_non_null(strstr(r.d.v[0].message, "too many values reached through aliases"));
    /* weights of l0..l4: 2, 19, 172, 1549, 13942; the budget goes past 10000 on line 5 */
    assert_int_equal(r.d.v[0].line, 5);
    assert_true(dt < 0.5);
    assert_true(r.a.used < 1u << 20);
    done(&r);
    free(s);

    /* the same budget counts across the whole document, not per alias */
    yaml_opts o = {0, 30, 0, 1};
    const char *in = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a, *a, *a, *a, *a]\n";
    load(&r, in, strlen(in), &o);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.d.v[0].message,
                        "alias *a: too many values reached through aliases (more than 30 in this "
                        "document)");
    assert_int_equal(r.d.v[0].line, 2);
    assert_int_equal(r.d.v[0].col, 29); /* 6 x *a (5 values each) = 30 is fine, the 7th is not */
    done(&r);
}

static void test_recursive_and_unknown_alias(void **state)
{
    (void)state;
    run r;
    load_str(&r, "&a [*a]");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message,
                        "alias *a refers to a value that contains it (recursive anchor)");
    assert_int_equal(r.d.v[0].col, 5);
    done(&r);
    load_str(&r, "a: &a {b: {c: *a}}\n");
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.d.v[0].message, "recursive anchor"));
    done(&r);
    /* anchors are per document */
    load_str(&r, "a: &x 1\n---\nb: *x\n");
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.v[0].line, 3);
    assert_string_equal(r.d.v[0].message,
                        "unknown alias *x (no anchor &x before it in this document)");
    assert_non_null(r.docs[0].root);
    assert_null(r.docs[1].root);
    done(&r);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t n = 100000;
    char *s = malloc(2 * n + 2);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    run r;
    double t0 = now();
    load(&r, s, 2 * n, NULL);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message, "YAML nested deeper than 256 levels");
    assert_int_equal(r.d.v[0].line, 1);
    assert_int_equal(r.d.v[0].col, 257);
    done(&r);
    /* unclosed: the cap speaks before libyaml reaches the end */
    load(&r, s, n, NULL);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].col, 257);
    done(&r);
    assert_true(now() - t0 < 1.0);

    /*
     * With the cap lifted the builder and the dump must still not recurse. Block nesting
     * (`- - - ... x`) here: libyaml rescans its whole simple-key stack on every token inside flow
     * collections, so 100,000 nested `[` cost it ~30 s by itself (measured: 40,000 take 4.5 s),
     * which is one more reason for a modest max_depth.
     */
    for (size_t i = 0; i < n; i++)
        memcpy(s + 2 * i, "- ", 2);
    s[2 * n] = 'x';
    yaml_opts o = {(unsigned)n, 0, 0, 1};
    t0 = now();
    load(&r, s, 2 * n + 1, &o);
    assert_int_equal(r.rc, 1);
    assert_int_equal(r.d.n, 0);
    const yv *v = r.docs[0].root;
    size_t depth = 0;
    while (v->kind == YV_SEQ) {
        assert_int_equal(v->col, 2 * depth + 1);
        v = v->u.seq.v[0];
        depth++;
    }
    assert_int_equal(depth, n);
    assert_int_equal(v->col, 2 * n + 1);
    done(&r);
    o.max_depth = (unsigned)n - 1;
    load(&r, s, 2 * n + 1, &o);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.v[0].col, 2 * (n - 1) + 1);
    done(&r);
    printf("yaml: 100,000 nested block sequences in %.3f s\n", now() - t0);
    assert_true(now() - t0 < 5.0);

    /* the dump walks with its own stack too (its indentation makes it quadratic: 5,000 here) */
    size_t m = 5000;
    o.max_depth = (unsigned)m;
    load(&r, s + 2 * (n - m), 2 * m + 1, &o);
    assert_int_equal(r.rc, 1);
    buf b = BUF_INIT;
    yaml_dump(&b, r.docs[0].root, 0);
    assert_false(b.failed);
    const char *last = strrchr(b.data, '\n');
    assert_non_null(last);
    while (last > b.data && last[-1] != '\n')
        last--;
    char want[64];
    snprintf(want, sizeof want, "- 1:%zu scalar plain \"x\"\n", 2 * m + 1);
    assert_string_equal(last + 2 * m, want);
    buf_free(&b);
    done(&r);
    free(s);
}

static void test_huge_line(void **state)
{
    (void)state;
    size_t n = 10u << 20;
    char *s = malloc(n + 16);
    memcpy(s, "key: ", 5);
    memset(s + 5, 'x', n);
    memcpy(s + 5 + n, "\nk2: v\n", 8);
    run r;
    double t0 = now();
    load(&r, s, n + 12, NULL);
    double dt = now() - t0;
    printf("yaml: 10 MB line in %.3f s\n", dt);
    assert_int_equal(r.rc, 1);
    assert_int_equal(r.d.n, 0);
    const yv *v = yv_get(r.docs[0].root, "key");
    assert_non_null(v);
    assert_int_equal(v->u.str.len, n);
    assert_int_equal(yv_get(r.docs[0].root, "k2")->line, 2);
    done(&r);

    /* a 10 MB key is not a simple key (libyaml stops looking after 1024 characters) */
    memset(s, 'x', n);
    memcpy(s + n, ": v\n", 5);
    load(&r, s, n + 4, NULL);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_true(r.d.v[0].line >= 1);
    done(&r);
    free(s);
}

static void test_bad_bytes(void **state)
{
    (void)state;
    run r;
    load(&r, "a: 1\nb: x\0y\n", 12, NULL);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 2);
    assert_int_equal(r.d.v[0].col, 5);
    assert_string_equal(r.d.v[0].message,
                        "control character U+0000 is not allowed in YAML (byte offset 9)");
    done(&r);

    /* far past libyaml's first read buffer, after multi-byte text on the same line */
    buf b = BUF_INIT;
    for (int i = 0; i < 20000; i++)
        buf_printf(&b, "k%d: v\n", i);
    buf_puts(&b, "z: é\xff\n");
    load(&r, b.data, b.len, NULL);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_int_equal(r.d.v[0].line, 20001);
    assert_int_equal(r.d.v[0].col, 5);
    assert_non_null(strstr(r.d.v[0].message, "invalid UTF-8"));
    buf_free(&b);
    done(&r);

    /* UTF-16 with a BOM is decoded, as Go's yaml packages do; the tree holds UTF-8 */
    load(&r, "\xff\xfe" "a\0:\0 \0" "\xe9\0", 10, NULL);
    assert_int_equal(r.rc, 1);
    assert_int_equal(r.d.n, 0);
    assert_true(yv_is(yv_get(r.docs[0].root, "a"), "\xc3\xa9"));
    assert_int_equal(yv_get(r.docs[0].root, "a")->col, 4);
    done(&r);
    /* ...but not UTF-16 without one */
    load(&r, "a\0:\0 \0" "1\0", 8, NULL);
    assert_int_equal(r.rc, -1);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message,
                        "control character U+0000 is not allowed in YAML (byte offset 1)");
    done(&r);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    static const char *const zero[] = {"", "# only a comment\n", "---\n", "---\n...\n---\n",
                                       "\n\n   \n"};
    for (size_t i = 0; i < sizeof zero / sizeof *zero; i++) {
        run r;
        load_str(&r, zero[i]);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.d.n, 0);
        assert_non_null(r.docs);
        assert_null(r.docs[0].root);
        done(&r);
    }
    run r;
    load(&r, NULL, 0, NULL);
    assert_int_equal(r.rc, 0);
    done(&r);
    /* a null document is not an empty one */
    load_str(&r, "--- ~\n--- !!null\n");
    assert_int_equal(r.rc, 2);
    assert_true(yv_is_null(r.docs[0].root));
    assert_true(yv_is_null(r.docs[1].root));
    done(&r);
}

static void test_limits_from_ctx(void **state)
{
    (void)state;
    cpol_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_yaml_depth = 2;
    lim.max_documents = 3;
    run r;
    memset(&r, 0, sizeof r);
    arena_init(&r.a);
    r.ctx.a = &r.a;
    r.ctx.diags = &r.d;
    r.ctx.limits = &lim;
    r.ctx.file = "x.yaml";
    r.rc = yaml_load(&r.ctx, "a: {b: {c: 1}}\n", 15, NULL, &r.docs);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.d.v[0].message, "YAML nested deeper than 2 levels");
    assert_string_equal(r.d.v[0].file, "x.yaml");
    assert_int_equal(r.d.v[0].col, 8);
    done(&r);
    memset(&r, 0, sizeof r);
    arena_init(&r.a);
    r.ctx.a = &r.a;
    r.ctx.diags = &r.d;
    r.ctx.limits = &lim;
    r.rc = yaml_load(&r.ctx, "--- 1\n--- 2\n--- 3\n--- 4\n", 24, NULL, &r.docs);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.d.v[0].message, "more than 3 YAML documents");
    assert_int_equal(r.d.v[0].line, 4);
    assert_non_null(r.docs[2].root);
    assert_null(r.docs[3].root);
    done(&r);
}

/* ---- resolvers ---- */

static const yv *one(run *r, const char *s)
{
    load_str(r, s);
    assert_int_equal(r->rc, 1);
    return r->docs[0].root;
}

static void test_bools(void **state)
{
    (void)state;
    /* text, k8s result, compose result (-1 = not a bool) */
    static const struct {
        const char *in;
        int k8s, compose;
    } cases[] = {
        {"true", 1, 1},      {"True", 1, 1},       {"TRUE", 1, 1},       {"false", 0, 0},
        {"yes", 1, 1},       {"Yes", 1, 1},        {"YES", 1, 1},        {"y", 1, 1},
        {"Y", 1, 1},         {"on", 1, 1},         {"ON", 1, 1},         {"no", 0, 0},
        {"N", 0, 0},         {"off", 0, 0},        {"Off", 0, 0},        {"tRUE", -1, 1},
        {"yEs", -1, 1},      {"\"yes\"", -1, 1},   {"'true'", -1, 1},    {"\"no\"", -1, 0},
        {"!!str yes", -1, 1}, {"!!bool \"yes\"", 1, 1}, {"! yes", -1, 1}, {"!!int 1", -1, -1},
        {"1", -1, -1},       {"0", -1, -1},        {"yess", -1, -1},     {"\"\"", -1, -1},
        {"!reset true", 1, 1}, {"|\n  true\n", -1, -1}, {"enabled", -1, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run r;
        const yv *v = one(&r, cases[i].in);
        int b = 7, got = yv_bool_k8s(v, &b);
        if (got != (cases[i].k8s < 0 ? -1 : 0) || (got == 0 && b != cases[i].k8s))
            fail_msg("k8s bool of %s: rc %d value %d", cases[i].in, got, b);
        b = 7;
        got = yv_bool_compose(v, &b);
        if (got != (cases[i].compose < 0 ? -1 : 0) || (got == 0 && b != cases[i].compose))
            fail_msg("compose bool of %s: rc %d value %d", cases[i].in, got, b);
        done(&r);
    }
    int b;
    assert_int_equal(yv_bool_k8s(NULL, &b), -1);
    assert_int_equal(yv_bool_compose(NULL, &b), -1);
}

static void test_ints_and_nulls(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int ok;
        long long v;
    } cases[] = {
        {"0", 1, 0},
        {"42", 1, 42},
        {"-42", 1, -42},
        {"+7", 1, 7},
        {"0x1F", 1, 31},
        {"0o17", 1, 15},
        {"0644", 1, 420},
        {"0b101", 1, 5},
        {"1_000", 1, 1000},
        {"9223372036854775807", 1, 9223372036854775807LL},
        {"-9223372036854775808", 1, -9223372036854775807LL - 1},
        {"9223372036854775808", 0, 0},
        {"0xFFFFFFFFFFFFFFFFF", 0, 0},
        {"08", 0, 0},
        {"0x", 0, 0},
        {"0o", 0, 0},
        {"-", 0, 0},
        {"1.5", 0, 0},
        {"12abc", 0, 0},
        {"\"42\"", 0, 0},
        {"!!int \"42\"", 1, 42},
        {"!!str 42", 0, 0},
        {"1000m", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run r;
        const yv *v = one(&r, cases[i].in);
        long long x = 12345;
        int rc = yv_int(v, &x);
        if (rc != (cases[i].ok ? 0 : -1) || (cases[i].ok && x != cases[i].v))
            fail_msg("int of %s: rc %d value %lld", cases[i].in, rc, x);
        done(&r);
    }
    static const struct {
        const char *in;
        int null;
    } nulls[] = {{"a: ~", 1},      {"a: null", 1},  {"a: Null", 1},       {"a: NULL", 1},
                 {"a:", 1},        {"a: nULL", 0},  {"a: \"\"", 0},        {"a: 'null'", 0},
                 {"a: !!null x", 1}, {"a: !!str ~", 0}, {"a: [ ]", 0},    {"a: 0", 0}};
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++) {
        run r;
        const yv *v = yv_get(one(&r, nulls[i].in), "a");
        assert_non_null(v);
        if (yv_is_null(v) != nulls[i].null)
            fail_msg("null of %s", nulls[i].in);
        done(&r);
    }
    assert_int_equal(yv_is_null(NULL), 0);
}

static void test_get(void **state)
{
    (void)state;
    run r;
    const yv *m = one(&r, "image: nginx\n\"ports\": [80]\n'a b': 1\n");
    assert_true(yv_is(yv_get(m, "image"), "nginx"));
    assert_int_equal(yv_get(m, "ports")->kind, YV_SEQ);
    assert_non_null(yv_get(m, "a b"));
    assert_null(yv_get(m, "missing"));
    assert_null(yv_get(NULL, "image"));
    assert_null(yv_get(yv_get(m, "ports"), "image"));
    done(&r);
}

/* ---- corpus ---- */

static int yaml_name(const char *p)
{
    size_t n = strlen(p);
    return (n > 4 && !strcmp(p + n - 4, ".yml")) || (n > 5 && !strcmp(p + n - 5, ".yaml"));
}

static void test_corpus(void **state)
{
    (void)state;
    char path[2048];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", CPOL_CORPUS_DIR);
    struct stat st;
    snprintf(path, sizeof path, "%s/compose", CPOL_CORPUS_DIR);
    if (stat(path, &st) != 0) {
        printf("yaml corpus: %s missing, skipped\n", path);
        skip();
    }
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", CPOL_CORPUS_DIR);
    size_t mlen;
    char *man = slurp(path, &mlen);
    assert_non_null(man);
    size_t ok = 0, bad_ok = 0, semantic = 0, failures = 0, docs = 0, dup_files = 0;
    double t0 = now();
    size_t bytes = 0;
    for (char *line = strtok(man, "\n"); line; line = strtok(NULL, "\n")) {
        /* path format source_repo origin_path commit license bytes sha256 parse_ok parse_note */
        char *col[11] = {0};
        size_t nc = golden_split_tsv(line, col, 11);
        if (nc < 10 || (strncmp(col[0], "compose/", 8) && strncmp(col[0], "k8s/", 4)) ||
            !yaml_name(col[0]))
            continue;
        snprintf(path, sizeof path, "%s/%s", CPOL_CORPUS_DIR, col[0]);
        size_t len;
        char *in = slurp(path, &len);
        if (!in) {
            fprintf(stderr, "corpus: cannot read %s\n", path);
            failures++;
            continue;
        }
        bytes += len;
        run r;
        load(&r, in, len, NULL);
        int want_ok = !strcmp(col[8], "yes");
        /* "no workload kind" and the like are about meaning, not syntax */
        int syntactic = strstr(col[9], "Error") != NULL;
        size_t dups = 0;
        for (size_t i = 0; i < r.d.n; i++)
            if (!strncmp(r.d.v[i].message, "duplicate key \"", 15))
                dups++;
        if ((want_ok || !syntactic) && r.rc >= 0 && dups && dups == r.d.n) {
            /* PyYAML, which wrote the manifest, keeps the last of duplicate keys silently */
            for (size_t i = 0; i < r.d.n; i++)
                printf("corpus: %s:%u:%u %s\n", col[0], r.d.v[i].line, r.d.v[i].col,
                       r.d.v[i].message);
            dup_files++;
            docs += (size_t)r.rc;
            want_ok ? ok++ : semantic++;
        } else if (want_ok || !syntactic) {
            if (r.rc < 0 || r.d.n) {
                fprintf(stderr, "corpus: %s: rc %d, %zu diagnostics, first %u:%u %s\n", col[0],
                        r.rc, r.d.n, r.d.n ? r.d.v[0].line : 0, r.d.n ? r.d.v[0].col : 0,
                        r.d.n ? r.d.v[0].message : "");
                failures++;
            } else {
                docs += (size_t)r.rc;
                want_ok ? ok++ : semantic++;
            }
        } else {
            if (!r.d.n || r.d.v[0].line == 0) {
                fprintf(stderr, "corpus: %s should give a positioned diagnostic (%s)\n", col[0],
                        col[9]);
                failures++;
            } else {
                bad_ok++;
            }
        }
        done(&r);
        free(in);
    }
    free(man);
    printf("yaml corpus: %zu files load clean (%zu documents), %zu rejected with a position as "
           "the manifest expects, %zu semantic failures load clean, %zu of them all with only "
           "duplicate-key warnings; %zu mismatches; %.1f MB/s\n",
           ok, docs, bad_ok, semantic, dup_files, failures, (double)bytes / 1e6 / (now() - t0 + 1e-9));
    assert_true(ok > 1000);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_columns_count_characters),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_recursive_and_unknown_alias),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_limits_from_ctx),
        cmocka_unit_test(test_bools),
        cmocka_unit_test(test_ints_and_nulls),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
