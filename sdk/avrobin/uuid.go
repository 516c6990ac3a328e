package avrobin

import (
	"errors"
	"fmt"
)

// UUID is the Go type of the Avro logical type "uuid", on a string (the
// RFC 9562 text form, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6") or on a
// fixed of 16 bytes (the bytes themselves).
type UUID [16]byte

// ErrUUIDSyntax is the reason a string is not a UUID.
var ErrUUIDSyntax = errors.New(`invalid UUID (want "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")`)

// ParseUUID parses the 36-character text form of a UUID, in either case.
func ParseUUID(s string) (UUID, error) {
	u, ok := parseUUID(s)
	if !ok {
		return UUID{}, fmt.Errorf("avrobin: parsing %q: %w", s, ErrUUIDSyntax)
	}
	return u, nil
}

// MustParseUUID is ParseUUID for constants; it panics when s is not a UUID.
// Generated constructors use it for schema defaults, which the generator
// has checked.
func MustParseUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

func parseUUID[S string | []byte](s S) (UUID, bool) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return UUID{}, false
		}
		u[j] = hi<<4 | lo
		j++
	}
	return u, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// String returns the text form of u, in lower case.
func (u UUID) String() string {
	var buf [36]byte
	return string(u.appendText(buf[:0]))
}

const hexDigits = "0123456789abcdef"

func (u UUID) appendText(dst []byte) []byte {
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0xf])
	}
	return dst
}

// MarshalText implements encoding.TextMarshaler.
func (u UUID) MarshalText() ([]byte, error) { return u.appendText(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler, as ParseUUID.
func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// AppendUUID appends u as an Avro uuid on a string: its text form.
func AppendUUID(dst []byte, u UUID) []byte {
	return u.appendText(append(dst, 36<<1))
}

// ReadUUID reads an Avro uuid on a string; a string that is not a UUID is
// ErrUUIDSyntax.
func (r *Reader) ReadUUID() (UUID, error) {
	start := r.off
	b, err := r.ReadBytesView()
	if err != nil {
		return UUID{}, err
	}
	u, ok := parseUUID(b)
	if !ok {
		r.off = start
		return UUID{}, ErrUUIDSyntax
	}
	return u, nil
}
