/*
 * cpol - command-line front end of libcontainerpolicy. Uses only the public header, like any
 * other embedder. Commands: scan, rules, model. Exit codes (docs/cli.md): 0 clean, 1 findings at
 * or above --fail-on, 2 usage or configuration error, 3 incomplete scan (unreadable or unparsable
 * input, or a failed rule; the rest is still scanned and reported).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    "  scan PATH...        scan files and folders (Dockerfiles, Containerfiles, *.Dockerfile)\n"
    "  rules               list the rules (built-in and --rules DIR)\n"
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
    "format are skipped there. A file named on the command line must match a format.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT    output format: text (default) or json\n"
    "  -r, --rules PATH    load custom rules from a .lua file or a folder of them (repeatable)\n"
    "      --no-builtin    do not load the built-in rules\n"
    "      --fail-on LEVEL exit 1 when a finding is at or above LEVEL:\n"
    "                      none, info, low, medium, high (default), critical\n"
    "      --color WHEN    auto (default: colour on a terminal unless NO_COLOR is set),\n"
    "                      always, never\n"
    "  -q, --quiet         print findings only, no summary line\n"
    "  -h, --help          show this help\n"
    "\n"
    "Text output reads like a compiler's: path:line:col: severity RULE message, then the fix.\n"
    "Errors (unreadable or unparsable input, failed rules) go to stderr and make the exit code 3\n"
    "unless a usage error (2) applies.\n";

static const char usage_rules[] =
    "usage: cpol rules [options]\n"
    "       cpol rules test [-v] [DIR...]\n"
    "\n"
    "List the rules the engine has, or run the examples of the rules in DIR (default: rules):\n"
    "every input under <ID>-<name>.examples/good must give no finding of rule ID, and every\n"
    "input under .../bad exactly the findings its '# expect: ID LINE[:COL]' comments state.\n"
    "\n"
    "options:\n"
    "  -f, --format FMT    text (default), json or markdown (the rule reference)\n"
    "  -r, --rules PATH    also load custom rules from a .lua file or folder (repeatable)\n"
    "      --no-builtin    do not load the built-in rules\n";

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
    int fail_on; /* 0 = none */
    int color;   /* -1 auto */
    int quiet;
    const char **paths;
    size_t npaths;
} opts;

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
        if (opt_value(argc, argv, &i, "-f", "--format", &v, &missing)) {
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
        } else if (strcmp(a, "--no-builtin") == 0) {
            o->no_builtin = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
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

static cpol_engine *make_engine(const opts *o)
{
    cpol_options eo;
    cpol_options_init(&eo);
    eo.no_builtin_rules = o->no_builtin;
    cpol_engine *e = cpol_engine_new(&eo);
    if (!e) {
        fprintf(stderr, "cpol: cannot create the engine (out of memory or a broken built-in rule)\n");
        return NULL;
    }
    for (size_t i = 0; i < o->nrules; i++) {
        if (cpol_engine_add_rules(e, o->rules[i]) != 0) {
            fprintf(stderr, "cpol: rules: %s\n", cpol_engine_last_error(e));
            cpol_engine_free(e);
            return NULL;
        }
    }
    return e;
}

static const char *sev_color(cpol_severity s)
{
    switch (s) {
    case CPOL_SEVERITY_CRITICAL: return "\033[1;35m";
    case CPOL_SEVERITY_HIGH: return "\033[1;31m";
    case CPOL_SEVERITY_MEDIUM: return "\033[1;33m";
    case CPOL_SEVERITY_LOW: return "\033[1;36m";
    default: return "\033[1;37m";
    }
}

static void print_text(const cpol_report *r, int color, int quiet)
{
    size_t n = cpol_report_count(r);
    size_t by_sev[6] = {0};
    const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
    const char *dim = color ? "\033[2m" : "";
    for (size_t i = 0; i < n; i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (f->suppressed)
            continue;
        by_sev[f->severity]++;
        printf("%s%s:%u:%u:%s %s%s%s %s%s%s %s", bold, f->file, f->line, f->column, reset,
               color ? sev_color(f->severity) : "", cpol_severity_name(f->severity), reset, bold,
               f->rule_id, reset, f->message);
        if (f->object && *f->object)
            printf(" %s[%s]%s", dim, f->object, reset);
        printf("\n    fix: %s\n", f->remediation);
    }
    size_t ne = cpol_report_error_count(r);
    for (size_t i = 0; i < ne; i++) {
        const cpol_diag *d = cpol_report_error(r, i);
        if (d->file && d->line)
            fprintf(stderr, "%s:%u:%u: error: %s\n", d->file, d->line, d->column, d->message);
        else if (d->file)
            fprintf(stderr, "%s: error: %s\n", d->file, d->message);
        else
            fprintf(stderr, "error: %s\n", d->message);
    }
    if (quiet)
        return;
    size_t shown = 0;
    for (int s = 1; s <= 5; s++)
        shown += by_sev[s];
    printf("%s%zu finding%s", bold, shown, shown == 1 ? "" : "s");
    if (shown) {
        printf(" (");
        int first = 1;
        for (int s = 5; s >= 1; s--) {
            if (!by_sev[s])
                continue;
            printf("%s%zu %s", first ? "" : ", ", by_sev[s], cpol_severity_name((cpol_severity)s));
            first = 0;
        }
        printf(")");
    }
    size_t files = cpol_report_file_count(r);
    printf(" in %zu file%s", files, files == 1 ? "" : "s");
    if (ne)
        printf(", %zu error%s (scan incomplete)", ne, ne == 1 ? "" : "s");
    printf("%s\n", reset);
}

static int cmd_scan(int argc, char **argv)
{
    const char *rules[argc + 1], *paths[argc + 1];
    opts o = {"text", rules, 0, 0, CPOL_SEVERITY_HIGH, -1, 0, paths, 0};
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_scan, stdout);
            return 0;
        }
    int rc = parse_opts("scan", argc, argv, &o, 1);
    if (rc)
        return rc;
    if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0)
        return usage_error("scan", "--format: '%s' is not one of text, json", o.format);
    if (o.npaths == 0)
        return usage_error("scan", "%s", "no PATH given (use '.' for the current folder)");
    cpol_engine *e = make_engine(&o);
    if (!e)
        return EXIT_USAGE;
    cpol_report *r = NULL;
    rc = cpol_engine_scan_paths(e, o.paths, o.npaths, &r);
    if (rc != 0) {
        fprintf(stderr, "cpol: scan failed: %s\n", cpol_engine_last_error(e));
        cpol_engine_free(e);
        return EXIT_INCOMPLETE;
    }
    if (strcmp(o.format, "json") == 0) {
        char *json = cpol_report_to_json(r);
        if (!json) {
            fprintf(stderr, "cpol: out of memory\n");
            rc = EXIT_INCOMPLETE;
        } else {
            fputs(json, stdout);
            cpol_free(json);
        }
    } else {
        int color = o.color;
        if (color < 0) {
            const char *nc = getenv("NO_COLOR");
            color = isatty(STDOUT_FILENO) && !(nc && *nc);
        }
        print_text(r, color, o.quiet);
    }
    int failing = 0;
    for (size_t i = 0; i < cpol_report_count(r); i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (!f->suppressed && o.fail_on && (int)f->severity >= o.fail_on)
            failing = 1;
    }
    if (rc == 0)
        rc = cpol_report_incomplete(r) ? EXIT_INCOMPLETE : failing ? EXIT_FINDINGS : EXIT_CLEAN;
    cpol_report_free(r);
    cpol_engine_free(e);
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
    opts o = {"text", rules, 0, 0, 0, -1, 0, paths, 0};
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
    cpol_engine *e = make_engine(&o);
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
