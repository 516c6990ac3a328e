package codegen

import (
	"strings"
	"testing"
)

// problemsSchema has records that each need some checks: Event a "const",
// a date, a timestamp and a nested record; Inner an enum; Plain none;
// Node, recursive, required strings.
const problemsSchema = `{"type":"record","name":"Event","fields":[
	{"name":"kind","type":"string","const":"k"},
	{"name":"day","type":{"type":"int","logicalType":"date"}},
	{"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
	{"name":"inner","type":{"type":"record","name":"Inner","fields":[
		{"name":"level","type":{"type":"enum","name":"Level","symbols":["LOW","HIGH"]}}]}},
	{"name":"plain","type":{"type":"record","name":"Plain","fields":[{"name":"n","type":"long"},{"name":"b","type":"bytes"}]}},
	{"name":"node","type":["null",{"type":"record","name":"Node","fields":[
		{"name":"label","type":"string"},{"name":"next","type":["null","Node"]}]}]}]}`

// TestValidateDocNamesItsChecks checks that Validate's doc names the checks
// of the record and of the records it holds, and no other.
func TestValidateDocNamesItsChecks(t *testing.T) {
	src := generateOne(t, problemsSchema)
	for _, tt := range []struct {
		typ, want string
	}{
		{"Event", `or nil: a field that differs from its "const", an empty required string, a string that is not UTF-8, a date that does not exist, an unset timestamp, a time out of range, an enum value that is no symbol, or records nested deeper than avrobin.MaxDepth.`},
		{"Inner", "or nil: an enum value that is no symbol."},
		{"Plain", "or nil: its schema constrains none of its fields' values, so only a nil p breaks it."},
		{"Node", "or nil: an empty required string, a string that is not UTF-8, or records nested deeper than avrobin.MaxDepth."},
	} {
		if doc := methodDoc(t, src, tt.typ, "Validate"); !strings.HasSuffix(doc, tt.want) {
			t.Errorf("%s.Validate's doc:\n%s\nwant it to end\n%s", tt.typ, doc, tt.want)
		}
	}
}

// TestValidateRequiresTimestampsWithoutDefault: a timestamp must be set
// (CheckRequired...) unless it is a field with a default; items, map
// values and union branches have none to fall back on.
func TestValidateRequiresTimestampsWithoutDefault(t *testing.T) {
	src := generateOne(t, `{"type":"record","name":"Times","fields":[
	{"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
	{"name":"since","type":{"type":"long","logicalType":"local-timestamp-millis"},"default":0},
	{"name":"maybe","type":["null",{"type":"long","logicalType":"timestamp-nanos"}],"default":null},
	{"name":"all","type":{"type":"array","items":{"type":"long","logicalType":"timestamp-millis"}},"default":[]}]}`)
	for _, want := range []string{
		`avrobin.CheckRequiredTimestampMicros(t.At)`,
		`avrobin.CheckLocalTimestampMillis(t.Since)`,
		`avrobin.CheckRequiredTimestampNanos(*t.Maybe)`,
		`avrobin.CheckRequiredTimestampMillis(t.All[i])`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated code lacks %s:\n%s", want, src)
		}
	}
	if doc := methodDoc(t, src, "Times", "Validate"); !strings.HasSuffix(doc, "or nil: an unset timestamp or a time out of range.") {
		t.Errorf("Validate's doc: %s", doc)
	}
}

func TestProblemString(t *testing.T) {
	for p, want := range map[problem]string{
		0:                         "",
		problemDate:               "a date that does not exist",
		problemDate | problemTime: "a date that does not exist or a time out of range",
		problemUnion | problemDecimal | problemConst: `a field that differs from its "const", an unset union, or a decimal that is nil or does not fit its precision and scale`,
	} {
		if got := p.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint16(p), got, want)
		}
	}
}
