package corpus

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// normDiff compares norm values: NaN equals NaN but -0 does not equal 0,
// rationals by value, times by instant, nil and empty slices and maps
// alike. It returns "" for equal values, else where they first differ
// (with cmp's diff of small values). It takes time linear in the values,
// which cmp does not on deeply nested ones.
func normDiff(want, got any) string {
	d := firstDiff(want, got)
	if d == nil {
		return ""
	}
	path := ""
	for i := len(d.path) - 1; i >= 0; i-- {
		path += d.path[i]
	}
	msg := fmt.Sprintf("at %q: want %s, got %s", path, shorten(d.a), shorten(d.b))
	if countNodes(want) < 500 && countNodes(got) < 500 {
		msg += "\n" + cmp.Diff(want, got, normOpts)
	}
	return msg
}

// difference is where two norm values differ: the path to it, innermost
// step first, and the values there.
type difference struct {
	path []string
	a, b any
}

// normOpts are normDiff's equality for cmp.Diff (but for -0, which cmp
// takes for 0).
var normOpts = cmp.Options{
	cmpopts.EquateNaNs(),
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b *big.Rat) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.Cmp(b) == 0
	}),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

// firstDiff returns the first difference of a and b, or nil.
func firstDiff(a, b any) *difference {
	differ := func(eq bool) *difference {
		if eq {
			return nil
		}
		return &difference{a: a, b: b}
	}
	within := func(step string, x, y any) *difference {
		d := firstDiff(x, y)
		if d != nil {
			d.path = append(d.path, step)
		}
		return d
	}
	switch a := a.(type) {
	case []any:
		bl, isList := b.([]any)
		if !isList && b != nil || len(a) != len(bl) {
			return differ(false)
		}
		for i := range a {
			if d := within(fmt.Sprintf("[%d]", i), a[i], bl[i]); d != nil {
				return d
			}
		}
		return nil
	case map[string]any:
		bm, isMap := b.(map[string]any)
		if !isMap && b != nil || len(a) != len(bm) {
			return differ(false)
		}
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			bv, has := bm[k]
			if !has {
				return differ(false)
			}
			if d := within(fmt.Sprintf("[%q]", k), a[k], bv); d != nil {
				return d
			}
		}
		return nil
	case unionVal:
		bu, ok := b.(unionVal)
		if !ok || a.Index != bu.Index {
			return differ(false)
		}
		return within(fmt.Sprintf("(branch %d)", a.Index), a.Value, bu.Value)
	case []byte:
		bb, ok := b.([]byte)
		return differ(ok && bytes.Equal(a, bb))
	case float64:
		bf, ok := b.(float64)
		return differ(ok && (math.IsNaN(a) && math.IsNaN(bf) || math.Float64bits(a) == math.Float64bits(bf)))
	case *big.Rat:
		br, ok := b.(*big.Rat)
		if !ok || a == nil || br == nil {
			return differ(ok && a == br)
		}
		return differ(a.Cmp(br) == 0)
	case time.Time:
		bt, ok := b.(time.Time)
		return differ(ok && a.Equal(bt))
	case nil:
		switch b := b.(type) {
		case []any:
			return differ(len(b) == 0)
		case map[string]any:
			return differ(len(b) == 0)
		}
		return differ(b == nil)
	}
	return differ(a == b)
}

// countNodes counts the values within v.
func countNodes(v any) int {
	switch v := v.(type) {
	case []any:
		n := 1
		for _, x := range v {
			n += countNodes(x)
		}
		return n
	case map[string]any:
		n := 1
		for _, x := range v {
			n += countNodes(x)
		}
		return n
	case unionVal:
		return 1 + countNodes(v.Value)
	}
	return 1
}

// shorten returns v printed, cut to a line.
func shorten(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func TestNormDiff(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, tt := range []struct {
		name string
		a, b any
		// path is where they differ; empty: they are equal.
		path string
	}{
		{"NaN equals NaN", math.NaN(), math.NaN(), ""},
		{"-0 is not 0", negZero, 0.0, `at ""`},
		{"nil is empty", map[string]any{"l": nil, "m": map[string]any{}}, map[string]any{"l": []any{}, "m": nil}, ""},
		{"rationals by value", big.NewRat(1, 2), big.NewRat(2, 4), ""},
		{"nil rational", (*big.Rat)(nil), big.NewRat(0, 1), `at ""`},
		{"times by instant", time.Unix(5, 0), time.Unix(5, 0).In(time.FixedZone("x", 3600)), ""},
		{"another branch", unionVal{Index: 0, Value: "a"}, unionVal{Index: 1, Value: "a"}, `at ""`},
		{"deep", map[string]any{"a": []any{unionVal{Index: 1, Value: map[string]any{"k": []byte{1}}}}},
			map[string]any{"a": []any{unionVal{Index: 1, Value: map[string]any{"k": []byte{2}}}}}, `at "[\"a\"][0](branch 1)[\"k\"]"`},
		{"a key more", map[string]any{"a": int64(1)}, map[string]any{"a": int64(1), "b": int64(1)}, `at ""`},
		{"another type", int64(1), 1.0, `at ""`},
	} {
		got := normDiff(tt.a, tt.b)
		if tt.path == "" && got != "" || tt.path != "" && !strings.HasPrefix(got, tt.path+":") {
			t.Errorf("%s: normDiff = %q, want the path %q", tt.name, got, tt.path)
		}
	}
}
