/*
 * json_pos.c - the position index for JSON text (see json_pos.h), built before jansson parses the
 * same bytes, so that the OCI parser can give every value its line and column.
 *
 * Grammar (RFC 8259), read iteratively so that deep nesting costs no C stack:
 *   value  := object | array | string | number | "true" | "false" | "null"
 *   object := "{" [ string ":" value { "," string ":" value } ] "}"
 *   array  := "[" [ value { "," value } ] "]"
 * Strings and numbers are only delimited here (jansson checks them); columns count characters
 * (bytes that are not UTF-8 continuation bytes), as jansson's error columns do.
 */
#include "json_pos.h"

#include <stdlib.h>
#include <string.h>

typedef struct cur {
    const char *t;
    size_t n, i;
    unsigned int line, col;
} cur;

static void adv(cur *c)
{
    if (c->i >= c->n)
        return;
    char ch = c->t[c->i++];
    if (ch == '\n') {
        c->line++;
        c->col = 1;
    } else if (c->i < c->n && ((unsigned char)c->t[c->i] & 0xC0) != 0x80) {
        c->col++;
    }
}

static void skip_ws(cur *c)
{
    while (c->i < c->n && (c->t[c->i] == ' ' || c->t[c->i] == '\t' || c->t[c->i] == '\n' ||
                           c->t[c->i] == '\r'))
        adv(c);
}

/* Past a string starting at the opening quote; 0, or -1 when it does not end on this text. */
static int skip_string(cur *c)
{
    adv(c);
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->t[c->i];
        if (ch == '"') {
            adv(c);
            return 0;
        }
        if (ch < 0x20)
            return -1;
        if (ch == '\\') {
            adv(c);
            if (c->i >= c->n)
                return -1;
        }
        adv(c);
    }
    return -1;
}

static unsigned int add(jpos_index *ix, unsigned int parent, const cur *c, int *oom)
{
    if (ix->n == ix->cap) {
        size_t nc = ix->cap ? ix->cap * 2 : 64;
        jpos_entry *nv = nc < JPOS_NONE ? realloc(ix->v, nc * sizeof *nv) : NULL;
        if (!nv) {
            *oom = 1;
            return JPOS_NONE;
        }
        ix->v = nv;
        ix->cap = nc;
    }
    unsigned int id = (unsigned int)ix->n++;
    jpos_entry *e = &ix->v[id];
    memset(e, 0, sizeof *e);
    e->line = c->line;
    e->col = c->col;
    e->off = c->i;
    e->parent = parent;
    e->first_child = e->last_child = e->next = JPOS_NONE;
    e->type = c->t[c->i];
    if (e->type == '-' || (e->type >= '0' && e->type <= '9'))
        e->type = '0';
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

/* A member's key and its colon; the key's place is kept for the next value's entry. */
static int read_key(cur *c, size_t *koff, size_t *klen, unsigned int *kl, unsigned int *kc)
{
    if (c->i >= c->n || c->t[c->i] != '"')
        return -1;
    *kl = c->line;
    *kc = c->col;
    size_t start = c->i + 1;
    if (skip_string(c) != 0)
        return -1;
    *koff = start;
    *klen = c->i - 1 - start;
    skip_ws(c);
    if (c->i >= c->n || c->t[c->i] != ':')
        return -1;
    adv(c);
    skip_ws(c);
    return 0;
}

int jpos_build(const char *text, size_t len, unsigned int max_depth, jpos_index *ix,
               unsigned int *line, unsigned int *col)
{
    cur c = {text, len, 0, 1, 1};
    unsigned int top = JPOS_NONE, depth = 0;
    int oom = 0, rc = JPOS_SYNTAX;
    size_t koff = 0, klen = 0;
    unsigned int kl = 0, kc = 0;
    ix->v = NULL;
    ix->n = ix->cap = 0;
    skip_ws(&c);
    for (;;) {
        if (c.i >= c.n)
            goto fail;
        unsigned int id = add(ix, top, &c, &oom);
        if (oom) {
            rc = JPOS_NOMEM;
            goto fail;
        }
        if (top != JPOS_NONE && ix->v[top].type == '{') {
            jpos_entry *e = &ix->v[id];
            e->is_member = 1;
            e->key_off = koff;
            e->key_len = klen;
            e->key_line = kl;
            e->key_col = kc;
        }
        char ch = text[c.i];
        if (ch == '{' || ch == '[') {
            if (++depth > max_depth) {
                rc = JPOS_TOO_DEEP;
                goto fail;
            }
            adv(&c);
            skip_ws(&c);
            if (c.i < c.n && text[c.i] == (ch == '{' ? '}' : ']')) {
                adv(&c);
                ix->v[id].len = c.i - ix->v[id].off;
                depth--;
            } else {
                top = id;
                if (ch == '{' && read_key(&c, &koff, &klen, &kl, &kc) != 0)
                    goto fail;
                continue;
            }
        } else if (ch == '"') {
            if (skip_string(&c) != 0)
                goto fail;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            while (c.i < c.n && (strchr("+-.eE", text[c.i]) || (text[c.i] >= '0' &&
                                                                 text[c.i] <= '9')))
                adv(&c);
        } else {
            const char *lit = ch == 't' ? "true" : ch == 'f' ? "false" : ch == 'n' ? "null" : NULL;
            size_t ll = lit ? strlen(lit) : 0;
            if (!lit || c.n - c.i < ll || memcmp(text + c.i, lit, ll) != 0)
                goto fail;
            for (size_t k = 0; k < ll; k++)
                adv(&c);
        }
        if (ch != '{' && ch != '[')
            ix->v[id].len = c.i - ix->v[id].off;
        /* after a value: a comma, the end of containers, or the end of the text */
        for (;;) {
            skip_ws(&c);
            if (top == JPOS_NONE) {
                if (c.i < c.n)
                    goto fail;
                return JPOS_OK;
            }
            if (c.i >= c.n)
                goto fail;
            char close = ix->v[top].type == '{' ? '}' : ']';
            if (text[c.i] == ',') {
                adv(&c);
                skip_ws(&c);
                if (ix->v[top].type == '{' && read_key(&c, &koff, &klen, &kl, &kc) != 0)
                    goto fail;
                break;
            }
            if (text[c.i] != close)
                goto fail;
            adv(&c);
            ix->v[top].len = c.i - ix->v[top].off;
            top = ix->v[top].parent;
            depth--;
        }
    }
fail:
    *line = c.line;
    *col = c.col;
    return rc;
}

void jpos_free(jpos_index *ix)
{
    free(ix->v);
    ix->v = NULL;
    ix->n = ix->cap = 0;
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

static long hex4(const char *s, size_t n, size_t i)
{
    if (n - i < 4)
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

/* Does the raw key k[0..n) decode to the NUL-terminated name? */
static int key_is(const char *k, size_t n, const char *name)
{
    size_t i = 0, j = 0;
    while (i < n) {
        unsigned char out[4];
        size_t on = 1;
        if (k[i] != '\\') {
            out[0] = (unsigned char)k[i++];
        } else {
            if (i + 1 >= n)
                return 0;
            char e = k[i + 1];
            i += 2;
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *p = e ? strchr(from, e) : NULL;
            if (p && e != 'u') {
                out[0] = (unsigned char)to[p - from];
            } else if (e == 'u') {
                long cp = hex4(k, n, i);
                if (cp < 0)
                    return 0;
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < n && k[i] == '\\' && k[i + 1] == 'u') {
                    long lo = hex4(k, n, i + 2);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                if (cp < 0x80) {
                    out[0] = (unsigned char)cp;
                } else if (cp < 0x800) {
                    out[0] = (unsigned char)(0xC0 | (cp >> 6));
                    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
                    on = 2;
                } else if (cp < 0x10000) {
                    out[0] = (unsigned char)(0xE0 | (cp >> 12));
                    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
                    on = 3;
                } else {
                    out[0] = (unsigned char)(0xF0 | (cp >> 18));
                    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
                    on = 4;
                }
            } else {
                return 0;
            }
        }
        for (size_t q = 0; q < on; q++, j++)
            if (name[j] == '\0' || (unsigned char)name[j] != out[q])
                return 0;
    }
    return name[j] == '\0';
}

unsigned int jpos_child(const jpos_index *ix, const char *text, unsigned int obj, const char *key)
{
    if (obj == JPOS_NONE || obj >= ix->n || ix->v[obj].type != '{')
        return JPOS_NONE;
    for (unsigned int id = ix->v[obj].first_child; id != JPOS_NONE; id = ix->v[id].next)
        if (key_is(text + ix->v[id].key_off, ix->v[id].key_len, key))
            return id;
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
