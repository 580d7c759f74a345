/*
 * test_imageref.c - image reference splitting (util/imageref.c): Docker Hub defaults, registries
 * with ports, digests, and references Docker rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/imageref.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

typedef struct good_case {
    const char *ref, *registry, *repository, *name, *tag, *digest;
} good_case;

static const good_case good[] = {
    {"node", "docker.io", "library/node", "node", NULL, NULL},
    {"node:20", "docker.io", "library/node", "node", "20", NULL},
    {"node:20-slim", "docker.io", "library/node", "node", "20-slim", NULL},
    {"bitnami/redis:7.2", "docker.io", "bitnami/redis", "redis", "7.2", NULL},
    {"docker.io/node", "docker.io", "library/node", "node", NULL, NULL},
    {"docker.io/library/node:18", "docker.io", "library/node", "node", "18", NULL},
    {"index.docker.io/nginx", "docker.io", "library/nginx", "nginx", NULL, NULL},
    {"gcr.io/distroless/nodejs20-debian12:nonroot", "gcr.io", "distroless/nodejs20-debian12",
     "nodejs20-debian12", "nonroot", NULL},
    {"gcr.io/distroless/nodejs20-debian12:nonroot@sha256:" D64, "gcr.io",
     "distroless/nodejs20-debian12", "nodejs20-debian12", "nonroot", "sha256:" D64},
    {"alpine@sha256:" D64, "docker.io", "library/alpine", "alpine", NULL, "sha256:" D64},
    {"localhost/app", "localhost", "app", "app", NULL, NULL},
    {"localhost:5000/app", "localhost:5000", "app", "app", NULL, NULL},
    /* without a slash there is no registry: "5000" is the tag of the Hub image "localhost" */
    {"localhost:5000", "docker.io", "library/localhost", "localhost", "5000", NULL},
    {"localhost:5000/team/app:1.0", "localhost:5000", "team/app", "app", "1.0", NULL},
    {"registry.example.com:443/a/b/c/d:v1", "registry.example.com:443", "a/b/c/d", "d", "v1", NULL},
    {"[::1]:5000/app:dev", "[::1]:5000", "app", "app", "dev", NULL},
    {"192.168.1.10:5000/app", "192.168.1.10:5000", "app", "app", NULL, NULL},
    {"ghcr.io/owner/repo-name_x.y:1.2.3_rc-1", "ghcr.io", "owner/repo-name_x.y", "repo-name_x.y",
     "1.2.3_rc-1", NULL},
    {"a__b/c---d:_T", "docker.io", "a__b/c---d", "c---d", "_T", NULL},
    {"Registry/app", "Registry", "app", "app", NULL, NULL},
    {"quay.io/x/y@sha512:" D64 D64, "quay.io", "x/y", "y", NULL, "sha512:" D64 D64},
    {"x@multihash+base58:" D64, "docker.io", "library/x", "x", NULL, "multihash+base58:" D64},
};

static void check_str(const char *what, const char *ref, const char *got, const char *want)
{
    if (!want && !got)
        return;
    if (!want || !got || strcmp(want, got) != 0)
        fail_msg("%s: %s is '%s', expected '%s'", ref, what, got ? got : "(null)",
                 want ? want : "(null)");
}

static void test_good(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        image_ref r;
        const good_case *c = &good[i];
        if (image_ref_parse(&a, c->ref, &r) != 0)
            fail_msg("'%s' was rejected", c->ref);
        check_str("registry", c->ref, r.registry, c->registry);
        check_str("repository", c->ref, r.repository, c->repository);
        check_str("name", c->ref, r.name, c->name);
        check_str("tag", c->ref, r.tag, c->tag);
        check_str("digest", c->ref, r.digest, c->digest);
    }
    arena_free(&a);
}

static void test_bad(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        ":tag",
        "Node:20",                     /* upper case repository (no slash: not a registry) */
        "node:",                       /* empty tag */
        "node:-bad",                   /* tag must start with a word character */
        "node@sha256:abc",             /* short digest */
        "node@sha256:" D64 "0",        /* 65 hex digits */
        "node@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
        "node@:" D64,                  /* no algorithm */
        "node@1sha:" D64,              /* algorithm starts with a digit */
        "node@sha256" D64,             /* no colon */
        "gcr.io/",                     /* empty path */
        "gcr.io//x",
        "a/b/",
        "app/-x",                      /* component starts with a separator */
        "app/x-",                      /* and ends with one */
        "app/x..y",
        "app/x___y",
        "my app",
        "host:port/app",               /* port must be digits */
        "-host.com/app",
        "[zz]:5000/app",
        "node:1:2",
    };
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        image_ref r;
        int rc = image_ref_parse(&a, bad[i], &r);
        if (rc != -1)
            fail_msg("'%s' was accepted", bad[i]);
        assert_null(r.registry);
        assert_null(r.tag);
    }
    assert_int_equal(image_ref_parse(&a, NULL, &(image_ref){0}), -1);
    arena_free(&a);
}

static void test_long_name(void **state)
{
    (void)state;
    char name[300];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    arena a;
    arena_init(&a);
    image_ref r;
    assert_int_equal(image_ref_parse(&a, name, &r), -1); /* names are at most 255 bytes */
    name[255] = '\0';
    assert_int_equal(image_ref_parse(&a, name, &r), 0);
    assert_int_equal(strlen(r.name), 255);
    /* tags are at most 128 characters */
    char ref[200] = "node:";
    memset(ref + 5, 't', 128);
    ref[5 + 128] = '\0';
    assert_int_equal(image_ref_parse(&a, ref, &r), 0);
    assert_int_equal(strlen(r.tag), 128);
    ref[5 + 128] = 't';
    ref[5 + 129] = '\0';
    assert_int_equal(image_ref_parse(&a, ref, &r), -1);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_long_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
