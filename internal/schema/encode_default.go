package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// encodeDefault appends the Avro binary encoding of a field default (JSON,
// as the schema writes it) of schema s.
func encodeDefault(dst []byte, s *Schema, raw json.RawMessage) ([]byte, error) {
	return encodeDefaultDepth(dst, s, raw, 0)
}

// maxDefaultNesting bounds the nesting of a default's values (a record
// whose field defaults hold the record itself).
const maxDefaultNesting = 64

// appendDefault appends the encoding of v, a default decoded from JSON with
// numbers kept as json.Number, as a value of s.
func appendDefault(dst []byte, s *Schema, v any, depth int) ([]byte, error) {
	if depth > maxDefaultNesting {
		return nil, errors.New("default nested too deep")
	}
	wrong := func() ([]byte, error) {
		return nil, fmt.Errorf("%s is not a %s", jsonLabel(v), describe(s))
	}
	switch s.Kind {
	case Null:
		if v == nil {
			return dst, nil
		}
	case Boolean:
		if b, ok := v.(bool); ok {
			return avrobin.AppendBoolean(dst, b), nil
		}
	case Int, Long:
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				return wrong()
			}
			if s.Kind == Int && (i < math.MinInt32 || i > math.MaxInt32) {
				return nil, fmt.Errorf("%s is out of the int range", n)
			}
			return avrobin.AppendLong(dst, i), nil
		}
	case Float, Double:
		var f float64
		switch x := v.(type) {
		case json.Number:
			var err error
			if f, err = x.Float64(); err != nil {
				return wrong()
			}
		case string:
			switch x {
			case "NaN":
				f = math.NaN()
			case "Infinity":
				f = math.Inf(1)
			case "-Infinity":
				f = math.Inf(-1)
			default:
				return wrong()
			}
		default:
			return wrong()
		}
		if s.Kind == Float {
			return avrobin.AppendFloat(dst, float32(f)), nil
		}
		return avrobin.AppendDouble(dst, f), nil
	case String:
		if str, ok := v.(string); ok {
			return avrobin.AppendString(dst, str), nil
		}
	case Bytes, Fixed:
		// The specification writes bytes and fixed defaults as strings whose
		// code points 0-255 are the bytes.
		str, ok := v.(string)
		if !ok {
			return wrong()
		}
		b := make([]byte, 0, len(str))
		for _, r := range str {
			if r > 0xff {
				return nil, fmt.Errorf("%s default %q has code point U+%04X above U+00FF", s.Kind, str, r)
			}
			b = append(b, byte(r))
		}
		if s.Kind == Fixed {
			if len(b) != s.Size {
				return nil, fmt.Errorf("fixed %s default has %d bytes, want %d", s.Name, len(b), s.Size)
			}
			return append(dst, b...), nil
		}
		return avrobin.AppendBytes(dst, b), nil
	case Enum:
		if str, ok := v.(string); ok {
			i := slices.Index(s.Symbols, str)
			if i < 0 {
				return nil, fmt.Errorf("%q is not a symbol of enum %s", str, s.Name)
			}
			return avrobin.AppendLong(dst, int64(i)), nil
		}
	case Array:
		items, ok := v.([]any)
		if !ok {
			return wrong()
		}
		if len(items) > 0 {
			dst = avrobin.AppendLong(dst, int64(len(items)))
			for _, it := range items {
				var err error
				if dst, err = appendDefault(dst, s.Items, it, depth+1); err != nil {
					return nil, err
				}
			}
		}
		return append(dst, 0), nil
	case Map:
		m, ok := v.(map[string]any)
		if !ok {
			return wrong()
		}
		if len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			dst = avrobin.AppendLong(dst, int64(len(keys)))
			for _, k := range keys {
				dst = avrobin.AppendString(dst, k)
				var err error
				if dst, err = appendDefault(dst, s.Values, m[k], depth+1); err != nil {
					return nil, err
				}
			}
		}
		return append(dst, 0), nil
	case Record:
		m, ok := v.(map[string]any)
		if !ok {
			return wrong()
		}
		for _, f := range s.Fields {
			fv, has := m[f.Name]
			if !has {
				if !f.HasDefault() {
					return nil, fmt.Errorf("record %s default lacks field %s, which has no default", s.Name, f.Name)
				}
				var err error
				if dst, err = encodeDefaultDepth(dst, f.Type, f.Default, depth+1); err != nil {
					return nil, err
				}
				continue
			}
			var err error
			if dst, err = appendDefault(dst, f.Type, fv, depth+1); err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return dst, nil
	case Union:
		// Avro 1.12: the default is of the first branch that matches it.
		for i, b := range s.Branches {
			if out, err := appendDefault(avrobin.AppendLong(dst, int64(i)), b, v, depth+1); err == nil {
				return out, nil
			}
		}
		return nil, fmt.Errorf("%s matches no branch of union %s", jsonLabel(v), unionLabel(s))
	}
	return wrong()
}

// encodeDefaultDepth is encodeDefault for a default met depth values deep.
func encodeDefaultDepth(dst []byte, s *Schema, raw json.RawMessage, depth int) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return appendDefault(dst, s, v, depth)
}

// jsonLabel shows a decoded JSON value in a message, or its Go type when it
// is long.
func jsonLabel(v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) > 60 {
		return fmt.Sprintf("JSON %T", v)
	}
	return string(b)
}
