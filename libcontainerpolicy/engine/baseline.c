/*
 * baseline.c - known findings to leave out of later scans (cpol scan --baseline FILE). The file is
 * what cpol_report_to_baseline() writes; only the fingerprints matter here, the rest is for people
 * reading a diff of it. report_finish() drops the findings whose fingerprint is listed.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../util/walk.h"
#include "engine.h"

void baseline_free(cpol_engine *e)
{
    for (size_t i = 0; i < e->nbaseline; i++)
        free(e->baseline[i]);
    free(e->baseline);
    e->baseline = NULL;
    e->nbaseline = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_fingerprint(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    return n == 16;
}

int cpol_engine_load_baseline(cpol_engine *e, const char *path)
{
    if (!e || !path)
        return CPOL_EINVAL;
    e->error[0] = '\0';
    char *data;
    size_t len;
    char why[256];
    if (read_file(path, (size_t)256 << 20, &data, &len, why, sizeof why) != 0) {
        engine_set_error(e, "%s: %s", path, why);
        return CPOL_EIO;
    }
    json_error_t jerr;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    free(data);
    if (!root) {
        engine_set_error(e, "%s:%d: not a baseline: %s", path, jerr.line, jerr.text);
        return CPOL_ECONFIG;
    }
    json_t *ver = json_object_get(root, "cpol_baseline");
    json_t *list = json_object_get(root, "findings");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1 || !json_is_array(list)) {
        json_decref(root);
        engine_set_error(e, "%s: not a baseline (expected {\"cpol_baseline\": 1, \"findings\": "
                            "[...]}, as cpol scan --write-baseline writes it)",
                         path);
        return CPOL_ECONFIG;
    }
    size_t n = json_array_size(list);
    char **v = calloc(n ? n : 1, sizeof *v);
    if (!v) {
        json_decref(root);
        return CPOL_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *fp = json_string_value(json_object_get(json_array_get(list, i), "fingerprint"));
        if (!fp || !is_fingerprint(fp)) {
            engine_set_error(e, "%s: finding %zu has no valid \"fingerprint\" (16 hex digits)",
                             path, i + 1);
            rc = CPOL_ECONFIG;
        } else if (!(v[i] = strdup(fp)))
            rc = CPOL_ENOMEM;
    }
    json_decref(root);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return rc;
    }
    qsort(v, n, sizeof *v, cmp_str);
    baseline_free(e);
    e->baseline = v;
    e->nbaseline = n;
    return 0;
}
