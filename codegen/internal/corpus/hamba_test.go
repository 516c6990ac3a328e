package corpus

import (
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// hambaAPIs: the default (arrays and maps in blocks with byte sizes) and
// one that writes plain counts in one block, as the generated code does
// (hamba's blocks hold 100 items unless told otherwise).
var (
	hambaDefault = avro.Config{}.Freeze()
	hambaCounts  = avro.Config{DisableBlockSizeHeader: true, BlockLength: 1 << 30}.Freeze()
)

// branchName is hamba's name of a union branch.
func branchName(b *schema.Schema) string {
	if b.Kind.IsNamed() {
		if n, ok := hambaNames[b.Name]; ok {
			return n
		}
		return b.Name
	}
	if b.Logical != "" && hambaKnows(b.Logical) {
		return b.Kind.String() + "." + b.Logical
	}
	return b.Kind.String()
}

// hambaNames are hamba's full names of the named types of the schema
// under test where they differ from the specification's: hamba/avro 2.31
// takes an explicit empty namespace ("namespace": "") for none, so that the
// type is in the enclosing namespace. setHambaNames sets them.
var hambaNames map[string]string

// setHambaNames sets hambaNames for s, which hamba parsed as h.
func setHambaNames(s *schema.Schema, h avro.Schema) {
	hambaNames = map[string]string{}
	var walk func(s *schema.Schema, h avro.Schema)
	walk = func(s *schema.Schema, h avro.Schema) {
		if _, ref := h.(*avro.RefSchema); ref {
			return // a use of a type defined before
		}
		if n, ok := h.(avro.NamedSchema); ok && n.FullName() != s.Name {
			hambaNames[s.Name] = n.FullName()
		}
		switch s.Kind {
		case schema.Record:
			for i, f := range s.Fields {
				walk(f.Type, h.(*avro.RecordSchema).Fields()[i].Type())
			}
		case schema.Array:
			walk(s.Items, h.(*avro.ArraySchema).Items())
		case schema.Map:
			walk(s.Values, h.(*avro.MapSchema).Values())
		case schema.Union:
			for i, b := range s.Branches {
				walk(b, h.(*avro.UnionSchema).Types()[i])
			}
		}
	}
	walk(s, h)
}

// hambaKnows reports whether hamba/avro 2.31 implements a logical type.
func hambaKnows(logical string) bool {
	switch logical {
	case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
		return false
	}
	return true
}

// hambaResolves reports whether hamba decodes a union into its value (every
// branch registered with its type resolver) rather than into a map of the
// branch name to the value.
func hambaResolves(u *schema.Schema) bool {
	for _, b := range u.Branches {
		switch {
		case b.Kind.IsNamed(), b.Kind == schema.Array, b.Kind == schema.Map:
			return false
		case b.Logical == schema.LogicalLocalTimestampMillis, b.Logical == schema.LogicalLocalTimestampMicros:
			return false
		}
	}
	return true
}

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

// TestHamba checks the generated code against hamba/avro on random values:
// hamba decodes what the generated code writes to the same value; the
// generated code decodes what hamba writes (arrays and maps in blocks with
// byte sizes) to the same value; and the bytes are identical when hamba
// writes plain counts (and no map has several keys, whose order hamba
// leaves to Go's map iteration).
func TestHamba(t *testing.T) {
	for _, ev := range corpusEvents() {
		name := reflect.TypeOf(ev).Elem().Name()
		t.Run(name, func(t *testing.T) {
			p := parsed(t, ev)
			root := p.Root
			hs, err := avro.ParseWithCache(ev.Contract().Schema, "", &avro.SchemaCache{})
			if err != nil {
				t.Fatal(err)
			}
			setHambaNames(root, hs)
			g := newGen(11, name)
			identical := 0
			for i := range iterations() {
				g.singleKeyMaps = i%2 == 0 // half the values encode byte for byte as hamba's
				want := g.next(root)

				// hamba writes, we read.
				hin, err := hambaDefault.Marshal(hs, toHamba(root, want))
				if err != nil {
					t.Fatalf("#%d: hamba Marshal: %v\nvalue: %v", i, err, want)
				}
				v := newLike(ev)
				if err := v.UnmarshalAvro(hin); err != nil {
					t.Fatalf("#%d: UnmarshalAvro of hamba's %x: %v", i, hin, err)
				}
				if diff := normDiff(want, goNorm(root, reflect.ValueOf(v))); diff != "" {
					t.Fatalf("#%d: decoded hamba's bytes to a different value:\n%s", i, diff)
				}

				// We write, hamba reads.
				out, err := v.AppendAvro(nil)
				if err != nil {
					t.Fatalf("#%d: AppendAvro: %v", i, err)
				}
				var h any
				if err := hambaDefault.Unmarshal(hs, out, &h); err != nil {
					t.Fatalf("#%d: hamba Unmarshal of %x: %v", i, out, err)
				}
				got, err := fromHamba(root, h, want)
				if err != nil {
					t.Fatalf("#%d: %v", i, err)
				}
				if diff := normDiff(want, got); diff != "" {
					t.Fatalf("#%d: hamba decoded our bytes to a different value:\n%s", i, diff)
				}

				// The same bytes.
				if !hasCollections(root) || !multiKeyMap(root, want) {
					counts, err := hambaCounts.Marshal(hs, toHamba(root, want))
					if err != nil {
						t.Fatal(err)
					}
					if !equalBytes(out, counts) {
						t.Fatalf("#%d: bytes differ from hamba's\nours:  %x\nhamba: %x\nvalue: %v", i, out, counts, want)
					}
					if !hasCollections(root) && !equalBytes(out, hin) {
						t.Fatalf("#%d: bytes differ from hamba's default encoding", i)
					}
					identical++
				}
			}
			if identical < iterations()/4 {
				t.Errorf("only %d of %d values compared byte for byte", identical, iterations())
			}
		})
	}
}

// TestDefaultsMatchHamba checks New<Record> against the defaults hamba
// applies when it reads data written without a defaulted field, one field
// at a time.
func TestDefaultsMatchHamba(t *testing.T) {
	checked := 0
	for _, ev := range corpusEvents() {
		root := parsed(t, ev).Root
		hs, err := avro.ParseWithCache(ev.Contract().Schema, "", &avro.SchemaCache{})
		if err != nil {
			t.Fatal(err)
		}
		rec := hs.(*avro.RecordSchema)
		want := goNorm(root, reflect.ValueOf(construct(ev))).(map[string]any)
		for dropped, df := range rec.Fields() {
			if !df.HasDefault() {
				continue
			}
			// The writer's schema: every field but the defaulted one.
			var kept []*avro.Field
			wm := map[string]any{}
			for i, f := range rec.Fields() {
				if i == dropped {
					continue
				}
				nf, err := avro.NewField(f.Name(), f.Type())
				if err != nil {
					t.Fatal(err)
				}
				kept = append(kept, nf)
				wm[f.Name()] = toHamba(root.Fields[i].Type, want[f.Name()])
			}
			writer, err := avro.NewRecordSchema(rec.Name(), rec.Namespace(), kept)
			if err != nil {
				t.Fatal(err)
			}
			resolved, err := avro.NewSchemaCompatibility().Resolve(hs, writer)
			if err != nil {
				t.Fatalf("%s.%s: resolving: %v", rec.FullName(), df.Name(), err)
			}
			data, err := hambaDefault.Marshal(writer, wm)
			if err != nil {
				t.Fatalf("%s.%s: %v", rec.FullName(), df.Name(), err)
			}
			var h any
			if err := hambaDefault.Unmarshal(resolved, data, &h); err != nil {
				// hamba/avro 2.31 cannot apply a record default that
				// holds a null; say so rather than hide it.
				t.Logf("%s.%s: hamba cannot apply the default: %v", rec.FullName(), df.Name(), err)
				continue
			}
			got, err := fromHamba(root.Fields[dropped].Type, h.(map[string]any)[df.Name()], want[df.Name()])
			if err != nil {
				t.Fatalf("%s.%s: %v", rec.FullName(), df.Name(), err)
			}
			if g, ok := got.(int64); ok && g != want[df.Name()] && float64(g) == float64(want[df.Name()].(int64)) {
				// hamba/avro reads JSON numbers as float64.
				t.Logf("%s.%s: hamba rounds the default to %d", rec.FullName(), df.Name(), g)
				continue
			}
			if diff := normDiff(got, want[df.Name()]); diff != "" {
				t.Errorf("%s.%s: New differs from hamba's default :\n%s", rec.FullName(), df.Name(), diff)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d defaults checked", checked)
	}
}
