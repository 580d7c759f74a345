/*
 * containerpolicy.i - the one SWIG interface behind the Python and Go bindings. It wraps a small
 * handle layer over include/containerpolicy.h, which is all a binding may use (STYLE: bindings use
 * only the public header, like any other embedder).
 *
 * What crosses into the other language, and why:
 *   - two opaque handles, NativeEngine and NativeReport, each owning its C object (%newobject, a
 *     destructor); no borrowed C pointer ever crosses, because one that outlived its report
 *     crashed Python (DESIGN section 8);
 *   - for Go, the report as one JSON string (cpol_report_to_json), decoded natively; for Python,
 *     copies of its findings and diagnostics as Python objects (items(), built with the GIL held),
 *     because rendering and decoding JSON took almost a fifth of the time of a corpus scan;
 *   - result codes: Python gets containerpolicy.Error raised right here; Go gets the code and the
 *     message through code() and error(), which its hand-written layer turns into error values.
 * Paths travel as one NUL-separated byte string, because NUL is the one byte a path cannot hold
 * and a string array needs a typemap per language.
 * Threads: built with -threads for Python, so every call but items() releases the GIL; an engine
 * serves one thread at a time, and the hand-written layers hold a lock around each use.
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
#include <stdint.h>
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
#include <structmember.h> /* PyMemberDescrObject: the slots items() fills */

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

/* Building the report's Python objects here, instead of rendering JSON for Python to decode, is
 * most of what makes the binding as fast as the CLI on a large scan (issue 8). The strings repeat:
 * on the corpus 12,759 findings hold 17 titles, 1,578 file names, 805 messages, each a copy of
 * its own in the report; so each distinct text is decoded once, found again by its content. */
typedef struct cpolw_strent {
    const char *s; /* the first copy seen; the report outlives the walk */
    size_t len;
    uint64_t hash;
    PyObject *str;
} cpolw_strent;

typedef struct cpolw_strcache {
    cpolw_strent *e;
    size_t cap, used;
} cpolw_strcache;

/* Probes per lookup before a string is decoded without caching: crafted inputs whose texts all
 * hash alike cost one decode each instead of a quadratic walk. */
#define CPOLW_MAX_PROBES 16

/* Length of the valid UTF-8 sequence at s (1..4), or 0: the rule the library's JSON writer
 * follows, so that text decodes here exactly as json.loads decodes cpol_report_to_json(). */
static size_t cpolw_utf8_len(const unsigned char *s, size_t avail)
{
    static const unsigned lead_min[5] = {0, 0, 0x80, 0x800, 0x10000};
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 && c < 0xF0 ? 3
             : c >= 0xC0 && c < 0xE0 ? 2 : 0;
    if (n <= 1)
        return n;
    if (n > avail)
        return 0;
    c &= 0x7F >> n;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    return c < lead_min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) ? 0 : n;
}

/* A str from C text. File names keep undecodable bytes as os.fsdecode does (surrogateescape), so
 * that they can be opened; other text gets U+FFFD per invalid byte, as in the JSON report. */
static PyObject *cpolw_decode(const char *s, size_t len, int is_path)
{
    PyObject *o = PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, is_path ? "surrogateescape" : NULL);
    if (o || is_path || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        return o;
    PyErr_Clear();
    char *fixed = PyMem_Malloc(len * 3 + 1);
    if (!fixed)
        return PyErr_NoMemory();
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        size_t n = cpolw_utf8_len((const unsigned char *)s + i, len - i);
        if (n == 0) {
            memcpy(fixed + k, "\xEF\xBF\xBD", 3);
            k += 3;
            i++;
        } else {
            memcpy(fixed + k, s + i, n);
            k += n;
            i += n;
        }
    }
    o = PyUnicode_DecodeUTF8(fixed, (Py_ssize_t)k, NULL);
    PyMem_Free(fixed);
    return o;
}

/* Eight bytes a step: hashing a 250-byte remediation must cost less than decoding it. */
static uint64_t cpolw_hash(const char *s, size_t len)
{
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15u, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s + i, len - i);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53u;
    return h ^ (h >> 29);
}

static int cpolw_strcache_grow(cpolw_strcache *c)
{
    size_t cap = c->cap ? c->cap * 2 : 1024;
    cpolw_strent *e = PyMem_Calloc(cap, sizeof *e);
    if (!e)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->e[i].str)
            continue;
        size_t j = c->e[i].hash & (cap - 1);
        while (e[j].str)
            j = (j + 1) & (cap - 1);
        e[j] = c->e[i];
    }
    PyMem_Free(c->e);
    c->e = e;
    c->cap = cap;
    return 0;
}

/* A new reference to the str for s (None for NULL). */
static PyObject *cpolw_str(cpolw_strcache *c, const char *s, int is_path)
{
    if (!s) {
        Py_INCREF(Py_None);
        return Py_None;
    }
    size_t len = strlen(s);
    if (c->used * 2 >= c->cap && cpolw_strcache_grow(c) < 0)
        return PyErr_NoMemory();
    uint64_t h = cpolw_hash(s, len);
    size_t j = h & (c->cap - 1);
    for (int probes = 0; c->e[j].str; probes++, j = (j + 1) & (c->cap - 1)) {
        cpolw_strent *e = &c->e[j];
        if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0) {
            Py_INCREF(e->str);
            return e->str;
        }
        if (probes == CPOLW_MAX_PROBES)
            return cpolw_decode(s, len, is_path);
    }
    PyObject *o = cpolw_decode(s, len, is_path);
    if (o) {
        c->e[j] = (cpolw_strent){s, len, h, o};
        c->used++;
        Py_INCREF(o);
    }
    return o;
}

static void cpolw_strcache_free(cpolw_strcache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        Py_XDECREF(c->e[i].str);
    PyMem_Free(c->e);
}

/* Where the __slots__ of a Python class sit in its instances (containerpolicy._report), so that
 * the walk fills them directly, without running __init__ or the frozen __setattr__. */
static int cpolw_slots(PyObject *cls, const char *const *names, Py_ssize_t *offset, size_t n)
{
    if (!PyType_Check(cls) || !PyType_HasFeature((PyTypeObject *)cls, Py_TPFLAGS_HEAPTYPE)) {
        PyErr_SetString(PyExc_TypeError, "items() wants the classes of containerpolicy._report");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        PyObject *d = PyObject_GetAttrString(cls, names[i]);
        if (!d)
            return -1;
        int ok = Py_TYPE(d) == &PyMemberDescr_Type &&
                 ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX &&
                 !(((PyMemberDescrObject *)d)->d_member->flags & READONLY);
        offset[i] = ok ? ((PyMemberDescrObject *)d)->d_member->offset : 0;
        Py_DECREF(d);
        if (!ok) {
            PyErr_Format(PyExc_TypeError, "%s is not a slot of %R", names[i], cls);
            return -1;
        }
    }
    return 0;
}

/* A new instance of cls holding vals (new references, taken over here, also on failure).
 * It is left out of the cycle collector, as CPython leaves tuples of atomic values: its slots
 * hold only str, int, bool and None, which cannot form a cycle, and twelve thousand tracked
 * findings made the collector walk them over and over while the list grew. */
static PyObject *cpolw_fill(PyObject *cls, const Py_ssize_t *offset, PyObject **vals, size_t n)
{
    PyTypeObject *t = (PyTypeObject *)cls;
    PyObject *o = NULL;
    size_t i;
    for (i = 0; i < n && vals[i]; i++)
        ;
    if (i == n)
        o = t->tp_alloc(t, 0);
    if (!o) {
        for (i = 0; i < n; i++)
            Py_XDECREF(vals[i]);
        return NULL;
    }
    for (i = 0; i < n; i++)
        *(PyObject **)((char *)o + offset[i]) = vals[i];
    if (PyObject_IS_GC(o))
        PyObject_GC_UnTrack(o);
    return o;
}

static PyObject *cpolw_bool(int v)
{
    PyObject *o = v ? Py_True : Py_False;
    Py_INCREF(o);
    return o;
}

#define CPOLW_NF 11
#define CPOLW_ND 5

/* (findings, errors, files): lists of finding_cls and diag_cls instances, fields in the order
 * docs/bindings.md lists them, and the number of files read. */
static PyObject *cpolw_items(cpolw_report *h, PyObject *finding_cls, PyObject *diag_cls)
{
    static const char *const fnames[CPOLW_NF] = {
        "rule_id", "control", "severity", "title", "message", "file", "line", "column", "object",
        "remediation", "suppressed"};
    static const char *const dnames[CPOLW_ND] = {"file", "line", "column", "rule_id", "message"};
    Py_ssize_t fo[CPOLW_NF], doff[CPOLW_ND];
    if (cpolw_slots(finding_cls, fnames, fo, CPOLW_NF) < 0 ||
        cpolw_slots(diag_cls, dnames, doff, CPOLW_ND) < 0)
        return NULL;
    PyObject *findings = NULL, *errors = NULL, *out = NULL;
    cpolw_strcache text = {0}, paths = {0};
    size_t nf = cpol_report_count(h->report), nd = cpol_report_error_count(h->report);
    findings = PyList_New((Py_ssize_t)nf);
    errors = findings ? PyList_New((Py_ssize_t)nd) : NULL;
    if (!errors)
        goto done;
    for (size_t i = 0; i < nf; i++) {
        const cpol_finding *f = cpol_report_finding(h->report, i);
        PyObject *v[CPOLW_NF];
        v[0] = cpolw_str(&text, f->rule_id, 0);
        v[1] = PyLong_FromLong(f->control);
        v[2] = cpolw_str(&text, cpol_severity_name(f->severity), 0);
        v[3] = cpolw_str(&text, f->title, 0);
        v[4] = cpolw_str(&text, f->message, 0);
        v[5] = cpolw_str(&paths, f->file, 1);
        v[6] = PyLong_FromUnsignedLong(f->line);
        v[7] = PyLong_FromUnsignedLong(f->column);
        v[8] = cpolw_str(&text, f->object, 0);
        v[9] = cpolw_str(&text, f->remediation, 0);
        v[10] = cpolw_bool(f->suppressed);
        PyObject *o = cpolw_fill(finding_cls, fo, v, CPOLW_NF);
        if (!o)
            goto done;
        PyList_SET_ITEM(findings, (Py_ssize_t)i, o);
    }
    for (size_t i = 0; i < nd; i++) {
        const cpol_diag *d = cpol_report_error(h->report, i);
        PyObject *v[CPOLW_ND];
        v[0] = cpolw_str(&paths, d->file, 1);
        v[1] = PyLong_FromUnsignedLong(d->line);
        v[2] = PyLong_FromUnsignedLong(d->column);
        v[3] = cpolw_str(&text, d->rule_id, 0);
        v[4] = cpolw_str(&text, d->message ? d->message : "", 0);
        PyObject *o = cpolw_fill(diag_cls, doff, v, CPOLW_ND);
        if (!o)
            goto done;
        PyList_SET_ITEM(errors, (Py_ssize_t)i, o);
    }
    out = Py_BuildValue("(OOn)", findings, errors, (Py_ssize_t)cpol_report_file_count(h->report));
done:
    Py_XDECREF(findings);
    Py_XDECREF(errors);
    cpolw_strcache_free(&text);
    cpolw_strcache_free(&paths);
    return out;
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
/* items() builds Python objects, so it keeps the GIL (the others release it under -threads). */
%nothread cpolw_report::items;
%exception cpolw_report::items {
    $action
    if (!result)
        SWIG_fail;
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
#ifdef SWIGPYTHON
    /* (findings, errors, files): the report as instances of the two given classes, which
     * must have __slots__ named as the fields of cpol_finding and cpol_diag (see _report.py). */
    PyObject *items(PyObject *finding_cls, PyObject *diag_cls)
    {
        return cpolw_items($self, finding_cls, diag_cls);
    }
#endif
    /* When the library call began and ended, in seconds on CLOCK_MONOTONIC. */
    double started() { return $self->started; }
    double finished() { return $self->finished; }
}
