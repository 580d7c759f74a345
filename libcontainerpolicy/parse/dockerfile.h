/*
 * dockerfile.h - private interface between the three parts of the Dockerfile parser:
 * dockerfile_lex.c (physical lines -> logical instructions with positions), dockerfile_words.c
 * (exec-form JSON, flags, shell words with ARG/ENV substitution) and dockerfile.c (the model).
 */
#ifndef CPOL_DOCKERFILE_H
#define CPOL_DOCKERFILE_H

#include <stddef.h>

#include "../util/buf.h"
#include "parse.h"

/* A stretch of the joined instruction text that was written contiguously in the file. */
typedef struct df_seg {
    size_t off;            /* offset in the joined text */
    unsigned int line, col;
} df_seg;

typedef struct df_heredoc {
    const char *delim;     /* arena */
    const char *body;      /* arena; every line ends with '\n' */
    size_t body_len;
    size_t off;            /* offset of "<<" in the joined text */
    unsigned int body_line; /* first line of the body */
    int strip_tabs, quoted, terminated;
} df_heredoc;

/* One logical instruction. text/segs/heredocs are owned by the lexer and valid until the next
   df_lex_next call. */
typedef struct df_inst {
    const char *text;
    size_t len;
    const df_seg *segs;
    size_t nsegs;
    unsigned int line, col; /* of the keyword */
    unsigned int end_line;  /* last physical line, heredoc terminators included */
    size_t kw_off, kw_len;  /* keyword = text[kw_off..kw_off+kw_len) */
    size_t args_off;        /* first byte of the arguments */
    const df_heredoc *heredocs;
    size_t nheredocs;
    int bad;                /* a problem was reported already: skip the instruction */
} df_inst;

typedef struct df_directive {
    const char *key;        /* "syntax", "escape", "check" (static) */
    const char *value;      /* arena */
    unsigned int line, col; /* of the value */
} df_directive;

typedef struct df_lexer {
    parse_ctx *ctx;
    const char *data;
    size_t len, pos;        /* pos: start of the next physical line */
    unsigned int line;      /* number of the next physical line */
    size_t bom;             /* 3 when the file starts with a UTF-8 BOM */
    char escape;
    df_directive directives[3];
    size_t ndirectives;
    size_t diag_base;       /* diagnostics already in the sink when we started */
    int diag_capped;
    buf text, body;
    df_seg *segs;
    size_t nsegs, segcap;
    df_heredoc *hd;
    size_t nhd, hdcap;
} df_lexer;

/* Lexer: read the parser directives at the top. Returns -1 when the data is binary (reported). */
int df_lex_init(df_lexer *lx, parse_ctx *ctx, const char *data, size_t len);
/* The next instruction; 0 at the end of the input. */
int df_lex_next(df_lexer *lx, df_inst *out);
void df_lex_free(df_lexer *lx);
/* Where byte off of the joined text was written. */
cpos df_pos(const df_lexer *lx, const df_inst *in, size_t off);
/* A diagnostic for this file; after a hundred, one "too many" note and silence. */
void df_diag(df_lexer *lx, unsigned int line, unsigned int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Variable lookup for substitution: 1 and the value when known, 0 when unset or unknown. */
typedef int (*df_lookup_fn)(void *ud, const char *name, size_t len, const char **val,
                            size_t *vlen);

typedef struct df_word {
    const char *s; /* arena, NUL-terminated */
    size_t len;
    size_t off;    /* offset of the word in the joined text */
    size_t end;    /* offset just past the word */
    int unresolved; /* a variable had no known value */
} df_word;

typedef struct df_words {
    arena *a;
    char escape;
    df_lookup_fn lookup; /* NULL: no substitution (quotes are still removed) */
    void *ud;
    buf scratch;
} df_words;

/*
 * Exec form: 1 when s (already trimmed at the left) is a JSON array of strings (elements in
 * *out, *n), 0 when it does not start with '[', -1 when it starts with '[' but is not valid;
 * then *err says why and *err_off (relative to s) where.
 */
int df_json_array(df_words *w, const char *s, size_t len, size_t base_off, df_word **out,
                  size_t *n, const char **err, size_t *err_off);
/*
 * The next shell word of text[*i..len): quotes and escapes removed, variables substituted
 * when w->lookup is set. whole: whitespace does not end the word (USER, WORKDIR).
 * Returns 0 when only whitespace remains.
 */
int df_word_next(df_words *w, const char *text, size_t len, size_t *i, int whole, df_word *out);
/* Every word of text[from..len), offsets relative to text. */
df_word *df_words_split(df_words *w, const char *text, size_t from, size_t len, size_t *n);
void df_words_free(df_words *w);

#endif
