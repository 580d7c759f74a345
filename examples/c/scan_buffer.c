/*
 * scan_buffer.c - embedding libcontainerpolicy: scan a file's text held in memory (or a built-in
 * Dockerfile), with the built-in rules plus one rule given as a string, and walk the findings and
 * diagnostics. Built against the installed library with pkg-config (Makefile) or CMake
 * (CMakeLists.txt); see docs/c-api.md.
 *
 *   scan_buffer [FILE]     exit 0: no finding, 1: findings, 2: error
 */
#include <containerpolicy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A team rule, as a string: the engine checks its metadata when it is added. */
static const char team_rule[] =
    "return {\n"
    "  id = 'ACME001', api = 1, severity = 'low', formats = { 'dockerfile' },\n"
    "  title = 'Image not from the team registry',\n"
    "  remediation = 'Use registry.acme.example/<image>.',\n"
    "  check = function(c, report)\n"
    "    cpol.log('base image', c.image and c.image.ref)\n"
    "    if c.image and c.image.registry and c.image.registry ~= 'registry.acme.example' then\n"
    "      report{ at = c.image, message = 'image ' .. c.image.ref .. ' is from ' ..\n"
    "              c.image.registry }\n"
    "    end\n"
    "  end,\n"
    "}\n";

static const char sample[] = "FROM node:20\nUSER root\nCMD [\"node\", \"app.js\"]\n";

/* cpol.log messages; the strings are only valid during the call. */
static void on_log(void *ud, const char *rule_id, const char *file, unsigned int line,
                   const char *message)
{
    (void)ud;
    fprintf(stderr, "log %s %s:%u: %s\n", rule_id ? rule_id : "-", file ? file : "-", line,
            message);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(data, cap *= 2);
            if (!bigger)
                free(data);
            data = bigger;
        }
    }
    fclose(f);
    *len = n;
    return data;
}

int main(int argc, char **argv)
{
    const char *name = "Dockerfile";
    const char *data = sample;
    size_t len = sizeof sample - 1;
    char *owned = NULL;
    if (argc > 1) {
        name = argv[1];
        if (!(owned = read_all(name, &len))) {
            fprintf(stderr, "cannot read %s\n", name);
            return 2;
        }
        data = owned;
    }

    /* 1. an engine with the built-in rules */
    cpol_engine *e = cpol_engine_new(NULL);
    if (!e) {
        fprintf(stderr, "cannot create the engine\n");
        free(owned);
        return 2;
    }
    if (getenv("SCAN_BUFFER_LOG"))
        cpol_engine_set_log(e, on_log, NULL);
    /* 2. plus our own rule; a refused rule says why in cpol_engine_last_error() */
    if (cpol_engine_add_rule_source(e, "acme001.lua", team_rule, sizeof team_rule - 1) != 0) {
        fprintf(stderr, "%s\n", cpol_engine_last_error(e));
        cpol_engine_free(e);
        free(owned);
        return 2;
    }
    /* 3. scan the buffer: the name picks the format and appears in findings */
    cpol_report *r = NULL;
    int rc = cpol_engine_scan_buffer(e, name, data, len, CPOL_FORMAT_AUTO, &r);
    free(owned); /* the engine read the data during the call and keeps nothing of it */
    if (rc != 0) {
        fprintf(stderr, "scan failed: %s\n", cpol_engine_last_error(e));
        cpol_engine_free(e);
        return 2;
    }
    /* 4. walk the report; findings are borrowed from it */
    size_t n = cpol_report_count(r);
    for (size_t i = 0; i < n; i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        printf("%s:%u:%u: %s %s %s\n", f->file, f->line, f->column,
               cpol_severity_name(f->severity), f->rule_id, f->message);
    }
    for (size_t i = 0; i < cpol_report_error_count(r); i++) {
        const cpol_diag *d = cpol_report_error(r, i);
        fprintf(stderr, "%s:%u:%u: error: %s\n", d->file ? d->file : "-", d->line, d->column,
                d->message);
    }
    int incomplete = cpol_report_incomplete(r);
    /* 5. the report may outlive the engine; free both */
    cpol_engine_free(e);
    cpol_report_free(r);
    return incomplete ? 2 : n ? 1 : 0;
}
