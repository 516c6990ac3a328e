package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/schema"
)

func TestResolverTranscodes(t *testing.T) {
	for _, tc := range resolveCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := schema.NewResolver(schema.MustParse(tc.writer), schema.MustParse(tc.reader))
			if err != nil {
				t.Fatalf("NewResolver: %v", err)
			}
			src := marshal(t, tc.writer, tc.in)
			prefix := []byte("keep")
			out, err := res.Transcode(prefix, src)
			if err != nil {
				t.Fatalf("Transcode(%x): %v", src, err)
			}
			if !bytes.HasPrefix(out, prefix) {
				t.Fatalf("Transcode dropped the prefix: %x", out)
			}
			// hamba, an independent decoder of the reader schema, reads the
			// output as the value the case expects.
			hr := hambaParse(t, tc.reader)
			var got, want any
			if err := hambaAPI().Unmarshal(hr, out[len(prefix):], &got); err != nil {
				t.Fatalf("hamba cannot read Transcode(%x) = %x: %v", src, out[len(prefix):], err)
			}
			if err := hambaAPI().Unmarshal(hr, marshal(t, tc.reader, tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b *big.Rat) bool { return a.Cmp(b) == 0 })); diff != "" {
				t.Errorf("Transcode(%x) = %x, read as (-want +got):\n%s", src, out[len(prefix):], diff)
			}
		})
	}
}

func TestResolverMapDefaultWithSeveralKeys(t *testing.T) {
	writer := record(field("a", `"int"`, ""))
	reader := record(field("a", `"int"`, ""), field("m", `{"type":"map","values":"int"}`, `{"z":26,"a":1,"m":13}`))
	res, err := schema.NewResolver(schema.MustParse(writer), schema.MustParse(reader))
	if err != nil {
		t.Fatal(err)
	}
	out, err := res.Transcode(nil, marshal(t, writer, map[string]any{"a": 5}))
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := hambaAPI().Unmarshal(hambaParse(t, reader), out, &got); err != nil {
		t.Fatalf("hamba cannot read the output %x: %v", out, err)
	}
	want := map[string]any{"a": 5, "m": map[string]any{"z": 26, "a": 1, "m": 13}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestResolverArrayBlocks(t *testing.T) {
	// An array<int> written in three blocks, the first with a negative
	// count and a byte size, as the specification allows.
	writer := `{"type":"array","items":"int"}`
	reader := `{"type":"array","items":"long"}`
	src := []byte{
		0x03, 0x04, 0x02, 0x04, // count -2, size 2, items 1, 2
		0x02, 0x06, // count 1, item 3
		0x00,
	}
	res, err := schema.NewResolver(schema.MustParse(writer), schema.MustParse(reader))
	if err != nil {
		t.Fatal(err)
	}
	got, err := res.Transcode(nil, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x04, 0x02, 0x04, 0x02, 0x06, 0x00}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNewResolverRefuses(t *testing.T) {
	tests := []struct {
		name, writer, reader, wantIn string
	}{
		{"other record", `{"type":"record","name":"A","fields":[]}`, `{"type":"record","name":"B","fields":[]}`, "record A"},
		{"missing default", record(field("a", `"int"`, "")), record(field("a", `"int"`, ""), field("b", `"int"`, "")), "R.b"},
		{"narrowing", record(field("a", `"long"`, "")), record(field("a", `"int"`, "")), "R.a"},
		{"string to int", record(field("a", `"string"`, "")), record(field("a", `"int"`, "")), "string"},
		{"enum symbol without default",
			record(field("e", `{"type":"enum","name":"E","symbols":["A","B"]}`, "")),
			record(field("e", `{"type":"enum","name":"E","symbols":["A"]}`, "")), `"B"`},
		{"fixed size",
			record(field("f", `{"type":"fixed","name":"F","size":2}`, "")),
			record(field("f", `{"type":"fixed","name":"F","size":3}`, "")), "size"},
		{"writer union branch unreadable",
			record(field("u", `["null","string"]`, "")), record(field("u", `"string"`, "")), "branch 0"},
		{"union lacks the writer's type",
			record(field("u", `"boolean"`, "")), record(field("u", `["null","string"]`, "")), "boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schema.NewResolver(schema.MustParse(tt.writer), schema.MustParse(tt.reader))
			if !errors.Is(err, schema.ErrUnresolvable) {
				t.Fatalf("err = %v, want ErrUnresolvable", err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantIn)
			}
		})
	}
}

// TestNewResolverRefusesBadDefaults checks defaults that Parse lets through
// or that a model built in code may hold: the resolver encodes each default
// itself and must refuse one that does not fit its type.
func TestNewResolverRefusesBadDefaults(t *testing.T) {
	tests := []struct {
		name, typ, def, wantIn string
	}{
		{"string for int", `"int"`, `"five"`, "int"},
		{"int out of range", `"int"`, `2147483648`, "range"},
		{"fraction for long", `"long"`, `1.5`, "long"},
		{"enum default not a symbol", `{"type":"enum","name":"E","symbols":["A"]}`, `"Z"`, "Z"},
		{"fixed default of the wrong size", `{"type":"fixed","name":"F","size":2}`, `"abc"`, "fixed"},
		{"bytes default above U+00FF", `"bytes"`, `"\u0100"`, "U+0100"},
		{"record default lacking a field", `{"type":"record","name":"S","fields":[{"name":"q","type":"int"}]}`, `{}`, "q"},
		{"union default matching no branch", `["null","int"]`, `"s"`, "union"},
		{"not JSON", `"int"`, `{`, "default"},
	}
	writer := schema.MustParse(record(field("a", `"int"`, "")))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reader := schema.MustParse(record(field("a", `"int"`, ""), field("b", tt.typ, "")))
			reader.Root.Fields[1].Default = json.RawMessage(tt.def)
			_, err := schema.NewResolver(writer, reader)
			if !errors.Is(err, schema.ErrUnresolvable) {
				t.Fatalf("err = %v, want ErrUnresolvable", err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantIn)
			}
		})
	}
}

func TestResolverRichRoundTrip(t *testing.T) {
	res, err := schema.NewResolver(schema.MustParse(richWriter), schema.MustParse(richReader))
	if err != nil {
		t.Fatal(err)
	}
	out, err := res.Transcode(nil, marshal(t, richWriter, richValue))
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := hambaAPI().Unmarshal(hambaParse(t, richReader), out, &got); err != nil {
		t.Fatalf("hamba cannot read the output %x: %v", out, err)
	}
	want := map[string]any{
		"arr": []any{map[string]any{"b": true, "f": 0.5}},
		"i":   7.0, "l": int64(-8), "s": []byte("str"), "e": "Z",
		"u":     map[string]any{"t.F": [2]byte{1, 2}},
		"added": nil,
		"next": map[string]any{"t.R": map[string]any{
			"arr": []any{}, "i": 1.0, "l": int64(2), "s": []byte{}, "e": "C",
			"u": map[string]any{"long": int64(3)}, "added": nil, "next": nil,
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
