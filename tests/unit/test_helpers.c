/* test_helpers.c - the cpol.* helper functions, called from Lua in a stock lua_State: results,
   argument errors, and huge inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <lauxlib.h>
#include <lualib.h>

#include "engine/helpers.h"

static int setup(void **state)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return -1;
    luaL_openlibs(L);
    lua_newtable(L);
    int top = lua_gettop(L);
    helpers_register(L);
    if (lua_gettop(L) != top)
        return -1;
    lua_setglobal(L, "cpol");
    *state = L;
    return 0;
}

static int teardown(void **state)
{
    lua_close(*state);
    return 0;
}

/* Run chunk, which must return a string; compare it with want. */
static void expect(lua_State *L, const char *chunk, const char *want)
{
    if (luaL_dostring(L, chunk) != LUA_OK)
        fail_msg("%s\n-> error: %s", chunk, lua_tostring(L, -1));
    const char *got = lua_tostring(L, -1);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s\n-> %s, want %s", chunk, got ? got : "(not a string)", want);
    lua_settop(L, 0);
}

/* Run chunk, which must raise an error whose message holds want. */
static void expect_error(lua_State *L, const char *chunk, const char *want)
{
    if (luaL_dostring(L, chunk) == LUA_OK)
        fail_msg("%s\n-> no error", chunk);
    const char *got = lua_tostring(L, -1);
    if (!got || !strstr(got, want))
        fail_msg("%s\n-> error %s, want one holding %s", chunk, got ? got : "?", want);
    lua_settop(L, 0);
}

static void test_image(void **state)
{
    lua_State *L = *state;
    expect(L, "local r = cpol.image('node:18-alpine') "
              "return table.concat({r.registry, r.repository, r.name, r.tag, tostring(r.digest)}, '|')",
           "docker.io|library/node|node|18-alpine|nil");
    expect(L, "local r = cpol.image('gcr.io/distroless/base@sha256:' .. string.rep('a', 64)) "
              "return r.registry .. '|' .. r.name .. '|' .. tostring(r.tag) .. '|' .. r.digest",
           "gcr.io|base|nil|sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    expect(L, "local r, e = cpol.image('UPPER CASE!') return tostring(r) .. '|' .. e",
           "nil|invalid image reference");
    expect(L, "local r, e = cpol.image(string.rep('a', 5000)) return tostring(r) .. '|' .. e",
           "nil|image reference too long");
    expect(L, "local r, e = cpol.image('a\\0b') return tostring(r) .. '|' .. e",
           "nil|invalid image reference (NUL byte)");
    expect_error(L, "cpol.image({})", "bad argument #1 to 'image' (string expected, got table)");
    expect_error(L, "cpol.image()", "bad argument #1 to 'image' (string expected, got no value)");
}

static void test_units(void **state)
{
    lua_State *L = *state;
    expect(L, "return tostring(cpol.parse_bytes('512m'))", "536870912.0");
    expect(L, "return tostring(cpol.parse_bytes('512m', 'docker'))", "536870912.0");
    expect(L, "return tostring(cpol.parse_bytes('512m', 'k8s'))", "0.512");
    expect(L, "return tostring(cpol.parse_bytes('128Mi', 'k8s'))", "134217728.0");
    expect(L, "return tostring(cpol.parse_bytes(1024))", "1024");
    expect(L, "return tostring(cpol.parse_bytes(1.5))", "1.5");
    expect(L, "return tostring(cpol.parse_bytes('lots'))", "nil");
    expect(L, "return tostring(cpol.parse_bytes('1g\\0'))", "nil");
    expect_error(L, "cpol.parse_bytes('1g', 'gb')", "bad argument #2 to 'parse_bytes' (invalid option 'gb')");
    expect_error(L, "cpol.parse_bytes(true)", "bad argument #1 to 'parse_bytes' (string or number expected, got boolean)");
    expect_error(L, "cpol.parse_bytes(nil)", "string or number expected, got nil");
    expect(L, "return tostring(cpol.parse_cpu('500m'))", "0.5");
    expect(L, "return tostring(cpol.parse_cpu('1.5'))", "1.5");
    expect(L, "return tostring(cpol.parse_cpu(2))", "2");
    expect(L, "return tostring(cpol.parse_cpu('two'))", "nil");
    expect_error(L, "cpol.parse_cpu({})", "bad argument #1 to 'parse_cpu' (string or number expected, got table)");
}

static void test_secrets(void **state)
{
    lua_State *L = *state;
    expect(L, "return cpol.secret('DATABASE_PASSWORD', 'supersecret123')",
           "secret-like name with a literal value");
    expect(L, "return tostring(cpol.secret('DATABASE_PASSWORD', '${DB_PASSWORD}'))", "nil");
    expect(L, "return tostring(cpol.secret('GOLANG_VERSION', '1.22'))", "nil");
    expect(L, "return cpol.secret('PIN_PASSWORD', 123456)", "secret-like name with a literal value");
    expect(L, "return cpol.secret_value('x ghp_' .. string.rep('a1', 18))", "GitHub token");
    expect(L, "return tostring(cpol.secret_value('hello'))", "nil");
    expect(L, "return cpol.secret_path('/app/.env')", "dotenv file");
    expect(L, "return tostring(cpol.secret_path('.env.example'))", "nil");
    expect(L, "return tostring(cpol.secret_path('.env\\0x'))", "nil");
    expect_error(L, "cpol.secret('A')", "bad argument #2 to 'secret' (string expected, got no value)");
    expect_error(L, "cpol.secret(nil, 'x')", "bad argument #1 to 'secret' (string expected, got nil)");
    expect_error(L, "cpol.secret_value(false)", "bad argument #1 to 'secret_value'");
    expect_error(L, "cpol.secret_path({})", "bad argument #1 to 'secret_path'");
    expect(L, "return tostring(cpol.entropy('abcd'))", "2.0");
    expect(L, "return tostring(cpol.entropy(''))", "0.0");
    expect_error(L, "cpol.entropy()", "bad argument #1 to 'entropy'");
}

static void test_glob_and_split(void **state)
{
    lua_State *L = *state;
    expect(L, "return tostring(cpol.glob('**/*.pem', 'a/b/key.pem'))", "true");
    expect(L, "return tostring(cpol.glob('*.pem', 'a/key.pem'))", "false");
    expect(L, "return tostring(cpol.glob('a', 'a\\0b'))", "false");
    expect_error(L, "cpol.glob('[', 'a')", "bad argument #1 to 'glob' (bad glob pattern)");
    expect_error(L, "cpol.glob('a')", "bad argument #2 to 'glob'");
    expect(L, "return table.concat(cpol.split('a,,b', ','), '|')", "a||b");
    expect(L, "local t = cpol.split('', ',') return #t .. ':' .. t[1]", "1:");
    expect(L, "return table.concat(cpol.split('a::b::', '::'), '|')", "a|b|");
    expect(L, "return table.concat(cpol.split('a.b%c', '.'), '|')", "a|b%c");
    expect(L, "return table.concat(cpol.split('aaab', 'aab'), '|')", "a|");
    expect(L, "return table.concat(cpol.split('abababc', 'ababc'), '|')", "ab|");
    expect_error(L, "cpol.split('a', '')", "bad argument #2 to 'split' (empty separator)");
    expect_error(L, "cpol.split({}, ',')", "bad argument #1 to 'split'");
}

static void test_huge_inputs(void **state)
{
    lua_State *L = *state;
    /* each of these is linear; a quadratic one would not finish in the test's time limit */
    expect(L, "local s = string.rep('a', 4000000) "
              "return #cpol.split(s, string.rep('a', 1000) .. 'b') .. ''", "1");
    expect(L, "return #cpol.split(string.rep('a,', 200000), ',') .. ''", "200001");
    expect(L, "return tostring(cpol.secret('PASSWORD_FILE', string.rep('eyJ', 1000000)))", "nil");
    expect(L, "return tostring(cpol.secret(string.rep('TOKEN_', 100000), string.rep('x1', 1000000)))",
           "secret-like name with a literal value");
    expect(L, "return tostring(cpol.glob(string.rep('*a', 500) .. 'b', string.rep('a', 60000)))",
           "false");
    expect(L, "return tostring(cpol.glob('*', string.rep('a', 70000)))", "false");
    expect(L, "return tostring(cpol.parse_bytes(string.rep('9', 1000000)))", "nil");
    expect(L, "return string.format('%.3f', cpol.entropy(string.rep('ab', 1000000)))", "1.000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_glob_and_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_inputs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
