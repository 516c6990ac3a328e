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
	// tried first (bare in Plain, wrapped in AvroJSON). Encode in the
	// Plain style wants dates and timestamps as their text and refuses bare
	// numbers, which the AvroJSON style reads as counts of their units.
	Style Style
	// Validate makes Encode also refuse what the generated Validate refuses
	// of a Go value, by the same rules (schema.RulesOf) and avrobin's
	// checks: a field that differs from its "const", an empty required
	// string, an unset timestamp (the zero time.Time, year 1, where the
	// schema gives no default), a time of day outside a day. Its errors
	// match avrobin's (errors.Is) and name the same field (Error.Field).
	Validate bool
	// AvroJSONHint is how the caller's users ask for the AvroJSON style
	// (eventctl: "--avro-json"), for the error of a bare number read as a
	// date or a timestamp in the Plain style; empty: "the avro-json style".
	AvroJSONHint string
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
