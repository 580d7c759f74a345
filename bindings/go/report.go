package containerpolicy

// Severity of a finding, from SeverityInfo to SeverityCritical.
type Severity string

const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Level is the severity as a number, 1 (info) to 5 (critical), or 0 for an unknown name.
func (s Severity) Level() int {
	for i, n := range []Severity{SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh,
		SeverityCritical} {
		if s == n {
			return i + 1
		}
	}
	return 0
}

// Finding is one rule's verdict about one place in one file.
type Finding struct {
	RuleID      string   `json:"rule_id"`
	Control     int      `json:"control"` // hardening control 1..10, 0 for checks beyond them
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Message     string   `json:"message"`
	File        string   `json:"file"`   // the path as given, or the name given to ScanBytes
	Line        int      `json:"line"`   // 1-based
	Column      int      `json:"column"` // 1-based
	Object      string   `json:"object"` // "Dockerfile final stage", "service web"
	Remediation string   `json:"remediation"`
	Suppressed  bool     `json:"suppressed"` // an inline cpol:ignore comment covers it
}

// Diagnostic is input that could not be read or parsed, or a rule that failed on it.
type Diagnostic struct {
	File    string `json:"file"`    // "" when not tied to a file
	Line    int    `json:"line"`    // 0 when not tied to a line
	Column  int    `json:"column"`  // 0 when not tied to a column
	RuleID  string `json:"rule_id"` // the failing rule, "" for input problems
	Message string `json:"message"`
}

// Summary counts what a scan saw.
type Summary struct {
	Files      int `json:"files"`
	Findings   int `json:"findings"`
	Errors     int `json:"errors"`
	Suppressed int `json:"suppressed"`
}

// Report is the outcome of one scan, as plain Go values: findings ordered by file (as given),
// line, column and rule id, and the diagnostics of input that could not be read or parsed.
type Report struct {
	Findings []Finding    `json:"findings"`
	Errors   []Diagnostic `json:"errors"`
	Summary  Summary      `json:"summary"`
	raw      string
}

// Incomplete is true when an input could not be read or parsed, or a rule failed.
func (r *Report) Incomplete() bool { return len(r.Errors) > 0 }

// JSON is the report exactly as `cpol scan --format json` prints it.
func (r *Report) JSON() []byte { return []byte(r.raw) }
