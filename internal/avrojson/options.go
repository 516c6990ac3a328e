package avrojson

import "github.com/lunchbot/eventkit/internal/schema"

// Style is a JSON form of Avro values.
type Style uint8

const (
	// Plain is JSON with bare union values and readable logical types (the
	// zero value).
	Plain Style = iota
	// AvroJSON is the Avro specification's JSON encoding: union values
	// wrapped in {"branch name": value}, logical types as their underlying
	// values.
	AvroJSON
)

// String returns "plain" or "avro-json".
func (s Style) String() string {
	if s == AvroJSON {
		return "avro-json"
	}
	return "plain"
}

// Options tune Decode and Encode. The zero value is plain JSON.
type Options struct {
	// Style is the form Decode writes. For Encode, which reads both forms,
	// it says what a decimal string means ("12.34" in Plain, the
	// characters of the unscaled bytes in AvroJSON) and which union form is
	// tried first (bare in Plain, wrapped in AvroJSON).
	Style Style
}

// MaxDepth bounds the nesting of values (records, arrays, maps, unions) that
// Decode and Encode accept, so that a recursive schema cannot be made to
// recurse without end.
const MaxDepth = 256

// MaxZeroSizeItems bounds the number of array items that take no bytes
// (null, an empty record or fixed) one Decode call reads: without a bound a
// few bytes could claim billions of them.
const MaxZeroSizeItems = 1 << 16

// branchName is the name a union branch goes by in Avro's JSON encoding:
// the full name of a named type, else the type's name.
func branchName(s *schema.Schema) string {
	if s.Kind.IsNamed() {
		return s.Name
	}
	return s.Kind.String()
}
