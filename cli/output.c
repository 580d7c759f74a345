/*
 * output.c - the cpol command's own renderings of a report: compiler-style text grouped by file
 * with a summary line, and GitHub workflow annotations. JSON, SARIF and JUnit come from the
 * library (cpol_report_to_*).
 */
#include <stdio.h>
#include <string.h>

#include "containerpolicy.h"
#include "cli.h"

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

static int same_file(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

void print_log(void *ud, const char *rule_id, const char *file, unsigned int line,
               const char *message)
{
    char clean[CPOL_LOG_MAX_MESSAGE + 1];
    size_t n = 0;
    for (; message[n] && n < CPOL_LOG_MAX_MESSAGE; n++)
        clean[n] = (unsigned char)message[n] < 0x20 && message[n] != '\t' ? '?'
                   : message[n] == 0x7f                                  ? '?'
                                                                         : message[n];
    clean[n] = '\0';
    char where[4200] = "";
    if (file)
        snprintf(where, sizeof where, "%s:%u: ", file, line);
    fprintf((FILE *)ud, "%slog%s%s: %s\n", where, rule_id ? " " : "", rule_id ? rule_id : "",
            clean);
}

void print_errors(const cpol_report *r)
{
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
}

void print_text(const cpol_report *r, const text_opts *t)
{
    size_t n = cpol_report_count(r);
    size_t by_sev[6] = {0};
    int color = t->color;
    const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
    const char *dim = color ? "\033[2m" : "";
    const char *last_file = NULL;
    for (size_t i = 0; i < n; i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (f->suppressed && !t->show_suppressed)
            continue;
        if (!f->suppressed && f->severity >= 1 && f->severity <= 5)
            by_sev[f->severity]++;
        /* findings come sorted by file: a blank line between files groups them */
        if (last_file && !same_file(last_file, f->file))
            putchar('\n');
        last_file = f->file;
        printf("%s%s:%u:%u:%s %s%s%s %s%s%s %s", bold, f->file, f->line, f->column, reset,
               color ? sev_color(f->severity) : "", cpol_severity_name(f->severity), reset, bold,
               f->rule_id, reset, f->message);
        if (f->object && *f->object)
            printf(" %s[%s]%s", dim, f->object, reset);
        if (f->suppressed)
            printf(" %s(suppressed)%s", dim, reset);
        printf("\n    fix: %s\n", f->remediation);
    }
    if (t->unused_ignores) {
        size_t nu = cpol_report_unused_ignore_count(r);
        for (size_t i = 0; i < nu; i++) {
            const cpol_diag *d = cpol_report_unused_ignore(r, i);
            printf("%s%s:%u:%u:%s unused %s\n", bold, d->file, d->line, d->column, reset,
                   d->message);
        }
    }
    print_errors(r);
    if (t->quiet)
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
    size_t sup = cpol_report_suppressed_count(r), base = cpol_report_baselined_count(r);
    if (sup)
        printf(", %zu suppressed", sup);
    if (base)
        printf(", %zu in the baseline", base);
    size_t ne = cpol_report_error_count(r);
    if (ne)
        printf(", %zu error%s (scan incomplete)", ne, ne == 1 ? "" : "s");
    printf("%s\n", reset);
}

/* Workflow command escaping: data escapes % CR LF; properties also ':' and ','. */
static void gh_escape(const char *s, int property)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '%': fputs("%25", stdout); break;
        case '\r': fputs("%0D", stdout); break;
        case '\n': fputs("%0A", stdout); break;
        case ':': fputs(property ? "%3A" : ":", stdout); break;
        case ',': fputs(property ? "%2C" : ",", stdout); break;
        default: putchar(*s);
        }
    }
}

static const char *gh_level(cpol_severity s)
{
    return s >= CPOL_SEVERITY_HIGH ? "error" : s == CPOL_SEVERITY_MEDIUM ? "warning" : "notice";
}

static void gh_location(const char *file, unsigned line, unsigned col)
{
    fputs(" file=", stdout);
    gh_escape(file, 1);
    if (line)
        printf(",line=%u", line);
    if (line && col)
        printf(",col=%u", col);
}

void print_github(const cpol_report *r, int unused_ignores)
{
    size_t n = cpol_report_count(r);
    for (size_t i = 0; i < n; i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (f->suppressed)
            continue;
        printf("::%s", gh_level(f->severity));
        gh_location(f->file, f->line, f->column);
        fputs(",title=", stdout);
        char title[512];
        snprintf(title, sizeof title, "%s (%s) %s", f->rule_id, cpol_severity_name(f->severity),
                 f->title);
        gh_escape(title, 1);
        fputs("::", stdout);
        gh_escape(f->message, 0);
        if (f->object && *f->object) {
            fputs(" [", stdout);
            gh_escape(f->object, 0);
            putchar(']');
        }
        fputs("%0Afix: ", stdout);
        gh_escape(f->remediation, 0);
        putchar('\n');
    }
    size_t nu = unused_ignores ? cpol_report_unused_ignore_count(r) : 0;
    for (size_t i = 0; i < nu; i++) {
        const cpol_diag *d = cpol_report_unused_ignore(r, i);
        fputs("::warning", stdout);
        gh_location(d->file, d->line, d->column);
        fputs(",title=cpol unused suppression::", stdout);
        gh_escape(d->message, 0);
        putchar('\n');
    }
    size_t ne = cpol_report_error_count(r);
    for (size_t i = 0; i < ne; i++) {
        const cpol_diag *d = cpol_report_error(r, i);
        fputs("::error", stdout);
        if (d->file)
            gh_location(d->file, d->line, d->column);
        fputs(d->file ? ",title=cpol scan error::" : " title=cpol scan error::", stdout);
        gh_escape(d->message, 0);
        putchar('\n');
    }
}
