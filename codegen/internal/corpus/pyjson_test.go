package corpus

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// pyLogical reports whether Python's avro 1.11 gives logical type l values
// of its own; the others it reads as their underlying type.
func pyLogical(s *schema.Schema, raw bool) bool {
	if raw {
		return false
	}
	switch s.Logical {
	case schema.LogicalDate, schema.LogicalTimeMillis, schema.LogicalTimeMicros,
		schema.LogicalTimestampMillis, schema.LogicalTimestampMicros, schema.LogicalDecimal:
		return true
	case schema.LogicalUUID:
		return s.Kind == schema.String
	}
	return false
}

func clock(d time.Duration) []any {
	return []any{int64(d / time.Hour), int64(d % time.Hour / time.Minute), int64(d % time.Minute / time.Second), int64(d % time.Second / time.Microsecond)}
}

// toPy returns the protocol's JSON of a norm value, or false when Python
// cannot represent it (a date beyond its years 1 to 9999).
func toPy(s *schema.Schema, v any, raw bool) (any, bool) {
	logical := pyLogical(s, raw)
	switch s.Kind {
	case schema.Null, schema.Boolean, schema.Enum:
		return v, true
	case schema.Int, schema.Long:
		if !logical {
			return rawLong(s, v), true
		}
		switch s.Logical {
		case schema.LogicalDate:
			d := v.(avrobin.Date)
			return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day), d.Year >= 1 && d.Year <= 9999
		case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
			return clock(v.(time.Duration)), true
		}
		tm := v.(time.Time).UTC()
		return []any{tm.Year(), int(tm.Month()), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond() / 1000},
			tm.Year() >= 1 && tm.Year() <= 9999
	case schema.Float, schema.Double:
		return strconv.FormatFloat(v.(float64), 'g', -1, 64), true
	case schema.Bytes, schema.Fixed:
		if logical {
			// At the schema's scale exactly: Python's avro 1.11 writes the
			// digits of a Decimal unscaled, so that 1.5 at scale 3 is read
			// back as 0.015 (its bug; 1.500 is right).
			return v.(*big.Rat).FloatString(s.Scale), true
		}
		return rawBytes(s, v), true
	case schema.String:
		return v, true
	case schema.Record:
		out := map[string]any{}
		for _, f := range s.Fields {
			fv, ok := toPy(f.Type, v.(map[string]any)[f.Name], raw)
			if !ok {
				return nil, false
			}
			out[f.Name] = fv
		}
		return out, true
	case schema.Array:
		out := []any{}
		for _, item := range v.([]any) {
			iv, ok := toPy(s.Items, item, raw)
			if !ok {
				return nil, false
			}
			out = append(out, iv)
		}
		return out, true
	case schema.Map:
		out := map[string]any{}
		for k, item := range v.(map[string]any) {
			iv, ok := toPy(s.Values, item, raw)
			if !ok {
				return nil, false
			}
			out[k] = iv
		}
		return out, true
	case schema.Union:
		u := v.(unionVal)
		bv, ok := toPy(s.Branches[u.Index], u.Value, raw)
		return map[string]any{"i": u.Index, "v": bv}, ok
	}
	panic("no JSON for " + s.Kind.String())
}

// fromPy returns the norm value of the protocol's JSON j (decoded with
// UseNumber), converting logical types with the time package only.
func fromPy(s *schema.Schema, j any, raw bool) (any, error) {
	logical := pyLogical(s, raw)
	bad := func() (any, error) { return nil, fmt.Errorf("python gave %T %v for %s", j, j, s.Kind) }
	num := func() (int64, error) {
		n, ok := j.(json.Number)
		if !ok {
			return 0, fmt.Errorf("python gave %T %v for %s", j, j, s.Kind)
		}
		return n.Int64()
	}
	ints := func() ([]int, error) {
		list, ok := j.([]any)
		if !ok {
			return nil, fmt.Errorf("python gave %T %v for %s", j, j, s.Logical)
		}
		out := make([]int, len(list))
		for i, x := range list {
			n, err := x.(json.Number).Int64()
			if err != nil {
				return nil, err
			}
			out[i] = int(n)
		}
		return out, nil
	}
	switch s.Kind {
	case schema.Null, schema.Boolean, schema.Enum:
		return j, nil
	case schema.Int, schema.Long:
		if logical {
			switch s.Logical {
			case schema.LogicalDate:
				tm, err := time.Parse("2006-01-02", j.(string))
				if err != nil {
					return nil, err
				}
				return avrobin.Date{Year: tm.Year(), Month: tm.Month(), Day: tm.Day()}, nil
			case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
				c, err := ints()
				if err != nil {
					return nil, err
				}
				return time.Duration(c[0])*time.Hour + time.Duration(c[1])*time.Minute + time.Duration(c[2])*time.Second +
					time.Duration(c[3])*time.Microsecond, nil
			}
			c, err := ints()
			if err != nil {
				return nil, err
			}
			return time.Date(c[0], time.Month(c[1]), c[2], c[3], c[4], c[5], c[6]*1000, time.UTC), nil
		}
		n, err := num()
		if err != nil {
			return nil, err
		}
		switch s.Logical {
		case schema.LogicalDate:
			y, m, d := time.Unix(n*86400, 0).UTC().Date()
			return avrobin.Date{Year: y, Month: m, Day: d}, nil
		case schema.LogicalTimeMillis:
			return time.Duration(n) * time.Millisecond, nil
		case schema.LogicalTimeMicros:
			return time.Duration(n) * time.Microsecond, nil
		case schema.LogicalTimestampMillis, schema.LogicalLocalTimestampMillis:
			return time.UnixMilli(n).UTC(), nil
		case schema.LogicalTimestampMicros, schema.LogicalLocalTimestampMicros:
			return time.UnixMicro(n).UTC(), nil
		case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
			return time.Unix(0, n).UTC(), nil
		}
		return n, nil
	case schema.Float, schema.Double:
		str, ok := j.(string)
		if !ok {
			return bad()
		}
		return strconv.ParseFloat(str, 64)
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			return strings.ToLower(j.(string)), nil
		}
		return j, nil
	case schema.Bytes, schema.Fixed:
		if logical {
			r, ok := new(big.Rat).SetString(j.(string))
			if !ok {
				return nil, fmt.Errorf("python gave decimal %q", j)
			}
			return r, nil
		}
		b, err := base64.StdEncoding.DecodeString(j.(string))
		if err != nil {
			return nil, err
		}
		switch s.Logical {
		case schema.LogicalDecimal:
			n := new(big.Int).SetBytes(b)
			if len(b) > 0 && b[0]&0x80 != 0 {
				n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
			}
			return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.Scale)), nil)), nil
		case schema.LogicalUUID:
			return uuidText(b), nil
		case schema.LogicalDuration:
			return avrobin.Duration{Months: binary.LittleEndian.Uint32(b), Days: binary.LittleEndian.Uint32(b[4:]),
				Milliseconds: binary.LittleEndian.Uint32(b[8:])}, nil
		}
		return b, nil
	case schema.Record:
		m, ok := j.(map[string]any)
		if !ok {
			return bad()
		}
		out := map[string]any{}
		for _, f := range s.Fields {
			v, err := fromPy(f.Type, m[f.Name], raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			out[f.Name] = v
		}
		return out, nil
	case schema.Array:
		list, ok := j.([]any)
		if !ok {
			return bad()
		}
		out := make([]any, len(list))
		for i, x := range list {
			v, err := fromPy(s.Items, x, raw)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case schema.Map:
		m, ok := j.(map[string]any)
		if !ok {
			return bad()
		}
		out := map[string]any{}
		for k, x := range m {
			v, err := fromPy(s.Values, x, raw)
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	case schema.Union:
		m, ok := j.(map[string]any)
		if !ok {
			return bad()
		}
		i, err := m["i"].(json.Number).Int64()
		if err != nil || i < 0 || int(i) >= len(s.Branches) {
			return nil, fmt.Errorf("python gave union %v", j)
		}
		v, err := fromPy(s.Branches[i], m["v"], raw)
		return unionVal{Index: int(i), Value: v}, err
	}
	return bad()
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
