/*
 * k8s_int.h - private to the Kubernetes parser: k8s.c reads documents and objects (kinds, Lists,
 * NetworkPolicies, where a workload keeps its pod template); k8s_pod.c turns one pod spec into
 * the workload map and its containers. Both read the yv tree of parse/yaml.h.
 */
#ifndef CPOL_K8S_INT_H
#define CPOL_K8S_INT_H

#include "yaml.h"

typedef struct k8s_p {
    parse_ctx *ctx;
    arena *a;
    node *doc;        /* the file's document node, shared by everything it yields */
    node *containers; /* project.containers */
} k8s_p;

/* Where v was written (derived values use k8s_nopos). */
cpos k8s_pos(const k8s_p *k, const yv *v);
cpos k8s_nopos(void);
/* At most 40 characters of s for a message, control bytes as '?', "..." when cut. */
const char *k8s_clip(k8s_p *k, const char *s, size_t len);
void k8s_diag(k8s_p *k, const yv *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Typed readers: what Kubernetes would not accept in a field gives a diagnostic at the value and
 * leaves the field unset. A null value (`key:`, `key: ~`) is "not written", as for Kubernetes.
 */
/* The map (or sequence) under key; NULL when absent or null; a diagnostic when of another shape. */
const yv *k8s_map(k8s_p *k, const yv *parent, const char *key);
const yv *k8s_seq(k8s_p *k, const yv *parent, const char *key);
/* The text of a scalar under key, or NULL (diagnostic for a map or sequence). */
const yv *k8s_scalar(k8s_p *k, const yv *parent, const char *key);
/* Copy a field into out[outkey] at the value's position; 1 when set. */
int k8s_set_str(k8s_p *k, node *out, const char *outkey, const yv *parent, const char *key);
int k8s_set_bool(k8s_p *k, node *out, const char *outkey, const yv *parent, const char *key);
int k8s_set_int(k8s_p *k, node *out, const char *outkey, const yv *parent, const char *key);
/* A {k = v} map of strings (labels, selectors) at the position of the mapping, or NULL. */
node *k8s_string_map(k8s_p *k, const yv *parent, const char *key);
/* The key scalar of `key` in map (for positions of keys), or NULL. */
const yv *k8s_key(const yv *map, const char *key);

/*
 * One pod: meta is the pod's metadata (the template's, or the Pod's own), spec the pod spec.
 * Fills the workload map (host, volumes, security_context, ...) and appends one container per
 * containers/initContainers/ephemeralContainers entry. label is "<Kind> <name>" for reports.
 */
void k8s_pod(k8s_p *k, node *workload, const char *label, const yv *obj, const yv *meta,
             const yv *spec);

#endif
