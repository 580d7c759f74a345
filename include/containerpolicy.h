/*
 * containerpolicy.h - the whole public API of libcontainerpolicy.
 *
 * libcontainerpolicy reads container configurations (Dockerfiles, compose files, Kubernetes
 * manifests, OCI runtime configs, `docker run` lines, CI workflows), normalizes them into one
 * model and checks that model with rules written in sandboxed Lua.
 *
 * Lifecycle, in numbered steps:
 *   1. cpol_engine_new()          an engine with the built-in rules registered
 *   2. cpol_engine_add_rules()    optional: custom rule files or folders
 *   3. cpol_engine_scan_paths() / cpol_engine_scan_buffer()  -> a cpol_report you own
 *   4. walk the report: cpol_report_count(), cpol_report_finding(), cpol_report_error_count(),
 *      cpol_report_error(), or render it with cpol_report_to_json()
 *   5. cpol_report_free(), then cpol_engine_free()
 *
 * Errors: functions return 0 or a negative CPOL_E* code; the text of the last error is kept on the
 * engine (cpol_engine_last_error). Bad input files are not API errors: they become diagnostics
 * in the report (file, line, column, message) and the scan goes on.
 *
 * Ownership: a `**out` argument receives something the caller frees with the function named in its
 * comment; every other returned pointer is borrowed from the object it came from and lives as long
 * as that object. Every _free function accepts NULL.
 *
 * Threads: the library has no global mutable state. One engine serves one thread at a time;
 * different engines may be used from different threads at the same time. A report is immutable and
 * may be read from any thread once the scan returned.
 */
#ifndef CONTAINERPOLICY_H
#define CONTAINERPOLICY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define CPOL_API
#elif defined(__GNUC__)
#define CPOL_API __attribute__((visibility("default")))
#else
#define CPOL_API
#endif

/** Version of the library this header belongs to. */
#define CPOL_VERSION_MAJOR 0
#define CPOL_VERSION_MINOR 1
#define CPOL_VERSION_PATCH 0
#define CPOL_VERSION_STRING "0.1.0"
/** Version of the Lua rule API (the model shape and the `report`/`cpol` functions rules see). */
#define CPOL_RULE_API_VERSION 1

/** Result codes. 0 is success; every error is negative. */
enum {
    CPOL_OK = 0,
    CPOL_ENOMEM = -1,  /**< out of memory */
    CPOL_EINVAL = -2,  /**< a NULL or unusable argument */
    CPOL_EIO = -3,     /**< a file or folder named by the caller could not be read, or a
                            cpol_write_fn refused output */
    CPOL_ERULE = -4,   /**< a rule file could not be loaded (syntax, metadata, sandbox refusal) */
    CPOL_ECONFIG = -5, /**< a configuration file is invalid */
    CPOL_ENOTFOUND = -6 /**< a path named by the caller does not exist or matches no format */
};

/** Input formats. CPOL_FORMAT_AUTO detects the format from the name, then the content. */
typedef enum cpol_format {
    CPOL_FORMAT_AUTO = 0,
    CPOL_FORMAT_DOCKERFILE = 1,
    CPOL_FORMAT_COMPOSE = 2,
    CPOL_FORMAT_K8S = 3,
    CPOL_FORMAT_OCI = 4,
    CPOL_FORMAT_DOCKER_RUN = 5,
    CPOL_FORMAT_GITHUB = 6,
    CPOL_FORMAT_GITLAB = 7
} cpol_format;

/** Severities, ordered: a larger value is more severe. */
typedef enum cpol_severity {
    CPOL_SEVERITY_INFO = 1,
    CPOL_SEVERITY_LOW = 2,
    CPOL_SEVERITY_MEDIUM = 3,
    CPOL_SEVERITY_HIGH = 4,
    CPOL_SEVERITY_CRITICAL = 5
} cpol_severity;

/**
 * Engine options. Initialise with CPOL_OPTIONS_INIT (or cpol_options_init) and change what you
 * need; a zero limit means "use the default". Passing NULL to cpol_engine_new means all defaults.
 */
typedef struct cpol_options {
    unsigned int version;          /**< CPOL_OPTIONS_VERSION */
    int no_builtin_rules;          /**< 1: register no built-in rules */
    size_t max_file_size;          /**< bytes per input file; default 16 MiB */
    size_t max_line_length;        /**< bytes per line; default 1 MiB */
    unsigned int max_yaml_depth;   /**< nesting depth in YAML; default 256 */
    unsigned int max_json_depth;   /**< nesting depth in JSON; default 256 */
    size_t max_alias_expansions;   /**< YAML alias expansion budget per document; default 10000 */
    unsigned int max_documents;    /**< YAML documents per file; default 10000 */
    size_t lua_memory;             /**< bytes of Lua memory per engine; default 256 MiB */
    unsigned long lua_instructions;/**< VM instructions per rule call; default 10,000,000 */
    unsigned long pattern_steps;   /**< matcher steps per pattern call; default 1,000,000 */
    unsigned int rule_timeout_ms;  /**< wall-clock time per rule call; default 1000 ms */
    size_t max_context_files;      /**< files listed per Docker build context; default 20000 */
} cpol_options;

#define CPOL_OPTIONS_VERSION 1
#define CPOL_OPTIONS_INIT {CPOL_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** A finding: one rule's verdict about one place. All strings are borrowed from the report. */
typedef struct cpol_finding {
    const char *rule_id;     /**< "CP001" */
    int control;             /**< control number 1..10, or 0 for checks beyond the ten */
    cpol_severity severity;
    const char *title;       /**< the rule's title */
    const char *message;     /**< what is wrong here */
    const char *file;        /**< path as given to the scan, or the buffer's name */
    unsigned int line;       /**< 1-based */
    unsigned int column;     /**< 1-based */
    const char *object;      /**< human label: "Dockerfile stage 2 (final)", "service web" */
    const char *remediation; /**< how to fix it */
    int suppressed;          /**< 1 when an inline cpol:ignore comment covers it */
} cpol_finding;

/** A diagnostic: input that could not be read or parsed, or a rule that failed. Strings borrowed. */
typedef struct cpol_diag {
    const char *file;    /**< may be NULL for engine-level problems */
    unsigned int line;   /**< 0 when not tied to a line */
    unsigned int column; /**< 0 when not tied to a column */
    const char *rule_id; /**< the failing rule, or NULL for input problems */
    const char *message;
} cpol_diag;

typedef struct cpol_engine cpol_engine;
typedef struct cpol_report cpol_report;

/** Version string of the linked library, e.g. "0.1.0". Static storage; never free it. */
CPOL_API const char *cpol_version(void);

/** Fill opts with the defaults (same as CPOL_OPTIONS_INIT). */
CPOL_API void cpol_options_init(cpol_options *opts);

/**
 * Create an engine with the built-in rules registered (unless opts->no_builtin_rules).
 * @param opts  NULL for defaults; read during the call only.
 * @return a new engine, freed with cpol_engine_free(), or NULL when out of memory or when
 *         opts->version is unknown.
 */
CPOL_API cpol_engine *cpol_engine_new(const cpol_options *opts);

/** Free an engine and its rules. NULL is allowed. Reports made by it stay valid. */
CPOL_API void cpol_engine_free(cpol_engine *engine);

/**
 * Load custom rules from a .lua file or from every *.lua file in a folder (not recursive).
 * A rule whose id equals a loaded rule's id is refused unless it declares `replace = true`.
 * @return 0; CPOL_EIO when the path cannot be read; CPOL_ERULE when a rule is refused (the engine
 *         keeps the rules loaded before it; the reason is in cpol_engine_last_error()).
 */
CPOL_API int cpol_engine_add_rules(cpol_engine *engine, const char *path);

/**
 * Load rules from a string (the text of one .lua rule file).
 * @param name  used in messages, e.g. "my-rule.lua". Copied.
 * @return 0, CPOL_EINVAL, CPOL_ENOMEM or CPOL_ERULE (reason in cpol_engine_last_error()).
 */
CPOL_API int cpol_engine_add_rule_source(cpol_engine *engine, const char *name, const char *source,
                                         size_t len);

/**
 * Load a configuration file (.cpol.yaml: per-rule enabled/severity/options, ignore globs,
 * fail-on; see docs/config.md). Rules it names must be loaded already, so add custom rules first.
 * Ignore globs are relative to the file's folder. A failed load leaves the engine as it was.
 * @return 0; CPOL_EIO when unreadable; CPOL_ECONFIG when invalid (the message, "file:line: text",
 *         is in cpol_engine_last_error()); CPOL_ENOMEM.
 */
CPOL_API int cpol_engine_load_config(cpol_engine *engine, const char *path);

/**
 * The `fail-on` level of the loaded configuration.
 * @return a cpol_severity, 0 for `fail-on: none`, or -1 when no configuration set it (or engine
 *         is NULL).
 */
CPOL_API int cpol_engine_config_fail_on(const cpol_engine *engine);

/**
 * Load a baseline written by cpol_report_to_baseline(): later scans with this engine leave out
 * the findings whose fingerprint (cpol_report_fingerprint) is in the baseline, and count them
 * (cpol_report_baselined_count). Loading again replaces the previous baseline.
 * @return 0; CPOL_EIO when unreadable; CPOL_ECONFIG when it is not a baseline (message in
 *         cpol_engine_last_error()); CPOL_ENOMEM.
 */
CPOL_API int cpol_engine_load_baseline(cpol_engine *engine, const char *path);

/**
 * Progress of a scan: done of total files checked so far. total is 0 while files are still
 * being read (done then counts the files read). Called from the scanning thread, or from the
 * worker threads of cpol_engine_scan_paths_parallel (never two calls at the same time).
 */
typedef void (*cpol_progress_fn)(void *ud, size_t done, size_t total);

/** Set (or clear, with NULL) the progress callback of the engine's scans. ud is passed back. */
CPOL_API void cpol_engine_set_progress(cpol_engine *engine, cpol_progress_fn fn, void *ud);

/**
 * A message a rule wrote with `cpol.log(...)` (the arguments converted as tostring does, joined
 * by one space, cut to CPOL_LOG_MAX_MESSAGE bytes at a character boundary). All strings are
 * borrowed for the call only; copy what you keep.
 * @param rule_id  the rule whose code logged; NULL while a rule or library file loads
 * @param file     the input the rule is checking: the container's file for `check`; NULL (and
 *                 line 0) for `check_project` and while loading
 * @param line     the container's line (1-based), or 0
 * Each rule call logs at most CPOL_LOG_MAX_LINES messages; then one more with the message
 * "log truncated: more than 100 messages in one call" and nothing else for that call.
 * Called on the thread running the rule, while the rule's time budget runs: keep it short and do
 * not call back into the engine. With cpol_engine_scan_paths_parallel each engine calls its own
 * callback from its worker thread, so calls for different engines may overlap.
 */
typedef void (*cpol_log_fn)(void *ud, const char *rule_id, const char *file, unsigned int line,
                            const char *message);

/** Messages per rule call passed to the log callback before the "log truncated" message. */
#define CPOL_LOG_MAX_LINES 100
/** Longest message passed to the log callback, in bytes (without the NUL). */
#define CPOL_LOG_MAX_MESSAGE 1024

/**
 * Set (or clear, with NULL) where `cpol.log` messages of this engine's rules go; ud is passed
 * back. Without a callback (the default) the messages are discarded. Set it before
 * cpol_engine_add_rules() to also see messages logged while rule files load. The engine does not
 * own ud.
 */
CPOL_API void cpol_engine_set_log(cpol_engine *engine, cpol_log_fn fn, void *ud);

/**
 * Read the files named directly in cpol_engine_scan_paths() as `format` instead of detecting
 * their format (a compose file called `stack.yml`, a Dockerfile called `build.txt`). Files found
 * by walking a folder are still detected. CPOL_FORMAT_AUTO (the default) turns it off.
 * @return 0, or CPOL_EINVAL for a NULL engine or an unknown format.
 */
CPOL_API int cpol_engine_set_format_hint(cpol_engine *engine, cpol_format format);

/** Number of rules the engine has. */
CPOL_API size_t cpol_engine_rule_count(const cpol_engine *engine);

/** Rule metadata; strings are borrowed from the engine and live until cpol_engine_free(). */
typedef struct cpol_rule_info {
    const char *id;
    int control;
    cpol_severity severity;
    const char *title;
    const char *description;
    const char *remediation;
    const char *formats;    /**< comma-separated, e.g. "dockerfile,compose" */
    const char *references; /**< newline-separated URLs, may be "" */
    const char *origin;     /**< "builtin" or the file the rule came from */
} cpol_rule_info;

/**
 * Describe rule i (0-based, sorted by id).
 * @return 0, or CPOL_EINVAL when i is out of range.
 */
CPOL_API int cpol_engine_rule_info(const cpol_engine *engine, size_t i, cpol_rule_info *out);

/**
 * Scan files and folders. Folders are walked; files in them that match no format are skipped.
 * A path named here that does not exist, or a file named here that matches no format, is recorded
 * as a diagnostic in the report (the other paths are still scanned).
 * @param out  receives the report; free it with cpol_report_free(). Set to NULL on failure.
 * @return 0 (also when the report holds findings or diagnostics), CPOL_ENOMEM, or CPOL_EINVAL for
 *         a NULL engine, path list or out.
 */
CPOL_API int cpol_engine_scan_paths(cpol_engine *engine, const char *const *paths, size_t count,
                                    cpol_report **out);

/**
 * cpol_engine_scan_paths() on nengines threads, one engine each: files are read, parsed and
 * checked by the rules on every thread (the calling thread walks the folders meanwhile). The
 * limits, configuration, baseline and progress callback of engines[0] apply; every engine must
 * have the same rules and configuration. The report is the same, in the same order, as
 * the one cpol_engine_scan_paths(engines[0], ...) gives. No engine may be used elsewhere
 * during the call.
 * @param out  receives the report; free it with cpol_report_free(). Set to NULL on failure.
 * @return 0, CPOL_ENOMEM, or CPOL_EINVAL (NULL or no engines, a NULL path list or out).
 */
CPOL_API int cpol_engine_scan_paths_parallel(cpol_engine *const *engines, size_t nengines,
                                             const char *const *paths, size_t count,
                                             cpol_report **out);

/**
 * Scan one in-memory buffer.
 * @param name  used as the file name in findings and for format detection; copied.
 * @param data  need not be NUL-terminated; read during the call only.
 * @param hint  CPOL_FORMAT_AUTO to detect from name and content.
 * @param out   receives the report; free it with cpol_report_free(). Set to NULL on failure.
 * @return 0, CPOL_ENOMEM, or CPOL_EINVAL.
 */
CPOL_API int cpol_engine_scan_buffer(cpol_engine *engine, const char *name, const char *data,
                                     size_t len, cpol_format hint, cpol_report **out);

/**
 * The normalized model of one file, as JSON (the shape rules see; see docs/model.md).
 * @param out  receives a NUL-terminated string; free it with cpol_free(). NULL on failure.
 * @return 0, CPOL_ENOMEM, CPOL_EINVAL, CPOL_EIO (unreadable) or CPOL_ENOTFOUND (no format).
 *         Parse diagnostics are included in the JSON under "errors".
 */
CPOL_API int cpol_engine_model_json(cpol_engine *engine, const char *path, cpol_format hint,
                                    char **out);

/** Text of the last error on this engine; "" when none. Borrowed until the next call. */
CPOL_API const char *cpol_engine_last_error(const cpol_engine *engine);

/** Free a report. NULL is allowed. */
CPOL_API void cpol_report_free(cpol_report *report);

/** Number of findings, in the order: file as given, line, column, rule id. */
CPOL_API size_t cpol_report_count(const cpol_report *report);

/** Finding i (0-based), borrowed from the report; NULL when out of range. */
CPOL_API const cpol_finding *cpol_report_finding(const cpol_report *report, size_t i);

/** Number of diagnostics (unreadable or unparsable input, failed rules). */
CPOL_API size_t cpol_report_error_count(const cpol_report *report);

/** Diagnostic i (0-based), borrowed from the report; NULL when out of range. */
CPOL_API const cpol_diag *cpol_report_error(const cpol_report *report, size_t i);

/** Number of files the scan read (including those that failed to parse). */
CPOL_API size_t cpol_report_file_count(const cpol_report *report);

/**
 * 1 when the scan was incomplete: a diagnostic was recorded (an input could not be read or
 * parsed, or a rule failed). The CLI exits 3 in that case.
 */
CPOL_API int cpol_report_incomplete(const cpol_report *report);

/**
 * Fingerprint of finding i: 16 hex digits that stay the same when unrelated lines are added or
 * removed (rule, file, object, the text of the finding's line, and its rank among identical
 * ones; never the line number). Borrowed from the report; NULL when i is out of range.
 */
CPOL_API const char *cpol_report_fingerprint(const cpol_report *report, size_t i);

/** Number of suppressed findings (they are still in the report, with suppressed = 1). */
CPOL_API size_t cpol_report_suppressed_count(const cpol_report *report);

/** Number of findings left out because the engine's baseline holds them. */
CPOL_API size_t cpol_report_baselined_count(const cpol_report *report);

/**
 * Unused suppressions: one entry per rule id of a `cpol:ignore` comment that covered no finding
 * (file, line and column of the comment, rule_id, a message). Counted and read like diagnostics,
 * but they do not make the report incomplete. Borrowed; NULL when i is out of range.
 */
CPOL_API size_t cpol_report_unused_ignore_count(const cpol_report *report);
CPOL_API const cpol_diag *cpol_report_unused_ignore(const cpol_report *report, size_t i);

/**
 * The report as JSON (see docs/cli.md for the shape).
 * @return a NUL-terminated string to free with cpol_free(), or NULL when out of memory.
 */
CPOL_API char *cpol_report_to_json(const cpol_report *report);

/**
 * The report as SARIF 2.1.0 (one run; tool.driver.rules from the rules' metadata).
 * @return a NUL-terminated string to free with cpol_free(), or NULL when out of memory.
 */
CPOL_API char *cpol_report_to_sarif(const cpol_report *report);

/**
 * Receives a report being written by cpol_report_write_json() or cpol_report_write_sarif(), in
 * order, in pieces of less than 64 KiB (one string longer than that comes whole); data is not
 * NUL-terminated and is valid only during the call.
 * @return 0 when all len bytes were taken; anything else stops the writer.
 */
typedef int (*cpol_write_fn)(void *ud, const char *data, size_t len);

/**
 * Write the report as JSON, the same text as cpol_report_to_json(), through write, without
 * building it in memory: for large reports, or to go straight to a file or socket.
 * @return 0; CPOL_EINVAL for a NULL report or write; CPOL_EIO when write returned non-zero (what
 *         was written so far is a truncated document); CPOL_ENOMEM.
 */
CPOL_API int cpol_report_write_json(const cpol_report *report, cpol_write_fn write, void *ud);

/**
 * Write the report as SARIF, the same text as cpol_report_to_sarif(), through write; as
 * cpol_report_write_json().
 */
CPOL_API int cpol_report_write_sarif(const cpol_report *report, cpol_write_fn write, void *ud);

/**
 * The report as JUnit XML: one testsuite per scanned file, one failing testcase per unsuppressed
 * finding, one passing testcase for a file without findings, an error testcase per diagnostic.
 * @return a NUL-terminated string to free with cpol_free(), or NULL when out of memory.
 */
CPOL_API char *cpol_report_to_junit(const cpol_report *report);

/**
 * A baseline of the report's unsuppressed findings (JSON: version, and per finding its
 * fingerprint, rule id, file and line), for cpol_engine_load_baseline().
 * @return a NUL-terminated string to free with cpol_free(), or NULL when out of memory.
 */
CPOL_API char *cpol_report_to_baseline(const cpol_report *report);

/** Free memory returned by the cpol_report_to_* functions and cpol_engine_model_json(). NULL is
    allowed. */
CPOL_API void cpol_free(void *ptr);

/**
 * The format a file would be read as: by name first, then by content (data may be NULL to decide
 * by name only). @return the format, or CPOL_FORMAT_AUTO when the file matches none.
 */
CPOL_API cpol_format cpol_detect_format(const char *name, const char *data, size_t len);

/** Parse "info", "low", "medium", "high", "critical" (any case). @return the severity or 0. */
CPOL_API cpol_severity cpol_severity_from_string(const char *s);

/** Lower-case name of a severity ("high"); "unknown" for other values. Static storage. */
CPOL_API const char *cpol_severity_name(cpol_severity s);

/** Lower-case name of a format ("dockerfile", "compose", ...); "auto" for 0. Static storage. */
CPOL_API const char *cpol_format_name(cpol_format f);

/** Parse a format name as cpol_format_name() prints it. @return the format, or -1 if unknown. */
CPOL_API int cpol_format_from_string(const char *s);

#ifdef __cplusplus
}
#endif
#endif /* CONTAINERPOLICY_H */
