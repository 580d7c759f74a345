/*
 * fuzz_parser.c - libFuzzer target for one parser on arbitrary bytes. Built once per parser with
 * -DFUZZ_PARSER=<n>: 1 Dockerfile, 2 compose, 3 Kubernetes, 4 OCI, 5 docker run, 6 GitHub
 * workflow, 7 GitLab CI (the cpol_format numbers).
 */
#include <stddef.h>
#include <stdint.h>

#include "containerpolicy.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a);
    diag_sink d = DIAG_SINK_INIT;
    cpol_limits lim = {1u << 20, 1u << 16, 64, 64, 1000, 100, 100};
    parse_ctx ctx = {&a, &d, &lim, "input", NULL};
    ctx.project = node_map(&a, cpos_make(NULL, 0, 0));
    const char *text = (const char *)data;
    if (ctx.project) {
        switch (FUZZ_PARSER) {
        case CPOL_FORMAT_DOCKERFILE: dockerfile_parse(&ctx, text, size); break;
        case CPOL_FORMAT_COMPOSE: compose_parse(&ctx, text, size, NULL, NULL, 0); break;
        case CPOL_FORMAT_K8S: k8s_parse(&ctx, text, size); break;
        case CPOL_FORMAT_OCI: oci_parse(&ctx, text, size); break;
        case CPOL_FORMAT_DOCKER_RUN: dockerrun_parse(&ctx, text, size); break;
        default: workflow_parse(&ctx, text, size, FUZZ_PARSER); break;
        }
    }
    diag_free(&d);
    arena_free(&a);
    return 0;
}
