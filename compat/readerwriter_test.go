package compat

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/schema"
)

func mustParse(t testing.TB, text string) *schema.Parsed {
	t.Helper()
	p, err := schema.Parse(text)
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	return p
}

func summary(in []Incompatibility) []string {
	out := []string{}
	for _, p := range in {
		out = append(out, string(p.Kind)+" "+p.Location)
	}
	return out
}

func TestReaderWriterTable(t *testing.T) {
	cases := allCases()
	if len(cases) < 150 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, w := mustParse(t, c.reader), mustParse(t, c.writer)
			got := ReaderWriter(r.Root, w.Root)
			want := c.want
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, summary(got)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			for _, p := range got {
				if p.Message == "" || p.AvroMessage == "" {
					t.Errorf("%s at %s: empty message %q or avro message %q", p.Kind, p.Location, p.Message, p.AvroMessage)
				}
			}
		})
	}
}

// The same schema text parsed twice shares no node, so this checks the
// comparison itself, not pointer equality.
func TestReaderWriterIsReflexive(t *testing.T) {
	for _, c := range allCases() {
		if c.selfIncompatible {
			continue
		}
		for _, text := range []string{c.reader, c.writer} {
			a, b := mustParse(t, text), mustParse(t, text)
			if got := ReaderWriter(a.Root, b.Root); len(got) != 0 {
				t.Errorf("%s: a schema does not read itself: %v", c.name, summary(got))
			}
		}
	}
}

func TestAvroMessages(t *testing.T) {
	tests := []struct {
		name           string
		reader, writer string
		want           []string
	}{
		{"type mismatch", `"long"`, `"string"`, []string{"reader type: LONG not compatible with writer type: STRING"}},
		{"name mismatch", `{"type":"fixed","name":"a.G","size":4}`, `{"type":"fixed","name":"b.F","size":4}`, []string{"expected: b.F"}},
		{"fixed size", `{"type":"fixed","name":"F","size":16}`, `{"type":"fixed","name":"F","size":8}`, []string{"expected: 8, found: 16"}},
		{"enum symbols sorted", enumOf("E", "A"), enumOf("E", "D", "A", "C", "B"), []string{"[B, C, D]"}},
		{"missing default", rec("R", `{"name":"cafe_id","type":"long"}`), rec("R", ``), []string{"cafe_id"}},
		{"union branch", `["null","int"]`, `["null","int",{"type":"map","values":"int"}]`, []string{"reader union lacking writer type: MAP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, p := range ReaderWriter(mustParse(t, tt.reader).Root, mustParse(t, tt.writer).Root) {
				got = append(got, p.AvroMessage)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("avro messages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessagesExplain(t *testing.T) {
	reader := mustParse(t, deadline(`,{"name":"address","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"},{"name":"zip","type":"int"}]}}`))
	writer := mustParse(t, deadline(`,{"name":"address","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"},{"name":"zip","type":"string"}]}}`))
	got := ReaderWriter(reader.Root, writer.Root)
	if len(got) != 1 {
		t.Fatalf("got %d problems, want 1: %v", len(got), summary(got))
	}
	for _, want := range []string{"field address.zip", "int", "string", "the reader schema", "the writer schema", "cannot be read"} {
		if !strings.Contains(got[0].Message, want) {
			t.Errorf("message %q lacks %q", got[0].Message, want)
		}
	}
}

func TestMissingUnionBranchCauses(t *testing.T) {
	reader := mustParse(t, rec("R", `{"name":"opt","type":["null",`+rec("Foo", `{"name":"x","type":"int"},{"name":"y","type":"int"}`)+`]}`))
	writer := mustParse(t, rec("R", `{"name":"opt","type":["null",`+rec("Foo", `{"name":"x","type":"int"}`)+`]}`))
	got := ReaderWriter(reader.Root, writer.Root)
	if diff := cmp.Diff([]string{"MISSING_UNION_BRANCH /fields/0/type/1"}, summary(got)); diff != "" {
		t.Fatalf("problems (-want +got):\n%s", diff)
	}
	// The cause is found in the reader's branch 1 while searching the union
	// for the writer's branch 1.
	if diff := cmp.Diff([]string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/0/type/1/1/fields/1"}, summary(got[0].Causes)); diff != "" {
		t.Errorf("causes (-want +got):\n%s", diff)
	}
	if !strings.Contains(got[0].Message, "field opt.y") {
		t.Errorf("message does not name the missing field: %q", got[0].Message)
	}
}

// hamba/avro's checker caches verdicts by canonical fingerprint, which
// ignores defaults, so a second check of schemas that differ only in a
// default answers wrongly. Every ReaderWriter call starts afresh.
func TestNoCacheAcrossCalls(t *testing.T) {
	writer := mustParse(t, rec("R", `{"name":"a","type":"int"}`))
	withDefault := mustParse(t, rec("R", `{"name":"a","type":"int"},{"name":"b","type":"int","default":1}`))
	without := mustParse(t, rec("R", `{"name":"a","type":"int"},{"name":"b","type":"int"}`))
	if got := ReaderWriter(withDefault.Root, writer.Root); len(got) != 0 {
		t.Fatalf("with default: %v", summary(got))
	}
	if got := ReaderWriter(without.Root, writer.Root); len(got) != 1 {
		t.Fatalf("without default after a compatible check: %v", summary(got))
	}
}

func TestReaderWriterNil(t *testing.T) {
	if got := ReaderWriter(nil, mustParse(t, `"int"`).Root); got != nil {
		t.Errorf("nil reader: %v", got)
	}
}
