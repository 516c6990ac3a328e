package avrojson

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	// ErrMalformed is matched (errors.Is) by Decode's errors: the bytes are
	// not the Avro binary encoding of a value of the schema (truncated, an
	// index out of range, bytes left over, ...).
	ErrMalformed = errors.New("avrojson: malformed avro data")
	// ErrInvalid is matched (errors.Is) by Encode's errors: the input is not
	// JSON, or not a value of the schema.
	ErrInvalid = errors.New("avrojson: value does not match the schema")
)

// Error is a reason Decode or Encode failed, and where. It matches
// ErrMalformed (from Decode) or ErrInvalid (from Encode), and, through
// Unwrap, the avrobin error of a value that breaks its schema's rules
// (avrobin.ErrUnset, avrobin.ErrNotConst, ...), which the generated
// Validate reports for the same value.
type Error struct {
	// Path is the place of the value at fault as a JSON Pointer (RFC 6901),
	// e.g. "/items/2/price"; empty for the top-level value.
	Path string
	// Offset is the byte offset in the Avro data where the value at fault
	// starts (Decode), or -1 (Encode).
	Offset int
	// Problem says what is wrong.
	Problem string

	kind   error
	reason error
	// rule: a value of its type that breaks a rule of Validate.
	rule bool
	// steps are the path's steps, outermost first, for Field.
	steps []step
}

// step is one step of a path: a field, an array index, a map key or, in
// Avro's JSON encoding, the name of a union's branch.
type step struct {
	kind  stepKind
	token string
}

type stepKind uint8

const (
	stepField stepKind = iota
	stepIndex
	stepKey
	stepBranch
)

// Error returns "PATH: PROBLEM" (Encode) or "PATH: at byte N: PROBLEM"
// (Decode); the path is left out for the top-level value.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Offset >= 0 {
		b.WriteString("at byte ")
		b.WriteString(strconv.Itoa(e.Offset))
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// Is makes errors.Is(err, ErrMalformed) or errors.Is(err, ErrInvalid) true,
// whichever the error is.
func (e *Error) Is(target error) bool { return target == e.kind }

// Unwrap returns the avrobin error behind the problem, if any.
func (e *Error) Unwrap() error { return e.reason }

// Field returns the place of the value at fault as generated code's
// errors name it (avrobin.ValidationError.Field): "lines[2].timestamp",
// `tags["x"]`; a union's branch name, which the Go value has no step for,
// is left out.
func (e *Error) Field() string {
	var b strings.Builder
	for _, s := range e.steps {
		switch s.kind {
		case stepField:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.token)
		case stepIndex:
			b.WriteString("[" + s.token + "]")
		case stepKey:
			b.WriteString("[" + strconv.Quote(s.token) + "]")
		}
	}
	return b.String()
}

func malformed(offset int, format string, args ...any) *Error {
	return &Error{Offset: offset, Problem: fmt.Sprintf(format, args...), kind: ErrMalformed}
}

func invalid(format string, args ...any) *Error {
	return &Error{Offset: -1, Problem: fmt.Sprintf(format, args...), kind: ErrInvalid}
}

// broken is invalid for a value that breaks a rule avrobin checks: reason
// is avrobin's error, whose text is the problem.
func broken(reason error) *Error {
	e := invalid("%v", reason)
	e.reason = reason
	return e
}

// breaksRule is broken for a value of its type that breaks a rule of
// Validate (a const, a required value), not for one that does not fit its
// type (a timestamp beyond its range).
func breaksRule(reason error) *Error {
	e := broken(reason)
	e.rule = true
	return e
}

// brokeRule reports whether err is the error of breaksRule.
func brokeRule(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.rule
}

// because sets the avrobin error behind e's problem.
func (e *Error) because(reason error) *Error {
	e.reason = reason
	return e
}

// within prefixes the error's path with one step (a field name, an index,
// a map key or a branch name), escaped as RFC 6901 says.
func within(err error, kind stepKind, token string) error {
	var e *Error
	if errors.As(err, &e) {
		e.steps = append([]step{{kind, token}}, e.steps...)
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
		e.Path = "/" + token + e.Path
	}
	return err
}
