/*
 * test_ruleapi.c - the contract with rule authors (issue 9): metadata refused at load with the
 * file, line and key named, and cpol.log reaching the embedder's callback (cpol_engine_set_log)
 * with the rule, the input position, the per-call cap and the message length cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "containerpolicy.h"

static cpol_engine *bare_engine(void)
{
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = 1;
    cpol_engine *e = cpol_engine_new(&o);
    assert_non_null(e);
    return e;
}

static void metadata_refused(void **s)
{
    (void)s;
    static const struct {
        const char *src, *err;
    } cases[] = {
        {"return { id = 'X1',\n  severty = 'high', title = 't', remediation = 'r',\n"
         "  formats = {'dockerfile'}, check = function() end }",
         "m.lua:2: unknown key 'severty' in the rule table (did you mean 'severity'?)"},
        {"return { id = 'X1', severity = 'high', title = 't', remediation = 'r',\n"
         "  formats = {'dockerfile'}, check = function() end,\n  option = { a = 1 } }",
         "m.lua:3: unknown key 'option' in the rule table (did you mean 'options'?)"},
        {"return { id = 'X1', severity = 'high', title = 't', remediation = 'r',\n"
         "  formats = {'dockerfile'}, check = function() end,\n\n  owner = 'team-a' }",
         "m.lua:4: unknown key 'owner' in the rule table (known: id, api, control, severity, "
         "title, formats, description, remediation, references, options, replace, check, "
         "check_project; put your own values in 'options')"},
        {"return { 'dockerfile', id = 'X1', severity = 'high', title = 't', remediation = 'r',"
         " formats = {'dockerfile'}, check = function() end }",
         "m.lua: the rule table has an entry without a name (key 1): write `name = value`"},
        {"return { id = 'X1', severity = 'high', title = 't', remediation = 'r',\n"
         "  formats = {'dockerfile'},\n  check = 'function' }",
         "m.lua:3: 'check' must be a function(container, report)"},
        {"return { id = 'X1', severity = 'high', title = 't', remediation = 'r',\n"
         "  formats = {'dockerfile'}, check = function() end,\n  options = 'strict' }",
         "m.lua:3: 'options' must be a table"},
        {"return { id = 'X1', severity = 'high', title = 't', remediation = 'r',\n"
         "  formats = {'dockerfile'}, check = function() end,\n  replace = 'yes' }",
         "m.lua:3: 'replace' must be true or false, not a string"},
        {"return { id = 'X1', api = '1', severity = 'high', title = 't', remediation = 'r',"
         " formats = {'dockerfile'}, check = function() end }",
         "m.lua:1: rule X1 declares api = 1; this engine supports api = 1"},
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

static void every_documented_key_accepted(void **s)
{
    (void)s;
    const char src[] = "return { id = 'X1', api = 1, control = 3, severity = 'high', title = 't',"
                       " description = 'd', remediation = 'r', references = {'https://x'},"
                       " options = { a = 1 }, replace = false, formats = {'dockerfile'},"
                       " check = function() end, check_project = function() end }";
    cpol_engine *e = bare_engine();
    assert_int_equal(cpol_engine_add_rule_source(e, "m.lua", src, sizeof src - 1), 0);
    assert_int_equal(cpol_engine_rule_count(e), 1);
    cpol_engine_free(e);
}

typedef struct logged {
    size_t n;
    char rule[16][32];
    char file[16][64];
    unsigned line[16];
    char msg[16][CPOL_LOG_MAX_MESSAGE + 1];
    size_t total;
    char last[CPOL_LOG_MAX_MESSAGE + 1];
} logged;

static void collect(void *ud, const char *rule_id, const char *file, unsigned int line,
                    const char *message)
{
    logged *l = ud;
    l->total++;
    snprintf(l->last, sizeof l->last, "%s", message);
    if (l->n == 16)
        return;
    snprintf(l->rule[l->n], sizeof l->rule[0], "%s", rule_id ? rule_id : "(null)");
    snprintf(l->file[l->n], sizeof l->file[0], "%s", file ? file : "(null)");
    l->line[l->n] = line;
    snprintf(l->msg[l->n], sizeof l->msg[0], "%s", message);
    l->n++;
}

static cpol_report *scan(cpol_engine *e, const char *name, const char *text)
{
    cpol_report *r = NULL;
    assert_int_equal(cpol_engine_scan_buffer(e, name, text, strlen(text), CPOL_FORMAT_AUTO, &r), 0);
    assert_int_equal(cpol_report_error_count(r), 0);
    return r;
}

static void log_reaches_callback(void **s)
{
    (void)s;
    logged *l = calloc(1, sizeof *l);
    assert_non_null(l);
    cpol_engine *e = bare_engine();
    cpol_engine_set_log(e, collect, l);
    const char src[] =
        "cpol.log('loading', 1, true, nil)\n"
        "return { id = 'LG1', severity = 'low', title = 't', remediation = 'r',"
        " formats = {'dockerfile'},\n"
        "  check = function(c, report) cpol.log('user is', c.user.name, 2.5) end,\n"
        "  check_project = function(p, report) cpol.log('files', #p.documents) end }";
    assert_int_equal(cpol_engine_add_rule_source(e, "lg.lua", src, sizeof src - 1), 0);
    cpol_report *r = scan(e, "Dockerfile", "FROM alpine:3.19\n\nUSER app\n");
    assert_int_equal(l->n, 3);
    /* while the file loads, no rule id and no input */
    assert_string_equal(l->rule[0], "(null)");
    assert_string_equal(l->file[0], "(null)");
    assert_int_equal(l->line[0], 0);
    assert_string_equal(l->msg[0], "loading 1 true nil");
    /* check: the container's position (the final FROM) */
    assert_string_equal(l->rule[1], "LG1");
    assert_string_equal(l->file[1], "Dockerfile");
    assert_int_equal(l->line[1], 1);
    assert_string_equal(l->msg[1], "user is app 2.5");
    /* check_project: no input position */
    assert_string_equal(l->rule[2], "LG1");
    assert_string_equal(l->file[2], "(null)");
    assert_int_equal(l->line[2], 0);
    assert_string_equal(l->msg[2], "files 1");
    cpol_report_free(r);
    /* cleared: nothing more arrives, and the rule still runs */
    cpol_engine_set_log(e, NULL, NULL);
    r = scan(e, "Dockerfile", "FROM alpine:3.19\n");
    assert_int_equal(l->n, 3);
    cpol_report_free(r);
    cpol_engine_free(e);
    free(l);
}

static void log_is_capped(void **s)
{
    (void)s;
    logged *l = calloc(1, sizeof *l);
    assert_non_null(l);
    cpol_engine *e = bare_engine();
    cpol_engine_set_log(e, collect, l);
    /* 500 messages per call; two containers: each call gets its own 100 plus one notice */
    const char src[] =
        "return { id = 'LG2', severity = 'low', title = 't', remediation = 'r',"
        " formats = {'compose'},\n"
        "  check = function(c, report) for i = 1, 500 do cpol.log(c.name, i) end\n"
        "    report{ message = 'still running' } end }";
    assert_int_equal(cpol_engine_add_rule_source(e, "lg.lua", src, sizeof src - 1), 0);
    cpol_report *r = scan(e, "compose.yaml", "services:\n  a:\n    image: x\n  b:\n    image: y\n");
    assert_int_equal(l->total, 2 * (CPOL_LOG_MAX_LINES + 1));
    assert_string_equal(l->last, "log truncated: more than 100 messages in one call");
    assert_int_equal(cpol_report_count(r), 2); /* logging past the cap is not an error */
    cpol_report_free(r);
    cpol_engine_free(e);
    free(l);
}

static void log_message_is_cut(void **s)
{
    (void)s;
    logged *l = calloc(1, sizeof *l);
    assert_non_null(l);
    cpol_engine *e = bare_engine();
    cpol_engine_set_log(e, collect, l);
    /* 1023 ASCII bytes then a 2-byte character: it would end past the cap, so it goes whole;
       a NUL inside becomes '?' so the rest is not hidden */
    const char src[] =
        "return { id = 'LG3', severity = 'low', title = 't', remediation = 'r',"
        " formats = {'dockerfile'},\n"
        "  check = function(c, report) cpol.log(string.rep('a', 1023) .. '\\u{e9}' .. 'tail')\n"
        "    cpol.log('nul\\0inside') end }";
    assert_int_equal(cpol_engine_add_rule_source(e, "lg.lua", src, sizeof src - 1), 0);
    cpol_report *r = scan(e, "Dockerfile", "FROM alpine:3.19\n");
    assert_int_equal(l->n, 2);
    assert_int_equal(strlen(l->msg[0]), 1023);
    assert_int_equal(strspn(l->msg[0], "a"), 1023);
    assert_string_equal(l->msg[1], "nul?inside");
    cpol_report_free(r);
    cpol_engine_free(e);
    free(l);
}

/* cpol.memo (rules/_memo.lua): get/put, false remembered, at most max keys kept; find works a
   value out once (nil kept as false), and the memo outlives a scan. */
static void memo_library(void **s)
{
    (void)s;
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = 1;
    cpol_engine *e = cpol_engine_new(&o);
    assert_non_null(e);
    const char src[] =
        "local m = cpol.memo(2)\n"
        "local f, calls = cpol.memo(), 0\n"
        "local function twice(x) calls = calls + 1; if x then return x * 2 end end\n"
        "return { id = 'M1', severity = 'info', title = 't', remediation = 'r',\n"
        " formats = {'dockerfile'}, check = function(c, report)\n"
        "  local seen = m.get('a') ~= nil\n"
        "  local r = { tostring(m.put('a', false)), tostring(m.get('a')), tostring(m.put('b', 2)),\n"
        "    tostring(m.put('c', 3)), tostring(m.get('c')), tostring(m.put('a', 9)),\n"
        "    tostring(m.get('a')), tostring(seen) }\n"
        "  local found = { f.find('x', twice, 4), f.find('x', twice, 100), f.find('n', twice),\n"
        "    f.find('n', twice) }\n"
        "  r[#r + 1] = table.concat({ tostring(found[1]), tostring(found[2]), tostring(found[3]),\n"
        "    tostring(found[4]), calls }, ',')\n"
        "  report{ message = table.concat(r, ' ') }\n"
        " end }";
    assert_int_equal(cpol_engine_add_rule_source(e, "m.lua", src, sizeof src - 1), 0);
    const char df[] = "FROM alpine\n";
    cpol_report *r = NULL;
    /* the memo outlives a scan: the second scan sees 'a' remembered by the first */
    for (int scan = 0; scan < 2; scan++) {
        assert_int_equal(cpol_engine_scan_buffer(e, "Dockerfile", df, strlen(df),
                                                 CPOL_FORMAT_AUTO, &r), 0);
        assert_int_equal(cpol_report_error_count(r), 0);
        assert_int_equal(cpol_report_count(r), 1);
        assert_string_equal(cpol_report_finding(r, 0)->message,
                            scan == 0 ? "false false 2 3 nil 9 false false 8,8,false,false,2"
                                      : "false false 2 3 nil 9 false true 8,8,false,false,2");
        cpol_report_free(r);
    }
    cpol_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadata_refused),
        cmocka_unit_test(every_documented_key_accepted),
        cmocka_unit_test(log_reaches_callback),
        cmocka_unit_test(log_is_capped),
        cmocka_unit_test(log_message_is_cut),
        cmocka_unit_test(memo_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
