/*
 * glob.c - glob matching and .dockerignore (see glob.h). A pattern compiles to a token list that runs
 * as an NFA over the path's code points, so time is O(pattern * path) whatever the stars: no
 * backtracking blow-up on patterns such as "*a*a*a*a*b".
 */
#include "glob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { T_LIT, T_ANY, T_CLASS, T_STAR, T_DSLASH, T_DEND };

typedef struct gtok {
    unsigned char kind;
    unsigned char neg;   /* T_CLASS: negated */
    uint32_t cp;         /* T_LIT */
    const char *cls;     /* T_CLASS: first member (after the negation mark) */
    const char *cls_end; /* T_CLASS: the closing ']' */
} gtok;

/* Decode one UTF-8 code point from s[0..n), n >= 1. An invalid byte b decodes alone to 0x110000+b,
   which equals only itself and lies outside every range a pattern can write. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0x110000u + c;
        return 1;
    }
    if (n < len)
        goto bad;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return len;
bad:
    *cp = 0x110000u + c;
    return 1;
}

/* One class character at *p (before end), maybe escaped. -1 where Go calls the pattern bad. */
static int class_char(const char **p, const char *end, uint32_t *v)
{
    const char *s = *p;
    if (s >= end || *s == '-' || *s == ']')
        return -1;
    if (*s == '\\') {
        s++;
        if (s >= end)
            return -1;
    }
    s += decode((const unsigned char *)s, (size_t)(end - s), v);
    *p = s;
    return 0;
}

/* One class member: a character or a range "lo-hi". Advances *p; -1 when bad. */
static int class_member(const char **p, const char *end, uint32_t *lo, uint32_t *hi)
{
    const char *s = *p;
    if (class_char(&s, end, lo) < 0)
        return -1;
    *hi = *lo;
    if (s < end && *s == '-') {
        s++;
        if (class_char(&s, end, hi) < 0)
            return -1;
    }
    if (*hi < *lo)
        return -1; /* Docker compiles classes to regexps, which refuse reversed ranges */
    *p = s;
    return 0;
}

/* Compile pattern[0..len) into toks (room for len tokens). Returns the count or -1. */
static int compile(const char *pat, size_t len, int docker, gtok *toks)
{
    const char *s = pat, *end = pat + len;
    int n = 0;
    while (s < end) {
        gtok *t = &toks[n++];
        memset(t, 0, sizeof *t);
        char c = *s;
        if (c == '*') {
            s++;
            if (s < end && *s == '*') {
                s++;
                if (s < end && *s == '/')
                    s++;
                t->kind = s == end ? T_DEND : T_DSLASH;
            } else {
                t->kind = T_STAR;
            }
        } else if (c == '?') {
            t->kind = T_ANY;
            s++;
        } else if (c == '[') {
            s++;
            t->kind = T_CLASS;
            if (s < end && (*s == '^' || (!docker && *s == '!'))) {
                t->neg = 1;
                s++;
            }
            t->cls = s;
            int members = 0;
            for (;;) {
                if (s >= end)
                    return -1;
                if (*s == ']' && members > 0)
                    break;
                uint32_t lo, hi;
                if (class_member(&s, end, &lo, &hi) < 0)
                    return -1;
                members++;
            }
            t->cls_end = s;
            s++; /* the ']' */
        } else if (c == '\\') {
            s++;
            if (s >= end)
                return -1;
            t->kind = T_LIT;
            s += decode((const unsigned char *)s, (size_t)(end - s), &t->cp);
        } else {
            t->kind = T_LIT;
            s += decode((const unsigned char *)s, (size_t)(end - s), &t->cp);
        }
    }
    return n;
}

static int class_has(const gtok *t, uint32_t cp)
{
    const char *s = t->cls;
    int in = 0;
    while (s < t->cls_end) {
        uint32_t lo, hi;
        if (class_member(&s, t->cls_end, &lo, &hi) < 0)
            break; /* validated at compile time; cannot happen */
        if (lo <= cp && cp <= hi)
            in = 1;
    }
    return in != t->neg;
}

/* State flags per token: ST_AT "about to match token k" (zero-length tokens pass it on to k+1);
   ST_IN "inside the .* of a DSLASH token", which may only leave through a '/'. */
#define ST_AT 1
#define ST_IN 2

static void closure(const gtok *toks, int n, unsigned char *st)
{
    for (int i = 0; i < n; i++)
        if ((st[i] & ST_AT) &&
            (toks[i].kind == T_STAR || toks[i].kind == T_DSLASH || toks[i].kind == T_DEND))
            st[i + 1] |= ST_AT;
}

/* Run compiled toks over path[0..len). */
static int run(const gtok *toks, int n, const char *path, size_t len)
{
    unsigned char a[GLOB_MAX_PATTERN + 1], b[GLOB_MAX_PATTERN + 1];
    unsigned char *cur = a, *nxt = b;
    if (len > GLOB_MAX_PATH)
        return 0;
    memset(cur, 0, (size_t)n + 1);
    cur[0] = ST_AT;
    closure(toks, n, cur);
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        i += decode((const unsigned char *)path + i, len - i, &cp);
        memset(nxt, 0, (size_t)n + 1);
        int any = 0;
        for (int k = 0; k < n; k++) {
            if (!cur[k])
                continue;
            const gtok *t = &toks[k];
            if (t->kind == T_DSLASH) { /* the regexp (.*SLASH)? */
                nxt[k] |= ST_IN, any = 1;
                if (cp == '/')
                    nxt[k + 1] |= ST_AT;
                continue;
            }
            if (!(cur[k] & ST_AT))
                continue;
            switch (t->kind) {
            case T_LIT:
                if (cp == t->cp)
                    nxt[k + 1] |= ST_AT, any = 1;
                break;
            case T_ANY:
                if (cp != '/')
                    nxt[k + 1] |= ST_AT, any = 1;
                break;
            case T_CLASS:
                if (class_has(t, cp))
                    nxt[k + 1] |= ST_AT, any = 1;
                break;
            case T_STAR:
                if (cp != '/')
                    nxt[k] |= ST_AT, any = 1;
                break;
            default: /* T_DEND */
                nxt[k] |= ST_AT, any = 1;
                break;
            }
        }
        if (!any)
            return 0;
        closure(toks, n, nxt);
        unsigned char *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    return (cur[n] & ST_AT) != 0;
}

int glob_match(const char *pattern, const char *path)
{
    gtok toks[GLOB_MAX_PATTERN];
    if (!pattern || !path)
        return -1;
    size_t plen = strlen(pattern);
    if (plen > GLOB_MAX_PATTERN)
        return -1;
    int n = compile(pattern, plen, 0, toks);
    if (n < 0)
        return -1;
    return run(toks, n, path, strlen(path));
}

/* ---- .dockerignore ---- */

typedef struct di_rule {
    const char *pat;
    gtok *toks;
    int ntoks;
    int exception;
    int bad;
} di_rule;

struct dockerignore {
    di_rule *rules;
    size_t n;
    int has_exceptions;
    char *store;
};

/* Go's filepath.Clean on '/' paths: out needs len + 2 bytes. Returns the cleaned length. */
static size_t clean(const char *in, size_t len, char *out)
{
    int rooted = len > 0 && in[0] == '/';
    size_t o = 0, dotdot = 0; /* ".." may not back up below dotdot */
    if (rooted)
        out[o++] = '/', dotdot = 1;
    size_t i = 0;
    while (i < len) {
        if (in[i] == '/') {
            i++;
            continue;
        }
        size_t st = i;
        while (i < len && in[i] != '/')
            i++;
        size_t sl = i - st;
        if (sl == 1 && in[st] == '.')
            continue;
        if (sl == 2 && in[st] == '.' && in[st + 1] == '.') {
            if (o > dotdot) {
                o--;
                while (o > dotdot && out[o] != '/')
                    o--;
            } else if (!rooted) {
                if (o > 0)
                    out[o++] = '/';
                out[o++] = '.';
                out[o++] = '.';
                dotdot = o;
            }
            continue;
        }
        if ((rooted && o != 1) || (!rooted && o != 0))
            out[o++] = '/';
        memcpy(out + o, in + st, sl);
        o += sl;
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    return o;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

dockerignore *dockerignore_parse(const char *text, size_t len)
{
    dockerignore *di = calloc(1, sizeof *di);
    if (!di)
        return NULL;
    if (!text)
        len = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    di->rules = calloc(lines, sizeof *di->rules);
    di->store = malloc(len + 2 * lines + 1);
    if (!di->rules || !di->store) {
        dockerignore_free(di);
        return NULL;
    }
    char *w = di->store;
    size_t pos = 0;
    while (pos <= len && len > 0) {
        const char *ln = text + pos;
        const char *nl = memchr(ln, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - ln) : len - pos;
        pos += ll + 1;
        if (ll > 0 && ln[0] == '#')
            continue; /* only a '#' in the first column starts a comment, as in Docker */
        while (ll > 0 && is_space(ln[0]))
            ln++, ll--;
        while (ll > 0 && is_space(ln[ll - 1]))
            ll--;
        if (ll == 0)
            continue;
        di_rule *r = &di->rules[di->n++];
        if (ln[0] == '!') {
            r->exception = 1;
            di->has_exceptions = 1;
            ln++, ll--;
            while (ll > 0 && is_space(ln[0]))
                ln++, ll--;
        }
        r->pat = w;
        if (ll == 0 || memchr(ln, '\0', ll)) {
            r->bad = 1;
            *w++ = '\0';
            continue;
        }
        size_t cl = clean(ln, ll, w);
        if (cl > 1 && w[0] == '/') {
            memmove(w, w + 1, cl);
            cl--;
        }
        w += cl + 1;
        if (cl > GLOB_MAX_PATTERN) {
            r->bad = 1;
            continue;
        }
        r->toks = malloc((cl ? cl : 1) * sizeof *r->toks);
        if (!r->toks) {
            dockerignore_free(di);
            return NULL;
        }
        r->ntoks = compile(r->pat, cl, 1, r->toks);
        if (r->ntoks < 0)
            r->bad = 1;
    }
    return di;
}

static int rule_matches(const di_rule *r, const char *path, size_t len)
{
    if (r->bad)
        return 0;
    if (run(r->toks, r->ntoks, path, len))
        return 1;
    /* A rule that matches a parent directory covers everything under it. */
    for (size_t i = 0; i < len; i++)
        if (path[i] == '/' && run(r->toks, r->ntoks, path, i))
            return 1;
    return 0;
}

int dockerignore_excluded(const dockerignore *di, const char *relpath)
{
    if (!di || !relpath || di->n == 0)
        return 0;
    size_t len = strlen(relpath);
    if (len > GLOB_MAX_PATH)
        return 0;
    char stackbuf[512];
    char *p = len + 2 <= sizeof stackbuf ? stackbuf : malloc(len + 2);
    if (!p)
        return 0;
    size_t cl = clean(relpath, len, p);
    const char *q = p;
    while (cl > 0 && *q == '/') /* the context root is "/" too */
        q++, cl--;
    int excluded = 0;
    if (cl > 0 && !(cl == 1 && q[0] == '.')) {
        for (size_t i = 0; i < di->n; i++)
            if (rule_matches(&di->rules[i], q, cl))
                excluded = !di->rules[i].exception;
    }
    if (p != stackbuf)
        free(p);
    return excluded;
}

int dockerignore_has_exceptions(const dockerignore *di)
{
    return di ? di->has_exceptions : 0;
}

size_t dockerignore_rule_count(const dockerignore *di)
{
    return di ? di->n : 0;
}

void dockerignore_free(dockerignore *di)
{
    if (!di)
        return;
    if (di->rules)
        for (size_t i = 0; i < di->n; i++)
            free(di->rules[i].toks);
    free(di->rules);
    free(di->store);
    free(di);
}
