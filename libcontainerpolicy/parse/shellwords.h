/*
 * shellwords.h - POSIX shell text split into words and operators, for the docker run scanner
 * (dockerrun.c) and through it for CI run: steps. Nothing is expanded: quotes are removed,
 * `$VAR`, `${...}`, `$(...)` and backticks stay as written and mark the word.
 *
 * Positions are byte offsets into the text given; each byte of a word's value remembers the
 * offset it came from, so a part of a word (the value of --flag=value) has its own place.
 */
#ifndef CPOL_SHELLWORDS_H
#define CPOL_SHELLWORDS_H

#include <stddef.h>

#include "../util/arena.h"

typedef enum sh_kind {
    SH_WORD = 1,
    SH_OP,    /* ; ;; & && | || |& ( ) and newline (op "\n") */
    SH_REDIR  /* < > >> <& >& <> >| <<< &> &>> (and <<, <<- whose body is skipped) */
} sh_kind;

typedef struct sh_tok {
    unsigned char kind;
    char op[4];          /* SH_OP / SH_REDIR text */
    const char *s;       /* SH_WORD: value after quote removal (arena, NUL-terminated) */
    size_t len;
    size_t *src;         /* src[i]: offset in the text of s[i]; src[len] = end of the word */
    size_t off, end;     /* the token's bytes in the text */
    unsigned char quoted; /* some part of the word was quoted or escaped */
    unsigned char subst;  /* the word holds $name, ${...}, $(...), $((...)) or `...` */
} sh_tok;

/* A command substitution body ($(...) or `...`): scan it again for commands. */
typedef struct sh_span {
    size_t off, end;
} sh_span;

typedef struct sh_error {
    size_t off;          /* where the construct that failed starts */
    const char *msg;     /* a literal */
} sh_error;

typedef struct sh_lex {
    sh_tok *t;
    size_t n, cap;
    sh_span *subs;
    size_t nsubs, subs_cap;
    sh_error *errs;
    size_t nerrs, errs_cap;
} sh_lex;

/*
 * Split text[start..end) into tokens (arena-allocated; *out is zeroed first). Comments and
 * heredoc bodies produce nothing; `\` newline joins lines. An unterminated quote, $( or ${ is
 * recorded in out->errs and the lexer resumes on the line after the one where it started.
 * @return 0, or -1 when out of memory.
 */
int sh_lex_text(arena *a, const char *text, size_t start, size_t end, sh_lex *out);

#endif
