/* test_units.c - sizes and CPUs as Docker (RAMInBytes: binary, any case, optional b) and the
   Kubernetes quantity grammar (binary Ki.., decimal k M G.., m = milli, exponents) define them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/units.h"

typedef struct ucase {
    const char *s;
    int flavour;
    int rc;
    double want;
} ucase;

#define D UNITS_DOCKER
#define K UNITS_K8S
#define MI 1048576.0
#define GI 1073741824.0

static const ucase byte_cases[] = {
    {"512m", D, 0, 512 * MI},      {"512M", D, 0, 512 * MI},       {"1g", D, 0, GI},
    {"1Gi", D, 0, GI},             {"1gb", D, 0, GI},              {"1GiB", D, 0, GI},
    {"1.5G", D, 0, 1.5 * GI},      {"1024", D, 0, 1024},           {"128k", D, 0, 131072},
    {"1kb", D, 0, 1024},           {"2b", D, 0, 2},                {"2048k", D, 0, 2097152},
    {"300m", D, 0, 300 * MI},      {"512 m", D, 0, 512 * MI},      {"1t", D, 0, 1099511627776.0},
    {" 64m ", D, 0, 64 * MI},      {"0", D, 0, 0},                 {"2e3", D, -1, 0},
    {"1.5.2g", D, -1, 0},          {"-1g", D, -1, 0},              {"g", D, -1, 0},
    {"", D, -1, 0},                {"1x", D, -1, 0},               {"1gbb", D, -1, 0},
    {".5g", D, -1, 0},             {"1.", D, -1, 0},               {"1  m", D, -1, 0},
    {"100Mi", K, 0, 100 * MI},     {"1Gi", K, 0, GI},              {"1G", K, 0, 1e9},
    {"1.5G", K, 0, 1.5e9},         {"128974848", K, 0, 128974848}, {"129e6", K, 0, 129e6},
    {"123Mi", K, 0, 123 * MI},     {"2e3", K, 0, 2000},            {"1E", K, 0, 1e18},
    {"1Ei", K, 0, 1152921504606846976.0}, {"1k", K, 0, 1000},      {"1Ki", K, 0, 1024},
    {"500m", K, 0, 0.5},           {"1.", K, 0, 1},                {".5Gi", K, 0, 0.5 * GI},
    {"+1M", K, 0, 1e6},            {"1E-3", K, 0, 0.001},          {"1K", K, -1, 0},
    {"1mi", K, -1, 0},             {"1gb", K, -1, 0},              {"1e", K, -1, 0},
    {"1e999", K, -1, 0},           {"-1Gi", K, -1, 0},             {"1 Gi", K, -1, 0},
    {"Gi", K, -1, 0},              {"1GiB", K, -1, 0},
};

static void test_bytes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof byte_cases / sizeof byte_cases[0]; i++) {
        const ucase *c = &byte_cases[i];
        double v = -42;
        int rc = units_parse_bytes(c->s, c->flavour, &v);
        if (rc != c->rc || (rc == 0 && v != c->want) || (rc != 0 && v != -42))
            fail_msg("units_parse_bytes(\"%s\", %s) = %d, %.17g; want %d, %.17g", c->s,
                     c->flavour == D ? "docker" : "k8s", rc, v, c->rc, c->want);
    }
    double v;
    assert_int_equal(units_parse_bytes(NULL, D, &v), -1);
    assert_int_equal(units_parse_bytes("1g", D, NULL), -1);
}

static void test_cpu(void **state)
{
    (void)state;
    static const struct { const char *s; int rc; double want; } c[] = {
        {"1.5", 0, 1.5}, {"0.5", 0, 0.5}, {"500m", 0, 0.5}, {"2", 0, 2}, {"1.0", 0, 1},
        {"250m", 0, 0.25}, {"100m", 0, 0.1}, {"1e0", 0, 1}, {"", -1, 0}, {"m", -1, 0},
        {"-1", -1, 0}, {"1 cpu", -1, 0}, {"0.5cpu", -1, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double v = -42;
        int rc = units_parse_cpu(c[i].s, &v);
        if (rc != c[i].rc || (rc == 0 && v != c[i].want))
            fail_msg("units_parse_cpu(\"%s\") = %d, %.17g", c[i].s, rc, v);
    }
}

static void test_huge_inputs(void **state)
{
    (void)state;
    static char big[100001];
    memset(big, '9', sizeof big - 1);
    double v;
    assert_int_equal(units_parse_bytes(big, K, &v), -1); /* overflows to infinity: bad input */
    memset(big, '0', sizeof big - 1);
    big[0] = '.';
    assert_int_equal(units_parse_bytes(big, K, &v), 0);
    assert_true(v == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_cpu),
        cmocka_unit_test(test_huge_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
