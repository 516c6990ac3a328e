package avrojson

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
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
	e := encoder{style: opts.Style}
	n := len(dst)
	out, err := e.value(dst, s, v, 0, false)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

type encoder struct {
	style    Style
	fields   map[*schema.Schema]map[string]int
	defaults map[*schema.Field]*jvalue
}

// typeName describes what a schema accepts, for errors.
func typeName(s *schema.Schema) string {
	switch s.Logical {
	case schema.LogicalDate:
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
	if unit, local, ok := timestampUnit(s.Logical); ok {
		form := `"2026-11-27T11:45:00Z"`
		if local {
			form = `"2026-11-27T11:45:00"`
		}
		return s.Logical + " (an RFC 3339 string like " + form + " or " + unitName(unit) + " since 1970)"
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

func mismatch(s *schema.Schema, v *jvalue) error {
	return invalid("expected %s, got %s", typeName(s), v.describe())
}

func appendVarint(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

func (e *encoder) value(dst []byte, s *schema.Schema, v *jvalue, depth int, def bool) ([]byte, error) {
	if depth > MaxDepth {
		return dst, invalid("values nested deeper than %d levels", MaxDepth)
	}
	switch s.Kind {
	case schema.Null:
		if v.kind != jNull {
			return dst, mismatch(s, v)
		}
		return dst, nil
	case schema.Boolean:
		if v.kind != jBool {
			return dst, mismatch(s, v)
		}
		if v.b {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case schema.Int:
		var n int64
		var err error
		switch {
		case v.kind == jNumber:
			n, err = integer(v.s, 32)
		case v.kind == jString && s.Logical == schema.LogicalDate:
			var d int32
			d, err = parseDate(v.s)
			n = int64(d)
		case v.kind == jString && s.Logical == schema.LogicalTimeMillis:
			n, err = parseTimeOfDay(v.s, 1e3)
		default:
			return dst, mismatch(s, v)
		}
		if err != nil {
			return dst, invalid("%v", err)
		}
		return appendVarint(dst, n), nil
	case schema.Long:
		var n int64
		var err error
		unit, local, isTS := timestampUnit(s.Logical)
		switch {
		case v.kind == jNumber:
			n, err = integer(v.s, 64)
		case v.kind == jString && s.Logical == schema.LogicalTimeMicros:
			n, err = parseTimeOfDay(v.s, 1e6)
		case v.kind == jString && isTS:
			n, err = parseTimestamp(v.s, unit, local, s.Logical)
		default:
			return dst, mismatch(s, v)
		}
		if err != nil {
			return dst, invalid("%v", err)
		}
		return appendVarint(dst, n), nil
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
		if s.Logical == schema.LogicalDecimal && (v.kind == jNumber || (v.kind == jString && e.style == Plain && !def)) {
			n, err := parseDecimal(v.s, s.Precision, s.Scale, v.kind == jNumber)
			if err != nil {
				return dst, decimalError(err, v)
			}
			raw, _ := appendTwos(nil, n, 0)
			dst = appendVarint(dst, int64(len(raw)))
			return append(dst, raw...), nil
		}
		if v.kind != jString {
			return dst, mismatch(s, v)
		}
		n := len(dst)
		dst = appendVarint(dst, 0) // placeholder, rewritten below
		body := len(dst)
		dst, err := latin1(dst, v.s)
		if err != nil {
			return dst[:n], err
		}
		raw := append([]byte(nil), dst[body:]...)
		if err := checkDecimalBytes(s, raw); err != nil {
			return dst[:n], err
		}
		dst = appendVarint(dst[:n], int64(len(raw)))
		return append(dst, raw...), nil
	case schema.String:
		if v.kind != jString {
			return dst, mismatch(s, v)
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
			return dst, mismatch(s, v)
		}
		for i, sym := range s.Symbols {
			if sym == v.s {
				return appendVarint(dst, int64(i)), nil
			}
		}
		return dst, invalid("%q is not a symbol of enum %s (%s)", clip(v.s), s.Name, list(s.Symbols))
	case schema.Record:
		return e.record(dst, s, v, depth, def)
	case schema.Array:
		if v.kind != jArray {
			return dst, mismatch(s, v)
		}
		if len(v.arr) > 0 {
			dst = appendVarint(dst, int64(len(v.arr)))
			for i, item := range v.arr {
				var err error
				if dst, err = e.value(dst, s.Items, item, depth+1, def); err != nil {
					return dst, within(err, strconv.Itoa(i))
				}
			}
		}
		return append(dst, 0), nil
	case schema.Map:
		if v.kind != jObject {
			return dst, mismatch(s, v)
		}
		if len(v.obj) > 0 {
			seen := make(map[string]bool, len(v.obj))
			dst = appendVarint(dst, int64(len(v.obj)))
			for _, m := range v.obj {
				if seen[m.key] {
					return dst, within(invalid("map key given twice"), m.key)
				}
				seen[m.key] = true
				dst = appendVarint(dst, int64(len(m.key)))
				dst = append(dst, m.key...)
				var err error
				if dst, err = e.value(dst, s.Values, m.val, depth+1, def); err != nil {
					return dst, within(err, m.key)
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

// latin1 appends the bytes a string of characters U+0000 to U+00FF stands
// for.
func latin1(dst []byte, s string) ([]byte, error) {
	i := 0
	for _, r := range s {
		if r > 0xff {
			return dst, invalid("character %U at position %d is beyond U+00FF: bytes are written one character \\u0000-\\u00ff per byte", r, i)
		}
		dst = append(dst, byte(r))
		i++
	}
	return dst, nil
}

func list(names []string) string {
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

func (e *encoder) fixed(dst []byte, s *schema.Schema, v *jvalue, def bool) ([]byte, error) {
	switch {
	case s.Logical == schema.LogicalDecimal && (v.kind == jNumber || (v.kind == jString && e.style == Plain && !def)):
		n, err := parseDecimal(v.s, s.Precision, s.Scale, v.kind == jNumber)
		if err != nil {
			return dst, decimalError(err, v)
		}
		out, ok := appendTwos(dst, n, s.Size)
		if !ok {
			return dst, invalid("%s does not fit the %d bytes of fixed %s", v.s, s.Size, s.Name)
		}
		return out, nil
	case s.Logical == schema.LogicalUUID && v.kind == jString && len(v.s) == 36:
		u, ok := parseUUID(v.s)
		if !ok {
			return dst, invalid("%q is not a UUID (8-4-4-4-12 hex digits)", v.s)
		}
		return append(dst, u[:]...), nil
	case s.Logical == schema.LogicalDuration && v.kind == jObject:
		var parts [3]uint32
		for _, m := range v.obj {
			i := map[string]int{"months": 0, "days": 1, "milliseconds": 2}
			k, ok := i[m.key]
			if !ok {
				return dst, within(invalid("unknown member of a duration (months, days, milliseconds)"), m.key)
			}
			if m.val.kind != jNumber {
				return dst, within(invalid("expected a count 0..4294967295, got %s", m.val.describe()), m.key)
			}
			n, err := strconv.ParseUint(m.val.s, 10, 32)
			if err != nil {
				return dst, within(invalid("expected a count 0..4294967295, got %s", m.val.describe()), m.key)
			}
			parts[k] = uint32(n)
		}
		for _, p := range parts {
			dst = binary.LittleEndian.AppendUint32(dst, p)
		}
		return dst, nil
	case v.kind != jString:
		return dst, mismatch(s, v)
	}
	n := len(dst)
	out, err := latin1(dst, v.s)
	if err != nil {
		return dst[:n], err
	}
	if len(out)-n != s.Size {
		return dst[:n], invalid("expected %d bytes for fixed %s, got %d", s.Size, s.Name, len(out)-n)
	}
	if err := checkDecimalBytes(s, out[n:]); err != nil {
		return dst[:n], err
	}
	return out, nil
}

// decimalError says, for a string that is not decimal text, where a
// decimal's bytes are read.
func decimalError(err error, v *jvalue) error {
	var nd *notDecimalError
	if errors.As(err, &nd) && v.kind == jString {
		return invalid("%v (a decimal's bytes, as Avro's JSON encoding writes them, are read in the Avro JSON style)", err)
	}
	return invalid("%v", err)
}

// checkDecimalBytes refuses the bytes of a decimal (given as its bytes, as
// Avro's JSON encoding writes it) whose unscaled value has more digits than
// the precision, as Apache Avro's DecimalConversion does.
func checkDecimalBytes(s *schema.Schema, raw []byte) error {
	if s.Logical != schema.LogicalDecimal {
		return nil
	}
	if len(raw) == 0 {
		return invalid(`a decimal's bytes cannot be empty (zero is "\u0000")`)
	}
	n := twos(raw)
	if d := len(new(big.Int).Abs(n).String()); n.Sign() != 0 && d > s.Precision {
		text := string(appendDecimal(nil, raw, s.Scale))
		return invalid("decimal %s (given as its bytes) has more than the %d digit(s) of decimal(%d,%d)", text[1:len(text)-1], s.Precision, s.Precision, s.Scale)
	}
	return nil
}

func (e *encoder) fieldIndex(s *schema.Schema) map[string]int {
	if m, ok := e.fields[s]; ok {
		return m
	}
	if e.fields == nil {
		e.fields = map[*schema.Schema]map[string]int{}
	}
	m := make(map[string]int, len(s.Fields))
	for i, f := range s.Fields {
		m[f.Name] = i
	}
	e.fields[s] = m
	return m
}

func (e *encoder) defaultOf(f *schema.Field) (*jvalue, error) {
	if v, ok := e.defaults[f]; ok {
		return v, nil
	}
	v, err := parseJSON(f.Default)
	if err != nil {
		return nil, invalid("the schema's default for this field is not JSON: %v", err)
	}
	if e.defaults == nil {
		e.defaults = map[*schema.Field]*jvalue{}
	}
	e.defaults[f] = v
	return v, nil
}

func (e *encoder) record(dst []byte, s *schema.Schema, v *jvalue, depth int, def bool) ([]byte, error) {
	if v.kind != jObject {
		return dst, mismatch(s, v)
	}
	index := e.fieldIndex(s)
	vals := make([]*jvalue, len(s.Fields))
	for _, m := range v.obj {
		i, ok := index[m.key]
		if !ok {
			names := make([]string, len(s.Fields))
			for j, f := range s.Fields {
				names[j] = f.Name
			}
			return dst, within(invalid("unknown field: %s has the fields %s", s.Name, list(names)), m.key)
		}
		if vals[i] != nil {
			return dst, within(invalid("field given twice"), m.key)
		}
		vals[i] = m.val
	}
	for i, f := range s.Fields {
		fv, fdef := vals[i], def
		if fv == nil {
			if !f.HasDefault() {
				hint := ""
				if _, ok := f.Type.IsNullable(); ok {
					hint = fmt.Sprintf(`; it may be null but has no default: write "%s": null`, f.Name)
				}
				return dst, within(invalid("missing required field of type %s%s", typeName(f.Type), hint), f.Name)
			}
			var err error
			if fv, err = e.defaultOf(f); err != nil {
				return dst, within(err, f.Name)
			}
			fdef = true
		}
		var err error
		if dst, err = e.value(dst, f.Type, fv, depth+1, fdef); err != nil {
			return dst, within(err, f.Name)
		}
	}
	return dst, nil
}

// branchByName returns the branch a wrapper key names: a full name, a type
// name, or the unambiguous short name of a named type; -1 for none.
func branchByName(s *schema.Schema, key string) int {
	short := -1
	for i, b := range s.Branches {
		if branchName(b) == key {
			return i
		}
		if b.Kind.IsNamed() && schema.ShortName(b.Name) == key {
			if short != -1 {
				short = -2
			} else {
				short = i
			}
		}
	}
	if short < 0 {
		return -1
	}
	return short
}

func (e *encoder) branch(dst []byte, s *schema.Schema, i int, v *jvalue, depth int, def bool) ([]byte, error) {
	n := len(dst)
	dst = appendVarint(dst, int64(i))
	out, err := e.value(dst, s.Branches[i], v, depth+1, def)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

func (e *encoder) union(dst []byte, s *schema.Schema, v *jvalue, depth int, def bool) ([]byte, error) {
	if def {
		// A default is a value of the first branch, never wrapped.
		return e.branch(dst, s, 0, v, depth, true)
	}
	if v.kind == jNull {
		if ni, ok := s.IsNullable(); ok {
			return appendVarint(dst, int64(ni)), nil
		}
	}
	wrapped := -1
	if v.kind == jObject && len(v.obj) == 1 {
		wrapped = branchByName(s, v.obj[0].key)
	}
	var wrapErr error
	tryWrapped := func() ([]byte, bool) {
		if wrapped < 0 {
			return dst, false
		}
		out, err := e.branch(dst, s, wrapped, v.obj[0].val, depth, false)
		if err != nil {
			wrapErr = within(err, v.obj[0].key)
			return dst, false
		}
		return out, true
	}
	if e.style == AvroJSON {
		if out, ok := tryWrapped(); ok {
			return out, nil
		}
	}
	var only error
	nonNull := 0
	for i, b := range s.Branches {
		if b.Kind == schema.Null {
			continue
		}
		nonNull++
		out, err := e.branch(dst, s, i, v, depth, false)
		if err == nil {
			return out, nil
		}
		only = err
	}
	if e.style == Plain {
		if out, ok := tryWrapped(); ok {
			return out, nil
		}
	}
	switch {
	case wrapErr != nil:
		return dst, wrapErr
	case nonNull == 1 && v.kind != jNull:
		return dst, only
	}
	return dst, invalid("got %s, which fits none of the union's branches %s (to pick one, write {\"branch name\": value})", v.describe(), describeUnion(s))
}
