/*
 * dockerfile_words.c - second stage of the Dockerfile parser: the arguments of one logical
 * instruction as exec-form JSON or as shell words with quote removal and ARG/ENV substitution.
 *
 * Grammar (Dockerfile reference, "Environment replacement"; BuildKit's shell lexer):
 *   exec-form := "[" [ json-string { "," json-string } ] "]"       (JSON, strings only)
 *   word      := { plain | ESC any | "'" any* "'" | dollar
 *                 | '"' { ESC ["$ESC] | dollar | any } '"' }
 *   dollar    := "$" name | "${" name "}" | "${" name [":"] ("-"|"+"|"?") word-until-"}" "}"
 *   name      := [A-Za-z_][A-Za-z0-9_]* | digit
 * ${v:-w} gives w when v is unset or empty, ${v-w} when unset; ${v:+w} gives w when v is set and
 * not empty, ${v+w} when set. A variable without a known value makes the word "unresolved";
 * "${v:-w}" then quietly takes w, since that is what the author meant as the default.
 */
#include "dockerfile.h"

#include <string.h>

#define DF_MAX_NESTING 32

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

static df_word *push_word(arena *a, df_word *v, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        df_word *nv = arena_grow(a, v, *n, nc, sizeof *nv);
        if (!nv)
            return NULL;
        v = nv;
        *cap = nc;
    }
    memset(&v[*n], 0, sizeof v[*n]);
    (*n)++;
    return v;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(buf *b, unsigned long cp)
{
    char u[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        buf_put(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        buf_put(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        buf_put(b, u, 4);
    }
}

static long hex4(const char *s, size_t len, size_t i)
{
    if (i + 4 > len)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t skip_json_ws(const char *s, size_t len, size_t i)
{
    while (i < len && is_ws(s[i]))
        i++;
    return i;
}

int df_json_array(df_words *w, const char *s, size_t len, size_t base_off, df_word **out,
                  size_t *n, const char **err, size_t *err_off)
{
    *out = NULL;
    *n = 0;
    if (!len || s[0] != '[')
        return 0;
    df_word *v = NULL;
    size_t cap = 0;
    buf *b = &w->scratch;
    size_t i = skip_json_ws(s, len, 1);
    if (i < len && s[i] == ']') {
        i = skip_json_ws(s, len, i + 1);
        if (i != len)
            goto trailing;
        return 1;
    }
    for (;;) {
        if (i >= len) {
            *err = "the array is not closed with ']'";
            *err_off = i;
            return -1;
        }
        if (s[i] != '"') {
            *err = s[i] == '\'' ? "single quotes are not JSON; use double quotes"
                                : "expected a double-quoted string";
            *err_off = i;
            return -1;
        }
        size_t start = i++;
        b->len = 0;
        for (;;) {
            if (i >= len) {
                *err = "unterminated string";
                *err_off = start;
                return -1;
            }
            unsigned char c = (unsigned char)s[i];
            if (c == '"')
                break;
            if (c < 0x20) {
                *err = "control character in a string";
                *err_off = i;
                return -1;
            }
            if (c != '\\') {
                size_t k = i;
                while (k < len && s[k] != '"' && s[k] != '\\' && (unsigned char)s[k] >= 0x20)
                    k++;
                buf_put(b, s + i, k - i);
                i = k;
                continue;
            }
            if (i + 1 >= len) {
                *err = "unterminated string";
                *err_off = start;
                return -1;
            }
            char e = s[i + 1];
            i += 2;
            switch (e) {
            case '"': buf_putc(b, '"'); break;
            case '\\': buf_putc(b, '\\'); break;
            case '/': buf_putc(b, '/'); break;
            case 'b': buf_putc(b, '\b'); break;
            case 'f': buf_putc(b, '\f'); break;
            case 'n': buf_putc(b, '\n'); break;
            case 'r': buf_putc(b, '\r'); break;
            case 't': buf_putc(b, '\t'); break;
            case 'u': {
                long cp = hex4(s, len, i);
                if (cp < 0) {
                    *err = "bad \\u escape";
                    *err_off = i - 2;
                    return -1;
                }
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < len && s[i] == '\\' &&
                    s[i + 1] == 'u') {
                    long lo = hex4(s, len, i + 2);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                if (cp >= 0xD800 && cp < 0xE000)
                    cp = 0xFFFD; /* a lone surrogate, as Go's decoder does */
                put_utf8(b, (unsigned long)cp);
                break;
            }
            default:
                *err = "bad escape in a string";
                *err_off = i - 2;
                return -1;
            }
        }
        i++; /* closing quote */
        df_word *nv = push_word(w->a, v, n, &cap);
        if (!nv)
            return -1;
        v = nv;
        df_word *wd = &v[*n - 1];
        wd->s = arena_strndup(w->a, b->data ? b->data : "", b->len);
        wd->len = b->len;
        wd->off = base_off + start;
        wd->end = base_off + i;
        *out = v;
        i = skip_json_ws(s, len, i);
        if (i < len && s[i] == ',') {
            i = skip_json_ws(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == ']') {
            i = skip_json_ws(s, len, i + 1);
            if (i != len)
                goto trailing;
            return 1;
        }
        *err = i < len ? "expected ',' or ']'" : "the array is not closed with ']'";
        *err_off = i;
        return -1;
    }
trailing:
    *err = "text after the closing ']'";
    *err_off = i;
    return -1;
}

static void scan(df_words *w, const char *t, size_t len, size_t *pi, int in_brace, int whole,
                 int depth, int *unres);

/* Past the '}' that closes a ${...} whose body starts at *pi, without evaluating it. */
static void skip_braced(const char *t, size_t len, size_t *pi)
{
    size_t i = *pi;
    int open = 1;
    while (i < len) {
        if (t[i] == '{')
            open++;
        else if (t[i] == '}' && --open == 0)
            break;
        i++;
    }
    *pi = i < len ? i + 1 : i;
}

static void dollar(df_words *w, const char *t, size_t len, size_t *pi, int depth, int *unres)
{
    buf *o = &w->scratch;
    size_t i = *pi + 1;
    const char *val = NULL;
    size_t vlen = 0;
    if (i < len && t[i] == '{') {
        i++;
        size_t n0 = i;
        while (i < len && is_name_char(t[i]))
            i++;
        size_t n1 = i;
        if (n1 == n0 || i >= len) {
            /* "${}" or "${" at the end: Docker calls it a bad substitution */
            *unres = 1;
            skip_braced(t, len, &i);
            *pi = i;
            return;
        }
        int known = w->lookup(w->ud, t + n0, n1 - n0, &val, &vlen);
        if (t[i] == '}') {
            if (known)
                buf_put(o, val, vlen);
            else
                *unres = 1;
            *pi = i + 1;
            return;
        }
        int colon = t[i] == ':';
        if (colon)
            i++;
        char op = i < len ? t[i] : '\0';
        if (op != '-' && op != '+' && op != '?') {
            /* pattern operators (#, %, /) are not evaluated here */
            *unres = 1;
            skip_braced(t, len, &i);
            *pi = i;
            return;
        }
        i++;
        size_t mark = o->len;
        int word_unres = 0;
        if (depth >= DF_MAX_NESTING) {
            word_unres = 1;
            skip_braced(t, len, &i);
        } else {
            scan(w, t, len, &i, 1, 0, depth + 1, &word_unres);
            if (i < len && t[i] == '}')
                i++;
        }
        int set = known && (!colon || vlen > 0);
        if (op == '-') {
            if (set) {
                o->len = mark;
                buf_put(o, val, vlen);
            } else {
                *unres |= word_unres;
            }
        } else if (op == '+') {
            if (set) {
                *unres |= word_unres;
            } else {
                o->len = mark;
                if (!known)
                    *unres = 1;
            }
        } else {
            o->len = mark;
            if (set)
                buf_put(o, val, vlen);
            else
                *unres = 1;
        }
        *pi = i;
        return;
    }
    if (i < len && (is_name_start(t[i]) || (t[i] >= '0' && t[i] <= '9'))) {
        size_t n0 = i;
        if (is_name_start(t[i]))
            while (i < len && is_name_char(t[i]))
                i++;
        else
            i++;
        if (w->lookup(w->ud, t + n0, i - n0, &val, &vlen))
            buf_put(o, val, vlen);
        else
            *unres = 1;
        *pi = i;
        return;
    }
    buf_putc(o, '$');
    *pi = i;
}

/* Quote removal and substitution into w->scratch until unquoted whitespace (unless whole) or,
   inside ${...}, an unquoted '}' (not consumed). */
static void scan(df_words *w, const char *t, size_t len, size_t *pi, int in_brace, int whole,
                 int depth, int *unres)
{
    buf *o = &w->scratch;
    char esc = w->escape;
    int subst = w->lookup != NULL;
    size_t i = *pi;
    while (i < len) {
        char c = t[i];
        if (in_brace ? c == '}' : (!whole && is_ws(c)))
            break;
        if (c == esc) {
            if (i + 1 < len)
                buf_putc(o, t[i + 1]);
            i = i + 1 < len ? i + 2 : len;
        } else if (c == '\'') {
            size_t k = ++i;
            while (k < len && t[k] != '\'')
                k++;
            buf_put(o, t + i, k - i);
            i = k < len ? k + 1 : k;
        } else if (c == '"') {
            i++;
            while (i < len && t[i] != '"') {
                char d = t[i];
                if (d == esc && i + 1 < len &&
                    (t[i + 1] == '"' || t[i + 1] == '$' || t[i + 1] == esc)) {
                    buf_putc(o, t[i + 1]);
                    i += 2;
                } else if (d == '$' && subst) {
                    dollar(w, t, len, &i, depth, unres);
                } else {
                    size_t k = i + 1;
                    while (k < len && t[k] != '"' && t[k] != esc && t[k] != '$')
                        k++;
                    buf_put(o, t + i, k - i);
                    i = k;
                }
            }
            if (i < len)
                i++;
        } else if (c == '$' && subst) {
            dollar(w, t, len, &i, depth, unres);
        } else {
            size_t k = i + 1;
            while (k < len && t[k] != esc && t[k] != '\'' && t[k] != '"' && t[k] != '$' &&
                   !is_ws(t[k]) && t[k] != '}')
                k++;
            buf_put(o, t + i, k - i);
            i = k;
        }
    }
    *pi = i;
}

int df_word_next(df_words *w, const char *text, size_t len, size_t *i, int whole, df_word *out)
{
    memset(out, 0, sizeof *out);
    while (*i < len && is_ws(text[*i]))
        (*i)++;
    if (*i >= len)
        return 0;
    size_t end = len;
    if (whole)
        while (end > *i && is_ws(text[end - 1]))
            end--;
    out->off = *i;
    w->scratch.len = 0;
    scan(w, text, end, i, 0, whole, 0, &out->unresolved);
    out->end = *i;
    out->s = arena_strndup(w->a, w->scratch.data ? w->scratch.data : "", w->scratch.len);
    out->len = w->scratch.len;
    return out->s != NULL;
}

df_word *df_words_split(df_words *w, const char *text, size_t from, size_t len, size_t *n)
{
    df_word *v = NULL, one;
    size_t cap = 0;
    *n = 0;
    size_t i = from;
    while (df_word_next(w, text, len, &i, 0, &one)) {
        df_word *nv = push_word(w->a, v, n, &cap);
        if (!nv)
            break;
        v = nv;
        v[*n - 1] = one;
    }
    return v;
}

void df_words_free(df_words *w) { buf_free(&w->scratch); }
