/*
 * imageref.h - container image references ("gcr.io/distroless/base:nonroot@sha256:...") split
 * into parts. Used by the Dockerfile parser for FROM, by the compose/k8s parsers for image:, and
 * by the cpol.image() helper that rules call.
 */
#ifndef CPOL_IMAGEREF_H
#define CPOL_IMAGEREF_H

#include "arena.h"

typedef struct image_ref {
    const char *registry;   /* "docker.io" when none is written */
    const char *repository; /* path without registry: "library/node", "distroless/base" */
    const char *name;       /* last path component: "node", "base" */
    const char *tag;        /* NULL when not written (no implicit "latest") */
    const char *digest;     /* "sha256:<hex>", NULL when absent */
} image_ref;

/*
 * Split ref into its parts, following the grammar of Docker's reference package: the first path
 * component is a registry when it holds '.' or ':', is "localhost", or has upper-case letters;
 * Docker Hub names get registry "docker.io" and, without a slash, the "library/" prefix
 * ("index.docker.io" is spelled "docker.io"). Strings are allocated in a.
 * @return 0, or -1 when ref is not a valid reference (out is then zeroed).
 */
int image_ref_parse(arena *a, const char *ref, image_ref *out);

#endif
