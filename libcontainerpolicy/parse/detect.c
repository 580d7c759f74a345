/* detect.c - input format detection (see detect.h). */
#include "detect.h"

#include <string.h>
#include <strings.h>

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

cpol_format detect_by_name(const char *path)
{
    const char *b = base_name(path);
    if (strcmp(b, "Dockerfile") == 0 || strcmp(b, "Containerfile") == 0 ||
        strncmp(b, "Dockerfile.", 11) == 0 || strncmp(b, "Containerfile.", 14) == 0 ||
        ends_with_ci(b, ".Dockerfile") || ends_with_ci(b, ".Containerfile") ||
        strcasecmp(b, "dockerfile") == 0) {
        if (ends_with_ci(b, ".dockerignore"))
            return CPOL_FORMAT_AUTO; /* Dockerfile.dockerignore is an ignore file */
        return CPOL_FORMAT_DOCKERFILE;
    }
    return CPOL_FORMAT_AUTO;
}

cpol_format detect_by_content(const char *data, size_t len)
{
    (void)data;
    (void)len;
    return CPOL_FORMAT_AUTO;
}
