/*
 * rulesnew.c - `cpol rules new ID --name NAME [--formats LIST] [--title TEXT] [--dir DIR]`: writes
 * the start of a custom rule, <ID>-<NAME>.lua with its metadata and a `check`, and
 * <ID>-<NAME>.examples/{good,bad}/ with one input per format, so that `cpol rules test DIR` passes
 * before the author changes a line. The placeholder check (an environment variable named in the
 * rule's options) works on every container format and shows report{}, cpol.option and cpol.log.
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "containerpolicy.h"
#include "cli.h"

/* One example input per format: the bad one sets the variable on line `line`, column `col` (the
   position of the name, where the rule reports). */
typedef struct sample {
    const char *format;
    const char *file;   /* name in good/ and bad/ */
    int comments;       /* the format has '#' comments; otherwise a sidecar .expect file */
    const char *good, *bad;
    unsigned line, col; /* of the finding in bad */
} sample;

static const sample samples[] = {
    {"dockerfile", "app.Dockerfile", 1,
     "FROM alpine:3.19\nENV APP_MODE=production\nUSER app\n",
     "# expect: %s 3:5\nFROM alpine:3.19\nENV CHANGE_ME=1\nUSER app\n", 3, 5},
    {"compose", "compose.yaml", 1,
     "services:\n  web:\n    image: alpine:3.19\n    environment:\n      APP_MODE: production\n",
     "# expect: %s 6:7\nservices:\n  web:\n    image: alpine:3.19\n    environment:\n"
     "      CHANGE_ME: \"1\"\n",
     6, 7},
    {"k8s", "pod.yaml", 1,
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n"
     "      image: alpine:3.19\n      env:\n        - name: APP_MODE\n"
     "          value: production\n",
     "# expect: %s 11:17\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n"
     "  containers:\n    - name: app\n      image: alpine:3.19\n      env:\n"
     "        - name: CHANGE_ME\n          value: \"1\"\n",
     11, 17},
    {"oci", "config.json", 0,
     "{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": {\n    \"args\": [\"app\"],\n"
     "    \"env\": [\"APP_MODE=production\"],\n    \"cwd\": \"/\"\n  },\n"
     "  \"root\": {\"path\": \"rootfs\"}\n}\n",
     "{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": {\n    \"args\": [\"app\"],\n"
     "    \"env\": [\"CHANGE_ME=1\"],\n    \"cwd\": \"/\"\n  },\n"
     "  \"root\": {\"path\": \"rootfs\"}\n}\n",
     5, 13},
    {"docker-run", "run.sh", 1, "#!/bin/sh\ndocker run -e APP_MODE=production alpine:3.19\n",
     "#!/bin/sh\n# expect: %s 3:15\ndocker run -e CHANGE_ME=1 alpine:3.19\n", 3, 15},
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

static int fail(const char *fmt, const char *arg)
{
    fputs("cpol rules new: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'cpol rules --help' for more information.\n", stderr);
    return 2;
}

/* The engine's id rule, less '-': `cpol rules test` reads the id from <ID>-<name>.examples up to
   the first '-', so an id with one could not be tested. */
static int good_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 32 || s[0] < 'A' || s[0] > 'Z')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int good_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wx"); /* never overwrite: checked before, but a race must not win */
    if (!f) {
        fprintf(stderr, "cpol rules new: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fputs(text, f) >= 0;
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "cpol rules new: cannot write %s\n", path);
        return -1;
    }
    printf("  %s\n", path);
    return 0;
}

/* Lua string literal: the title is the user's text. */
static void lua_quote(char *out, size_t size, const char *s)
{
    size_t o = 0;
    out[o++] = '"';
    for (; *s && o + 6 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, size - o, "\\%03u", c);
        } else
            out[o++] = (char)c;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static const char rule_template[] =
    "-- %s-%s.lua, written by `cpol rules new`.\n"
    "-- Change the metadata and `check` to what your team needs; keep the inputs in\n"
    "-- %s-%s.examples/ in step (good/: no finding; bad/: the findings their\n"
    "-- `expect:` lines state); then run: cpol rules test %s\n"
    "-- What a check receives: `cpol model FILE`, docs/model.md; helpers: docs/writing-rules.md\n"
    "return {\n"
    "  id = \"%s\",\n"
    "  api = 1,                -- the rule API this file is written for\n"
    "  control = 0,            -- which of the ten controls it belongs to (0: none)\n"
    "  severity = \"medium\",    -- critical | high | medium | low | info\n"
    "  title = %s,\n"
    "  formats = { %s },\n"
    "  description = \"TODO: why this matters.\",\n"
    "  remediation = \"TODO: how to fix it.\",\n"
    "  references = {},\n"
    "  -- values check reads with cpol.option(); a .cpol.yaml can change them per project\n"
    "  options = { names = { \"CHANGE_ME\" } },\n"
    "\n"
    "  -- called once per container of the formats above\n"
    "  check = function(c, report)\n"
    "    for _, var in ipairs(c.env or {}) do\n"
    "      if cpol.has(cpol.option(\"names\"), var.name) then\n"
    "        cpol.log(\"found\", var.name, \"in\", c.object) -- shown by cpol scan -v\n"
    "        report{ at = var, field = \"name\",\n"
    "                message = \"environment variable \" .. var.name .. \" is set\" }\n"
    "      end\n"
    "    end\n"
    "  end,\n"
    "}\n";

int rules_new(int argc, char **argv)
{
    const char *id = NULL, *name = NULL, *title = NULL, *dir = ".";
    char formats[256] = "";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        const char *val = NULL;
        static const char *const longs[] = {"--name", "--title", "--dir", "--formats"};
        int which = -1;
        for (int k = 0; k < 4; k++) {
            size_t l = strlen(longs[k]);
            if (strcmp(a, longs[k]) == 0) {
                if (i + 1 >= argc)
                    return fail("option '%s' needs a value", a);
                which = k;
                val = argv[++i];
            } else if (strncmp(a, longs[k], l) == 0 && a[l] == '=') {
                which = k;
                val = a + l + 1;
            }
        }
        if (which < 0 && (strcmp(a, "-d") == 0 || strcmp(a, "-f") == 0)) {
            if (i + 1 >= argc)
                return fail("option '%s' needs a value", a);
            which = a[1] == 'd' ? 2 : 3;
            val = argv[++i];
        }
        if (which == 0)
            slot = &name;
        else if (which == 1)
            slot = &title;
        else if (which == 2)
            slot = &dir;
        if (slot)
            *slot = val;
        else if (which == 3) {
            size_t fl = strlen(formats);
            if (fl + strlen(val) + 2 >= sizeof formats)
                return fail("%s", "--formats: too long");
            snprintf(formats + fl, sizeof formats - fl, "%s%s", fl ? "," : "", val);
        } else if (a[0] == '-')
            return fail("unknown option '%s'", a);
        else if (!id)
            id = a;
        else
            return fail("unexpected argument '%s'", a);
    }
    if (!id)
        return fail("%s", "no ID given (e.g. cpol rules new ACME001 --name no-debug-env)");
    if (!good_id(id))
        return fail("ID '%s' is not valid: 2-32 characters, A-Z first, then A-Z, 0-9 or '_' "
                    "(e.g. ACME001)",
                    id);
    if (!name)
        return fail("%s", "--name is required: a short file name such as no-debug-env");
    if (!good_name(name))
        return fail("--name '%s' is not valid: lower-case letters, digits and '-'", name);
    if (!*formats)
        snprintf(formats, sizeof formats, "dockerfile");
    /* the formats, checked and in the order given */
    int chosen[NSAMPLES] = {0};
    char lua_formats[300] = "";
    char list[256];
    snprintf(list, sizeof list, "%s", formats);
    for (char *f = strtok(list, ", "); f; f = strtok(NULL, ", ")) {
        size_t k = 0;
        while (k < NSAMPLES && strcmp(samples[k].format, f) != 0)
            k++;
        if (k == NSAMPLES) {
            if (strcmp(f, "github") == 0 || strcmp(f, "gitlab") == 0)
                return fail("--formats: '%s' has no containers for `check`; a CI workflow rule "
                            "uses check_project (see rules/CP005-scan-gate.lua)",
                            f);
            return fail("--formats: '%s' is not one of dockerfile, compose, k8s, oci, docker-run",
                        f);
        }
        if (chosen[k])
            continue;
        chosen[k] = 1;
        size_t ll = strlen(lua_formats);
        snprintf(lua_formats + ll, sizeof lua_formats - ll, "%s\"%s\"", ll ? ", " : "", f);
    }
    char base[512], rule_path[4096], ex_path[4096], path[8400];
    snprintf(base, sizeof base, "%s-%s", id, name);
    snprintf(rule_path, sizeof rule_path, "%s/%s.lua", dir, base);
    snprintf(ex_path, sizeof ex_path, "%s/%s.examples", dir, base);
    struct stat st;
    if (stat(rule_path, &st) == 0)
        return fail("%s already exists; nothing was written", rule_path);
    if (stat(ex_path, &st) == 0)
        return fail("%s already exists; nothing was written", ex_path);
    /* an id used by another file of the folder would make cpol refuse both */
    DIR *d = opendir(dir);
    size_t idl = strlen(id);
    for (struct dirent *ent; d && (ent = readdir(d));) {
        size_t nl = strlen(ent->d_name);
        if (strncmp(ent->d_name, id, idl) == 0 && ent->d_name[idl] == '-' && nl > 4 &&
            strcmp(ent->d_name + nl - 4, ".lua") == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            closedir(d);
            return fail("the id is taken: %s exists; choose another ID", path);
        }
    }
    if (d)
        closedir(d);
    char good_dir[4200], bad_dir[4200];
    snprintf(good_dir, sizeof good_dir, "%s/good", ex_path);
    snprintf(bad_dir, sizeof bad_dir, "%s/bad", ex_path);
    if (make_dirs(good_dir) != 0 || make_dirs(bad_dir) != 0) {
        fprintf(stderr, "cpol rules new: cannot create %s: %s\n", ex_path, strerror(errno));
        return 2;
    }
    char quoted[600], default_title[128];
    snprintf(default_title, sizeof default_title, "TODO: what %s finds, in one line", id);
    lua_quote(quoted, sizeof quoted, title ? title : default_title);
    size_t need = sizeof rule_template + 4 * strlen(base) + strlen(dir) + strlen(quoted) +
                  strlen(lua_formats) + 64;
    char *text = malloc(need);
    if (!text) {
        fputs("cpol rules new: out of memory\n", stderr);
        return 2;
    }
    printf("wrote:\n");
    char shown_dir[4096];
    snprintf(shown_dir, sizeof shown_dir, "%s", dir);
    for (char *p = shown_dir; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '?'; /* it goes into a Lua comment: a newline would end the comment */
    snprintf(text, need, rule_template, id, name, id, name, shown_dir, id, quoted, lua_formats);
    int rc = write_text(rule_path, text);
    for (size_t k = 0; k < NSAMPLES && rc == 0; k++) {
        if (!chosen[k])
            continue;
        snprintf(path, sizeof path, "%s/%s", good_dir, samples[k].file);
        rc = write_text(path, samples[k].good);
        snprintf(path, sizeof path, "%s/%s", bad_dir, samples[k].file);
        snprintf(text, need, samples[k].bad, id);
        if (rc == 0)
            rc = write_text(path, text);
        if (rc == 0 && !samples[k].comments) {
            char side[8500], line[128];
            snprintf(side, sizeof side, "%s.expect", path);
            snprintf(line, sizeof line, "%s %u:%u\n", id, samples[k].line, samples[k].col);
            rc = write_text(side, line);
        }
    }
    free(text);
    if (rc != 0)
        return 2;
    printf("next: edit %s, then run: cpol rules test %s\n", rule_path, dir);
    return 0;
}
