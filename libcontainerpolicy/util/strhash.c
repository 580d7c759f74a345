/* strhash.c - see strhash.h. */
#include "strhash.h"

#define FNV_OFFSET ((size_t)(1469598103934665603ull & (size_t)-1))
#define FNV_PRIME ((size_t)1099511628211ull)

size_t str_hash(const char *s)
{
    size_t h = FNV_OFFSET;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * FNV_PRIME;
    return h;
}

size_t str_hash_n(const char *s, size_t len)
{
    size_t h = FNV_OFFSET;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}
