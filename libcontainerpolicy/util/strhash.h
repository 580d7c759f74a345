/*
 * strhash.h - the one string hash of the library's by-name tables (FNV-1a): the report's sources,
 * the scanned files of a project run, the parsed Dockerfiles a compose build links to, YAML
 * anchors, Dockerfile variables. Not for fingerprints (report.h's source_hash is fixed forever).
 */
#ifndef CPOL_STRHASH_H
#define CPOL_STRHASH_H

#include <stddef.h>

size_t str_hash(const char *s);
size_t str_hash_n(const char *s, size_t len);

#endif
