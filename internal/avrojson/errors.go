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
// ErrMalformed (from Decode) or ErrInvalid (from Encode).
type Error struct {
	// Path is the place of the value at fault as a JSON Pointer (RFC 6901),
	// e.g. "/items/2/price"; empty for the top-level value.
	Path string
	// Offset is the byte offset in the Avro data where the value at fault
	// starts (Decode), or -1 (Encode).
	Offset int
	// Problem says what is wrong.
	Problem string

	kind error
}

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

func malformed(offset int, format string, args ...any) *Error {
	return &Error{Offset: offset, Problem: fmt.Sprintf(format, args...), kind: ErrMalformed}
}

func invalid(format string, args ...any) *Error {
	return &Error{Offset: -1, Problem: fmt.Sprintf(format, args...), kind: ErrInvalid}
}

// within prefixes the error's path with one reference token (a field name,
// an index or a map key), escaped as RFC 6901 says.
func within(err error, token string) error {
	var e *Error
	if errors.As(err, &e) {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
		e.Path = "/" + token + e.Path
	}
	return err
}
