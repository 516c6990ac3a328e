package corpus

import (
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// TestValuesReachEveryBranch checks that the values the tests make of
// each event take every branch of every union of its schema.
func TestValuesReachEveryBranch(t *testing.T) {
	for _, ev := range corpusEvents() {
		name := reflect.TypeOf(ev).Elem().Name()
		root := parsed(t, ev).Root
		g := newGen(1, name)
		for range iterations() {
			g.next(root)
		}
		schema.Walk(root, func(s *schema.Schema) bool {
			if s.Kind != schema.Union {
				return true
			}
			seen := g.seen[s]
			for i, b := range s.Branches {
				if i >= len(seen) || !seen[i] {
					t.Errorf("%s: no value of branch %d (%s) of a union %s", name, i, b.Kind, unionText(s))
				}
			}
			return true
		})
	}
}

func unionText(u *schema.Schema) string {
	var parts []string
	for _, b := range u.Branches {
		if b.Kind.IsNamed() {
			parts = append(parts, b.Name)
		} else {
			parts = append(parts, b.Kind.String())
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// TestValuesHaveTheEdges checks that the values the tests make of the
// corpus have each edge case the generator promises, somewhere.
func TestValuesHaveTheEdges(t *testing.T) {
	found := map[string]bool{}
	note := func(edge string, ok bool) {
		if ok {
			found[edge] = true
		}
	}
	var visit func(s *schema.Schema, v any, depth int)
	visit = func(s *schema.Schema, v any, depth int) {
		note("nesting of 50", depth >= 50)
		switch s.Kind {
		case schema.Int, schema.Long:
			switch s.Logical {
			case "":
				n := v.(int64)
				note("max int", s.Kind == schema.Int && n == math.MaxInt32)
				note("min int", s.Kind == schema.Int && n == math.MinInt32)
				note("max long", n == math.MaxInt64)
				note("min long", n == math.MinInt64)
			case schema.LogicalDate:
				d := v.(avrobin.Date)
				note("first date", d == avrobin.Date{Year: -5877641, Month: time.June, Day: 23})
				note("last date", d == avrobin.Date{Year: 5881580, Month: time.July, Day: 11})
				note("first Python date", d == avrobin.Date{Year: 1, Month: time.January, Day: 1})
				note("last Python date", d == avrobin.Date{Year: 9999, Month: time.December, Day: 31})
			case schema.LogicalTimeMillis, schema.LogicalTimeMicros:
				note("midnight", v.(time.Duration) == 0)
				note("last instant of the day", v.(time.Duration) >= 24*time.Hour-time.Millisecond)
			default:
				tm := v.(time.Time)
				note("last timestamp", tm.UnixNano() == math.MaxInt64 || tm.UnixMicro() == math.MaxInt64 || tm.UnixMilli() == math.MaxInt64)
				note("first Python timestamp", tm.Equal(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)))
			}
		case schema.Float, schema.Double:
			f := v.(float64)
			note("NaN", math.IsNaN(f))
			note("+Inf", math.IsInf(f, 1))
			note("-Inf", math.IsInf(f, -1))
			note("-0", f == 0 && math.Signbit(f))
		case schema.String:
			str, _ := v.(string)
			note("empty string", str == "")
			note("large string", len(str) >= 4096)
		case schema.Bytes:
			if b, ok := v.([]byte); ok {
				note("empty bytes", len(b) == 0)
				note("large bytes", len(b) >= 4096)
			}
		case schema.Record:
			for _, f := range s.Fields {
				visit(f.Type, v.(map[string]any)[f.Name], depth+1)
			}
		case schema.Array:
			items := v.([]any)
			note("empty array", len(items) == 0)
			note("large array", len(items) >= 100)
			for _, item := range items {
				visit(s.Items, item, depth+1)
			}
		case schema.Map:
			m := v.(map[string]any)
			note("empty map", len(m) == 0)
			note("large map", len(m) >= 100)
			for _, item := range m {
				visit(s.Values, item, depth+1)
			}
		case schema.Union:
			u := v.(unionVal)
			visit(s.Branches[u.Index], u.Value, depth+1)
		}
	}
	for _, pyRange := range []bool{false, true} {
		for _, ev := range corpusEvents() {
			root := parsed(t, ev).Root
			g := newGen(1, reflect.TypeOf(ev).Elem().Name())
			g.pyRange = pyRange
			for range iterations() {
				visit(root, g.next(root), 0)
			}
		}
	}
	want := []string{"nesting of 50", "max int", "min int", "max long", "min long", "first date", "last date",
		"first Python date", "last Python date", "midnight", "last instant of the day", "last timestamp", "first Python timestamp",
		"NaN", "+Inf", "-Inf", "-0", "empty string", "large string", "empty bytes", "large bytes",
		"empty array", "large array", "empty map", "large map"}
	sort.Strings(want)
	for _, edge := range want {
		if !found[edge] {
			t.Errorf("no value has the edge case %q", edge)
		}
	}
}
