/*
 * link.c - cross-file links (see link.h): a compose service's build_spec becomes the build of its
 * Dockerfile, and a service that writes no `user:` runs as the user its built image sets.
 * Paths: the compose file's folder + build.context + build.dockerfile, as compose resolves them
 * (an absolute dockerfile stands alone; a remote context, git or http, is not followed).
 */
#include <string.h>
#include <strings.h>

#include "link.h"

static int is_remote(const char *ctx)
{
    static const char *const prefixes[] = {"http://", "https://", "git://", "git@", "ssh://",
                                           "github.com/"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(ctx, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    size_t n = strlen(ctx);
    return n > 4 && strcmp(ctx + n - 4, ".git") == 0;
}

/* a + "/" + b, without "./" noise; b absolute replaces a. */
static char *join(arena *a, const char *dir, const char *rel)
{
    if (rel[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        return arena_strdup(a, rel);
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    if (strcmp(rel, ".") == 0 || !rel[0])
        return arena_strdup(a, dir);
    size_t n = strlen(dir);
    return arena_printf(a, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", rel);
}

/* Drop "." segments and fold "dir/.." so one file has one name (the scan may know it already). */
static char *tidy(char *path)
{
    if (!path)
        return NULL;
    int abs = path[0] == '/';
    char *seg[256];
    size_t nseg = 0;
    char *save = NULL;
    char *copy = path;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0 && nseg && strcmp(seg[nseg - 1], "..") != 0) {
            nseg--;
            continue;
        }
        if (nseg == sizeof seg / sizeof seg[0])
            return NULL;
        seg[nseg++] = t;
    }
    /* rebuild in place: every segment is at or after its output position */
    char *o = path;
    if (abs)
        *o++ = '/';
    for (size_t i = 0; i < nseg; i++) {
        size_t n = strlen(seg[i]);
        memmove(o, seg[i], n);
        o += n;
        if (i + 1 < nseg)
            *o++ = '/';
    }
    if (o == path)
        *o++ = '.';
    *o = '\0';
    return path;
}

static char *dir_of(arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return arena_strdup(a, ".");
    if (slash == path)
        return arena_strdup(a, "/");
    return arena_strndup(a, path, (size_t)(slash - path));
}

/* The stage a service runs: build.target when it names one, else the final stage. */
static node *run_stage(const node *build, const char *target)
{
    node *stages = node_get(build, "stages");
    if (!stages || stages->type != N_LIST || !stages->u.list.n)
        return NULL;
    if (target)
        for (size_t i = 0; i < stages->u.list.n; i++) {
            const char *name = node_get_str(stages->u.list.v[i], "name");
            if (name && strcasecmp(name, target) == 0)
                return stages->u.list.v[i];
        }
    long long fin = node_get_int(build, "final", (long long)stages->u.list.n);
    if (fin < 1 || (size_t)fin > stages->u.list.n)
        fin = (long long)stages->u.list.n;
    return stages->u.list.v[fin - 1];
}

static void link_one(parse_ctx *ctx, node *c, const link_ops *ops)
{
    node *spec = node_get(c, "build_spec");
    if (!spec || spec->type != N_MAP)
        return;
    const char *context = node_get_str(spec, "context");
    const char *dockerfile = node_get_str(spec, "dockerfile");
    const char *inl = node_get_str(spec, "dockerfile_inline");
    if (!context)
        context = ".";
    if (is_remote(context))
        return;
    const char *file = node_get_str(node_get(c, "document"), "file");
    char *base = dir_of(ctx->a, file ? file : "");
    char *cdir = base ? join(ctx->a, base, context) : NULL;
    char *path = NULL;
    if (inl)
        /* names the inline text in positions: its lines are counted from the text's start */
        path = arena_printf(ctx->a, "%s#%s.build.dockerfile_inline", file ? file : "",
                            node_get_str(c, "name") ? node_get_str(c, "name") : "");
    else if (cdir)
        path = tidy(join(ctx->a, cdir, dockerfile ? dockerfile : "Dockerfile"));
    if (!path)
        return;
    node *b = ops->load_dockerfile(ops->ud, path, inl, spec->pos);
    if (!b)
        return;
    node_set(ctx->a, c, "build", b);
    node *stage = run_stage(b, node_get_str(spec, "target"));
    if (!node_get(c, "user") && stage && node_get(stage, "user")) {
        node_set(ctx->a, c, "user", node_get(stage, "user"));
        node_set_bool(ctx->a, c, "user_from_build", 1, cpos_make(NULL, 0, 0));
    }
    if (!node_get(c, "image"))
        node_set_bool(ctx->a, c, "built_image", 1, cpos_make(NULL, 0, 0));
}

void link_project(parse_ctx *ctx, node *project, size_t first, size_t end, const link_ops *ops)
{
    node *cs = node_get(project, "containers");
    if (!cs || cs->type != N_LIST || !ops || !ops->load_dockerfile)
        return;
    for (size_t i = first; i < end && i < cs->u.list.n; i++) {
        node *c = cs->u.list.v[i];
        const char *kind = node_get_str(c, "kind");
        if (kind && strcmp(kind, "compose-service") == 0)
            link_one(ctx, c, ops);
    }
}
