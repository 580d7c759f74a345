/*
 * engine.h - internal view of an engine: the sandboxed Lua state, its rules and the state of the
 * rule call in progress. Shared by the engine files and api.c; embedders see only the opaque handle.
 */
#ifndef CPOL_ENGINE_H
#define CPOL_ENGINE_H

#include <lua.h>
#include <time.h>

#include "containerpolicy.h"
#include "../model/node.h"
#include "../parse/parse.h"
#include "../util/diag.h"
#include "lpat.h"
#include "report.h"

/* Bits for the formats a rule applies to (rule `formats`). */
enum {
    FMT_DOCKERFILE = 1 << 0,
    FMT_COMPOSE = 1 << 1,
    FMT_K8S = 1 << 2,
    FMT_OCI = 1 << 3,
    FMT_DOCKER_RUN = 1 << 4,
    FMT_GITHUB = 1 << 5,
    FMT_GITLAB = 1 << 6
};

typedef struct rule {
    char *id, *title, *description, *remediation, *formats_csv, *references, *origin;
    int control;
    cpol_severity severity;
    unsigned formats;
    int builtin;
    int env_ref;           /* the rule's private _ENV (registry ref) */
    int table_ref;         /* the table the rule file returned */
    int check_ref;         /* check(container, report) or LUA_NOREF */
    int check_project_ref; /* check_project(project, report) or LUA_NOREF */
    int options_ref;       /* the rule's options table or LUA_NOREF */
    int disabled;          /* `enabled: false` in the configuration */
} rule;

enum { ABORT_NONE = 0, ABORT_INSTRUCTIONS, ABORT_DEADLINE, ABORT_MEMORY };

struct cpol_engine {
    cpol_options opts;
    cpol_limits limits;
    lua_State *L;
    size_t mem_used, mem_limit;
    int mem_hit; /* an allocation was refused since the last reset */
    rule *rules;
    size_t nrules, cap_rules;
    char error[1024];
    lpat_budget pat;
    unsigned long view_gen;    /* the current run of the rules (view.c); views of older runs
                                  refuse to be read */
    int report_fn_ref;         /* the `report` function handed to check() */
    int lib_ref;               /* functions of the built-in libraries (rules/_*.lua), or LUA_NOREF */
    cpol_format format_hint;   /* format of files named directly in a scan, or CPOL_FORMAT_AUTO */
    /* configuration (config.c): ignore globs relative to config_dir, fail-on (-1 = not set) */
    char *config_dir;
    char **ignore;
    size_t nignore;
    int fail_on;
    /* baseline (baseline.c): sorted fingerprints of findings that are not new */
    char **baseline;
    size_t nbaseline;
    cpol_progress_fn progress;
    void *progress_ud;
    /* cpol.log messages (sandbox.c) go to log_fn; NULL discards them */
    cpol_log_fn log_fn;
    void *log_ud;
    /* the rule call in progress */
    struct {
        rule *r;
        unsigned long instructions; /* counted by the hook */
        struct timespec deadline;
        int abort;
        int hooked;
        cpol_report *report;
        size_t file_order;
        const char *object; /* label of the container being checked */
        const node *container;
        size_t nfindings, max_findings; /* reported in this call, and the most allowed */
        /* a check_project call looks at every object of the scan: its budgets grow with them */
        unsigned long extra_instructions, extra_ms;
        unsigned nlogs; /* cpol.log messages in this call (reset by sandbox_arm) */
        /* check_project: the scanned files in order, to sort a finding with its file */
        const char *const *files;
        size_t nfiles;
        size_t *file_slots, file_slot_cap; /* hash of files: index + 1, 0 = empty slot */
    } cur;
};

/* sandbox.c */
int sandbox_open(cpol_engine *e);
void sandbox_close(cpol_engine *e);
/* Create a fresh rule environment on the stack. [-0, +1, m] */
void sandbox_new_env(cpol_engine *e);
/* Arm the budgets for one call (hook on when hooked != 0). */
void sandbox_arm(cpol_engine *e, int hooked);
void sandbox_disarm(cpol_engine *e);
/* lua_pcall with budgets armed; on error leaves a message on the stack. */
int sandbox_pcall(cpol_engine *e, int nargs, int nresults, int hooked);
/* A description of why the last armed call was stopped, or NULL when it was not stopped. */
const char *sandbox_abort_reason(cpol_engine *e, char *buf, size_t size);
int sandbox_deadline_passed(cpol_engine *e);

/* view.c: read-only Lua views of model nodes. */
/* Create the views' shared metatable (once per Lua state, in a protected call). [-0, +0, m] */
void view_open(lua_State *L);
/* Set the base functions that must know views (type, next, rawget, rawlen) in the rule
   environment at env. [-0, +0, m] */
void view_set_base(lua_State *L, int env);
/* Push the view of n (a map or list; nil for anything else). A cache table (at stack index
   cache), one per run, keeps one view per node so shared nodes stay shared. [-0, +1, m] */
void view_push(cpol_engine *e, const node *n, int cache);
/* If the value at idx is a view: 1, and *out = the position a finding at it carries: its scalar
   child named by the key at stack index field (when field != 0 and that child has one), else its
   own (line 0 when it has none). 0 when the value is not a view. Raises for a stale view. */
int view_position(lua_State *L, int idx, int field, cpos *out);
/* End the views of a run: a table kept past it raises an error when read, as its nodes may be
   freed. Call after each run, outside the protected call too. [-0, +0, -] */
void view_retire(cpol_engine *e);

/* rules.c */
/* Load the built-in libraries (rules/_*.lua, always: custom rules use them too) and, when
   with_rules, the built-in rules. */
int rules_load_builtin(cpol_engine *e, int with_rules);
/* Load a library file (`_name.lua`): its functions join every rule's `cpol` table for the rules
   loaded after it; a function of the same name replaces the earlier one. */
int rules_load_library(cpol_engine *e, const char *origin, const char *src, size_t len);
int rules_load_source(cpol_engine *e, const char *origin, const char *src, size_t len, int builtin);
void rules_free(cpol_engine *e);
unsigned rules_format_bit(const char *name);
unsigned rules_kind_format(const char *kind);
/* Run every rule over project.containers[first..end) (the containers of one file). */
void rules_run(cpol_engine *e, cpol_report *report, const node *project, size_t first,
               size_t end, size_t file_order);
/* Run every rule's check_project once over the whole project. files[i] is the name of the
   i-th scanned file (the order findings are sorted in). */
void rules_run_project(cpol_engine *e, cpol_report *report, const node *project,
                       const char *const *files, size_t nfiles);

/* config.c */
void config_free(cpol_engine *e);
/* 1 when the configuration's ignore globs cover path (a file about to be scanned). */
int config_ignored(const cpol_engine *e, const char *path);

/* baseline.c */
void baseline_free(cpol_engine *e);

void engine_set_error(cpol_engine *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
