/*
 * test_compose.c - the compose parser (parse/compose*.c) and the compose build -> Dockerfile link
 * (link/link.c): golden cases under tests/data/compose/<case>/ (docker-compose.yml, optional
 * docker-compose.override.yml -> expected.model and/or expected.error), direct checks of merge
 * rules and positions, the link with a fake loader and end to end through the public API, and
 * the corpus of real compose files. CPOL_UPDATE_GOLDEN=1 rewrites the expected files.
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
#include <unistd.h>

#include <cmocka.h>

#include "support/golden.h"

#include "containerpolicy.h"
#include "link/link.h"
#include "model/dump.h"
#include "model/node.h"
#include "parse/parse.h"
#include "util/buf.h"

#define DATA_DIR CPOL_SOURCE_DIR "/tests/data/compose"

typedef struct result {
    arena a;
    diag_sink d;
    node *project;
    int rc;
} result;

static const cpol_limits limits = {16u << 20, 1u << 20, 64, 64, 10000, 100, 1000};

static void parse2(result *r, const char *name, const char *data, size_t len, const char *oname,
                   const char *odata, size_t olen)
{
    arena_init(&r->a);
    diag_sink d = DIAG_SINK_INIT;
    r->d = d;
    r->project = node_map(&r->a, cpos_make(NULL, 0, 0));
    parse_ctx ctx = {&r->a, &r->d, &limits, name, r->project};
    r->rc = compose_parse(&ctx, data, len, oname, odata, olen);
}

static void parse_str(result *r, const char *s)
{
    parse2(r, "docker-compose.yml", s, strlen(s), NULL, NULL, 0);
}

static void parse_pair(result *r, const char *base, const char *over)
{
    parse2(r, "docker-compose.yml", base, strlen(base), "docker-compose.override.yml", over,
           strlen(over));
}

static void result_free(result *r)
{
    diag_free(&r->d);
    arena_free(&r->a);
}

static char *diag_text(const diag_sink *d)
{
    buf b = BUF_INIT;
    buf_put(&b, "", 0);
    for (size_t i = 0; i < d->n; i++)
        buf_printf(&b, "%s:%u:%u %s\n", d->v[i].file ? d->v[i].file : "-", d->v[i].line,
                   d->v[i].col, d->v[i].message);
    return buf_take(&b);
}

static node *service(node *project, const char *name)
{
    node *l = node_get(project, "containers");
    for (size_t i = 0; l && i < l->u.list.n; i++)
        if (strcmp(node_get_str(l->u.list.v[i], "name"), name) == 0)
            return l->u.list.v[i];
    return NULL;
}

static size_t count(node *project, const char *list)
{
    node *l = node_get(project, list);
    return l ? l->u.list.n : 0;
}

/* the i-th (0-based) string of list key in map m */
static const char *item(node *m, const char *key, size_t i)
{
    node *l = node_get(m, key);
    if (!l || l->type != N_LIST || i >= l->u.list.n || l->u.list.v[i]->type != N_STR)
        return NULL;
    return l->u.list.v[i]->u.s.s;
}

static void assert_pos(const node *n, const char *file, unsigned line, unsigned col)
{
    assert_non_null(n);
    if (!file)
        assert_null(n->pos.file);
    else
        assert_string_equal(n->pos.file, file);
    assert_int_equal(n->pos.line, line);
    assert_int_equal(n->pos.col, col);
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
        size_t len, olen = 0;
        snprintf(path, sizeof path, "%s/%s/docker-compose.yml", DATA_DIR, names[i]);
        char *src = golden_read_file(path, &len);
        if (!src)
            fail_msg("%s is missing", path);
        snprintf(path, sizeof path, "%s/%s/docker-compose.override.yml", DATA_DIR, names[i]);
        char *osrc = golden_read_file(path, &olen);
        result r;
        parse2(&r, "docker-compose.yml", src, len, osrc ? "docker-compose.override.yml" : NULL,
               osrc, olen);
        golden_expect(DATA_DIR, names[i], r.rc == 0 ? r.project : NULL,
                      r.d.n ? diag_text(&r.d) : NULL, update, &failures);
        free(src);
        free(osrc);
        result_free(&r);
        free(names[i]);
    }
    print_message("%zu golden compose cases%s\n", n, update ? " (updated)" : "");
    assert_true(n >= 15);
    assert_int_equal(failures, 0);
}

/* ---- direct checks ---- */

static void test_fields_and_positions(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "services:\n"
                  "  web:\n"
                  "    image: \"nginx:1.25\"\n"
                  "    user: 1000:2000\n"
                  "    cap_add: [cap_net_admin]\n"
                  "    cap_drop:\n"
                  "      - ALL\n"
                  "    ports: [\"127.0.0.1:8080:80/udp\"]\n"
                  "    mem_limit: 1g\n"
                  "    cpus: 0.5\n"
                  "    environment:\n"
                  "      - PASSWORD=hunter2\n"
                  "      - TOKEN=${TOKEN}\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    node *c = service(r.project, "web");
    assert_pos(c, "docker-compose.yml", 2, 3);
    assert_string_equal(node_get_str(c, "kind"), "compose-service");
    assert_string_equal(node_get_str(c, "object"), "service web");
    node *img = node_get(c, "image");
    assert_string_equal(node_get_str(img, "repository"), "library/nginx");
    assert_string_equal(node_get_str(img, "tag"), "1.25");
    assert_pos(node_get(img, "ref"), "docker-compose.yml", 3, 12);
    node *u = node_get(c, "user");
    assert_pos(u, "docker-compose.yml", 4, 11);
    assert_string_equal(node_get_str(u, "name"), "1000");
    assert_int_equal(node_get_int(u, "uid", -1), 1000);
    assert_int_equal(node_get_int(u, "gid", -1), 2000);
    assert_pos(node_get(u, "gid"), "docker-compose.yml", 4, 16);
    node *caps = node_get(c, "capabilities");
    assert_string_equal(item(caps, "add", 0), "NET_ADMIN");
    assert_pos(node_get(caps, "add")->u.list.v[0], "docker-compose.yml", 5, 19);
    assert_string_equal(item(caps, "drop", 0), "ALL");
    assert_pos(node_get(caps, "drop")->u.list.v[0], "docker-compose.yml", 7, 9);
    node *port = node_get(node_get(c, "network"), "ports")->u.list.v[0];
    assert_string_equal(node_get_str(port, "host_ip"), "127.0.0.1");
    assert_int_equal(node_get_int(port, "published", -1), 8080);
    assert_int_equal(node_get_int(port, "target", -1), 80);
    assert_string_equal(node_get_str(port, "protocol"), "udp");
    assert_pos(node_get(port, "target"), "docker-compose.yml", 8, 29);
    node *res = node_get(c, "resources");
    assert_int_equal(node_get_int(res, "memory_limit", -1), 1073741824LL);
    assert_true(node_get(res, "cpu_limit")->u.d == 0.5);
    node *env = node_get(c, "env");
    assert_int_equal(env->u.list.n, 2);
    assert_string_equal(node_get_str(env->u.list.v[0], "value"), "hunter2");
    assert_pos(node_get(env->u.list.v[0], "value"), "docker-compose.yml", 12, 18);
    assert_null(node_get(env->u.list.v[0], "interpolated"));
    assert_true(node_get_bool(env->u.list.v[1], "interpolated", 0));
    result_free(&r);
}

static void test_override_merge(void **state)
{
    (void)state;
    result r;
    parse_pair(&r,
               "services:\n"
               "  app:\n"
               "    image: myapp:1\n"
               "    ports: [\"8080:80\", \"9000:9000\"]\n"
               "    cap_add: [CHOWN]\n"
               "    environment: {FOO: bar, KEEP: k}\n"
               "    privileged: true\n"
               "    command: [a, b]\n"
               "    logging: {driver: syslog, options: {tag: x}}\n",
               "services:\n"
               "  app:\n"
               "    ports: [\"9000:9000\", \"8443:443\"]\n"
               "    cap_add: [CHOWN, KILL]\n"
               "    environment: [FOO=baz]\n"
               "    privileged: !reset null\n"
               "    logging: {driver: json-file, options: {max-size: 1m}}\n"
               "  extra:\n"
               "    image: busybox\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 0);
    assert_int_equal(count(r.project, "containers"), 2);
    node *c = service(r.project, "app");
    node *ports = node_get(node_get(c, "network"), "ports");
    assert_int_equal(ports->u.list.n, 3);
    /* the duplicate 9000:9000 of the override took the base entry's place */
    assert_string_equal(ports->u.list.v[1]->pos.file, "docker-compose.override.yml");
    assert_int_equal(node_get_int(ports->u.list.v[2], "target", 0), 443);
    node *caps = node_get(c, "capabilities");
    assert_int_equal(node_get(caps, "add")->u.list.n, 2);
    assert_string_equal(item(caps, "add", 1), "KILL");
    node *env = node_get(c, "env");
    assert_int_equal(env->u.list.n, 2);
    assert_string_equal(node_get_str(env->u.list.v[0], "name"), "FOO");
    assert_string_equal(node_get_str(env->u.list.v[0], "value"), "baz");
    assert_pos(node_get(env->u.list.v[0], "value"), "docker-compose.override.yml", 5, 23);
    assert_string_equal(node_get_str(env->u.list.v[1], "name"), "KEEP");
    assert_null(node_get(c, "privileged"));
    /* another driver: the options of the first do not carry over */
    node *lg = node_get(c, "logging");
    assert_string_equal(node_get_str(lg, "driver"), "json-file");
    assert_null(node_get(node_get(lg, "options"), "tag"));
    assert_string_equal(node_get_str(node_get(lg, "options"), "max-size"), "1m");
    node *extra = service(r.project, "extra");
    assert_pos(extra, "docker-compose.override.yml", 8, 3);
    node *doc = node_get(r.project, "documents")->u.list.v[0];
    assert_string_equal(node_get_str(doc, "override_file"), "docker-compose.override.yml");
    result_free(&r);
}

static void test_override_replace(void **state)
{
    (void)state;
    result r;
    parse_pair(&r,
               "services:\n"
               "  app:\n"
               "    image: myapp\n"
               "    ports: [\"8080:80\"]\n"
               "    volumes: [\"data:/data\", \"./src:/src\"]\n",
               "services:\n"
               "  app:\n"
               "    ports: !override\n"
               "      - \"8443:443\"\n"
               "    volumes: [\"other:/data:ro\"]\n");
    assert_int_equal(r.d.n, 0);
    node *c = service(r.project, "app");
    node *ports = node_get(node_get(c, "network"), "ports");
    assert_int_equal(ports->u.list.n, 1);
    assert_int_equal(node_get_int(ports->u.list.v[0], "target", 0), 443);
    node *m = node_get(c, "mounts");
    assert_int_equal(m->u.list.n, 2);
    assert_string_equal(node_get_str(m->u.list.v[0], "source"), "other");
    assert_true(node_get_bool(m->u.list.v[0], "read_only", 0));
    assert_string_equal(node_get_str(m->u.list.v[1], "source"), "./src");
    result_free(&r);
}

static void test_extends(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "services:\n"
                  "  base:\n"
                  "    image: base:1\n"
                  "    user: app\n"
                  "    cap_drop: [ALL]\n"
                  "  mid:\n"
                  "    extends: base\n"
                  "    cap_drop: [NET_RAW]\n"
                  "  top:\n"
                  "    extends: {service: mid}\n"
                  "    image: top:2\n"
                  "  far:\n"
                  "    extends: {file: common.yml, service: x}\n"
                  "    image: far\n"
                  "  loop1: {extends: loop2}\n"
                  "  loop2: {extends: loop1}\n"
                  "  lost: {extends: nowhere}\n");
    node *top = service(r.project, "top");
    assert_string_equal(node_get_str(node_get(top, "image"), "ref"), "top:2");
    assert_string_equal(node_get_str(node_get(top, "user"), "name"), "app");
    assert_pos(node_get(top, "user"), "docker-compose.yml", 4, 11);
    assert_string_equal(item(node_get(top, "capabilities"), "drop", 0), "ALL");
    assert_string_equal(item(node_get(top, "capabilities"), "drop", 1), "NET_RAW");
    assert_string_equal(node_get_str(node_get(top, "extends"), "service"), "mid");
    node *far = service(r.project, "far");
    assert_string_equal(node_get_str(node_get(far, "extends"), "file"), "common.yml");
    assert_int_equal(count(r.project, "containers"), 7);
    char *t = diag_text(&r.d);
    assert_string_equal(t, "docker-compose.yml:13:21 service \"far\": extends a service of "
                           "another file (common.yml), which is not followed\n"
                           "docker-compose.yml:15:3 service \"loop1\": extends loops back to "
                           "this service\n"
                           "docker-compose.yml:17:19 service \"lost\": extends \"nowhere\", "
                           "which is not a service of this file\n");
    free(t);
    result_free(&r);
}

static void test_bad_input(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.d.n, 1);
    assert_string_equal(r.d.v[0].message, "the compose file is empty");
    result_free(&r);

    parse_str(&r, "services: [a, b]\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(count(r.project, "containers"), 0);
    char *t = diag_text(&r.d);
    assert_string_equal(t, "docker-compose.yml:1:11 services must be a map of service names, "
                           "not a list\n");
    free(t);
    result_free(&r);

    parse_str(&r, "services:\n  web: [1]\n  ok:\n    image: a\n    privileged: maybe\n");
    assert_int_equal(count(r.project, "containers"), 1);
    t = diag_text(&r.d);
    assert_string_equal(t, "docker-compose.yml:2:8 service \"web\": a service must be a map, "
                           "not a list\n"
                           "docker-compose.yml:5:17 service \"ok\": privileged must be a "
                           "boolean, not \"maybe\"\n");
    free(t);
    result_free(&r);

    /* a syntax error leaves nothing to read */
    parse_str(&r, "services:\n  web: {image: [\n");
    assert_int_equal(r.rc, -1);
    assert_true(r.d.n >= 1);
    result_free(&r);

    /* hostile bytes: no crash, a diagnostic */
    static const char nul[] = "services:\n  a:\n    image: \"x\0y\"\n";
    parse2(&r, "docker-compose.yml", nul, sizeof nul - 1, NULL, NULL, 0);
    assert_true(r.d.n >= 1);
    result_free(&r);
}

/* Alias fan-out and long extends chains stay bounded and do not crash. */
static void test_hostile_shapes(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    buf_puts(&b, "x: &a {cap_add: [A, B, C], environment: {K: v}}\nservices:\n");
    for (int i = 0; i < 300; i++)
        buf_printf(&b, "  s%d: {<<: *a, extends: s%d, image: i}\n", i, i + 1);
    buf_puts(&b, "  s300: {extends: s0}\n");
    result r;
    parse2(&r, "docker-compose.yml", b.data, b.len, "docker-compose.override.yml", b.data, b.len);
    assert_int_equal(r.rc, 0);
    assert_int_equal(count(r.project, "containers"), 301);
    /* the loop back from s300 to s0 is reported, once per file */
    size_t loops = 0;
    for (size_t i = 0; i < r.d.n; i++)
        loops += strstr(r.d.v[i].message, "extends loops back") != NULL;
    assert_int_equal(loops, 2);
    node *s0 = service(r.project, "s0");
    assert_int_equal(node_get(node_get(s0, "capabilities"), "add")->u.list.n, 3);
    result_free(&r);
    buf_free(&b);
}

static void test_reset_in_single_file_and_anchor(void **state)
{
    (void)state;
    result r;
    parse_str(&r, "x-sec: &sec\n"
                  "  cap_drop: [ALL]\n"
                  "  security_opt: [\"no-new-privileges=true\", \"seccomp:unconfined\"]\n"
                  "services:\n"
                  "  a:\n"
                  "    <<: *sec\n"
                  "    image: a\n"
                  "    read_only: \"yes\"\n");
    assert_int_equal(r.d.n, 0);
    node *c = service(r.project, "a");
    assert_string_equal(item(node_get(c, "capabilities"), "drop", 0), "ALL");
    /* merged pairs keep the anchor's positions */
    assert_pos(node_get(node_get(c, "capabilities"), "drop")->u.list.v[0], "docker-compose.yml",
               2, 14);
    assert_true(node_get_bool(c, "no_new_privileges", 0));
    assert_string_equal(node_get_str(node_get(c, "seccomp"), "profile"), "unconfined");
    assert_pos(node_get(node_get(c, "seccomp"), "profile"), "docker-compose.yml", 3, 53);
    assert_true(node_get_bool(c, "read_only_rootfs", 0));
    result_free(&r);
}

/* ---- link with a fake loader ---- */

typedef struct fake {
    char paths[8][256];
    const char *inl[8];
    size_t n;
    arena *a;
    node *build;
} fake;

static node *fake_load(void *ud, const char *path, const char *inline_text, cpos at)
{
    fake *f = ud;
    (void)at;
    if (f->n < 8) {
        snprintf(f->paths[f->n], sizeof f->paths[0], "%s", path);
        f->inl[f->n] = inline_text;
        f->n++;
    }
    return strstr(path, "missing") ? NULL : f->build;
}

static void test_link_fake(void **state)
{
    (void)state;
    result r;
    const char *src = "services:\n"
                      "  a: {build: ./app}\n"
                      "  b: {build: {context: ../x, dockerfile: ../y/Dockerfile.dev, target: "
                      "builder}}\n"
                      "  c: {build: {context: /abs, dockerfile: /etc/Dockerfile}, user: \"0\"}\n"
                      "  d: {build: \"https://github.com/a/b.git#main\"}\n"
                      "  e: {build: {dockerfile_inline: \"FROM alpine\\n\"}, image: e:1}\n"
                      "  f: {build: missing}\n"
                      "  g: {image: g}\n";
    parse2(&r, "proj/sub/docker-compose.yml", src, strlen(src), NULL, NULL, 0);
    assert_int_equal(r.d.n, 0);
    /* a build with two stages: builder (root) and the final one (USER app) */
    parse_ctx dctx = {&r.a, &r.d, &limits, "Dockerfile", node_map(&r.a, cpos_make(NULL, 0, 0))};
    const char *df = "FROM golang:1.22 AS builder\nRUN go build\nFROM alpine:3.19\nUSER app\n";
    assert_int_equal(dockerfile_parse(&dctx, df, strlen(df)), 0);
    fake f;
    memset(&f, 0, sizeof f);
    f.build = node_get(dctx.project, "builds")->u.list.v[0];
    link_ops ops = {fake_load, &f};
    parse_ctx ctx = {&r.a, &r.d, &limits, "", r.project};
    link_project(&ctx, r.project, 0, count(r.project, "containers"), &ops);
    assert_int_equal(f.n, 5);
    assert_string_equal(f.paths[0], "proj/sub/app/Dockerfile");
    assert_string_equal(f.paths[1], "proj/y/Dockerfile.dev");
    assert_string_equal(f.paths[2], "/etc/Dockerfile");
    assert_string_equal(f.inl[3], "FROM alpine\n");
    assert_string_equal(f.paths[4], "proj/sub/missing/Dockerfile");

    node *a = service(r.project, "a");
    assert_ptr_equal(node_get(a, "build"), f.build);
    assert_string_equal(node_get_str(node_get(a, "user"), "name"), "app");
    assert_pos(node_get(a, "user"), "Dockerfile", 4, 1);
    assert_true(node_get_bool(a, "user_from_build", 0));
    assert_true(node_get_bool(a, "built_image", 0));
    node *b = service(r.project, "b");
    assert_string_equal(node_get_str(node_get(b, "user"), "name"), "root");
    assert_false(node_get_bool(node_get(b, "user"), "explicit", 1));
    node *c = service(r.project, "c");
    assert_string_equal(node_get_str(node_get(c, "user"), "source"), "compose");
    assert_null(node_get(c, "user_from_build"));
    node *d = service(r.project, "d");
    assert_null(node_get(d, "build"));
    assert_null(node_get(d, "user"));
    node *e = service(r.project, "e");
    assert_null(node_get(e, "built_image"));
    node *fs = service(r.project, "f");
    assert_null(node_get(fs, "build"));
    assert_null(node_get(fs, "user"));
    assert_null(node_get(service(r.project, "g"), "build"));
    result_free(&r);
}

/* ---- end to end through the public API ---- */

static const char user_rule[] =
    "return { id = 'ZZ100', severity = 'info', title = 'user', formats = {'compose'},\n"
    "  remediation = 'none',\n"
    "  check = function(c, report)\n"
    "    if c.user then\n"
    "      report{ at = c.user, message = c.name .. ' user=' .. tostring(c.user.name) ..\n"
    "              ' from_build=' .. tostring(c.user_from_build) }\n"
    "    end\n"
    "  end }\n";

static void put(const char *dir, const char *name, const char *text)
{
    char p[1024];
    assert_true((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) < sizeof p);
    assert_int_equal(golden_write_file(p, text), 0);
}

static void test_link_end_to_end(void **state)
{
    (void)state;
    char dir[] = "/tmp/cpol-compose-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/api", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    put(dir, "docker-compose.yml",
        "services:\n"
        "  api:\n"
        "    build:\n"
        "      context: ./api\n"
        "      dockerfile: Dockerfile.prod\n"
        "  web:\n"
        "    build: ./api\n"
        "    user: \"1000\"\n");
    put(dir, "docker-compose.override.yml", "services:\n  api:\n    environment: [A=1]\n");
    put(sub, "Dockerfile.prod", "FROM alpine:3.19\nRUN true\nUSER nobody\n");
    put(sub, "Dockerfile", "FROM alpine:3.19\n");
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = 1;
    cpol_engine *eng = cpol_engine_new(&o);
    assert_non_null(eng);
    assert_int_equal(cpol_engine_add_rule_source(eng, "user.lua", user_rule, strlen(user_rule)),
                     0);
    char path[1100];
    snprintf(path, sizeof path, "%s/docker-compose.yml", dir);
    const char *paths[] = {path};
    cpol_report *rep = NULL;
    assert_int_equal(cpol_engine_scan_paths(eng, paths, 1, &rep), 0);
    for (size_t i = 0; i < cpol_report_error_count(rep); i++)
        print_error("diag: %s\n", cpol_report_error(rep, i)->message);
    assert_int_equal(cpol_report_error_count(rep), 0);
    assert_int_equal(cpol_report_count(rep), 2);
    int seen = 0;
    for (size_t i = 0; i < cpol_report_count(rep); i++) {
        const cpol_finding *f = cpol_report_finding(rep, i);
        if (strstr(f->message, "api user=nobody from_build=true")) {
            char want[1200];
            snprintf(want, sizeof want, "%s/api/Dockerfile.prod", dir);
            assert_string_equal(f->file, want);
            assert_int_equal(f->line, 3);
            assert_int_equal(f->column, 1);
            seen |= 1;
        } else if (strstr(f->message, "web user=1000 from_build=nil")) {
            assert_string_equal(f->file, path);
            assert_int_equal(f->line, 8);
            assert_int_equal(f->column, 11);
            seen |= 2;
        } else
            fail_msg("unexpected finding %s", f->message);
    }
    assert_int_equal(seen, 3);
    cpol_report_free(rep);
    cpol_engine_free(eng);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- corpus ---- */

static void test_corpus(void **state)
{
    (void)state;
    char path[2048];
    struct stat st;
    snprintf(path, sizeof path, "%s/compose", CPOL_CORPUS_DIR);
    if (stat(path, &st) != 0) {
        print_message("compose corpus: %s missing, skipped\n", path);
        skip();
    }
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", CPOL_CORPUS_DIR);
    size_t mlen;
    char *man = golden_read_file(path, &mlen);
    assert_non_null(man);
    size_t ok = 0, failures = 0, services = 0, noted_files = 0;
    char *save = NULL;
    for (char *line = strtok_r(man, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *col[11] = {0};
        size_t nc = golden_split_tsv(line, col, 11);
        if (nc < 9 || strcmp(col[1], "compose") != 0 || strcmp(col[8], "yes") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", CPOL_CORPUS_DIR, col[0]);
        size_t len;
        char *in = golden_read_file(path, &len);
        if (!in) {
            print_error("corpus: cannot read %s\n", path);
            failures++;
            continue;
        }
        result r;
        parse2(&r, col[0], in, len, NULL, NULL, 0);
        size_t dups = 0;
        for (size_t i = 0; i < r.d.n; i++) {
            /* the loader's duplicate keys, and cross-file extends, which we report by design */
            if (!strncmp(r.d.v[i].message, "duplicate key \"", 15) ||
                strstr(r.d.v[i].message, "extends a service of another file")) {
                print_message("corpus: %s:%u:%u %s\n", col[0], r.d.v[i].line, r.d.v[i].col,
                              r.d.v[i].message);
                dups++;
            }
        }
        if (r.rc != 0 || r.d.n != dups) {
            print_error("corpus: %s: rc %d, %zu diagnostics, first %u:%u %s\n", col[0], r.rc,
                        r.d.n, r.d.n ? r.d.v[0].line : 0, r.d.n ? r.d.v[0].col : 0,
                        r.d.n ? r.d.v[0].message : "");
            failures++;
        } else {
            ok++;
            services += count(r.project, "containers");
            noted_files += dups > 0;
        }
        result_free(&r);
        /* every prefix cut at a line end and mid-line must load without harm */
        for (size_t cut = 1; cut < len; cut += 1 + len / 7) {
            parse2(&r, col[0], in, cut, "o.yml", in + cut, len - cut);
            result_free(&r);
        }
        free(in);
    }
    free(man);
    print_message("compose corpus: %zu files parsed (%zu with only duplicate-key or cross-file "
                  "extends notes), %zu services, %zu failures\n",
                  ok, noted_files, services, failures);
    assert_true(ok > 200);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_fields_and_positions),
        cmocka_unit_test(test_override_merge),
        cmocka_unit_test(test_override_replace),
        cmocka_unit_test(test_extends),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_reset_in_single_file_and_anchor),
        cmocka_unit_test(test_hostile_shapes),
        cmocka_unit_test(test_link_fake),
        cmocka_unit_test(test_link_end_to_end),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
