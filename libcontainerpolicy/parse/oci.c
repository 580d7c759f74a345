/* oci.c - OCI runtime config.json into the model (in progress). */
#include "parse.h"

int oci_parse(parse_ctx *ctx, const char *data, size_t len)
{
    (void)data;
    (void)len;
    diag_add(ctx->diags, ctx->file, 0, 0, "the oci format is not supported yet");
    return -1;
}
