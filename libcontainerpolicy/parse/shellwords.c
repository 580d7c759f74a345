/*
 * shellwords.c - the shell lexer behind the docker run scanner (see shellwords.h).
 *
 * Grammar (POSIX shell "Token Recognition", plus bash's common extensions):
 *   token    := operator | redirection | word ; blanks and `\` newline separate, `#` at the start
 *               of a word comments to the end of the line
 *   operator := ";" | ";;" | ";&" | "&" | "&&" | "|" | "||" | "|&" | "(" | ")" | newline
 *   redirect := [digits] ("<" | ">" | ">>" | "<&" | ">&" | "<>" | ">|" | "<<<" | "&>" | "&>>")
 *               | "<<" | "<<-"  (a heredoc: its body, up to the delimiter line, is skipped)
 *   word     := { plain | "\" any | "'" any* "'" | '"' dq* '"' | "$'" .. "'" | dollar
 *               | "`" .. "`" }
 *   dollar   := "$" name | "$" special | "${" .. "}" | "$(" .. ")" | "$((" .. "))"
 * Quotes are removed; dollar forms and backticks are kept verbatim.
 */
#include "shellwords.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SH_FAIL SIZE_MAX
#define SH_MAX_NESTING 64
#define SH_MAX_HEREDOCS 16

typedef struct L {
    arena *a;
    const char *t;
    size_t start, end;
    sh_lex *out;
    int oom;
    const char *fail_msg; /* set by the skippers when they give up */
    size_t fail_at;       /* where the construct that failed starts */
} L;

typedef struct wbuf {
    char *s;
    size_t *src;
    size_t n, cap;
} wbuf;

static void wb_put(L *l, wbuf *w, char c, size_t src)
{
    if (w->n + 1 >= w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 32;
        char *ns = realloc(w->s, nc);
        if (!ns) {
            l->oom = 1;
            return;
        }
        w->s = ns;
        size_t *nsrc = realloc(w->src, nc * sizeof *nsrc);
        if (!nsrc) {
            l->oom = 1;
            return;
        }
        w->src = nsrc;
        w->cap = nc;
    }
    w->s[w->n] = c;
    w->src[w->n++] = src;
}

static void wb_raw(L *l, wbuf *w, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        wb_put(l, w, l->t[k], k);
}

static void *grow(L *l, void *v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return v;
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = arena_grow(l->a, v, n, nc, elem);
    if (!nv) {
        l->oom = 1;
        return NULL;
    }
    *cap = nc;
    return nv;
}

static sh_tok *push_tok(L *l)
{
    sh_tok *nv = grow(l, l->out->t, l->out->n, &l->out->cap, sizeof *nv);
    if (!nv)
        return NULL;
    l->out->t = nv;
    sh_tok *tk = &nv[l->out->n++];
    memset(tk, 0, sizeof *tk);
    return tk;
}

static void push_op(L *l, sh_kind kind, const char *op, size_t off, size_t len)
{
    sh_tok *tk = push_tok(l);
    if (!tk)
        return;
    tk->kind = (unsigned char)kind;
    memcpy(tk->op, op, len < 3 ? len : 3);
    tk->off = off;
    tk->end = off + len;
}

static void push_err(L *l, size_t off, const char *msg)
{
    sh_error *nv = grow(l, l->out->errs, l->out->nerrs, &l->out->errs_cap, sizeof *nv);
    if (!nv)
        return;
    l->out->errs = nv;
    nv[l->out->nerrs].off = off;
    nv[l->out->nerrs++].msg = msg;
}

static void push_sub(L *l, size_t off, size_t end)
{
    sh_span *nv = grow(l, l->out->subs, l->out->nsubs, &l->out->subs_cap, sizeof *nv);
    if (!nv)
        return;
    l->out->subs = nv;
    nv[l->out->nsubs].off = off;
    nv[l->out->nsubs++].end = end;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
static int is_meta(char c)
{
    return is_blank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
           c == ')' || c == '<' || c == '>';
}
static int is_name(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* `\` newline (or `\` CR LF, from scripts saved on Windows) joins lines: its length, or 0 */
static size_t continuation(const L *l, size_t i)
{
    if (i + 1 < l->end && l->t[i] == '\\' && l->t[i + 1] == '\n')
        return 2;
    if (i + 2 < l->end && l->t[i] == '\\' && l->t[i + 1] == '\r' && l->t[i + 2] == '\n')
        return 3;
    return 0;
}

/* ---- skipping nested constructs: each returns the index of the closing character ---- */

static size_t skip_paren(L *l, size_t j, int depth);

static size_t skip_squote(L *l, size_t j) /* j: after the opening quote */
{
    const char *q = memchr(l->t + j, '\'', l->end - j);
    if (!q)
        l->fail_msg = "unterminated single quote";
    return q ? (size_t)(q - l->t) : SH_FAIL;
}

static size_t skip_backtick(L *l, size_t j)
{
    for (; j < l->end; j++) {
        if (l->t[j] == '\\')
            j++;
        else if (l->t[j] == '`')
            return j;
    }
    l->fail_msg = "unterminated backquote";
    return SH_FAIL;
}

static size_t skip_dquote(L *l, size_t j, int depth)
{
    while (j < l->end) {
        char c = l->t[j];
        if (c == '\\') {
            j += 2;
            continue;
        }
        if (c == '"')
            return j;
        if (c == '$' && j + 1 < l->end && l->t[j + 1] == '(') {
            size_t k = skip_paren(l, j + 2, depth + 1);
            if (k == SH_FAIL)
                return SH_FAIL;
            j = k + 1;
            continue;
        }
        if (c == '`') {
            size_t k = skip_backtick(l, j + 1);
            if (k == SH_FAIL)
                return SH_FAIL;
            j = k + 1;
            continue;
        }
        j++;
    }
    l->fail_msg = "unterminated double quote";
    return SH_FAIL;
}

/* j: after "$(" (or "${" when brace); the index of the matching ")" or "}". */
static size_t skip_nested(L *l, size_t j, int depth, char open, char close)
{
    if (depth > SH_MAX_NESTING) {
        l->fail_msg = "substitutions nested too deeply";
        return SH_FAIL;
    }
    int n = 1;
    int word_start = 1;
    while (j < l->end) {
        char c = l->t[j];
        size_t k;
        switch (c) {
        case '\\':
            j += 2;
            word_start = 0;
            continue;
        case '\'':
            if ((k = skip_squote(l, j + 1)) == SH_FAIL)
                return SH_FAIL;
            j = k + 1;
            word_start = 0;
            continue;
        case '"':
            if ((k = skip_dquote(l, j + 1, depth + 1)) == SH_FAIL)
                return SH_FAIL;
            j = k + 1;
            word_start = 0;
            continue;
        case '`':
            if ((k = skip_backtick(l, j + 1)) == SH_FAIL)
                return SH_FAIL;
            j = k + 1;
            word_start = 0;
            continue;
        case '#':
            if (word_start && open == '(') {
                while (j < l->end && l->t[j] != '\n')
                    j++;
                continue;
            }
            break;
        default:
            break;
        }
        if (c == open) {
            n++;
        } else if (c == close && --n == 0) {
            return j;
        }
        word_start = is_meta(c);
        j++;
    }
    l->fail_msg = open == '(' ? "unterminated $(" : "unterminated ${";
    return SH_FAIL;
}

static size_t skip_paren(L *l, size_t j, int depth) { return skip_nested(l, j, depth, '(', ')'); }

/* ---- words ---- */

/* A "$..." form at i, appended verbatim; the index after it, or SH_FAIL. */
static size_t dollar(L *l, wbuf *w, size_t i, int *subst)
{
    size_t k;
    if (i + 1 >= l->end) {
        wb_put(l, w, '$', i);
        return i + 1;
    }
    char c = l->t[i + 1];
    if (c == '(') {
        int arith = i + 2 < l->end && l->t[i + 2] == '(';
        if ((k = skip_paren(l, i + 2, 0)) == SH_FAIL)
            return SH_FAIL;
        if (!arith)
            push_sub(l, i + 2, k);
        wb_raw(l, w, i, k + 1);
        *subst = 1;
        return k + 1;
    }
    if (c == '{') {
        if ((k = skip_nested(l, i + 2, 0, '{', '}')) == SH_FAIL)
            return SH_FAIL;
        wb_raw(l, w, i, k + 1);
        *subst = 1;
        return k + 1;
    }
    if (is_name(c) || strchr("@*#?$!-", c)) {
        *subst = 1;
        wb_put(l, w, '$', i);
        return i + 1;
    }
    wb_put(l, w, '$', i);
    return i + 1;
}

/*
 * One word starting at i. Fills tk (value copied into the arena) and returns the index after
 * it, or SH_FAIL with l->fail_msg set.
 */
static size_t lex_word(L *l, size_t i, sh_tok *tk)
{
    wbuf w = {NULL, NULL, 0, 0};
    int quoted = 0, subst = 0;
    size_t start = i, k, cs = i;
    while (i < l->end && !is_meta(l->t[i])) {
        char c = l->t[i];
        cs = i;
        if (c == '\\') {
            if (continuation(l, i)) {
                i += continuation(l, i);
                continue;
            }
            quoted = 1;
            if (i + 1 < l->end)
                wb_put(l, &w, l->t[i + 1], i + 1);
            i += 2;
        } else if (c == '\'') {
            if ((k = skip_squote(l, i + 1)) == SH_FAIL)
                goto fail;
            wb_raw(l, &w, i + 1, k);
            quoted = 1;
            i = k + 1;
        } else if (c == '$' && i + 1 < l->end && l->t[i + 1] == '\'') {
            /* $'...': ANSI-C quoting; escapes are kept as written */
            size_t j = i + 2;
            while (j < l->end && l->t[j] != '\'')
                j += l->t[j] == '\\' ? 2 : 1;
            if (j >= l->end) {
                l->fail_msg = "unterminated $' quote";
                goto fail;
            }
            wb_raw(l, &w, i + 2, j);
            quoted = 1;
            i = j + 1;
        } else if (c == '"') {
            quoted = 1;
            i++;
            for (;;) {
                if (i >= l->end) {
                    l->fail_msg = "unterminated double quote";
                    goto fail;
                }
                c = l->t[i];
                if (c == '"') {
                    i++;
                    break;
                }
                if (c == '\\' && i + 1 < l->end) {
                    char n = l->t[i + 1];
                    if (continuation(l, i)) {
                        i += continuation(l, i);
                    } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
                        wb_put(l, &w, n, i + 1);
                        i += 2;
                    } else {
                        wb_put(l, &w, c, i++);
                    }
                } else if (c == '$') {
                    cs = i;
                    if ((i = dollar(l, &w, i, &subst)) == SH_FAIL)
                        goto fail;
                } else if (c == '`') {
                    cs = i;
                    if ((k = skip_backtick(l, i + 1)) == SH_FAIL)
                        goto fail;
                    push_sub(l, i + 1, k);
                    wb_raw(l, &w, i, k + 1);
                    subst = 1;
                    i = k + 1;
                } else {
                    wb_put(l, &w, c, i++);
                }
            }
        } else if (c == '$') {
            if ((i = dollar(l, &w, i, &subst)) == SH_FAIL)
                goto fail;
        } else if (c == '`') {
            if ((k = skip_backtick(l, i + 1)) == SH_FAIL)
                goto fail;
            push_sub(l, i + 1, k);
            wb_raw(l, &w, i, k + 1);
            subst = 1;
            i = k + 1;
        } else {
            wb_put(l, &w, c, i++);
        }
    }
    if (i > l->end)
        i = l->end;
    tk->kind = SH_WORD;
    tk->off = start;
    tk->end = i;
    tk->quoted = (unsigned char)quoted;
    tk->subst = (unsigned char)subst;
    tk->len = w.n;
    tk->s = arena_strndup(l->a, w.s ? w.s : "", w.n);
    tk->src = arena_alloc(l->a, (w.n + 1) * sizeof *tk->src);
    if (!tk->s || !tk->src || l->oom) {
        l->oom = 1;
    } else {
        if (w.n)
            memcpy(tk->src, w.src, w.n * sizeof *tk->src);
        tk->src[w.n] = i;
    }
    free(w.s);
    free(w.src);
    return i;
fail:
    l->fail_at = cs;
    free(w.s);
    free(w.src);
    return SH_FAIL;
}

/* ---- heredocs ---- */

typedef struct heredoc {
    const char *delim;
    size_t len;
    int strip_tabs;
} heredoc;

/* i: just after the newline that ends the heredoc's command line. */
static size_t skip_bodies(L *l, size_t i, const heredoc *h, size_t nh)
{
    for (size_t k = 0; k < nh && i < l->end; k++) {
        while (i < l->end) {
            const char *nl = memchr(l->t + i, '\n', l->end - i);
            size_t e = nl ? (size_t)(nl - l->t) : l->end;
            size_t s = i;
            if (h[k].strip_tabs)
                while (s < e && l->t[s] == '\t')
                    s++;
            size_t le = e;
            if (le > s && l->t[le - 1] == '\r')
                le--;
            i = nl ? e + 1 : l->end;
            if (le - s == h[k].len && memcmp(l->t + s, h[k].delim, h[k].len) == 0)
                break;
        }
    }
    return i;
}

/* After an error at err_at: resume on the line after the one holding `from`; the "!" operator
   tells the command reader to drop the command that was cut. */
static size_t recover(L *l, size_t from, size_t err_at)
{
    push_err(l, err_at, l->fail_msg ? l->fail_msg : "cannot read this");
    l->fail_msg = NULL;
    push_op(l, SH_OP, "!", err_at, 1);
    const char *nl = memchr(l->t + from, '\n', l->end - from);
    return nl ? (size_t)(nl - l->t) : l->end;
}

int sh_lex_text(arena *a, const char *text, size_t start, size_t end, sh_lex *out)
{
    memset(out, 0, sizeof *out);
    L l = {a, text, start, end, out, 0, NULL, 0};
    heredoc hd[SH_MAX_HEREDOCS];
    size_t nh = 0;
    size_t i = start;
    while (i < end && !l.oom) {
        char c = text[i];
        if (continuation(&l, i)) {
            i += continuation(&l, i);
            continue;
        }
        if (is_blank(c)) {
            i++;
            continue;
        }
        if (c == '#') {
            while (i < end && text[i] != '\n')
                i++;
            continue;
        }
        if (c == '\n') {
            push_op(&l, SH_OP, "\n", i, 1);
            i = skip_bodies(&l, i + 1, hd, nh);
            nh = 0;
            continue;
        }
        size_t rest = end - i;
        const char *p = text + i;
        if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
            size_t n = 1;
            if (rest >= 2 && ((c == ';' && (p[1] == ';' || p[1] == '&')) ||
                              (c == '&' && p[1] == '&') ||
                              (c == '|' && (p[1] == '|' || p[1] == '&'))))
                n = 2;
            if (c == '&' && rest >= 2 && p[1] == '>') {
                n = rest >= 3 && p[2] == '>' ? 3 : 2;
                push_op(&l, SH_REDIR, p, i, n);
            } else {
                push_op(&l, SH_OP, p, i, n);
            }
            i += n;
            continue;
        }
        if (c == '<' || c == '>') {
            size_t n = 1;
            int here = 0, strip = 0;
            if (c == '<' && rest >= 3 && p[1] == '<' && p[2] == '<')
                n = 3;
            else if (c == '<' && rest >= 3 && p[1] == '<' && p[2] == '-')
                n = 3, here = strip = 1;
            else if (c == '<' && rest >= 2 && p[1] == '<')
                n = 2, here = 1;
            else if (rest >= 2 && (p[1] == '&' || (c == '<' && p[1] == '>') ||
                                   (c == '>' && (p[1] == '>' || p[1] == '|'))))
                n = 2;
            push_op(&l, SH_REDIR, p, i, n);
            i += n;
            if (!here)
                continue;
            while (i < end && is_blank(text[i]))
                i++;
            sh_tok d;
            memset(&d, 0, sizeof d);
            size_t after = i < end && !is_meta(text[i]) ? lex_word(&l, i, &d) : SH_FAIL;
            if (after == SH_FAIL) {
                if (!l.fail_msg)
                    l.fail_msg = "a heredoc needs a delimiter word";
                else
                    i = l.fail_at;
                i = recover(&l, i, i);
                continue;
            }
            if (nh < SH_MAX_HEREDOCS && d.s) {
                hd[nh].delim = d.s;
                hd[nh].len = d.len;
                hd[nh++].strip_tabs = strip;
            }
            i = after;
            continue;
        }
        sh_tok w;
        memset(&w, 0, sizeof w);
        size_t after = lex_word(&l, i, &w);
        if (after == SH_FAIL) {
            i = recover(&l, l.fail_at, l.fail_at);
            continue;
        }
        /* "2>file": the digits are the redirection's file descriptor, not a word */
        if (after < end && (text[after] == '<' || text[after] == '>') && !w.quoted && w.len &&
            strspn(w.s, "0123456789") == w.len) {
            i = after;
            continue;
        }
        sh_tok *tk = push_tok(&l);
        if (tk)
            *tk = w;
        i = after;
    }
    return l.oom ? -1 : 0;
}
