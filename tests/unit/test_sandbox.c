/*
 * test_sandbox.c - hostile rules are stopped or refused with a diagnostic naming the rule, and
 * every other rule still runs and sees an untouched model. Each case runs a hostile rule next to
 * a witness rule over the same Dockerfile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "containerpolicy.h"

static const char dockerfile[] = "FROM alpine:3.19\nUSER app\n";

/* The witness reports the user name it sees: proof that it ran and that the model is intact. */
static const char witness[] =
    "return { id = 'ZZ999', severity = 'info', title = 'witness', formats = {'dockerfile'},\n"
    "  remediation = 'none',\n"
    "  check = function(c, report)\n"
    "    local up = ('x'):upper()\n"
    "    report{ at = c.user, message = 'user=' .. tostring(c.user.name) .. ' upper=' .. up ..\n"
    "            ' leaked=' .. tostring(LEAK) }\n"
    "  end }\n";

/* An engine without the built-in rules, for a test's own rules. */
static cpol_engine *bare_engine(void)
{
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = 1;
    cpol_engine *e = cpol_engine_new(&o);
    assert_non_null(e);
    return e;
}

static char *rule_with(const char *body)
{
    static const char head[] =
        "return { id = 'EVIL1', severity = 'high', title = 'hostile', formats = {'dockerfile'},\n"
        "  remediation = 'none',\n"
        "  check = function(c, report)\n";
    static const char tail[] = "\n  end }\n";
    size_t n = strlen(head) + strlen(body) + strlen(tail) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%s%s%s", head, body, tail);
    return s;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the hostile body beside the witness; expect one diagnostic from EVIL1 whose message holds
   `want`, and the witness finding intact. */
static void expect_stopped(const char *body, const char *want)
{
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = 1;
    o.lua_memory = 64u << 20;
    cpol_engine *e = cpol_engine_new(&o);
    assert_non_null(e);
    char *src = rule_with(body);
    assert_int_equal(cpol_engine_add_rule_source(e, "evil.lua", src, strlen(src)), 0);
    free(src);
    assert_int_equal(cpol_engine_add_rule_source(e, "witness.lua", witness, strlen(witness)), 0);
    cpol_report *r = NULL;
    double t0 = now_s();
    assert_int_equal(cpol_engine_scan_buffer(e, "Dockerfile", dockerfile, strlen(dockerfile),
                                             CPOL_FORMAT_AUTO, &r),
                     0);
    double took = now_s() - t0;
    print_message("    %-60.60s %.3f s\n", want, took);
    assert_true(took < 5.0);
    assert_int_equal(cpol_report_error_count(r), 1);
    const cpol_diag *d = cpol_report_error(r, 0);
    if (!d->rule_id)
        fail_msg("diagnostic without rule: %s", d->message);
    assert_string_equal(d->rule_id, "EVIL1");
    assert_string_equal(d->file, "Dockerfile");
    if (!strstr(d->message, want))
        fail_msg("diagnostic '%s' does not contain '%s'", d->message, want);
    assert_true(strstr(d->message, "rule EVIL1 failed") == d->message);
    /* the witness still ran and saw the untouched model and a clean environment */
    size_t witnessed = 0;
    for (size_t i = 0; i < cpol_report_count(r); i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (strcmp(f->rule_id, "ZZ999") == 0) {
            assert_string_equal(f->message, "user=app upper=X leaked=nil");
            assert_int_equal(f->line, 2);
            witnessed++;
        }
    }
    assert_int_equal(witnessed, 1);
    assert_int_equal(cpol_report_incomplete(r), 1);
    cpol_report_free(r);
    cpol_engine_free(e);
}

/* Hostile rule bodies and the text their diagnostic must hold; each runs as its own named test
   (cmocka_unit_test_prestate below). */
typedef struct hostile {
    const char *body, *want;
} hostile;

static void run_hostile(void **state)
{
    const hostile *h = *state;
    expect_stopped(h->body, h->want);
}

static const hostile infinite_loop = {"while true do end", "instruction budget"};
static const hostile loop_inside_pcall = {
    "while true do pcall(function() while true do end end) end", "instruction budget"};
static const hostile xpcall_handler_loop = {
    "while true do xpcall(function() while true do end end, function() while true do end end) end",
    "instruction budget"};
static const hostile table_memory_bomb = {
    "local t = {} for i = 1, 1e9 do t[i] = {i, i, i} end", "stopped:"};
static const hostile string_rep_bomb = {"local x = string.rep('x', 1 << 30)",
                                        "stopped: Lua memory limit"};
static const hostile concat_bomb = {"local x = 'xxxxxxxx' while true do x = x .. x end",
                                    "stopped:"};
static const hostile gsub_growth = {"local x = 'aaaa' while true do x = x:gsub('a', 'aa') end",
                                    "pattern step budget exceeded"};
static const hostile catastrophic_pattern = {
    "local x = string.rep('a', 100000) return x:find('a*a*a*a*b')",
    "pattern step budget exceeded"};
static const hostile deep_recursion = {"local function f(n) return 1 + f(n + 1) end f(1)",
                                       "stack overflow"};
static const hostile error_table = {"error({code = 1})", "error object is a table value"};
static const hostile error_nil = {"error(nil)", "error object is a nil value"};
static const hostile reach_io = {"io.open('/etc/passwd')", "global 'io'"};
static const hostile reach_os = {"os.execute('true')", "global 'os'"};
static const hostile reach_debug = {"debug.getregistry()", "global 'debug'"};
static const hostile reach_require = {"require('io')", "global 'require'"};
static const hostile reach_load = {"load('return 1')()", "global 'load'"};
static const hostile reach_dump = {"string.dump(function() end)", "field 'dump'"};
static const hostile reach_string_metatable = {"getmetatable('').__index.upper = nil",
                                               "global 'getmetatable'"};
static const hostile reach_rawset = {"rawset(c, 'user', nil)", "global 'rawset'"};
static const hostile reach_setmetatable = {
    "setmetatable({}, {__gc = function() while true do end end})", "global 'setmetatable'"};
static const hostile write_model = {"c.user.name = 'root'",
                                    "rule EVIL1 tried to modify the model (field 'name')"};
static const hostile write_model_new_key = {"c.extra = 1",
                                            "tried to modify the model (field 'extra')"};
/* writes go to the rule's own environment: the witness sees neither */
static const hostile leak_global_and_patch_string = {
    "LEAK = 'yes'; string.upper = function() return 'pwned' end; error('done')", "done"};

static void bytecode_refused(void **s)
{
    (void)s;
    cpol_engine *e = bare_engine();
    const char bc[] = "\x1bLua\x54\x00garbage";
    assert_int_equal(cpol_engine_add_rule_source(e, "bc.lua", bc, sizeof bc - 1), CPOL_ERULE);
    assert_non_null(strstr(cpol_engine_last_error(e), "attempt to load a binary chunk"));
    cpol_engine_free(e);
}

static void load_time_loop_refused(void **s)
{
    (void)s;
    cpol_engine *e = bare_engine();
    const char src[] = "while true do end";
    assert_int_equal(cpol_engine_add_rule_source(e, "spin.lua", src, sizeof src - 1), CPOL_ERULE);
    assert_string_equal(cpol_engine_last_error(e),
                        "spin.lua: loading the rule stopped: instruction budget of 10000000 "
                        "exceeded");
    cpol_engine_free(e);
}

static void metadata_errors(void **s)
{
    (void)s;
    static const struct {
        const char *src, *err;
    } cases[] = {
        {"return 1", "m.lua: a rule file must return a table, not a number"},
        {"return {\n id = 'cp1', severity = 'high', title = 't', remediation = 'r', formats = "
         "{'dockerfile'}, check = function() end }",
         "m.lua:2: id \"cp1\" is not valid: use 2-32 characters, A-Z first, then A-Z, 0-9, '_' or "
         "'-' (e.g. \"ACME001\")"},
        {"return { id = 'X1',\n severity = 'urgent', title = 't', remediation = 'r', formats = "
         "{'dockerfile'}, check = function() end }",
         "m.lua:2: severity \"urgent\" is not one of critical, high, medium, low, info"},
        {"return { id = 'X1', severity = 'high', title = 't', remediation = 'r',\n\n formats = "
         "{'dockerfiles'}, check = function() end }",
         "m.lua:3: unknown format \"dockerfiles\" in 'formats' (known: dockerfile, compose, k8s, "
         "oci, docker-run, github, gitlab)"},
        {"return { id = 'X1', severity = 'high', title = 't', formats = {'dockerfile'}, check = "
         "function() end }",
         "m.lua: rule has no 'remediation' (a string is required)"},
        {"return { id = 'X1', severity = 'high', title = 't', remediation = 'r', formats = "
         "{'dockerfile'} }",
         "m.lua: rule X1 has neither 'check' nor 'check_project'"},
        {"return { id = 'X1', api = 2, severity = 'high', title = 't', remediation = 'r', formats "
         "= {'dockerfile'}, check = function() end }",
         "m.lua:1: rule X1 declares api = 2; this engine supports api = 1"},
        {"return {", "m.lua:1: unexpected symbol near <eof>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cpol_engine *e = bare_engine();
        assert_int_equal(cpol_engine_add_rule_source(e, "m.lua", cases[i].src, strlen(cases[i].src)),
                         CPOL_ERULE);
        assert_string_equal(cpol_engine_last_error(e), cases[i].err);
        assert_int_equal(cpol_engine_rule_count(e), 0);
        cpol_engine_free(e);
    }
}

static void duplicate_id_needs_replace(void **s)
{
    (void)s;
    cpol_engine *e = bare_engine();
    assert_int_equal(cpol_engine_add_rule_source(e, "w.lua", witness, strlen(witness)), 0);
    assert_int_equal(cpol_engine_add_rule_source(e, "w2.lua", witness, strlen(witness)), CPOL_ERULE);
    assert_string_equal(cpol_engine_last_error(e),
                        "w2.lua: rule id ZZ999 is already used by w.lua; choose another id or set "
                        "replace = true");
    const char repl[] = "return { id = 'ZZ999', replace = true, severity = 'low', title = 'new',"
                        " remediation = 'r', formats = {'dockerfile'}, check = function() end }";
    assert_int_equal(cpol_engine_add_rule_source(e, "w3.lua", repl, sizeof repl - 1), 0);
    assert_int_equal(cpol_engine_rule_count(e), 1);
    cpol_rule_info ri;
    assert_int_equal(cpol_engine_rule_info(e, 0, &ri), 0);
    assert_string_equal(ri.title, "new");
    assert_string_equal(ri.origin, "w3.lua");
    cpol_engine_free(e);
}

/* The wall-clock deadline stops a rule whose instruction budget is far away. */
static void deadline(void **s)
{
    (void)s;
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = 1;
    o.lua_instructions = 4000000000UL;
    o.rule_timeout_ms = 200;
    cpol_engine *e = cpol_engine_new(&o);
    char *src = rule_with("while true do end");
    assert_int_equal(cpol_engine_add_rule_source(e, "evil.lua", src, strlen(src)), 0);
    free(src);
    cpol_report *r = NULL;
    double t0 = now_s();
    assert_int_equal(cpol_engine_scan_buffer(e, "Dockerfile", dockerfile, strlen(dockerfile),
                                             CPOL_FORMAT_AUTO, &r),
                     0);
    double took = now_s() - t0;
    assert_true(took >= 0.19 && took < 3.0);
    assert_int_equal(cpol_report_error_count(r), 1);
    assert_string_equal(cpol_report_error(r, 0)->message,
                        "rule EVIL1 failed on Dockerfile final stage: stopped: time limit of 200 ms "
                        "exceeded");
    cpol_report_free(r);
    cpol_engine_free(e);
}

/* Input limits: a buffer over max_file_size is a diagnostic, not a scan. */
static void file_size_limit(void **s)
{
    (void)s;
    cpol_options o;
    cpol_options_init(&o);
    o.max_file_size = 16;
    cpol_engine *e = cpol_engine_new(&o);
    cpol_report *r = NULL;
    assert_int_equal(cpol_engine_scan_buffer(e, "Dockerfile", dockerfile, strlen(dockerfile),
                                             CPOL_FORMAT_AUTO, &r),
                     0);
    assert_int_equal(cpol_report_count(r), 0);
    assert_int_equal(cpol_report_error_count(r), 1);
    assert_string_equal(cpol_report_error(r, 0)->message,
                        "input is 26 bytes, larger than the limit of 16");
    cpol_report_free(r);
    cpol_engine_free(e);
}

/* A check_project rule looks at every object of the scan: its findings cap (and budgets) grow
   with the number of containers, so a big repository is not a rule failure, while a runaway
   rule still is. */
static int project_cap_run(int per_container, char *err, size_t errlen, size_t *nfound)
{
    cpol_engine *e = bare_engine();
    char src[512];
    snprintf(src, sizeof src,
             "return { id = 'PROJ1', severity = 'low', title = 't', remediation = 'r',\n"
             "  formats = {'compose'}, check_project = function(p, report)\n"
             "    for _, c in ipairs(p.containers) do\n"
             "      for k = 1, %d do report{ at = c, message = 'n' .. k } end\n"
             "    end end }",
             per_container);
    assert_int_equal(cpol_engine_add_rule_source(e, "proj.lua", src, strlen(src)), 0);
    size_t cap = 200 * 40;
    char *yaml = malloc(cap);
    size_t n = (size_t)snprintf(yaml, cap, "services:\n");
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(yaml + n, cap - n, "  s%d:\n    image: app:1\n", i);
    cpol_report *r = NULL;
    assert_int_equal(cpol_engine_scan_buffer(e, "compose.yaml", yaml, n, CPOL_FORMAT_AUTO, &r), 0);
    free(yaml);
    *nfound = cpol_report_count(r);
    int nerr = (int)cpol_report_error_count(r);
    snprintf(err, errlen, "%s", nerr ? cpol_report_error(r, 0)->message : "");
    cpol_report_free(r);
    cpol_engine_free(e);
    return nerr;
}

static void project_findings_cap(void **s)
{
    (void)s;
    char err[256];
    size_t found;
    /* 150 containers x 10 = 1,500 findings: over the per-call 1,000, within 1,000 + 10 x 150 */
    assert_int_equal(project_cap_run(10, err, sizeof err, &found), 0);
    assert_int_equal(found, 1500);
    /* 20 per container = 3,000: a runaway */
    assert_int_equal(project_cap_run(20, err, sizeof err, &found), 1);
    assert_string_equal(err, "rule PROJ1 failed: proj.lua:4: rule PROJ1 reported more than 2500 "
                             "findings in one call");
}

static void field_positions(void **s)
{
    (void)s;
    /* report{field=} points at the scalar; `at` may be a pos table itself */
    cpol_engine *e = bare_engine();
    const char src[] =
        "return { id = 'P1', severity = 'low', title = 't', remediation = 'r', formats = "
        "{'dockerfile'},\n check = function(c, report)\n"
        "  report{ at = c, message = 'container' }\n"
        "  report{ at = c.user.pos, message = 'pos table' }\n"
        "  report{ message = 'no at' }\n"
        "  assert(#c.build.stages == 1 and c.build.stages[1].index == 1)\n"
        "  local n = 0 for k, v in pairs(c.user) do n = n + 1 end assert(n > 2)\n"
        "  for i, st in ipairs(c.build.stages) do assert(st.base.name == 'alpine') end\n"
        " end }";
    assert_int_equal(cpol_engine_add_rule_source(e, "p.lua", src, sizeof src - 1), 0);
    cpol_report *r = NULL;
    assert_int_equal(cpol_engine_scan_buffer(e, "x/Dockerfile", dockerfile, strlen(dockerfile),
                                             CPOL_FORMAT_AUTO, &r),
                     0);
    assert_int_equal(cpol_report_error_count(r), 0);
    assert_int_equal(cpol_report_count(r), 3);
    const cpol_finding *f = cpol_report_finding(r, 0);
    assert_int_equal(f->line, 1);
    assert_string_equal(f->file, "x/Dockerfile");
    f = cpol_report_finding(r, 2);
    assert_int_equal(f->line, 2);
    assert_string_equal(f->message, "pos table");
    cpol_report_free(r);
    cpol_engine_free(e);
}

/* Model views (engine/view.c) behave as read-only tables to every base function a rule has. */
static void view_semantics(void **s)
{
    (void)s;
    cpol_engine *e = bare_engine();
    const char src[] =
        "return { id = 'V1', severity = 'low', title = 't', remediation = 'r', formats = "
        "{'dockerfile'},\n check = function(c, report)\n"
        "  local u = c.user\n"
        "  assert(type(c) == 'table' and type(u) == 'table' and type(u.pos) == 'table')\n"
        "  assert(type(u.field_pos) == 'table' and type(u.field_pos.name) == 'table')\n"
        "  assert(tostring(u):match('^table: '), tostring(u))\n"
        "  assert(rawequal(c.user, u) and c.build == c.build, 'a node has one view per run')\n"
        "  assert(rawget(u, 'name') == 'app' and u.name == 'app')\n"
        "  assert(#c.build.stages == 1 and rawlen(c.build.stages) == 1 and #u == 0)\n"
        "  assert(u.pos.line == 2 and u.pos.col == 1 and u.field_pos.name.line == 2)\n"
        "  assert(u.field_pos.name.col == 6, u.field_pos.name.col)\n"
        "  local keys = {}\n"
        "  for k in pairs(u) do keys[#keys + 1] = k end\n"
        "  local viaNext, k = {}, next(u)\n"
        "  while k ~= nil do viaNext[#viaNext + 1] = k; k = next(u, k) end\n"
        "  assert(table.concat(keys, ',') == table.concat(viaNext, ','), 'pairs = next')\n"
        "  assert(keys[1] == 'name' and not table.concat(keys, ','):find('pos'), "
        "table.concat(keys, ','))\n"
        "  assert(next(c.build.stages[1].env) == nil, 'an empty list is empty to next')\n"
        "  local pk = {}\n"
        "  for k, v in pairs(u.pos) do pk[#pk + 1] = k .. '=' .. tostring(v) end\n"
        "  assert(table.concat(pk, ',') == 'file=x/Dockerfile,line=2,col=1', table.concat(pk, ','))\n"
        "  assert(table.concat(c.build.stages[1].instructions[1].args, ' ') == 'alpine:3.19')\n"
        "  local n = 0 for i, a in ipairs(c.build.stages[1].instructions[1].args) do n = n + 1; "
        "assert(i == 1 and a == 'alpine:3.19') end assert(n == 1)\n"
        "  local t = {} for i, x in ipairs({'a', 'b', nil, 'd'}) do t[i] = x end "
        "assert(#t == 2 and t[2] == 'b')\n"
        "  local ok, err = pcall(string.upper, u)\n"
        "  assert(not ok and err:find('string expected, got table', 1, true), err)\n"
        "  ok, err = pcall(function() u.name = 'root' end)\n"
        "  assert(not ok and err:find('model is read-only', 1, true), err)\n"
        "  ok, err = pcall(table.insert, c.build.stages, 1)\n"
        "  assert(not ok and err:find('model is read-only', 1, true), err)\n"
        "  assert(u.name == 'app', 'the model is intact')\n"
        "  if KEPT then local _ = KEPT.name end\n"
        "  KEPT = u\n"
        "  report{ at = u, field = 'name', message = 'ok' }\n"
        " end }";
    assert_int_equal(cpol_engine_add_rule_source(e, "v.lua", src, sizeof src - 1), 0);
    cpol_report *r = NULL;
    assert_int_equal(cpol_engine_scan_buffer(e, "x/Dockerfile", dockerfile, strlen(dockerfile),
                                             CPOL_FORMAT_AUTO, &r),
                     0);
    if (cpol_report_error_count(r))
        fail_msg("%s", cpol_report_error(r, 0)->message);
    assert_int_equal(cpol_report_count(r), 1);
    assert_string_equal(cpol_report_finding(r, 0)->message, "ok");
    assert_int_equal(cpol_report_finding(r, 0)->line, 2);
    assert_int_equal(cpol_report_finding(r, 0)->column, 6);
    cpol_report_free(r);
    /* the second scan finds the view the rule kept from the first: its nodes are gone */
    assert_int_equal(cpol_engine_scan_buffer(e, "x/Dockerfile", dockerfile, strlen(dockerfile),
                                             CPOL_FORMAT_AUTO, &r),
                     0);
    assert_int_equal(cpol_report_count(r), 0);
    assert_int_equal(cpol_report_error_count(r), 1);
    assert_string_equal(cpol_report_error(r, 0)->message,
                        "rule V1 failed on Dockerfile final stage: v.lua:32: a model table was "
                        "kept from an earlier run of the rules; it cannot be read");
    cpol_report_free(r);
    cpol_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"infinite_loop", run_hostile, NULL, NULL, (void *)&infinite_loop},
        {"loop_inside_pcall", run_hostile, NULL, NULL, (void *)&loop_inside_pcall},
        {"xpcall_handler_loop", run_hostile, NULL, NULL, (void *)&xpcall_handler_loop},
        {"table_memory_bomb", run_hostile, NULL, NULL, (void *)&table_memory_bomb},
        {"string_rep_bomb", run_hostile, NULL, NULL, (void *)&string_rep_bomb},
        {"concat_bomb", run_hostile, NULL, NULL, (void *)&concat_bomb},
        {"gsub_growth", run_hostile, NULL, NULL, (void *)&gsub_growth},
        {"catastrophic_pattern", run_hostile, NULL, NULL, (void *)&catastrophic_pattern},
        {"deep_recursion", run_hostile, NULL, NULL, (void *)&deep_recursion},
        {"error_table", run_hostile, NULL, NULL, (void *)&error_table},
        {"error_nil", run_hostile, NULL, NULL, (void *)&error_nil},
        {"reach_io", run_hostile, NULL, NULL, (void *)&reach_io},
        {"reach_os", run_hostile, NULL, NULL, (void *)&reach_os},
        {"reach_debug", run_hostile, NULL, NULL, (void *)&reach_debug},
        {"reach_require", run_hostile, NULL, NULL, (void *)&reach_require},
        {"reach_load", run_hostile, NULL, NULL, (void *)&reach_load},
        {"reach_dump", run_hostile, NULL, NULL, (void *)&reach_dump},
        {"reach_string_metatable", run_hostile, NULL, NULL, (void *)&reach_string_metatable},
        {"reach_rawset", run_hostile, NULL, NULL, (void *)&reach_rawset},
        {"reach_setmetatable", run_hostile, NULL, NULL, (void *)&reach_setmetatable},
        {"write_model", run_hostile, NULL, NULL, (void *)&write_model},
        {"write_model_new_key", run_hostile, NULL, NULL, (void *)&write_model_new_key},
        {"leak_global_and_patch_string", run_hostile, NULL, NULL, (void *)&leak_global_and_patch_string},
        cmocka_unit_test(bytecode_refused),
        cmocka_unit_test(load_time_loop_refused),
        cmocka_unit_test(metadata_errors),
        cmocka_unit_test(duplicate_id_needs_replace),
        cmocka_unit_test(field_positions),
        cmocka_unit_test(view_semantics),
        cmocka_unit_test(deadline),
        cmocka_unit_test(file_size_limit),
        cmocka_unit_test(project_findings_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
