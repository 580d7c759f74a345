/* cli.h - pieces of the cpol command shared between its files. */
#ifndef CPOL_CLI_H
#define CPOL_CLI_H

#include "containerpolicy.h"

/* `cpol rules test [DIR...]`: returns the exit code (0 all pass, 1 a failure, 2 usage). */
int rules_test(int argc, const char *const *dirs, int verbose);
/* `cpol rules new ID --name NAME ...` (arguments after "new"): the exit code (0 or 2). */
int rules_new(int argc, char **argv);

/* output.c */
typedef struct text_opts {
    int color;
    int quiet;           /* no summary line */
    int show_suppressed; /* list suppressed findings too, marked */
    int unused_ignores;  /* list cpol:ignore comments that matched nothing */
} text_opts;
void print_text(const cpol_report *r, const text_opts *t);
void print_github(const cpol_report *r, int unused_ignores);
/* Diagnostics to stderr as path:line:col: error: message. */
void print_errors(const cpol_report *r);
/* A cpol_log_fn: one line "path:line: log RULE: message" on the FILE * in ud (control characters
   shown as '?', so a rule cannot drive the terminal). One fprintf call, so lines from -j worker
   threads do not interleave. */
void print_log(void *ud, const char *rule_id, const char *file, unsigned int line,
               const char *message);

#endif
