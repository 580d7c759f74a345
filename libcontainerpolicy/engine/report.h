/*
 * report.h - the result of a scan: findings and diagnostics. Built by the engine, read through the
 * public cpol_report_* functions and rendered by output/. Strings live in the report's arena.
 * report_finish() is where the scan's sources (suppression comments, line texts) meet the
 * findings: suppressions, fingerprints and the baseline are applied there (DESIGN section 1).
 */
#ifndef CPOL_REPORT_H
#define CPOL_REPORT_H

#include <stdint.h>

#include "containerpolicy.h"
#include "../util/arena.h"
#include "../util/diag.h"

typedef struct finding_rec {
    cpol_finding f;
    size_t file_order;          /* index of the file in scan order, for sorting */
    const char *fingerprint;    /* set by report_finish */
    const char *suppress_reason; /* the text after the ids of the covering comment, or NULL */
    struct source *src;          /* the finding's file, set by report_finish (NULL: none read) */
    uint64_t key_hash;           /* the fingerprint's hash of rule id, path and object, made
                                    where the finding is added (a worker thread in -j scans) */
} finding_rec;

/* One `cpol:ignore` comment (suppress.c). */
typedef struct src_ignore {
    unsigned line, col;  /* where `cpol:ignore` is written */
    unsigned next_line;  /* a comment-only line also covers the next line that is not a comment;
                            0 for a comment after code (it covers its own line only) */
    int file_level;      /* cpol:ignore-file */
    const char **ids;
    unsigned char *used; /* per id: covered at least one finding */
    size_t nids;
    const char *reason;  /* "" when none */
} src_ignore;

/* The parts of an input file's text that findings are matched against. Lines are hashed only
   when a finding asks (source_line_hash): most lines carry none, and hashing each byte of every
   file cost more than the rest of the report. */
typedef struct source {
    const char *name;
    char *text;          /* a copy of the file (malloc'd) until report_finish() is done with it */
    size_t len;
    size_t nlines;
    size_t at_line, at_off; /* where the last lookup left off: line at_line+1 starts at at_off */
    size_t hashed_line;     /* 1-based line of hashed_value, 0 = none yet */
    uint64_t hashed_value;
    src_ignore *ign;
    size_t nign;
} report_source;

/* Rule metadata as the scan used it (severity after the configuration), for SARIF. */
typedef struct report_rule {
    const char *id, *title, *description, *remediation, *references;
    int control;
    cpol_severity severity;
} report_rule;

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
    size_t baselined;
    char *tool_version;
    int failed; /* out of memory while recording */
    report_source *sources; /* in the order added; source_find() looks one up by name */
    size_t nsources, cap_sources;
    size_t *source_index; /* open-addressing hash of source names -> index + 1 (0 = empty) */
    size_t source_index_cap;
    const char **file_names; /* the files read, in scan order */
    size_t nfile_names, cap_file_names;
    report_rule *rules;
    size_t nrules;
    cpol_diag *unused; /* unused suppressions, in file and line order */
    size_t nunused;
    /* recent copies of finding strings: rule ids, titles, remediations, files and objects repeat
       across findings and are kept once (slot chosen by the caller's pointer, content compared) */
    const char *kept[64];
};

cpol_report *report_new(void);
/* Copy a finding in; strings are copied into the report's arena. */
void report_add_finding(cpol_report *r, const cpol_finding *f, size_t file_order);
/* Copy a finding of another report (a worker's) into r, keeping its key_hash. */
void report_add_finding_rec(cpol_report *r, const finding_rec *from);
/* Record a file that was read (for the per-file outputs). The name is copied. */
void report_add_file(cpol_report *r, const char *name);
/* Record the rules of the scan (copied). */
void report_add_rule(cpol_report *r, const report_rule *rule);
/*
 * Sort findings (file order, line, column, rule id), apply suppressions, compute fingerprints,
 * leave out those in baseline (sorted fingerprints, may be NULL), and expose diagnostics; call
 * once at the end.
 */
void report_finish(cpol_report *r, const char *const *baseline, size_t nbaseline);

/* suppress.c: scan an input's text for `cpol:ignore` comments and keep a copy of it for line
   hashes (data may be freed after the call). A name already recorded is skipped. */
void source_add(cpol_report *r, const char *name, const char *data, size_t len);
/* The source of that name, through the hash source_add keeps; NULL when none was added. */
report_source *source_find(const cpol_report *r, const char *name);
/* Hash of line `line` (1-based, <= nlines) of src with its blanks normalized; 0 when out of range
   or once the text is released. Fastest when asked for lines in increasing order. */
uint64_t source_line_hash(report_source *src, size_t line);
/* Free the text copies (their hashes are no longer needed). */
void source_release(cpol_report *r);
/* 64-bit FNV-1a, continuing from h (start with SOURCE_HASH_INIT). */
#define SOURCE_HASH_INIT 0xcbf29ce484222325ULL
uint64_t source_hash(uint64_t h, const void *data, size_t len);

#endif
