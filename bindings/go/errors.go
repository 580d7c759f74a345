package containerpolicy

import "fmt"

// Result codes of the C library (include/containerpolicy.h).
const (
	codeNoMemory = -1
	codeInvalid  = -2
	codeIO       = -3
	codeRule     = -4
	codeConfig   = -5
	codeNotFound = -6
)

// Kind says what went wrong in an API call.
type Kind int

const (
	// KindInvalid: an unusable argument (an empty path list, a NUL byte, an unknown format, a
	// closed engine).
	KindInvalid Kind = iota + 1
	// KindNotFound: a path that does not exist.
	KindNotFound
	// KindIO: a path that exists but cannot be read.
	KindIO
	// KindRule: a rule file that was refused (syntax, metadata, sandbox).
	KindRule
	// KindConfig: an invalid configuration file.
	KindConfig
	// KindNoMemory: the library ran out of memory.
	KindNoMemory
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid argument"
	case KindNotFound:
		return "not found"
	case KindIO:
		return "I/O error"
	case KindRule:
		return "rule refused"
	case KindConfig:
		return "invalid configuration"
	case KindNoMemory:
		return "out of memory"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

func kindOf(code int) Kind {
	switch code {
	case codeNoMemory:
		return KindNoMemory
	case codeIO:
		return KindIO
	case codeRule:
		return KindRule
	case codeConfig:
		return KindConfig
	case codeNotFound:
		return KindNotFound
	}
	return KindInvalid
}

// Error is the error every API call returns: unusable arguments, missing or unreadable paths,
// refused rules, invalid configuration. Problems inside scanned files are not errors; they are
// in Report.Errors. Use errors.As to reach the Kind.
type Error struct {
	Kind    Kind
	Message string // names the file and, for rules and configuration, the line
}

func (e *Error) Error() string { return "containerpolicy: " + e.Message }

// Is makes errors.Is(err, &Error{Kind: KindNotFound}) match any error of that kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.Message == "" || t.Message == e.Message)
}
