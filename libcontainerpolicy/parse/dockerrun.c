/* dockerrun.c - docker run command lines in shell scripts into the model (in progress). */
#include "parse.h"

int dockerrun_parse(parse_ctx *ctx, const char *data, size_t len)
{
    (void)data;
    (void)len;
    diag_add(ctx->diags, ctx->file, 0, 0, "the docker-run format is not supported yet");
    return -1;
}
