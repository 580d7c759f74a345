/*
 * parse.h - what every parser receives: the arena of the document, the diagnostics sink, the
 * limits, and the project tree it adds to. Parsers do no I/O and know nothing of Lua.
 *
 * The project tree (docs/model.md):
 *   project = { documents = {...}, containers = {...}, builds = {...}, networks = {...},
 *               policies = {...}, pipelines = {...} }
 * A parser appends to these lists. Each document is { file, format, pos }.
 */
#ifndef CPOL_PARSE_H
#define CPOL_PARSE_H

#include <stddef.h>

#include "../model/node.h"
#include "../util/arena.h"
#include "../util/diag.h"

typedef struct cpol_limits {
    size_t max_file_size;
    size_t max_line_length;
    unsigned int max_yaml_depth;
    unsigned int max_json_depth;
    size_t max_alias_expansions;
    unsigned int max_documents;
    size_t max_context_files;
} cpol_limits;

typedef struct parse_ctx {
    arena *a;                  /* owns every node and string made while parsing */
    diag_sink *diags;          /* problems found in the input, with positions */
    const cpol_limits *limits;
    const char *file;          /* name as given (arena string); goes into every cpos */
    node *project;             /* map: documents, containers, builds, ... (lists, created on demand) */
} parse_ctx;

/* The list `key` of the project, created when missing. */
node *project_list(parse_ctx *ctx, const char *key);
/* A new document {file, format} appended to project.documents. */
node *project_document(parse_ctx *ctx, const char *format);

/*
 * Dockerfile (parse/dockerfile.c). Appends one document, one build (project.builds) and one
 * container of kind "dockerfile" for the final stage (project.containers).
 * Returns 0 when a model was built (possibly with diagnostics), -1 when the input could not be
 * parsed at all (a diagnostic says why).
 */
int dockerfile_parse(parse_ctx *ctx, const char *data, size_t len);

/*
 * Docker Compose (parse/compose.c). Appends one document, one container of kind "compose-service"
 * per service (after `extends` within the file and the override file, when given, are merged as
 * compose merges them) and the top-level networks to project.networks. A service with `build:`
 * gets container.build_spec = {context, dockerfile, dockerfile_inline, pos}, with context and
 * dockerfile as written; link/ resolves them to the Dockerfile's build later.
 * override_name/override_data: the sibling docker-compose.override.yml, or NULL.
 */
int compose_parse(parse_ctx *ctx, const char *data, size_t len, const char *override_name,
                  const char *override_data, size_t override_len);

/*
 * Kubernetes manifests, YAML (multi-document) or JSON (parse/k8s.c): Pod, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate, List.
 * One container per containers/initContainers/ephemeralContainers entry (kinds "k8s-container",
 * "k8s-init-container", "k8s-ephemeral-container"); NetworkPolicies to project.policies.
 */
int k8s_parse(parse_ctx *ctx, const char *data, size_t len);

/*
 * OCI runtime config.json (parse/oci.c): one document, one container of kind "oci".
 */
int oci_parse(parse_ctx *ctx, const char *data, size_t len);

/*
 * Shell scripts (parse/dockerrun.c): one document ("docker-run"), one container of kind
 * "docker-run" per `docker|podman [container] run|create` command, positioned at its first line.
 */
int dockerrun_parse(parse_ctx *ctx, const char *data, size_t len);

/*
 * CI workflows (parse/workflow.c): GitHub Actions (format CPOL_FORMAT_GITHUB) or GitLab CI
 * (CPOL_FORMAT_GITLAB). One document, one pipeline in project.pipelines, and a container of kind
 * "docker-run" for every `docker run` in a run:/script: step, positioned in the workflow file.
 */
int workflow_parse(parse_ctx *ctx, const char *data, size_t len, int format);

#endif
