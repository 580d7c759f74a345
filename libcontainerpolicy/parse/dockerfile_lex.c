/*
 * dockerfile_lex.c - first stage of the Dockerfile parser: physical lines to logical
 * instructions, remembering where every byte was written. dockerfile.c builds the model on top.
 *
 * Grammar (Dockerfile reference, BuildKit's parser):
 *   file        := [BOM] directive* line*
 *   directive   := "#" ws* key ws* "=" ws* value ws* EOL     (only before anything else; keys
 *                  syntax, escape, check, case-insensitive; anything else ends the directives)
 *   line        := ws* "#" ... EOL  (comment)  |  ws* EOL  |  instruction
 *   instruction := ws* KEYWORD ws+ args { ESC ws* EOL cont-line } EOL heredoc-body*
 *   cont-line   := comment and blank lines are dropped; others are appended as written
 *   heredoc     := word-start digits? "<<" ["-"] delimiter   (RUN, COPY, ADD; several per line,
 *                  bodies follow in order, each ends at a line equal to the delimiter; "<<-"
 *                  strips leading tabs from body and terminator)
 * Lines end at LF; a CR before it is dropped.
 */
#include "dockerfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DF_MAX_DIAGS 100

void df_diag(df_lexer *lx, unsigned int line, unsigned int col, const char *fmt, ...)
{
    diag_sink *d = lx->ctx->diags;
    if (!d || lx->diag_capped)
        return;
    if (d->n - lx->diag_base >= DF_MAX_DIAGS) {
        diag_add(d, lx->ctx->file, line, col, "too many problems; the rest are not reported");
        lx->diag_capped = 1;
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(d, lx->ctx->file, line, col, "%s", msg);
}

/* The physical line at lx->pos: [*s, *s + *n) without the EOL; advances. 0 at the end, 2 for
   a line over the length limit (reported when report is set). */
static int next_line(df_lexer *lx, const char **s, size_t *n, unsigned int *lineno, int report)
{
    if (lx->pos >= lx->len)
        return 0;
    const char *p = lx->data + lx->pos;
    size_t rest = lx->len - lx->pos;
    const char *nl = memchr(p, '\n', rest);
    size_t len = nl ? (size_t)(nl - p) : rest;
    lx->pos += nl ? len + 1 : len;
    *lineno = lx->line++;
    if (len && p[len - 1] == '\r')
        len--;
    *s = p;
    *n = len;
    size_t max = lx->ctx->limits ? lx->ctx->limits->max_line_length : 0;
    if (max && len > max) {
        if (report)
            df_diag(lx, *lineno, (unsigned int)max + 1,
                    "line is %zu bytes long; the limit is %zu", len, max);
        return 2;
    }
    return 1;
}

static int is_ws(char c) { return c == ' ' || c == '\t'; }

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* Column of byte p of a line starting at s; the BOM does not count on line 1. */
static unsigned int col_of(const df_lexer *lx, const char *s, const char *p)
{
    size_t c = (size_t)(p - s) + 1;
    if (s == lx->data && lx->bom)
        c -= lx->bom;
    return (unsigned int)c;
}

/* "# key = value": 1 and the parts when the line has that shape. */
static int directive_shape(const char *s, size_t n, size_t *k0, size_t *k1, size_t *v0,
                           size_t *v1)
{
    size_t i = 0;
    while (i < n && is_ws(s[i]))
        i++;
    if (i == n || s[i] != '#')
        return 0;
    i++;
    while (i < n && is_ws(s[i]))
        i++;
    if (i == n || !is_alpha(s[i]))
        return 0;
    *k0 = i;
    while (i < n && is_alnum(s[i]))
        i++;
    *k1 = i;
    while (i < n && is_ws(s[i]))
        i++;
    if (i == n || s[i] != '=')
        return 0;
    i++;
    while (i < n && is_ws(s[i]))
        i++;
    size_t e = n;
    while (e > i && is_ws(s[e - 1]))
        e--;
    if (e == i)
        return 0;
    *v0 = i;
    *v1 = e;
    return 1;
}

static void read_directives(df_lexer *lx)
{
    static const char *const known[] = {"syntax", "escape", "check"};
    for (;;) {
        size_t save_pos = lx->pos;
        unsigned int save_line = lx->line;
        const char *s;
        size_t n, k0, k1, v0, v1;
        unsigned int ln;
        int r = next_line(lx, &s, &n, &ln, 0);
        if (r == 0)
            return;
        if (lx->bom && s == lx->data) {
            s += lx->bom;
            n -= n >= lx->bom ? lx->bom : n;
        }
        const char *key = NULL;
        if (r == 1 && directive_shape(s, n, &k0, &k1, &v0, &v1))
            for (size_t i = 0; i < 3; i++)
                if (strlen(known[i]) == k1 - k0 && strncasecmp(s + k0, known[i], k1 - k0) == 0)
                    key = known[i];
        if (!key) {
            /* a comment, blank line or instruction ends the directives: read it again */
            lx->pos = save_pos;
            lx->line = save_line;
            return;
        }
        unsigned int col = col_of(lx, lx->bom && ln == 1 ? lx->data : s, s + v0);
        int dup = 0;
        for (size_t i = 0; i < lx->ndirectives; i++)
            if (lx->directives[i].key == key)
                dup = 1;
        if (dup) {
            df_diag(lx, ln, col, "only one '%s' parser directive may be used; this one is ignored",
                    key);
            continue;
        }
        if (key == known[1]) {
            if (v1 - v0 == 1 && (s[v0] == '\\' || s[v0] == '`')) {
                lx->escape = s[v0];
            } else {
                df_diag(lx, ln, col,
                        "invalid escape directive '%.*s': the escape character must be \\ or `",
                        (int)(v1 - v0), s + v0);
                continue;
            }
        }
        df_directive *d = &lx->directives[lx->ndirectives++];
        d->key = key;
        d->value = arena_strndup(lx->ctx->a, s + v0, v1 - v0);
        d->line = ln;
        d->col = col;
    }
}

int df_lex_init(df_lexer *lx, parse_ctx *ctx, const char *data, size_t len)
{
    memset(lx, 0, sizeof *lx);
    lx->ctx = ctx;
    lx->data = data;
    lx->len = len;
    lx->line = 1;
    lx->escape = '\\';
    lx->diag_base = ctx->diags ? ctx->diags->n : 0;
    const char *nul = len ? memchr(data, '\0', len) : NULL;
    if (nul) {
        unsigned int line = 1;
        const char *ls = data;
        for (const char *p = data; p < nul; p++)
            if (*p == '\n') {
                line++;
                ls = p + 1;
            }
        df_diag(lx, line, (unsigned int)(nul - ls) + 1,
                "binary data (NUL byte): not a Dockerfile");
        return -1;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        lx->bom = 3;
    read_directives(lx);
    return 0;
}

void df_lex_free(df_lexer *lx)
{
    buf_free(&lx->text);
    buf_free(&lx->body);
}

static void add_seg(df_lexer *lx, unsigned int line, unsigned int col)
{
    if (lx->nsegs == lx->segcap) {
        size_t cap = lx->segcap ? lx->segcap * 2 : 16;
        df_seg *v = arena_grow(lx->ctx->a, lx->segs, lx->nsegs, cap, sizeof *v);
        if (!v)
            return;
        lx->segs = v;
        lx->segcap = cap;
    }
    df_seg *sg = &lx->segs[lx->nsegs++];
    sg->off = lx->text.len;
    sg->line = line;
    sg->col = col;
}

cpos df_pos(const df_lexer *lx, const df_inst *in, size_t off)
{
    size_t lo = 0, hi = in->nsegs;
    if (!hi)
        return cpos_make(lx->ctx->file, in->line, in->col);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (in->segs[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    const df_seg *sg = &in->segs[lo];
    return cpos_make(lx->ctx->file, sg->line, sg->col + (unsigned int)(off - sg->off));
}

static int is_meta(char c)
{
    return c == '<' || c == '>' || c == '|' || c == '&' || c == ';' || c == '(' || c == ')';
}

static df_heredoc *new_heredoc(df_lexer *lx)
{
    if (lx->nhd == lx->hdcap) {
        size_t cap = lx->hdcap ? lx->hdcap * 2 : 4;
        df_heredoc *v = arena_grow(lx->ctx->a, lx->hd, lx->nhd, cap, sizeof *v);
        if (!v)
            return NULL;
        lx->hd = v;
        lx->hdcap = cap;
    }
    df_heredoc *h = &lx->hd[lx->nhd++];
    memset(h, 0, sizeof *h);
    return h;
}

/* Find the heredoc openers of t[from..len): only at the start of an unquoted word. */
static void find_heredocs(df_lexer *lx, const char *t, size_t from, size_t len)
{
    char esc = lx->escape;
    int word_start = 1;
    size_t i = from;
    while (i < len) {
        char c = t[i];
        if (is_ws(c)) {
            word_start = 1;
            i++;
            continue;
        }
        if (word_start) {
            size_t j = i;
            while (j < len && t[j] >= '0' && t[j] <= '9')
                j++;
            if (j + 2 < len && t[j] == '<' && t[j + 1] == '<' && t[j + 2] != '<') {
                size_t at = j;
                j += 2;
                int strip = 0;
                if (j < len && t[j] == '-') {
                    strip = 1;
                    j++;
                }
                /* the delimiter, quotes removed; any quote makes the body literal */
                buf *b = &lx->body;
                b->len = 0;
                int quoted = 0;
                while (j < len && !is_ws(t[j]) && !is_meta(t[j])) {
                    if (t[j] == '"' || t[j] == '\'') {
                        char q = t[j++];
                        quoted = 1;
                        size_t k = j;
                        while (k < len && t[k] != q)
                            k++;
                        buf_put(b, t + j, k - j);
                        j = k < len ? k + 1 : k;
                    } else {
                        buf_putc(b, t[j++]);
                    }
                }
                if (b->len && !b->failed) {
                    df_heredoc *h = new_heredoc(lx);
                    if (h) {
                        h->delim = arena_strndup(lx->ctx->a, b->data, b->len);
                        h->off = at;
                        h->strip_tabs = strip;
                        h->quoted = quoted;
                    }
                }
                i = j;
                word_start = 0;
                continue;
            }
        }
        word_start = 0;
        if (c == esc) {
            i += 2;
        } else if (c == '\'' || c == '"') {
            i++;
            while (i < len && t[i] != c) {
                if (c == '"' && t[i] == esc)
                    i++;
                i++;
            }
            i++;
        } else {
            i++;
        }
    }
}

static void read_heredoc_body(df_lexer *lx, df_heredoc *h, df_inst *in)
{
    buf *b = &lx->body;
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
    size_t dlen = strlen(h->delim);
    const char *s;
    size_t n;
    unsigned int ln;
    h->body_line = lx->line;
    int r;
    while ((r = next_line(lx, &s, &n, &ln, 1)) != 0) {
        in->end_line = ln;
        if (r == 2)
            in->bad = 1;
        if (h->strip_tabs)
            while (n && *s == '\t') {
                s++;
                n--;
            }
        if (n == dlen && memcmp(s, h->delim, n) == 0) {
            h->terminated = 1;
            break;
        }
        buf_put(b, s, n);
        buf_putc(b, '\n');
    }
    h->body_len = b->len;
    h->body = arena_strndup(lx->ctx->a, b->data ? b->data : "", b->len);
}

int df_lex_next(df_lexer *lx, df_inst *out)
{
    memset(out, 0, sizeof *out);
    lx->text.len = 0;
    lx->nsegs = 0;
    lx->nhd = 0;
    int started = 0, bad = 0;
    const char *s;
    size_t n;
    unsigned int ln;
    int r;
    while ((r = next_line(lx, &s, &n, &ln, 1)) != 0) {
        const char *ls = s; /* line start, for columns */
        if (lx->bom && s == lx->data) {
            s += lx->bom;
            n -= n >= lx->bom ? lx->bom : n;
        }
        size_t i = 0;
        while (i < n && is_ws(s[i]))
            i++;
        if (i == n || s[i] == '#') {
            if (r == 2 && started)
                bad = 1;
            continue; /* blank or comment: skipped, also inside a continuation */
        }
        if (r == 2)
            bad = 1;
        if (!started) {
            started = 1;
            out->line = ln;
            out->col = col_of(lx, ls, s + i);
        } else {
            i = 0; /* continuation lines keep their indentation */
        }
        size_t e = n;
        while (e > i && is_ws(s[e - 1]))
            e--;
        int cont = e > i && s[e - 1] == lx->escape;
        if (cont)
            e--;
        else
            e = n;
        add_seg(lx, ln, col_of(lx, ls, s + i));
        buf_put(&lx->text, s + i, e - i);
        out->end_line = ln;
        if (!cont)
            break;
    }
    if (!started)
        return 0;
    if (lx->text.failed || lx->ctx->a->failed)
        return 0;
    /* BuildKit trims the joined line, so trailing blanks are not part of the arguments */
    while (lx->text.len && is_ws(lx->text.data[lx->text.len - 1]))
        lx->text.data[--lx->text.len] = '\0';
    const char *t = lx->text.data ? lx->text.data : "";
    size_t len = lx->text.len;
    size_t k = 0;
    while (k < len && !is_ws(t[k]))
        k++;
    out->kw_len = k;
    while (k < len && is_ws(t[k]))
        k++;
    out->args_off = k;
    if ((out->kw_len == 3 && (strncasecmp(t, "RUN", 3) == 0 || strncasecmp(t, "ADD", 3) == 0)) ||
        (out->kw_len == 4 && strncasecmp(t, "COPY", 4) == 0)) {
        find_heredocs(lx, t, k, len);
        for (size_t h = 0; h < lx->nhd; h++)
            read_heredoc_body(lx, &lx->hd[h], out);
    }
    out->text = t;
    out->len = lx->text.len;
    out->segs = lx->segs;
    out->nsegs = lx->nsegs;
    out->heredocs = lx->hd;
    out->nheredocs = lx->nhd;
    out->bad = bad;
    return 1;
}
