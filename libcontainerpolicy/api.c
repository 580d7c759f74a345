/*
 * api.c - the public API on top of everything: engine lifecycle, scans (walk, detect, read,
 * parse, attach the build context, run rules), and small helpers on names. The flow is
 * DESIGN section 1: path -> walk + detect -> parser -> model -> rules -> findings -> writers.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "link/link.h"
#include "model/dump.h"
#include "parse/detect.h"
#include "parse/parse.h"
#include "util/buf.h"
#include "util/context.h"
#include "util/walk.h"
#include "util/strhash.h"

const char *cpol_version(void) { return CPOL_VERSION_STRING; }

void cpol_options_init(cpol_options *opts)
{
    cpol_options d = CPOL_OPTIONS_INIT;
    if (opts)
        *opts = d;
}

void cpol_free(void *ptr) { free(ptr); }

cpol_format cpol_detect_format(const char *name, const char *data, size_t len)
{
    if (!name)
        return CPOL_FORMAT_AUTO;
    cpol_format f = detect_by_name(name);
    if (f == CPOL_FORMAT_AUTO && data)
        f = detect_by_content(data, len);
    return f;
}

static const char *const severity_names[] = {"unknown", "info", "low", "medium", "high", "critical"};

cpol_severity cpol_severity_from_string(const char *s)
{
    if (!s)
        return (cpol_severity)0;
    for (int i = 1; i <= 5; i++)
        if (strcasecmp(s, severity_names[i]) == 0)
            return (cpol_severity)i;
    return (cpol_severity)0;
}

const char *cpol_severity_name(cpol_severity s)
{
    return s >= 1 && s <= 5 ? severity_names[s] : "unknown";
}

static const char *const format_names[] = {"auto", "dockerfile", "compose", "k8s",
                                           "oci",  "docker-run", "github",  "gitlab"};

const char *cpol_format_name(cpol_format f)
{
    return (unsigned)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : "unknown";
}

int cpol_format_from_string(const char *s)
{
    for (size_t i = 0; s && i < sizeof format_names / sizeof format_names[0]; i++)
        if (strcasecmp(s, format_names[i]) == 0)
            return (int)i;
    return -1;
}

#define DEFAULT(field, value)                                                                      \
    if (!e->opts.field)                                                                            \
    e->opts.field = (value)

cpol_engine *cpol_engine_new(const cpol_options *opts)
{
    if (opts && opts->version != CPOL_OPTIONS_VERSION)
        return NULL;
    cpol_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (opts)
        e->opts = *opts;
    else
        cpol_options_init(&e->opts);
    DEFAULT(max_file_size, 16u << 20);
    DEFAULT(max_line_length, 1u << 20);
    DEFAULT(max_yaml_depth, 256);
    DEFAULT(max_json_depth, 256);
    DEFAULT(max_alias_expansions, 10000);
    DEFAULT(max_documents, 10000);
    DEFAULT(lua_memory, (size_t)256 << 20);
    DEFAULT(lua_instructions, 10000000UL);
    DEFAULT(pattern_steps, 1000000UL);
    DEFAULT(rule_timeout_ms, 1000);
    DEFAULT(max_context_files, 20000);
    e->limits.max_file_size = e->opts.max_file_size;
    e->limits.max_line_length = e->opts.max_line_length;
    e->limits.max_yaml_depth = e->opts.max_yaml_depth;
    e->limits.max_json_depth = e->opts.max_json_depth;
    e->limits.max_alias_expansions = e->opts.max_alias_expansions;
    e->limits.max_documents = e->opts.max_documents;
    e->limits.max_context_files = e->opts.max_context_files;
    e->mem_limit = e->opts.lua_memory;
    e->fail_on = -1;
    if (sandbox_open(e) != 0) {
        free(e);
        return NULL;
    }
    if (rules_load_builtin(e, !e->opts.no_builtin_rules) != 0) {
        /* a built-in rule that does not load is a bug of ours; refuse to pretend */
        cpol_engine_free(e);
        return NULL;
    }
    return e;
}

void cpol_engine_free(cpol_engine *e)
{
    if (!e)
        return;
    rules_free(e);
    sandbox_close(e);
    config_free(e);
    baseline_free(e);
    free(e);
}

const char *cpol_engine_last_error(const cpol_engine *e) { return e ? e->error : ""; }

int cpol_engine_set_format_hint(cpol_engine *e, cpol_format format)
{
    if (!e || (unsigned)format > CPOL_FORMAT_GITLAB)
        return CPOL_EINVAL;
    e->format_hint = format;
    return 0;
}

void cpol_engine_set_progress(cpol_engine *e, cpol_progress_fn fn, void *ud)
{
    if (!e)
        return;
    e->progress = fn;
    e->progress_ud = ud;
}

void cpol_engine_set_log(cpol_engine *e, cpol_log_fn fn, void *ud)
{
    if (!e)
        return;
    e->log_fn = fn;
    e->log_ud = ud;
}

size_t cpol_engine_rule_count(const cpol_engine *e) { return e ? e->nrules : 0; }

int cpol_engine_rule_info(const cpol_engine *e, size_t i, cpol_rule_info *out)
{
    if (!e || !out || i >= e->nrules)
        return CPOL_EINVAL;
    const rule *r = &e->rules[i];
    out->id = r->id;
    out->control = r->control;
    out->severity = r->severity;
    out->title = r->title;
    out->description = r->description;
    out->remediation = r->remediation;
    out->formats = r->formats_csv;
    out->references = r->references;
    out->origin = r->origin;
    return 0;
}

int cpol_engine_add_rule_source(cpol_engine *e, const char *name, const char *source, size_t len)
{
    if (!e || !name || !source)
        return CPOL_EINVAL;
    e->error[0] = '\0';
    return rules_load_source(e, name, source, len, 0);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Libraries (`_name.lua`) load before the rules of a folder, then everything by name. */
static int rule_file_order(const char *a, const char *b)
{
    const char *ba = strrchr(a, '/'), *bb = strrchr(b, '/');
    int la = (ba ? ba[1] : a[0]) == '_', lb = (bb ? bb[1] : b[0]) == '_';
    if (la != lb)
        return la ? -1 : 1;
    return strcmp(a, b);
}

static int add_rule_file(cpol_engine *e, const char *path)
{
    char *data;
    size_t len;
    char why[256];
    if (read_file(path, 1u << 20, &data, &len, why, sizeof why) != 0) {
        engine_set_error(e, "%s: %s", path, why);
        return CPOL_EIO;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int rc = base[0] == '_' ? rules_load_library(e, path, data, len)
                            : rules_load_source(e, path, data, len, 0);
    free(data);
    return rc;
}

static int want_lua(const char *path, void *ud)
{
    (void)ud;
    return ends_with(path, ".lua");
}

int cpol_engine_add_rules(cpol_engine *e, const char *path)
{
    if (!e || !path)
        return CPOL_EINVAL;
    e->error[0] = '\0';
    struct stat st;
    if (stat(path, &st) != 0) {
        engine_set_error(e, "%s: %s", path, strerror(errno));
        return CPOL_EIO;
    }
    if (!S_ISDIR(st.st_mode))
        return add_rule_file(e, path);
    /* a folder: its *.lua files, not recursive (examples folders hold inputs, not rules) */
    DIR *d = opendir(path);
    if (!d) {
        engine_set_error(e, "%s: %s", path, strerror(errno));
        return CPOL_EIO;
    }
    walk_list files = {0};
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (!ends_with(ent->d_name, ".lua"))
            continue;
        size_t n = strlen(path) + strlen(ent->d_name) + 2;
        char *p = malloc(n);
        if (!p)
            break;
        snprintf(p, n, "%s/%s", path, ent->d_name);
        struct stat fst;
        if (stat(p, &fst) != 0 || !S_ISREG(fst.st_mode)) {
            free(p);
            continue;
        }
        char **v = realloc(files.paths, (files.n + 1) * sizeof *v);
        if (!v) {
            free(p);
            break;
        }
        files.paths = v;
        files.paths[files.n++] = p;
    }
    closedir(d);
    (void)want_lua;
    int rc = 0;
    for (size_t i = 0; i < files.n; i++)
        for (size_t j = i + 1; j < files.n; j++)
            if (rule_file_order(files.paths[i], files.paths[j]) > 0) {
                char *t = files.paths[i];
                files.paths[i] = files.paths[j];
                files.paths[j] = t;
            }
    if (files.n == 0) {
        engine_set_error(e, "%s: no .lua rule files in this folder", path);
        rc = CPOL_EIO;
    }
    for (size_t i = 0; i < files.n && rc == 0; i++)
        rc = add_rule_file(e, files.paths[i]);
    walk_list_free(&files);
    return rc;
}

/* ---- scanning ---------------------------------------------------------------------------- */

/* One scanned file: the containers it added, for running the rules file by file. */
typedef struct scanned {
    size_t first, end;
    const char *name; /* in the arena its parse used */
} scanned;

/* Builds by their file name (the first one of a name wins), so that linking n compose services
   to m Dockerfiles costs n + m look-ups rather than n * m string comparisons: on ten copies of
   the corpus the linear search was 4% of a scan, all of it serial. */
typedef struct build_index {
    node **v;          /* open addressing; NULL = empty */
    size_t cap, n;
    size_t indexed;    /* entries of the list added so far */
} build_index;

static node *build_index_get(const build_index *ix, const char *file)
{
    if (!ix->cap)
        return NULL;
    for (size_t h = str_hash(file) & (ix->cap - 1); ix->v[h]; h = (h + 1) & (ix->cap - 1))
        if (strcmp(node_get_str(ix->v[h], "file"), file) == 0)
            return ix->v[h];
    return NULL;
}

/* Add b under its file name unless the name is there already. -1 when out of memory. */
static int build_index_add(build_index *ix, node *b)
{
    const char *file = node_get_str(b, "file");
    if (!file || build_index_get(ix, file))
        return 0;
    if ((ix->n + 1) * 2 > ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 64;
        node **v = calloc(cap, sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->v[i]) {
                size_t h = str_hash(node_get_str(ix->v[i], "file")) & (cap - 1);
                while (v[h])
                    h = (h + 1) & (cap - 1);
                v[h] = ix->v[i];
            }
        free(ix->v);
        ix->v = v;
        ix->cap = cap;
    }
    size_t h = str_hash(file) & (ix->cap - 1);
    while (ix->v[h])
        h = (h + 1) & (ix->cap - 1);
    ix->v[h] = b;
    ix->n++;
    return 0;
}

/* Index what was added to the list since the last call. -1 when out of memory. */
static int build_index_sync(build_index *ix, const node *list)
{
    for (; list && list->type == N_LIST && ix->indexed < list->u.list.n; ix->indexed++)
        if (build_index_add(ix, list->u.list.v[ix->indexed]) != 0)
            return -1;
    return 0;
}

typedef struct scan {
    cpol_engine *e;
    cpol_report *report;
    arena a;       /* every model of the scan */
    node *project; /* documents, containers, builds, ... of every file */
    scanned *files;
    size_t nfiles, cap_files;
    arena *worker_arenas; /* parse workers' models, linked into project: freed with a */
    size_t nworker_arenas;
    build_index builds, linked; /* load_dockerfile's look-ups by file name */
} scan;

static int scan_init(scan *s, cpol_engine *e)
{
    memset(s, 0, sizeof *s);
    s->e = e;
    s->report = report_new();
    if (!s->report)
        return CPOL_ENOMEM;
    arena_init(&s->a);
    s->project = node_map(&s->a, cpos_make(NULL, 0, 0));
    if (!s->project) {
        cpol_report_free(s->report);
        return CPOL_ENOMEM;
    }
    return 0;
}

static void scan_free_models(scan *s)
{
    arena_free(&s->a);
    for (size_t i = 0; i < s->nworker_arenas; i++)
        arena_free(&s->worker_arenas[i]);
    free(s->worker_arenas);
    s->worker_arenas = NULL;
    s->nworker_arenas = 0;
    free(s->files);
    s->files = NULL;
    free(s->builds.v);
    free(s->linked.v);
    memset(&s->builds, 0, sizeof s->builds);
    memset(&s->linked, 0, sizeof s->linked);
}

static size_t list_len(const node *project, const char *key)
{
    const node *l = node_get(project, key);
    return l && l->type == N_LIST ? l->u.list.n : 0;
}

/* Where the parse of a file puts what it makes: the scan itself, or (parallel parse) a worker's
   arena and the file's own project node and diagnostics, merged into the scan in file order. */
typedef struct target {
    const cpol_engine *e;
    arena *a;
    node *project;
    diag_sink *sink;
    cpol_report *report;        /* takes the sources */
    pthread_mutex_t *report_mu; /* held around source_add when parse workers share the report */
} target;

static target scan_target(scan *s)
{
    target t = {s->e, &s->a, s->project, &s->report->sink, s->report, NULL};
    return t;
}

static parse_ctx make_ctx(const target *t, const char *name)
{
    parse_ctx ctx;
    ctx.a = t->a;
    ctx.diags = t->sink;
    ctx.limits = &t->e->limits;
    ctx.file = arena_strdup(t->a, name);
    ctx.project = t->project;
    return ctx;
}

/* The order sources are added in does not matter: the report finds them by name. */
static void add_source(const target *t, const char *name, const char *data, size_t len)
{
    if (t->report_mu)
        pthread_mutex_lock(t->report_mu);
    source_add(t->report, name, data, len);
    if (t->report_mu)
        pthread_mutex_unlock(t->report_mu);
}

/* The folder part of a path ("." when none). In the given arena. */
static char *dir_of(arena *a, const char *path)
{
    char *dir = arena_strdup(a, path);
    if (!dir)
        return NULL;
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        dir = ".";
    return dir;
}

/* Attach the files of the build context (the Dockerfile's folder) to a build, so rules can see
   what `COPY . .` would take in. */
static void attach_context(const target *t, node *b, const char *path, const char *dir)
{
    context_list cl;
    memset(&cl, 0, sizeof cl);
    cpos none = cpos_make(NULL, 0, 0);
    size_t max = t->e->limits.max_context_files;
    if (context_list_files(dir, max, &cl) != 0 || cl.error) {
        diag_add(t->sink, path, 0, 0, "cannot list the build context %s: %s", dir,
                 cl.error ? cl.error : "out of memory");
        context_list_free(&cl);
        return;
    }
    node_set_str(t->a, b, "context", dir, none);
    node *files = node_set_list(t->a, b, "context_files", none);
    for (size_t i = 0; i < cl.n; i++)
        node_push(t->a, files, node_strz(t->a, cl.paths[i], none));
    node_set_bool(t->a, b, "dockerignore", cl.has_dockerignore, none);
    if (cl.truncated) {
        node_set_bool(t->a, b, "context_truncated", 1, none);
        diag_add(t->sink, path, 0, 0,
                 "build context %s has more than %zu files; only the first %zu were checked", dir,
                 max, max);
    }
    context_list_free(&cl);
}

/* The last build in the project, when the parse just added one. */
static node *new_build(const node *project, size_t before)
{
    node *builds = node_get(project, "builds");
    if (!builds || builds->type != N_LIST || builds->u.list.n <= before)
        return NULL;
    return builds->u.list.v[builds->u.list.n - 1];
}

/* link_ops.load_dockerfile: a Dockerfile named by a compose `build:`. One already in the project
   (scanned, or loaded for another service) is reused; otherwise it is read and parsed into a
   private project node so it adds no container of its own. */
static node *load_dockerfile(void *ud, const char *path, const char *inline_text, cpos at)
{
    scan *s = ud;
    node *linked = node_get(s->project, "linked_builds");
    if (!inline_text) {
        if (build_index_sync(&s->builds, node_get(s->project, "builds")) != 0 ||
            build_index_sync(&s->linked, linked) != 0) {
            s->a.failed = 1; /* the scan ends with CPOL_ENOMEM */
            return NULL;
        }
        node *b = build_index_get(&s->builds, path);
        if (!b)
            b = build_index_get(&s->linked, path);
        if (b)
            return b;
    }
    char *data = NULL;
    size_t len = 0;
    char why[256];
    if (!inline_text && read_file(path, s->e->limits.max_file_size, &data, &len, why, sizeof why)) {
        diag_add(&s->report->sink, at.file, at.line, at.col, "build: Dockerfile %s: %s",
                 path, why);
        return NULL;
    }
    target t = scan_target(s);
    t.project = node_map(&s->a, cpos_make(NULL, 0, 0));
    parse_ctx ctx = make_ctx(&t, path);
    node *b = NULL;
    if (ctx.file && t.project &&
        dockerfile_parse(&ctx, inline_text ? inline_text : data,
                         inline_text ? strlen(inline_text) : len) == 0) {
        b = new_build(t.project, 0);
        if (!inline_text)
            source_add(s->report, ctx.file, data, len);
        if (b && !inline_text) {
            char *dir = dir_of(&s->a, path);
            if (dir)
                attach_context(&t, b, path, dir);
        }
        if (b) {
            if (!linked)
                linked = node_set_list(&s->a, s->project, "linked_builds", cpos_make(NULL, 0, 0));
            node_push(&s->a, linked, b);
        }
    }
    free(data);
    return b;
}

/* The sibling override file of a compose file (compose.yaml -> compose.override.yaml), or NULL. */
static char *override_path(arena *a, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || strstr(base, ".override."))
        return NULL;
    return arena_printf(a, "%.*s.override%s", (int)(dot - path), path, dot);
}

/* Phase 1 for one input: parse it into t and add its source. 0 with *file set (the arena copy of
   name every position points to), 1 for a format not supported (a diagnostic says so), or
   CPOL_ENOMEM. */
static int parse_file(const target *t, const char *name, const char *data, size_t len,
                      cpol_format fmt, int from_disk, const char **file)
{
    parse_ctx ctx = make_ctx(t, name);
    if (!ctx.file)
        return CPOL_ENOMEM;
    size_t builds_before = list_len(t->project, "builds");
    switch (fmt) {
    case CPOL_FORMAT_DOCKERFILE:
        if (dockerfile_parse(&ctx, data, len) == 0 && from_disk) {
            node *b = new_build(t->project, builds_before);
            char *dir = dir_of(t->a, name);
            if (b && dir)
                attach_context(t, b, name, dir);
        }
        break;
    case CPOL_FORMAT_COMPOSE: {
        char *ov = from_disk ? override_path(t->a, name) : NULL;
        char *odata = NULL;
        size_t olen = 0;
        char why[256];
        struct stat st;
        if (ov && stat(ov, &st) == 0) {
            if (read_file(ov, t->e->limits.max_file_size, &odata, &olen, why, sizeof why))
                diag_add(t->sink, ov, 0, 0, "%s", why);
            else
                add_source(t, ov, odata, olen);
        }
        compose_parse(&ctx, data, len, odata ? ov : NULL, odata, olen);
        free(odata);
        break;
    }
    case CPOL_FORMAT_K8S:
        k8s_parse(&ctx, data, len);
        break;
    case CPOL_FORMAT_OCI:
        oci_parse(&ctx, data, len);
        break;
    case CPOL_FORMAT_DOCKER_RUN:
        dockerrun_parse(&ctx, data, len);
        break;
    case CPOL_FORMAT_GITHUB:
    case CPOL_FORMAT_GITLAB:
        workflow_parse(&ctx, data, len, (int)fmt);
        break;
    default:
        diag_add(t->sink, name, 0, 0, "the %s format is not supported yet",
                 cpol_format_name(fmt));
        return 1;
    }
    if (t->a->failed)
        return CPOL_ENOMEM;
    add_source(t, ctx.file, data, len);
    *file = ctx.file;
    return 0;
}

/* Count a parsed file and remember the containers it added to the scan (from index first on). */
static int count_parsed(scan *s, const char *file, size_t first)
{
    s->report->files++;
    report_add_file(s->report, file);
    if (s->e->progress)
        s->e->progress(s->e->progress_ud, s->report->files, 0);
    if (s->nfiles == s->cap_files) {
        size_t cap = s->cap_files ? s->cap_files * 2 : 64;
        scanned *v = realloc(s->files, cap * sizeof *v);
        if (!v)
            return CPOL_ENOMEM;
        s->files = v;
        s->cap_files = cap;
    }
    s->files[s->nfiles].name = file;
    s->files[s->nfiles].first = first;
    s->files[s->nfiles].end = list_len(s->project, "containers");
    s->nfiles++;
    return 0;
}

/* Phase 1: parse one input into the scan. */
static int parse_into(scan *s, const char *name, const char *data, size_t len, cpol_format fmt,
                      int from_disk)
{
    target t = scan_target(s);
    size_t first = list_len(s->project, "containers");
    const char *file = NULL;
    int rc = parse_file(&t, name, data, len, fmt, from_disk, &file);
    if (rc == 1)
        return 0;
    return rc ? rc : count_parsed(s, file, first);
}

/* What became of a file of the walk. */
enum { FILE_SKIPPED, FILE_UNREADABLE, FILE_PARSED };

/* Read, detect and parse one file into t. *file: the name it is counted under. */
static int scan_file_into(const target *t, const char *path, int named, int *what,
                          const char **file)
{
    *what = FILE_SKIPPED;
    cpol_format fmt = named && t->e->format_hint ? t->e->format_hint : detect_by_name(path);
    char *data;
    size_t len;
    char why[256];
    if (!named && fmt == CPOL_FORMAT_COMPOSE && strstr(path, ".override.")) {
        /* merged into its base file when that exists */
        const char *o = strstr(path, ".override.");
        char *base = arena_printf(t->a, "%.*s%s", (int)(o - path), path, o + 9);
        struct stat st;
        if (base && stat(base, &st) == 0)
            return 0;
    }
    if (config_ignored(t->e, path))
        return 0;
    if (read_file(path, t->e->limits.max_file_size, &data, &len, why, sizeof why) != 0) {
        diag_add(t->sink, path, 0, 0, "%s", why);
        *what = FILE_UNREADABLE;
        *file = path;
        return 0;
    }
    if (fmt == CPOL_FORMAT_AUTO)
        fmt = detect_by_content(data, len);
    int rc = 0;
    if (fmt == CPOL_FORMAT_AUTO) {
        if (named)
            diag_add(t->sink, path, 0, 0,
                     "not a recognised input (not named like a Dockerfile, compose file, shell "
                     "script or CI workflow, and not a Kubernetes manifest or OCI config); name "
                     "its format with --format-hint");
    } else {
        rc = parse_file(t, path, data, len, fmt, 1, file);
        if (rc == 0)
            *what = FILE_PARSED;
        else if (rc == 1)
            rc = 0;
    }
    free(data);
    return rc;
}

static int scan_file(scan *s, const char *path, int named)
{
    target t = scan_target(s);
    size_t first = list_len(s->project, "containers");
    int what;
    const char *file = NULL;
    int rc = scan_file_into(&t, path, named, &what, &file);
    if (rc == 0 && what == FILE_UNREADABLE) {
        s->report->files++;
        report_add_file(s->report, file);
    } else if (rc == 0 && what == FILE_PARSED)
        rc = count_parsed(s, file, first);
    return rc;
}

/* Does the file start with "#!"? Read two bytes only: extensionless files may be big binaries. */
static int starts_with_shebang(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char b[2] = {0, 0};
    size_t n = fread(b, 1, 2, f);
    fclose(f);
    return n == 2 && b[0] == '#' && b[1] == '!';
}

static int want_candidate(const char *path, void *ud)
{
    (void)ud;
    return detect_by_name(path) != CPOL_FORMAT_AUTO || detect_content_candidate(path) ||
           (detect_shebang_candidate(path) && starts_with_shebang(path));
}

static int scan_path(scan *s, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_add(&s->report->sink, path, 0, 0, "cannot read: %s", strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return scan_file(s, path, 1);
    walk_list files;
    memset(&files, 0, sizeof files);
    if (walk_dir(path, want_candidate, NULL, &files) != 0) {
        walk_list_free(&files);
        return CPOL_ENOMEM;
    }
    for (size_t i = 0; i < files.nproblems; i++)
        diag_add(&s->report->sink, NULL, 0, 0, "%s", files.problems[i]);
    int rc = 0;
    for (size_t i = 0; i < files.n && rc == 0; i++)
        rc = scan_file(s, files.paths[i], 0);
    walk_list_free(&files);
    return rc;
}

/* Phase 1 on worker threads (cpol_engine_scan_paths_parallel). The calling thread walks the
   paths and lists the files in scan order while the other threads already parse (the walk is
   mostly system calls: 0.1 s on the 10x corpus); then it parses too. A worker takes the next
   file, parses it into its own arena and a project node of the file's own, and whoever finishes
   a job merges every finished job at the head of the list into the scan. So the scan sees the
   files one by one in the order a serial scan reads them: same containers at the same indices,
   same diagnostics in the same order, same progress calls (made under the lock, so never two at
   once). */
typedef struct pjob {
    const char *path; /* NULL: a job of diagnostics only (what the walk could not read) */
    int named;
    int done, what;
    const char *file;
    node *project; /* the file's own, in its worker's arena */
    diag_sink diags;
} pjob;

#define PJOB_CHUNK 1024 /* jobs live in chunks that never move while workers use them */

typedef struct pparse {
    scan *s;
    pjob **chunks;
    size_t n, nchunks;
    size_t next, merged; /* the next job to take, the first not merged */
    int walked;          /* every job is listed */
    int rc;
    int walk_rc; /* the walker's alone: a job it could not list */
    arena names; /* the listed paths; the walker's alone */
    pthread_mutex_t mu;  /* the jobs list, next, merged, done, walked, rc; the scan and its report */
    pthread_cond_t more; /* a job was listed, or the walk ended */
} pparse;

typedef struct pworker {
    pparse *p;
    arena *a;
} pworker;

static pjob *pjob_at(pparse *p, size_t i) { return &p->chunks[i / PJOB_CHUNK][i % PJOB_CHUNK]; }

/* List a job (taking the lock); path is copied. A job without path is done once its
   diagnostics are in: at once unless `later`. */
static pjob *pjob_list(pparse *p, const char *path, int named, int later)
{
    char *copy = path ? arena_strdup(&p->names, path) : NULL;
    pthread_mutex_lock(&p->mu);
    pjob *j = NULL;
    if (p->n == p->nchunks * PJOB_CHUNK) {
        pjob **v = realloc(p->chunks, (p->nchunks + 1) * sizeof *v);
        if (v) {
            p->chunks = v;
            if ((v[p->nchunks] = malloc(PJOB_CHUNK * sizeof **v)))
                p->nchunks++;
        }
    }
    if ((!path || copy) && p->n < p->nchunks * PJOB_CHUNK) {
        j = pjob_at(p, p->n);
        memset(j, 0, sizeof *j);
        j->path = copy;
        j->named = named;
        j->done = !path && !later;
        p->n++;
        pthread_cond_signal(&p->more);
    }
    pthread_mutex_unlock(&p->mu);
    return j;
}

/* walk_dir's filter: list each wanted file as a job as soon as the walk finds it. */
static int want_listed(const char *path, void *ud)
{
    pparse *p = ud;
    if (!want_candidate(path, NULL))
        return 0;
    if (!pjob_list(p, path, 0, 0))
        p->walk_rc = CPOL_ENOMEM;
    return 1;
}

/* Called with p->mu held. */
static void pparse_merge_ready(pparse *p);

/* scan_path's walk, as jobs. */
static int pparse_walk(pparse *p, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int err = errno;
        diag_sink d = DIAG_SINK_INIT;
        diag_add(&d, path, 0, 0, "cannot read: %s", strerror(err));
        pjob *j = pjob_list(p, NULL, 0, 1);
        if (!j) {
            diag_free(&d);
            return CPOL_ENOMEM;
        }
        pthread_mutex_lock(&p->mu);
        j->diags = d;
        j->done = 1;
        pparse_merge_ready(p);
        pthread_mutex_unlock(&p->mu);
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return pjob_list(p, path, 1, 0) ? 0 : CPOL_ENOMEM;
    /* the walk's problems come before its files, but are known only at its end */
    pjob *head = pjob_list(p, NULL, 0, 1);
    if (!head)
        return CPOL_ENOMEM;
    walk_list files;
    memset(&files, 0, sizeof files);
    int rc = walk_dir(path, want_listed, p, &files) != 0 ? CPOL_ENOMEM : 0;
    diag_sink d = DIAG_SINK_INIT;
    for (size_t i = 0; rc == 0 && i < files.nproblems; i++)
        diag_add(&d, NULL, 0, 0, "%s", files.problems[i]);
    walk_list_free(&files);
    pthread_mutex_lock(&p->mu);
    head->diags = d;
    head->done = 1;
    pparse_merge_ready(p);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static int pjob_parse(pparse *p, arena *a, pjob *j)
{
    j->project = node_map(a, cpos_make(NULL, 0, 0));
    if (!j->project)
        return CPOL_ENOMEM;
    target t = {p->s->e, a, j->project, &j->diags, p->s->report, &p->mu};
    return scan_file_into(&t, j->path, j->named, &j->what, &j->file);
}

/* Append what one file added to the scan, as if it had been parsed into the scan itself. */
static int pjob_merge(scan *s, pjob *j)
{
    for (size_t i = 0; i < j->diags.n; i++) {
        const diag_entry *d = &j->diags.v[i];
        diag_add_rule(&s->report->sink, d->rule_id, d->file, d->line, d->col, "%s", d->message);
    }
    if (j->diags.failed)
        s->report->sink.failed = 1;
    diag_free(&j->diags);
    if (j->what == FILE_UNREADABLE) {
        s->report->files++;
        report_add_file(s->report, j->file);
    }
    if (j->what != FILE_PARSED)
        return 0;
    size_t first = list_len(s->project, "containers");
    cpos none = cpos_make(NULL, 0, 0);
    for (size_t i = 0; i < j->project->u.map.n; i++) {
        const node_kv *kv = &j->project->u.map.kv[i];
        if (kv->val->type != N_LIST) {
            node_set(&s->a, s->project, kv->key, kv->val);
            continue;
        }
        node *l = node_get(s->project, kv->key);
        if (!l)
            l = node_set_list(&s->a, s->project, kv->key, none);
        for (size_t k = 0; l && k < kv->val->u.list.n; k++)
            node_push(&s->a, l, kv->val->u.list.v[k]);
    }
    if (s->a.failed)
        return CPOL_ENOMEM;
    return count_parsed(s, j->file, first);
}

static void pparse_merge_ready(pparse *p)
{
    while (!p->rc && p->merged < p->n && pjob_at(p, p->merged)->done)
        p->rc = pjob_merge(p->s, pjob_at(p, p->merged++));
}

static void *pparse_run(void *arg)
{
    pworker *w = arg;
    pparse *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->rc && p->next == p->n && !p->walked)
            pthread_cond_wait(&p->more, &p->mu);
        if (p->rc || p->next == p->n)
            break;
        pjob *j = pjob_at(p, p->next++);
        if (!j->path)
            continue; /* diagnostics only: its lister marks it done */
        pthread_mutex_unlock(&p->mu);
        int rc = pjob_parse(p, w->a, j);
        pthread_mutex_lock(&p->mu);
        j->done = 1;
        if (rc && !p->rc)
            p->rc = rc;
        pparse_merge_ready(p);
    }
    pthread_cond_broadcast(&p->more); /* an error ends the others' waits too */
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Walk every path on this thread while nthreads - 1 others parse, then parse too, into s. */
static int scan_paths_threaded(scan *s, const char *const *paths, size_t count, size_t nthreads)
{
    pparse p;
    memset(&p, 0, sizeof p);
    p.s = s;
    arena_init(&p.names);
    pworker *w = calloc(nthreads, sizeof *w);
    pthread_t *th = calloc(nthreads, sizeof *th);
    char *started = calloc(nthreads, 1);
    s->worker_arenas = calloc(nthreads, sizeof *s->worker_arenas);
    int rc = w && th && started && s->worker_arenas ? 0 : CPOL_ENOMEM;
    int have_mu = rc == 0 && pthread_mutex_init(&p.mu, NULL) == 0;
    int have_cond = have_mu && pthread_cond_init(&p.more, NULL) == 0;
    if (!have_cond)
        rc = CPOL_ENOMEM;
    if (rc == 0) {
        s->nworker_arenas = nthreads;
        for (size_t t = 0; t < nthreads; t++) {
            arena_init(&s->worker_arenas[t]);
            w[t].p = &p;
            w[t].a = &s->worker_arenas[t];
        }
        /* a thread that cannot be had leaves its share to the others: work is taken, not dealt */
        for (size_t t = 1; t < nthreads; t++)
            started[t] = pthread_create(&th[t], NULL, pparse_run, &w[t]) == 0;
        int wrc = 0;
        for (size_t i = 0; i < count && wrc == 0; i++)
            wrc = pparse_walk(&p, paths[i]);
        pthread_mutex_lock(&p.mu);
        if (!wrc)
            wrc = p.walk_rc;
        if (wrc && !p.rc)
            p.rc = wrc;
        p.walked = 1;
        pthread_cond_broadcast(&p.more);
        pthread_mutex_unlock(&p.mu);
        pparse_run(&w[0]);
        for (size_t t = 1; t < nthreads; t++)
            if (started[t])
                pthread_join(th[t], NULL);
        pparse_merge_ready(&p);
        rc = p.rc;
        if (rc == 0 && p.merged < p.n)
            rc = CPOL_ENOMEM; /* cannot happen: every job was taken and merged */
    }
    if (have_cond)
        pthread_cond_destroy(&p.more);
    if (have_mu)
        pthread_mutex_destroy(&p.mu);
    for (size_t i = 0; i < p.n; i++)
        diag_free(&pjob_at(&p, i)->diags);
    for (size_t i = 0; i < p.nchunks; i++)
        free(p.chunks[i]);
    free(p.chunks);
    arena_free(&p.names);
    free(w);
    free(th);
    free(started);
    return rc;
}

/* Phase 3 on worker threads: each has its own engine and report. Work is taken, not dealt (files
   differ a lot in rule time): the thread of engines[0] first runs the project rules, the longest
   single task, while the others start on the files; then everyone takes the next file. */
typedef struct file_diags {
    size_t worker, from, to; /* the diagnostics the file's rules left in that worker's report */
} file_diags;

typedef struct worker_shared {
    pthread_mutex_t mu;
    size_t next, done, total; /* next file to take; files done */
    cpol_engine *lead;        /* its progress callback is the one called */
    scan *s;
    const char *const *names; /* of the scanned files, for the project rules */
    file_diags *fd;           /* per file; each written by the one worker that took the file */
} worker_shared;

typedef struct worker {
    worker_shared *sh;
    size_t index;
    cpol_engine *e;
    cpol_report *rep;
    cpol_report *project_rep; /* worker 0 only: what the project rules found */
    size_t merged;            /* rep's findings already copied into the scan's report */
} worker;

static void merge_findings(cpol_report *into, const cpol_report *from, size_t first)
{
    for (size_t i = first; i < from->n; i++)
        report_add_finding_rec(into, &from->findings[i]);
    if (from->failed || from->sink.failed)
        into->failed = 1;
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    worker_shared *sh = w->sh;
    scan *s = sh->s;
    if (w->project_rep)
        rules_run_project(w->e, w->project_rep, s->project, sh->names, s->nfiles);
    pthread_mutex_lock(&sh->mu);
    while (sh->next < s->nfiles) {
        size_t i = sh->next++;
        pthread_mutex_unlock(&sh->mu);
        size_t from = w->rep->sink.n;
        rules_run(w->e, w->rep, s->project, s->files[i].first, s->files[i].end, i);
        file_diags fd = {w->index, from, w->rep->sink.n};
        sh->fd[i] = fd;
        pthread_mutex_lock(&sh->mu);
        /* copied file by file while the other workers still run, not all at the end: the order
           of findings of different files does not matter (report_finish sorts them), and the
           findings of one file keep theirs */
        merge_findings(s->report, w->rep, w->merged);
        w->merged = w->rep->n;
        sh->done++;
        if (sh->lead->progress)
            sh->lead->progress(sh->lead->progress_ud, sh->done, sh->total);
    }
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

static void merge_diags(diag_sink *into, const diag_sink *from, size_t first, size_t end)
{
    for (size_t d = first; d < end; d++) {
        const diag_entry *de = &from->v[d];
        diag_add_rule(into, de->rule_id, de->file, de->line, de->col, "%s", de->message);
    }
}

/* Run the file rules and the project rules with several engines and merge their findings and
   rule failures into s->report so that the result equals a run with one engine: findings are
   sorted later anyway; diagnostics are taken file by file in scan order, then the project's. */
static int run_parallel(scan *s, cpol_engine *const *engines, size_t n, const char *const *names)
{
    if (n > s->nfiles)
        n = s->nfiles ? s->nfiles : 1;
    worker *w = calloc(n, sizeof *w);
    pthread_t *th = calloc(n, sizeof *th);
    char *started = calloc(n, 1);
    worker_shared sh;
    memset(&sh, 0, sizeof sh);
    sh.total = s->nfiles;
    sh.lead = s->e;
    sh.s = s;
    sh.names = names;
    sh.fd = calloc(s->nfiles, sizeof *sh.fd);
    int rc = w && th && started && sh.fd ? 0 : CPOL_ENOMEM;
    if (rc == 0 && pthread_mutex_init(&sh.mu, NULL) != 0)
        rc = CPOL_ENOMEM;
    if (rc != 0) {
        free(w);
        free(th);
        free(started);
        free(sh.fd);
        return rc;
    }
    for (size_t t = 0; t < n && rc == 0; t++) {
        w[t].sh = &sh;
        w[t].index = t;
        w[t].e = engines[t];
        w[t].rep = report_new();
        if (!w[t].rep)
            rc = CPOL_ENOMEM;
    }
    if (rc == 0 && !(w[0].project_rep = report_new()))
        rc = CPOL_ENOMEM;
    for (size_t t = 1; t < n && rc == 0; t++)
        started[t] = pthread_create(&th[t], NULL, worker_run, &w[t]) == 0;
    if (rc == 0) {
        /* a thread that cannot be had leaves its files to the others */
        worker_run(&w[0]);
        for (size_t t = 1; t < n; t++)
            if (started[t])
                pthread_join(th[t], NULL);
        for (size_t t = 0; t < n; t++)
            merge_findings(s->report, w[t].rep, w[t].merged); /* flags; nothing is left */
        merge_findings(s->report, w[0].project_rep, 0);
        for (size_t i = 0; i < s->nfiles; i++)
            merge_diags(&s->report->sink, &w[sh.fd[i].worker].rep->sink, sh.fd[i].from,
                        sh.fd[i].to);
        merge_diags(&s->report->sink, &w[0].project_rep->sink, 0, w[0].project_rep->sink.n);
    }
    for (size_t t = 0; t < n; t++) {
        cpol_report_free(w[t].rep);
        cpol_report_free(w[t].project_rep);
    }
    pthread_mutex_destroy(&sh.mu);
    free(sh.fd);
    free(w);
    free(th);
    free(started);
    return rc;
}

static void *free_models_run(void *arg)
{
    scan_free_models(arg);
    return NULL;
}

/* Phases 2 and 3: link across files, then run the rules file by file. */
static int scan_finish_with(scan *s, int rc, cpol_engine *const *engines, size_t nengines,
                            cpol_report **out)
{
    cpol_engine *e = s->e;
    if (rc == 0) {
        link_ops ops = {load_dockerfile, s};
        target t = scan_target(s);
        parse_ctx ctx = make_ctx(&t, "");
        size_t n = list_len(s->project, "containers");
        link_project(&ctx, s->project, 0, n, &ops);
        const char **names = calloc(s->nfiles + 1, sizeof *names);
        for (size_t i = 0; names && i < s->nfiles; i++)
            names[i] = s->files[i].name;
        if (!names) {
            rc = CPOL_ENOMEM;
        } else if (nengines > 1 && s->nfiles > 1) {
            rc = run_parallel(s, engines, nengines, names);
        } else {
            for (size_t i = 0; i < s->nfiles; i++) {
                rules_run(e, s->report, s->project, s->files[i].first, s->files[i].end, i);
                if (e->progress)
                    e->progress(e->progress_ud, i + 1, s->nfiles);
            }
            rules_run_project(e, s->report, s->project, names, s->nfiles);
        }
        free(names);
        for (size_t i = 0; i < e->nrules; i++) {
            const rule *r = &e->rules[i];
            if (r->disabled)
                continue;
            report_rule rr = {r->id,        r->title,   r->description, r->remediation,
                              r->references, r->control, r->severity};
            report_add_rule(s->report, &rr);
        }
        if (s->a.failed)
            rc = CPOL_ENOMEM;
    }
    /* the report holds copies of what it needs from the models; with threads to spare, giving
       the models' memory back (0.02 s on the 10x corpus) goes on beside report_finish */
    pthread_t freer;
    int freeing = rc == 0 && nengines > 1 &&
                  pthread_create(&freer, NULL, free_models_run, s) == 0;
    if (!freeing)
        scan_free_models(s);
    if (rc == 0 && (s->report->failed || s->report->sink.failed))
        rc = CPOL_ENOMEM;
    if (rc == 0)
        report_finish(s->report, (const char *const *)e->baseline, e->nbaseline);
    if (freeing)
        pthread_join(freer, NULL);
    if (rc == 0 && (s->report->failed || s->report->sink.failed))
        rc = CPOL_ENOMEM;
    if (rc != 0) {
        cpol_report_free(s->report);
        *out = NULL;
        return rc;
    }
    *out = s->report;
    return 0;
}

static int scan_finish(scan *s, int rc, cpol_report **out)
{
    return scan_finish_with(s, rc, &s->e, 1, out);
}

int cpol_engine_scan_paths_parallel(cpol_engine *const *engines, size_t nengines,
                                    const char *const *paths, size_t count, cpol_report **out)
{
    if (out)
        *out = NULL;
    if (!engines || !nengines || !out || (!paths && count))
        return CPOL_EINVAL;
    for (size_t i = 0; i < nengines; i++) {
        if (!engines[i])
            return CPOL_EINVAL;
        engines[i]->error[0] = '\0';
    }
    cpol_engine *e = engines[0];
    scan s;
    if (scan_init(&s, e))
        return CPOL_ENOMEM;
    int rc = 0;
    if (nengines == 1) {
        for (size_t i = 0; i < count && rc == 0; i++)
            rc = paths[i] ? scan_path(&s, paths[i]) : CPOL_EINVAL;
    } else {
        for (size_t i = 0; i < count && rc == 0; i++)
            if (!paths[i])
                rc = CPOL_EINVAL;
        if (rc == 0)
            rc = scan_paths_threaded(&s, paths, count, nengines);
    }
    if (rc)
        engine_set_error(e, "%s", rc == CPOL_EINVAL ? "NULL path" : "out of memory");
    return scan_finish_with(&s, rc, engines, nengines, out);
}

int cpol_engine_scan_paths(cpol_engine *e, const char *const *paths, size_t count,
                           cpol_report **out)
{
    if (out)
        *out = NULL;
    if (!e || !out || (!paths && count))
        return CPOL_EINVAL;
    e->error[0] = '\0';
    scan s;
    if (scan_init(&s, e))
        return CPOL_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = paths[i] ? scan_path(&s, paths[i]) : CPOL_EINVAL;
    if (rc)
        engine_set_error(e, "%s", rc == CPOL_EINVAL ? "NULL path" : "out of memory");
    return scan_finish(&s, rc, out);
}

int cpol_engine_scan_buffer(cpol_engine *e, const char *name, const char *data, size_t len,
                            cpol_format hint, cpol_report **out)
{
    if (out)
        *out = NULL;
    if (!e || !name || !out || (!data && len))
        return CPOL_EINVAL;
    e->error[0] = '\0';
    scan s;
    if (scan_init(&s, e))
        return CPOL_ENOMEM;
    cpol_format fmt = hint != CPOL_FORMAT_AUTO ? hint : detect_by_name(name);
    if (fmt == CPOL_FORMAT_AUTO)
        fmt = detect_by_content(data ? data : "", len);
    int rc = 0;
    if (fmt == CPOL_FORMAT_AUTO)
        diag_add(&s.report->sink, name, 0, 0,
                 "not a recognised input; name the format (cpol_format hint)");
    else if (len > e->limits.max_file_size)
        diag_add(&s.report->sink, name, 0, 0, "input is %zu bytes, larger than the limit of %zu",
                 len, e->limits.max_file_size);
    else
        rc = parse_into(&s, name, data ? data : "", len, fmt, 0);
    return scan_finish(&s, rc, out);
}

int cpol_engine_model_json(cpol_engine *e, const char *path, cpol_format hint, char **out)
{
    if (out)
        *out = NULL;
    if (!e || !path || !out)
        return CPOL_EINVAL;
    e->error[0] = '\0';
    cpol_format fmt = hint != CPOL_FORMAT_AUTO ? hint : detect_by_name(path);
    char *data;
    size_t len;
    char why[256];
    if (read_file(path, e->limits.max_file_size, &data, &len, why, sizeof why) != 0) {
        engine_set_error(e, "%s: %s", path, why);
        return CPOL_EIO;
    }
    if (fmt == CPOL_FORMAT_AUTO)
        fmt = detect_by_content(data, len);
    if (fmt == CPOL_FORMAT_AUTO) {
        free(data);
        engine_set_error(e, "%s: not a recognised input; name the format", path);
        return CPOL_ENOTFOUND;
    }
    scan s;
    if (scan_init(&s, e)) {
        free(data);
        return CPOL_ENOMEM;
    }
    if (parse_into(&s, path, data, len, fmt, 1) == 0) {
        link_ops ops = {load_dockerfile, &s};
        target t = scan_target(&s);
        parse_ctx ctx = make_ctx(&t, "");
        link_project(&ctx, s.project, 0, list_len(s.project, "containers"), &ops);
    }
    free(data);
    buf b = BUF_INIT;
    buf_puts(&b, "{\n\"api\": 1,\n\"project\": ");
    model_dump_json(&b, s.project, 1);
    buf_puts(&b, ",\n\"errors\": [");
    for (size_t i = 0; i < s.report->sink.n; i++) {
        diag_entry *d = &s.report->sink.v[i];
        buf_printf(&b, "%s\n  {\"file\": ", i ? "," : "");
        if (d->file)
            buf_json_string(&b, d->file, strlen(d->file));
        else
            buf_puts(&b, "null");
        buf_printf(&b, ", \"line\": %u, \"column\": %u, \"message\": ", d->line, d->col);
        buf_json_string(&b, d->message, strlen(d->message));
        buf_putc(&b, '}');
    }
    buf_puts(&b, s.report->sink.n ? "\n]\n}\n" : "]\n}\n");
    scan_free_models(&s);
    cpol_report_free(s.report);
    *out = buf_take(&b);
    return *out ? 0 : CPOL_ENOMEM;
}
