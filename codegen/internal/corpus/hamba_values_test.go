package corpus

import (
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// toHamba returns the value hamba's generic encoder takes for a norm value.
func toHamba(s *schema.Schema, v any) any {
	switch s.Kind {
	case schema.Null:
		return nil
	case schema.Int:
		switch s.Logical {
		case schema.LogicalDate:
			d := v.(avrobin.Date)
			return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		case schema.LogicalTimeMillis:
			return v
		}
		return int32(v.(int64))
	case schema.Long:
		switch s.Logical {
		case schema.LogicalLocalTimestampMillis, schema.LogicalLocalTimestampMicros:
			// hamba takes the wall clock in time.Local.
			t := v.(time.Time)
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.Local)
		case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
			return v.(time.Time).UnixNano()
		}
		return v
	case schema.Float:
		return float32(v.(float64))
	case schema.Fixed:
		switch s.Logical {
		case schema.LogicalDecimal:
			return v
		case schema.LogicalDuration:
			d := v.(avrobin.Duration)
			return avro.LogicalDuration{Months: d.Months, Days: d.Days, Milliseconds: d.Milliseconds}
		}
		b := rawBytes(s, v)
		arr := reflect.New(reflect.ArrayOf(len(b), reflect.TypeFor[byte]())).Elem()
		reflect.Copy(arr, reflect.ValueOf(b))
		return arr.Interface()
	case schema.Record:
		m := map[string]any{}
		for _, f := range s.Fields {
			m[f.Name] = toHamba(f.Type, v.(map[string]any)[f.Name])
		}
		return m
	case schema.Array:
		var out []any
		for _, item := range v.([]any) {
			out = append(out, toHamba(s.Items, item))
		}
		return out
	case schema.Map:
		out := map[string]any{}
		for k, item := range v.(map[string]any) {
			out[k] = toHamba(s.Values, item)
		}
		return out
	case schema.Union:
		u := v.(unionVal)
		b := s.Branches[u.Index]
		if b.Kind == schema.Null {
			return map[string]any{}
		}
		return map[string]any{branchName(b): toHamba(b, u.Value)}
	}
	return v
}

// fromHamba returns the norm value of what hamba decoded into an any.
// want, the value expected, only picks a union branch when hamba's value
// fits several (a date and a timestamp are both a time.Time).
func fromHamba(s *schema.Schema, h any, want any) (any, error) {
	bad := func() (any, error) { return nil, fmt.Errorf("hamba gave %T %v for %s", h, h, s.Kind) }
	switch s.Kind {
	case schema.Null:
		if h != nil {
			return bad()
		}
		return nil, nil
	case schema.Boolean:
		return h, nil
	case schema.Int:
		switch s.Logical {
		case schema.LogicalDate:
			t, ok := h.(time.Time)
			if !ok {
				return bad()
			}
			y, m, d := t.UTC().Date()
			return avrobin.Date{Year: y, Month: m, Day: d}, nil
		case schema.LogicalTimeMillis:
			return h, nil
		}
		i, ok := h.(int)
		if !ok {
			return bad()
		}
		return int64(i), nil
	case schema.Long:
		switch s.Logical {
		case "":
			i, ok := h.(int64)
			if !ok {
				return bad()
			}
			return i, nil
		case schema.LogicalTimeMicros:
			return h, nil
		case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
			i, ok := h.(int64)
			if !ok {
				return bad()
			}
			return time.Unix(0, i).UTC(), nil
		case schema.LogicalLocalTimestampMillis, schema.LogicalLocalTimestampMicros:
			t, ok := h.(time.Time)
			if !ok {
				return bad()
			}
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
		}
		t, ok := h.(time.Time)
		if !ok {
			return bad()
		}
		return t, nil
	case schema.Float:
		f, ok := h.(float32)
		if !ok {
			return bad()
		}
		return float64(f), nil
	case schema.Double:
		return h, nil
	case schema.Bytes:
		return h, nil
	case schema.String:
		if str, ok := h.(string); ok && s.Logical == schema.LogicalUUID {
			return strings.ToLower(str), nil
		}
		return h, nil
	case schema.Fixed:
		switch s.Logical {
		case schema.LogicalDecimal:
			return h, nil
		case schema.LogicalDuration:
			d, ok := h.(avro.LogicalDuration)
			if !ok {
				return bad()
			}
			return avrobin.Duration{Months: d.Months, Days: d.Days, Milliseconds: d.Milliseconds}, nil
		}
		rv := reflect.ValueOf(h)
		if rv.Kind() != reflect.Array {
			return bad()
		}
		b := make([]byte, rv.Len())
		reflect.Copy(reflect.ValueOf(b), rv)
		if s.Logical == schema.LogicalUUID {
			return uuidText(b), nil
		}
		return b, nil
	case schema.Enum:
		return h, nil
	case schema.Record:
		m, ok := h.(map[string]any)
		if !ok {
			return bad()
		}
		wm, _ := want.(map[string]any)
		out := map[string]any{}
		for _, f := range s.Fields {
			v, err := fromHamba(f.Type, m[f.Name], wm[f.Name])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			out[f.Name] = v
		}
		return out, nil
	case schema.Array:
		items, ok := h.([]any)
		if !ok {
			return bad()
		}
		wl, _ := want.([]any)
		out := make([]any, len(items))
		for i, item := range items {
			var w any
			if i < len(wl) {
				w = wl[i]
			}
			v, err := fromHamba(s.Items, item, w)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case schema.Map:
		m, ok := h.(map[string]any)
		if !ok {
			return bad()
		}
		wm, _ := want.(map[string]any)
		out := map[string]any{}
		for k, item := range m {
			v, err := fromHamba(s.Values, item, wm[k])
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	case schema.Union:
		return unionFromHamba(s, h, want)
	}
	return bad()
}

func unionFromHamba(s *schema.Schema, h any, want any) (any, error) {
	if h == nil {
		for i, b := range s.Branches {
			if b.Kind == schema.Null {
				return unionVal{Index: i}, nil
			}
		}
		return nil, fmt.Errorf("hamba gave nil for a union without null")
	}
	if !hambaResolves(s) {
		m, ok := h.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, fmt.Errorf("hamba gave %T %v for an unresolved union", h, h)
		}
		for name, v := range m {
			for i, b := range s.Branches {
				if branchName(b) == name {
					var w any
					if wu, ok := want.(unionVal); ok && wu.Index == i {
						w = wu.Value
					}
					nv, err := fromHamba(b, v, w)
					return unionVal{Index: i, Value: nv}, err
				}
			}
			return nil, fmt.Errorf("hamba gave unknown branch %q", name)
		}
	}
	// hamba gave the value itself: the branches it can be, the expected
	// one first.
	order := make([]int, 0, len(s.Branches))
	if wu, ok := want.(unionVal); ok {
		order = append(order, wu.Index)
	}
	for i := range s.Branches {
		if !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	for _, i := range order {
		b := s.Branches[i]
		if b.Kind == schema.Null || !hambaGoTypeFits(b, h) {
			continue
		}
		var w any
		if wu, ok := want.(unionVal); ok && wu.Index == i {
			w = wu.Value
		}
		nv, err := fromHamba(b, h, w)
		if err == nil {
			return unionVal{Index: i, Value: nv}, nil
		}
	}
	return nil, fmt.Errorf("hamba gave %T %v, which fits no branch", h, h)
}

// hambaGoTypeFits reports whether hamba decodes branch b into values like h.
func hambaGoTypeFits(b *schema.Schema, h any) bool {
	var want any
	switch b.Kind {
	case schema.Boolean:
		want = false
	case schema.Int:
		switch b.Logical {
		case schema.LogicalDate:
			want = time.Time{}
		case schema.LogicalTimeMillis:
			want = time.Duration(0)
		default:
			want = 0
		}
	case schema.Long:
		switch b.Logical {
		case schema.LogicalTimeMicros:
			want = time.Duration(0)
		case "", schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
			want = int64(0)
		default:
			want = time.Time{}
		}
	case schema.Float:
		want = float32(0)
	case schema.Double:
		want = float64(0)
	case schema.Bytes:
		if b.Logical == schema.LogicalDecimal {
			want = (*big.Rat)(nil)
		} else {
			want = []byte(nil)
		}
	case schema.String:
		want = ""
	default:
		return false
	}
	return reflect.TypeOf(h) == reflect.TypeOf(want)
}

// multiKeyMap reports whether v has a map of two or more entries, whose
// order hamba does not fix.
func multiKeyMap(s *schema.Schema, v any) bool {
	switch s.Kind {
	case schema.Map:
		m := v.(map[string]any)
		if len(m) > 1 {
			return true
		}
		for _, item := range m {
			if multiKeyMap(s.Values, item) {
				return true
			}
		}
	case schema.Array:
		for _, item := range v.([]any) {
			if multiKeyMap(s.Items, item) {
				return true
			}
		}
	case schema.Record:
		for _, f := range s.Fields {
			if multiKeyMap(f.Type, v.(map[string]any)[f.Name]) {
				return true
			}
		}
	case schema.Union:
		u := v.(unionVal)
		return multiKeyMap(s.Branches[u.Index], u.Value)
	}
	return false
}
