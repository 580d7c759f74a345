// Package containerpolicy checks container configurations (Dockerfiles, compose files, Kubernetes
// manifests, OCI runtime configs, docker run lines, CI workflows) against container-hardening
// controls, with built-in and custom Lua rules. It binds libcontainerpolicy through cgo and SWIG.
//
// An Engine holds the rules; each scan returns a Report of plain Go values:
//
//	engine, err := containerpolicy.NewEngine(containerpolicy.Options{})
//	if err != nil {
//		return err
//	}
//	defer engine.Close()
//	report, err := engine.ScanPath("Dockerfile")
//	if err != nil {
//		return err
//	}
//	for _, f := range report.Findings {
//		fmt.Printf("%s:%d:%d %s %s\n", f.File, f.Line, f.Column, f.RuleID, f.Message)
//	}
//
// Building needs the installed C library, found with pkg-config (PKG_CONFIG_PATH for a prefix),
// and swig, which `go build` runs on internal/native/native.swig.
//
// An Engine may be shared by goroutines (a mutex makes them take turns); goroutines with their
// own engines scan in parallel. Reports are immutable and independent of their engine.
package containerpolicy

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"containerpolicy/internal/native"
)

// Version is the version of the linked C library, e.g. "0.1.0".
func Version() string { return native.Cpol_version() }

// Options configure a new Engine. The zero value gives the built-in rules and no configuration.
type Options struct {
	// Rules are .lua rule files or folders of them, loaded after the built-in rules.
	Rules []string
	// Config is a .cpol.yaml configuration file; "" for none.
	Config string
	// NoBuiltinRules starts the engine with no rules but those in Rules.
	NoBuiltinRules bool
}

// Engine runs rules over container configurations. Create it with NewEngine and release it with
// Close. Its methods may be called from several goroutines; they take turns.
type Engine struct {
	mu     sync.Mutex
	handle native.NativeEngine // nil once closed
}

// NewEngine creates an engine with the built-in rules (unless o.NoBuiltinRules), then loads
// o.Rules and o.Config. The error is an *Error: KindIO for a missing rules path, KindRule for a
// refused rule, KindConfig for an invalid configuration.
func NewEngine(o Options) (*Engine, error) {
	flag := 0
	if o.NoBuiltinRules {
		flag = 1
	}
	h := native.NewNativeEngine(flag)
	if h == nil || h.Swigcptr() == 0 {
		return nil, &Error{Kind: KindNoMemory, Message: "out of memory"}
	}
	e := &Engine{handle: h}
	runtime.SetFinalizer(e, (*Engine).Close)
	for _, p := range o.Rules {
		if err := e.AddRules(p); err != nil {
			e.Close()
			return nil, err
		}
	}
	if o.Config != "" {
		e.mu.Lock()
		err := e.check(func(h native.NativeEngine) int { return h.Load_config(o.Config) })
		e.mu.Unlock()
		if err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// Close frees the engine. Later calls return an error of KindInvalid; reports stay valid.
// Closing twice is allowed.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.handle != nil {
		native.DeleteNativeEngine(e.handle)
		e.handle = nil
		runtime.SetFinalizer(e, nil)
	}
	return nil
}

// AddRules loads custom rules from a .lua file or every *.lua file of a folder.
func (e *Engine) AddRules(path string) error {
	if err := checkString("rules path", path); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.check(func(h native.NativeEngine) int { return h.Add_rules(path) })
}

// AddRuleSource loads one rule from its Lua text; name (such as "my-rule.lua") is used in
// messages.
func (e *Engine) AddRuleSource(name string, source []byte) error {
	if err := checkString("rule name", name); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.check(func(h native.NativeEngine) int { return h.Add_rule_source(name, string(source)) })
}

// RuleCount is the number of rules the engine has (0 once closed).
func (e *Engine) RuleCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.handle == nil {
		return 0
	}
	return int(e.handle.Rule_count())
}

// ScanPath scans one file or folder; see ScanPaths.
func (e *Engine) ScanPath(path string) (*Report, error) {
	return e.ScanPaths([]string{path})
}

// ScanPaths scans files and folders; folders are walked and files of no known format skipped.
// A path that does not exist is an error of KindNotFound. Files that cannot be parsed are not
// errors: they are listed in Report.Errors and the other files are still scanned.
func (e *Engine) ScanPaths(paths []string) (*Report, error) {
	if len(paths) == 0 {
		return nil, &Error{Kind: KindInvalid, Message: "no paths to scan"}
	}
	for _, p := range paths {
		if err := checkString("path", p); err != nil {
			return nil, err
		}
	}
	joined := strings.Join(paths, "\x00")
	return e.scan(func(h native.NativeEngine) native.NativeReport { return h.Scan_paths(joined) })
}

// ScanBytes scans data held in memory. name (such as "Dockerfile" or "k8s/deploy.yaml") is the
// file name in findings and, with the content, decides the format.
func (e *Engine) ScanBytes(name string, data []byte) (*Report, error) {
	return e.ScanBytesAs(name, data, "")
}

// ScanBytesAs is ScanBytes with the format named: "dockerfile", "compose", "k8s", "oci",
// "docker-run", "github", "gitlab", or "" (or "auto") to detect it.
func (e *Engine) ScanBytesAs(name string, data []byte, format string) (*Report, error) {
	if err := checkString("name", name); err != nil {
		return nil, err
	}
	if strings.IndexByte(format, 0) >= 0 {
		return nil, &Error{Kind: KindInvalid, Message: "format cannot hold a NUL byte"}
	}
	text := string(data)
	return e.scan(func(h native.NativeEngine) native.NativeReport {
		return h.Scan_buffer(name, text, format)
	})
}

// check runs one call that returns a result code, with e.mu held.
func (e *Engine) check(call func(native.NativeEngine) int) error {
	if e.handle == nil {
		return errClosed()
	}
	if call(e.handle) < 0 {
		return e.lastError()
	}
	return nil
}

func (e *Engine) scan(call func(native.NativeEngine) native.NativeReport) (*Report, error) {
	e.mu.Lock()
	if e.handle == nil {
		e.mu.Unlock()
		return nil, errClosed()
	}
	r := call(e.handle)
	if r == nil || r.Swigcptr() == 0 {
		err := e.lastError()
		e.mu.Unlock()
		return nil, err
	}
	e.mu.Unlock()
	// the report is ours alone from here: decode it and free the C side at once
	defer native.DeleteNativeReport(r)
	return decodeReport(r.To_json())
}

// lastError turns the handle's code and message into an *Error, with e.mu held.
func (e *Engine) lastError() error {
	code := e.handle.Code()
	if code == 0 {
		code = codeNoMemory
	}
	return &Error{Kind: kindOf(code), Message: e.handle.Error()}
}

func checkString(what, s string) error {
	if s == "" {
		return &Error{Kind: KindInvalid, Message: "empty " + what}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return &Error{Kind: KindInvalid, Message: fmt.Sprintf("%s %q holds a NUL byte", what, s)}
	}
	return nil
}

func errClosed() error { return &Error{Kind: KindInvalid, Message: "the engine is closed"} }

// Scan is a one-shot helper: a new engine with o, a scan of paths, and the engine closed again.
func Scan(o Options, paths ...string) (*Report, error) {
	e, err := NewEngine(o)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.ScanPaths(paths)
}

func decodeReport(text string) (*Report, error) {
	if text == "" {
		return nil, &Error{Kind: KindNoMemory, Message: "out of memory rendering the report"}
	}
	var r Report
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return nil, fmt.Errorf("containerpolicy: unreadable report from the library: %w", err)
	}
	r.raw = text
	return &r, nil
}
