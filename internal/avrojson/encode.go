package avrojson

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// Encode returns the Avro binary encoding of the JSON value js (either
// style, see the package documentation) as a value of s. Its errors match
// ErrInvalid; an *Error (errors.As) names the place at fault as a JSON
// Pointer.
func Encode(s *schema.Schema, js []byte, opts Options) ([]byte, error) {
	return AppendEncode(nil, s, js, opts)
}

// AppendEncode is Encode appending to dst. On error dst is returned with its
// length unchanged.
func AppendEncode(dst []byte, s *schema.Schema, js []byte, opts Options) ([]byte, error) {
	if s == nil {
		return dst, errNoSchema
	}
	v, err := parseJSON(js)
	if err != nil {
		return dst, err
	}
	e := encoder{style: opts.Style, validate: opts.Validate, avroJSONHint: opts.AvroJSONHint}
	n := len(dst)
	out, err := e.value(dst, s, v, 0, false, nil)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

type encoder struct {
	style        Style
	validate     bool
	avroJSONHint string
	fields       map[*schema.Schema]map[string]int
	defaults     map[*schema.Field]*jvalue
}

// typeName describes what a schema accepts, in e's style, for errors.
func (e *encoder) typeName(s *schema.Schema) string {
	plain := e.style == Plain
	switch s.Logical {
	case schema.LogicalDate:
		if plain {
			return `date ("YYYY-MM-DD")`
		}
		return `date ("YYYY-MM-DD" or days since 1970-01-01)`
	case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
		return s.Logical + ` ("HH:MM:SS.fff" or ` + map[bool]string{true: "milliseconds", false: "microseconds"}[s.Logical == schema.LogicalTimeMillis] + ` after midnight)`
	case schema.LogicalDecimal:
		return "decimal(" + strconv.Itoa(s.Precision) + "," + strconv.Itoa(s.Scale) + `) (a string like "12.34", or a number)`
	case schema.LogicalUUID:
		if s.Kind == schema.String {
			return `uuid (a string like "0b5a3b2e-4d9c-4e55-9b43-3b1a8d0f6a01")`
		}
	case schema.LogicalDuration:
		return `duration ({"months":m,"days":d,"milliseconds":ms})`
	}
	if tt := timestampTypes[s.Logical]; tt != nil {
		if plain {
			return s.Logical + " (an RFC 3339 string like " + timestampExample(tt) + ")"
		}
		return s.Logical + " (an RFC 3339 string like " + timestampExample(tt) + " or " + unitName(tt.perSec) + " since 1970)"
	}
	switch s.Kind {
	case schema.Record, schema.Enum:
		return s.Kind.String() + " " + s.Name
	case schema.Fixed:
		return "fixed " + s.Name + " (a string of " + strconv.Itoa(s.Size) + " characters \\u0000-\\u00ff)"
	case schema.Bytes:
		return "bytes (a string of characters \\u0000-\\u00ff)"
	case schema.Array:
		return "array"
	case schema.Map:
		return "map (an object)"
	case schema.Union:
		return "one of " + describeUnion(s)
	}
	return s.Kind.String()
}

// timestampExample is the text of a timestamp of type tt, for errors.
func timestampExample(tt *timestampType) string {
	if tt.local {
		return `"2026-11-27T11:45:00"`
	}
	return `"2026-11-27T11:45:00Z"`
}

func (e *encoder) mismatch(s *schema.Schema, v *jvalue) error {
	return invalid("expected %s, got %s", e.typeName(s), v.describe())
}

// list joins names for a message, the first 12 of them.
func list(names []string) string {
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

func appendVarint(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

// value encodes v as a value of s; def says it is (within) a default of
// the schema, f is the field whose own value it is (see schema.RulesOf).
func (e *encoder) value(dst []byte, s *schema.Schema, v *jvalue, depth int, def bool, f *schema.Field) ([]byte, error) {
	if depth > MaxDepth {
		return dst, invalid("values nested deeper than %d levels", MaxDepth)
	}
	switch s.Kind {
	case schema.Null:
		if v.kind != jNull {
			return dst, e.mismatch(s, v)
		}
		return dst, nil
	case schema.Boolean:
		if v.kind != jBool {
			return dst, e.mismatch(s, v)
		}
		if err := e.checkConst(s, v, def, f); err != nil {
			return dst, err
		}
		if v.b {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case schema.Int, schema.Long:
		return e.integer(dst, s, v, def, f)
	case schema.Float, schema.Double:
		bits := 64
		if s.Kind == schema.Float {
			bits = 32
		}
		var f float64
		switch {
		case v.kind == jNumber:
			var err error
			if f, err = strconv.ParseFloat(v.s, bits); err != nil {
				return dst, invalid("%s is out of range for %s", v.s, s.Kind)
			}
		case v.kind == jString && v.s == "NaN":
			// The NaN Java and Python write: quiet, no payload.
			if bits == 32 {
				return binary.LittleEndian.AppendUint32(dst, 0x7fc00000), nil
			}
			return binary.LittleEndian.AppendUint64(dst, 0x7ff8000000000000), nil
		case v.kind == jString && v.s == "Infinity":
			f = math.Inf(1)
		case v.kind == jString && v.s == "-Infinity":
			f = math.Inf(-1)
		default:
			return dst, invalid(`expected %s (a number, or "NaN", "Infinity", "-Infinity"), got %s`, s.Kind, v.describe())
		}
		if bits == 32 {
			return binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(f))), nil
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f)), nil
	case schema.Bytes:
		return e.bytes(dst, s, v, def)
	case schema.String:
		if v.kind != jString {
			return dst, e.mismatch(s, v)
		}
		if err := e.checkString(s, v, def, f); err != nil {
			return dst, err
		}
		if s.Logical == schema.LogicalUUID && !def {
			if _, ok := parseUUID(v.s); !ok {
				return dst, invalid("%q is not a UUID (8-4-4-4-12 hex digits, like 0b5a3b2e-4d9c-4e55-9b43-3b1a8d0f6a01)", clip(v.s))
			}
		}
		dst = appendVarint(dst, int64(len(v.s)))
		return append(dst, v.s...), nil
	case schema.Fixed:
		return e.fixed(dst, s, v, def)
	case schema.Enum:
		if v.kind != jString {
			return dst, e.mismatch(s, v)
		}
		for i, sym := range s.Symbols {
			if sym == v.s {
				if err := e.checkConst(s, v, def, f); err != nil {
					return dst, err
				}
				return appendVarint(dst, int64(i)), nil
			}
		}
		return dst, invalid("%q is not a symbol of enum %s (%s)", clip(v.s), s.Name, list(s.Symbols)).because(avrobin.ErrIndex)
	case schema.Record:
		return e.record(dst, s, v, depth, def)
	case schema.Array:
		if v.kind != jArray {
			return dst, e.mismatch(s, v)
		}
		if len(v.arr) > 0 {
			dst = appendVarint(dst, int64(len(v.arr)))
			for i, item := range v.arr {
				var err error
				if dst, err = e.value(dst, s.Items, item, depth+1, def, nil); err != nil {
					return dst, within(err, stepIndex, strconv.Itoa(i))
				}
			}
		}
		return append(dst, 0), nil
	case schema.Map:
		if v.kind != jObject {
			return dst, e.mismatch(s, v)
		}
		if len(v.obj) > 0 {
			seen := make(map[string]bool, len(v.obj))
			dst = appendVarint(dst, int64(len(v.obj)))
			for _, m := range v.obj {
				if seen[m.key] {
					return dst, within(invalid("map key given twice"), stepKey, m.key)
				}
				seen[m.key] = true
				dst = appendVarint(dst, int64(len(m.key)))
				dst = append(dst, m.key...)
				var err error
				if dst, err = e.value(dst, s.Values, m.val, depth+1, def, nil); err != nil {
					return dst, within(err, stepKey, m.key)
				}
			}
		}
		return append(dst, 0), nil
	case schema.Union:
		return e.union(dst, s, v, depth, def)
	}
	return dst, invalid("unknown schema kind %v", s.Kind)
}

// integer parses a JSON number literal as an integer of bits bits.
func integer(lit string, bits int) (int64, error) {
	n, err := strconv.ParseInt(lit, 10, bits)
	if err == nil {
		return n, nil
	}
	name := "int"
	lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
	if bits == 64 {
		name, lo, hi = "long", math.MinInt64, math.MaxInt64
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, errors.New(lit + " is out of range for " + name + " (" + strconv.FormatInt(lo, 10) + ".." + strconv.FormatInt(hi, 10) + ")")
	}
	return 0, errors.New("expected " + name + ", got number " + clip(lit) + " (not an integer)")
}
