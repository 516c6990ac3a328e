package avrobin

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalid is matched (errors.Is) by every *ValidationError: a value that
// breaks its schema's contract, found by Validate or by AppendAvro.
var ErrInvalid = errors.New("invalid value")

// ErrMalformed is matched (errors.Is) by every *DecodeError: input that is
// not the Avro binary encoding of a value of the schema.
var ErrMalformed = errors.New("malformed avro data")

// The reasons a Reader rejects its input. A *DecodeError wraps one of them.
var (
	// ErrTruncated: the input ends in the middle of a value.
	ErrTruncated = errors.New("truncated input")
	// ErrOverflow: a varint is longer than its type allows (5 bytes for an
	// int, 10 for a long) or its value does not fit the type.
	ErrOverflow = errors.New("varint overflows its type")
	// ErrLength: a length or block count is negative or larger than what
	// the rest of the input can hold.
	ErrLength = errors.New("invalid length")
	// ErrTooManyItems: an array or map of zero-width items claims more
	// than MaxZeroWidthItems items.
	ErrTooManyItems = errors.New("too many items")
	// ErrIndex: a union branch or enum symbol index is out of range.
	ErrIndex = errors.New("index out of range")
	// ErrBoolean: a boolean byte is neither 0 nor 1.
	ErrBoolean = errors.New("invalid boolean")
	// ErrTrailingBytes: input is left after the value.
	ErrTrailingBytes = errors.New("trailing bytes after the value")
)

// The reasons a value is invalid. A *ValidationError wraps one of them or an
// error with more detail.
var (
	// ErrUnset: a union without a null branch holds nil, a required
	// pointer (a decimal, a recursive record) is nil, a timestamp the
	// schema gives no default is the zero time.Time, or a Date is the zero
	// Date.
	ErrUnset = errors.New("value not set")
	// ErrEmpty: a required string (a field that is neither a union nor has
	// a default) is empty.
	ErrEmpty = errors.New("required string is empty")
	// ErrInvalidUTF8: a string is not valid UTF-8. Avro strings are UTF-8;
	// the Reader rejects invalid ones when decoding, Validate when encoding.
	ErrInvalidUTF8 = errors.New("string is not valid UTF-8")
	// ErrDate: a Date is not a calendar date (month 13, February 30) or is
	// out of the range of an Avro date (int32 days from 1970-01-01).
	ErrDate = errors.New("invalid date")
	// ErrTimeRange: a time does not fit the Avro type (a timestamp beyond
	// the int64 range of its unit, a time of day outside [0, 24h)). The
	// errors that wrap it say the range.
	ErrTimeRange = errors.New("time out of range")
	// ErrNotConst: a field differs from its schema's "const".
	ErrNotConst = errors.New("differs from the schema's const")
	// ErrDecimal: a decimal is not representable at the schema's
	// precision and scale.
	ErrDecimal = errors.New("decimal not representable")
	// ErrTooDeep: a recursive value nests deeper than MaxDepth.
	ErrTooDeep = errors.New("value nests too deep")
)

// ValidationError reports a value that breaks its schema: Validate returns
// it, and AppendAvro when the value cannot be encoded. It matches ErrInvalid.
type ValidationError struct {
	// Type is the Go type checked, package-qualified ("events.DeadlinePassed").
	Type string
	// Field is the path of the offending field from Type, in Avro names:
	// "cafe_id", "lines[2].price", `tags["x"]`; empty for the value itself.
	Field string
	// Err says what is wrong.
	Err error
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Type + ": " + e.Err.Error()
	}
	return e.Type + ": field " + e.Field + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *ValidationError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// DecodeError reports input that does not decode to a value of the schema.
// It matches ErrMalformed and, through Unwrap, the reason (ErrTruncated, ...).
type DecodeError struct {
	// Type is the Go type decoded, package-qualified.
	Type string
	// Field is the path of the field being decoded, as in ValidationError.
	Field string
	// Offset is the input offset of the value that could not be decoded.
	Offset int
	// Err says what is wrong.
	Err error
}

func (e *DecodeError) Error() string {
	where := e.Type
	if e.Field != "" {
		where += ": field " + e.Field
	}
	return where + ": at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports whether target is ErrMalformed.
func (e *DecodeError) Is(target error) bool { return target == ErrMalformed }

// pathError carries a field path up from code that knows neither the type
// nor whether it is decoding or validating.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

// maxPath bounds the length of a path: the path of a value deep in a
// recursive one keeps its start and end, with "..." between.
const maxPath = 256

// joinPath joins a parent path and a child path.
func joinPath(parent, child string) string {
	var p string
	switch {
	case child == "":
		return parent
	case parent == "":
		return child
	case child[0] == '[':
		p = parent + child
	default:
		p = parent + "." + child
	}
	if len(p) > maxPath {
		p = p[:maxPath/2] + "..." + p[len(p)-maxPath/2+3:]
	}
	return p
}

// Index returns the path of element i of the array at path.
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Key returns the path of the value at key k of the map at path.
func Key(path, k string) string { return path + "[" + strconv.Quote(k) + "]" }

// Invalid returns the *ValidationError for a value of type typ whose field
// (a path, see ValidationError) is invalid for the reason err. When err is
// already a *ValidationError, of a nested record, its path is appended to
// field and typ replaces its type.
func Invalid(typ, field string, err error) error {
	// Only a nested record's own error joins the path, not one it wraps.
	switch e := err.(type) { //nolint:errorlint // see above
	case *ValidationError:
		return &ValidationError{Type: typ, Field: joinPath(field, e.Field), Err: e.Err}
	case *pathError:
		return &ValidationError{Type: typ, Field: joinPath(field, e.path), Err: e.err}
	}
	return &ValidationError{Type: typ, Field: field, Err: err}
}

// Malformed returns the *DecodeError for input at offset that does not
// decode to field (a path) of a value of type typ. When err is already a
// *DecodeError, of a nested record, its path is appended to field, its
// offset kept, and typ replaces its type.
func Malformed(typ, field string, offset int, err error) error {
	// Only a nested record's own error joins the path, not one it wraps.
	switch e := err.(type) { //nolint:errorlint // see above
	case *DecodeError:
		return &DecodeError{Type: typ, Field: joinPath(field, e.Field), Offset: e.Offset, Err: e.Err}
	case *pathError:
		return &DecodeError{Type: typ, Field: joinPath(field, e.path), Offset: offset, Err: e.err}
	}
	return &DecodeError{Type: typ, Field: field, Offset: offset, Err: err}
}

// UnionError is the reason a union interface value cannot be encoded: nil
// (ErrUnset) or a type that is not one of its branches.
func UnionError(v any) error {
	if v == nil {
		return ErrUnset
	}
	return fmt.Errorf("%T is not a branch of the union", v)
}

// NotConst is the reason a field with a "const" schema property is
// invalid. It matches ErrNotConst.
func NotConst[T comparable](want, got T) error {
	return &constError{want: constText(want), got: constText(got)}
}

// constText shows a const or a value: a string quoted, an enum by its
// symbol, quoted too, so that both read as in JSON; a long string's start.
func constText(v any) string {
	switch x := v.(type) {
	case string:
		return quoteStart(x)
	case fmt.Stringer:
		return quoteStart(x.String())
	}
	return fmt.Sprint(v)
}

// quoteStart quotes s, or its first 64 bytes and "..." when it is longer.
func quoteStart(s string) string {
	if len(s) <= 64 {
		return strconv.Quote(s)
	}
	return strconv.Quote(textStart(s, 64)) + "..."
}

type constError struct{ want, got string }

func (e *constError) Error() string {
	return "must be " + e.want + " (the schema's const), is " + e.got
}

func (e *constError) Unwrap() error { return ErrNotConst }

// EnumError is the reason an enum value v of an enum with n symbols is
// invalid.
func EnumError(v int64, n int) error {
	return fmt.Errorf("%w: enum value %d, want 0 to %d", ErrIndex, v, n-1)
}
