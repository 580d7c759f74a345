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
        /* beyond DESIGN's list: Dockerfile-dev and Dockerfile_alpine are common in practice
           (the corpus has them) and would otherwise be skipped without a word */
        strncmp(b, "Dockerfile-", 11) == 0 || strncmp(b, "Dockerfile_", 11) == 0 ||
        ends_with_ci(b, ".Dockerfile") || ends_with_ci(b, ".Containerfile") ||
        strcasecmp(b, "dockerfile") == 0) {
        if (ends_with_ci(b, ".dockerignore"))
            return CPOL_FORMAT_AUTO; /* Dockerfile.dockerignore is an ignore file */
        return CPOL_FORMAT_DOCKERFILE;
    }
    /* CI workflows: .y(a)ml files under .github/workflows, and .gitlab-ci.yml */
    if (strcmp(b, ".gitlab-ci.yml") == 0 || strcmp(b, ".gitlab-ci.yaml") == 0)
        return CPOL_FORMAT_GITLAB;
    if ((ends_with_ci(b, ".yml") || ends_with_ci(b, ".yaml")) && (size_t)(b - path) >= 18 &&
        strncmp(b - 18, ".github/workflows/", 18) == 0 && (b - path == 18 || b[-19] == '/'))
        return CPOL_FORMAT_GITHUB;
    /* shell scripts: docker run lines */
    if (ends_with_ci(b, ".sh") || ends_with_ci(b, ".bash"))
        return CPOL_FORMAT_DOCKER_RUN;
    /* compose: docker-compose*.y(a)ml, compose*.y(a)ml */
    if ((strncmp(b, "docker-compose", 14) == 0 || strncmp(b, "compose", 7) == 0) &&
        (ends_with_ci(b, ".yml") || ends_with_ci(b, ".yaml")))
        return CPOL_FORMAT_COMPOSE;
    return CPOL_FORMAT_AUTO;
}

int detect_content_candidate(const char *path)
{
    const char *b = base_name(path);
    return ends_with_ci(b, ".yml") || ends_with_ci(b, ".yaml") || ends_with_ci(b, ".json");
}

int detect_shebang_candidate(const char *path)
{
    const char *b = base_name(path);
    return strchr(b, '.') == NULL;
}

/* "#!/bin/sh", "#!/usr/bin/env bash", ... on the first line. */
static int shell_shebang(const char *data, size_t len)
{
    if (len < 3 || data[0] != '#' || data[1] != '!')
        return 0;
    size_t end = 2;
    while (end < len && end < 256 && data[end] != '\n')
        end++;
    static const char *const shells[] = {"/sh", "/bash", "/dash", "/ksh", "/zsh", " sh", " bash",
                                         " dash", " ksh", " zsh"};
    for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++) {
        size_t n = strlen(shells[i]);
        for (size_t j = 2; j + n <= end; j++)
            if (memcmp(data + j, shells[i], n) == 0 &&
                (j + n == end || data[j + n] == ' ' || data[j + n] == '\r' ||
                 data[j + n] == '\n'))
                return 1;
    }
    return 0;
}

/* Does a line of the text start with `key` followed by optional spaces and ':' (YAML), or does
   the text hold `"key"` followed by ':' (JSON)? Cheap: detection runs on every candidate file. */
static int has_top_key(const char *data, size_t len, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl < len; i++) {
        int line_start = i == 0 || data[i - 1] == '\n';
        int quoted = i > 0 && data[i - 1] == '"' && i + kl < len && data[i + kl] == '"';
        if (!line_start && !quoted)
            continue;
        if (memcmp(data + i, key, kl) != 0)
            continue;
        size_t j = i + kl + (quoted ? 1 : 0);
        while (j < len && (data[j] == ' ' || data[j] == '\t'))
            j++;
        if (j < len && data[j] == ':')
            return 1;
    }
    return 0;
}

cpol_format detect_by_content(const char *data, size_t len)
{
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3; /* a UTF-8 BOM before the first key */
        len -= 3;
    }
    if (shell_shebang(data, len))
        return CPOL_FORMAT_DOCKER_RUN;
    if (has_top_key(data, len, "ociVersion"))
        return CPOL_FORMAT_OCI;
    if (has_top_key(data, len, "apiVersion") && has_top_key(data, len, "kind"))
        return CPOL_FORMAT_K8S;
    return CPOL_FORMAT_AUTO;
}
