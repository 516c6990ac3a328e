package corpus

import (
	"bytes"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// logDepthMarker stands for records nested deeper than LogValue goes.
const logDepthMarker = "(nested deeper: left out)"

// TestLogValueOfEveryEvent describes random values of every corpus event to
// slog and checks the group against the value: one attribute per field that
// is not null, named by the Avro field, each of the kind its type logs as;
// nested records as groups of their own (or, deeper than a log line goes,
// a marker); bytes, fixed, arrays and maps as their length. A zero value, a
// nil one and a JSON handler's line of each work without panicking.
func TestLogValueOfEveryEvent(t *testing.T) {
	for _, ev := range corpusEvents() {
		name := reflect.TypeOf(ev).Elem().Name()
		t.Run(name, func(t *testing.T) {
			root := parsed(t, ev).Root
			if v := ev.(slog.LogValuer).LogValue(); v.Kind() != slog.KindGroup || len(v.Group()) == 0 && len(root.Fields) > 0 {
				t.Errorf("zero value: %v", v)
			}
			null := reflect.Zero(reflect.TypeOf(ev)).Interface().(slog.LogValuer)
			if v := null.LogValue(); v.Kind() != slog.KindGroup || len(v.Group()) != 0 {
				t.Errorf("nil %s: %v, want an empty group", name, v)
			}
			g := newGen(1, name)
			enc := &blockEncoder{rng: rand.New(rand.NewPCG(2, 3))}
			for i := range iterations() {
				want := g.next(root)
				v := newLike(ev)
				if err := v.UnmarshalAvro(enc.encode(nil, root, want)); err != nil {
					t.Fatalf("#%d: UnmarshalAvro: %v", i, err)
				}
				got := v.(slog.LogValuer).LogValue()
				if err := checkLogged(root, want, got, 0); err != nil {
					t.Fatalf("#%d: %v\nvalue: %s", i, err, shorten(want))
				}
				var line bytes.Buffer
				slog.New(slog.NewJSONHandler(&line, nil)).Info("x", "event", v)
				if !strings.Contains(line.String(), `"event":{`) && len(got.Group()) > 0 {
					t.Fatalf("#%d: the JSON line has no event group: %s", i, line.String())
				}
			}
		})
	}
}

// checkLogged checks the slog value got of a value of s whose norm form is
// want, at depth records deep.
func checkLogged(s *schema.Schema, want any, got slog.Value, depth int) error {
	kind := func(k slog.Kind) error {
		if got.Kind() != k {
			return fmt.Errorf("%s logged as %v (%s), want a %s", s.Kind, got, got.Kind(), k)
		}
		return nil
	}
	text := func(want string) error {
		if err := kind(slog.KindString); err != nil {
			return err
		}
		if got.String() != want {
			return fmt.Errorf("%s logged as %q, want %q", s.Kind, got.String(), want)
		}
		return nil
	}
	switch s.Kind {
	case schema.Record:
		if got.Kind() == slog.KindString && got.String() == logDepthMarker && depth >= 8 {
			return nil
		}
		if err := kind(slog.KindGroup); err != nil {
			return err
		}
		return checkFields(s, want.(map[string]any), got.Group(), depth)
	case schema.Union:
		u := want.(unionVal)
		return checkLogged(s.Branches[u.Index], u.Value, got, depth)
	case schema.Boolean:
		if err := kind(slog.KindBool); err != nil || got.Bool() == want.(bool) {
			return err
		}
	case schema.Int, schema.Long:
		switch {
		case s.Logical == "":
			if err := kind(slog.KindInt64); err != nil || got.Int64() == want.(int64) {
				return err
			}
		case s.Logical == schema.LogicalDate:
			return text(want.(avrobin.Date).String())
		case s.Logical == schema.LogicalTimeMillis:
			return text(avrobin.TimeOfDayText(want.(time.Duration), 3))
		case s.Logical == schema.LogicalTimeMicros:
			return text(avrobin.TimeOfDayText(want.(time.Duration), 6))
		case strings.HasPrefix(s.Logical, "local-"):
			if err := kind(slog.KindString); err != nil {
				return err
			}
			if strings.HasSuffix(got.String(), "Z") {
				return fmt.Errorf("local timestamp logged with a zone: %s", got.String())
			}
			return nil
		default:
			if err := kind(slog.KindTime); err != nil || got.Time().Equal(want.(time.Time)) {
				return err
			}
		}
	case schema.Float, schema.Double:
		w := want.(float64)
		if err := kind(slog.KindFloat64); err != nil || got.Float64() == w || math.IsNaN(w) && math.IsNaN(got.Float64()) {
			return err
		}
	case schema.String:
		if s.Logical == "" {
			return text(avrobin.LogText(want.(string))) // its own test says how it cuts
		}
		return text(want.(string))
	case schema.Enum:
		return text(want.(string))
	case schema.Bytes, schema.Fixed:
		switch s.Logical {
		case schema.LogicalDecimal:
			return text(want.(*big.Rat).FloatString(s.Scale))
		case schema.LogicalUUID:
			return text(want.(string))
		case schema.LogicalDuration:
			return checkNames(got, "months", "days", "milliseconds")
		}
		return checkLength(got, len(want.([]byte)))
	case schema.Array:
		return checkLength(got, len(want.([]any)))
	case schema.Map:
		return checkLength(got, len(want.(map[string]any)))
	default:
		return fmt.Errorf("unexpected %s logged as %v", s.Kind, got)
	}
	return fmt.Errorf("%s %v logged as %v", s.Kind, want, got)
}

// checkFields checks the attributes of a record: one per field in order,
// but for those that are null, or records whose fields all are (an empty
// group, which slog leaves out).
func checkFields(s *schema.Schema, want map[string]any, attrs []slog.Attr, depth int) error {
	for _, f := range s.Fields {
		if len(attrs) == 0 || attrs[0].Key != f.Name {
			if !isNullValue(f.Type, want[f.Name]) {
				return fmt.Errorf("record %s: no attribute %s where it logs %q", s.Name, f.Name, keys(attrs))
			}
			continue
		}
		if err := checkLogged(f.Type, want[f.Name], attrs[0].Value, depth+1); err != nil {
			return fmt.Errorf("%s.%s: %w", s.Name, f.Name, err)
		}
		attrs = attrs[1:]
	}
	if len(attrs) > 0 {
		return fmt.Errorf("record %s logs attributes %q beyond its fields", s.Name, keys(attrs))
	}
	return nil
}

func keys(attrs []slog.Attr) []string {
	var out []string
	for _, a := range attrs {
		out = append(out, a.Key)
	}
	return out
}

// isNullValue reports whether LogValue leaves out the norm value v of s: a
// null, or a record whose fields all are left out.
func isNullValue(s *schema.Schema, v any) bool {
	switch s.Kind {
	case schema.Null:
		return true
	case schema.Union:
		u := v.(unionVal)
		return isNullValue(s.Branches[u.Index], u.Value)
	case schema.Record:
		for _, f := range s.Fields {
			if !isNullValue(f.Type, v.(map[string]any)[f.Name]) {
				return false
			}
		}
		return true
	}
	return false
}

// checkLength checks that got is the group {len: n}.
func checkLength(got slog.Value, n int) error {
	if err := checkNames(got, "len"); err != nil {
		return err
	}
	if l := got.Group()[0].Value; l.Kind() != slog.KindInt64 || l.Int64() != int64(n) {
		return fmt.Errorf("length logged as %v, want %d", l, n)
	}
	return nil
}

// checkNames checks that got is a group of attributes with these names.
func checkNames(got slog.Value, names ...string) error {
	if got.Kind() != slog.KindGroup {
		return fmt.Errorf("logged as %v, want a group of %q", got, names)
	}
	var have []string
	for _, a := range got.Group() {
		have = append(have, a.Key)
	}
	if strings.Join(have, " ") != strings.Join(names, " ") {
		return fmt.Errorf("logged as a group of %q, want %q", have, names)
	}
	return nil
}

// TestLogValueStaysBounded: however many items and levels an event holds,
// its log line stays short: arrays and maps by their length, bytes too,
// recursion cut off, a long string by its start and length.
func TestLogValueStaysBounded(t *testing.T) {
	c := NewCollections()
	c.Numbers = make([]int64, 10000)
	c.Names = make([]string, 10000)
	for i := range c.Names {
		c.Names[i] = "a secret name"
	}
	c.Labels = map[string]string{}
	for i := range 10000 {
		c.Labels[fmt.Sprint(i)] = "label"
	}
	r := NewRecursive()
	var list *Node
	for i := range 10000 {
		list = &Node{Value: int64(i), Next: list}
	}
	r.List = list
	p := NewPrimitives()
	p.URL = "https://example.com/" + strings.Repeat("x", 6<<20)
	p.Blob = []byte(strings.Repeat("secret", 1<<10))
	for _, ev := range []contract.Event{c, r, p} {
		var line bytes.Buffer
		slog.New(slog.NewJSONHandler(&line, nil)).Info("refused", "event", ev)
		if line.Len() > 2000 || strings.Contains(line.String(), "secret") {
			t.Errorf("%T logs %d bytes:\n%.3000s", ev, line.Len(), line.String())
		}
	}
	var line bytes.Buffer
	slog.New(slog.NewJSONHandler(&line, nil)).Info("refused", "event", c)
	for _, want := range []string{`"numbers":{"len":10000}`, `"names":{"len":10000}`, `"labels":{"len":10000}`} {
		if !strings.Contains(line.String(), want) {
			t.Errorf("the line lacks %s:\n%s", want, line.String())
		}
	}
	line.Reset()
	slog.New(slog.NewJSONHandler(&line, nil)).Info("refused", "event", p)
	for _, want := range []string{`"url":"https://example.com/xxx`, fmt.Sprintf("... (%d bytes)", len(p.URL)), `"blob":{"len":6144}`} {
		if !strings.Contains(line.String(), want) {
			t.Errorf("the line lacks %s:\n%.1000s", want, line.String())
		}
	}
	line.Reset()
	slog.New(slog.NewJSONHandler(&line, nil)).Info("refused", "event", r)
	if got := strings.Count(line.String(), `"value":`); got != 8 || !strings.Contains(line.String(), logDepthMarker) {
		t.Errorf("a list of 10000 nodes logs %d of them, want 8 and the marker:\n%s", got, line.String())
	}
}
