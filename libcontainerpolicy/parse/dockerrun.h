/*
 * dockerrun.h - the docker run scanner, shared by shell scripts (dockerrun.c) and CI workflows
 * (workflow.c, for the text of run:/script: steps). It finds every `docker|podman [container]
 * run|create` command in shell text and appends one container of kind "docker-run" per command
 * to project.containers (docs/model.md).
 */
#ifndef CPOL_DOCKERRUN_H
#define CPOL_DOCKERRUN_H

#include <stddef.h>

#include "parse.h"

/*
 * Where the scanned text sits in its file. Text line k (1-based) is file line line[k-1]; a
 * column c on it is file column col[k-1] + c - 1 (col[k-1] is the file column of the text
 * line's first character). Lines past n continue from the last entry (line + 1 each, same
 * column). A NULL map, or n == 0, means the text is the whole file.
 * Example: a YAML block scalar whose first text line is file line 12, indented 10 columns:
 * line = {12, 13, 14, ...}, col = {11, 11, 11, ...}.
 */
typedef struct dockerrun_linemap {
    const unsigned int *line;
    const unsigned int *col;
    size_t n;
} dockerrun_linemap;

/*
 * Scan text[0..len) for docker/podman run/create commands; each becomes a container whose
 * `document` is `document` and whose positions are in ctx->file (through map). Columns count
 * characters (UTF-8 sequences count once). Shell syntax errors (an unterminated quote, $( or
 * ${) are diagnostics with positions; the commands around them are still read.
 * @return the number of containers added, or -1 when out of memory.
 */
int dockerrun_scan(parse_ctx *ctx, const char *text, size_t len, node *document,
                   const dockerrun_linemap *map);

#endif
