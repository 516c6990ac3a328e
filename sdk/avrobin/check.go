package avrobin

import "unicode/utf8"

// CheckString returns ErrInvalidUTF8 when s is not valid UTF-8.
func CheckString(s string) error {
	if !utf8.ValidString(s) {
		return ErrInvalidUTF8
	}
	return nil
}

// CheckRequiredString is CheckString that also returns ErrEmpty for "".
func CheckRequiredString(s string) error {
	if s == "" {
		return ErrEmpty
	}
	return CheckString(s)
}
