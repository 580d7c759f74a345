/*
 * link.h - joins what parsers produced from different files: a compose service's `build:` to the
 * Dockerfile's build, so a service without `user:` takes the user that Dockerfile sets. Runs
 * after every file of a scan was parsed and before any rule runs. I/O stays in the API layer:
 * the linker asks for a Dockerfile through ops->load_dockerfile.
 */
#ifndef CPOL_LINK_H
#define CPOL_LINK_H

#include "../parse/parse.h"

typedef struct link_ops {
    /* The build node of the Dockerfile at `path` (parsed once per scan; a file already scanned is
       reused), or of `inline_text` when not NULL (compose dockerfile_inline; path names it in
       positions). NULL when it cannot be read or parsed: a diagnostic at `at` is recorded. */
    node *(*load_dockerfile)(void *ud, const char *path, const char *inline_text, cpos at);
    void *ud;
} link_ops;

/* Resolve every container's build_spec in project.containers[first..end). */
void link_project(parse_ctx *ctx, node *project, size_t first, size_t end, const link_ops *ops);

#endif
