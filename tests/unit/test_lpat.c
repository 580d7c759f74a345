/* test_lpat.c - our pattern matcher (engine/lpat.c) against stock Lua 5.4, then its budgets.
 * The differential cases live in tests/unit/lpat (Lua): each call runs through `lp` and through
 * `string`, and every difference in results or error text is reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/lpat.h"

#define LPAT_DIR CPOL_SOURCE_DIR "/tests/unit/lpat/"

typedef struct fixture {
    lua_State *L;
    lpat_budget b;
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    f->L = luaL_newstate();
    luaL_openlibs(f->L);
    f->b.max_steps = 1000000;
    lua_newtable(f->L);
    lpat_register(f->L, &f->b);
    lua_setglobal(f->L, "lp");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lua_close(f->L);
    test_free(f);
    return 0;
}

static void run_file(lua_State *L, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", LPAT_DIR, name);
    if (luaL_dofile(L, path) != LUA_OK) {
        print_error("%s: %s\n", name, lua_tostring(L, -1));
        fail();
    }
}

/* Runs the chunk; returns NULL on success or the error message without the chunk's position
 * prefix (valid until the next call). */
static const char *run(lua_State *L, const char *code)
{
    const char *msg, *q;
    lua_settop(L, 0);
    if (luaL_dostring(L, code) == LUA_OK)
        return NULL;
    msg = lua_tostring(L, -1);
    if (strncmp(msg, "[string ", 8) == 0 && (q = strstr(msg, "]:")) != NULL) {
        q += 2;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q[0] == ':' && q[1] == ' ')
            msg = q + 2;
    }
    return msg;
}

static long get_count(lua_State *L, const char *field)
{
    long n;
    lua_getglobal(L, "T");
    lua_getfield(L, -1, field);
    n = (long)lua_tointeger(L, -1);
    lua_pop(L, 2);
    return n;
}

/* Print every recorded difference; return how many there were. */
static long report_fails(lua_State *L)
{
    long i, n;
    lua_getglobal(L, "T");
    lua_getfield(L, -1, "fails");
    n = (long)luaL_len(L, -1);
    for (i = 1; i <= n && i <= 40; i++) {
        lua_rawgeti(L, -1, i);
        print_error("%s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return n;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_hand_written_cases(void **state)
{
    fixture *f = *state;
    run_file(f->L, "common.lua");
    run_file(f->L, "cases.lua");
    assert_int_equal(report_fails(f->L), 0);
    print_message("%ld hand-written comparisons\n", get_count(f->L, "cases"));
    /* the cross product alone is 36 subjects x 238 patterns x 4 functions */
    assert_true(get_count(f->L, "cases") > 34000);
    assert_int_equal(get_count(f->L, "skipped"), 1); /* ('a?'):rep(250): too complex for stock */
}

static void test_random_cases(void **state)
{
    fixture *f = *state;
    long compared;
    run_file(f->L, "common.lua");
    lua_pushinteger(f->L, 20240611);
    lua_setglobal(f->L, "SEED");
    lua_pushinteger(f->L, 30000);
    lua_setglobal(f->L, "COUNT");
    run_file(f->L, "random.lua");
    assert_int_equal(report_fails(f->L), 0);
    compared = get_count(f->L, "cases");
    print_message("%ld random comparisons, %ld skipped\n", compared, get_count(f->L, "skipped"));
    assert_true(compared + get_count(f->L, "skipped") == 30000);
    assert_true(compared > 29000);
}

static void test_random_other_seed(void **state)
{
    fixture *f = *state;
    run_file(f->L, "common.lua");
    lua_pushinteger(f->L, 7);
    lua_setglobal(f->L, "SEED");
    lua_pushinteger(f->L, 10000);
    lua_setglobal(f->L, "COUNT");
    run_file(f->L, "random.lua");
    assert_int_equal(report_fails(f->L), 0);
    assert_true(get_count(f->L, "cases") > 9500);
}

static void test_quadratic_pattern_stops(void **state)
{
    fixture *f = *state;
    struct timespec t0;
    const char *err;
    double secs;
    f->b.max_steps = 1000000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = run(f->L, "return lp.find(('a'):rep(1e5), 'a*b')");
    secs = seconds_since(&t0);
    assert_non_null(err);
    assert_string_equal(err, "pattern step budget exceeded (1000000 steps)");
    assert_int_equal(f->b.last_steps, 1000000);
    print_message("('a'):rep(1e5):find('a*b') stopped after %.3f ms\n", secs * 1e3);
    assert_true(secs < 5.0);

    /* the same shapes through the other functions, and %b restarted at every position */
    assert_string_equal(run(f->L, "return lp.match(('a'):rep(1e5), '.-b')"),
                        "pattern step budget exceeded (1000000 steps)");
    assert_string_equal(run(f->L, "return lp.gsub(('a'):rep(1e5), 'a*b', '')"),
                        "pattern step budget exceeded (1000000 steps)");
    assert_string_equal(run(f->L, "for x in lp.gmatch(('a'):rep(1e5), 'a*b') do end"),
                        "pattern step budget exceeded (1000000 steps)");
    assert_string_equal(run(f->L, "return lp.find(('('):rep(1e5), '%b()')"),
                        "pattern step budget exceeded (1000000 steps)");
    assert_string_equal(run(f->L, "return lp.find(('a'):rep(1e5), '(.*)%1b')"),
                        "pattern step budget exceeded (1000000 steps)");
    /* pcall cannot turn the error into a silent success of the matcher */
    assert_null(run(f->L, "local ok, e = pcall(lp.find, ('a'):rep(1e5), 'a*b')\n"
                          "assert(not ok and e:find('step budget', 1, true))"));
}

static void test_budget_counts_per_call(void **state)
{
    fixture *f = *state;
    f->b.max_steps = 5000;
    /* each gmatch iteration gets a fresh budget, a gsub call shares one */
    assert_null(run(f->L, "local n = 0\n"
                          "for w in lp.gmatch(('word '):rep(10000), '%a+') do n = n + 1 end\n"
                          "assert(n == 10000, n)"));
    assert_string_equal(run(f->L, "return lp.gsub(('word '):rep(10000), '%a+', 'x')"),
                        "pattern step budget exceeded (5000 steps)");
    assert_null(run(f->L, "assert(lp.find('hello world', 'o w') == 5)"));
    assert_true(f->b.last_steps < 100);
    assert_null(run(f->L, "assert(lp.match('abc', '^(%a+)$') == 'abc')"));
    assert_true(f->b.last_steps > 0 && f->b.last_steps < 100);
    /* 0 is no limit */
    f->b.max_steps = 0;
    assert_null(run(f->L, "assert(lp.find(('a'):rep(3000), 'a*b') == nil)"));
    assert_true(f->b.last_steps > 4000000);
}

static void test_deep_recursion_is_bounded(void **state)
{
    fixture *f = *state;
    f->b.max_steps = 100000000;
    assert_string_equal(run(f->L, "return lp.match(('a'):rep(5000), ('a?'):rep(5000))"),
                        "pattern too complex");
    assert_string_equal(run(f->L, "return lp.match(('a'):rep(5000), ('(a)'):rep(5000))"),
                        "too many captures");
    assert_string_equal(run(f->L, "return lp.match(('a'):rep(5000), ('a*'):rep(5000) .. 'b')"),
                        "pattern too complex");
    assert_string_equal(
        run(f->L, "return lp.find(('a'):rep(1000), ('('):rep(20) .. ('a-'):rep(300))"),
        "pattern too complex");
    /* long runs of plain items and of one quantified item do not recurse */
    assert_null(run(f->L, "local s = ('ab'):rep(50000)\n"
                          "assert(lp.match(s, '^' .. s .. '$') == s)\n"
                          "assert(lp.find(s, '^[ab]*$') == 1)\n"
                          "assert(lp.match(s, '^(.-)$') == s)"));
}

static void test_gsub_long_string_with_function(void **state)
{
    fixture *f = *state;
    f->b.max_steps = 50000000;
    assert_null(run(f->L, "local s = ('alpha beta_1 gamma '):rep(50000)\n"
                          "local seen = 0\n"
                          "local r, n = lp.gsub(s, '[%w_]+', function(w)\n"
                          "    seen = seen + 1\n"
                          "    return #w\n"
                          "end)\n"
                          "assert(n == 150000 and seen == 150000, n)\n"
                          "assert(r == ('5 6 5 '):rep(50000), r:sub(1, 40))\n"
                          "local r2 = lp.gsub(s, '(%a+)', {alpha = 'A', gamma = false})\n"
                          "assert(r2 == ('A beta_1 gamma '):rep(50000))"));
    assert_true(f->b.last_steps > 0);
}

/* How the engine installs us: through the string metatable, and re-entered from a callback. */
static void test_method_calls_and_nesting(void **state)
{
    fixture *f = *state;
    f->b.max_steps = 100000;
    assert_null(run(f->L, "local mt = getmetatable('')\n"
                          "mt.__index = setmetatable({find = lp.find, match = lp.match,\n"
                          "    gmatch = lp.gmatch, gsub = lp.gsub}, {__index = string})\n"));
    assert_null(run(f->L, "assert(('src/init.lua'):find('%.lua$') == 9)\n"
                          "assert(('k=v'):match('^(%w+)=(%w*)$') == 'k')\n"
                          "local t = {}\n"
                          "for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end\n"
                          "assert(table.concat(t, ' ') == 'a1 b2')\n"
                          "local r = ('x y'):gsub('%a', function(c)\n"
                          "    return (('[' .. c .. ']'):gsub('%[(%a)%]', '<%1>'))\n"
                          "end)\n"
                          "assert(r == '<x> <y>', r)"));
    assert_string_equal(run(f->L, "return ('abc'):find('%')"), "malformed pattern (ends with '%')");
    assert_string_equal(run(f->L, "local x = ('abc'):find({})"),
                        "bad argument #1 to 'find' (string expected, got table)");
    assert_string_equal(run(f->L, "return ('a'):rep(1e5):find('a*b')"),
                        "pattern step budget exceeded (100000 steps)");
}

typedef struct clock_ud {
    int calls;
    int stop_at;
} clock_ud;

static int fake_expired(void *ud)
{
    clock_ud *c = ud;
    c->calls++;
    return c->calls >= c->stop_at;
}

static void test_expired_callback_stops_a_call(void **state)
{
    fixture *f = *state;
    clock_ud c = {0, 3};
    f->b.max_steps = 0;
    f->b.expired = fake_expired;
    f->b.ud = &c;
    assert_string_equal(run(f->L, "return lp.find(('a'):rep(1e5), 'a*b')"),
                        "rule deadline exceeded in pattern matching");
    assert_int_equal(c.calls, 3);
    assert_int_equal(f->b.last_steps, 3 * 4096);

    /* a callback that says "not yet" lets the call finish, polled every 4096 steps */
    c.calls = 0;
    c.stop_at = 1000000;
    assert_null(run(f->L, "assert(lp.find(('a'):rep(1000), 'a*b') == nil)"));
    assert_int_equal(c.calls, (int)(f->b.last_steps / 4096));
    assert_true(c.calls > 100);

    /* short calls never pay for the clock */
    c.calls = 0;
    assert_null(run(f->L, "for i = 1, 1000 do assert(lp.find('abc.lua', '%.lua$') == 4) end"));
    assert_int_equal(c.calls, 0);
    f->b.expired = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hand_written_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_other_seed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quadratic_pattern_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_counts_per_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_recursion_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gsub_long_string_with_function, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_callback_stops_a_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_calls_and_nesting, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
