/*
 * containerpolicy.i - the one SWIG interface behind the Python and Go bindings. It wraps a small
 * handle layer over include/containerpolicy.h, which is all a binding may use (STYLE: bindings use
 * only the public header, like any other embedder).
 *
 * What crosses into the other language, and why:
 *   - two opaque handles, NativeEngine and NativeReport, each owning its C object (%newobject, a
 *     destructor); no borrowed C pointer ever crosses, because one that outlived its report
 *     crashed Python (DESIGN section 8);
 *   - the report as one JSON string (cpol_report_to_json), decoded natively by each language;
 *   - result codes: Python gets containerpolicy.Error raised right here; Go gets the code and the
 *     message through code() and error(), which its hand-written layer turns into error values.
 * Paths travel as one NUL-separated byte string, because NUL is the one byte a path cannot hold
 * and a string array needs a typemap per language.
 * Threads: built with -threads for Python, so every call releases the GIL; an engine serves one
 * thread at a time, and the hand-written layers hold a lock around each use.
 */
%module containerpolicy

#ifdef SWIGPYTHON
%begin %{
/* every char* argument is bytes: paths may not be UTF-8 and buffers may hold any byte */
#define SWIG_PYTHON_STRICT_BYTE_CHAR
%}
#endif

%{
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "containerpolicy.h"

/* The engine plus the outcome of its last call, kept here because some failures (a missing path,
 * an unknown format) are found before the library is called. */
typedef struct cpolw_engine {
    cpol_engine *engine;
    int rc;          /* 0 or a CPOL_E* code */
    char error[1024];
} cpolw_engine;

/* A report of its own type, so that SWIG's generated names never meet the library's. The times
 * bracket the library call on the monotonic clock: they show whether scans ran at once. */
typedef struct cpolw_report {
    cpol_report *report;
    double started, finished;
} cpolw_report;

static double cpolw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cpolw_fail(cpolw_engine *w, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->error, sizeof w->error, fmt, ap);
    va_end(ap);
    w->rc = rc;
}

static void cpolw_ok(cpolw_engine *w)
{
    w->rc = 0;
    w->error[0] = '\0';
}

/* After a library call: keep its code and the engine's message. */
static int cpolw_result(cpolw_engine *w, int rc)
{
    if (rc == 0) {
        cpolw_ok(w);
        return 0;
    }
    const char *msg = cpol_engine_last_error(w->engine);
    if (!msg || !*msg)
        msg = rc == CPOL_ENOMEM ? "out of memory" : "the call failed";
    cpolw_fail(w, rc, "%s", msg);
    return rc;
}

static cpolw_report *cpolw_wrap(cpolw_engine *w, cpol_report *r, double started)
{
    cpolw_report *h = r ? malloc(sizeof *h) : NULL;
    if (r && !h) {
        cpol_report_free(r);
        cpolw_fail(w, CPOL_ENOMEM, "out of memory");
    } else if (h) {
        h->report = r;
        h->started = started;
        h->finished = cpolw_now();
    }
    return h;
}

static int cpolw_usable(cpolw_engine *w)
{
    if (w->engine)
        return 1;
    cpolw_fail(w, CPOL_EINVAL, "the engine is closed");
    return 0;
}

static cpolw_engine *cpolw_new(int no_builtin_rules)
{
    cpolw_engine *w = calloc(1, sizeof *w);
    cpol_options o;
    cpol_options_init(&o);
    o.no_builtin_rules = no_builtin_rules != 0;
    if (w && !(w->engine = cpol_engine_new(&o))) {
        free(w);
        w = NULL;
    }
    return w;
}

static void cpolw_close(cpolw_engine *w)
{
    cpol_engine_free(w->engine);
    w->engine = NULL;
}

static int cpolw_add_rules(cpolw_engine *w, const char *path)
{
    if (!cpolw_usable(w))
        return w->rc;
    if (!path || !*path) {
        cpolw_fail(w, CPOL_EINVAL, "empty rules path");
        return w->rc;
    }
    return cpolw_result(w, cpol_engine_add_rules(w->engine, path));
}

static int cpolw_add_rule_source(cpolw_engine *w, const char *name, const char *src, size_t len)
{
    if (!cpolw_usable(w))
        return w->rc;
    return cpolw_result(w, cpol_engine_add_rule_source(w->engine, name, src, len));
}

static int cpolw_load_config(cpolw_engine *w, const char *path)
{
    if (!cpolw_usable(w))
        return w->rc;
    if (!path || !*path) {
        cpolw_fail(w, CPOL_EINVAL, "empty configuration path");
        return w->rc;
    }
    return cpolw_result(w, cpol_engine_load_config(w->engine, path));
}

/* The library records a missing path as a diagnostic and scans the rest; the bindings promise an
 * error instead, so that a typo in a path is not mistaken for a clean scan. */
static cpolw_report *cpolw_scan_paths(cpolw_engine *w, const char *joined, size_t len)
{
    if (!cpolw_usable(w))
        return NULL;
    if (!joined || len == 0) {
        cpolw_fail(w, CPOL_EINVAL, "no paths to scan");
        return NULL;
    }
    char *copy = malloc(len + 1);
    const char **paths = malloc((len + 1) * sizeof *paths);
    cpol_report *r = NULL;
    cpolw_report *h = NULL;
    size_t n = 0;
    double started;
    if (!copy || !paths) {
        cpolw_fail(w, CPOL_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(copy, joined, len);
    copy[len] = '\0';
    for (size_t i = 0; i <= len; i += strlen(copy + i) + 1) {
        struct stat st;
        if (!copy[i]) {
            cpolw_fail(w, CPOL_EINVAL, "empty path");
            goto done;
        }
        if (stat(copy + i, &st) != 0) {
            int err = errno;
            cpolw_fail(w, err == ENOENT || err == ENOTDIR ? CPOL_ENOTFOUND : CPOL_EIO, "%s: %s",
                       copy + i, strerror(err));
            goto done;
        }
        paths[n++] = copy + i;
    }
    started = cpolw_now();
    cpolw_result(w, cpol_engine_scan_paths(w->engine, paths, n, &r));
    h = cpolw_wrap(w, r, started);
done:
    free(paths);
    free(copy);
    return h;
}

static cpolw_report *cpolw_scan_buffer(cpolw_engine *w, const char *name, const char *data,
                                       size_t len, const char *format)
{
    if (!cpolw_usable(w))
        return NULL;
    if (!name || !*name) {
        cpolw_fail(w, CPOL_EINVAL, "a buffer needs a name (such as \"Dockerfile\")");
        return NULL;
    }
    int f = format && *format ? cpol_format_from_string(format) : CPOL_FORMAT_AUTO;
    if (f < 0) {
        cpolw_fail(w, CPOL_EINVAL,
                   "unknown format '%s' (auto, dockerfile, compose, k8s, oci, docker-run, github, "
                   "gitlab)", format);
        return NULL;
    }
    cpol_report *r = NULL;
    double started = cpolw_now();
    cpolw_result(w, cpol_engine_scan_buffer(w->engine, name, data ? data : "", data ? len : 0,
                                            (cpol_format)f, &r));
    return cpolw_wrap(w, r, started);
}
%}

/* Strings the C side allocates are freed with the library's own cpol_free. */
%typemap(newfree) char * "cpol_free($1);";

%apply (char *STRING, size_t LENGTH) { (const char *joined, size_t len) };
%apply (char *STRING, size_t LENGTH) { (const char *data, size_t len) };
%apply (char *STRING, size_t LENGTH) { (const char *source, size_t len) };

#ifdef SWIGPYTHON
%{
/* Raise containerpolicy.Error(message, code); ENOMEM stays MemoryError. The class lives in the
 * pure-Python package so that it has a docstring and a `code` attribute. */
static void cpolw_raise(int rc, const char *msg)
{
    if (rc == CPOL_ENOMEM) {
        PyErr_NoMemory();
        return;
    }
    PyObject *mod = PyImport_ImportModule("containerpolicy._errors");
    PyObject *cls = mod ? PyObject_GetAttrString(mod, "Error") : NULL;
    PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
    PyObject *exc = cls && text ? PyObject_CallFunction(cls, "Oi", text, rc) : NULL;
    if (exc)
        PyErr_SetObject(cls, exc);
    Py_XDECREF(exc);
    Py_XDECREF(text);
    Py_XDECREF(cls);
    Py_XDECREF(mod);
}
%}

/* $action releases and retakes the GIL under -threads; the checks below run with it held. */
%define CPOLW_RAISE_ON_RC(method)
%exception method {
    $action
    if (result < 0) {
        cpolw_raise(arg1->rc, arg1->error);
        SWIG_fail;
    }
}
%enddef
%define CPOLW_RAISE_ON_NULL(method)
%exception method {
    $action
    if (!result) {
        cpolw_raise(arg1->rc ? arg1->rc : CPOL_ENOMEM, arg1->error);
        SWIG_fail;
    }
}
%enddef
CPOLW_RAISE_ON_RC(cpolw_engine::add_rules)
CPOLW_RAISE_ON_RC(cpolw_engine::add_rule_source)
CPOLW_RAISE_ON_RC(cpolw_engine::load_config)
CPOLW_RAISE_ON_NULL(cpolw_engine::scan_paths)
CPOLW_RAISE_ON_NULL(cpolw_engine::scan_buffer)
%exception cpolw_engine::cpolw_engine {
    $action
    if (!result) {
        PyErr_NoMemory();
        SWIG_fail;
    }
}
%exception cpolw_report::to_json {
    $action
    if (!result) {
        PyErr_NoMemory();
        SWIG_fail;
    }
}
%exception cpolw_report::to_sarif {
    $action
    if (!result) {
        cpolw_raise(CPOL_EINVAL, "SARIF output is not available in this build of the library");
        SWIG_fail;
    }
}
#endif

/* Version of the linked library, e.g. "0.1.0". */
const char *cpol_version(void);

/* The opaque handles; SWIG sees no fields, so the other language cannot reach inside. */
%rename(NativeEngine) cpolw_engine;
%rename(NativeReport) cpolw_report;
%nodefaultctor cpolw_engine;
%nodefaultctor cpolw_report;
struct cpolw_engine {};
struct cpolw_report {};

%newobject cpolw_engine::scan_paths;
%newobject cpolw_engine::scan_buffer;
%extend cpolw_engine {
    /* An engine with the built-in rules, unless no_builtin_rules is non-zero. */
    cpolw_engine(int no_builtin_rules) { return cpolw_new(no_builtin_rules); }
    ~cpolw_engine()
    {
        cpolw_close($self);
        free($self);
    }
    /* Free the engine now; later calls fail with "the engine is closed". */
    void close() { cpolw_close($self); }
    /* Each returns 0 or a CPOL_E* code (Python: raises instead). */
    int add_rules(const char *path) { return cpolw_add_rules($self, path); }
    int add_rule_source(const char *name, const char *source, size_t len)
    {
        return cpolw_add_rule_source($self, name, source, len);
    }
    int load_config(const char *path) { return cpolw_load_config($self, path); }
    /* A report the caller owns, or NULL (Python: raises) with code() and error() set. */
    cpolw_report *scan_paths(const char *joined, size_t len)
    {
        return cpolw_scan_paths($self, joined, len);
    }
    cpolw_report *scan_buffer(const char *name, const char *data, size_t len, const char *format)
    {
        return cpolw_scan_buffer($self, name, data, len, format);
    }
    size_t rule_count() { return $self->engine ? cpol_engine_rule_count($self->engine) : 0; }
    /* The outcome of the last call: 0 or a CPOL_E* code, and its message ("" when none). */
    int code() { return $self->rc; }
    const char *error() { return $self->error; }
}

%newobject cpolw_report::to_json;
%newobject cpolw_report::to_sarif;
%extend cpolw_report {
    ~cpolw_report()
    {
        cpol_report_free($self->report);
        free($self);
    }
    /* The report as JSON (docs/cli.md), or NULL when out of memory. */
    char *to_json() { return cpol_report_to_json($self->report); }
    /* The report as SARIF 2.1.0, or NULL when it cannot be rendered. */
    char *to_sarif() { return cpol_report_to_sarif($self->report); }
    /* When the library call began and ended, in seconds on CLOCK_MONOTONIC. */
    double started() { return $self->started; }
    double finished() { return $self->finished; }
}
