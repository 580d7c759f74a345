/*
 * stream.h - the writers' streaming mode (cpol_report_write_json/_sarif): a renderer writes into
 * a buffer that hands its contents to the caller's cpol_write_fn whenever it fills, so a report of
 * any size is written holding 64 KiB, not the whole text.
 */
#ifndef CPOL_OUTPUT_STREAM_H
#define CPOL_OUTPUT_STREAM_H

#include "../engine/report.h"
#include "../util/buf.h"

typedef void (*render_fn)(const cpol_report *r, buf *b);

/* Render r through write. 0, CPOL_EIO when write refused a piece, CPOL_ENOMEM. */
int writer_run(const cpol_report *r, render_fn render, cpol_write_fn write, void *ud);

#endif
