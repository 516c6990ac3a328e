package corpus

import (
	"reflect"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/lunchbot/eventkit/internal/schema"
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
