package codegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// constOf returns the value of a field's "const" property.
func constOf(f *schema.Field) (any, bool) {
	if f == nil {
		return nil, false
	}
	c := schema.RulesOf(f.Type, f).Const
	return c, c != nil
}

// checkConst checks that a field's const fits its type.
func checkConst(tm *typeMap, f *schema.Field) error {
	c, ok := constOf(f)
	if !ok {
		return nil
	}
	_, err := constExpr(tm, f.Type, c)
	return err
}

// constExpr returns the Go expression of a const value of type s.
func constExpr(tm *typeMap, s *schema.Schema, c any) (string, error) {
	if s.Logical != "" {
		return "", fmt.Errorf(`"const" is not supported on a %s`, s.Logical)
	}
	switch s.Kind {
	case schema.String, schema.Enum, schema.Boolean, schema.Int, schema.Long:
		var raw bytes.Buffer
		if err := json.NewEncoder(&raw).Encode(c); err != nil {
			return "", err
		}
		lit, err := literal(tm, s, raw.Bytes(), false)
		if err != nil {
			return "", fmt.Errorf(`"const": %w`, err)
		}
		return lit, nil
	}
	return "", fmt.Errorf(`"const" is supported on string, enum, boolean, int and long fields, not %s`, s.Kind)
}

// constLiteral is constExpr for a const already checked.
func constLiteral(tm *typeMap, s *schema.Schema, c any) string {
	lit, err := constExpr(tm, s, c)
	if err != nil {
		panic("codegen: unchecked const: " + err.Error())
	}
	return lit
}

// decodeJSON decodes a default, keeping numbers exact.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// literal returns the Go expression of the JSON value raw (a schema default)
// as a value of s. ptr asks for a record as a pointer (&T{...}).
func literal(tm *typeMap, s *schema.Schema, raw []byte, ptr bool) (string, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return "", err
	}
	return lit(tm, s, v, ptr)
}

var errType = errors.New("wrong JSON type")

func lit(tm *typeMap, s *schema.Schema, v any, ptr bool) (string, error) {
	switch s.Kind {
	case schema.Null:
		if v != nil {
			return "", fmt.Errorf("%w: %v for null", errType, v)
		}
		return "struct{}{}", nil
	case schema.Boolean:
		b, ok := v.(bool)
		if !ok {
			return "", fmt.Errorf("%w: %v for boolean", errType, v)
		}
		return strconv.FormatBool(b), nil
	case schema.Int, schema.Long:
		n, ok := v.(json.Number)
		if !ok {
			return "", fmt.Errorf("%w: %v for %s", errType, v, s.Kind)
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || s.Kind == schema.Int && (i < math.MinInt32 || i > math.MaxInt32) {
			return "", fmt.Errorf("%v is not an %s", n, s.Kind)
		}
		return intLit(s, i)
	case schema.Float, schema.Double:
		n, ok := v.(json.Number)
		if !ok {
			return "", fmt.Errorf("%w: %v for %s", errType, v, s.Kind)
		}
		bitSize := 64
		if s.Kind == schema.Float {
			bitSize = 32
		}
		f, err := strconv.ParseFloat(string(n), bitSize)
		if err != nil {
			return "", fmt.Errorf("%v is not a %s", n, s.Kind)
		}
		return strconv.FormatFloat(f, 'g', -1, bitSize), nil
	case schema.String:
		str, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%w: %v for string", errType, v)
		}
		if s.Logical == schema.LogicalUUID {
			u, err := avrobin.ParseUUID(str)
			if err != nil {
				return "", err
			}
			return "avrobin.MustParseUUID(" + quote(u.String()) + ")", nil
		}
		return quote(str), nil
	case schema.Bytes, schema.Fixed:
		b, err := jsonBytes(v)
		if err != nil {
			return "", err
		}
		if s.Kind == schema.Fixed && len(b) != s.Size {
			return "", fmt.Errorf("%d bytes for a fixed of %d", len(b), s.Size)
		}
		switch {
		case s.Logical == schema.LogicalDecimal:
			n := new(big.Int).SetBytes(b)
			if len(b) > 0 && b[0]&0x80 != 0 {
				n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
			}
			r := new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.Scale)), nil))
			return "avrobin.MustParseRat(" + quote(r.FloatString(s.Scale)) + ")", nil
		case s.Kind == schema.Bytes:
			return "[]byte(" + quote(string(b)) + ")", nil
		case s.Logical == schema.LogicalDuration:
			le := func(i int) uint32 { return uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24 }
			return fmt.Sprintf("avrobin.Duration{Months: %d, Days: %d, Milliseconds: %d}", le(0), le(4), le(8)), nil
		}
		return tm.goType(s) + byteList(b), nil
	case schema.Enum:
		sym, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%w: %v for enum %s", errType, v, s.Name)
		}
		for _, have := range s.Symbols {
			if have == sym {
				return tm.symbol(s, sym), nil
			}
		}
		return "", fmt.Errorf("%q is not a symbol of enum %s", sym, s.Name)
	case schema.Record:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("%w: %v for record %s", errType, v, s.Name)
		}
		var parts []string
		for _, f := range s.Fields {
			fv, has := obj[f.Name]
			var fl string
			var err error
			switch {
			case has:
				fl, err = lit(tm, f.Type, fv, tm.ptrField[f])
			case f.HasDefault():
				fl, err = literal(tm, f.Type, f.Default, tm.ptrField[f])
			default:
				err = fmt.Errorf("no value for field %s, which has no default", f.Name)
			}
			if err != nil {
				return "", fmt.Errorf("record %s: field %s: %w", s.Name, f.Name, err)
			}
			if fl != "nil" {
				parts = append(parts, tm.fields[f]+": "+fl)
			}
		}
		l := tm.names[s] + "{" + strings.Join(parts, ", ") + "}"
		if ptr {
			l = "&" + l
		}
		return l, nil
	case schema.Array:
		arr, ok := v.([]any)
		if !ok {
			return "", fmt.Errorf("%w: %v for array", errType, v)
		}
		var parts []string
		for i, item := range arr {
			il, err := lit(tm, s.Items, item, false)
			if err != nil {
				return "", fmt.Errorf("item %d: %w", i, err)
			}
			parts = append(parts, il)
		}
		return tm.goType(s) + "{" + strings.Join(parts, ", ") + "}", nil
	case schema.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("%w: %v for map", errType, v)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			vl, err := lit(tm, s.Values, obj[k], false)
			if err != nil {
				return "", fmt.Errorf("key %q: %w", k, err)
			}
			parts = append(parts, quote(k)+": "+vl)
		}
		return tm.goType(s) + "{" + strings.Join(parts, ", ") + "}", nil
	case schema.Union:
		return unionLit(tm, s, v)
	}
	return "", fmt.Errorf("no default for %s", s.Kind)
}

// unionLit returns the literal of a union default: of the first branch it
// fits (the specification says the first branch; hamba/avro and Java also
// accept others).
func unionLit(tm *typeMap, s *schema.Schema, v any) (string, error) {
	if v == nil {
		for _, b := range s.Branches {
			if isNull(b) {
				if len(s.Branches) == 1 {
					return "struct{}{}", nil
				}
				return "nil", nil
			}
		}
		return "", fmt.Errorf("null default for a union without null")
	}
	var firstErr error
	for i, b := range s.Branches {
		if isNull(b) {
			continue
		}
		l, err := lit(tm, b, v, isRecord(b))
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if t, _, ok := optional(s); ok {
			if isRecord(t) || isPtrType(tm.goType(t)) {
				return l, nil
			}
			return "avrobin.Ptr[" + tm.goType(t) + "](" + l + ")", nil
		}
		if len(s.Branches) == 1 {
			return l, nil
		}
		br := tm.unions[s].branches[i]
		switch {
		case br.wrapper == "":
			return l, nil
		case isPtrType(br.underlying):
			return "(*" + br.wrapper + ")(" + l + ")", nil
		}
		return br.wrapper + "(" + l + ")", nil
	}
	return "", fmt.Errorf("default fits no branch of the union: %w", firstErr)
}

// intLit returns the literal of an int or long, through its logical type.
func intLit(s *schema.Schema, i int64) (string, error) {
	switch s.Logical {
	case schema.LogicalDate:
		d := avrobin.DateFromDays(int32(i))
		return fmt.Sprintf("avrobin.Date{Year: %d, Month: time.%s, Day: %d}", d.Year, d.Month, d.Day), nil
	case schema.LogicalTimeMillis:
		return fmt.Sprintf("%d * time.Millisecond", i), nil
	case schema.LogicalTimeMicros:
		if i > math.MaxInt64/1000 || i < math.MinInt64/1000 {
			return "", fmt.Errorf("%d microseconds do not fit a time.Duration", i)
		}
		return fmt.Sprintf("%d * time.Microsecond", i), nil
	case schema.LogicalTimestampMillis, schema.LogicalLocalTimestampMillis:
		return fmt.Sprintf("time.UnixMilli(%d).UTC()", i), nil
	case schema.LogicalTimestampMicros, schema.LogicalLocalTimestampMicros:
		return fmt.Sprintf("time.UnixMicro(%d).UTC()", i), nil
	case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
		return fmt.Sprintf("time.Unix(0, %d).UTC()", i), nil
	}
	return strconv.FormatInt(i, 10), nil
}

// jsonBytes returns the bytes of a bytes or fixed default: a string whose
// code points 0-255 are the bytes.
func jsonBytes(v any) ([]byte, error) {
	str, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%w: %v for bytes", errType, v)
	}
	var b []byte
	for _, r := range str {
		if r > 255 {
			return nil, fmt.Errorf("bytes default %q has a character beyond \\u00ff", str)
		}
		b = append(b, byte(r))
	}
	return b, nil
}

func byteList(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("0x%02x", c)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// litImports returns the imports a literal needs.
func litImports(l string, imp map[string]bool) {
	if strings.Contains(l, "avrobin.") {
		imp[avrobinPath] = true
	}
	if strings.Contains(l, "time.") {
		imp["time"] = true
	}
}
