/*
 * cpol - command-line front end of libcontainerpolicy. Uses only the public header, like any
 * other embedder. Commands: scan, rules, model. Exit codes (docs/cli.md): 0 clean, 1 findings at
 * or above --fail-on, 2 usage or configuration error, 3 incomplete scan (unreadable or unparsable
 * input, or a failed rule; the rest is still scanned and reported).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "containerpolicy.h"
#include "cli.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INCOMPLETE = 3 };

static const char usage_main[] =
    "usage: cpol <command> [options]\n"
    "\n"
    "Check container configurations against hardening rules.\n"
    "\n"
    "commands:\n"
    "  scan PATH...        scan files and folders: Dockerfiles, compose files, Kubernetes\n"
    "                      manifests, OCI config.json, shell scripts with docker run, CI workflows\n"
    "  rules               list the rules (built-in and --rules DIR); rules test, rules new\n"
    "  model FILE          print the normalized model of FILE as JSON (for rule authors)\n"
    "  help [COMMAND]      show help for a command\n"
    "\n"
    "options:\n"
    "  -h, --help          show this help\n"
    "  -V, --version       print the version\n"
    "\n"
    "examples:\n"
    "  cpol scan .                          scan the current folder\n"
    "  cpol scan --format json Dockerfile   machine-readable output\n"
    "  cpol scan --fail-on medium app/      fail CI on medium findings and above\n"
    "  cpol scan --rules ./policy .         add your own Lua rules\n"
    "\n"
    "exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,\n"
    "            2 usage or configuration error, 3 scan incomplete (see the errors)\n";

static const char usage_scan[] =
    "usage: cpol scan [options] PATH...\n"
    "\n"
    "Scan files and folders. Folders are walked (.git is skipped); files whose names match no\n"
    "format are skipped there. A file named on the command line must match a format (or be\n"
    "named with --format-hint).\n"
    "\n"
    "options:\n"
    "  -f, --format FMT    output format: text (default), json, sarif, junit, github\n"
    "      --format-hint F read the files named here as F (dockerfile, compose, k8s, oci,\n"
    "                      docker-run, github, gitlab) instead of detecting their format\n"
    "  -r, --rules PATH    load custom rules from a .lua file or a folder of them (repeatable)\n"
    "      --no-builtin    do not load the built-in rules\n"
    "  -c, --config FILE   read this configuration instead of the .cpol.yaml found next to\n"
    "                      the first PATH or in a folder above it (up to the repository root)\n"
    "      --no-config     read no configuration file\n"
    "      --fail-on LEVEL exit 1 when a finding is at or above LEVEL:\n"
    "                      none, info, low, medium, high (default), critical\n"
    "      --baseline FILE report only findings that are not in FILE\n"
    "      --write-baseline FILE\n"
    "                      write the findings to FILE as a baseline (exit 0 unless incomplete)\n"
    "      --show-suppressed  list suppressed findings too (text output)\n"
    "      --report-unused-ignores\n"
    "                      report cpol:ignore comments that match no finding (exit 1 if any)\n"
    "  -j, --jobs N        check with N threads (0: one per CPU; default 1)\n"
    "      --color WHEN    auto (default: colour on a terminal unless NO_COLOR is set),\n"
    "                      always, never\n"
    "  -q, --quiet         print findings only: no summary line, no progress\n"
    "  -v, --verbose       show what rules write with cpol.log on stderr\n"
    "                      (path:line: log RULE: message; at most 100 per rule call)\n"
    "      --limit N=V     change an engine limit, e.g. --limit rule-timeout-ms=5000,\n"
    "                      --limit max-file-size=64m (names and defaults: docs/security.md)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Text output reads like a compiler's: path:line:col: severity RULE message, then the fix.\n"
    "Errors (unreadable or unparsable input, failed rules) go to stderr and make the exit code 3\n"
    "unless a usage error (2) applies.\n";

static const char usage_rules[] =
    "usage: cpol rules [options]\n"
    "       cpol rules test [-v] [DIR...]\n"
    "       cpol rules new ID --name NAME [--formats LIST] [--title TEXT] [--dir DIR]\n"
    "\n"
    "List the rules the engine has, or run the examples of the rules in DIR (default: rules):\n"
    "every input under <ID>-<name>.examples/good must give no finding of rule ID, and every\n"
    "input under .../bad exactly the findings its '# expect: ID LINE[:COL]' comments state.\n"
    "'rules test -v' also prints passing examples and what the rules write with cpol.log.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT    text (default), json or markdown (the rule reference)\n"
    "  -r, --rules PATH    also load custom rules from a .lua file or folder (repeatable)\n"
    "      --no-builtin    do not load the built-in rules\n"
    "\n"
    "'rules new' writes DIR/ID-NAME.lua (metadata and a check to change) and\n"
    "DIR/ID-NAME.examples/{good,bad}/ with one input per format; 'cpol rules test DIR' passes\n"
    "on them as written. It never overwrites a file.\n"
    "  --name NAME         file name part: lower-case letters, digits, '-' (required)\n"
    "  -f, --formats LIST  comma-separated: dockerfile (default), compose, k8s, oci, docker-run\n"
    "      --title TEXT    the rule's title (default: a TODO line)\n"
    "  -d, --dir DIR       where to write (default: .; created when missing)\n"
    "example:\n"
    "  cpol rules new ACME001 --name no-debug-env --formats dockerfile,compose --dir policy\n";

static const char usage_model[] =
    "usage: cpol model FILE\n"
    "\n"
    "Print the normalized model of FILE as JSON: exactly the tables rules receive (rule API\n"
    "version 1). Positions are {file, line, col}; field_pos holds the positions of scalar fields.\n";

typedef struct opts {
    const char *format;
    const char **rules;
    size_t nrules;
    int no_builtin;
    int fail_on; /* 0 = none, -1 = not given */
    int color;   /* -1 auto */
    int quiet;
    const char **paths;
    size_t npaths;
    const char *config; /* --config */
    int no_config;
    const char *baseline, *write_baseline;
    int show_suppressed, unused_ignores;
    long jobs;
    int verbose; /* -v: rules' cpol.log messages on stderr */
    int format_hint; /* --format-hint: cpol_format of the files named on the command line */
    cpol_options limits; /* --limit NAME=VALUE; zero fields keep the defaults */
} opts;

/* --limit NAME=VALUE: the engine limits of docs/security.md, by their option names. */
static const struct {
    const char *name;
    size_t off, size;
} limit_names[] = {
#define LIMIT(n, f) {n, offsetof(cpol_options, f), sizeof(((cpol_options *)0)->f)}
    LIMIT("max-file-size", max_file_size),
    LIMIT("max-line-length", max_line_length),
    LIMIT("max-yaml-depth", max_yaml_depth),
    LIMIT("max-json-depth", max_json_depth),
    LIMIT("max-alias-expansions", max_alias_expansions),
    LIMIT("max-documents", max_documents),
    LIMIT("lua-memory", lua_memory),
    LIMIT("lua-instructions", lua_instructions),
    LIMIT("pattern-steps", pattern_steps),
    LIMIT("rule-timeout-ms", rule_timeout_ms),
    LIMIT("max-context-files", max_context_files),
#undef LIMIT
};

/* Parse "NAME=VALUE" (VALUE a positive integer, with an optional k, m or g: x1024) into o. */
static int set_limit(cpol_options *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return -1;
    char *end;
    unsigned long long v = strtoull(eq + 1, &end, 10);
    if (end == eq + 1 || v == 0)
        return -1;
    if (*end == 'k' || *end == 'K')
        v <<= 10, end++;
    else if (*end == 'm' || *end == 'M')
        v <<= 20, end++;
    else if (*end == 'g' || *end == 'G')
        v <<= 30, end++;
    if (*end)
        return -1;
    for (size_t i = 0; i < sizeof limit_names / sizeof limit_names[0]; i++) {
        if (strlen(limit_names[i].name) != (size_t)(eq - arg) ||
            strncmp(limit_names[i].name, arg, (size_t)(eq - arg)) != 0)
            continue;
        char *field = (char *)o + limit_names[i].off;
        if (limit_names[i].size == sizeof(unsigned int)) {
            if (v > 0xffffffffULL)
                return -1;
            unsigned int u = (unsigned int)v;
            memcpy(field, &u, sizeof u);
        } else if (limit_names[i].size == sizeof(unsigned long)) {
            unsigned long u = (unsigned long)v;
            memcpy(field, &u, sizeof u);
        } else {
            size_t u = (size_t)v;
            memcpy(field, &u, sizeof u);
        }
        return 0;
    }
    return -1;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "cpol%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'cpol %s%s--help' for more information.\n", cmd ? cmd : "",
            cmd ? " " : "");
    return EXIT_USAGE;
}

/* Match "--name value" or "--name=value" (and a short form); sets *val and advances *i. */
static int opt_value(int argc, char **argv, int *i, const char *shrt, const char *lng,
                     const char **val, int *missing)
{
    const char *a = argv[*i];
    size_t ll = strlen(lng);
    if ((shrt && strcmp(a, shrt) == 0) || strcmp(a, lng) == 0) {
        if (*i + 1 >= argc) {
            *missing = 1;
            return 1;
        }
        *val = argv[++*i];
        return 1;
    }
    if (strncmp(a, lng, ll) == 0 && a[ll] == '=') {
        *val = a + ll + 1;
        return 1;
    }
    return 0;
}

static int parse_opts(const char *cmd, int argc, char **argv, opts *o, int allow_paths)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int missing = 0;
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                o->paths[o->npaths++] = argv[i];
            break;
        }
        if (opt_value(argc, argv, &i, NULL, "--limit", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            if (set_limit(&o->limits, v) != 0)
                return usage_error(cmd,
                                   "--limit: '%s' is not NAME=VALUE with a known NAME (see "
                                   "docs/security.md) and a positive whole number",
                                   v);
        } else if (opt_value(argc, argv, &i, NULL, "--format-hint", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            if ((o->format_hint = cpol_format_from_string(v)) <= 0)
                return usage_error(cmd,
                                   "--format-hint: '%s' is not one of dockerfile, compose, k8s, "
                                   "oci, docker-run, github, gitlab",
                                   v);
        } else if (opt_value(argc, argv, &i, "-f", "--format", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            o->format = v;
        } else if (opt_value(argc, argv, &i, "-r", "--rules", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            o->rules[o->nrules++] = v;
        } else if (opt_value(argc, argv, &i, NULL, "--fail-on", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            if (strcmp(v, "none") == 0)
                o->fail_on = 0;
            else if (!(o->fail_on = (int)cpol_severity_from_string(v)))
                return usage_error(cmd,
                                   "--fail-on: '%s' is not one of none, info, low, medium, high, "
                                   "critical",
                                   v);
        } else if (opt_value(argc, argv, &i, NULL, "--color", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            if (strcmp(v, "auto") == 0)
                o->color = -1;
            else if (strcmp(v, "always") == 0)
                o->color = 1;
            else if (strcmp(v, "never") == 0)
                o->color = 0;
            else
                return usage_error(cmd, "--color: '%s' is not one of auto, always, never", v);
        } else if (opt_value(argc, argv, &i, "-c", "--config", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            o->config = v;
        } else if (opt_value(argc, argv, &i, NULL, "--baseline", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            o->baseline = v;
        } else if (opt_value(argc, argv, &i, NULL, "--write-baseline", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            o->write_baseline = v;
        } else if (opt_value(argc, argv, &i, "-j", "--jobs", &v, &missing)) {
            if (missing)
                return usage_error(cmd, "option '%s' needs a value", a);
            char *end;
            o->jobs = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || o->jobs < 0 || o->jobs > 256)
                return usage_error(cmd, "--jobs: '%s' is not a number from 0 to 256", v);
        } else if (strcmp(a, "--no-config") == 0) {
            o->no_config = 1;
        } else if (strcmp(a, "--show-suppressed") == 0) {
            o->show_suppressed = 1;
        } else if (strcmp(a, "--report-unused-ignores") == 0) {
            o->unused_ignores = 1;
        } else if (strcmp(a, "--no-builtin") == 0) {
            o->no_builtin = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else if (strncmp(a, "-j", 2) == 0 && a[2] >= '0' && a[2] <= '9') {
            char *end;
            o->jobs = strtol(a + 2, &end, 10);
            if (*end != '\0' || o->jobs > 256)
                return usage_error(cmd, "--jobs: '%s' is not a number from 0 to 256", a + 2);
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error(cmd, "unknown option '%s'", a);
        } else if (allow_paths) {
            o->paths[o->npaths++] = a;
        } else {
            return usage_error(cmd, "unexpected argument '%s'", a);
        }
    }
    return 0;
}

/* quiet_load: do not log while loading the rules (the -j engines after the first load the same
   rules; their load-time messages would only repeat the first engine's). */
static cpol_engine *make_engine(const opts *o, int quiet_load)
{
    cpol_options eo = o->limits;
    eo.version = CPOL_OPTIONS_VERSION;
    eo.no_builtin_rules = o->no_builtin;
    cpol_engine *e = cpol_engine_new(&eo);
    if (!e) {
        fprintf(stderr, "cpol: cannot create the engine (out of memory or a broken built-in rule)\n");
        return NULL;
    }
    if (o->verbose && !quiet_load)
        cpol_engine_set_log(e, print_log, stderr); /* before the rules: loading may log too */
    if (o->format_hint > 0)
        cpol_engine_set_format_hint(e, (cpol_format)o->format_hint);
    for (size_t i = 0; i < o->nrules; i++) {
        if (cpol_engine_add_rules(e, o->rules[i]) != 0) {
            fprintf(stderr, "cpol: rules: %s\n", cpol_engine_last_error(e));
            cpol_engine_free(e);
            return NULL;
        }
    }
    /* the configuration names rules, so it comes after every rule is loaded */
    if (o->config && cpol_engine_load_config(e, o->config) != 0) {
        fprintf(stderr, "%s\n", cpol_engine_last_error(e));
        cpol_engine_free(e);
        return NULL;
    }
    if (o->baseline && cpol_engine_load_baseline(e, o->baseline) != 0) {
        fprintf(stderr, "cpol: baseline: %s\n", cpol_engine_last_error(e));
        cpol_engine_free(e);
        return NULL;
    }
    if (o->verbose)
        cpol_engine_set_log(e, print_log, stderr);
    return e;
}

/* The .cpol.yaml that applies to path: in its folder (the path itself when it is a folder) or the
   nearest folder above, stopping at the repository root (a folder with .git) or at /. */
static char *find_config(const char *path)
{
    char *dir = realpath(path, NULL);
    if (!dir)
        return NULL;
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
    }
    for (;;) {
        size_t n = strlen(dir) + sizeof "/.cpol.yaml";
        char *cand = malloc(n);
        if (!cand)
            break;
        snprintf(cand, n, "%s/.cpol.yaml", strcmp(dir, "/") == 0 ? "" : dir);
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
            free(dir);
            return cand;
        }
        snprintf(cand, n, "%s/.git", strcmp(dir, "/") == 0 ? "" : dir);
        int root = stat(cand, &st) == 0;
        free(cand);
        char *slash = strrchr(dir, '/');
        if (root || !slash || strcmp(dir, "/") == 0)
            break;
        *(slash == dir ? slash + 1 : slash) = '\0';
    }
    free(dir);
    return NULL;
}

/* Progress on stderr, only on a terminal and only once a scan has taken a second. */
typedef struct progress {
    struct timespec start, last;
    int shown;
} progress;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void on_progress(void *ud, size_t done, size_t total)
{
    progress *p = ud;
    if (seconds_since(&p->start) < 1.0)
        return;
    if (p->shown && seconds_since(&p->last) < 0.1 && done != total)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    if (total)
        fprintf(stderr, "\r\033[Kcpol: checked %zu of %zu files", done, total);
    else
        fprintf(stderr, "\r\033[Kcpol: read %zu files", done);
    fflush(stderr);
    p->shown = 1;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* cpol_write_fn for the JSON and SARIF reports. */
static int write_stdout(void *ud, const char *data, size_t len)
{
    (void)ud;
    return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int cmd_scan(int argc, char **argv)
{
    const char *rules[argc + 1], *paths[argc + 1];
    opts o = {"text", rules, 0, 0, -1, -1,   0, paths, 0, NULL, 0, NULL, NULL, 0, 0, 1, 0, 0,
              CPOL_OPTIONS_INIT};
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_scan, stdout);
            return 0;
        }
    int rc = parse_opts("scan", argc, argv, &o, 1);
    if (rc)
        return rc;
    static const char *const formats[] = {"text", "json", "sarif", "junit", "github"};
    int fmt = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(o.format, formats[i]) == 0)
            fmt = i;
    if (fmt < 0)
        return usage_error("scan", "--format: '%s' is not one of text, json, sarif, junit, github",
                           o.format);
    if (o.npaths == 0)
        return usage_error("scan", "%s", "no PATH given (use '.' for the current folder)");
    char *found = NULL;
    if (o.config && o.no_config)
        return usage_error("scan", "%s", "--config and --no-config exclude each other");
    if (!o.config && !o.no_config)
        o.config = found = find_config(o.paths[0]);
    if (o.jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o.jobs = n > 0 ? (n > 256 ? 256 : n) : 1;
    }
    size_t nengines = (size_t)o.jobs;
    cpol_engine **engines = calloc(nengines, sizeof *engines);
    if (!engines) {
        free(found);
        fprintf(stderr, "cpol: out of memory\n");
        return EXIT_INCOMPLETE;
    }
    for (size_t i = 0; i < nengines; i++)
        if (!(engines[i] = make_engine(&o, i > 0))) {
            for (size_t j = 0; j < i; j++)
                cpol_engine_free(engines[j]);
            free(engines);
            free(found);
            return EXIT_USAGE;
        }
    free(found);
    cpol_engine *e = engines[0];
    int fail_on = o.fail_on;
    if (fail_on < 0)
        fail_on = cpol_engine_config_fail_on(e);
    if (fail_on < 0)
        fail_on = CPOL_SEVERITY_HIGH;
    progress prog;
    memset(&prog, 0, sizeof prog);
    clock_gettime(CLOCK_MONOTONIC, &prog.start);
    if (!o.quiet && isatty(STDERR_FILENO))
        cpol_engine_set_progress(e, on_progress, &prog);
    cpol_report *r = NULL;
    rc = nengines > 1 ? cpol_engine_scan_paths_parallel(engines, nengines, o.paths, o.npaths, &r)
                      : cpol_engine_scan_paths(e, o.paths, o.npaths, &r);
    if (prog.shown)
        fputs("\r\033[K", stderr);
    if (rc != 0) {
        fprintf(stderr, "cpol: scan failed: %s\n", cpol_engine_last_error(e));
        for (size_t i = 0; i < nengines; i++)
            cpol_engine_free(engines[i]);
        free(engines);
        return EXIT_INCOMPLETE;
    }
    char *text = NULL;
    if (fmt == 1 || fmt == 2) {
        /* streamed: an 8 MB report is never held whole (and its pages never touched) */
        int wrc = fmt == 1 ? cpol_report_write_json(r, write_stdout, NULL)
                           : cpol_report_write_sarif(r, write_stdout, NULL);
        if (wrc == CPOL_ENOMEM) {
            fprintf(stderr, "cpol: out of memory\n");
            rc = EXIT_INCOMPLETE;
        } /* a write error is in ferror(stdout), checked below for every format */
    } else if (fmt == 3) {
        text = cpol_report_to_junit(r);
        if (!text) {
            fprintf(stderr, "cpol: out of memory\n");
            rc = EXIT_INCOMPLETE;
        } else {
            fputs(text, stdout);
            cpol_free(text);
        }
    }
    if (fmt == 1 || fmt == 2 || fmt == 3) {
        print_errors(r);
        for (size_t i = 0; o.unused_ignores && i < cpol_report_unused_ignore_count(r); i++) {
            const cpol_diag *d = cpol_report_unused_ignore(r, i);
            fprintf(stderr, "%s:%u:%u: unused %s\n", d->file, d->line, d->column, d->message);
        }
    } else if (fmt == 4) {
        print_github(r, o.unused_ignores);
    } else {
        int color = o.color;
        if (color < 0) {
            const char *nc = getenv("NO_COLOR");
            color = isatty(STDOUT_FILENO) && !(nc && *nc);
        }
        text_opts t = {color, o.quiet, o.show_suppressed, o.unused_ignores};
        print_text(r, &t);
    }
    int failing = 0;
    for (size_t i = 0; i < cpol_report_count(r); i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (!f->suppressed && fail_on && (int)f->severity >= fail_on)
            failing = 1;
    }
    if (o.unused_ignores && cpol_report_unused_ignore_count(r))
        failing = 1;
    if (rc == 0 && o.write_baseline) {
        char *bl = cpol_report_to_baseline(r);
        if (!bl || write_file(o.write_baseline, bl) != 0) {
            fprintf(stderr, "cpol: cannot write the baseline %s\n", o.write_baseline);
            rc = EXIT_INCOMPLETE;
        } else if (!o.quiet)
            fprintf(stderr, "cpol: wrote %s\n", o.write_baseline);
        cpol_free(bl);
        failing = 0; /* recording the findings is the point, not failing on them */
    }
    if (rc == 0)
        rc = cpol_report_incomplete(r) ? EXIT_INCOMPLETE : failing ? EXIT_FINDINGS : EXIT_CLEAN;
    /* a report lost to a full disk or a closed pipe must not pass for a clean run */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cpol: cannot write the report to stdout\n");
        rc = EXIT_INCOMPLETE;
    }
    cpol_report_free(r);
    for (size_t i = 0; i < nengines; i++)
        cpol_engine_free(engines[i]);
    free(engines);
    return rc;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            printf("\\n");
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void md_cell(const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else if (*s == '\n')
            putchar(' ');
        else
            putchar(*s);
    }
}

static int cmd_rules(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "new") == 0) {
        for (int i = 1; i < argc; i++)
            if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                fputs(usage_rules, stdout);
                return 0;
            }
        return rules_new(argc - 1, argv + 1);
    }
    if (argc >= 1 && strcmp(argv[0], "test") == 0) {
        int verbose = 0, n = 0;
        const char *dirs[argc];
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
                verbose = 1;
            else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                fputs(usage_rules, stdout);
                return 0;
            } else if (argv[i][0] == '-')
                return usage_error("rules test", "unknown option '%s'", argv[i]);
            else
                dirs[n++] = argv[i];
        }
        return rules_test(n, dirs, verbose);
    }
    const char *rules[argc + 1], *paths[argc + 1];
    opts o = {"text", rules, 0, 0, 0, -1,    0, paths, 0, NULL, 1, NULL, NULL, 0, 0, 1, 0, 0,
              CPOL_OPTIONS_INIT};
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_rules, stdout);
            return 0;
        }
    int rc = parse_opts("rules", argc, argv, &o, 0);
    if (rc)
        return rc;
    int fmt = strcmp(o.format, "text") == 0       ? 0
              : strcmp(o.format, "json") == 0     ? 1
              : strcmp(o.format, "markdown") == 0 ? 2
                                                  : -1;
    if (fmt < 0)
        return usage_error("rules", "--format: '%s' is not one of text, json, markdown", o.format);
    cpol_engine *e = make_engine(&o, 0);
    if (!e)
        return EXIT_USAGE;
    size_t n = cpol_engine_rule_count(e);
    if (fmt == 1)
        printf("[");
    if (fmt == 2) {
        printf("# Rule reference\n\n"
               "Generated by `cpol rules --format markdown` from the rules' metadata; do not edit.\n\n"
               "| id | control | severity | formats | title |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < n; i++) {
            cpol_rule_info ri;
            cpol_engine_rule_info(e, i, &ri);
            char anchor[64];
            size_t k = 0;
            for (; ri.id[k] && k < sizeof anchor - 1; k++)
                anchor[k] = (char)(ri.id[k] >= 'A' && ri.id[k] <= 'Z' ? ri.id[k] + 32 : ri.id[k]);
            anchor[k] = '\0';
            printf("| [%s](#%s) | %d | %s | %s | ", ri.id, anchor, ri.control,
                   cpol_severity_name(ri.severity), ri.formats);
            md_cell(ri.title);
            printf(" |\n");
        }
    }
    for (size_t i = 0; i < n; i++) {
        cpol_rule_info ri;
        cpol_engine_rule_info(e, i, &ri);
        if (fmt == 0) {
            printf("%-8s %-8s control %-2d %-40s %s\n", ri.id, cpol_severity_name(ri.severity),
                   ri.control, ri.title, ri.formats);
        } else if (fmt == 1) {
            printf("%s\n  {\"id\": ", i ? "," : "");
            json_str(ri.id);
            printf(", \"control\": %d, \"severity\": \"%s\", \"title\": ", ri.control,
                   cpol_severity_name(ri.severity));
            json_str(ri.title);
            printf(", \"formats\": ");
            json_str(ri.formats);
            printf(", \"description\": ");
            json_str(ri.description);
            printf(", \"remediation\": ");
            json_str(ri.remediation);
            printf(", \"origin\": ");
            json_str(ri.origin);
            printf("}");
        } else {
            printf("\n## %s\n\n**%s**. Severity: %s. Control: %d. Formats: %s.\n\n%s\n\n"
                   "**Fix:** %s\n",
                   ri.id, ri.title, cpol_severity_name(ri.severity), ri.control, ri.formats,
                   ri.description, ri.remediation);
            if (*ri.references) {
                printf("\nReferences:\n");
                const char *s = ri.references;
                while (*s) {
                    const char *nl = strchr(s, '\n');
                    size_t len = nl ? (size_t)(nl - s) : strlen(s);
                    printf("- %.*s\n", (int)len, s);
                    s += len + (nl ? 1 : 0);
                }
            }
        }
    }
    if (fmt == 1)
        printf("\n]\n");
    cpol_engine_free(e);
    return 0;
}

static int cmd_model(int argc, char **argv)
{
    if (argc == 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
        fputs(usage_model, stdout);
        return 0;
    }
    if (argc != 1)
        return usage_error("model", "%s", "expected exactly one FILE");
    cpol_options eo;
    cpol_options_init(&eo);
    eo.no_builtin_rules = 1;
    cpol_engine *e = cpol_engine_new(&eo);
    if (!e) {
        fprintf(stderr, "cpol: cannot create the engine\n");
        return EXIT_USAGE;
    }
    char *json = NULL;
    int rc = cpol_engine_model_json(e, argv[0], CPOL_FORMAT_AUTO, &json);
    if (rc != 0) {
        fprintf(stderr, "cpol model: %s\n", cpol_engine_last_error(e));
        cpol_engine_free(e);
        return rc == CPOL_ENOTFOUND ? EXIT_USAGE : EXIT_INCOMPLETE;
    }
    fputs(json, stdout);
    int incomplete = strstr(json, "\"errors\": []") == NULL;
    cpol_free(json);
    cpol_engine_free(e);
    return incomplete ? EXIT_INCOMPLETE : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("cpol %s (rule API %d)\n", cpol_version(), CPOL_RULE_API_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        const char *t = argc > 2 ? argv[2] : "";
        fputs(strcmp(t, "scan") == 0    ? usage_scan
              : strcmp(t, "rules") == 0 ? usage_rules
              : strcmp(t, "model") == 0 ? usage_model
                                        : usage_main,
              stdout);
        return 0;
    }
    if (strcmp(cmd, "scan") == 0)
        return cmd_scan(argc - 2, argv + 2);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 2, argv + 2);
    if (strcmp(cmd, "model") == 0)
        return cmd_model(argc - 2, argv + 2);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
