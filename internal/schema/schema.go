// Package schema is the project's model of an Avro schema and its only seam
// to an Avro library.
//
// Everything else in the project (the code generator, the compatibility
// checker, the serializers) works on the types of this package. Parsing,
// the Parsing Canonical Form, fingerprints and schema resolution are this
// package's own code; github.com/hamba/avro/v2 only parses each schema a
// second time, as a backstop that refuses what it cannot read, so that a
// maintained fork can replace it in one change: no other package of the
// module imports hamba/avro outside tests.
package schema

import (
	"encoding/json"
	"strings"
)

// Kind is the Avro type of a schema node.
type Kind int

// The Avro types. The primitive kinds come first.
const (
	Null Kind = iota
	Boolean
	Int
	Long
	Float
	Double
	Bytes
	String
	Record
	Enum
	Array
	Map
	Fixed
	Union
)

var kindNames = [...]string{
	Null: "null", Boolean: "boolean", Int: "int", Long: "long", Float: "float",
	Double: "double", Bytes: "bytes", String: "string", Record: "record",
	Enum: "enum", Array: "array", Map: "map", Fixed: "fixed", Union: "union",
}

// String returns the Avro name of the kind ("long", "record", ...).
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// IsPrimitive reports whether k is one of the eight primitive types.
func (k Kind) IsPrimitive() bool { return k <= String }

// IsNamed reports whether k is a named type (record, enum or fixed).
func (k Kind) IsNamed() bool { return k == Record || k == Enum || k == Fixed }

// The logical types of the Avro specification (1.12) that the project knows.
const (
	LogicalDecimal              = "decimal"
	LogicalUUID                 = "uuid"
	LogicalDate                 = "date"
	LogicalTimeMillis           = "time-millis"
	LogicalTimeMicros           = "time-micros"
	LogicalTimestampMillis      = "timestamp-millis"
	LogicalTimestampMicros      = "timestamp-micros"
	LogicalTimestampNanos       = "timestamp-nanos"
	LogicalLocalTimestampMillis = "local-timestamp-millis"
	LogicalLocalTimestampMicros = "local-timestamp-micros"
	LogicalLocalTimestampNanos  = "local-timestamp-nanos"
	LogicalDuration             = "duration"
)

// Schema is one node of a parsed Avro schema.
//
// Named types (records, enums, fixed) are shared: every reference to a named
// type points to the same *Schema, so a recursive record is a cycle. Walk the
// tree with a set of visited names.
type Schema struct {
	Kind Kind

	// Logical is the logical type ("date", "timestamp-micros", ...) when the
	// schema carries one the specification defines for its underlying type,
	// otherwise empty. Precision and Scale are set for "decimal".
	Logical   string
	Precision int
	Scale     int

	// Name is the full name (namespace.name) of a record, enum or fixed.
	Name string
	// Aliases are the full names of a named type's aliases.
	Aliases []string
	// Doc is the documentation of a record or enum.
	Doc string

	// Fields of a record, in schema order.
	Fields []*Field

	// Symbols of an enum, in schema order; Default is the enum's default
	// symbol, empty when it has none.
	Symbols []string
	Default string

	// Size of a fixed, in bytes.
	Size int

	// Items of an array; Values of a map.
	Items  *Schema
	Values *Schema

	// Branches of a union, in schema order.
	Branches []*Schema

	// Props are the attributes the specification does not define, as
	// decoded JSON (for example a field's "const" or "java-class").
	Props map[string]any
}

// Field is one field of a record.
type Field struct {
	Name    string
	Aliases []string
	Doc     string
	Type    *Schema
	// Default is the field's default as JSON, exactly as the schema wrote it;
	// nil when the field has none (a JSON null default is "null").
	Default json.RawMessage
	// Order is "ascending", "descending" or "ignore".
	Order string
	// Props are the attributes the specification does not define.
	Props map[string]any
}

// HasDefault reports whether the field declares a default value.
func (f *Field) HasDefault() bool { return f.Default != nil }

// ShortName returns the unqualified part of a full name.
func ShortName(fullName string) string {
	if i := strings.LastIndexByte(fullName, '.'); i >= 0 {
		return fullName[i+1:]
	}
	return fullName
}

// Namespace returns the namespace part of a full name, empty for none.
func Namespace(fullName string) string {
	if i := strings.LastIndexByte(fullName, '.'); i >= 0 {
		return fullName[:i]
	}
	return ""
}

// IsNullable reports whether s is a union with a "null" branch, and returns
// the index of that branch.
func (s *Schema) IsNullable() (nullIndex int, ok bool) {
	if s.Kind != Union {
		return -1, false
	}
	for i, b := range s.Branches {
		if b.Kind == Null {
			return i, true
		}
	}
	return -1, false
}

// OptionalOf returns T when s is ["null", T] or [T, "null"], with the index of
// the null branch; ok is false for any other schema.
func (s *Schema) OptionalOf() (t *Schema, nullIndex int, ok bool) {
	if s.Kind != Union || len(s.Branches) != 2 {
		return nil, -1, false
	}
	switch {
	case s.Branches[0].Kind == Null && s.Branches[1].Kind != Null:
		return s.Branches[1], 0, true
	case s.Branches[1].Kind == Null && s.Branches[0].Kind != Null:
		return s.Branches[0], 1, true
	}
	return nil, -1, false
}

// Walk calls fn for s and every schema reachable from it, depth first, each
// named type once (so recursive schemas terminate). fn returning false stops
// the descent below that node.
func Walk(s *Schema, fn func(*Schema) bool) {
	seen := map[*Schema]bool{}
	var walk func(*Schema)
	walk = func(n *Schema) {
		if n == nil || seen[n] {
			return
		}
		if n.Kind.IsNamed() {
			seen[n] = true
		}
		if !fn(n) {
			return
		}
		for _, f := range n.Fields {
			walk(f.Type)
		}
		walk(n.Items)
		walk(n.Values)
		for _, b := range n.Branches {
			walk(b)
		}
	}
	walk(s)
}

// NamedTypes returns every named type reachable from s, in the order they are
// first defined.
func NamedTypes(s *Schema) []*Schema {
	var out []*Schema
	Walk(s, func(n *Schema) bool {
		if n.Kind.IsNamed() {
			out = append(out, n)
		}
		return true
	})
	return out
}
