/*
 * workflow_int.h - private to the CI workflow parser: workflow.c reads the GitHub Actions and
 * GitLab CI structure (jobs, steps, scripts, action inputs); workflow_shell.c reads the shell text
 * of run:/script: entries for image builds, pushes, scanners and signing. Both add what they find
 * to one job accumulator, so a job looks the same to rules whichever way it did the work.
 */
#ifndef CPOL_WORKFLOW_INT_H
#define CPOL_WORKFLOW_INT_H

#include "yaml.h"

/* Scanner verdict: does a finding of the listed severities fail the job? */
typedef struct wf_scan {
    const char *tool;      /* trivy grype docker-scout snyk gitlab-container-scanning */
    const char *target;    /* "image", "fs", "repo", ...; NULL when the tool scans images only */
    int gates;             /* 1: a vulnerability makes the command fail */
    int unresolved;        /* the deciding value is an expression or variable */
    const char *severity;  /* upper-case comma list that fails; NULL = every severity */
    int exit_code;         /* the exit code it fails with, 0 unknown (for allow_failure lists) */
    int allowed_to_fail;   /* its failure does not fail the pipeline */
    const char *note;      /* why it does not gate or may fail, for messages; NULL otherwise */
} wf_scan;

/* The job being filled. Lists are created on demand. */
typedef struct wf_job {
    parse_ctx *ctx;
    node *job;
    node *images, *scans, *signs, *verifies;
    node *builds_image, *pushes_image; /* bool nodes, positioned at the first build/push */
    int allow_failure;      /* the step or job may fail without failing the pipeline */
    const char *allow_note; /* why (for scan notes) */
    const yv *allow_codes;  /* GitLab allow_failure: exit_codes (a scalar or a list) */
    /* the shell session of the script being read (GitLab: before_script + script share one) */
    int sh_open, errexit, pipefail;
    node *pending; /* a scan run under `set +e`: any later command takes its exit status away */
} wf_job;

/* Maps an offset of a script text to a position in the workflow file. */
typedef struct wf_lines {
    const char *file;
    unsigned int line, col; /* where the scalar value starts (for a block scalar: its `|`) */
    int mode;               /* WF_MAP_* */
    const char *src;        /* the whole input, for block scalars (NULL: no exact columns) */
    size_t srclen;
    size_t first_off;       /* for WF_MAP_BLOCK with src: where file line `line + 1` starts */
} wf_lines;

enum {
    WF_MAP_FIXED = 0, /* every offset maps to the scalar's start (folded, multi-line plain) */
    WF_MAP_SAME_LINE, /* one-line plain or quoted scalar: line fixed, column advances */
    WF_MAP_BLOCK      /* literal block: text line k is file line line+1+k */
};

/* Shell conditions a script starts under. */
typedef struct wf_shell {
    int pipefail;     /* a failing command left of `|` fails the pipeline (GitLab, `shell: bash`) */
    int after_script; /* GitLab after_script: failures never fail the job */
    const yv *env[3]; /* maps of variables (step, job, workflow) for TRIVY_* settings */
} wf_shell;

void wf_job_build(wf_job *j, cpos at, const char *ref, size_t reflen);
void wf_job_push(wf_job *j, cpos at, const char *ref, size_t reflen);
node *wf_job_scan(wf_job *j, cpos at, const wf_scan *s);
void wf_job_sign(wf_job *j, cpos at, const char *tool, int verify);

/* A variable of the environment chain (NULL when unset). */
const yv *wf_env(const wf_shell *sh, const char *name);
/* Severities at or above a threshold (`high` -> "HIGH,CRITICAL"); NULL when unknown. */
const char *wf_severity_from(const char *threshold, size_t len);
/* A comma/space separated list of severities, upper-cased and checked; NULL when empty or bad. */
const char *wf_severity_list(arena *a, const char *s, size_t len);
/* 1 when text holds a CI expression or variable that we do not resolve (`${{`, `$VAR`). */
int wf_unresolved(const char *s, size_t len);

/* Read a run:/script: text for commands (workflow_shell.c). A new shell session starts when
   j->sh_open is 0 (errexit on, pipefail from sh). */
void wf_shell_scan(wf_job *j, const char *text, size_t len, const wf_lines *map,
                   const wf_shell *sh);

#endif
