/* compose.c - Docker Compose files into the model (in progress). */
#include "parse.h"

int compose_parse(parse_ctx *ctx, const char *data, size_t len, const char *override_name,
                  const char *override_data, size_t override_len)
{
    (void)data;
    (void)len;
    (void)override_name;
    (void)override_data;
    (void)override_len;
    diag_add(ctx->diags, ctx->file, 0, 0, "the compose format is not supported yet");
    return -1;
}
