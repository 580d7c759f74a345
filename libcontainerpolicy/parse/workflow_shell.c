/*
 * workflow_shell.c - the shell text of GitHub `run:` and GitLab `script:` entries, read for what
 * matters to the container controls: image builds and pushes, vulnerability scanners and whether
 * their exit status can fail the job, and image signing. Called by workflow.c per script.
 *
 * What is read (a subset of the POSIX shell grammar, enough to find simple commands):
 *   script   := command (sep command)*
 *   sep      := newline | ';' | '&' | '&&' | '||' | '|' | '(' | ')'
 *   command  := prefix* word+            prefix: NAME=value, sudo, env, time, exec, command,
 *                                        nohup, !, if, then, else, elif, do, while, until, {
 *   word     := ( plain | '...' | "..." | $(...) | ${...} | `...` | \c )+
 * Comments (# at a word start) end at the newline; `\` newline continues a line; redirections
 * (`> file`, `2>&1`) are dropped with their target. Heredoc bodies are read as commands, which
 * finds nothing in practice. The exit status of a scanner counts unless `|| <not exit N>` follows
 * it, it pipes into another command without pipefail, or `set +e` is in force before a later
 * command.
 */
#include <stdlib.h>
#include <string.h>

#include "workflow_int.h"

#define MAX_WORDS 512 /* per command; the rest of a longer command is ignored */

enum { SEP_END, SEP_AND, SEP_OR, SEP_PIPE };

typedef struct sword {
    const char *s; /* unquoted text, NUL-terminated (arena) */
    size_t len;
    size_t off; /* where the word starts in the script */
} sword;

typedef struct scmd {
    sword *w;
    size_t n;
    int sep; /* what follows the command */
} scmd;

typedef struct lexer {
    arena *a;
    const char *t;
    size_t len, i;
    buf word;
} lexer;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int is_op(char c)
{
    return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '\n' || c == '<' ||
           c == '>';
}

/* Skip a $(...), ${...} or `...` whose opening is at i; copies it into the word as written. */
static void lex_nested(lexer *x)
{
    const char *t = x->t;
    size_t start = x->i;
    if (t[x->i] == '`') {
        x->i++;
        while (x->i < x->len && t[x->i] != '`')
            x->i += (t[x->i] == '\\' && x->i + 1 < x->len) ? 2 : 1;
        if (x->i < x->len)
            x->i++;
    } else {
        char open = t[x->i + 1], close = open == '(' ? ')' : '}';
        int depth = 0;
        x->i++;
        while (x->i < x->len) {
            char c = t[x->i];
            if (c == open)
                depth++;
            else if (c == close && --depth == 0) {
                x->i++;
                break;
            } else if (c == '\'') {
                const char *q = memchr(t + x->i + 1, '\'', x->len - x->i - 1);
                x->i = q ? (size_t)(q - t) : x->len - 1;
            }
            x->i++;
        }
    }
    if (x->i > x->len)
        x->i = x->len;
    buf_put(&x->word, t + start, x->i - start);
}

/* One word at x->i (not blank, not an operator). */
static void lex_word(lexer *x)
{
    const char *t = x->t;
    x->word.len = 0;
    while (x->i < x->len) {
        char c = t[x->i];
        if (is_blank(c) || is_op(c))
            break;
        if (c == '\\') {
            if (x->i + 1 < x->len && t[x->i + 1] != '\n')
                buf_putc(&x->word, t[x->i + 1]);
            x->i += 2;
        } else if (c == '\'') {
            const char *q = memchr(t + x->i + 1, '\'', x->len - x->i - 1);
            size_t end = q ? (size_t)(q - t) : x->len;
            buf_put(&x->word, t + x->i + 1, end - x->i - 1);
            x->i = q ? end + 1 : x->len;
        } else if (c == '"') {
            x->i++;
            while (x->i < x->len && t[x->i] != '"') {
                if (t[x->i] == '\\' && x->i + 1 < x->len && strchr("\"\\$`\n", t[x->i + 1])) {
                    if (t[x->i + 1] != '\n')
                        buf_putc(&x->word, t[x->i + 1]);
                    x->i += 2;
                } else if ((t[x->i] == '$' && x->i + 1 < x->len && t[x->i + 1] == '(') ||
                           t[x->i] == '`')
                    lex_nested(x);
                else
                    buf_putc(&x->word, t[x->i++]);
            }
            if (x->i < x->len)
                x->i++;
        } else if ((c == '$' && x->i + 1 < x->len && (t[x->i + 1] == '(' || t[x->i + 1] == '{')) ||
                   c == '`') {
            lex_nested(x);
        } else {
            buf_putc(&x->word, c);
            x->i++;
        }
    }
}

static void push_word(lexer *x, scmd *c, size_t *cap, size_t off)
{
    if (c->n >= MAX_WORDS)
        return;
    if (c->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        sword *v = arena_grow(x->a, c->w, c->n, ncap, sizeof *v);
        if (!v)
            return;
        c->w = v;
        *cap = ncap;
    }
    char *s = arena_strndup(x->a, x->word.data ? x->word.data : "", x->word.len);
    if (!s)
        return;
    c->w[c->n].s = s;
    c->w[c->n].len = x->word.len;
    c->w[c->n].off = off;
    c->n++;
}

/* Split the whole script into simple commands. */
static scmd *lex_script(arena *a, const char *t, size_t len, size_t *ncmd)
{
    lexer x = {a, t, len, 0, BUF_INIT};
    scmd *v = NULL;
    size_t n = 0, cap = 0, wcap = 0;
    scmd cur = {NULL, 0, SEP_END};
    for (;;) {
        while (x.i < len && is_blank(t[x.i]))
            x.i++;
        if (x.i + 1 < len && t[x.i] == '\\' && t[x.i + 1] == '\n') {
            x.i += 2;
            continue;
        }
        int sep = -1;
        if (x.i >= len)
            sep = SEP_END;
        else if (t[x.i] == '#') {
            while (x.i < len && t[x.i] != '\n')
                x.i++;
            continue;
        } else if (t[x.i] == '<' || t[x.i] == '>') {
            /* a redirection: drop it and its target */
            while (x.i < len && (t[x.i] == '<' || t[x.i] == '>'))
                x.i++;
            if (x.i < len && t[x.i] == '&') {
                x.i++;
                while (x.i < len && !is_blank(t[x.i]) && !is_op(t[x.i]))
                    x.i++;
                continue;
            }
            while (x.i < len && is_blank(t[x.i]))
                x.i++;
            if (x.i < len && !is_op(t[x.i]))
                lex_word(&x);
            continue;
        } else if (is_op(t[x.i])) {
            char c = t[x.i];
            int twice = x.i + 1 < len && t[x.i + 1] == c;
            sep = c == '|' ? (twice ? SEP_OR : SEP_PIPE) : c == '&' && twice ? SEP_AND : SEP_END;
            x.i += twice && (c == '|' || c == '&' || c == ';') ? 2 : 1;
        }
        if (sep >= 0) {
            if (cur.n > 0) {
                cur.sep = sep;
                if (n == cap) {
                    size_t ncap = cap ? cap * 2 : 16;
                    scmd *nv = arena_grow(a, v, n, ncap, sizeof *nv);
                    if (!nv)
                        break;
                    v = nv;
                    cap = ncap;
                }
                v[n++] = cur;
                cur.w = NULL;
                cur.n = 0;
                wcap = 0;
            }
            if (x.i >= len)
                break;
            continue;
        }
        size_t off = x.i;
        lex_word(&x);
        push_word(&x, &cur, &wcap, off);
    }
    buf_free(&x.word);
    *ncmd = n;
    return v;
}

/* ---- positions ---- */

static size_t chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

typedef struct mapper {
    const wf_lines *m;
    const char *text;
    size_t len;
    /* cursor over the source for block scalars: commands come in order */
    size_t text_line, text_off; /* a line of the text and where it starts */
    size_t src_line, src_off;   /* a line of the file (1-based) and where it starts */
} mapper;

static cpos map_pos(mapper *mp, size_t off)
{
    const wf_lines *m = mp->m;
    if (m->mode == WF_MAP_SAME_LINE)
        return cpos_make(m->file, m->line, m->col + (unsigned)chars(mp->text, off));
    if (m->mode != WF_MAP_BLOCK)
        return cpos_make(m->file, m->line, m->col);
    while (1) {
        const char *nl = memchr(mp->text + mp->text_off, '\n', mp->len - mp->text_off);
        size_t eol = nl ? (size_t)(nl - mp->text) : mp->len;
        if (off <= eol || !nl)
            break;
        mp->text_off = eol + 1;
        mp->text_line++;
    }
    unsigned line = m->line + 1 + (unsigned)mp->text_line;
    size_t in_line = chars(mp->text + mp->text_off, off - mp->text_off);
    if (!m->src)
        return cpos_make(m->file, line, 1 + (unsigned)in_line);
    while (mp->src_line < line && mp->src_off < m->srclen) {
        const char *nl = memchr(m->src + mp->src_off, '\n', m->srclen - mp->src_off);
        if (!nl) {
            mp->src_off = m->srclen;
            break;
        }
        mp->src_off = (size_t)(nl - m->src) + 1;
        mp->src_line++;
    }
    /* block scalar lines lose only their indentation: the difference in length is its width */
    const char *tnl = memchr(mp->text + mp->text_off, '\n', mp->len - mp->text_off);
    size_t tlen = (tnl ? (size_t)(tnl - mp->text) : mp->len) - mp->text_off;
    const char *snl = memchr(m->src + mp->src_off, '\n', m->srclen - mp->src_off);
    size_t slen = (snl ? (size_t)(snl - m->src) : m->srclen) - mp->src_off;
    if (slen > 0 && m->src[mp->src_off + slen - 1] == '\r')
        slen--;
    size_t sc = chars(m->src + mp->src_off, slen), tc = chars(mp->text + mp->text_off, tlen);
    size_t indent = mp->src_line == line && sc >= tc ? sc - tc : 0;
    return cpos_make(m->file, line, 1 + (unsigned)(indent + in_line));
}

/* ---- command helpers ---- */

static int weq(const sword *w, const char *s)
{
    return strcmp(w->s, s) == 0;
}

static const char *base(const char *s)
{
    const char *b = strrchr(s, '/');
    return b ? b + 1 : s;
}

static int is_assignment(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
           *s == '_')
        s++;
    return *s == '=';
}

/* Index of the command word after prefixes (assignments, sudo, env, keywords). */
static size_t skip_prefix(const scmd *c)
{
    static const char *const words[] = {"time", "exec", "command", "nohup", "!", "if", "then",
                                        "else", "elif", "do", "while", "until", "{", "}"};
    size_t i = 0;
    while (i < c->n) {
        const char *s = c->w[i].s;
        int hit = is_assignment(s);
        for (size_t k = 0; !hit && k < sizeof words / sizeof words[0]; k++)
            hit = strcmp(s, words[k]) == 0;
        if (hit) {
            i++;
            continue;
        }
        if (strcmp(s, "sudo") == 0 || strcmp(s, "env") == 0) {
            i++;
            while (i < c->n && (c->w[i].s[0] == '-' || is_assignment(c->w[i].s)))
                i++;
            continue;
        }
        break;
    }
    return i;
}

/* The value of --name/-short at word i: `--name v`, `--name=v`; NULL when word i is not it. */
static const sword *flag_value(const scmd *c, size_t *i, const char *lng, const char *shrt,
                               sword *tmp)
{
    const char *s = c->w[*i].s;
    size_t ll = lng ? strlen(lng) : 0;
    if ((lng && strcmp(s, lng) == 0) || (shrt && strcmp(s, shrt) == 0)) {
        if (*i + 1 >= c->n)
            return NULL;
        (*i)++;
        return &c->w[*i];
    }
    if (lng && strncmp(s, lng, ll) == 0 && s[ll] == '=') {
        tmp->s = s + ll + 1;
        tmp->len = c->w[*i].len - ll - 1;
        tmp->off = c->w[*i].off;
        return tmp;
    }
    return NULL;
}

static int has_flag(const scmd *c, size_t from, const char *f)
{
    size_t fl = strlen(f);
    for (size_t i = from; i < c->n; i++)
        if (strcmp(c->w[i].s, f) == 0 ||
            (strncmp(c->w[i].s, f, fl) == 0 && c->w[i].s[fl] == '=' &&
             strcmp(c->w[i].s + fl + 1, "false") != 0))
            return 1;
    return 0;
}

static long parse_code(const char *s, size_t len, int *ok)
{
    char *end;
    long v = strtol(s, &end, 10);
    *ok = len > 0 && end == s + len;
    return v;
}

/* ---- scanners ---- */

typedef struct sctx {
    wf_job *j;
    mapper *mp;
    const wf_shell *sh;
    const scmd *cmds;
    size_t n, k; /* commands and the current one */
} sctx;

/* Does the exit status of command k reach the job? Sets the note when not. */
static const char *swallowed(const sctx *x)
{
    const scmd *c = &x->cmds[x->k];
    if (x->sh->after_script)
        return "after_script failures do not fail the job";
    if (c->sep == SEP_OR && x->k + 1 < x->n) {
        const scmd *nx = &x->cmds[x->k + 1];
        size_t i = skip_prefix(nx);
        if (i < nx->n && (weq(&nx->w[i], "exit") || weq(&nx->w[i], "return"))) {
            if (i + 1 >= nx->n || !weq(&nx->w[i + 1], "0"))
                return NULL;
        } else if (i < nx->n && weq(&nx->w[i], "false"))
            return NULL;
        return "a `||` after it ignores its exit status";
    }
    if (c->sep == SEP_PIPE && !x->j->pipefail)
        return "its exit status is lost in a pipe (pipefail is off)";
    return NULL;
}

static void emit_scan(sctx *x, size_t at, wf_scan *s)
{
    const char *why = swallowed(x);
    if (why) {
        s->allowed_to_fail = 1;
        s->note = why;
    }
    node *n = wf_job_scan(x->j, map_pos(x->mp, x->cmds[x->k].w[at].off), s);
    if (n && !node_get_bool(n, "allowed_to_fail", 0) && !x->j->errexit)
        x->j->pending = n; /* its status counts only if nothing runs after it */
}

static const char *env_text(const sctx *x, const char *name, size_t *len)
{
    const yv *v = wf_env(x->sh, name);
    if (!v || v->kind != YV_SCALAR)
        return NULL;
    *len = v->u.str.len;
    return v->u.str.s;
}

static void set_exit_code(wf_scan *s, const char *v, size_t len, const char *what)
{
    int ok;
    long code = parse_code(v, len, &ok);
    if (ok) {
        s->gates = code != 0;
        s->exit_code = (int)code;
        if (!code)
            s->note = "--exit-code is 0";
    } else {
        s->unresolved = wf_unresolved(v, len);
        s->note = what;
    }
}

static void scan_trivy(sctx *x, const scmd *c, size_t at)
{
    static const char *const subs[] = {"image", "i", "fs", "filesystem", "repo", "repository",
                                       "config", "conf", "sbom", "rootfs", "vm", "k8s",
                                       "kubernetes", "aws", "server", "plugin", "module",
                                       "version", "clean", "convert", "registry", "vex", "help"};
    static const char *const valued[] = {"--exit-code", "--severity", "-s", "--format", "-f",
                                         "--output", "-o", "--template", "-t", "--cache-dir",
                                         "--timeout", "--ignorefile", "--scanners", "--pkg-types",
                                         "--vuln-type", "--input", "--platform", "--config",
                                         "-c", "--username", "--password", "--server",
                                         "--token", "--skip-dirs", "--skip-files",
                                         "--image-src", "--db-repository", "--ignore-policy"};
    wf_scan s = {"trivy", NULL, 0, 0, NULL, 0, 0, NULL};
    const sword *code = NULL, *sev = NULL;
    sword tmp1, tmp2;
    const char *target = NULL;
    for (size_t i = at + 1; i < c->n; i++) {
        const sword *v;
        if ((v = flag_value(c, &i, "--exit-code", NULL, &tmp1)) != NULL) {
            code = v;
            continue;
        }
        if ((v = flag_value(c, &i, "--severity", "-s", &tmp2)) != NULL) {
            sev = v;
            continue;
        }
        const char *w = c->w[i].s;
        if (w[0] == '-') {
            for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
                if (strcmp(w, valued[k]) == 0) {
                    i++;
                    break;
                }
            continue;
        }
        if (!target) {
            target = "image"; /* `trivy alpine:3` is the old spelling of `trivy image` */
            for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++)
                if (strcmp(w, subs[k]) == 0)
                    target = subs[k];
        }
    }
    if (!target)
        return;
    if (strcmp(target, "i") == 0 || strcmp(target, "image") == 0)
        target = "image";
    else if (strcmp(target, "filesystem") == 0)
        target = "fs";
    else if (strcmp(target, "repository") == 0)
        target = "repo";
    else if (strcmp(target, "conf") == 0)
        target = "config";
    else if (strcmp(target, "fs") && strcmp(target, "repo") && strcmp(target, "config") &&
             strcmp(target, "sbom") && strcmp(target, "rootfs") && strcmp(target, "vm"))
        return; /* not a scan */
    s.target = target;
    size_t elen;
    const char *ev;
    if (code)
        set_exit_code(&s, code->s, code->len, "--exit-code is not a number we can read");
    else if ((ev = env_text(x, "TRIVY_EXIT_CODE", &elen)) != NULL)
        set_exit_code(&s, ev, elen, "TRIVY_EXIT_CODE is not a number we can read");
    else
        s.note = "trivy exits 0 on vulnerabilities unless --exit-code is set";
    if (sev)
        s.severity = wf_severity_list(x->j->ctx->a, sev->s, sev->len);
    else if ((ev = env_text(x, "TRIVY_SEVERITY", &elen)) != NULL)
        s.severity = wf_severity_list(x->j->ctx->a, ev, elen);
    if ((sev && !s.severity) || (!sev && ev && !s.severity))
        s.unresolved = 1;
    emit_scan(x, at, &s);
}

static void scan_grype(sctx *x, const scmd *c, size_t at)
{
    wf_scan s = {"grype", NULL, 0, 0, NULL, 1, 0, NULL};
    const sword *fail = NULL, *target = NULL;
    sword tmp;
    for (size_t i = at + 1; i < c->n; i++) {
        const sword *v = flag_value(c, &i, "--fail-on", "-f", &tmp);
        if (v) {
            fail = v;
            continue;
        }
        const char *w = c->w[i].s;
        if (w[0] == '-') {
            if (!strchr(w, '=') && i + 1 < c->n &&
                (strcmp(w, "-o") == 0 || strcmp(w, "--output") == 0 || strcmp(w, "-c") == 0 ||
                 strcmp(w, "--config") == 0 || strcmp(w, "--file") == 0 ||
                 strcmp(w, "--platform") == 0 || strcmp(w, "-t") == 0 ||
                 strcmp(w, "--template") == 0 || strcmp(w, "--scope") == 0 ||
                 strcmp(w, "-s") == 0 || strcmp(w, "--exclude") == 0))
                i++;
            continue;
        }
        if (!target)
            target = &c->w[i];
    }
    if (target && (weq(target, "db") || weq(target, "version") || weq(target, "completion") ||
                   weq(target, "config") || weq(target, "explain") || weq(target, "help")))
        return;
    if (target) {
        const char *t = target->s;
        if (strncmp(t, "dir:", 4) == 0 || strcmp(t, ".") == 0 || strncmp(t, "./", 2) == 0)
            s.target = "fs";
        else if (strncmp(t, "sbom:", 5) == 0 || strncmp(t, "file:", 5) == 0)
            s.target = "sbom";
        else
            s.target = "image";
    }
    size_t elen;
    const char *ev = NULL;
    if (fail || (ev = env_text(x, "GRYPE_FAIL_ON_SEVERITY", &elen)) != NULL) {
        const char *t = fail ? fail->s : ev;
        size_t tl = fail ? fail->len : elen;
        s.severity = wf_severity_from(t, tl);
        s.gates = s.severity != NULL;
        s.unresolved = !s.severity && wf_unresolved(t, tl);
        if (!s.severity)
            s.note = "--fail-on is not a severity we can read";
    } else
        s.note = "grype exits 0 on vulnerabilities unless --fail-on is set";
    emit_scan(x, at, &s);
}

static void scan_scout(sctx *x, const scmd *c, size_t from, size_t at)
{
    wf_scan s = {"docker-scout", "image", 0, 0, NULL, 2, 0, NULL};
    const sword *sev = NULL;
    sword tmp;
    int found_target = 0;
    for (size_t i = from; i < c->n; i++) {
        const sword *v = flag_value(c, &i, "--only-severity", NULL, &tmp);
        if (v) {
            sev = v;
            continue;
        }
        const char *w = c->w[i].s;
        if (strcmp(w, "--exit-code") == 0 || strcmp(w, "-e") == 0 ||
            strcmp(w, "--exit-code=true") == 0)
            s.gates = 1;
        else if (w[0] != '-' && !found_target) {
            found_target = 1;
            if (strncmp(w, "fs://", 5) == 0)
                s.target = "fs";
            else if (strncmp(w, "sbom://", 7) == 0)
                s.target = "sbom";
        }
    }
    if (!s.gates)
        s.note = "docker scout cves exits 0 on vulnerabilities unless --exit-code is set";
    if (sev) {
        s.severity = wf_severity_list(x->j->ctx->a, sev->s, sev->len);
        if (!s.severity)
            s.unresolved = 1;
    }
    emit_scan(x, at, &s);
}

static void scan_snyk(sctx *x, const scmd *c, size_t from, size_t at, int monitor)
{
    wf_scan s = {"snyk", "image", !monitor, 0, NULL, 1, 0, NULL};
    sword tmp;
    if (monitor)
        s.note = "snyk container monitor only records the image; it does not test it";
    for (size_t i = from; i < c->n && !monitor; i++) {
        const sword *v = flag_value(c, &i, "--severity-threshold", NULL, &tmp);
        if (v) {
            s.severity = wf_severity_from(v->s, v->len);
            if (!s.severity)
                s.unresolved = 1;
        }
    }
    emit_scan(x, at, &s);
}

/* ---- builds, pushes, signing ---- */

static void add_refs(sctx *x, const scmd *c, size_t from, const char *lng, const char *shrt,
                     int push, cpos at)
{
    sword tmp;
    int any = 0;
    for (size_t i = from; i < c->n; i++) {
        const sword *v = flag_value(c, &i, lng, shrt, &tmp);
        if (v) {
            any = 1;
            if (push)
                wf_job_push(x->j, at, v->s, v->len);
            else
                wf_job_build(x->j, at, v->s, v->len);
        }
    }
    if (!any) {
        if (push)
            wf_job_push(x->j, at, NULL, 0);
        else
            wf_job_build(x->j, at, NULL, 0);
    }
}

/* `--push`, `--output type=registry`, `-o type=image,push=true`. */
static int build_pushes(const scmd *c, size_t from)
{
    sword tmp;
    for (size_t i = from; i < c->n; i++) {
        const char *w = c->w[i].s;
        if (strcmp(w, "--push") == 0 || strcmp(w, "--push=true") == 0)
            return 1;
        const sword *v = flag_value(c, &i, "--output", "-o", &tmp);
        if (v && (strstr(v->s, "type=registry") ||
                  (strstr(v->s, "type=image") && strstr(v->s, "push=true"))))
            return 1;
    }
    return 0;
}

static void docker_build(sctx *x, const scmd *c, size_t from, size_t at, int buildah)
{
    cpos p = map_pos(x->mp, c->w[at].off);
    add_refs(x, c, from, "--tag", "-t", 0, p);
    if (!buildah && build_pushes(c, from))
        add_refs(x, c, from, "--tag", "-t", 1, p);
}

static void docker_push(sctx *x, const scmd *c, size_t from, size_t at)
{
    cpos p = map_pos(x->mp, c->w[at].off);
    for (size_t i = from; i < c->n; i++) {
        const char *w = c->w[i].s;
        if (w[0] == '-')
            continue;
        wf_job_push(x->j, p, w, c->w[i].len);
        return;
    }
    wf_job_push(x->j, p, NULL, 0);
}

/* docker / podman: global options, then the (possibly two-word) subcommand. */
static void cmd_docker(sctx *x, const scmd *c, size_t at)
{
    size_t i = at + 1;
    while (i < c->n && c->w[i].s[0] == '-') {
        const char *w = c->w[i].s;
        if (!strchr(w, '=') && (strcmp(w, "-H") == 0 || strcmp(w, "--host") == 0 ||
                                strcmp(w, "--context") == 0 || strcmp(w, "-c") == 0 ||
                                strcmp(w, "--config") == 0 || strcmp(w, "--log-level") == 0 ||
                                strcmp(w, "-l") == 0))
            i++;
        i++;
    }
    if (i >= c->n)
        return;
    const sword *sub = &c->w[i];
    const sword *sub2 = i + 1 < c->n ? &c->w[i + 1] : NULL;
    if (weq(sub, "build"))
        docker_build(x, c, i + 1, at, 0);
    else if ((weq(sub, "image") || weq(sub, "buildx") || weq(sub, "builder")) && sub2 &&
             (weq(sub2, "build") || (weq(sub, "buildx") && weq(sub2, "b"))))
        docker_build(x, c, i + 2, at, 0);
    else if (weq(sub, "buildx") && sub2 && weq(sub2, "bake")) {
        cpos p = map_pos(x->mp, c->w[at].off);
        wf_job_build(x->j, p, NULL, 0);
        if (build_pushes(c, i + 2))
            wf_job_push(x->j, p, NULL, 0);
    } else if (weq(sub, "push"))
        docker_push(x, c, i + 1, at);
    else if ((weq(sub, "image") || weq(sub, "manifest")) && sub2 && weq(sub2, "push"))
        docker_push(x, c, i + 2, at);
    else if (weq(sub, "scout") && sub2 && (weq(sub2, "cves") || weq(sub2, "cve")))
        scan_scout(x, c, i + 2, at);
}

static void cmd_buildah(sctx *x, const scmd *c, size_t at)
{
    size_t i = at + 1;
    while (i < c->n && c->w[i].s[0] == '-')
        i++;
    if (i >= c->n)
        return;
    const sword *sub = &c->w[i];
    if (weq(sub, "bud") || weq(sub, "build") || weq(sub, "build-using-dockerfile"))
        docker_build(x, c, i + 1, at, 1);
    else if (weq(sub, "push"))
        docker_push(x, c, i + 1, at);
    else if (weq(sub, "manifest") && i + 1 < c->n && weq(&c->w[i + 1], "push"))
        docker_push(x, c, i + 2, at);
}

/* The kaniko executor builds and pushes to every --destination unless --no-push. */
static void cmd_kaniko(sctx *x, const scmd *c, size_t at)
{
    int kaniko = 0;
    for (size_t i = at + 1; i < c->n && !kaniko; i++) {
        const char *w = c->w[i].s;
        kaniko = strncmp(w, "--context", 9) == 0 || strncmp(w, "--destination", 13) == 0 ||
                 strncmp(w, "--dockerfile", 12) == 0 || strcmp(w, "--no-push") == 0;
    }
    if (!kaniko)
        return;
    cpos p = map_pos(x->mp, c->w[at].off);
    add_refs(x, c, at + 1, "--destination", "-d", 0, p);
    if (!has_flag(c, at + 1, "--no-push"))
        add_refs(x, c, at + 1, "--destination", "-d", 1, p);
}

static void cmd_sign(sctx *x, const scmd *c, size_t at, const char *tool)
{
    if (at + 1 >= c->n)
        return;
    const sword *sub = &c->w[at + 1];
    cpos p = map_pos(x->mp, c->w[at].off);
    if (weq(sub, "sign"))
        wf_job_sign(x->j, p, tool, 0);
    else if (weq(sub, "verify"))
        wf_job_sign(x->j, p, tool, 1);
}

/* `set -e`, `set +e`, `set -eo pipefail`, `set +o pipefail`, `set -o errexit`. */
static void cmd_set(sctx *x, const scmd *c, size_t at)
{
    for (size_t i = at + 1; i < c->n; i++) {
        const char *w = c->w[i].s;
        if (w[0] != '-' && w[0] != '+')
            continue;
        int on = w[0] == '-';
        if (strchr(w + 1, 'e'))
            x->j->errexit = on;
        if (strchr(w + 1, 'o') && i + 1 < c->n) {
            if (weq(&c->w[i + 1], "pipefail"))
                x->j->pipefail = on;
            else if (weq(&c->w[i + 1], "errexit"))
                x->j->errexit = on;
            i++;
        }
    }
}

void wf_shell_scan(wf_job *j, const char *text, size_t len, const wf_lines *map,
                   const wf_shell *sh)
{
    size_t n = 0;
    scmd *cmds = lex_script(j->ctx->a, text, len, &n);
    mapper mp = {map, text, len, 0, 0, map->line + 1, map->first_off};
    sctx x = {j, &mp, sh, cmds, n, 0};
    if (!j->sh_open) {
        j->sh_open = 1;
        j->errexit = 1;
        j->pipefail = sh->pipefail;
        j->pending = NULL;
    }
    for (x.k = 0; x.k < n; x.k++) {
        const scmd *c = &cmds[x.k];
        size_t at = skip_prefix(c);
        if (at >= c->n)
            continue;
        if (j->pending) {
            node_set_bool(j->ctx->a, j->pending, "allowed_to_fail", 1, cpos_make(NULL, 0, 0));
            node_set_str(j->ctx->a, j->pending, "note",
                         "errexit is off (set +e), so a later command decides the exit status",
                         cpos_make(NULL, 0, 0));
            j->pending = NULL;
        }
        const char *w = base(c->w[at].s);
        if (strcmp(w, "docker") == 0 || strcmp(w, "podman") == 0)
            cmd_docker(&x, c, at);
        else if (strcmp(w, "buildah") == 0)
            cmd_buildah(&x, c, at);
        else if (strcmp(w, "executor") == 0)
            cmd_kaniko(&x, c, at);
        else if (strcmp(w, "trivy") == 0)
            scan_trivy(&x, c, at);
        else if (strcmp(w, "grype") == 0)
            scan_grype(&x, c, at);
        else if (strcmp(w, "docker-scout") == 0 && at + 1 < c->n &&
                 (weq(&c->w[at + 1], "cves") || weq(&c->w[at + 1], "cve")))
            scan_scout(&x, c, at + 2, at);
        else if (strcmp(w, "snyk") == 0 && at + 2 < c->n && weq(&c->w[at + 1], "container") &&
                 (weq(&c->w[at + 2], "test") || weq(&c->w[at + 2], "monitor")))
            scan_snyk(&x, c, at + 3, at, weq(&c->w[at + 2], "monitor"));
        else if (strcmp(w, "cosign") == 0)
            cmd_sign(&x, c, at, "cosign");
        else if (strcmp(w, "notation") == 0)
            cmd_sign(&x, c, at, "notation");
        else if (strcmp(w, "set") == 0)
            cmd_set(&x, c, at);
    }
}
