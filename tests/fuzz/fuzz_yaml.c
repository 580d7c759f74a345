/* fuzz_yaml.c - libFuzzer target: the YAML loader (aliases, merge keys, depth) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "parse/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    diag_sink d = DIAG_SINK_INIT;
    cpol_limits lim = {1u << 20, 1u << 16, 64, 64, 1000, 100, 100};
    parse_ctx ctx = {&a, &d, &lim, "input.yaml", NULL};
    ctx.project = node_map(&a, cpos_make(NULL, 0, 0));
    yaml_doc *docs = NULL;
    if (ctx.project)
        yaml_load(&ctx, (const char *)data, size, NULL, &docs);
    diag_free(&d);
    arena_free(&a);
    return 0;
}
