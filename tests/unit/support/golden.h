/* golden.h - shared helpers of the golden-data unit tests (tests/unit/support/golden.c). */
#ifndef CPOL_TEST_GOLDEN_H
#define CPOL_TEST_GOLDEN_H

#include <stddef.h>

#include "model/node.h"
#include "util/buf.h"
#include "util/diag.h"

/* The whole file, NUL-terminated (malloc'd), or NULL when it cannot be read. */
char *golden_read_file(const char *path, size_t *len);
int golden_write_file(const char *path, const char *s);
/* One diagnostic per line: "line:col message\n" (malloc'd). */
char *golden_diag_text(const diag_sink *d);
/* qsort comparator for an array of char *. */
int golden_cmp_names(const void *x, const void *y);
/* Compare `got` with the file at path (NULL got: the file must not exist); with update, rewrite
   the file instead. Differences are printed and counted in *failures. */
void golden_compare(const char *path, const char *got, int update, int *failures);

/* The case folders of dir (names not starting with '.'), sorted, strdup'd into names; at most
   max. Fails the test when dir cannot be read. */
size_t golden_list(const char *dir, char **names, size_t max);
/* 1 when CPOL_UPDATE_GOLDEN=1 asks to rewrite the expected files. */
int golden_updating(void);
/* Compare dir/name/expected.model with the dump of project (NULL: no model expected) and
   dir/name/expected.error with errs (NULL: none expected); frees errs. */
void golden_expect(const char *dir, const char *name, const node *project, char *errs, int update,
                   int *failures);

/* Split a tab-separated line in place into at most max columns; returns how many. */
size_t golden_split_tsv(char *line, char **cols, size_t max);

#endif
