/*
 * detect.h - which parser reads a file: by name first (DESIGN section 1), then by content.
 * Only formats with a parser are detected; anything else in a walked folder is skipped.
 */
#ifndef CPOL_DETECT_H
#define CPOL_DETECT_H

#include <stddef.h>

#include "containerpolicy.h"

/* The format a path's name implies, or CPOL_FORMAT_AUTO when the name says nothing. */
cpol_format detect_by_name(const char *path);
/* The format of a buffer whose name said nothing, or CPOL_FORMAT_AUTO. */
cpol_format detect_by_content(const char *data, size_t len);

/* Could the file be recognised by its content (YAML or JSON by extension)? Decides which
   files of a walked folder are read at all. */
int detect_content_candidate(const char *path);
/* Could the file be a shell script with a shebang (a name without an extension)? The walker
   peeks at its first bytes before reading it. */
int detect_shebang_candidate(const char *path);

#endif
