/*
 * workflow.c - CI workflows into the model: GitHub Actions (YAML files in .github/workflows) and
 * GitLab CI (.gitlab-ci.yml), one document and one pipeline per file, one job per job, each saying
 * whether it builds or pushes images, which scanners it runs and whether they can fail it, and
 * whether it signs. Shell text is read by workflow_shell.c; rules see no YAML.
 *
 * What is read (GitHub Actions workflow syntax):
 *   workflow := {env, defaults: {run: {shell}}, jobs: {<id>: job}}
 *   job      := {name, needs (id | [id]), uses (reusable workflow), strategy: {matrix},
 *                continue-on-error, env, defaults: {run: {shell}}, steps: [step]}
 *   step     := {name, id, uses, with: {input: value}, run, shell, env, continue-on-error}
 * Actions recognised by `uses` (owner/repo[/path] before `@`): docker/build-push-action,
 * docker/bake-action, redhat-actions/buildah-build, redhat-actions/push-to-registry,
 * aquasecurity/trivy-action, anchore/scan-action, docker/scout-action, snyk/actions/docker,
 * notaryproject/notation-action/{sign,verify}, and docker://...trivy or grype images with args.
 *
 * What is read (GitLab CI):
 *   file     := [spec document ---] {keyword: ..., <job name>: job, .<hidden>: job}
 *   keywords := stages types variables default include workflow image services before_script
 *               after_script cache spec (not jobs; `.name` keys are hidden templates)
 *   job      := {extends (name | [name]), stage, needs ([name | {job}]), script, before_script,
 *                after_script, allow_failure (bool | {exit_codes}), when, variables, image,
 *                services}
 *   script   := line | [line | [line] | !reference [job, key...]]
 * `extends` is merged as GitLab merges it (maps deeply, everything else replaced; the job wins,
 * later parents over earlier). Included files are not read, except GitLab's own templates whose
 * jobs we know: Container-Scanning (a scanner that reports and never fails the job on findings),
 * Jobs/Build and Auto-DevOps (a build job that pushes to the project registry).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "containerpolicy.h"
#include "dockerrun.h"
#include "workflow_int.h"

#define MAX_EXTENDS_DEPTH 11   /* GitLab's own limit of nesting */
#define MAX_MERGES 20000       /* extends merges per file: fan-out must not explode */
#define MAX_REFERENCE_DEPTH 10 /* GitLab's limit for nested !reference */

typedef struct wf_p {
    parse_ctx *ctx;
    arena *a;
    node *doc, *jobs;
    const yv *root;
    const char *src; /* NULL when the input is not UTF-8 (positions of scripts then coarser) */
    size_t srclen;
    size_t *line_off; /* byte offset of each line start (index 0 = line 1) */
    size_t nlines;
    size_t merges;
    int merge_diag;
} wf_p;

static cpos vpos(const wf_p *p, const yv *v)
{
    return cpos_make(p->ctx->file, v->line, v->col);
}

static cpos nopos(void)
{
    return cpos_make(NULL, 0, 0);
}

static void wdiag(wf_p *p, const yv *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void wdiag(wf_p *p, const yv *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(p->ctx->diags, p->ctx->file, at ? at->line : 0, at ? at->col : 0, "%s", msg);
}

/* At most 40 bytes of a name for a message, control bytes as '?', never cut inside UTF-8. */
static const char *clip(wf_p *p, const char *s, size_t len)
{
    size_t n = len > 40 ? 40 : len;
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *out = arena_alloc(p->a, n + 4);
    if (!out)
        return "";
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (n < len)
        memcpy(out + n, "...", 3);
    return out;
}

static const char *shape(const yv *v)
{
    return v->kind == YV_SEQ ? "a list" : v->kind == YV_MAP ? "a mapping" : "a single value";
}

/* The value under key when it has the wanted kind; a diagnostic when written with another. */
static const yv *get_kind(wf_p *p, const yv *map, const char *key, int kind)
{
    const yv *v = yv_get(map, key);
    if (!v || yv_is_null(v))
        return NULL;
    if (v->kind != kind) {
        wdiag(p, v, "%s: expected %s, not %s; ignored", key,
              kind == YV_MAP ? "a mapping" : kind == YV_SEQ ? "a list" : "a single value",
              shape(v));
        return NULL;
    }
    return v;
}

static const yv *scalar(const yv *map, const char *key)
{
    const yv *v = yv_get(map, key);
    return v && v->kind == YV_SCALAR && !yv_is_null(v) ? v : NULL;
}

static node *set_scalar(wf_p *p, node *out, const char *outkey, const yv *map, const char *key)
{
    const yv *v = scalar(map, key);
    return v ? node_set_strn(p->a, out, outkey, v->u.str.s, v->u.str.len, vpos(p, v)) : NULL;
}

/* GitHub booleans: YAML 1.2 true/false words, also as action input strings (core.getBooleanInput
   accepts exactly these spellings). 1, 0, or -1 for anything else (expressions). */
static int gh_bool(const yv *v)
{
    if (!v || v->kind != YV_SCALAR)
        return -1;
    const char *s = v->u.str.s;
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
        return 1;
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
        return 0;
    return -1;
}

int wf_unresolved(const char *s, size_t len)
{
    return memchr(s, '$', len) != NULL || memchr(s, '`', len) != NULL;
}

const yv *wf_env(const wf_shell *sh, const char *name)
{
    for (int i = 0; i < 3; i++) {
        const yv *v = yv_get(sh->env[i], name);
        if (v)
            return v;
    }
    return NULL;
}

/* ---- severities ---- */

static const char *const sev_names[] = {"NEGLIGIBLE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
static const char *const sev_from[] = {"NEGLIGIBLE,LOW,MEDIUM,HIGH,CRITICAL",
                                       "LOW,MEDIUM,HIGH,CRITICAL", "MEDIUM,HIGH,CRITICAL",
                                       "HIGH,CRITICAL", "CRITICAL"};

const char *wf_severity_from(const char *threshold, size_t len)
{
    for (size_t i = 0; i < 5; i++)
        if (strlen(sev_names[i]) == len && strncasecmp(threshold, sev_names[i], len) == 0)
            return sev_from[i];
    return NULL;
}

const char *wf_severity_list(arena *a, const char *s, size_t len)
{
    static const char *const known[] = {"UNKNOWN", "UNSPECIFIED", "NEGLIGIBLE", "LOW",
                                        "MEDIUM", "HIGH", "CRITICAL"};
    buf b = BUF_INIT;
    size_t i = 0;
    int ok = 1;
    while (i < len && ok) {
        while (i < len && (s[i] == ',' || s[i] == ' '))
            i++;
        size_t st = i;
        while (i < len && s[i] != ',' && s[i] != ' ')
            i++;
        if (i == st)
            break;
        ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (strlen(known[k]) == i - st && strncasecmp(s + st, known[k], i - st) == 0) {
                if (b.len)
                    buf_putc(&b, ',');
                buf_puts(&b, known[k]);
                ok = 1;
            }
    }
    const char *out = ok && b.len ? arena_strndup(a, b.data, b.len) : NULL;
    buf_free(&b);
    return out;
}

/* ---- the job accumulator (called by both readers) ---- */

static void job_init(wf_job *j, parse_ctx *ctx, node *job)
{
    memset(j, 0, sizeof *j);
    j->ctx = ctx;
    j->job = job;
    j->builds_image = node_set_bool(ctx->a, job, "builds_image", 0, nopos());
    j->pushes_image = node_set_bool(ctx->a, job, "pushes_image", 0, nopos());
    j->images = node_set_list(ctx->a, job, "images", nopos());
    j->scans = node_set_list(ctx->a, job, "scans", nopos());
    j->signs = node_set_list(ctx->a, job, "signs", nopos());
    j->verifies = node_set_list(ctx->a, job, "verifies", nopos());
}

static void add_image(wf_job *j, cpos at, const char *ref, size_t len, int push)
{
    arena *a = j->ctx->a;
    if (!ref || !len || !j->images || wf_unresolved(ref, len) || memchr(ref, '\0', len))
        return;
    for (size_t i = 0; i < j->images->u.list.n; i++) {
        node *im = j->images->u.list.v[i];
        const node *r = node_get(im, "ref");
        if (r && r->u.s.len == len && memcmp(r->u.s.s, ref, len) == 0) {
            if (push && !node_get_bool(im, "pushed", 0))
                node_set_bool(a, im, "pushed", 1, at);
            return;
        }
    }
    node *im = node_map(a, at);
    if (!im)
        return;
    node_set_strn(a, im, "ref", ref, len, at);
    node_set_bool(a, im, "pushed", push, push ? at : nopos());
    node_push(a, j->images, im);
}

static void mark(node *flag, cpos at)
{
    if (flag && !flag->u.b) {
        flag->u.b = 1;
        flag->pos = at;
    }
}

void wf_job_build(wf_job *j, cpos at, const char *ref, size_t reflen)
{
    mark(j->builds_image, at);
    add_image(j, at, ref, reflen, 0);
}

void wf_job_push(wf_job *j, cpos at, const char *ref, size_t reflen)
{
    mark(j->pushes_image, at);
    add_image(j, at, ref, reflen, 1);
}

static int code_listed(const yv *codes, int code)
{
    if (codes->kind == YV_SCALAR) {
        long long c;
        return yv_int(codes, &c) == 0 && c == code;
    }
    for (size_t i = 0; codes->kind == YV_SEQ && i < codes->u.seq.n; i++)
        if (code_listed(codes->u.seq.v[i], code))
            return 1;
    return 0;
}

node *wf_job_scan(wf_job *j, cpos at, const wf_scan *s)
{
    arena *a = j->ctx->a;
    node *n = node_map(a, at);
    if (!n || !j->scans)
        return NULL;
    int allowed = s->allowed_to_fail;
    const char *note = s->note;
    if (!allowed && j->allow_failure) {
        allowed = 1;
        note = j->allow_note;
    } else if (!allowed && j->allow_codes && s->gates &&
               (!s->exit_code || code_listed(j->allow_codes, s->exit_code))) {
        allowed = 1;
        note = s->exit_code ? "allow_failure: exit_codes lists the exit code of the scanner"
                            : "allow_failure: exit_codes may list the exit code of the scanner";
    }
    node_set_str(a, n, "tool", s->tool, nopos());
    if (s->target)
        node_set_str(a, n, "target", s->target, nopos());
    node_set_bool(a, n, "gates", s->gates, nopos());
    if (s->severity) {
        node *l = node_set_list(a, n, "severity", nopos());
        const char *p = s->severity;
        while (l && *p) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            node_push(a, l, node_str(a, p, len, nopos()));
            p += len + (e ? 1 : 0);
        }
    }
    node_set_bool(a, n, "allowed_to_fail", allowed, nopos());
    if (s->unresolved)
        node_set_bool(a, n, "unresolved", 1, nopos());
    if (note)
        node_set_str(a, n, "note", note, nopos());
    node_push(a, j->scans, n);
    return n;
}

void wf_job_sign(wf_job *j, cpos at, const char *tool, int verify)
{
    arena *a = j->ctx->a;
    node *list = verify ? j->verifies : j->signs;
    node *n = node_map(a, at);
    if (!n || !list)
        return;
    node_set_str(a, n, "tool", tool, nopos());
    node_push(a, list, n);
}

/* ---- scripts and their positions ---- */

/* Byte offset of (line, col) in the source, or (size_t)-1 when unknown. col counts characters. */
static size_t src_at(const wf_p *p, unsigned line, unsigned col)
{
    if (!p->src || line == 0 || line > p->nlines)
        return (size_t)-1;
    size_t o = p->line_off[line - 1];
    if (line == 1 && p->srclen >= 3 && memcmp(p->src, "\xef\xbb\xbf", 3) == 0)
        o = 3;
    unsigned c = 1;
    while (c < col && o < p->srclen && p->src[o] != '\n') {
        o++;
        while (o < p->srclen && ((unsigned char)p->src[o] & 0xC0) == 0x80)
            o++;
        c++;
    }
    return o;
}

/* How offsets of a scalar's text map to the file (see wf_lines). */
static wf_lines lines_of(const wf_p *p, const yv *v)
{
    wf_lines m = {p->ctx->file, v->line, v->col, WF_MAP_FIXED, NULL, 0, 0};
    if (v->style == YV_LITERAL) {
        m.mode = WF_MAP_BLOCK;
        if (p->src && v->line < p->nlines) {
            m.src = p->src;
            m.srclen = p->srclen;
            m.first_off = p->line_off[v->line];
        }
        return m;
    }
    if (memchr(v->u.str.s, '\n', v->u.str.len) || !p->src)
        return m;
    /* a one-line scalar: its text must be in the source where it starts (after the quote) */
    int quoted = v->style == YV_SINGLE_QUOTED || v->style == YV_DOUBLE_QUOTED;
    size_t o = src_at(p, v->line, v->col + (quoted ? 1 : 0));
    if (o != (size_t)-1 && o + v->u.str.len <= p->srclen &&
        memcmp(p->src + o, v->u.str.s, v->u.str.len) == 0 &&
        !memchr(p->src + o, '\n', v->u.str.len)) {
        m.mode = WF_MAP_SAME_LINE;
        m.col += quoted ? 1 : 0;
    }
    return m;
}

static int mentions(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= len; i++)
        if (s[i] == word[0] && memcmp(s + i, word, wl) == 0)
            return 1;
    return 0;
}

/* `docker run` lines of a script become containers (kind "docker-run") of this document, at
   their place in the workflow file: the line map gives each text line its file line and the
   column of its first character (for a block scalar, after the indentation it lost). */
static void docker_runs(wf_p *p, const yv *v, const wf_lines *m)
{
    const char *t = v->u.str.s;
    size_t len = v->u.str.len;
    if (!mentions(t, len, "docker") && !mentions(t, len, "podman"))
        return;
    dockerrun_linemap map = {NULL, NULL, 0};
    unsigned int one_line = m->line, one_col = m->col;
    if (m->mode != WF_MAP_BLOCK) {
        map.line = &one_line;
        map.col = &one_col;
        map.n = 1;
    } else {
        size_t n = 1;
        for (size_t i = 0; i < len; i++)
            n += t[i] == '\n';
        unsigned int *lines = arena_alloc(p->a, n * sizeof *lines);
        unsigned int *cols = arena_alloc(p->a, n * sizeof *cols);
        if (!lines || !cols)
            return;
        size_t off = 0;
        for (size_t k = 0; k < n; k++) {
            const char *nl = memchr(t + off, '\n', len - off);
            size_t end = nl ? (size_t)(nl - t) : len;
            unsigned int line = m->line + 1 + (unsigned)k, indent = 0;
            if (p->src && line <= p->nlines) {
                size_t so = p->line_off[line - 1], se = so;
                while (se < p->srclen && p->src[se] != '\n')
                    se++;
                if (se > so && p->src[se - 1] == '\r')
                    se--;
                size_t sc = 0, tc = 0;
                for (size_t i = so; i < se; i++)
                    sc += ((unsigned char)p->src[i] & 0xC0) != 0x80;
                for (size_t i = off; i < end; i++)
                    tc += ((unsigned char)t[i] & 0xC0) != 0x80;
                indent = sc >= tc ? (unsigned)(sc - tc) : 0;
            }
            lines[k] = line;
            cols[k] = indent + 1;
            off = end + 1;
        }
        map.line = lines;
        map.col = cols;
        map.n = n;
    }
    dockerrun_scan(p->ctx, t, len, p->doc, &map);
}

static void scan_text(wf_p *p, wf_job *j, const yv *v, const wf_shell *sh)
{
    wf_lines m = lines_of(p, v);
    wf_shell_scan(j, v->u.str.s, v->u.str.len, &m, sh);
    docker_runs(p, v, &m);
}

/* ---- GitHub Actions ---- */

static int uses_is(const char *uses, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(uses, name, n) == 0 && (uses[n] == '@' || uses[n] == '\0');
}

static const char *input(const yv *with, const char *key, size_t *len)
{
    const yv *v = scalar(with, key);
    if (!v)
        return NULL;
    *len = v->u.str.len;
    return v->u.str.s;
}

/* Tags of docker/build-push-action: a list separated by newlines or commas. */
static void action_tags(wf_job *j, const yv *with, cpos at, int push)
{
    size_t len = 0;
    const char *t = input(with, "tags", &len);
    size_t i = 0;
    while (t && i < len) {
        while (i < len && (t[i] == ',' || t[i] == '\n' || t[i] == ' ' || t[i] == '\r'))
            i++;
        size_t st = i;
        while (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r')
            i++;
        size_t e = i;
        while (e > st && t[e - 1] == ' ')
            e--;
        if (e > st) {
            if (push)
                wf_job_push(j, at, t + st, e - st);
            else
                wf_job_build(j, at, t + st, e - st);
        }
    }
    if (push)
        wf_job_push(j, at, NULL, 0);
    else
        wf_job_build(j, at, NULL, 0);
}

static void gh_action(wf_p *p, wf_job *j, const yv *step, const char *uses, const wf_shell *sh)
{
    const yv *with = yv_get(step, "with");
    if (with && with->kind != YV_MAP)
        with = NULL;
    cpos at = vpos(p, step);
    size_t len = 0;
    const char *v;
    if (uses_is(uses, "docker/build-push-action") || uses_is(uses, "docker/bake-action")) {
        int push = gh_bool(yv_get(with, "push"));
        if (push < 0 && !scalar(with, "push"))
            push = 0;
        /* `push: ${{ github.event_name != 'pull_request' }}` pushes on the branch builds */
        if (push != 0 || ((v = input(with, "outputs", &len)) != NULL &&
                          (strstr(v, "type=registry") ||
                           (strstr(v, "type=image") && strstr(v, "push=true")))))
            push = 1;
        action_tags(j, with, at, 0);
        if (push)
            action_tags(j, with, at, 1);
    } else if (uses_is(uses, "redhat-actions/buildah-build")) {
        wf_job_build(j, at, NULL, 0);
    } else if (uses_is(uses, "redhat-actions/push-to-registry")) {
        wf_job_push(j, at, NULL, 0);
    } else if (uses_is(uses, "aquasecurity/trivy-action")) {
        wf_scan s = {"trivy", "image", 0, 0, NULL, 0, 0, NULL};
        if ((v = input(with, "scan-type", &len)) != NULL)
            s.target = strcmp(v, "filesystem") == 0 ? "fs" : arena_strndup(p->a, v, len);
        /* no TRIVY_* from env here: the action turns its own inputs (and their defaults) into
           those variables, so what the workflow's env says may not reach trivy */
        const yv *code = scalar(with, "exit-code");
        if (code) {
            long long c;
            if (yv_int(code, &c) == 0 ||
                (code->style != YV_PLAIN && sscanf(code->u.str.s, "%lld", &c) == 1 &&
                 strspn(code->u.str.s, "0123456789") == code->u.str.len)) {
                s.gates = c != 0;
                s.exit_code = (int)c;
                if (!c)
                    s.note = "exit-code is 0";
            } else {
                s.unresolved = wf_unresolved(code->u.str.s, code->u.str.len);
                s.note = "exit-code is not a number we can read";
            }
        } else
            s.note = "trivy-action does not fail on vulnerabilities unless exit-code is set";
        const yv *sev = scalar(with, "severity");
        if (sev) {
            s.severity = wf_severity_list(p->a, sev->u.str.s, sev->u.str.len);
            s.unresolved |= !s.severity;
        }
        if (scalar(with, "trivy-config"))
            s.unresolved = 1; /* the config file may set exit-code and severity */
        wf_job_scan(j, at, &s);
    } else if (uses_is(uses, "anchore/scan-action")) {
        /* grype; fail-build defaults to true, severity-cutoff to medium */
        wf_scan s = {"grype", "image", 1, 0, "MEDIUM,HIGH,CRITICAL", 1, 0, NULL};
        if (scalar(with, "path"))
            s.target = "fs";
        else if (scalar(with, "sbom"))
            s.target = "sbom";
        int fb = gh_bool(yv_get(with, "fail-build"));
        if (fb == 0) {
            s.gates = 0;
            s.note = "fail-build is false";
        } else if (fb < 0 && scalar(with, "fail-build"))
            s.unresolved = 1;
        if ((v = input(with, "severity-cutoff", &len)) != NULL) {
            s.severity = wf_severity_from(v, len);
            s.unresolved |= !s.severity;
        }
        wf_job_scan(j, at, &s);
    } else if (uses_is(uses, "docker/scout-action")) {
        v = input(with, "command", &len);
        if (!v || (!strstr(v, "cves") && !strstr(v, "compare")))
            return;
        wf_scan s = {"docker-scout", "image", 0, 0, NULL, 2, 0, NULL};
        int ec = gh_bool(yv_get(with, "exit-code"));
        s.gates = ec == 1;
        if (ec < 0 && scalar(with, "exit-code"))
            s.unresolved = 1;
        if (!s.gates)
            s.note = "scout-action does not fail on vulnerabilities unless exit-code is true";
        if ((v = input(with, "only-severities", &len)) != NULL) {
            s.severity = wf_severity_list(p->a, v, len);
            s.unresolved |= !s.severity;
        }
        wf_job_scan(j, at, &s);
    } else if (uses_is(uses, "snyk/actions/docker")) {
        wf_scan s = {"snyk", "image", 1, 0, NULL, 1, 0, NULL};
        if ((v = input(with, "command", &len)) != NULL && strcmp(v, "test") != 0) {
            s.gates = 0;
            s.note = "only `snyk container test` fails on vulnerabilities";
        }
        const char *args = input(with, "args", &len), *t;
        if (args && (t = strstr(args, "--severity-threshold=")) != NULL) {
            t += 21;
            s.severity = wf_severity_from(t, strcspn(t, " \t\n"));
            s.unresolved |= !s.severity;
        }
        wf_job_scan(j, at, &s);
    } else if (uses_is(uses, "notaryproject/notation-action/sign")) {
        wf_job_sign(j, at, "notation", 0);
    } else if (uses_is(uses, "notaryproject/notation-action/verify")) {
        wf_job_sign(j, at, "notation", 1);
    } else if (strncmp(uses, "docker://", 9) == 0) {
        /* a scanner image run as a step: its args are the command line */
        const char *img = uses + 9, *tool = NULL;
        if (strstr(img, "trivy"))
            tool = "trivy";
        else if (strstr(img, "grype"))
            tool = "grype";
        const char *args = input(with, "args", &len);
        if (!tool || !args)
            return;
        char *line = arena_printf(p->a, "%s %.*s", tool, (int)len, args);
        wf_lines m = {p->ctx->file, at.line, at.col, WF_MAP_FIXED, NULL, 0, 0};
        if (line)
            wf_shell_scan(j, line, strlen(line), &m, sh);
    }
}

/* The shell a run step gets: bash given by name runs with -o pipefail, the default does not. */
static int gh_pipefail(const yv *shell)
{
    if (!shell || shell->kind != YV_SCALAR)
        return 0;
    return strcmp(shell->u.str.s, "bash") == 0 || strstr(shell->u.str.s, "pipefail") != NULL;
}

static const yv *gh_shell(const yv *m)
{
    const yv *d = yv_get(m, "defaults");
    return scalar(yv_get(d, "run"), "shell");
}

static void gh_steps(wf_p *p, wf_job *j, const yv *job, const yv *steps, const yv *root)
{
    node *list = node_set_list(p->a, j->job, "steps", vpos(p, steps));
    const yv *job_shell = gh_shell(job) ? gh_shell(job) : gh_shell(root);
    int job_allow = j->allow_failure;
    const char *job_note = j->allow_note;
    for (size_t i = 0; i < steps->u.seq.n; i++) {
        const yv *st = steps->u.seq.v[i];
        if (st->kind != YV_MAP) {
            wdiag(p, st, "a step must be a mapping, not %s; ignored", shape(st));
            continue;
        }
        node *sn = node_map(p->a, vpos(p, st));
        if (!sn)
            return;
        node_push(p->a, list, sn);
        set_scalar(p, sn, "name", st, "name");
        set_scalar(p, sn, "id", st, "id");
        set_scalar(p, sn, "uses", st, "uses");
        set_scalar(p, sn, "run", st, "run");
        set_scalar(p, sn, "shell", st, "shell");
        const yv *coe = yv_get(st, "continue-on-error");
        int b = gh_bool(coe);
        if (b >= 0)
            node_set_bool(p->a, sn, "continue_on_error", b, vpos(p, coe));
        if (b == 1) {
            j->allow_failure = 1;
            j->allow_note = "the step has continue-on-error: true";
        }
        wf_shell sh = {0, 0, {NULL, NULL, NULL}};
        sh.env[0] = yv_get(st, "env");
        sh.env[1] = yv_get(job, "env");
        sh.env[2] = yv_get(root, "env");
        const yv *uses = scalar(st, "uses"), *run = yv_get(st, "run");
        if (uses)
            gh_action(p, j, st, uses->u.str.s, &sh);
        if (run && run->kind == YV_SCALAR) {
            const yv *shell = scalar(st, "shell");
            sh.pipefail = gh_pipefail(shell ? shell : job_shell);
            j->sh_open = 0;
            scan_text(p, j, run, &sh);
        } else if (run && !yv_is_null(run))
            wdiag(p, run, "run: expected a single value, not %s; ignored", shape(run));
        j->allow_failure = job_allow;
        j->allow_note = job_note;
    }
}

static void needs_list(wf_p *p, node *out, const yv *needs, int gitlab)
{
    if (!needs || yv_is_null(needs))
        return;
    node *l = node_set_list(p->a, out, "needs", vpos(p, needs));
    if (needs->kind == YV_SCALAR) {
        node_push(p->a, l, node_str(p->a, needs->u.str.s, needs->u.str.len, vpos(p, needs)));
        return;
    }
    for (size_t i = 0; needs->kind == YV_SEQ && i < needs->u.seq.n; i++) {
        const yv *n = needs->u.seq.v[i];
        if (gitlab && n->kind == YV_MAP)
            n = scalar(n, "job");
        if (n && n->kind == YV_SCALAR)
            node_push(p->a, l, node_str(p->a, n->u.str.s, n->u.str.len, vpos(p, n)));
    }
}

static void github(wf_p *p)
{
    const yv *root = p->root;
    const yv *jobs = get_kind(p, root, "jobs", YV_MAP);
    for (size_t i = 0; jobs && i < jobs->u.map.n; i++) {
        const yv *k = jobs->u.map.v[i].key, *job = jobs->u.map.v[i].val;
        if (job->kind != YV_MAP) {
            wdiag(p, job, "job %s must be a mapping, not %s; ignored",
                  clip(p, k->u.str.s, k->u.str.len), shape(job));
            continue;
        }
        node *jn = node_map(p->a, vpos(p, k));
        if (!jn)
            return;
        node_push(p->a, p->jobs, jn);
        node_set_strn(p->a, jn, "name", k->u.str.s, k->u.str.len, vpos(p, k));
        set_scalar(p, jn, "display_name", job, "name");
        needs_list(p, jn, yv_get(job, "needs"), 0);
        set_scalar(p, jn, "uses", job, "uses");
        const yv *matrix = yv_get(yv_get(job, "strategy"), "matrix");
        if (matrix && !yv_is_null(matrix))
            node_set_bool(p->a, jn, "matrix", 1, vpos(p, matrix));
        wf_job j;
        job_init(&j, p->ctx, jn);
        const yv *coe = yv_get(job, "continue-on-error");
        int b = gh_bool(coe);
        if (b >= 0)
            node_set_bool(p->a, jn, "continue_on_error", b, vpos(p, coe));
        if (b == 1) {
            j.allow_failure = 1;
            j.allow_note = "the job has continue-on-error: true";
        }
        const yv *steps = get_kind(p, job, "steps", YV_SEQ);
        if (steps)
            gh_steps(p, &j, job, steps, root);
    }
}

/* ---- GitLab CI ---- */

static int gl_keyword(const char *k)
{
    static const char *const kw[] = {"stages",        "types",  "variables",    "default",
                                     "include",       "workflow", "image",      "services",
                                     "before_script", "after_script", "cache",  "spec"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strcmp(k, kw[i]) == 0)
            return 1;
    return 0;
}

/* base with over's keys on top; maps are merged key by key, everything else replaced. */
static const yv *merge(wf_p *p, const yv *base, const yv *over)
{
    if (!base || base->kind != YV_MAP || !over || over->kind != YV_MAP)
        return over ? over : base;
    if (++p->merges > MAX_MERGES) {
        if (!p->merge_diag++)
            wdiag(p, over, "extends: more than %d merges in this file; the rest are skipped",
                  MAX_MERGES);
        return over;
    }
    yv *m = arena_alloc(p->a, sizeof *m);
    yv_pair *v = arena_alloc(p->a, (base->u.map.n + over->u.map.n + 1) * sizeof *v);
    if (!m || !v)
        return over;
    *m = *base;
    size_t n = 0;
    for (size_t i = 0; i < base->u.map.n; i++)
        v[n++] = base->u.map.v[i];
    for (size_t i = 0; i < over->u.map.n; i++) {
        yv_pair pr = over->u.map.v[i];
        size_t k;
        for (k = 0; k < n; k++)
            if (v[k].key->u.str.len == pr.key->u.str.len &&
                memcmp(v[k].key->u.str.s, pr.key->u.str.s, pr.key->u.str.len) == 0)
                break;
        if (k < n) {
            if (!yv_is(pr.key, "extends"))
                pr.val = (yv *)merge(p, v[k].val, pr.val);
            v[k] = pr;
        } else
            v[n++] = pr;
    }
    m->u.map.v = v;
    m->u.map.n = n;
    m->line = over->line;
    m->col = over->col;
    return m;
}

static const yv *resolve(wf_p *p, const yv *job, int depth)
{
    const yv *ext = yv_get(job, "extends");
    if (!ext || yv_is_null(ext))
        return job;
    if (depth >= MAX_EXTENDS_DEPTH) {
        wdiag(p, ext, "extends: nested deeper than %d levels (a cycle?); not followed",
              MAX_EXTENDS_DEPTH);
        return job;
    }
    const yv *merged = NULL;
    size_t n = ext->kind == YV_SEQ ? ext->u.seq.n : 1;
    for (size_t i = 0; i < n; i++) {
        const yv *name = ext->kind == YV_SEQ ? ext->u.seq.v[i] : ext;
        if (name->kind != YV_SCALAR) {
            wdiag(p, name, "extends: expected a job name, not %s; ignored", shape(name));
            continue;
        }
        const yv *parent = yv_get(p->root, name->u.str.s);
        if (!parent || parent->kind != YV_MAP) {
            /* it may come from an included file, which we do not read */
            continue;
        }
        merged = merge(p, merged, resolve(p, parent, depth + 1));
    }
    return merged ? merge(p, merged, job) : job;
}

static void gl_lines(wf_p *p, wf_job *j, node *out, const yv *v, const wf_shell *sh, int depth);

/* !reference [job, key, ...]: the value at that path of the (extended) job. */
static void gl_reference(wf_p *p, wf_job *j, node *out, const yv *ref, const wf_shell *sh,
                         int depth)
{
    if (depth >= MAX_REFERENCE_DEPTH || ref->u.seq.n == 0) {
        wdiag(p, ref, "!reference: nested too deep or empty; ignored");
        return;
    }
    const yv *at = p->root;
    for (size_t i = 0; i < ref->u.seq.n && at; i++) {
        const yv *k = ref->u.seq.v[i];
        at = k->kind == YV_SCALAR ? yv_get(at, k->u.str.s) : NULL;
        if (i == 0 && at)
            at = resolve(p, at, 0);
    }
    if (at)
        gl_lines(p, j, out, at, sh, depth + 1);
}

/* Script lines: a string, or a list of strings, lists of strings and !reference tags. */
static void gl_lines(wf_p *p, wf_job *j, node *out, const yv *v, const wf_shell *sh, int depth)
{
    if (!v || yv_is_null(v))
        return;
    if (v->kind == YV_SCALAR) {
        if (out)
            node_push(p->a, out, node_str(p->a, v->u.str.s, v->u.str.len, vpos(p, v)));
        scan_text(p, j, v, sh);
        return;
    }
    if (v->kind == YV_SEQ && v->tag && strcmp(v->tag, "!reference") == 0) {
        gl_reference(p, j, out, v, sh, depth);
        return;
    }
    if (v->kind != YV_SEQ || depth > MAX_REFERENCE_DEPTH) {
        wdiag(p, v, "a script must be a line or a list of lines, not %s; ignored", shape(v));
        return;
    }
    for (size_t i = 0; i < v->u.seq.n; i++)
        gl_lines(p, j, out, v->u.seq.v[i], sh, depth + 1);
}

typedef struct gl_tmpl {
    const yv *scanning; /* the include entry of Container-Scanning, when included */
    const yv *build;    /* the include entry of Jobs/Build or Auto-DevOps */
} gl_tmpl;

/* pipeline.includes: {type (local, remote, project, template, component), path, pos} */
static void gl_include_record(wf_p *p, node *list, const yv *e)
{
    static const char *const types[] = {"local", "remote", "project", "template", "component"};
    const char *type = NULL;
    const yv *path = NULL;
    if (e->kind == YV_SCALAR) {
        path = e;
        type = strncmp(e->u.str.s, "http", 4) == 0 ? "remote" : "local";
    }
    for (size_t i = 0; e->kind == YV_MAP && !type && i < sizeof types / sizeof types[0]; i++)
        if ((path = scalar(e, types[i])) != NULL)
            type = types[i];
    node *n = type ? node_map(p->a, vpos(p, e)) : NULL;
    if (!n)
        return;
    node_set_str(p->a, n, "type", type, nopos());
    node_set_strn(p->a, n, "path", path->u.str.s, path->u.str.len, vpos(p, path));
    if (strcmp(type, "project") == 0)
        set_scalar(p, n, "file", e, "file");
    node_push(p->a, list, n);
}

static void gl_include_one(const yv *e, gl_tmpl *t)
{
    const yv *tm = e->kind == YV_MAP ? scalar(e, "template") : NULL;
    const yv *comp = e->kind == YV_MAP ? scalar(e, "component") : NULL;
    if (tm) {
        const char *s = tm->u.str.s, *b = strrchr(s, '/');
        b = b ? b + 1 : s;
        if (strncmp(b, "Container-Scanning", 18) == 0)
            t->scanning = e;
        else if (strcmp(s, "Jobs/Build.gitlab-ci.yml") == 0 ||
                 strcmp(s, "Jobs/Build.latest.gitlab-ci.yml") == 0)
            t->build = e;
        else if (strncmp(s, "Auto-DevOps", 11) == 0) {
            t->build = e;
            t->scanning = e;
        }
    } else if (comp && strstr(comp->u.str.s, "/container-scanning@"))
        t->scanning = e;
}

static void gl_template_scan(wf_job *j, cpos at, const yv *written_allow)
{
    wf_scan s = {"gitlab-container-scanning", "image", 0, 0, NULL, 0, 1, NULL};
    int b;
    s.note = "GitLab container scanning reports vulnerabilities; it does not fail the job on them";
    if (written_allow && yv_bool_k8s(written_allow, &b) == 0 && b == 0)
        s.allowed_to_fail = 0;
    wf_job_scan(j, at, &s);
}

static void gitlab_job(wf_p *p, const yv *key, const yv *raw, const gl_tmpl *t)
{
    const yv *job = resolve(p, raw, 0);
    const char *name = key->u.str.s;
    node *jn = node_map(p->a, vpos(p, key));
    if (!jn)
        return;
    node_push(p->a, p->jobs, jn);
    node_set_strn(p->a, jn, "name", key->u.str.s, key->u.str.len, vpos(p, key));
    set_scalar(p, jn, "stage", job, "stage");
    needs_list(p, jn, yv_get(job, "needs"), 1);
    set_scalar(p, jn, "when", job, "when");
    const yv *img = yv_get(job, "image");
    if (img && img->kind == YV_MAP)
        img = yv_get(img, "name");
    if (img && img->kind == YV_SCALAR && !yv_is_null(img))
        node_set_strn(p->a, jn, "image", img->u.str.s, img->u.str.len, vpos(p, img));
    const yv *svc = get_kind(p, job, "services", YV_SEQ);
    if (svc) {
        node *l = node_set_list(p->a, jn, "services", vpos(p, svc));
        for (size_t i = 0; i < svc->u.seq.n; i++) {
            const yv *s = svc->u.seq.v[i];
            if (s->kind == YV_MAP)
                s = yv_get(s, "name");
            if (s && s->kind == YV_SCALAR)
                node_push(p->a, l, node_str(p->a, s->u.str.s, s->u.str.len, vpos(p, s)));
        }
    }
    wf_job j;
    job_init(&j, p->ctx, jn);
    const yv *af = yv_get(job, "allow_failure");
    int b;
    if (af && af->kind == YV_SCALAR && yv_bool_k8s(af, &b) == 0) {
        node_set_bool(p->a, jn, "allow_failure", b, vpos(p, af));
        if (b) {
            j.allow_failure = 1;
            j.allow_note = "the job has allow_failure: true";
        }
    } else if (af && af->kind == YV_MAP) {
        j.allow_codes = yv_get(af, "exit_codes");
        if (j.allow_codes)
            node_set_bool(p->a, jn, "allow_failure", 1, vpos(p, af));
    } else if (!af && yv_is(yv_get(job, "when"), "manual")) {
        j.allow_failure = 1;
        j.allow_note = "a manual job may fail without failing the pipeline";
    }
    wf_shell sh = {1, 0, {yv_get(job, "variables"), yv_get(p->root, "variables"), NULL}};
    if (sh.env[0] && sh.env[0]->kind != YV_MAP)
        sh.env[0] = NULL;
    if (sh.env[1] && sh.env[1]->kind != YV_MAP)
        sh.env[1] = NULL;
    const yv *dflt = yv_get(p->root, "default");
    const yv *before = yv_get(job, "before_script");
    if (!before)
        before = yv_get(dflt, "before_script") ? yv_get(dflt, "before_script")
                                                : yv_get(p->root, "before_script");
    const yv *script = yv_get(job, "script");
    const yv *after = yv_get(job, "after_script");
    if (!after)
        after = yv_get(dflt, "after_script") ? yv_get(dflt, "after_script")
                                              : yv_get(p->root, "after_script");
    if (before && !yv_is_null(before))
        gl_lines(p, &j, node_set_list(p->a, jn, "before_script", vpos(p, before)), before, &sh,
                 0);
    if (script && !yv_is_null(script))
        gl_lines(p, &j, node_set_list(p->a, jn, "script", vpos(p, script)), script, &sh, 0);
    if (after && !yv_is_null(after)) {
        sh.after_script = 1;
        j.sh_open = 0;
        j.pending = NULL;
        gl_lines(p, &j, node_set_list(p->a, jn, "after_script", vpos(p, after)), after, &sh, 0);
    }
    /* a job of an included template, adjusted in this file, keeps the template's script unless
       it writes its own */
    if (!script && t->scanning && strcmp(name, "container_scanning") == 0)
        gl_template_scan(&j, vpos(p, key), af);
    if (!script && t->build && strcmp(name, "build") == 0) {
        wf_job_build(&j, vpos(p, key), NULL, 0);
        wf_job_push(&j, vpos(p, key), NULL, 0);
    }
}

/* A template job that the file does not mention: positioned at the include entry. */
static void gitlab_template_job(wf_p *p, const char *name, const yv *at, int scanning)
{
    node *jn = node_map(p->a, vpos(p, at));
    if (!jn)
        return;
    node_push(p->a, p->jobs, jn);
    node_set_str(p->a, jn, "name", name, vpos(p, at));
    node_set_str(p->a, jn, "stage", scanning ? "test" : "build", nopos());
    node_set_bool(p->a, jn, "from_template", 1, vpos(p, at));
    wf_job j;
    job_init(&j, p->ctx, jn);
    if (scanning)
        gl_template_scan(&j, vpos(p, at), NULL);
    else {
        wf_job_build(&j, vpos(p, at), NULL, 0);
        wf_job_push(&j, vpos(p, at), NULL, 0);
    }
}

static void gitlab(wf_p *p, node *pipe)
{
    const yv *root = p->root;
    gl_tmpl t = {NULL, NULL};
    const yv *inc = yv_get(root, "include");
    node *incl = inc && !yv_is_null(inc) ? node_set_list(p->a, pipe, "includes", vpos(p, inc))
                                         : NULL;
    size_t ninc = inc && inc->kind == YV_SEQ ? inc->u.seq.n : inc && !yv_is_null(inc) ? 1 : 0;
    for (size_t i = 0; i < ninc; i++) {
        const yv *e = inc->kind == YV_SEQ ? inc->u.seq.v[i] : inc;
        gl_include_one(e, &t);
        if (incl)
            gl_include_record(p, incl, e);
    }
    int have_scanning = 0, have_build = 0;
    for (size_t i = 0; i < root->u.map.n; i++) {
        const yv *k = root->u.map.v[i].key, *v = root->u.map.v[i].val;
        const char *name = k->u.str.s;
        if (gl_keyword(name) || name[0] == '.' || k->u.str.len != strlen(name))
            continue;
        if (v->kind != YV_MAP) {
            /* GitLab refuses a job that is not a mapping; anything else here is a mistake */
            wdiag(p, v, "job %s must be a mapping, not %s; ignored", clip(p, name, k->u.str.len),
                  shape(v));
            continue;
        }
        have_scanning |= strcmp(name, "container_scanning") == 0;
        have_build |= strcmp(name, "build") == 0;
        gitlab_job(p, k, v, &t);
    }
    if (t.scanning && !have_scanning)
        gitlab_template_job(p, "container_scanning", t.scanning, 1);
    if (t.build && !have_build)
        gitlab_template_job(p, "build", t.build, 0);
}

/* ---- entry ---- */

static void index_lines(wf_p *p)
{
    size_t n = 1;
    for (size_t i = 0; i < p->srclen; i++)
        n += p->src[i] == '\n';
    p->line_off = arena_alloc(p->a, n * sizeof *p->line_off);
    if (!p->line_off) {
        p->src = NULL;
        return;
    }
    p->line_off[0] = 0;
    p->nlines = 1;
    for (size_t i = 0; i < p->srclen; i++)
        if (p->src[i] == '\n')
            p->line_off[p->nlines++] = i + 1;
}

int workflow_parse(parse_ctx *ctx, const char *data, size_t len, int format)
{
    int gitlab_fmt = format == CPOL_FORMAT_GITLAB;
    wf_p p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.a = ctx->a;
    p.doc = project_document(ctx, gitlab_fmt ? "gitlab" : "github");
    if (!p.doc)
        return -1;
    /* UTF-16 input: the loader reads it, but byte offsets of the text mean nothing here */
    int utf16 = len >= 2 && (((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) ||
                             ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF));
    if (!utf16) {
        p.src = data;
        p.srclen = len;
        index_lines(&p);
    }
    yaml_doc *docs = NULL;
    int nd = yaml_load(ctx, data, len, NULL, &docs);
    if (!docs)
        return -1;
    const yv *root = docs[0].root;
    /* a GitLab component or CI file may start with a `spec:` header document */
    if (root && docs[1].root && root->kind == YV_MAP && yv_get(root, "spec"))
        root = docs[1].root;
    if (!root && nd < 0)
        return -1;
    node *pipe = node_map(p.a, cpos_make(ctx->file, 1, 1));
    if (!pipe)
        return -1;
    node_set_str(p.a, pipe, "file", ctx->file, nopos());
    node_set_str(p.a, pipe, "kind", gitlab_fmt ? "gitlab" : "github", nopos());
    node_set(p.a, pipe, "document", p.doc);
    p.jobs = node_set_list(p.a, pipe, "jobs", nopos());
    node_push(p.a, project_list(ctx, "pipelines"), pipe);
    if (root && root->kind != YV_MAP) {
        wdiag(&p, root, "a %s must be a mapping, not %s",
              gitlab_fmt ? "GitLab CI file" : "GitHub workflow", shape(root));
        return -1;
    }
    if (root) {
        p.root = root;
        if (gitlab_fmt)
            gitlab(&p, pipe);
        else
            github(&p);
    }
    return nd < 0 ? -1 : 0;
}
