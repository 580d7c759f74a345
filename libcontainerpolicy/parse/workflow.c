/* workflow.c - CI workflows (GitHub Actions, GitLab CI) into the model (in progress). */
#include "parse.h"

int workflow_parse(parse_ctx *ctx, const char *data, size_t len, int format)
{
    (void)data;
    (void)len;
    (void)format;
    diag_add(ctx->diags, ctx->file, 0, 0, "CI workflows are not supported yet");
    return -1;
}
