package containerpolicy

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The repository root, two folders up; tests/cli/test_go.sh sets CPOL to the cpol binary.
var (
	root          = filepath.Join("..", "..")
	badDockerfile = filepath.Join(root, "examples", "dockerfile-bad", "Dockerfile")
)

const teamRule = `
return {
  id = "TEAM001", api = 1, control = 2, severity = "info",
  title = "Team rule ran", formats = { "dockerfile" },
  description = "A test rule.", remediation = "None needed.",
  check = function(c, report)
    if c.image then report{ at = c.image, message = "saw " .. c.image.ref } end
  end,
}
`

func newEngine(t *testing.T, o Options) *Engine {
	t.Helper()
	e, err := NewEngine(o)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func kindOfErr(t *testing.T, err error) Kind {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *containerpolicy.Error, got %T %v", err, err)
	}
	return ce.Kind
}

func TestVersionIsTheHeaderVersion(t *testing.T) {
	header, err := os.ReadFile(filepath.Join(root, "include", "containerpolicy.h"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(header), `#define CPOL_VERSION_STRING "`+Version()+`"`) {
		t.Fatalf("Version() = %q is not the header's", Version())
	}
}

func TestBadDockerfileRootUserFinding(t *testing.T) {
	r, err := newEngine(t, Options{}).ScanPath(badDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	var got []Finding
	for _, f := range r.Findings {
		if f.RuleID == "CP001" {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("CP001 findings: %+v", got)
	}
	f := got[0]
	if f.Control != 1 || f.Severity != SeverityHigh || f.File != badDockerfile || f.Line != 2 ||
		f.Column != 1 || f.Title != "Container runs as root" ||
		f.Object != "Dockerfile final stage" || f.Suppressed ||
		!strings.Contains(f.Message, "no USER instruction") ||
		!strings.Contains(f.Remediation, "USER app") {
		t.Fatalf("CP001 finding: %+v", f)
	}
	if f.Severity.Level() != 4 {
		t.Fatalf("Level(high) = %d", f.Severity.Level())
	}
	if r.Incomplete() || len(r.Errors) != 0 || r.Summary.Files != 1 ||
		r.Summary.Findings != len(r.Findings) {
		t.Fatalf("report: %+v", r)
	}
}

func TestSameFindingsAsCpolScanFormatJSON(t *testing.T) {
	cpol := os.Getenv("CPOL")
	if cpol == "" {
		t.Skip("set CPOL to the cpol binary to compare with the CLI (tests/cli/test_go.sh does)")
	}
	rel := "examples/dockerfile-bad/Dockerfile"
	cmd := exec.Command(cpol, "scan", "--format", "json", "--fail-on", "none", rel)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cpol: %v", err)
	}
	var want Report
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, Options{})
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	got, err := e.ScanPath(rel)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) < 5 || !reflect.DeepEqual(got.Findings, want.Findings) {
		t.Fatalf("findings differ from cpol's:\n got %+v\nwant %+v", got.Findings, want.Findings)
	}
	var a, b any
	json.Unmarshal(got.JSON(), &a)
	json.Unmarshal(out, &b)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("JSON differs from cpol's:\n%s\n%s", got.JSON(), out)
	}
}

func TestScanBytesNamesTheBufferAndFindsPositions(t *testing.T) {
	e := newEngine(t, Options{})
	r, err := e.ScanBytes("Dockerfile", []byte("FROM node:20\nUSER root\n"))
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	for _, f := range r.Findings {
		if f.RuleID == "CP001" {
			at = append(at, f.File+":"+strconv.Itoa(f.Line)+":"+strconv.Itoa(f.Column))
		}
	}
	if !reflect.DeepEqual(at, []string{"Dockerfile:2:6"}) {
		t.Fatalf("CP001 at %v", at)
	}
	undetected, err := e.ScanBytes("notes.txt", []byte("FROM node:20\nUSER root\n"))
	if err != nil || len(undetected.Findings) != 0 {
		t.Fatalf("notes.txt: %v %+v", err, undetected)
	}
	forced, err := e.ScanBytesAs("notes.txt", []byte("FROM node:20\nUSER root\n"), "dockerfile")
	if err != nil || !hasFinding(forced, "CP001", 2, 6) {
		t.Fatalf("forced dockerfile: %v %+v", err, forced)
	}
}

func TestHostileBytesGiveAReport(t *testing.T) {
	data := append([]byte("FROM alpine\x00:3\nRUN \xff\xfe echo\nUSER \x00\n"),
		[]byte(strings.Repeat("A", 100000))...)
	if _, err := newEngine(t, Options{}).ScanBytes("Dockerfile", data); err != nil {
		t.Fatal(err)
	}
}

func TestUnparsableInputIsADiagnostic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile")
	os.WriteFile(p, []byte("FROM node:20\nBOGUS x\n"), 0o644)
	r, err := newEngine(t, Options{}).ScanPath(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Diagnostic{{File: p, Line: 2, Column: 1, Message: "unknown instruction 'BOGUS'"}}
	if !r.Incomplete() || !reflect.DeepEqual(r.Errors, want) {
		t.Fatalf("errors: %+v", r.Errors)
	}
}

func TestFoldersAreWalked(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "a"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "Dockerfile"), []byte("FROM node:20\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM node:20\nUSER 1000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("text\n"), 0o644)
	r, err := Scan(Options{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	var root []string
	for _, f := range r.Findings {
		if f.RuleID == "CP001" {
			root = append(root, f.File)
		}
	}
	want := []string{filepath.Join(dir, "a", "Dockerfile")}
	if r.Summary.Files != 2 || !reflect.DeepEqual(root, want) {
		t.Fatalf("files %d, CP001 in %v", r.Summary.Files, root)
	}
}

func TestCustomRules(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "TEAM001-ran.lua"), []byte(teamRule), 0o644)
	r, err := Scan(Options{Rules: []string{dir}}, badDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	if !hasFinding(r, "TEAM001", 2, 6) {
		t.Fatalf("no TEAM001 finding: %+v", r.Findings)
	}
	e := newEngine(t, Options{NoBuiltinRules: true})
	if e.RuleCount() != 0 {
		t.Fatalf("RuleCount = %d", e.RuleCount())
	}
	if err := e.AddRuleSource("team.lua", []byte(teamRule)); err != nil {
		t.Fatal(err)
	}
	only, err := e.ScanBytes("Dockerfile", []byte("FROM alpine:3.19\n"))
	if err != nil || len(only.Findings) != 1 || only.Findings[0].Message != "saw alpine:3.19" {
		t.Fatalf("%v %+v", err, only)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope", "Dockerfile")
	e := newEngine(t, Options{})

	_, err := e.ScanPaths([]string{badDockerfile, missing})
	if kindOfErr(t, err) != KindNotFound ||
		err.Error() != "containerpolicy: "+missing+": No such file or directory" {
		t.Fatalf("missing path: %v", err)
	}
	if !errors.Is(err, &Error{Kind: KindNotFound}) {
		t.Fatal("errors.Is by kind")
	}
	for _, paths := range [][]string{nil, {""}, {"a\x00b"}} {
		if _, err := e.ScanPaths(paths); kindOfErr(t, err) != KindInvalid {
			t.Fatalf("paths %q: %v", paths, err)
		}
	}
	if _, err := e.ScanBytesAs("a.yaml", []byte("x"), "yaml"); kindOfErr(t, err) != KindInvalid ||
		!strings.Contains(err.Error(), "unknown format 'yaml'") {
		t.Fatalf("unknown format: %v", err)
	}
	if _, err := e.ScanBytes("", []byte("x")); kindOfErr(t, err) != KindInvalid {
		t.Fatalf("empty name: %v", err)
	}

	_, err = NewEngine(Options{Rules: []string{filepath.Join(dir, "policy")}})
	if kindOfErr(t, err) != KindIO {
		t.Fatalf("missing rules: %v", err)
	}
	bad := filepath.Join(dir, "BAD001-broken.lua")
	os.WriteFile(bad, []byte("return { id = 'BAD001', check = function(c, report) end\n"), 0o644)
	if _, err := NewEngine(Options{Rules: []string{bad}}); kindOfErr(t, err) != KindRule ||
		!strings.Contains(err.Error(), "BAD001-broken.lua") {
		t.Fatalf("broken rule: %v", err)
	}
	cfg := filepath.Join(dir, ".cpol.yaml")
	os.WriteFile(cfg, []byte("version: 1\nbogus-key: 3\n"), 0o644)
	if _, err := NewEngine(Options{Config: cfg}); kindOfErr(t, err) != KindConfig ||
		!strings.Contains(err.Error(), cfg) {
		t.Fatalf("bad config: %v", err)
	}

	closed, _ := NewEngine(Options{})
	closed.Close()
	if _, err := closed.ScanPath(badDockerfile); kindOfErr(t, err) != KindInvalid ||
		err.Error() != "containerpolicy: the engine is closed" {
		t.Fatalf("closed engine: %v", err)
	}
	if err := closed.Close(); err != nil || closed.RuleCount() != 0 {
		t.Fatalf("second Close: %v", err)
	}
}

func TestGoroutinesWithTheirOwnEngines(t *testing.T) {
	want, err := Scan(Options{}, badDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	reports := make([]*Report, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			e, err := NewEngine(Options{})
			if err != nil {
				errs[i] = err
				return
			}
			defer e.Close()
			for j := 0; j < 5 && err == nil; j++ {
				reports[i], err = e.ScanPath(badDockerfile)
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil || !reflect.DeepEqual(reports[i].Findings, want.Findings) {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
	}
}

func TestOneEngineSharedByGoroutines(t *testing.T) {
	e := newEngine(t, Options{})
	want, err := e.ScanPath(badDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	fail := make(chan string, 16)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var r *Report
			var err error
			if i%2 == 0 {
				r, err = e.ScanPath(badDockerfile)
			} else {
				var data []byte
				data, err = os.ReadFile(badDockerfile)
				if err == nil {
					r, err = e.ScanBytes(badDockerfile, data)
				}
			}
			if err != nil || !reflect.DeepEqual(r.Findings, want.Findings) {
				fail <- "goroutine " + strconv.Itoa(i)
			}
		}(i)
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = e.RuleCount() }()
	wg.Wait()
	close(fail)
	for f := range fail {
		t.Error(f)
	}
}

func hasFinding(r *Report, id string, line, col int) bool {
	for _, f := range r.Findings {
		if f.RuleID == id && f.Line == line && f.Column == col {
			return true
		}
	}
	return false
}
