/*
 * json_pos.c - the JSON reader behind the OCI parser (see json_pos.h): validates the text and
 * indexes every value with its position in one pass, with no other JSON library involved.
 *
 * Grammar (RFC 8259), read iteratively so that deep nesting costs no C stack:
 *   text   := ws value ws                      (no byte order mark)
 *   value  := object | array | string | number | "true" | "false" | "null"
 *   object := "{" ws [ member { ws "," ws member } ] ws "}"      member := string ws ":" ws value
 *   array  := "[" ws [ value { ws "," ws value } ] ws "]"
 *   string := '"' { unescaped UTF-8 >= U+0020 except '"' '\' | escape } '"'
 *   escape := '\' ( '"' | '\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u' 4hex )
 *   number := [ "-" ] ( "0" | [1-9] digit* ) [ "." digit+ ] [ ("e"|"E") [ "+"|"-" ] digit+ ]
 *   ws     := { " " | "\t" | "\n" | "\r" }
 * On top of the grammar, as the OCI runtimes' decoders do: UTF-8 must be valid (no overlong forms,
 * no encoded surrogates, nothing past U+10FFFF), \u escapes must pair surrogates and must not be
 * \u0000, a number must fit a double, and an object must not repeat a (decoded) key.
 * Columns count characters: bytes that are not UTF-8 continuation bytes.
 */
#include "json_pos.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A key as compared for duplicates: decoded bytes, and its entry (entries are in text order). */
typedef struct kref {
    const char *k;
    size_t n;
    unsigned int id;
} kref;

typedef struct rd {
    const char *t;
    size_t n, i;
    size_t ls;          /* offset of the current line's first byte */
    size_t cont;        /* UTF-8 continuation bytes in [ls, i), to turn offsets into columns */
    unsigned int line;
    jpos_index *ix;
    jpos_error *err;
    size_t err_off;     /* where the reported problem is, to let an earlier duplicate key win */
    int rc;
    kref *kv;           /* scratch for the duplicate check */
    size_t kvcap;
    char *dec;
    size_t deccap;
} rd;

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static void skip_ws(rd *r)
{
    const char *t = r->t;
    size_t i = r->i, n = r->n;
    for (;;) {
        while (i < n && t[i] == ' ') /* indentation is most of a pretty-printed file */
            i++;
        if (i >= n)
            break;
        char c = t[i];
        if (c == '\n') {
            i++;
            r->line++;
            r->ls = i;
            r->cont = 0;
        } else if (c == '\t' || c == '\r') {
            i++;
        } else {
            break;
        }
    }
    r->i = i;
}

static unsigned int col_now(const rd *r) { return (unsigned int)(r->i - r->ls - r->cont + 1); }

/* What stands at off, for messages: "the end of the text", "a string", "'x'", "byte 0xc3". */
static void found(const rd *r, size_t off, char *out, size_t cap)
{
    if (off >= r->n) {
        snprintf(out, cap, "the end of the text");
        return;
    }
    unsigned char c = (unsigned char)r->t[off];
    if (c == '"') {
        /* the start of the string as written, ASCII only so the message stays valid UTF-8 */
        size_t k = 0;
        const char *s = r->t + off + 1;
        size_t room = r->n - off - 1;
        while (k < room && k < 24 && s[k] != '"' && s[k] != '\\' && s[k] >= 0x20 && s[k] < 0x7f)
            k++;
        int closed = k < room && s[k] == '"';
        snprintf(out, cap, "\"%.*s%s", (int)k, s, closed ? "\"" : "...\"");
    } else if (is_digit((char)c)) {
        snprintf(out, cap, "a number");
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        snprintf(out, cap, "%s", c == ' ' ? "a space" : c == '\t' ? "a tab"
                                 : c == '\r' ? "a carriage return" : "the end of the line");
    } else if (is_alnum((char)c)) {
        size_t k = 0;
        while (off + k < r->n && k < 24 && is_alnum(r->t[off + k]))
            k++;
        int more = off + k < r->n && is_alnum(r->t[off + k]);
        snprintf(out, cap, "'%.*s%s'", (int)k, r->t + off, more ? "..." : "");
    } else if (c > 0x20 && c < 0x7f) {
        snprintf(out, cap, "'%c'", c);
    } else {
        snprintf(out, cap, "byte 0x%02x", c);
    }
}

/* Record the problem at byte off of the current line (off >= r->ls). */
static void fail_at(rd *r, size_t off, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void fail_at(rd *r, size_t off, const char *fmt, ...)
{
    unsigned int col = 1;
    for (size_t k = r->ls; k < off && k < r->n; k++)
        if (((unsigned char)r->t[k] & 0xC0) != 0x80)
            col++;
    r->err->line = r->line;
    r->err->col = col;
    r->err_off = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err->msg, sizeof r->err->msg, fmt, ap);
    va_end(ap);
    if (r->rc == JPOS_OK)
        r->rc = JPOS_SYNTAX;
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

/* The four hex digits at s[i..i+4) as a number, or -1. */
static long hex4(const char *s, size_t n, size_t i)
{
    if (i > n || n - i < 4)
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

/*
 * The length of the valid UTF-8 sequence at s[0..n) (its first byte is >= 0x80), or 0 with *bad
 * set to the index of the first byte that makes it invalid (n when the text ends inside it).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned int c = s[0], lo = 0x80, hi = 0xBF;
    size_t k;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        if (c == 0xE0)
            lo = 0xA0; /* shorter forms exist */
        else if (c == 0xED)
            hi = 0x9F; /* U+D800..U+DFFF are not characters */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* beyond U+10FFFF */
    } else {
        *bad = 0;
        return 0;
    }
    for (size_t j = 1; j < k; j++) {
        if (j >= n) {
            *bad = n;
            return 0;
        }
        unsigned int b = s[j];
        if (b < (j == 1 ? lo : 0x80) || b > (j == 1 ? hi : 0xBF)) {
            *bad = j;
            return 0;
        }
    }
    return k;
}

/* Past the string whose opening quote is at r->i; *esc tells whether it holds escapes. */
static int scan_string(rd *r, char *esc)
{
    const char *t = r->t;
    const size_t n = r->n, start = r->i;
    size_t i = start + 1;
    for (;;) {
        unsigned char c = 0;
        while (i < n) {
            c = (unsigned char)t[i];
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
                break;
            i++;
        }
        if (i >= n) {
            fail_at(r, start, "string not closed before the end of the text");
            return -1;
        }
        if (c == '"') {
            r->i = i + 1;
            return 0;
        }
        if (c < 0x20) {
            fail_at(r, i, "control character 0x%02x inside a string (write it as an escape)", c);
            return -1;
        }
        if (c >= 0x80) {
            size_t bad;
            size_t k = utf8_seq((const unsigned char *)t + i, n - i, &bad);
            if (k == 0) {
                if (i + bad >= n) {
                    fail_at(r, start, "string not closed before the end of the text");
                } else if (bad == 0) {
                    fail_at(r, i, "invalid UTF-8 byte 0x%02x", c);
                } else if (((unsigned char)t[i + bad] & 0xC0) == 0x80) {
                    fail_at(r, i, "invalid UTF-8 sequence 0x%02x 0x%02x (an overlong form, a "
                            "surrogate or beyond U+10FFFF)", c, (unsigned char)t[i + 1]);
                } else {
                    fail_at(r, i, "incomplete UTF-8 sequence: byte 0x%02x needs %s continuation "
                            "bytes", c, c >= 0xF0 ? "3" : c >= 0xE0 ? "2" : "1");
                }
                return -1;
            }
            r->cont += k - 1;
            i += k;
            continue;
        }
        /* a backslash */
        *esc = 1;
        if (i + 1 >= n) {
            fail_at(r, start, "string not closed before the end of the text");
            return -1;
        }
        char e = t[i + 1];
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
            e == 't') {
            i += 2;
            continue;
        }
        if (e != 'u') {
            char what[32];
            if (e > 0x20 && e < 0x7f)
                snprintf(what, sizeof what, "'\\%c'", e);
            else
                snprintf(what, sizeof what, "'\\' before byte 0x%02x", (unsigned char)e);
            fail_at(r, i, "invalid escape %s inside a string", what);
            return -1;
        }
        long cp = hex4(t, n, i + 2);
        if (cp < 0) {
            fail_at(r, i, "\\u must be followed by four hex digits");
            return -1;
        }
        if (cp == 0) {
            fail_at(r, i, "\\u0000 (a NUL character) is not allowed in a string");
            return -1;
        }
        if (cp >= 0xDC00 && cp < 0xE000) {
            fail_at(r, i, "lone surrogate \\u%.4s: a low surrogate must follow a high one",
                    t + i + 2);
            return -1;
        }
        if (cp >= 0xD800 && cp < 0xDC00) {
            long lo = i + 7 < n && t[i + 6] == '\\' && t[i + 7] == 'u' ? hex4(t, n, i + 8) : -1;
            if (lo < 0xDC00 || lo >= 0xE000) {
                fail_at(r, i, "lone surrogate \\u%.4s: a high surrogate must be followed by a "
                              "low one (\\uDC00 to \\uDFFF)", t + i + 2);
                return -1;
            }
            i += 12;
        } else {
            i += 6;
        }
    }
}

/* The decimal digits s[0..n) as a saturated number (exponents far beyond any double). */
static long long small_num(const char *s, size_t n)
{
    long long v = 0;
    for (size_t k = 0; k < n; k++) {
        v = v * 10 + (s[k] - '0');
        if (v > 1000000000LL)
            return 1000000000LL;
    }
    return v;
}

/*
 * Is the number text s[0..n) (valid grammar) too large for a double? Only a number of 308 or
 * more digits before the point is checked closely, with strtod on a copy that has no '.' (so
 * that the locale's decimal point does not matter).
 */
static int overflows(const char *s, size_t n)
{
    size_t i = s[0] == '-' ? 1 : 0, ib = i;
    while (i < n && is_digit(s[i]))
        i++;
    size_t ie = i, fb = i, fe = i;
    if (i < n && s[i] == '.') {
        fb = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        fe = i;
    }
    long long ex = 0;
    if (i < n) { /* exponent */
        i++;
        int neg = s[i] == '-';
        if (s[i] == '+' || s[i] == '-')
            i++;
        ex = small_num(s + i, n - i);
        if (neg)
            ex = -ex;
    }
    /* decimal exponent of the first significant digit */
    long long mag;
    size_t first = ib;
    while (first < ie && s[first] == '0')
        first++;
    if (first < ie) {
        mag = (long long)(ie - first) - 1;
    } else {
        first = fb;
        while (first < fe && s[first] == '0')
            first++;
        if (first >= fe)
            return 0; /* zero */
        mag = -(long long)(first - fb) - 1;
    }
    if (mag > 1000000000LL)
        mag = 1000000000LL;
    if (mag + ex < 308)
        return 0;
    if (mag + ex > 308)
        return 1;
    /* [1e308, 1e309): DBL_MAX is about 1.8e308, so ask strtod */
    size_t digits = (first < ie ? ie - first : 0) + (fe - fb);
    char *buf = malloc(digits + 32);
    if (!buf)
        return 1;
    size_t k = 0;
    for (size_t j = first; j < ie; j++)
        buf[k++] = s[j];
    for (size_t j = first < ie ? fb : first; j < fe; j++)
        buf[k++] = s[j];
    long long adj = mag + ex - (long long)(k - 1);
    snprintf(buf + k, 32, "e%lld", adj);
    errno = 0;
    double d = strtod(buf, NULL);
    int over = errno == ERANGE && isinf(d);
    free(buf);
    return over;
}

static int scan_number(rd *r)
{
    const char *t = r->t;
    const size_t n = r->n, start = r->i;
    size_t i = start;
    char what[48];
    if (t[i] == '-')
        i++;
    if (i >= n || !is_digit(t[i])) {
        found(r, i, what, sizeof what);
        fail_at(r, i, "expected a digit after '-', found %s", what);
        return -1;
    }
    if (t[i] == '0') {
        i++;
        if (i < n && is_digit(t[i])) {
            fail_at(r, start, "a number must not start with 0 unless it is 0 (no leading zeros)");
            return -1;
        }
    } else {
        while (i < n && is_digit(t[i]))
            i++;
    }
    int plain = 1;
    if (i < n && t[i] == '.') {
        i++;
        plain = 0;
        if (i >= n || !is_digit(t[i])) {
            found(r, i, what, sizeof what);
            fail_at(r, i, "expected a digit after the decimal point, found %s", what);
            return -1;
        }
        while (i < n && is_digit(t[i]))
            i++;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        plain = 0;
        if (i < n && (t[i] == '+' || t[i] == '-'))
            i++;
        if (i >= n || !is_digit(t[i])) {
            found(r, i, what, sizeof what);
            fail_at(r, i, "expected a digit in the exponent, found %s", what);
            return -1;
        }
        while (i < n && is_digit(t[i]))
            i++;
    }
    if (i < n && is_alnum(t[i])) {
        found(r, i, what, sizeof what);
        fail_at(r, i, "unexpected %s right after a number", what);
        return -1;
    }
    if ((!plain || i - start > 300) && overflows(t + start, i - start)) {
        size_t shown = i - start < 40 ? i - start : 40;
        fail_at(r, start, "number too large for a double: %.*s%s", (int)shown, t + start,
                i - start > 40 ? "..." : "");
        return -1;
    }
    r->i = i;
    return 0;
}

static unsigned int add(rd *r, unsigned int parent)
{
    jpos_index *ix = r->ix;
    if (ix->n == ix->cap) {
        size_t nc = ix->cap ? ix->cap * 2 : 64;
        jpos_entry *nv = nc < JPOS_NONE ? realloc(ix->v, nc * sizeof *nv) : NULL;
        if (!nv) {
            r->rc = JPOS_NOMEM;
            snprintf(r->err->msg, sizeof r->err->msg, "out of memory");
            r->err->line = r->line;
            r->err->col = col_now(r);
            r->err_off = r->i;
            return JPOS_NONE;
        }
        ix->v = nv;
        ix->cap = nc;
    }
    unsigned int id = (unsigned int)ix->n++;
    jpos_entry *e = &ix->v[id];
    memset(e, 0, sizeof *e);
    e->parent = parent;
    e->first_child = e->last_child = e->next = JPOS_NONE;
    if (parent != JPOS_NONE) {
        jpos_entry *p = &ix->v[parent];
        if (p->last_child == JPOS_NONE)
            p->first_child = id;
        else
            ix->v[p->last_child].next = id;
        p->last_child = id;
        p->nchildren++;
    }
    return id;
}

/* A member's key and its colon, as a new entry of obj (the value's place is filled later). */
static unsigned int read_key(rd *r, unsigned int obj, int after_comma)
{
    char what[48];
    if (r->i >= r->n || r->t[r->i] != '"') {
        found(r, r->i, what, sizeof what);
        if (after_comma && r->i < r->n && r->t[r->i] == '}')
            fail_at(r, r->i, "expected a member name after ',', found '}' (a trailing comma is "
                             "not allowed)");
        else
            fail_at(r, r->i, "expected a member name in double quotes, found %s", what);
        return JPOS_NONE;
    }
    unsigned int kl = r->line, kc = col_now(r);
    size_t koff = r->i + 1;
    char esc = 0;
    if (scan_string(r, &esc) != 0)
        return JPOS_NONE;
    unsigned int id = add(r, obj);
    if (id == JPOS_NONE)
        return JPOS_NONE;
    jpos_entry *e = &r->ix->v[id];
    e->is_member = 1;
    e->key_off = koff;
    e->key_len = r->i - 1 - koff;
    e->key_line = kl;
    e->key_col = kc;
    e->key_esc = esc;
    skip_ws(r);
    if (r->i >= r->n || r->t[r->i] != ':') {
        found(r, r->i, what, sizeof what);
        fail_at(r, r->i, "expected ':' after the member name, found %s", what);
        return JPOS_NONE;
    }
    r->i++;
    skip_ws(r);
    return id;
}

/* Decode the validated string body s[0..n) into out (room for n bytes: escapes never grow). */
static size_t decode(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        const char *bs = memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
        memcpy(out + o, s + i, run);
        o += run;
        i += run;
        if (i >= n)
            break;
        char e = s[i + 1];
        i += 2;
        switch (e) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            long cp = hex4(s, n, i);
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                long lo = hex4(s, n, i + 2);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            if (cp < 0x80) {
                out[o++] = (char)cp;
            } else if (cp < 0x800) {
                out[o++] = (char)(0xC0 | (cp >> 6));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[o++] = (char)(0xE0 | (cp >> 12));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[o++] = (char)(0xF0 | (cp >> 18));
                out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: out[o++] = e; break; /* '"' '\\' '/' */
        }
    }
    return o;
}

static int kref_eq(const kref *a, const kref *b)
{
    return a->n == b->n && memcmp(a->k, b->k, a->n) == 0;
}

static int kref_cmp(const void *x, const void *y)
{
    const kref *a = x, *b = y;
    size_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->k, b->k, m);
    if (c)
        return c;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * The member of obj that repeats an earlier key and comes first in the text, or JPOS_NONE. Small
 * objects compare every pair; larger ones sort the keys, so a huge object costs O(n log n).
 */
static unsigned int first_dup(rd *r, unsigned int obj)
{
    const jpos_entry *v = r->ix->v;
    size_t nk = v[obj].nchildren;
    if (nk < 2)
        return JPOS_NONE;
    size_t esc_bytes = 0;
    for (unsigned int id = v[obj].first_child; id != JPOS_NONE; id = v[id].next)
        if (v[id].key_esc)
            esc_bytes += v[id].key_len;
    if (nk > r->kvcap) {
        kref *nkv = realloc(r->kv, nk * sizeof *nkv);
        if (!nkv)
            return JPOS_NONE;
        r->kv = nkv;
        r->kvcap = nk;
    }
    if (esc_bytes > r->deccap) {
        char *nd = realloc(r->dec, esc_bytes);
        if (!nd)
            return JPOS_NONE;
        r->dec = nd;
        r->deccap = esc_bytes;
    }
    size_t k = 0, d = 0;
    for (unsigned int id = v[obj].first_child; id != JPOS_NONE; id = v[id].next, k++) {
        kref *x = &r->kv[k];
        x->id = id;
        if (v[id].key_esc) {
            x->k = r->dec + d;
            x->n = decode(r->t + v[id].key_off, v[id].key_len, r->dec + d);
            d += x->n;
        } else {
            x->k = r->t + v[id].key_off;
            x->n = v[id].key_len;
        }
    }
    if (nk <= 8) {
        for (size_t j = 1; j < nk; j++)
            for (size_t i = 0; i < j; i++)
                if (kref_eq(&r->kv[i], &r->kv[j]))
                    return r->kv[j].id;
        return JPOS_NONE;
    }
    qsort(r->kv, nk, sizeof *r->kv, kref_cmp);
    unsigned int best = JPOS_NONE;
    for (size_t j = 1; j < nk; j++)
        if (kref_eq(&r->kv[j - 1], &r->kv[j]) && (j == 1 || !kref_eq(&r->kv[j - 2], &r->kv[j - 1])))
            if (r->kv[j].id < best)
                best = r->kv[j].id;
    return best;
}

/* Report a duplicate key (entry id) if it comes before the problem recorded so far. */
static void dup_error(rd *r, unsigned int id)
{
    const jpos_entry *e = &r->ix->v[id];
    if (r->rc != JPOS_OK && e->key_off - 1 >= r->err_off)
        return;
    /* the decoded key, shortened and with quotes and control characters escaped */
    char *dk = malloc(e->key_len + 1);
    size_t dn = dk ? decode(r->t + e->key_off, e->key_len, dk) : 0;
    char shown[96];
    size_t o = 0, i = 0;
    while (i < dn && o + 8 < sizeof shown - 4) {
        unsigned char c = (unsigned char)dk[i];
        if (c == '"' || c == '\\') {
            shown[o++] = '\\';
            shown[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(shown + o, sizeof shown - o, "\\u%04x", c);
        } else {
            shown[o++] = (char)c;
        }
        i++;
    }
    while (i < dn && o > 0 && ((unsigned char)dk[i] & 0xC0) == 0x80) /* not half a character */
        o--, i--;
    if (i < dn) {
        memcpy(shown + o, "...", 3);
        o += 3;
    }
    shown[o] = '\0';
    free(dk);
    snprintf(r->err->msg, sizeof r->err->msg, "duplicate key \"%s\"", shown);
    r->err->line = e->key_line;
    r->err->col = e->key_col;
    r->err_off = e->key_off - 1;
    r->rc = JPOS_SYNTAX;
}

int jpos_build(const char *text, size_t len, unsigned int max_depth, jpos_index *ix,
               jpos_error *err)
{
    rd r;
    memset(&r, 0, sizeof r);
    r.t = text;
    r.n = len;
    r.line = 1;
    r.ix = ix;
    r.err = err;
    ix->v = NULL;
    ix->n = ix->cap = 0;
    memset(err, 0, sizeof *err);
    unsigned int top = JPOS_NONE, depth = 0;
    char what[48];
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        fail_at(&r, 0, "a byte order mark is not allowed");
        goto fail;
    }
    skip_ws(&r);
    unsigned int id = JPOS_NONE;
    for (;;) {
        /* a value starts here; members got their entry with the key */
        if (top == JPOS_NONE || ix->v[top].type == '[') {
            id = add(&r, top);
            if (id == JPOS_NONE)
                goto fail;
        }
        if (r.i >= r.n) {
            fail_at(&r, r.i, "expected a value, found the end of the text");
            goto fail;
        }
        jpos_entry *e = &ix->v[id];
        e->line = r.line;
        e->col = col_now(&r);
        e->off = r.i;
        char ch = text[r.i];
        if (ch == '{' || ch == '[') {
            e->type = ch;
            if (++depth > max_depth) {
                fail_at(&r, r.i, "nested deeper than %u levels", max_depth);
                r.rc = JPOS_TOO_DEEP;
                goto fail;
            }
            r.i++;
            skip_ws(&r);
            if (r.i < r.n && text[r.i] == (ch == '{' ? '}' : ']')) {
                r.i++;
                ix->v[id].len = r.i - ix->v[id].off;
                depth--;
            } else {
                top = id;
                if (ch == '{' && (id = read_key(&r, top, 0)) == JPOS_NONE)
                    goto fail;
                continue;
            }
        } else if (ch == '"') {
            e->type = '"';
            if (scan_string(&r, &e->esc) != 0)
                goto fail;
        } else if (ch == '-' || is_digit(ch)) {
            e->type = '0';
            if (scan_number(&r) != 0)
                goto fail;
        } else {
            const char *lit = ch == 't' ? "true" : ch == 'f' ? "false" : ch == 'n' ? "null" : NULL;
            size_t ll = lit ? strlen(lit) : 0;
            if (!lit || r.n - r.i < ll || memcmp(text + r.i, lit, ll) != 0 ||
                (r.n - r.i > ll && is_alnum(text[r.i + ll]))) {
                found(&r, r.i, what, sizeof what);
                fail_at(&r, r.i, "expected a value, found %s", what);
                goto fail;
            }
            e->type = ch;
            r.i += ll;
        }
        if (ch != '{' && ch != '[')
            ix->v[id].len = r.i - ix->v[id].off;
        /* after a value: a comma, the end of containers, or the end of the text */
        for (;;) {
            skip_ws(&r);
            if (top == JPOS_NONE) {
                if (r.i < r.n) {
                    found(&r, r.i, what, sizeof what);
                    fail_at(&r, r.i, "expected the end of the text after the top-level value, "
                                     "found %s", what);
                    goto fail;
                }
                free(r.kv);
                free(r.dec);
                return JPOS_OK;
            }
            int obj = ix->v[top].type == '{';
            if (r.i < r.n && text[r.i] == ',') {
                r.i++;
                skip_ws(&r);
                if (obj && (id = read_key(&r, top, 1)) == JPOS_NONE)
                    goto fail;
                if (!obj && r.i < r.n && text[r.i] == ']') {
                    fail_at(&r, r.i, "expected a value after ',', found ']' (a trailing comma is "
                                     "not allowed)");
                    goto fail;
                }
                break;
            }
            if (r.i < r.n && text[r.i] == (obj ? '}' : ']')) {
                if (obj) {
                    unsigned int dup = first_dup(&r, top);
                    if (dup != JPOS_NONE) {
                        dup_error(&r, dup);
                        goto fail;
                    }
                }
                r.i++;
                ix->v[top].len = r.i - ix->v[top].off;
                top = ix->v[top].parent;
                depth--;
                continue;
            }
            found(&r, r.i, what, sizeof what);
            fail_at(&r, r.i, obj ? "expected ',' or '}' after an object member, found %s"
                                 : "expected ',' or ']' after an array item, found %s", what);
            goto fail;
        }
    }
fail:
    /* a repeated key in an object still open comes first if it stands earlier in the text */
    if (r.rc != JPOS_NOMEM && ix->v)
        for (unsigned int o = top; o != JPOS_NONE; o = ix->v[o].parent)
            if (ix->v[o].type == '{') {
                unsigned int dup = first_dup(&r, o);
                if (dup != JPOS_NONE)
                    dup_error(&r, dup);
            }
    free(r.kv);
    free(r.dec);
    jpos_free(ix);
    return r.rc;
}

void jpos_free(jpos_index *ix)
{
    free(ix->v);
    ix->v = NULL;
    ix->n = ix->cap = 0;
}

unsigned int jpos_child(const jpos_index *ix, const char *text, unsigned int obj, const char *key)
{
    if (obj == JPOS_NONE || obj >= ix->n || ix->v[obj].type != '{')
        return JPOS_NONE;
    size_t kn = strlen(key);
    char small[64];
    for (unsigned int id = ix->v[obj].first_child; id != JPOS_NONE; id = ix->v[id].next) {
        const jpos_entry *e = &ix->v[id];
        if (!e->key_esc) {
            if (e->key_len == kn && memcmp(text + e->key_off, key, kn) == 0)
                return id;
        } else if (e->key_len >= kn) { /* decoding never makes a key longer */
            char *buf = e->key_len <= sizeof small ? small : malloc(e->key_len);
            if (!buf)
                continue;
            size_t dn = decode(text + e->key_off, e->key_len, buf);
            int same = dn == kn && memcmp(buf, key, kn) == 0;
            if (buf != small)
                free(buf);
            if (same)
                return id;
        }
    }
    return JPOS_NONE;
}

unsigned int jpos_item(const jpos_index *ix, unsigned int arr, size_t i)
{
    if (arr == JPOS_NONE || arr >= ix->n || ix->v[arr].type != '[' ||
        i >= ix->v[arr].nchildren)
        return JPOS_NONE;
    unsigned int id = ix->v[arr].first_child;
    while (i-- > 0 && id != JPOS_NONE)
        id = ix->v[id].next;
    return id;
}

char *jpos_string(arena *a, const char *text, const jpos_entry *e, size_t *len)
{
    size_t rn = e->len >= 2 ? e->len - 2 : 0;
    const char *raw = text + e->off + 1;
    if (!e->esc) {
        *len = rn;
        return arena_strndup(a, raw, rn);
    }
    char *out = arena_alloc(a, rn + 1);
    if (!out)
        return NULL;
    *len = decode(raw, rn, out);
    out[*len] = '\0';
    return out;
}
