/* fuzz_scan.c - libFuzzer target: a whole scan of one buffer through the public API, with the
   built-in rules, as each format (the first byte picks the format, 0-6: Dockerfile, compose,
   Kubernetes, OCI, docker run, GitHub, GitLab). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "containerpolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cpol_engine *engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine) {
        engine = cpol_engine_new(NULL); /* kept for the whole run: start-up is not the target */
        if (!engine)
            abort();
    }
    if (size < 1)
        return 0;
    static const char *const names[] = {"Dockerfile",  "compose.yaml",
                                        "manifest.yaml", "config.json",
                                        "run.sh",        ".github/workflows/ci.yml",
                                        ".gitlab-ci.yml"};
    static const cpol_format fmts[] = {CPOL_FORMAT_DOCKERFILE, CPOL_FORMAT_COMPOSE,
                                       CPOL_FORMAT_K8S,        CPOL_FORMAT_OCI,
                                       CPOL_FORMAT_DOCKER_RUN, CPOL_FORMAT_GITHUB,
                                       CPOL_FORMAT_GITLAB};
    unsigned k = data[0] % 7;
    cpol_report *r = NULL;
    if (cpol_engine_scan_buffer(engine, names[k], (const char *)data + 1, size - 1, fmts[k], &r) == 0) {
        char *json = cpol_report_to_json(r);
        cpol_free(json);
    }
    cpol_report_free(r);
    return 0;
}
