/*
 * k8s_pod.c - one Kubernetes pod spec into the workload map and its containers (called by k8s.c
 * for every object that runs pods). Pod-level settings that a container may override
 * (securityContext runAsUser/runAsGroup/runAsNonRoot, seccompProfile, appArmorProfile) are
 * resolved here, field by field, so rules see what the container really gets.
 *
 * The part of the PodSpec that is read (Kubernetes core/v1 API):
 *   spec := {hostNetwork, hostPID, hostIPC, hostUsers, serviceAccountName | serviceAccount,
 *            automountServiceAccountToken, securityContext: podsc, volumes: [volume],
 *            containers: [container] (required, non-empty), initContainers, ephemeralContainers}
 *   podsc := {runAsUser, runAsGroup, runAsNonRoot, fsGroup, seccompProfile: prof,
 *             appArmorProfile: prof}                    prof := {type, localhostProfile}
 *   volume := {name, <source>: {...}}                   hostPath: {path}, emptyDir: {medium}
 *   container := {name, image, securityContext: {runAsUser, runAsGroup, runAsNonRoot,
 *             privileged, allowPrivilegeEscalation, readOnlyRootFilesystem, capabilities:
 *             {add, drop}, seccompProfile, appArmorProfile}, resources: {limits, requests},
 *             volumeMounts: [{name, mountPath, readOnly}], env: [{name, value, valueFrom}],
 *             envFrom: [{secretRef | configMapRef: {name}}], livenessProbe, readinessProbe,
 *             startupProbe, ports: [{containerPort, hostPort, protocol}]}
 * and the legacy annotations of the pod: seccomp.security.alpha.kubernetes.io/pod,
 * container.seccomp.security.alpha.kubernetes.io/<name>,
 * container.apparmor.security.beta.kubernetes.io/<name>.
 */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "../util/imageref.h"
#include "../util/units.h"
#include "k8s_int.h"

typedef struct pod {
    k8s_p *k;
    node *w;            /* the workload */
    const char *label;  /* "<Kind> <name>" */
    const yv *ann;      /* the pod's annotations, or NULL */
    node *sc;           /* workload.security_context, or NULL */
    node *volumes;      /* workload.volumes, or NULL */
} pod;

#define A (p->k->a)

/* {type, localhost_profile} of a seccompProfile/appArmorProfile, at the key's position. */
static node *read_profile(k8s_p *k, const yv *sc, const char *key)
{
    const yv *m = k8s_map(k, sc, key);
    if (!m)
        return NULL;
    node *n = node_map(k->a, k8s_pos(k, k8s_key(sc, key)));
    if (!n)
        return NULL;
    k8s_set_str(k, n, "type", m, "type");
    k8s_set_str(k, n, "localhost_profile", m, "localhostProfile");
    return n;
}

/* A container's view of a profile: {type, profile, source}, sharing the written value nodes. */
static node *profile_view(pod *p, const node *src, const char *source)
{
    node *n = node_map(A, src->pos);
    if (!n)
        return NULL;
    node *t = node_get(src, "type");
    node *lp = node_get(src, "localhost_profile");
    if (t)
        node_set(A, n, "type", t);
    if (lp)
        node_set(A, n, "profile", lp);
    node_set_str(A, n, "source", source, k8s_nopos());
    return n;
}

/* A legacy annotation value ("runtime/default", "localhost/<file>", "unconfined") as a profile. */
static node *profile_annotation(pod *p, const char *name, const char *source)
{
    const yv *v = yv_get(p->ann, name);
    if (!v || v->kind != YV_SCALAR)
        return NULL;
    cpos at = k8s_pos(p->k, v);
    node *n = node_map(A, at);
    if (!n)
        return NULL;
    const char *s = v->u.str.s;
    if (strcmp(s, "runtime/default") == 0 || strcmp(s, "docker/default") == 0)
        node_set_str(A, n, "type", "RuntimeDefault", at);
    else if (strcmp(s, "unconfined") == 0)
        node_set_str(A, n, "type", "Unconfined", at);
    else if (strncmp(s, "localhost/", 10) == 0) {
        node_set_str(A, n, "type", "Localhost", at);
        node_set_str(A, n, "profile", s + 10, at);
    } else
        node_set_strn(A, n, "type", s, v->u.str.len, at);
    node_set_str(A, n, "source", source, k8s_nopos());
    return n;
}

/* ---- the pod ---- */

static void pod_security_context(pod *p, const yv *spec)
{
    k8s_p *k = p->k;
    const yv *sc = k8s_map(k, spec, "securityContext");
    if (!sc)
        return;
    p->sc = node_set_map(A, p->w, "security_context", k8s_pos(k, k8s_key(spec, "securityContext")));
    if (!p->sc)
        return;
    k8s_set_int(k, p->sc, "run_as_user", sc, "runAsUser");
    k8s_set_int(k, p->sc, "run_as_group", sc, "runAsGroup");
    k8s_set_bool(k, p->sc, "run_as_non_root", sc, "runAsNonRoot");
    k8s_set_int(k, p->sc, "fs_group", sc, "fsGroup");
    node *sp = read_profile(k, sc, "seccompProfile");
    if (sp)
        node_set(A, p->sc, "seccomp", sp);
    node *ap = read_profile(k, sc, "appArmorProfile");
    if (ap)
        node_set(A, p->sc, "apparmor", ap);
}

static void pod_volumes(pod *p, const yv *spec)
{
    k8s_p *k = p->k;
    const yv *vols = k8s_seq(k, spec, "volumes");
    if (!vols)
        return;
    p->volumes = node_set_list(A, p->w, "volumes", k8s_pos(k, vols));
    for (size_t i = 0; p->volumes && i < vols->u.seq.n; i++) {
        const yv *v = vols->u.seq.v[i];
        if (v->kind != YV_MAP) {
            k8s_diag(k, v, "volumes: expected a mapping, not a %s; ignored",
                     v->kind == YV_SEQ ? "list" : "single value");
            continue;
        }
        node *n = node_map(A, k8s_pos(k, v));
        if (!n)
            return;
        k8s_set_str(k, n, "name", v, "name");
        /* the source is the one other key: hostPath, emptyDir, secret, configMap, ... */
        for (size_t j = 0; j < v->u.map.n; j++) {
            const yv *key = v->u.map.v[j].key, *val = v->u.map.v[j].val;
            if (yv_is(key, "name"))
                continue;
            node_set_strn(A, n, "type", key->u.str.s, key->u.str.len, k8s_pos(k, key));
            if (yv_is(key, "hostPath") && val->kind == YV_MAP)
                k8s_set_str(k, n, "path", val, "path");
            else if (yv_is(key, "emptyDir") && val->kind == YV_MAP)
                k8s_set_str(k, n, "medium", val, "medium");
            break;
        }
        node_push(A, p->volumes, n);
    }
}

/* StatefulSet spec.volumeClaimTemplates: each becomes a volume of type "persistentVolumeClaim"
   (what the controller creates for every replica), so volumeMounts join them. */
static void claim_templates(pod *p, const yv *spec)
{
    k8s_p *k = p->k;
    const yv *l = spec && spec->kind == YV_MAP ? k8s_seq(k, spec, "volumeClaimTemplates") : NULL;
    if (!l)
        return;
    if (!p->volumes)
        p->volumes = node_set_list(k->a, p->w, "volumes", k8s_pos(k, l));
    for (size_t i = 0; p->volumes && i < l->u.seq.n; i++) {
        const yv *t = l->u.seq.v[i];
        if (t->kind != YV_MAP)
            continue;
        node *n = node_map(k->a, k8s_pos(k, t));
        if (!n)
            return;
        k8s_set_str(k, n, "name", k8s_map(k, t, "metadata"), "name");
        node_set_str(k->a, n, "type", "persistentVolumeClaim", k8s_nopos());
        node_push(k->a, p->volumes, n);
    }
}

/* ---- one container ---- */

static void capabilities(pod *p, node *c, const yv *sc)
{
    k8s_p *k = p->k;
    const yv *caps = k8s_map(k, sc, "capabilities");
    if (!caps)
        return;
    node *m = node_set_map(A, c, "capabilities", k8s_pos(k, k8s_key(sc, "capabilities")));
    static const char *const sets[] = {"add", "drop"};
    for (int s = 0; m && s < 2; s++) {
        const yv *l = k8s_seq(k, caps, sets[s]);
        node *out = l ? node_set_list(A, m, sets[s], k8s_pos(k, l)) : NULL;
        for (size_t i = 0; out && i < l->u.seq.n; i++) {
            const yv *v = l->u.seq.v[i];
            if (v->kind != YV_SCALAR) {
                k8s_diag(k, v, "capabilities.%s: a capability is a name, not a %s; ignored",
                         sets[s], v->kind == YV_SEQ ? "list" : "mapping");
                continue;
            }
            const char *s0 = v->u.str.s;
            size_t n = strlen(s0);
            if (n > 4 && strncasecmp(s0, "CAP_", 4) == 0)
                s0 += 4, n -= 4;
            char *up = arena_strndup(A, s0, n);
            if (!up)
                return;
            for (size_t j = 0; j < n; j++)
                up[j] = (char)toupper((unsigned char)up[j]);
            node_push(A, out, node_str(A, up, n, k8s_pos(k, v)));
        }
    }
}

/* A Kubernetes quantity: memory and storage in bytes (rounded up, as the API does), CPU in
   cores. A bad quantity is refused by the API server: diagnostic, field unset. */
static void quantity(pod *p, node *r, const char *outkey, const yv *m, const char *key, int cpu)
{
    k8s_p *k = p->k;
    const yv *v = k8s_scalar(k, m, key);
    double d;
    if (!v)
        return;
    int bad = memchr(v->u.str.s, '\0', v->u.str.len) != NULL;
    if (!bad)
        bad = cpu ? units_parse_cpu(v->u.str.s, &d) : units_parse_bytes(v->u.str.s, UNITS_K8S, &d);
    if (bad) {
        k8s_diag(k, v, "%s: '%s' is not a Kubernetes quantity; ignored", key,
                 k8s_clip(k, v->u.str.s, v->u.str.len));
        return;
    }
    if (cpu || d >= 9.2e18)
        node_set(A, r, outkey, node_num(A, d, k8s_pos(k, v)));
    else
        node_set_int(A, r, outkey, (long long)ceil(d), k8s_pos(k, v));
}

static void resources(pod *p, node *c, const yv *ct)
{
    k8s_p *k = p->k;
    const yv *res = k8s_map(k, ct, "resources");
    if (!res)
        return;
    node *r = node_set_map(A, c, "resources", k8s_pos(k, k8s_key(ct, "resources")));
    if (!r)
        return;
    const yv *lim = k8s_map(k, res, "limits"), *req = k8s_map(k, res, "requests");
    quantity(p, r, "memory_limit", lim, "memory", 0);
    quantity(p, r, "cpu_limit", lim, "cpu", 1);
    quantity(p, r, "ephemeral_storage_limit", lim, "ephemeral-storage", 0);
    quantity(p, r, "memory_request", req, "memory", 0);
    quantity(p, r, "cpu_request", req, "cpu", 1);
}

static node *find_volume(pod *p, const char *name)
{
    for (size_t i = 0; p->volumes && i < p->volumes->u.list.n; i++) {
        const char *n = node_get_str(p->volumes->u.list.v[i], "name");
        if (n && strcmp(n, name) == 0)
            return p->volumes->u.list.v[i];
    }
    return NULL;
}

static void mounts(pod *p, node *c, const yv *ct)
{
    k8s_p *k = p->k;
    const yv *vm = k8s_seq(k, ct, "volumeMounts");
    node *l = vm ? node_set_list(A, c, "mounts", k8s_pos(k, vm)) : NULL;
    for (size_t i = 0; l && i < vm->u.seq.n; i++) {
        const yv *m = vm->u.seq.v[i];
        if (m->kind != YV_MAP) {
            k8s_diag(k, m, "volumeMounts: expected a mapping; ignored");
            continue;
        }
        node *n = node_map(A, k8s_pos(k, m));
        if (!n)
            return;
        k8s_set_str(k, n, "name", m, "name");
        k8s_set_str(k, n, "target", m, "mountPath");
        k8s_set_bool(k, n, "read_only", m, "readOnly");
        const char *name = node_get_str(n, "name");
        node *vol = name ? find_volume(p, name) : NULL;
        /* a mount of a volume the pod lacks stays, without a type: Kubernetes would refuse
           it, but nothing written is lost */
        if (vol) {
            node *t = node_get(vol, "type"), *src = node_get(vol, "path");
            if (t)
                node_set(A, n, "type", t);
            if (src)
                node_set(A, n, "source", src);
        }
        node_push(A, l, n);
    }
}

static void env(pod *p, node *c, const yv *ct)
{
    k8s_p *k = p->k;
    const yv *e = k8s_seq(k, ct, "env");
    node *l = e ? node_set_list(A, c, "env", k8s_pos(k, e)) : NULL;
    for (size_t i = 0; l && i < e->u.seq.n; i++) {
        const yv *v = e->u.seq.v[i];
        if (v->kind != YV_MAP) {
            k8s_diag(k, v, "env: expected a mapping with name and value; ignored");
            continue;
        }
        node *n = node_map(A, k8s_pos(k, v));
        if (!n)
            return;
        k8s_set_str(k, n, "name", v, "name");
        k8s_set_str(k, n, "value", v, "value");
        const yv *from = k8s_map(k, v, "valueFrom");
        if (from && from->u.map.n) {
            const yv *key = from->u.map.v[0].key;
            node_set_strn(A, n, "from", key->u.str.s, key->u.str.len, k8s_pos(k, key));
            if (yv_is(key, "secretKeyRef"))
                node_set_bool(A, n, "from_secret", 1, k8s_pos(k, key));
        }
        node_push(A, l, n);
    }
    const yv *ef = k8s_seq(k, ct, "envFrom");
    l = ef ? node_set_list(A, c, "env_from", k8s_pos(k, ef)) : NULL;
    for (size_t i = 0; l && i < ef->u.seq.n; i++) {
        const yv *v = ef->u.seq.v[i];
        if (v->kind != YV_MAP) {
            k8s_diag(k, v, "envFrom: expected a mapping with secretRef or configMapRef; ignored");
            continue;
        }
        node *n = node_map(A, k8s_pos(k, v));
        if (!n)
            return;
        static const char *const refs[] = {"secretRef", "configMapRef"};
        for (int r = 0; r < 2; r++) {
            const yv *ref = k8s_map(k, v, refs[r]);
            if (!ref)
                continue;
            node_set_str(A, n, "type", refs[r], k8s_pos(k, k8s_key(v, refs[r])));
            k8s_set_str(k, n, "name", ref, "name");
        }
        node_push(A, l, n);
    }
}

static void probes(pod *p, node *c, const yv *ct)
{
    k8s_p *k = p->k;
    static const char *const keys[] = {"livenessProbe", "readinessProbe", "startupProbe"};
    static const char *const names[] = {"liveness", "readiness", "startup"};
    static const char *const handlers[] = {"httpGet", "tcpSocket", "exec", "grpc", NULL};
    node *pr = NULL;
    for (int i = 0; i < 3; i++) {
        const yv *v = k8s_map(k, ct, keys[i]);
        if (!v)
            continue;
        if (!pr)
            pr = node_set_map(A, c, "probes", k8s_nopos());
        node *n = pr ? node_set_map(A, pr, names[i], k8s_pos(k, k8s_key(ct, keys[i]))) : NULL;
        if (!n)
            return;
        for (int h = 0; handlers[h]; h++) {
            const yv *key = k8s_key(v, handlers[h]);
            if (key) {
                node_set_str(A, n, "type", handlers[h], k8s_pos(k, key));
                break;
            }
        }
    }
}

static void ports(pod *p, node *c, const yv *ct)
{
    k8s_p *k = p->k;
    const yv *ps = k8s_seq(k, ct, "ports");
    node *l = ps ? node_set_list(A, c, "ports", k8s_pos(k, ps)) : NULL;
    for (size_t i = 0; l && i < ps->u.seq.n; i++) {
        const yv *v = ps->u.seq.v[i];
        if (v->kind != YV_MAP) {
            k8s_diag(k, v, "ports: expected a mapping with containerPort; ignored");
            continue;
        }
        node *n = node_map(A, k8s_pos(k, v));
        if (!n)
            return;
        k8s_set_int(k, n, "container_port", v, "containerPort");
        k8s_set_int(k, n, "host_port", v, "hostPort");
        k8s_set_str(k, n, "protocol", v, "protocol");
        node_push(A, l, n);
    }
}

static void image(pod *p, node *c, const yv *ct, const char *object)
{
    k8s_p *k = p->k;
    const yv *v = k8s_scalar(k, ct, "image");
    /* no image is Kubernetes' error and a rule's business: the model just has none */
    (void)object;
    if (!v || v->u.str.len == 0)
        return;
    node *img = node_set_map(A, c, "image", k8s_pos(k, v));
    if (!img)
        return;
    node_set_strn(A, img, "ref", v->u.str.s, v->u.str.len, k8s_pos(k, v));
    image_ref r;
    /* an image the runtime cannot pull is its error, not ours: the parts are just missing */
    if (image_ref_parse(A, v->u.str.s, &r) == 0) {
        node_set_str(A, img, "registry", r.registry, k8s_nopos());
        node_set_str(A, img, "repository", r.repository, k8s_nopos());
        node_set_str(A, img, "name", r.name, k8s_nopos());
        if (r.tag)
            node_set_str(A, img, "tag", r.tag, k8s_nopos());
        if (r.digest)
            node_set_str(A, img, "digest", r.digest, k8s_nopos());
    }
}

/* user = {uid, gid, non_root, source}: each field from the container's securityContext when
   written there, else from the pod's, keeping the node (and position) where it was written. */
static void user(pod *p, node *c, const node *csc)
{
    static const char *const from[] = {"run_as_user", "run_as_group", "run_as_non_root"};
    static const char *const to[] = {"uid", "gid", "non_root"};
    node *vals[3];
    int any = 0, own = 0;
    for (int i = 0; i < 3; i++) {
        vals[i] = csc ? node_get(csc, from[i]) : NULL;
        if (vals[i])
            own = 1;
        else if (p->sc)
            vals[i] = node_get(p->sc, from[i]);
        any |= vals[i] != NULL;
    }
    if (!any)
        return;
    node *u = node_set_map(A, c, "user", own ? csc->pos : p->sc->pos);
    for (int i = 0; u && i < 3; i++)
        if (vals[i])
            node_set(A, u, to[i], vals[i]);
    if (u)
        node_set_str(A, u, "source", own ? "container" : "pod", k8s_nopos());
}

static void security(pod *p, node *c, const yv *ct, const char *name)
{
    k8s_p *k = p->k;
    const yv *sc = k8s_map(k, ct, "securityContext");
    node *csc = NULL;
    node *seccomp = NULL, *apparmor = NULL;
    if (sc) {
        /* read once into a scratch map; the fields then move into the container */
        csc = node_map(A, k8s_pos(k, k8s_key(ct, "securityContext")));
        if (!csc)
            return;
        k8s_set_int(k, csc, "run_as_user", sc, "runAsUser");
        k8s_set_int(k, csc, "run_as_group", sc, "runAsGroup");
        k8s_set_bool(k, csc, "run_as_non_root", sc, "runAsNonRoot");
        k8s_set_bool(k, c, "privileged", sc, "privileged");
        k8s_set_bool(k, c, "allow_privilege_escalation", sc, "allowPrivilegeEscalation");
        k8s_set_bool(k, c, "read_only_rootfs", sc, "readOnlyRootFilesystem");
        capabilities(p, c, sc);
        node *sp = read_profile(k, sc, "seccompProfile");
        if (sp)
            seccomp = profile_view(p, sp, "container");
        node *ap = read_profile(k, sc, "appArmorProfile");
        if (ap)
            apparmor = profile_view(p, ap, "container");
    }
    user(p, c, csc);
    /* precedence as the kubelet had it while the annotations were honoured: the container's
       field, the container's annotation, the pod's field, the pod's annotation */
    if (!seccomp && name)
        seccomp = profile_annotation(
            p, arena_printf(A, "container.seccomp.security.alpha.kubernetes.io/%s", name),
            "container");
    if (!seccomp && p->sc && node_get(p->sc, "seccomp"))
        seccomp = profile_view(p, node_get(p->sc, "seccomp"), "pod");
    if (!seccomp)
        seccomp = profile_annotation(p, "seccomp.security.alpha.kubernetes.io/pod", "pod");
    if (seccomp)
        node_set(A, c, "seccomp", seccomp);
    if (!apparmor && name)
        apparmor = profile_annotation(
            p, arena_printf(A, "container.apparmor.security.beta.kubernetes.io/%s", name),
            "container");
    if (!apparmor && p->sc && node_get(p->sc, "apparmor"))
        apparmor = profile_view(p, node_get(p->sc, "apparmor"), "pod");
    if (apparmor)
        node_set(A, c, "apparmor", apparmor);
}

static void container(pod *p, const yv *ct, const char *kind, const char *what, size_t index)
{
    k8s_p *k = p->k;
    node *c = node_map(A, k8s_pos(k, ct));
    if (!c)
        return;
    node_set_str(A, c, "kind", kind, k8s_nopos());
    k8s_set_str(k, c, "name", ct, "name");
    const char *name = node_get_str(c, "name");
    const char *object = name ? arena_printf(A, "%s / %s %s", p->label, what, name)
                              : arena_printf(A, "%s / %s #%zu", p->label, what, index + 1);
    if (!object)
        return;
    node_set_str(A, c, "object", object, k8s_nopos());
    node_set(A, c, "document", k->doc);
    node_set(A, c, "workload", p->w);
    image(p, c, ct, object);
    security(p, c, ct, name);
    resources(p, c, ct);
    mounts(p, c, ct);
    env(p, c, ct);
    probes(p, c, ct);
    ports(p, c, ct);
    node_set(A, c, "host", node_get(p->w, "host"));
    node_set(A, c, "pod", p->w);
    node_push(A, k->containers, c);
}

static void containers(pod *p, const yv *spec, const char *key, const char *kind,
                       const char *what)
{
    k8s_p *k = p->k;
    /* no containers at all is left to rules too (linter fixtures do it on purpose) */
    const yv *l = k8s_seq(k, spec, key);
    for (size_t i = 0; l && i < l->u.seq.n; i++) {
        const yv *ct = l->u.seq.v[i];
        if (ct->kind != YV_MAP) {
            k8s_diag(k, ct, "%s: a %s must be a mapping, not a %s; skipped", p->label, what,
                     ct->kind == YV_SEQ ? "list" : "single value");
            continue;
        }
        container(p, ct, kind, what, i);
    }
}

void k8s_pod(k8s_p *k, node *workload, const char *label, const yv *obj, const yv *meta,
             const yv *spec)
{
    pod pp, *p = &pp;
    memset(p, 0, sizeof *p);
    p->k = k;
    p->w = workload;
    p->label = label;
    /* a Pod's labels are the workload's own labels, already read */
    const yv *own_meta = yv_get(obj, "metadata");
    node *pl = meta == own_meta ? node_get(workload, "labels") : k8s_string_map(k, meta, "labels");
    if (pl)
        node_set(A, workload, "pod_labels", pl);
    const yv *ann = yv_get(meta, "annotations");
    p->ann = ann && ann->kind == YV_MAP ? ann : NULL;
    node *host = node_set_map(A, workload, "host", k8s_pos(k, spec));
    if (!host)
        return;
    k8s_set_bool(k, host, "network", spec, "hostNetwork");
    k8s_set_bool(k, host, "pid", spec, "hostPID");
    k8s_set_bool(k, host, "ipc", spec, "hostIPC");
    k8s_set_bool(k, host, "users", spec, "hostUsers");
    /* serviceAccount is the deprecated spelling; the API copies it over when the new one is
       absent */
    if (!k8s_set_str(k, workload, "service_account", spec, "serviceAccountName"))
        k8s_set_str(k, workload, "service_account", spec, "serviceAccount");
    k8s_set_bool(k, workload, "automount_service_account_token", spec,
                 "automountServiceAccountToken");
    pod_volumes(p, spec);
    if (strncmp(label, "StatefulSet ", 12) == 0)
        claim_templates(p, yv_get(obj, "spec"));
    pod_security_context(p, spec);
    containers(p, spec, "containers", "k8s-container", "container");
    containers(p, spec, "initContainers", "k8s-init-container", "init container");
    containers(p, spec, "ephemeralContainers", "k8s-ephemeral-container", "ephemeral container");
}
