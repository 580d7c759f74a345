/*
 * dockerrun.c - `docker run` command lines in shell text into the model: one container of kind
 * "docker-run" per `docker|podman [container] run|create` command. Shell scripts come in through
 * dockerrun_parse(); CI workflows call dockerrun_scan() on the text of their run steps.
 *
 * Grammar (after shellwords.c has split the text):
 *   simple-command := { prefix } name { word | redirection word }   ended by an operator
 *   prefix         := NAME=value | sudo [opts] | env [opts] | exec | time [-p] | nohup | command
 *                     | if | then | else | elif | while | until | do | "!" | "{"
 *   container-cmd  := ("docker" | "podman") { global-opt } ["container"] ("run" | "create")
 *                     { run-opt } ["--"] image { arg }
 *   run-opt        := "--" name ["=" value] | "--" name value | "-" cluster [value]
 * The flag table below says which options take a value (pflag rules: a boolean never takes the
 * next word; in a cluster like -itd or -dp 80:80 the first value flag takes the rest of the
 * cluster or, when nothing follows, the next word). The image is the first word that is not an
 * option; everything after it is the container's command. Quoted words never start a command,
 * so `echo "docker run x"` is not a command; $(...) and `...` bodies are scanned again.
 */
#include "dockerrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/imageref.h"
#include "../util/units.h"
#include "shellwords.h"

#define NOPOS cpos_make(NULL, 0, 0)
#define MAX_SUBST_DEPTH 8

typedef struct S {
    parse_ctx *ctx;
    arena *a;
    const char *text;
    size_t len;
    size_t *ls; /* offsets where lines start */
    size_t nls;
    const dockerrun_linemap *map;
    node *doc;
    int count;
    int oom;
    /* cache for pos_at: the last offset resolved and its text line/column */
    size_t c_off, c_line;
    unsigned int c_col;
} S;

/* ---- positions ---- */

static cpos pos_at(S *s, size_t off)
{
    if (off > s->len)
        off = s->len;
    size_t lo = 0, hi = s->nls;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->ls[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    size_t from = s->ls[lo];
    unsigned int col = 1;
    if (s->c_line == lo && s->c_off <= off && s->c_off >= from) {
        from = s->c_off;
        col = s->c_col;
    }
    for (size_t i = from; i < off; i++)
        if (((unsigned char)s->text[i] & 0xC0) != 0x80)
            col++;
    s->c_off = off;
    s->c_line = lo;
    s->c_col = col;
    unsigned int line = (unsigned int)lo + 1;
    const dockerrun_linemap *m = s->map;
    if (m && m->n && m->line && m->col) {
        size_t k = lo;
        if (k < m->n) {
            line = m->line[k];
            col = m->col[k] + col - 1;
        } else {
            line = m->line[m->n - 1] + (unsigned int)(k - (m->n - 1));
            col = m->col[m->n - 1] + col - 1;
        }
    }
    return cpos_make(s->ctx->file, line, col);
}

/* A part of a word: t->s[o .. o+n). */
typedef struct slice {
    const sh_tok *t;
    size_t o, n;
} slice;

static cpos sl_pos(S *s, slice v)
{
    if (!v.t)
        return NOPOS;
    size_t off = v.o < v.t->len ? v.t->src[v.o] : (v.t->len ? v.t->src[v.t->len] : v.t->off);
    return pos_at(s, off);
}

static const char *sl_s(slice v) { return v.t->s + v.o; }

static node *sl_str(S *s, slice v) { return node_str(s->a, sl_s(v), v.n, sl_pos(s, v)); }

static slice sub(slice v, size_t o, size_t n)
{
    slice r = {v.t, v.o + o, n};
    return r;
}

static char *sl_dup(S *s, slice v) { return arena_strndup(s->a, sl_s(v), v.n); }

static int sl_is(slice v, const char *w) { return v.n == strlen(w) && !memcmp(sl_s(v), w, v.n); }

static void bad(S *s, cpos at, const char *msg, slice v)
{
    diag_add(s->ctx->diags, s->ctx->file, at.line, at.col, "%s%s%.*s%s", msg, v.t ? " \"" : "",
             v.t ? (int)(v.n < 80 ? v.n : 80) : 0, v.t ? sl_s(v) : "", v.t ? "\"" : "");
}

/* The slice holds an expansion: $ or ` outside single quotes (the word's subst flag). */
static int has_dollar(slice v)
{
    return v.t->subst && (memchr(sl_s(v), '$', v.n) != NULL || memchr(sl_s(v), '`', v.n));
}

static int all_digits(const char *p, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* ---- the option table ---- */

enum { F_BOOL = 1, F_VALUE = 2 };

typedef struct flag {
    const char *name;
    char kind;
} flag;

/* docker run/create and podman run/create options (docker CLI reference, podman-run(1)) */
static const flag flags[] = {
    {"add-host", F_VALUE}, {"annotation", F_VALUE}, {"arch", F_VALUE}, {"attach", F_VALUE},
    {"authfile", F_VALUE}, {"blkio-weight", F_VALUE}, {"blkio-weight-device", F_VALUE},
    {"cap-add", F_VALUE}, {"cap-drop", F_VALUE}, {"cgroup-conf", F_VALUE},
    {"cgroup-parent", F_VALUE}, {"cgroupns", F_VALUE}, {"cgroups", F_VALUE},
    {"chrootdirs", F_VALUE}, {"cidfile", F_VALUE}, {"conmon-pidfile", F_VALUE},
    {"cpu-count", F_VALUE}, {"cpu-percent", F_VALUE}, {"cpu-period", F_VALUE},
    {"cpu-quota", F_VALUE}, {"cpu-rt-period", F_VALUE}, {"cpu-rt-runtime", F_VALUE},
    {"cpu-shares", F_VALUE}, {"cpus", F_VALUE}, {"cpuset-cpus", F_VALUE},
    {"cpuset-mems", F_VALUE}, {"creds", F_VALUE}, {"decryption-key", F_VALUE},
    {"detach", F_BOOL}, {"detach-keys", F_VALUE}, {"device", F_VALUE},
    {"device-cgroup-rule", F_VALUE}, {"device-read-bps", F_VALUE},
    {"device-read-iops", F_VALUE}, {"device-write-bps", F_VALUE},
    {"device-write-iops", F_VALUE}, {"disable-content-trust", F_BOOL}, {"dns", F_VALUE},
    {"dns-opt", F_VALUE}, {"dns-option", F_VALUE}, {"dns-search", F_VALUE},
    {"domainname", F_VALUE}, {"entrypoint", F_VALUE}, {"env", F_VALUE},
    {"env-file", F_VALUE}, {"env-host", F_BOOL}, {"env-merge", F_VALUE}, {"expose", F_VALUE},
    {"gidmap", F_VALUE}, {"gpus", F_VALUE}, {"group-add", F_VALUE}, {"group-entry", F_VALUE},
    {"health-cmd", F_VALUE}, {"health-interval", F_VALUE}, {"health-log-destination", F_VALUE},
    {"health-max-log-count", F_VALUE}, {"health-max-log-size", F_VALUE},
    {"health-on-failure", F_VALUE}, {"health-retries", F_VALUE},
    {"health-start-interval", F_VALUE}, {"health-start-period", F_VALUE},
    {"health-startup-cmd", F_VALUE}, {"health-startup-interval", F_VALUE},
    {"health-startup-retries", F_VALUE}, {"health-startup-success", F_VALUE},
    {"health-startup-timeout", F_VALUE}, {"health-timeout", F_VALUE}, {"help", F_BOOL},
    {"hostname", F_VALUE}, {"hosts-file", F_VALUE}, {"hostuser", F_VALUE},
    {"http-proxy", F_BOOL}, {"image-volume", F_VALUE}, {"init", F_BOOL},
    {"init-path", F_VALUE}, {"interactive", F_BOOL}, {"io-maxbandwidth", F_VALUE},
    {"io-maxiops", F_VALUE}, {"ip", F_VALUE}, {"ip6", F_VALUE}, {"ipc", F_VALUE},
    {"isolation", F_VALUE}, {"kernel-memory", F_VALUE}, {"label", F_VALUE},
    {"label-file", F_VALUE}, {"link", F_VALUE}, {"link-local-ip", F_VALUE},
    {"log-driver", F_VALUE}, {"log-opt", F_VALUE}, {"mac-address", F_VALUE},
    {"memory", F_VALUE}, {"memory-reservation", F_VALUE}, {"memory-swap", F_VALUE},
    {"memory-swappiness", F_VALUE}, {"mount", F_VALUE}, {"name", F_VALUE},
    {"network", F_VALUE}, {"network-alias", F_VALUE}, {"no-healthcheck", F_BOOL},
    {"no-hosts", F_BOOL}, {"oom-kill-disable", F_BOOL}, {"oom-score-adj", F_VALUE},
    {"os", F_VALUE}, {"passwd", F_BOOL}, {"passwd-entry", F_VALUE}, {"personality", F_VALUE},
    {"pid", F_VALUE}, {"pidfile", F_VALUE}, {"pids-limit", F_VALUE}, {"platform", F_VALUE},
    {"pod", F_VALUE}, {"pod-id-file", F_VALUE}, {"preserve-fd", F_VALUE},
    {"preserve-fds", F_VALUE}, {"privileged", F_BOOL}, {"publish", F_VALUE},
    {"publish-all", F_BOOL}, {"pull", F_VALUE}, {"quiet", F_BOOL}, {"rdt-class", F_VALUE},
    {"read-only", F_BOOL}, {"read-only-tmpfs", F_BOOL}, {"replace", F_BOOL},
    {"requires", F_VALUE}, {"restart", F_VALUE}, {"retry", F_VALUE}, {"retry-delay", F_VALUE},
    {"rm", F_BOOL}, {"rmi", F_BOOL}, {"rootfs", F_BOOL}, {"runtime", F_VALUE},
    {"sdnotify", F_VALUE}, {"seccomp-policy", F_VALUE}, {"secret", F_VALUE},
    {"security-opt", F_VALUE}, {"shm-size", F_VALUE}, {"shm-size-systemd", F_VALUE},
    {"sig-proxy", F_BOOL}, {"stop-signal", F_VALUE}, {"stop-timeout", F_VALUE},
    {"storage-opt", F_VALUE}, {"subgidname", F_VALUE}, {"subuidname", F_VALUE},
    {"sysctl", F_VALUE}, {"systemd", F_VALUE}, {"timeout", F_VALUE}, {"tls-verify", F_BOOL},
    {"tmpfs", F_VALUE}, {"tty", F_BOOL}, {"tz", F_VALUE}, {"uidmap", F_VALUE},
    {"ulimit", F_VALUE}, {"umask", F_VALUE}, {"unsetenv", F_VALUE}, {"unsetenv-all", F_BOOL},
    {"use-api-socket", F_BOOL}, {"user", F_VALUE}, {"userns", F_VALUE}, {"uts", F_VALUE},
    {"variant", F_VALUE}, {"volume", F_VALUE}, {"volume-driver", F_VALUE},
    {"volumes-from", F_VALUE}, {"workdir", F_VALUE},
};

static const char *const aliases[][2] = {
    {"net", "network"}, {"net-alias", "network-alias"}, {"dns-opt", "dns-option"},
};

static const char shorts[] = "acdehilmpPqtuvw";
static const char *const short_names[] = {"attach", "cpu-shares", "detach", "env", "hostname",
                                          "interactive", "label", "memory", "publish",
                                          "publish-all", "quiet", "tty", "user", "volume",
                                          "workdir"};

static const flag *find_flag(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strlen(aliases[i][0]) == n && !memcmp(aliases[i][0], name, n)) {
            name = aliases[i][1];
            n = strlen(name);
        }
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strlen(flags[i].name) == n && !memcmp(flags[i].name, name, n))
            return &flags[i];
    return NULL;
}

/* ---- one command ---- */

typedef struct cmd {
    S *s;
    node *c;
    const sh_tok *docker;
    long long cpu_quota, cpu_period;
    cpos quota_pos;
    int have_quota;
} cmd;

static node *child_map(cmd *m, const char *key, cpos at)
{
    node *n = node_get(m->c, key);
    return n ? n : node_set_map(m->s->a, m->c, key, at);
}

static node *child_list(cmd *m, node *parent, const char *key, cpos at)
{
    node *n = node_get(parent, key);
    return n ? n : node_set_list(m->s->a, parent, key, at);
}

/* "true"/"false" for --flag=value booleans; -1 when neither */
static int bool_word(slice v)
{
    if (sl_is(v, "true") || sl_is(v, "1"))
        return 1;
    if (sl_is(v, "false") || sl_is(v, "0"))
        return 0;
    return -1;
}

static void do_user(cmd *m, slice v)
{
    S *s = m->s;
    node *u = node_set_map(s->a, m->c, "user", sl_pos(s, v));
    const char *p = sl_s(v);
    const char *colon = memchr(p, ':', v.n);
    size_t ul = colon ? (size_t)(colon - p) : v.n;
    node_set(s->a, u, "name", sl_str(s, sub(v, 0, ul)));
    if (has_dollar(v)) {
        node_set_bool(s->a, u, "interpolated", 1, NOPOS);
    } else {
        if (all_digits(p, ul))
            node_set_int(s->a, u, "uid", strtoll(p, NULL, 10), sl_pos(s, v));
        else if (ul == 4 && !memcmp(p, "root", 4))
            node_set_int(s->a, u, "uid", 0, NOPOS);
        if (colon) {
            slice g = sub(v, ul + 1, v.n - ul - 1);
            node_set(s->a, u, "group", sl_str(s, g));
            if (all_digits(sl_s(g), g.n))
                node_set_int(s->a, u, "gid", strtoll(sl_s(g), NULL, 10), sl_pos(s, g));
            else if (sl_is(g, "root"))
                node_set_int(s->a, u, "gid", 0, NOPOS);
        }
    }
    node_set_bool(s->a, u, "explicit", 1, NOPOS);
    node_set_str(s->a, u, "source", "--user", NOPOS);
}

static void do_cap(cmd *m, const char *key, slice v)
{
    S *s = m->s;
    node *caps = child_map(m, "capabilities", sl_pos(s, v));
    node *l = child_list(m, caps, key, sl_pos(s, v));
    size_t off = v.n > 4 && strncasecmp(sl_s(v), "CAP_", 4) == 0 ? 4 : 0;
    char *up = arena_strndup(s->a, sl_s(v) + off, v.n - off);
    if (!up)
        return;
    for (size_t j = 0; up[j]; j++)
        if (up[j] >= 'a' && up[j] <= 'z')
            up[j] = (char)(up[j] - 'a' + 'A');
    node_push(s->a, l, node_str(s->a, up, v.n - off, sl_pos(s, sub(v, off, v.n - off))));
}

static void do_security_opt(cmd *m, slice v)
{
    S *s = m->s;
    node_push(s->a, child_list(m, m->c, "security_opt", sl_pos(s, v)), sl_str(s, v));
    const char *p = sl_s(v);
    size_t k = 0;
    while (k < v.n && p[k] != ':' && p[k] != '=')
        k++;
    slice key = sub(v, 0, k), val = sub(v, k < v.n ? k + 1 : v.n, k < v.n ? v.n - k - 1 : 0);
    if (sl_is(key, "no-new-privileges")) {
        int b = k < v.n ? bool_word(val) : 1;
        if (b < 0)
            bad(s, sl_pos(s, val), "--security-opt no-new-privileges takes true or false, not",
                val);
        else
            node_set_bool(s->a, m->c, "no_new_privileges", b, sl_pos(s, v));
    } else if (sl_is(key, "seccomp") || sl_is(key, "apparmor")) {
        node *n = node_set_map(s->a, m->c, key.n == 7 ? "seccomp" : "apparmor", sl_pos(s, v));
        node_set(s->a, n, "profile", sl_str(s, val));
    }
}

/* "a,b,c" into a list of slices, each positioned */
static void split_list(S *s, node *list, slice v, char sep)
{
    size_t i = 0;
    while (i <= v.n) {
        size_t j = i;
        while (j < v.n && sl_s(v)[j] != sep)
            j++;
        if (j > i)
            node_push(s->a, list, sl_str(s, sub(v, i, j - i)));
        i = j + 1;
    }
}

static void do_tmpfs(cmd *m, slice v)
{
    S *s = m->s;
    node *l = child_list(m, m->c, "tmpfs", sl_pos(s, v));
    const char *colon = memchr(sl_s(v), ':', v.n);
    size_t pl = colon ? (size_t)(colon - sl_s(v)) : v.n;
    node *t = node_map(s->a, sl_pos(s, v));
    node_set(s->a, t, "path", sl_str(s, sub(v, 0, pl)));
    node *opts = node_set_list(s->a, t, "options", colon ? sl_pos(s, sub(v, pl + 1, 0)) : NOPOS);
    if (colon)
        split_list(s, opts, sub(v, pl + 1, v.n - pl - 1), ',');
    node_push(s->a, l, t);
}

static int is_path(slice v)
{
    const char *p = sl_s(v);
    if (!v.n)
        return 0;
    if (p[0] == '/' || p[0] == '.' || p[0] == '~' || p[0] == '\\')
        return 1;
    if (v.n >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'))
        return 1;
    return p[0] == '$' && memchr(p, '/', v.n) != NULL;
}

/* -v [source:]target[:options] (Windows drive letters stay in their part) */
static void do_volume(cmd *m, slice v)
{
    S *s = m->s;
    const char *p = sl_s(v);
    size_t off[3], len[3], np = 0, i = 0;
    while (np < 3) {
        size_t j = i;
        if (np < 2) {
            while (j < v.n && p[j] != ':')
                j++;
            if (j == i + 1 && j + 1 < v.n && (p[j + 1] == '\\' || p[j + 1] == '/')) {
                j += 2;
                while (j < v.n && p[j] != ':')
                    j++;
            }
        } else {
            j = v.n;
        }
        off[np] = i;
        len[np++] = j - i;
        if (j >= v.n)
            break;
        i = j + 1;
    }
    node *mn = node_map(s->a, sl_pos(s, v));
    if (np == 1) {
        node_set_str(s->a, mn, "type", "volume", NOPOS);
        node_set(s->a, mn, "target", sl_str(s, sub(v, off[0], len[0])));
    } else {
        slice src = sub(v, off[0], len[0]);
        node_set_str(s->a, mn, "type", is_path(src) ? "bind" : "volume", NOPOS);
        node_set(s->a, mn, "source", sl_str(s, src));
        node_set(s->a, mn, "target", sl_str(s, sub(v, off[1], len[1])));
    }
    if (np == 3) {
        slice mode = sub(v, off[2], len[2]);
        node_set(s->a, mn, "mode", sl_str(s, mode));
        for (size_t k = 0; k <= mode.n;) {
            size_t j = k;
            while (j < mode.n && sl_s(mode)[j] != ',')
                j++;
            slice o = sub(mode, k, j - k);
            if (sl_is(o, "ro") || sl_is(o, "rw"))
                node_set_bool(s->a, mn, "read_only", sl_s(o)[1] == 'o', sl_pos(s, o));
            k = j + 1;
        }
    }
    node_push(s->a, child_list(m, m->c, "mounts", sl_pos(s, v)), mn);
}

/* --mount type=bind,source=/a,target=/b,readonly (CSV fields; quoting inside is rare) */
static void do_mount(cmd *m, slice v)
{
    S *s = m->s;
    node *mn = node_map(s->a, sl_pos(s, v));
    node *topts = NULL;
    slice type = {NULL, 0, 0};
    size_t i = 0;
    while (i <= v.n) {
        size_t j = i;
        while (j < v.n && sl_s(v)[j] != ',')
            j++;
        slice f = sub(v, i, j - i);
        const char *eq = memchr(sl_s(f), '=', f.n);
        size_t kl = eq ? (size_t)(eq - sl_s(f)) : f.n;
        slice k = sub(f, 0, kl), val = sub(f, eq ? kl + 1 : f.n, eq ? f.n - kl - 1 : 0);
        if (sl_is(k, "type")) {
            type = val;
            node_set(s->a, mn, "type", sl_str(s, val));
        } else if (sl_is(k, "source") || sl_is(k, "src")) {
            node_set(s->a, mn, "source", sl_str(s, val));
        } else if (sl_is(k, "target") || sl_is(k, "destination") || sl_is(k, "dst")) {
            node_set(s->a, mn, "target", sl_str(s, val));
        } else if (sl_is(k, "readonly") || sl_is(k, "ro")) {
            int b = eq ? bool_word(val) : 1;
            if (b < 0)
                bad(s, sl_pos(s, val), "--mount readonly takes true or false, not", val);
            else
                node_set_bool(s->a, mn, "read_only", b, sl_pos(s, f));
        } else if (sl_is(k, "tmpfs-size") || sl_is(k, "tmpfs-mode")) {
            if (!topts)
                topts = node_list(s->a, NOPOS);
            node_push(s->a, topts,
                      node_strz(s->a, arena_printf(s->a, "%s=%.*s", k.n == 10 &&
                                                   sl_s(k)[6] == 's' ? "size" : "mode",
                                                   (int)val.n, sl_s(val)), sl_pos(s, f)));
        }
        i = j + 1;
    }
    if (!type.t)
        node_set_str(s->a, mn, "type", "volume", NOPOS);
    if (!node_get(mn, "target"))
        bad(s, sl_pos(s, v), "--mount needs a target", v);
    node_push(s->a, child_list(m, m->c, "mounts", sl_pos(s, v)), mn);
    if (type.t && sl_is(type, "tmpfs") && node_get(mn, "target")) {
        node *t = node_map(s->a, sl_pos(s, v));
        node_set(s->a, t, "path", node_get(mn, "target"));
        node *o = node_set_list(s->a, t, "options", NOPOS);
        for (size_t k = 0; topts && k < topts->u.list.n; k++)
            node_push(s->a, o, topts->u.list.v[k]);
        node_push(s->a, child_list(m, m->c, "tmpfs", sl_pos(s, v)), t);
    }
}

static node *port_node(S *s, slice v)
{
    if (all_digits(sl_s(v), v.n) && v.n < 10)
        return node_int(s->a, strtoll(sl_s(v), NULL, 10), sl_pos(s, v));
    return sl_str(s, v);
}

/* -p [host_ip:][published:]target[/protocol], host_ip may be [v6] */
static void do_publish(cmd *m, slice v)
{
    S *s = m->s;
    node *net = child_map(m, "network", sl_pos(s, v));
    node *list = child_list(m, net, "ports", sl_pos(s, v));
    const char *p = sl_s(v);
    node *pt = node_map(s->a, sl_pos(s, v));
    size_t end = v.n;
    const char *slash = memchr(p, '/', v.n);
    if (slash) {
        end = (size_t)(slash - p);
        node_set(s->a, pt, "protocol", sl_str(s, sub(v, end + 1, v.n - end - 1)));
    }
    size_t c1 = end;
    while (c1 > 0 && p[c1 - 1] != ':')
        c1--;
    node_set(s->a, pt, "target", port_node(s, sub(v, c1, end - c1)));
    if (c1 > 0) {
        size_t pend = c1 - 1, c2 = pend;
        while (c2 > 0 && p[c2 - 1] != ':')
            c2--;
        if (c2 > 0 && p[0] == '[') {
            const char *rb = memchr(p, ']', pend);
            if (rb && (size_t)(rb - p) + 1 < pend && p[rb - p + 1] == ':')
                c2 = (size_t)(rb - p) + 2;
        }
        if (pend > c2)
            node_set(s->a, pt, "published", port_node(s, sub(v, c2, pend - c2)));
        if (c2 > 1) {
            size_t hs = 0, he = c2 - 1;
            if (p[0] == '[' && he > 1 && p[he - 1] == ']') {
                hs = 1;
                he--;
            }
            node_set(s->a, pt, "host_ip", sl_str(s, sub(v, hs, he - hs)));
        }
    }
    node_push(s->a, list, pt);
}

static void do_env(cmd *m, slice v)
{
    S *s = m->s;
    node *l = child_list(m, m->c, "env", sl_pos(s, v));
    const char *eq = memchr(sl_s(v), '=', v.n);
    size_t nl = eq ? (size_t)(eq - sl_s(v)) : v.n;
    node *e = node_map(s->a, sl_pos(s, v));
    node_set(s->a, e, "name", sl_str(s, sub(v, 0, nl)));
    if (eq) {
        slice val = sub(v, nl + 1, v.n - nl - 1);
        node_set(s->a, e, "value", sl_str(s, val));
        if (has_dollar(val))
            node_set_bool(s->a, e, "interpolated", 1, NOPOS);
    }
    node_push(s->a, l, e);
}

static void res_bytes(cmd *m, const char *key, const char *flag_name, slice v)
{
    S *s = m->s;
    double d;
    char *z = sl_dup(s, v);
    if (has_dollar(v))
        return;
    if (!z || strlen(z) != v.n || units_parse_bytes(z, UNITS_DOCKER, &d) != 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "--%s must be a size like 512m, not", flag_name);
        bad(s, sl_pos(s, v), msg, v);
        return;
    }
    node_set_int(s->a, child_map(m, "resources", sl_pos(s, v)), key, (long long)d, sl_pos(s, v));
}

static int int_value(cmd *m, const char *flag_name, slice v, long long *out)
{
    const char *p = sl_s(v);
    size_t k = v.n && p[0] == '-' ? 1 : 0;
    if (has_dollar(v))
        return -1;
    if (!all_digits(p + k, v.n - k) || v.n > 18) {
        char msg[96];
        snprintf(msg, sizeof msg, "--%s must be an integer, not", flag_name);
        bad(m->s, sl_pos(m->s, v), msg, v);
        return -1;
    }
    *out = strtoll(p, NULL, 10);
    return 0;
}

static void host_ns(cmd *m, const char *key, slice v)
{
    S *s = m->s;
    node *h = node_get(m->c, "host");
    if (!h)
        h = node_set_map(s->a, m->c, "host", NOPOS);
    node_set_bool(s->a, h, key, sl_is(v, "host"), sl_pos(s, v));
}

/* One option occurrence: name is the long name, v its value (v.t NULL for a bare boolean). */
static void apply(cmd *m, const char *name, slice v, const sh_tok *flag_word)
{
    S *s = m->s;
    arena *a = s->a;
    cpos fpos = pos_at(s, flag_word->off);
    if (!strcmp(name, "privileged") || !strcmp(name, "read-only") ||
        !strcmp(name, "no-healthcheck")) {
        int b = v.t ? bool_word(v) : 1;
        if (b < 0) {
            bad(s, sl_pos(s, v), "expected true or false, not", v);
            return;
        }
        cpos at = v.t ? sl_pos(s, v) : fpos;
        if (name[0] == 'p')
            node_set_bool(a, m->c, "privileged", b, at);
        else if (name[0] == 'r')
            node_set_bool(a, m->c, "read_only_rootfs", b, at);
        else
            node_set_bool(a, child_map(m, "healthcheck", at), "disabled", b, at);
        return;
    }
    if (!v.t)
        return;
    long long x;
    double d;
    if (!strcmp(name, "name"))
        node_set(a, m->c, "name", sl_str(s, v));
    else if (!strcmp(name, "user"))
        do_user(m, v);
    else if (!strcmp(name, "cap-add"))
        do_cap(m, "add", v);
    else if (!strcmp(name, "cap-drop"))
        do_cap(m, "drop", v);
    else if (!strcmp(name, "security-opt"))
        do_security_opt(m, v);
    else if (!strcmp(name, "tmpfs"))
        do_tmpfs(m, v);
    else if (!strcmp(name, "volume"))
        do_volume(m, v);
    else if (!strcmp(name, "mount"))
        do_mount(m, v);
    else if (!strcmp(name, "memory"))
        res_bytes(m, "memory_limit", name, v);
    else if (!strcmp(name, "memory-reservation"))
        res_bytes(m, "memory_request", name, v);
    else if (!strcmp(name, "cpus")) {
        char *z = sl_dup(s, v);
        if (has_dollar(v))
            return;
        if (!z || strlen(z) != v.n || units_parse_cpu(z, &d) != 0)
            bad(s, sl_pos(s, v), "--cpus must be a number of CPUs like 1.5, not", v);
        else
            node_set(a, child_map(m, "resources", sl_pos(s, v)), "cpu_limit",
                     node_num(a, d, sl_pos(s, v)));
    } else if (!strcmp(name, "cpu-quota")) {
        if (int_value(m, name, v, &x) == 0) {
            m->cpu_quota = x;
            m->have_quota = 1;
            m->quota_pos = sl_pos(s, v);
        }
    } else if (!strcmp(name, "cpu-period")) {
        if (int_value(m, name, v, &x) == 0)
            m->cpu_period = x;
    } else if (!strcmp(name, "cpu-shares")) {
        if (int_value(m, name, v, &x) == 0)
            node_set_int(a, child_map(m, "resources", sl_pos(s, v)), "cpu_shares", x,
                         sl_pos(s, v));
    } else if (!strcmp(name, "pids-limit")) {
        /* -1 and 0 mean "unlimited" */
        if (int_value(m, name, v, &x) == 0 && x > 0)
            node_set_int(a, child_map(m, "resources", sl_pos(s, v)), "pids_limit", x,
                         sl_pos(s, v));
    } else if (!strcmp(name, "network")) {
        node_set(a, child_map(m, "network", sl_pos(s, v)), "mode", sl_str(s, v));
        host_ns(m, "network", v);
    } else if (!strcmp(name, "pid") || !strcmp(name, "ipc") || !strcmp(name, "uts")) {
        host_ns(m, name, v);
    } else if (!strcmp(name, "userns")) {
        host_ns(m, "user", v);
    } else if (!strcmp(name, "publish")) {
        do_publish(m, v);
    } else if (!strcmp(name, "log-driver")) {
        node_set(a, child_map(m, "logging", sl_pos(s, v)), "driver", sl_str(s, v));
    } else if (!strcmp(name, "log-opt")) {
        node *lg = child_map(m, "logging", sl_pos(s, v));
        node *o = node_get(lg, "options");
        if (!o)
            o = node_set_map(a, lg, "options", sl_pos(s, v));
        const char *eq = memchr(sl_s(v), '=', v.n);
        if (!eq) {
            bad(s, sl_pos(s, v), "--log-opt takes key=value, not", v);
            return;
        }
        size_t kl = (size_t)(eq - sl_s(v));
        char *k = arena_strndup(a, sl_s(v), kl);
        if (k)
            node_set(a, o, k, sl_str(s, sub(v, kl + 1, v.n - kl - 1)));
    } else if (!strcmp(name, "env")) {
        do_env(m, v);
    } else if (!strcmp(name, "env-file")) {
        node_push(a, child_list(m, m->c, "env_file", sl_pos(s, v)), sl_str(s, v));
    } else if (!strcmp(name, "health-cmd")) {
        node_set(a, child_map(m, "healthcheck", sl_pos(s, v)), "shell", sl_str(s, v));
    } else if (!strncmp(name, "health-", 7)) {
        static const char *const durs[][2] = {{"health-interval", "interval"},
                                              {"health-timeout", "timeout"},
                                              {"health-start-period", "start_period"},
                                              {"health-start-interval", "start_interval"}};
        for (size_t k = 0; k < 4; k++)
            if (!strcmp(name, durs[k][0]))
                node_set(a, child_map(m, "healthcheck", sl_pos(s, v)), durs[k][1],
                         sl_str(s, v));
        if (!strcmp(name, "health-retries") && int_value(m, name, v, &x) == 0)
            node_set_int(a, child_map(m, "healthcheck", sl_pos(s, v)), "retries", x,
                         sl_pos(s, v));
    } else if (!strcmp(name, "entrypoint")) {
        node_set(a, m->c, "entrypoint", sl_str(s, v));
    } else if (!strcmp(name, "workdir")) {
        node_set(a, m->c, "workdir", sl_str(s, v));
    }
}

static void do_image(cmd *m, const sh_tok *w)
{
    S *s = m->s;
    slice v = {w, 0, w->len};
    node *img = node_set_map(s->a, m->c, "image", sl_pos(s, v));
    node_set(s->a, img, "ref", sl_str(s, v));
    if (w->subst || has_dollar(v)) {
        node_set_bool(s->a, img, "interpolated", 1, NOPOS);
        return;
    }
    image_ref r;
    char *ref = sl_dup(s, v);
    if (ref && strlen(ref) == v.n && image_ref_parse(s->a, ref, &r) == 0) {
        node_set_str(s->a, img, "registry", r.registry, NOPOS);
        node_set_str(s->a, img, "repository", r.repository, NOPOS);
        node_set_str(s->a, img, "name", r.name, NOPOS);
        if (r.tag)
            node_set_str(s->a, img, "tag", r.tag, NOPOS);
        if (r.digest)
            node_set_str(s->a, img, "digest", r.digest, NOPOS);
    }
}

/* The base name of a command word: "/usr/bin/docker" -> "docker". */
static int cmd_is(const sh_tok *w, const char *name)
{
    if (w->quoted || w->subst)
        return 0;
    const char *b = strrchr(w->s, '/');
    b = b ? b + 1 : w->s;
    return !strcmp(b, name);
}

/* Global options between `docker`/`podman` and the subcommand that take a value. */
static int global_takes_value(const char *s)
{
    static const char *const v[] = {
        "-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert",
        "--tlscert", "--tlskey", "--connection", "--url", "--identity", "--root", "--runroot",
        "--storage-driver", "--storage-opt", "--cgroup-manager", "--events-backend",
        "--hooks-dir", "--network-cmd-path", "--network-config-dir", "--runtime", "--tmpdir",
        "--module", "--conmon", "--imagestore", "--db-backend", "--ssh", "--out",
        "--volumepath", "--runtime-flag", "--registries-conf", "--cni-config-dir"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!strcmp(s, v[i]))
            return 1;
    return 0;
}

/* A docker/podman command in words w[0..n); adds a container when it is run/create. */
static void container_cmd(S *s, const sh_tok *const *w, size_t n)
{
    size_t k = 1;
    while (k < n && w[k]->len > 1 && w[k]->s[0] == '-' && !w[k]->quoted) {
        if (global_takes_value(w[k]->s))
            k++;
        k++;
    }
    if (k >= n)
        return;
    if (!strcmp(w[k]->s, "container") && !w[k]->quoted)
        k++;
    if (k >= n || w[k]->quoted || (strcmp(w[k]->s, "run") && strcmp(w[k]->s, "create")))
        return;
    const char *engine = cmd_is(w[0], "podman") ? "podman" : "docker";
    const char *subcmd = w[k]->s;
    k++;
    cmd m;
    memset(&m, 0, sizeof m);
    m.s = s;
    m.docker = w[0];
    cpos at = pos_at(s, w[0]->off);
    m.c = node_map(s->a, at);
    node *c = m.c;
    node_set_str(s->a, c, "kind", "docker-run", NOPOS);
    /* placeholders keep name and object first; both are replaced below */
    node_set_str(s->a, c, "name", "", NOPOS);
    node_set_str(s->a, c, "object", "", NOPOS);
    node_set(s->a, c, "document", s->doc);
    node_set_str(s->a, c, "engine", engine, NOPOS);
    node_set_str(s->a, c, "subcommand", subcmd, NOPOS);
    const sh_tok *image = NULL;
    int help = 0;
    while (k < n) {
        const sh_tok *x = w[k];
        slice none = {NULL, 0, 0};
        if (x->len == 2 && !memcmp(x->s, "--", 2)) {
            k++;
            if (k < n)
                image = w[k++];
            break;
        }
        if (x->len > 2 && x->s[0] == '-' && x->s[1] == '-') {
            const char *eq = memchr(x->s, '=', x->len);
            size_t nl = eq ? (size_t)(eq - x->s) - 2 : x->len - 2;
            const flag *f = find_flag(x->s + 2, nl);
            char *name = f ? (char *)f->name : arena_strndup(s->a, x->s + 2, nl);
            if (!name)
                return;
            if (!strcmp(name, "help"))
                help = 1;
            k++;
            if (eq) {
                slice v = {x, nl + 3, x->len - nl - 3};
                apply(&m, name, v, x);
            } else if (f && f->kind == F_VALUE) {
                if (k >= n) {
                    diag_add(s->ctx->diags, s->ctx->file, pos_at(s, x->off).line,
                             pos_at(s, x->off).col, "%s needs a value", x->s);
                    break;
                }
                slice v = {w[k], 0, w[k]->len};
                k++;
                apply(&m, name, v, x);
            } else {
                apply(&m, name, none, x);
            }
            continue;
        }
        if (x->len > 1 && x->s[0] == '-') {
            k++;
            for (size_t j = 1; j < x->len; j++) {
                const char *sp = strchr(shorts, x->s[j]);
                if (!sp || !x->s[j]) {
                    continue; /* an unknown short option: taken as a boolean */
                }
                const char *name = short_names[sp - shorts];
                const flag *f = find_flag(name, strlen(name));
                if (!f || f->kind == F_BOOL) {
                    apply(&m, name, none, x);
                    continue;
                }
                size_t vo = j + 1;
                if (vo < x->len && x->s[vo] == '=')
                    vo++;
                if (vo < x->len) {
                    slice v = {x, vo, x->len - vo};
                    apply(&m, name, v, x);
                } else if (k < n) {
                    slice v = {w[k], 0, w[k]->len};
                    k++;
                    apply(&m, name, v, x);
                } else {
                    cpos fp = pos_at(s, x->off);
                    diag_add(s->ctx->diags, s->ctx->file, fp.line, fp.col, "-%c needs a value",
                             x->s[j]);
                }
                break;
            }
            continue;
        }
        /* `docker run $OPTS -d nginx`: a bare variable followed by options holds options */
        if (x->subst && !x->quoted && x->s[0] == '$' && k + 1 < n && w[k + 1]->s[0] == '-' &&
            w[k + 1]->len > 1) {
            node_set_bool(s->a, c, "options_interpolated", 1, pos_at(s, x->off));
            k++;
            continue;
        }
        image = x;
        k++;
        break;
    }
    if (!image) {
        if (!help)
            diag_add(s->ctx->diags, s->ctx->file, at.line, at.col, "%s %s without an image",
                     engine, subcmd);
        return;
    }
    if (m.have_quota && m.cpu_quota > 0) {
        long long period = m.cpu_period > 0 ? m.cpu_period : 100000; /* the CFS default */
        node_set(s->a, child_map(&m, "resources", m.quota_pos), "cpu_limit",
                 node_num(s->a, (double)m.cpu_quota / (double)period, m.quota_pos));
    }
    do_image(&m, image);
    if (k < n) {
        node *args = node_set_list(s->a, c, "command", pos_at(s, w[k]->off));
        for (; k < n; k++) {
            slice v = {w[k], 0, w[k]->len};
            node_push(s->a, args, sl_str(s, v));
        }
    }
    const char *nm = node_get_str(c, "name");
    if (!nm || !*nm)
        node_set_str(s->a, c, "name", arena_printf(s->a, "%s %s", engine, subcmd), NOPOS);
    node_set_str(s->a, c, "object",
                  arena_printf(s->a, "%s %s %s (line %u)", engine, subcmd, image->s, at.line),
                  NOPOS);
    node_push(s->a, project_list(s->ctx, "containers"), c);
    s->count++;
}

/* ---- commands in a token list ---- */

static int is_assignment(const sh_tok *w)
{
    if (w->quoted && w->src && w->len) {
        /* NAME="x": the name part itself must be unquoted; checked by offsets */
        const char *eq = memchr(w->s, '=', w->len);
        if (!eq || eq == w->s)
            return 0;
        size_t nl = (size_t)(eq - w->s);
        if (w->src[nl] != w->off + nl)
            return 0;
    }
    const char *p = w->s;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
        return 0;
    while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                  (*p >= '0' && *p <= '9')))
        p++;
    return *p == '=' || (*p == '+' && p[1] == '=');
}

static int word_is(const sh_tok *w, const char *const *list)
{
    if (w->quoted || w->subst)
        return 0;
    for (; *list; list++)
        if (!strcmp(w->s, *list))
            return 1;
    return 0;
}

static void scan_tokens(S *s, const sh_lex *lx)
{
    static const char *const keywords[] = {"if", "then", "else", "elif", "while", "until",
                                           "do", "!", "{", "}", "exec", "nohup", "builtin",
                                           NULL};
    const sh_tok **w = NULL;
    size_t cap = 0;
    size_t i = 0;
    while (i < lx->n) {
        /* command start: skip operators and prefixes */
        const sh_tok *t = &lx->t[i];
        if (t->kind != SH_WORD) {
            i++;
            if (t->kind == SH_REDIR && strcmp(t->op, "<<") && strcmp(t->op, "<<-") &&
                i < lx->n && lx->t[i].kind == SH_WORD)
                i++; /* the redirection's target */
            continue;
        }
        if (is_assignment(t)) {
            i++;
            continue;
        }
        if (word_is(t, keywords)) {
            i++;
            continue;
        }
        static const char *const sudo[] = {"sudo", "doas", NULL};
        static const char *const envw[] = {"env", NULL};
        static const char *const timew[] = {"time", "command", NULL};
        if (word_is(t, sudo)) {
            i++;
            /* sudo's options; those that take a value */
            while (i < lx->n && lx->t[i].kind == SH_WORD && lx->t[i].s[0] == '-') {
                const sh_tok *o = &lx->t[i++];
                if (o->len == 2 && strchr("ugpCDhrtUTR", o->s[1]) && i < lx->n)
                    i++;
                if (o->len == 2 && o->s[1] == '-')
                    break;
            }
            continue;
        }
        if (word_is(t, envw)) {
            i++;
            while (i < lx->n && lx->t[i].kind == SH_WORD &&
                   (lx->t[i].s[0] == '-' || is_assignment(&lx->t[i]))) {
                const sh_tok *o = &lx->t[i++];
                if ((!strcmp(o->s, "-u") || !strcmp(o->s, "-C") || !strcmp(o->s, "-S")) &&
                    i < lx->n)
                    i++;
            }
            continue;
        }
        if (word_is(t, timew)) {
            i++;
            while (i < lx->n && lx->t[i].kind == SH_WORD && lx->t[i].s[0] == '-' &&
                   lx->t[i].len == 2)
                i++;
            continue;
        }
        /* the simple command: words up to an operator; redirections and their targets out */
        size_t n = 0;
        int cut = 0;
        while (i < lx->n && lx->t[i].kind != SH_OP) {
            const sh_tok *x = &lx->t[i++];
            if (x->kind == SH_REDIR) {
                if (strcmp(x->op, "<<") && strcmp(x->op, "<<-") && i < lx->n &&
                    lx->t[i].kind == SH_WORD)
                    i++;
                continue;
            }
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 32;
                const sh_tok **nw = arena_grow(s->a, (void *)w, n, nc, sizeof *nw);
                if (!nw) {
                    s->oom = 1;
                    return;
                }
                w = nw;
                cap = nc;
            }
            w[n++] = x;
        }
        if (i < lx->n && lx->t[i].kind == SH_OP && !strcmp(lx->t[i].op, "!"))
            cut = 1;
        if (!cut && n && !t->quoted && (cmd_is(w[0], "docker") || cmd_is(w[0], "podman")))
            container_cmd(s, w, n);
    }
}

static void scan_range(S *s, size_t start, size_t end, int depth)
{
    sh_lex lx;
    if (sh_lex_text(s->a, s->text, start, end, &lx) != 0) {
        s->oom = 1;
        return;
    }
    for (size_t i = 0; i < lx.nerrs; i++) {
        cpos p = pos_at(s, lx.errs[i].off);
        diag_add(s->ctx->diags, s->ctx->file, p.line, p.col, "%s", lx.errs[i].msg);
    }
    scan_tokens(s, &lx);
    if (depth >= MAX_SUBST_DEPTH)
        return;
    for (size_t i = 0; i < lx.nsubs && !s->oom; i++)
        scan_range(s, lx.subs[i].off, lx.subs[i].end, depth + 1);
}

int dockerrun_scan(parse_ctx *ctx, const char *text, size_t len, node *document,
                   const dockerrun_linemap *map)
{
    S s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.a = ctx->a;
    s.text = text;
    s.len = len;
    s.map = map;
    s.doc = document;
    s.c_line = (size_t)-1;
    size_t nl = 1;
    for (size_t i = 0; i < len; i++)
        nl += text[i] == '\n';
    s.ls = arena_alloc(s.a, nl * sizeof *s.ls);
    if (!s.ls)
        return -1;
    s.ls[s.nls++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            s.ls[s.nls++] = i + 1;
    scan_range(&s, 0, len, 0);
    return s.oom ? -1 : s.count;
}

int dockerrun_parse(parse_ctx *ctx, const char *data, size_t len)
{
    node *doc = project_document(ctx, "docker-run");
    if (!doc)
        return -1;
    return dockerrun_scan(ctx, data, len, doc, NULL) < 0 ? -1 : 0;
}
