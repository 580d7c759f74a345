/*
 * imageref.c - image reference splitting (see imageref.h). Pure string work in the caller's arena.
 *
 * Grammar (Docker's reference package, distribution spec):
 *   reference   := name [ ":" tag ] [ "@" digest ]
 *   name        := [ domain "/" ] path-component { "/" path-component }
 *   domain      := host [ ":" port ]        host := dns-name | "[" ipv6 "]"
 *   path-component := alnum { separator alnum }
 *   alnum       := [a-z0-9]+                separator := "." | "_" | "__" | "-"+
 *   tag         := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *   digest      := algorithm ":" hex        algorithm := component { [+._-] component },
 *                  component := [A-Za-z][A-Za-z0-9]*
 *   sha256/sha384/sha512 digests have exactly 64/96/128 lower-case hex digits; others at least 32.
 */
#include "imageref.h"

#include <string.h>

#define NAME_MAX_LEN 255

static int is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static int is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static int valid_tag(const char *s, size_t n)
{
    if (n == 0 || n > 128)
        return 0;
    if (!is_alnum(s[0]) && s[0] != '_')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return 0;
    return 1;
}

static int valid_digest(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return 0;
    size_t alen = (size_t)(colon - s), hlen = n - alen - 1;
    const char *hex = colon + 1;
    /* algorithm: components of [A-Za-z][A-Za-z0-9]* joined by single separators */
    int need_alpha = 1;
    for (size_t i = 0; i < alen; i++) {
        char c = s[i];
        if (need_alpha) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
                return 0;
            need_alpha = 0;
        } else if (c == '+' || c == '.' || c == '_' || c == '-') {
            need_alpha = 1;
        } else if (!is_alnum(c)) {
            return 0;
        }
    }
    if (need_alpha)
        return 0; /* empty algorithm or trailing separator */
    size_t want = 0;
    if (alen == 6 && memcmp(s, "sha256", 6) == 0)
        want = 64;
    else if (alen == 6 && memcmp(s, "sha384", 6) == 0)
        want = 96;
    else if (alen == 6 && memcmp(s, "sha512", 6) == 0)
        want = 128;
    if (want) {
        if (hlen != want)
            return 0;
        for (size_t i = 0; i < hlen; i++)
            if (!is_lower_hex(hex[i]))
                return 0;
        return 1;
    }
    if (hlen < 32)
        return 0;
    for (size_t i = 0; i < hlen; i++)
        if (!is_hex(hex[i]))
            return 0;
    return 1;
}

/* One path component: alnum runs joined by ".", "_", "__" or any number of "-". */
static int valid_component(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_lower_alnum(s[0]))
        return 0;
    while (i < n) {
        while (i < n && is_lower_alnum(s[i]))
            i++;
        if (i == n)
            return 1;
        size_t sep = i;
        if (s[i] == '.') {
            i++;
        } else if (s[i] == '_') {
            i++;
            if (i < n && s[i] == '_')
                i++;
        } else if (s[i] == '-') {
            while (i < n && s[i] == '-')
                i++;
        } else {
            return 0;
        }
        if (i == n || !is_lower_alnum(s[i]) || i == sep)
            return 0;
    }
    return 1;
}

static int valid_path(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (!valid_component(s + start, i - start))
                return 0;
            start = i + 1;
        }
    }
    return 1;
}

static int valid_port(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int valid_domain(const char *s, size_t n)
{
    size_t host_end;
    if (n && s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        if (!rb || rb == s + 1)
            return 0;
        for (const char *p = s + 1; p < rb; p++)
            if (!is_hex(*p) && *p != ':' && *p != '.')
                return 0;
        host_end = (size_t)(rb - s) + 1;
    } else {
        host_end = 0;
        while (host_end < n && s[host_end] != ':')
            host_end++;
        /* dns name: components of alnum, inner '-', joined by '.' */
        size_t start = 0;
        for (size_t i = 0; i <= host_end; i++) {
            if (i == host_end || s[i] == '.') {
                size_t len = i - start;
                if (len == 0 || !is_alnum(s[start]) || !is_alnum(s[i - 1]))
                    return 0;
                for (size_t k = start; k < i; k++)
                    if (!is_alnum(s[k]) && s[k] != '-')
                        return 0;
                start = i + 1;
            }
        }
    }
    if (host_end == n)
        return 1;
    if (s[host_end] != ':')
        return 0;
    return valid_port(s + host_end + 1, n - host_end - 1);
}

static int looks_like_domain(const char *s, size_t n)
{
    if (memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && memcmp(s, "localhost", 9) == 0))
        return 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            return 1;
    return 0;
}

int image_ref_parse(arena *a, const char *ref, image_ref *out)
{
    memset(out, 0, sizeof *out);
    if (!ref)
        return -1;
    size_t len = strlen(ref);
    const char *at = memchr(ref, '@', len);
    size_t name_len = at ? (size_t)(at - ref) : len;
    const char *digest = NULL;
    size_t digest_len = 0;
    if (at) {
        digest = at + 1;
        digest_len = len - name_len - 1;
        if (!valid_digest(digest, digest_len))
            return -1;
    }
    /* the tag is after the last ':' that follows the last '/': "host:5000/app" has none */
    const char *tag = NULL;
    size_t tag_len = 0;
    for (size_t i = name_len; i > 0; i--) {
        char c = ref[i - 1];
        if (c == '/')
            break;
        if (c == ':') {
            tag = ref + i;
            tag_len = name_len - i;
            name_len = i - 1;
            break;
        }
    }
    if (tag && !valid_tag(tag, tag_len))
        return -1;
    if (name_len == 0 || name_len > NAME_MAX_LEN)
        return -1;

    const char *slash = memchr(ref, '/', name_len);
    const char *domain = "docker.io";
    size_t domain_len = 9;
    const char *path = ref;
    size_t path_len = name_len;
    if (slash && looks_like_domain(ref, (size_t)(slash - ref))) {
        domain = ref;
        domain_len = (size_t)(slash - ref);
        path = slash + 1;
        path_len = name_len - domain_len - 1;
        if (!valid_domain(domain, domain_len))
            return -1;
        if (domain_len == 15 && memcmp(domain, "index.docker.io", 15) == 0) {
            domain = "docker.io";
            domain_len = 9;
        }
    }
    if (!valid_path(path, path_len))
        return -1;

    int hub_library = domain_len == 9 && memcmp(domain, "docker.io", 9) == 0 &&
                      !memchr(path, '/', path_len);
    out->registry = arena_strndup(a, domain, domain_len);
    out->repository = hub_library ? arena_printf(a, "library/%.*s", (int)path_len, path)
                                  : arena_strndup(a, path, path_len);
    const char *last = path + path_len;
    while (last > path && last[-1] != '/')
        last--;
    out->name = arena_strndup(a, last, (size_t)(path + path_len - last));
    if (tag)
        out->tag = arena_strndup(a, tag, tag_len);
    if (digest)
        out->digest = arena_strndup(a, digest, digest_len);
    if (!out->registry || !out->repository || !out->name || (tag && !out->tag) ||
        (digest && !out->digest)) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}
