/*
 * report.h - the result of a scan: findings and diagnostics. Built by the engine, read through the
 * public cpol_report_* functions and rendered by output/. Strings live in the report's arena.
 */
#ifndef CPOL_REPORT_H
#define CPOL_REPORT_H

#include "containerpolicy.h"
#include "../util/arena.h"
#include "../util/diag.h"

typedef struct finding_rec {
    cpol_finding f;
    size_t file_order; /* index of the file in scan order, for sorting */
} finding_rec;

struct cpol_report {
    arena a;
    finding_rec *findings;
    cpol_finding **sorted; /* unused */
    size_t n, cap;
    cpol_diag *diags;
    size_t ndiags;
    diag_sink sink; /* owns the diagnostic strings */
    size_t files;
    size_t suppressed;
    char *tool_version;
    int failed; /* out of memory while recording */
};

cpol_report *report_new(void);
/* Copy a finding in; strings are copied into the report's arena. */
void report_add_finding(cpol_report *r, const cpol_finding *f, size_t file_order);
/* Sort findings (file order, line, column, rule id) and expose diagnostics; call once at the end. */
void report_finish(cpol_report *r);

#endif
