/* fuzz_dockerfile.c - libFuzzer target: the Dockerfile parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    diag_sink d = DIAG_SINK_INIT;
    cpol_limits lim = {1u << 20, 1u << 16, 64, 64, 1000, 100, 100};
    parse_ctx ctx = {&a, &d, &lim, "Dockerfile", NULL};
    ctx.project = node_map(&a, cpos_make(NULL, 0, 0));
    if (ctx.project)
        dockerfile_parse(&ctx, (const char *)data, size);
    diag_free(&d);
    arena_free(&a);
    return 0;
}
