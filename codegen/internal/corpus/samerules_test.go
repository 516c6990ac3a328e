package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// TestValidateAndJSONApplyTheSameRules runs one table of bad values through
// both paths that check events: a generated type's Validate, and avrojson's
// Encode with Options.Validate, which eventctl produce uses. Each case
// breaks one valid value, in Go and in its plain JSON (as Decode prints the
// valid value's encoding), the same way; both must name the same field and
// match the same avrobin error.
func TestValidateAndJSONApplyTheSameRules(t *testing.T) {
	matrix := func() *TimestampMicrosMatrix {
		m := NewTimestampMicrosMatrix()
		m.Value, m.Record.Value = time.Now(), time.Now()
		m.UnionFirst = TimestampMicrosMatrixUnionFirstString("x")
		m.Array = []time.Time{time.Now(), time.Now()}
		m.RecordMap = map[string]TimestampMicrosHolder{"k": {Value: time.Now(), Values: []time.Time{time.Now()}}}
		return m
	}
	for _, c := range []struct {
		name   string
		valid  func() contract.Event
		goBad  func(contract.Event)
		path   []any // of the JSON value to replace
		json   any
		field  string
		reason error
	}{
		{"const string", eventOf(NewDefaults), func(e contract.Event) { e.(*Defaults).Kind = "other" },
			[]any{"kind"}, "other", "kind", avrobin.ErrNotConst},
		{"const int", eventOf(NewDefaults), func(e contract.Event) { e.(*Defaults).Version = 3 },
			[]any{"version"}, 3, "version", avrobin.ErrNotConst},
		{"empty required string", eventOf(func() *Primitives { return &Primitives{ID: "x", URL: "u"} }), func(e contract.Event) { e.(*Primitives).ID = "" },
			[]any{"id"}, "", "id", avrobin.ErrEmpty},
		{"empty required string of an array's record", eventOf(validCollections), func(e contract.Event) { e.(*Collections).Items[2].Sku = "" },
			[]any{"items", 2, "sku"}, "", "items[2].sku", avrobin.ErrEmpty},
		{"unset timestamp", eventOf(validLogical), func(e contract.Event) { e.(*Logical).TsUs = time.Time{} },
			[]any{"ts_us"}, "0001-01-01T00:00:00.000000Z", "ts_us", avrobin.ErrUnset},
		{"unset timestamp-nanos", eventOf(validLogical), func(e contract.Event) { e.(*Logical).TsNs = time.Time{} },
			[]any{"ts_ns"}, "0001-01-01T00:00:00Z", "ts_ns", avrobin.ErrUnset},
		{"unset local timestamp", eventOf(validLogical), func(e contract.Event) { e.(*Logical).LocalMs = time.Time{} },
			[]any{"local_ms"}, "0001-01-01T00:00:00", "local_ms", avrobin.ErrUnset},
		{"optional timestamp of the zero time", eventOf(validLogical), func(e contract.Event) { e.(*Logical).MaybeTs = &time.Time{} },
			[]any{"maybe_ts"}, "0001-01-01T00:00:00Z", "maybe_ts", avrobin.ErrUnset},
		{"timestamp branch of the zero time", eventOf(validUnions), func(e contract.Event) { e.(*Unions).Logical = UnionsLogicalTimestampMillis{} },
			[]any{"logical"}, "0001-01-01T00:00:00.000Z", "logical", avrobin.ErrUnset},
		{"zero time in an array", eventOf(matrix), func(e contract.Event) { e.(*TimestampMicrosMatrix).Array[1] = time.Time{} },
			[]any{"array", 1}, "0001-01-01T00:00:00Z", "array[1]", avrobin.ErrUnset},
		{"zero time in a map's record", eventOf(matrix), func(e contract.Event) { e.(*TimestampMicrosMatrix).RecordMap["k"].Values[0] = time.Time{} },
			[]any{"record_map", "k", "values", 0}, "0001-01-01T00:00:00Z", `record_map["k"].values[0]`, avrobin.ErrUnset},
		{"timestamp out of range", eventOf(validLogical), func(e contract.Event) { e.(*Logical).TsNs = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) },
			[]any{"ts_ns"}, "2300-01-01T00:00:00Z", "ts_ns", avrobin.ErrTimeRange},
		{"date the calendar lacks", eventOf(validLogical), func(e contract.Event) { e.(*Logical).Day = avrobin.Date{Year: 2026, Month: 2, Day: 30} },
			[]any{"day"}, "2026-02-30", "day", avrobin.ErrDate},
		{"time of day past a day", eventOf(validLogical), func(e contract.Event) { e.(*Logical).TimeMs = 25 * time.Hour },
			[]any{"time_ms"}, 90000000, "time_ms", avrobin.ErrTimeRange},
		{"decimal beyond its precision", eventOf(validLogical), func(e contract.Event) { e.(*Logical).Price = tooManyDigits(18, 2) },
			[]any{"price"}, "10000000000000000.00", "price", avrobin.ErrDecimal},
		{"no enum symbol", eventOf(validCollections), func(e contract.Event) { e.(*Collections).Suit = 9 },
			[]any{"suit"}, "NOPE", "suit", avrobin.ErrIndex},
		{"unset union", eventOf(validUnions), func(e contract.Event) { e.(*Unions).Tender = nil },
			[]any{"tender"}, nil, "tender", avrobin.ErrUnset},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := c.valid()
			js := plainJSON(t, ev)
			root := parsed(t, ev).Root
			if _, err := avrojson.Encode(root, js, avrojson.Options{Validate: true}); err != nil {
				t.Fatalf("the valid value's JSON %s: %v", js, err)
			}
			c.goBad(ev)
			goErr := ev.Validate()
			var ve *avrobin.ValidationError
			if !errors.As(goErr, &ve) || ve.Field != c.field || !errors.Is(goErr, c.reason) {
				t.Errorf("Validate = %v, want field %s: %v", goErr, c.field, c.reason)
			}
			bad := setJSON(t, js, c.json, c.path...)
			_, jsErr := avrojson.Encode(root, bad, avrojson.Options{Validate: true})
			var je *avrojson.Error
			if !errors.As(jsErr, &je) || je.Field() != c.field || !errors.Is(jsErr, c.reason) {
				t.Errorf("Encode(%s) = %v, want field %s: %v", bad, jsErr, c.field, c.reason)
			}
		})
	}
}

// eventOf adapts a constructor of a corpus type to the table.
func eventOf[E contract.Event](f func() E) func() contract.Event {
	return func() contract.Event { return f() }
}

// plainJSON returns ev as eventctl consume prints it: its encoding,
// decoded in the plain style.
func plainJSON(t *testing.T, ev contract.Event) []byte {
	t.Helper()
	b, err := ev.AppendAvro(nil)
	if err != nil {
		t.Fatal(err)
	}
	js, err := avrojson.Decode(parsed(t, ev).Root, b, avrojson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// setJSON returns js with the value at path (object keys and array
// indexes) replaced by v.
func setJSON(t *testing.T, js []byte, v any, path ...any) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	at := root
	for i, step := range path {
		last := i == len(path)-1
		switch s := step.(type) {
		case string:
			m, ok := at.(map[string]any)
			if !ok {
				t.Fatalf("%v: %s is no object", path, reflect.TypeOf(at))
			}
			if last {
				m[s] = v
			}
			at = m[s]
		case int:
			a, ok := at.([]any)
			if !ok || s >= len(a) {
				t.Fatalf("%v: no item %s", path, strconv.Itoa(s))
			}
			if last {
				a[s] = v
			}
			at = a[s]
		}
	}
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
