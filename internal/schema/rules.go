package schema

// Rules are what a value must be beyond being of its type: the contract
// that both the generated Validate and avrojson's Encode with
// Options.Validate check, derived here once so that the two cannot drift.
// The allowed range of a logical type is its check's (sdk/avrobin), chosen
// by the type alone.
type Rules struct {
	// Const is the value of the field's "const" property (a string, a
	// float64 or a bool, as encoding/json decodes it), nil for none.
	Const any
	// Required: the value must be set, so the Go zero value that stands
	// for "not set" is refused: an empty string, the zero time.Time of a
	// timestamp.
	Required bool
}

// RulesOf returns the rules of a value of type s. f is the field whose own
// value it is, nil for an array's item, a map's value or a union's branch.
//
// A string must not be empty where it is a field's value and the field has
// no default; elsewhere "" is a string like any other. A timestamp must be
// set unless it is the value of a field with a default: the default marks
// a field writers may leave alone (a field added compatibly needs one, and
// regenerating code after adding it must not make publishers fail), as for
// strings. An item, a map value or a union branch has no default to fall
// back on, and no one means year 1 by the zero time.Time, so there it is
// always refused.
func RulesOf(s *Schema, f *Field) Rules {
	var r Rules
	if f != nil {
		r.Const = f.Props["const"]
	}
	switch {
	case s.Kind == String && s.Logical == "":
		r.Required = f != nil && !f.HasDefault()
	case IsTimestamp(s.Logical):
		r.Required = f == nil || !f.HasDefault()
	}
	return r
}

// IsTimestamp reports whether logical is one of the timestamp types,
// "timestamp-*" or "local-timestamp-*".
func IsTimestamp(logical string) bool {
	switch logical {
	case LogicalTimestampMillis, LogicalTimestampMicros, LogicalTimestampNanos,
		LogicalLocalTimestampMillis, LogicalLocalTimestampMicros, LogicalLocalTimestampNanos:
		return true
	}
	return false
}
