/*
 * k8s.c - Kubernetes manifests (YAML streams or JSON, through parse/yaml.c) into the model: one
 * document per file, a workload and its containers per object that runs pods (k8s_pod.c), and
 * NetworkPolicies as project.policies for the segmentation rule.
 *
 * What is read (the Kubernetes API objects, by kind; apiVersion is not needed to find the pods):
 *   stream     := document*                       every document is one object, or a List
 *   object     := {apiVersion, kind, metadata: {name, namespace, labels, annotations}, ...}
 *   Pod                      spec                                   = pod spec
 *   PodTemplate              template.{metadata, spec}
 *   Deployment StatefulSet DaemonSet ReplicaSet ReplicationController Job
 *                            spec.template.{metadata, spec}
 *   CronJob                  spec.jobTemplate.spec.template.{metadata, spec}
 *   List, <Kind>List         items: [object...]  (items of a <Kind>List may omit their kind)
 *   NetworkPolicy            spec.{podSelector, policyTypes, ingress, egress}
 * Other kinds (Service, ConfigMap, custom resources) are skipped without a word, except unknown
 * kinds of the apps and batch groups, whose kinds we know (kubectl refuses them).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "k8s_int.h"

#define MAX_LIST_DEPTH 16

/* ---- positions, diagnostics and typed readers (shared with k8s_pod.c) ---- */

cpos k8s_pos(const k8s_p *k, const yv *v)
{
    return cpos_make(k->ctx->file, v->line, v->col);
}

cpos k8s_nopos(void)
{
    return cpos_make(NULL, 0, 0);
}

void k8s_diag(k8s_p *k, const yv *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof msg) {
        /* an object's name can be long: cut, but not inside a UTF-8 sequence */
        size_t end = sizeof msg - 1, i = end;
        while (i > 0 && ((unsigned char)msg[i - 1] & 0xC0) == 0x80)
            i--;
        if (i > 0 && (unsigned char)msg[i - 1] >= 0xC0) {
            unsigned char lead = (unsigned char)msg[i - 1];
            size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (end - (i - 1) < want)
                msg[i - 1] = '\0';
        }
    }
    diag_add(k->ctx->diags, k->ctx->file, at ? at->line : 0, at ? at->col : 0, "%s", msg);
}

static int quoted_style(const yv *v)
{
    return v->style == YV_SINGLE_QUOTED || v->style == YV_DOUBLE_QUOTED;
}

const char *k8s_clip(k8s_p *k, const char *s, size_t len)
{
    size_t n = len > 40 ? 40 : len;
    /* never cut a UTF-8 sequence in two; control bytes would reach terminals: show them as '?' */
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *out = arena_alloc(k->a, n + 4);
    if (!out)
        return "";
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (n < len)
        memcpy(out + n, "...", 3);
    return out;
}

/* A short description of a value for messages: `a list`, `a mapping`, `'text'`, `"text"`. */
static const char *describe(k8s_p *k, const yv *v)
{
    if (v->kind == YV_SEQ)
        return "a list";
    if (v->kind == YV_MAP)
        return "a mapping";
    const char *s = arena_printf(k->a, quoted_style(v) ? "the string \"%s\"" : "'%s'",
                                 k8s_clip(k, v->u.str.s, v->u.str.len));
    return s ? s : "a value";
}

const yv *k8s_key(const yv *map, const char *key)
{
    if (!map || map->kind != YV_MAP)
        return NULL;
    for (size_t i = 0; i < map->u.map.n; i++)
        if (yv_is(map->u.map.v[i].key, key))
            return map->u.map.v[i].key;
    return NULL;
}

static const yv *get_shape(k8s_p *k, const yv *parent, const char *key, int kind, const char *want)
{
    const yv *v = yv_get(parent, key);
    if (!v || yv_is_null(v))
        return NULL;
    if (v->kind != kind) {
        k8s_diag(k, v, "%s: expected %s, not %s; ignored", key, want, describe(k, v));
        return NULL;
    }
    return v;
}

const yv *k8s_map(k8s_p *k, const yv *parent, const char *key)
{
    return get_shape(k, parent, key, YV_MAP, "a mapping");
}

const yv *k8s_seq(k8s_p *k, const yv *parent, const char *key)
{
    return get_shape(k, parent, key, YV_SEQ, "a list");
}

const yv *k8s_scalar(k8s_p *k, const yv *parent, const char *key)
{
    return get_shape(k, parent, key, YV_SCALAR, "a single value");
}

/* Strings: any scalar is taken as its text. Kubernetes' own decoder turns a number written in a
   string field into its text too, so `name: 123` is no reason to stop. */
int k8s_set_str(k8s_p *k, node *out, const char *outkey, const yv *parent, const char *key)
{
    const yv *v = k8s_scalar(k, parent, key);
    if (!v)
        return 0;
    return node_set_strn(k->a, out, outkey, v->u.str.s, v->u.str.len, k8s_pos(k, v)) != NULL;
}

int k8s_set_bool(k8s_p *k, node *out, const char *outkey, const yv *parent, const char *key)
{
    const yv *v = k8s_scalar(k, parent, key);
    int b;
    if (!v)
        return 0;
    if (yv_bool_k8s(v, &b) == 0)
        return node_set_bool(k->a, out, outkey, b, k8s_pos(k, v)) != NULL;
    /* `privileged: "true"` is refused by the API server, so the container never runs that way;
       guessing either value would hide the mistake, so the field stays unknown and we say why */
    if (quoted_style(v))
        k8s_diag(k, v, "%s: \"%s\" is a quoted string, not a boolean; Kubernetes rejects it "
                 "(ignored)", key, k8s_clip(k, v->u.str.s, v->u.str.len));
    else
        k8s_diag(k, v, "%s: expected true or false, not %s; ignored", key, describe(k, v));
    return 0;
}

int k8s_set_int(k8s_p *k, node *out, const char *outkey, const yv *parent, const char *key)
{
    const yv *v = k8s_scalar(k, parent, key);
    long long i;
    if (!v)
        return 0;
    if (yv_int(v, &i) == 0)
        return node_set_int(k->a, out, outkey, i, k8s_pos(k, v)) != NULL;
    if (quoted_style(v))
        k8s_diag(k, v, "%s: \"%s\" is a quoted string, not a number; Kubernetes rejects it "
                 "(ignored)", key, k8s_clip(k, v->u.str.s, v->u.str.len));
    else
        k8s_diag(k, v, "%s: expected an integer, not %s; ignored", key, describe(k, v));
    return 0;
}

node *k8s_string_map(k8s_p *k, const yv *parent, const char *key)
{
    const yv *m = k8s_map(k, parent, key);
    if (!m)
        return NULL;
    node *out = node_map(k->a, k8s_pos(k, m));
    if (!out)
        return NULL;
    for (size_t i = 0; i < m->u.map.n; i++) {
        const yv *kk = m->u.map.v[i].key, *v = m->u.map.v[i].val;
        if (v->kind != YV_SCALAR) {
            k8s_diag(k, v, "%s: the value of '%s' must be a string, not %s; ignored", key,
                     k8s_clip(k, kk->u.str.s, kk->u.str.len), describe(k, v));
            continue;
        }
        const char *name = arena_strndup(k->a, kk->u.str.s, kk->u.str.len);
        if (name)
            node_set_strn(k->a, out, name, v->u.str.s, v->u.str.len, k8s_pos(k, v));
    }
    return out;
}

/* ---- objects ---- */

enum { W_POD, W_TEMPLATE, W_CRONJOB, W_PODTEMPLATE };

static const struct {
    const char *kind;
    int shape;
} workloads[] = {
    {"Pod", W_POD},
    {"Deployment", W_TEMPLATE},
    {"StatefulSet", W_TEMPLATE},
    {"DaemonSet", W_TEMPLATE},
    {"ReplicaSet", W_TEMPLATE},
    {"ReplicationController", W_TEMPLATE},
    {"Job", W_TEMPLATE},
    {"CronJob", W_CRONJOB},
    {"PodTemplate", W_PODTEMPLATE},
};

/* Kinds that the apps and batch groups serve, in any version we know of. */
static const char *const apps_kinds[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                         "ControllerRevision", "Scale", "DeploymentRollback",
                                         NULL};
static const char *const batch_kinds[] = {"Job", "CronJob", NULL};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* A kind the apiVersion's group cannot have (`apps/v1` `Deployment2`): kubectl says "no matches
   for kind", so the author believes something is deployed that is not. */
static int unknown_in_group(const yv *api, const char *kind)
{
    if (!api || api->kind != YV_SCALAR)
        return 0;
    const char *const *known = NULL;
    if (strncmp(api->u.str.s, "apps/", 5) == 0)
        known = apps_kinds;
    else if (strncmp(api->u.str.s, "batch/", 6) == 0)
        known = batch_kinds;
    if (!known || in_list(kind, known))
        return 0;
    if (ends_with(kind, "List")) {
        size_t n = strlen(kind) - 4;
        for (size_t i = 0; known[i]; i++)
            if (strlen(known[i]) == n && strncmp(kind, known[i], n) == 0)
                return 0;
    }
    return 1;
}

/* Follow `path` (keys separated by '.') from obj. A missing step is no diagnostic: linters'
   fixtures and kustomize patches leave out what Kubernetes requires, and nothing written is lost;
   a step of the wrong shape is one (what it holds cannot be read). */
static const yv *walk(k8s_p *k, const yv *obj, const char *label, const char *path)
{
    const yv *cur = obj;
    char key[32];
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        const yv *v = yv_get(cur, key);
        if (!v || yv_is_null(v))
            return NULL;
        if (v->kind != YV_MAP) {
            k8s_diag(k, v, "%s: %.*s must be a mapping, not %s; no pod to check", label,
                     (int)(p - path + n), path, describe(k, v));
            return NULL;
        }
        cur = v;
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

static void workload(k8s_p *k, const yv *obj, const yv *kind_v, const char *kind, int shape,
                     const yv *meta)
{
    node *w = node_map(k->a, k8s_pos(k, obj));
    if (!w)
        return;
    if (kind_v)
        node_set_strn(k->a, w, "kind", kind_v->u.str.s, kind_v->u.str.len, k8s_pos(k, kind_v));
    else
        node_set_str(k->a, w, "kind", kind, k8s_nopos());
    k8s_set_str(k, w, "name", meta, "name");
    k8s_set_str(k, w, "namespace", meta, "namespace");
    node *labels = k8s_string_map(k, meta, "labels");
    if (labels)
        node_set(k->a, w, "labels", labels);
    const char *name = node_get_str(w, "name");
    const char *label = name ? arena_printf(k->a, "%s %s", kind, name)
                             : arena_printf(k->a, "%s (unnamed)", kind);
    if (!label)
        return;

    const yv *tmpl = NULL, *pmeta = NULL, *spec = NULL;
    switch (shape) {
    case W_POD:
        pmeta = meta;
        spec = walk(k, obj, label, "spec");
        break;
    case W_PODTEMPLATE: tmpl = walk(k, obj, label, "template"); break;
    case W_CRONJOB: tmpl = walk(k, obj, label, "spec.jobTemplate.spec.template"); break;
    default: tmpl = walk(k, obj, label, "spec.template"); break;
    }
    if (tmpl) {
        pmeta = k8s_map(k, tmpl, "metadata");
        spec = walk(k, tmpl, label, "spec");
    }
    if (!spec)
        return;
    k8s_pod(k, w, label, obj, pmeta, spec);
}

static void network_policy(k8s_p *k, const yv *obj, const yv *kind_v, const yv *meta)
{
    node *p = node_map(k->a, k8s_pos(k, obj));
    if (!p)
        return;
    if (kind_v)
        node_set_strn(k->a, p, "kind", kind_v->u.str.s, kind_v->u.str.len, k8s_pos(k, kind_v));
    else
        node_set_str(k->a, p, "kind", "NetworkPolicy", k8s_nopos());
    k8s_set_str(k, p, "name", meta, "name");
    k8s_set_str(k, p, "namespace", meta, "namespace");
    node_set(k->a, p, "document", k->doc);
    node_push(k->a, project_list(k->ctx, "policies"), p);
    const yv *spec = k8s_map(k, obj, "spec");
    if (!spec)
        return;
    const yv *sel = k8s_map(k, spec, "podSelector");
    if (sel) {
        node *s = node_set_map(k->a, p, "pod_selector", k8s_pos(k, k8s_key(spec, "podSelector")));
        node *ml = k8s_string_map(k, sel, "matchLabels");
        if (s && ml)
            node_set(k->a, s, "match_labels", ml);
        const yv *me = k8s_seq(k, sel, "matchExpressions");
        node *l = me && s ? node_set_list(k->a, s, "match_expressions", k8s_pos(k, me)) : NULL;
        for (size_t i = 0; l && i < me->u.seq.n; i++) {
            const yv *e = me->u.seq.v[i];
            if (e->kind != YV_MAP) {
                k8s_diag(k, e, "matchExpressions: expected a mapping, not %s", describe(k, e));
                continue;
            }
            node *x = node_map(k->a, k8s_pos(k, e));
            if (!x)
                return;
            k8s_set_str(k, x, "key", e, "key");
            k8s_set_str(k, x, "operator", e, "operator");
            const yv *vals = k8s_seq(k, e, "values");
            node *vl = vals ? node_set_list(k->a, x, "values", k8s_pos(k, vals)) : NULL;
            for (size_t j = 0; vl && j < vals->u.seq.n; j++) {
                const yv *s1 = vals->u.seq.v[j];
                if (s1->kind == YV_SCALAR)
                    node_push(k->a, vl,
                              node_str(k->a, s1->u.str.s, s1->u.str.len, k8s_pos(k, s1)));
            }
            node_push(k->a, l, x);
        }
    } else if (k8s_key(spec, "podSelector") == NULL) {
        k8s_diag(k, spec, "NetworkPolicy %s has no spec.podSelector (write {} to select every "
                          "pod of the namespace)", node_get_str(p, "name") ? node_get_str(p, "name")
                                                                           : "(unnamed)");
    }
    const yv *types = k8s_seq(k, spec, "policyTypes");
    node *tl = types ? node_set_list(k->a, p, "policy_types", k8s_pos(k, types)) : NULL;
    for (size_t i = 0; tl && i < types->u.seq.n; i++) {
        const yv *t = types->u.seq.v[i];
        if (t->kind == YV_SCALAR)
            node_push(k->a, tl, node_str(k->a, t->u.str.s, t->u.str.len, k8s_pos(k, t)));
    }
    /* the number of rules: 0 (`ingress: []`) denies everything, absent says nothing */
    static const char *const dirs[] = {"ingress", "egress"};
    for (int d = 0; d < 2; d++) {
        const yv *key = k8s_key(spec, dirs[d]);
        const yv *r = yv_get(spec, dirs[d]);
        if (!key)
            continue;
        if (yv_is_null(r))
            node_set_int(k->a, p, dirs[d], 0, k8s_pos(k, key));
        else if ((r = k8s_seq(k, spec, dirs[d])) != NULL)
            node_set_int(k->a, p, dirs[d], (long long)r->u.seq.n, k8s_pos(k, key));
    }
}

static void object(k8s_p *k, const yv *obj, const char *item_kind, unsigned int depth)
{
    if (yv_is_null(obj))
        return;
    if (obj->kind != YV_MAP) {
        k8s_diag(k, obj, "a Kubernetes object must be a mapping, not %s; skipped",
                 describe(k, obj));
        return;
    }
    const yv *kind_v = yv_get(obj, "kind");
    const char *kind = item_kind;
    if (kind_v && !yv_is_null(kind_v)) {
        if (kind_v->kind != YV_SCALAR || kind_v->u.str.len == 0 ||
            memchr(kind_v->u.str.s, '\0', kind_v->u.str.len)) {
            k8s_diag(k, kind_v, "kind must be a name, not %s; object skipped",
                     describe(k, kind_v));
            return;
        }
        kind = kind_v->u.str.s;
    } else
        kind_v = NULL;
    if (!kind) {
        k8s_diag(k, obj, "no kind: not a Kubernetes object; skipped");
        return;
    }
    const yv *api = yv_get(obj, "apiVersion");
    const yv *meta = k8s_map(k, obj, "metadata");

    if (strcmp(kind, "List") == 0 || (ends_with(kind, "List") && yv_get(obj, "items"))) {
        if (depth >= MAX_LIST_DEPTH) {
            k8s_diag(k, obj, "Lists nested more than %d deep; skipped", MAX_LIST_DEPTH);
            return;
        }
        const yv *items = k8s_seq(k, obj, "items");
        char *inner = NULL;
        if (strcmp(kind, "List") != 0)
            inner = arena_strndup(k->a, kind, strlen(kind) - 4);
        for (size_t i = 0; items && i < items->u.seq.n; i++)
            object(k, items->u.seq.v[i], inner, depth + 1);
        return;
    }
    if (strcmp(kind, "NetworkPolicy") == 0) {
        network_policy(k, obj, kind_v, meta);
        return;
    }
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (strcmp(kind, workloads[i].kind) == 0) {
            workload(k, obj, kind_v, workloads[i].kind, workloads[i].shape, meta);
            return;
        }
    if (unknown_in_group(api, kind))
        k8s_diag(k, kind_v, "kind %s does not exist in %s: kubectl refuses it; not checked",
                 k8s_clip(k, kind, strlen(kind)), k8s_clip(k, api->u.str.s, api->u.str.len));
}

int k8s_parse(parse_ctx *ctx, const char *data, size_t len)
{
    k8s_p k;
    memset(&k, 0, sizeof k);
    k.ctx = ctx;
    k.a = ctx->a;
    k.doc = project_document(ctx, "k8s");
    k.containers = project_list(ctx, "containers");
    if (!k.doc || !k.containers)
        return -1;
    /* the YAML tree lives in an arena of its own, freed once the model is built: it was 60% of
       what a Kubernetes file left in the scan's arena, which holds every model until the
       project rules ran (the model copies every string and key it keeps) */
    arena tree;
    arena_init(&tree);
    parse_ctx sub = *ctx;
    sub.a = &tree;
    yaml_doc *docs = NULL;
    int n = yaml_load(&sub, data, len, NULL, &docs);
    /* documents before a syntax error are still good: keep them, the loader said what broke */
    for (size_t i = 0; docs && docs[i].root; i++)
        object(&k, docs[i].root, NULL, 0);
    if (tree.failed)
        ctx->a->failed = 1;
    arena_free(&tree);
    return n < 0 ? -1 : 0;
}
