/*
 * yaml.h - the one YAML loader: libyaml events -> a positioned tree of raw values (yv), shared by
 * the compose, Kubernetes and CI workflow parsers. Scalars stay text; each parser resolves them per
 * field with the yv_* helpers, because compose, Kubernetes and YAML itself disagree on booleans.
 *
 * Positions: line and col are 1-based. col counts CHARACTERS (Unicode code points), not bytes, as
 * libyaml does and as the rest of the project reports YAML columns; a BOM is not counted. Input is
 * UTF-8, or UTF-16 when it starts with a BOM (libyaml's detection, as in Go's yaml ports). A
 * value's position is where its node starts: for `key: !reset &a text` that is the `!` of the tag;
 * for a block map or sequence its first key or `-`; for a flow collection its bracket.
 *
 * Sharing: the tree is read-only. An alias (`*a`) yields a small copy of the anchored value's head
 * (flag YV_ALIAS, anchor name, the alias's own position in ref_line/ref_col) whose children are
 * SHARED with the anchored value; merged pairs (`<<`) are shared too and keep the positions of the
 * anchor's source. Everything lives in ctx->a and dies with it.
 */
#ifndef CPOL_YAML_H
#define CPOL_YAML_H

#include <stddef.h>

#include "../util/buf.h"
#include "parse.h"

typedef enum yv_kind { YV_SCALAR = 1, YV_SEQ, YV_MAP } yv_kind;

typedef enum yv_style {
    YV_PLAIN = 1,      /* scalars */
    YV_SINGLE_QUOTED,
    YV_DOUBLE_QUOTED,
    YV_LITERAL,        /* | */
    YV_FOLDED,         /* > */
    YV_BLOCK,          /* maps and sequences */
    YV_FLOW            /* [..] and {..} */
} yv_style;

/* yv.flags */
#define YV_ALIAS 0x01 /* this value is an alias use (`*name`); ref_line/ref_col say where */

typedef struct yv yv;
typedef struct yv_pair {
    yv *key;
    yv *val;
} yv_pair;

struct yv {
    unsigned char kind;  /* yv_kind */
    unsigned char style; /* yv_style */
    unsigned char flags; /* YV_ALIAS */
    unsigned int line, col;         /* 1-based start of the node (see the top of this file) */
    unsigned int ref_line, ref_col; /* for YV_ALIAS: where `*name` was written; else 0 */
    const char *tag;    /* explicit tag as libyaml resolves it: "!reset", "!override", "!",
                           "tag:yaml.org,2002:str" for `!!str`; NULL when none was written */
    const char *anchor; /* `&name` carried by this value, or the name of the alias; else NULL */
    size_t weight;      /* values in this subtree, alias expansions included (>= 1) */
    union {
        struct {
            const char *s; /* NUL-terminated; may hold NULs within len ("\0" escapes) */
            size_t len;
        } str;
        struct {
            yv **v;
            size_t n;
        } seq;
        struct {
            yv_pair *v; /* keys are scalars, each once (see yaml_load) */
            size_t n;
        } map;
    } u;
};

typedef struct yaml_doc {
    yv *root;          /* NULL only in the terminating entry of the array */
    unsigned int line; /* line of the document start (`---`, or its first token) */
} yaml_doc;

typedef struct yaml_opts {
    unsigned int max_depth;      /* nested maps/sequences; 0 = default (256). Keep it modest:
                                    libyaml is quadratic in flow nesting (40,000 `[` take 4.5 s) */
    size_t max_alias_expansions; /* values reached through aliases, per document; 0 = 10000 */
    unsigned int max_documents;  /* documents in the stream, empty ones included; 0 = 10000 */
    int merge_keys;              /* apply `<<` merge keys (1), or keep `<<` as an ordinary key (0) */
} yaml_opts;

/*
 * Parse every document of the stream into ctx->a.
 *
 * opts NULL means: limits from ctx->limits (max_yaml_depth, max_alias_expansions, max_documents,
 * zero fields and a NULL ctx->limits taking the defaults above) and merge keys on.
 *
 * *docs receives an arena array of documents terminated by an entry whose root is NULL; empty
 * documents (a bare `---`, a trailing `---`: an untagged, unanchored, empty plain scalar) are
 * skipped. Documents whose root is not a map are kept. Diagnostics go to ctx->diags with ctx->file,
 * line and col:
 *   - syntax errors: libyaml's problem text at its position (plus where the construct it was
 *     reading started, and a hint for tabs); invalid UTF-8 at the first byte of the broken
 *     sequence, control characters (NUL) at the byte; the document being read is dropped and
 *     loading stops;
 *   - limits (depth, alias expansions, documents), unknown and recursive aliases: loading stops;
 *   - duplicate keys: `duplicate key "image" (first at line 3)` at the later key, which wins (its
 *     key and value replace the first pair, in the first pair's place); loading goes on;
 *   - a map or sequence used as a key: reported and the pair dropped (no tool we follow accepts
 *     them: compose and sigs.k8s.io/yaml need string keys); loading goes on;
 *   - a `<<` whose value is not a map or a list of maps: reported and ignored; loading goes on.
 * Merge keys: keys written in the map win over merged ones wherever `<<` stands; among merge
 * sources the earlier wins; merged pairs take the place of the first `<<`.
 *
 * Returns the number of documents in *docs (0 for empty input or only comments), or -1 when
 * loading stopped on an error (the documents completed before it are still in *docs) or memory ran
 * out. *docs is never left NULL unless memory ran out.
 */
int yaml_load(parse_ctx *ctx, const char *data, size_t len, const yaml_opts *opts,
              yaml_doc **docs);

/* The value of `key` in map (NULL when absent, or when map is NULL or not a map). */
yv *yv_get(const yv *map, const char *key);
/* A scalar equal to text (any style). */
int yv_is(const yv *v, const char *text);

/*
 * Scalar resolution. A plain scalar is resolved from its text; a quoted or block scalar is a
 * string; an explicit core tag decides (`!!str` never resolves; `!!bool`, `!!int`, `!!null` resolve
 * whatever the style); other tags (`!reset`, `!override`) are ignored.
 */
/* 1 for null: plain ~, null, Null, NULL or empty. 0 otherwise, and for a NULL v (absent). */
int yv_is_null(const yv *v);
/*
 * Kubernetes booleans (sigs.k8s.io/yaml reads YAML 1.1): y Y yes Yes YES n N no No NO true True TRUE
 * false False FALSE on On ON off Off OFF, plain scalars only. 0 and *out set, or -1.
 */
int yv_bool_k8s(const yv *v, int *out);
/*
 * Compose booleans. compose-go reads YAML with yaml.v3 (so plain `yes` is the string "yes") and
 * then casts every STRING found in a boolean field (privileged, read_only, tty, ...) with
 * strings.ToLower against y/yes/true/on and n/no/false/off (compose-go loader/interpolate.go,
 * toBoolean, applied through interpolation's TypeCastMapping whether or not a variable was
 * substituted). So, for compose, neither style nor `!!str` matters: `privileged: "yes"`,
 * `privileged: YES`, `privileged: On` are all true. Only other core tags (`!!int 1`) give -1.
 * Call this only for fields compose casts to bool. 0 and *out set, or -1.
 */
int yv_bool_compose(const yv *v, int *out);
/*
 * Integers as both YAML libraries of Go read them (strconv.ParseInt base 0 after removing `_`):
 * optional sign, decimal, 0x hex, 0o or leading-0 octal (`0644` = 420, as in Kubernetes
 * defaultMode), 0b binary; out of the long long range is -1. Plain scalars only (or `!!int`).
 */
int yv_int(const yv *v, long long *out);

/*
 * Canonical dump for golden tests: one line per value, "line:col kind style [<tag>] [&anchor or
 * *alias@line:col of the use] ["json text"]"; sequence items start "- ", map keys "? " and their
 * values ": ", two spaces deeper than their collection. Iterative (no recursion), but the
 * indentation makes it quadratic in depth: for tests only.
 *   1:1 map block
 *     ? 1:1 scalar plain "ports"
 *     : 1:8 seq flow <!reset> *p@1:15
 *       - 3:5 scalar double "80"
 */
void yaml_dump(buf *b, const yv *v, int indent);

#endif
