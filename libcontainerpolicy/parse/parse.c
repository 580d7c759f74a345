/* parse.c - helpers shared by every parser for adding to the project tree. */
#include "parse.h"

node *project_list(parse_ctx *ctx, const char *key)
{
    node *l = node_get(ctx->project, key);
    if (!l)
        l = node_set_list(ctx->a, ctx->project, key, cpos_make(NULL, 0, 0));
    return l;
}

node *project_document(parse_ctx *ctx, const char *format)
{
    node *d = node_map(ctx->a, cpos_make(ctx->file, 1, 1));
    if (!d)
        return NULL;
    node_set_str(ctx->a, d, "file", ctx->file, cpos_make(NULL, 0, 0));
    node_set_str(ctx->a, d, "format", format, cpos_make(NULL, 0, 0));
    node_push(ctx->a, project_list(ctx, "documents"), d);
    return d;
}
