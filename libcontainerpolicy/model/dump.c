/* dump.c - model tree to JSON for `cpol model` and golden tests (see dump.h). */
#include "dump.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen {
    const node **nodes;
    char **paths;
    size_t n, cap;
} seen;

static const char *seen_find(const seen *s, const node *n)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->nodes[i] == n)
            return s->paths[i];
    return NULL;
}

static void seen_add(seen *s, const node *n, const char *path)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        const node **nn = realloc(s->nodes, cap * sizeof *nn);
        if (!nn)
            return;
        s->nodes = nn;
        char **pp = realloc(s->paths, cap * sizeof *pp);
        if (!pp)
            return;
        s->paths = pp;
        s->cap = cap;
    }
    size_t len = strlen(path) + 1;
    char *p = malloc(len);
    if (!p)
        return;
    memcpy(p, path, len);
    s->nodes[s->n] = n;
    s->paths[s->n] = p;
    s->n++;
}

static void newline(buf *b, int pretty, int depth)
{
    if (!pretty)
        return;
    buf_putc(b, '\n');
    for (int i = 0; i < depth; i++)
        buf_puts(b, "  ");
}

static void put_pos(buf *b, cpos p)
{
    buf_puts(b, "{\"file\":");
    if (p.file)
        buf_json_string(b, p.file, strlen(p.file));
    else
        buf_puts(b, "null");
    buf_printf(b, ",\"line\":%u,\"col\":%u}", p.line, p.col);
}

static int is_container(const node *n) { return n->type == N_MAP || n->type == N_LIST; }

static void dump(buf *b, const node *n, int pretty, int depth, seen *s, buf *path);

static void dump_field_pos(buf *b, const node *n, int pretty, int depth)
{
    size_t count = n->type == N_MAP ? n->u.map.n : n->u.list.n;
    int any = 0;
    for (size_t i = 0; i < count; i++) {
        const node *c = n->type == N_MAP ? n->u.map.kv[i].val : n->u.list.v[i];
        if (is_container(c) || c->pos.line == 0)
            continue;
        if (!any) {
            buf_putc(b, ',');
            newline(b, pretty, depth + 1);
            buf_puts(b, pretty ? "\"field_pos\": {" : "\"field_pos\":{");
        } else
            buf_putc(b, ',');
        any = 1;
        newline(b, pretty, depth + 2);
        if (n->type == N_MAP)
            buf_json_string(b, n->u.map.kv[i].key, strlen(n->u.map.kv[i].key));
        else
            buf_printf(b, "\"%zu\"", i + 1);
        buf_puts(b, pretty ? ": " : ":");
        put_pos(b, c->pos);
    }
    if (any) {
        newline(b, pretty, depth + 1);
        buf_putc(b, '}');
    }
}

static void dump(buf *b, const node *n, int pretty, int depth, seen *s, buf *path)
{
    if (depth > 200) {
        buf_puts(b, "null");
        return;
    }
    switch (n->type) {
    case N_BOOL: buf_puts(b, n->u.b ? "true" : "false"); return;
    case N_INT: buf_printf(b, "%lld", n->u.i); return;
    case N_NUM:
        if (isfinite(n->u.d))
            buf_printf(b, "%.17g", n->u.d);
        else
            buf_puts(b, "null");
        return;
    case N_STR: buf_json_string(b, n->u.s.s, n->u.s.len); return;
    default: break;
    }
    const char *ref = seen_find(s, n);
    if (ref) {
        buf_puts(b, "{\"$ref\":");
        buf_json_string(b, ref, strlen(ref));
        buf_putc(b, '}');
        return;
    }
    seen_add(s, n, path->data ? path->data : "");
    size_t base = path->len;
    int first = 1;
    if (n->type == N_MAP) {
        buf_putc(b, '{');
        for (size_t i = 0; i < n->u.map.n; i++) {
            const node_kv *kv = &n->u.map.kv[i];
            if (!first)
                buf_putc(b, ',');
            first = 0;
            newline(b, pretty, depth + 1);
            buf_json_string(b, kv->key, strlen(kv->key));
            buf_puts(b, pretty ? ": " : ":");
            if (base)
                buf_putc(path, '.');
            buf_puts(path, kv->key);
            dump(b, kv->val, pretty, depth + 1, s, path);
            path->len = base;
            if (path->data)
                path->data[base] = '\0';
        }
        if (n->pos.line) {
            if (!first)
                buf_putc(b, ',');
            first = 0;
            newline(b, pretty, depth + 1);
            buf_puts(b, pretty ? "\"pos\": " : "\"pos\":");
            put_pos(b, n->pos);
        }
        if (first && n->u.map.n == 0) {
            buf_putc(b, '}');
            return;
        }
        dump_field_pos(b, n, pretty, depth);
        newline(b, pretty, depth);
        buf_putc(b, '}');
        return;
    }
    /* a list: printed as an array; its pos and field_pos are not representable in JSON arrays,
       so a list with positions is printed as {"items": [...], "pos":..., "field_pos":...} only
       when it has scalar items with positions. */
    int has_scalar_pos = 0;
    for (size_t i = 0; i < n->u.list.n; i++)
        if (!is_container(n->u.list.v[i]) && n->u.list.v[i]->pos.line)
            has_scalar_pos = 1;
    if (has_scalar_pos) {
        buf_putc(b, '{');
        newline(b, pretty, depth + 1);
        buf_puts(b, pretty ? "\"items\": [" : "\"items\":[");
    } else
        buf_putc(b, '[');
    int d = has_scalar_pos ? depth + 1 : depth;
    for (size_t i = 0; i < n->u.list.n; i++) {
        if (i)
            buf_putc(b, ',');
        newline(b, pretty, d + 1);
        buf_printf(path, "[%zu]", i + 1);
        dump(b, n->u.list.v[i], pretty, d + 1, s, path);
        path->len = base;
        if (path->data)
            path->data[base] = '\0';
    }
    if (n->u.list.n)
        newline(b, pretty, d);
    buf_putc(b, ']');
    if (has_scalar_pos) {
        if (n->pos.line) {
            buf_putc(b, ',');
            newline(b, pretty, depth + 1);
            buf_puts(b, pretty ? "\"pos\": " : "\"pos\":");
            put_pos(b, n->pos);
        }
        dump_field_pos(b, n, pretty, depth);
        newline(b, pretty, depth);
        buf_putc(b, '}');
    }
}

void model_dump_json(buf *b, const node *n, int pretty)
{
    seen s = {0};
    buf path = BUF_INIT;
    if (n)
        dump(b, n, pretty, 0, &s, &path);
    else
        buf_puts(b, "null");
    for (size_t i = 0; i < s.n; i++)
        free(s.paths[i]);
    free(s.nodes);
    free(s.paths);
    buf_free(&path);
}
