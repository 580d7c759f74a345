/* k8s.c - Kubernetes manifests into the model (in progress). */
#include "parse.h"

int k8s_parse(parse_ctx *ctx, const char *data, size_t len)
{
    (void)data;
    (void)len;
    diag_add(ctx->diags, ctx->file, 0, 0, "the k8s format is not supported yet");
    return -1;
}
