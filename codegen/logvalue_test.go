package codegen

import (
	"strings"
	"testing"
)

// TestLogValueOfEveryType: a record whose fields cannot be null returns one
// group of them, each as its type logs: the slog kind of a primitive,
// slog.Time of a timestamp, the text of a date, time of day, local
// timestamp, UUID, enum and decimal, the length of bytes, fixed, arrays
// and maps, a nested record's own LogValue.
func TestLogValueOfEveryType(t *testing.T) {
	src := generateOne(t, `{"type":"record","name":"All","fields":[
	{"name":"flag","type":"boolean"},
	{"name":"small","type":"int"},
	{"name":"big","type":"long"},
	{"name":"ratio","type":"float"},
	{"name":"share","type":"double"},
	{"name":"blob","type":"bytes"},
	{"name":"label","type":"string"},
	{"name":"none","type":"null"},
	{"name":"day","type":{"type":"int","logicalType":"date"}},
	{"name":"opens","type":{"type":"int","logicalType":"time-millis"}},
	{"name":"closes","type":{"type":"long","logicalType":"time-micros"}},
	{"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
	{"name":"wall","type":{"type":"long","logicalType":"local-timestamp-millis"}},
	{"name":"id","type":{"type":"string","logicalType":"uuid"}},
	{"name":"span","type":{"type":"fixed","name":"Span","size":12,"logicalType":"duration"}},
	{"name":"digest","type":{"type":"fixed","name":"MD5","size":16}},
	{"name":"level","type":{"type":"enum","name":"Level","symbols":["LOW","HIGH"]}},
	{"name":"tags","type":{"type":"array","items":"string"}},
	{"name":"counts","type":{"type":"map","values":"long"}},
	{"name":"inner","type":{"type":"record","name":"Inner","fields":[{"name":"n","type":"long"}]}},
	{"name":"only","type":["string"]}]}`)
	body := methodBody(t, src, "All", "LogValue")
	want := `{
	if a == nil {
		return slog.GroupValue()
	}
	return slog.GroupValue(
		slog.Bool("flag", a.Flag),
		slog.Int("small", int(a.Small)),
		slog.Int64("big", a.Big),
		slog.Float64("ratio", float64(a.Ratio)),
		slog.Float64("share", a.Share),
		slog.Group("blob", slog.Int("len", len(a.Blob))),
		slog.String("label", avrobin.LogText(a.Label)),
		slog.String("day", a.Day.String()),
		slog.String("opens", avrobin.TimeOfDayText(a.Opens, 3)),
		slog.String("closes", avrobin.TimeOfDayText(a.Closes, 6)),
		slog.Time("at", a.At),
		slog.String("wall", string(avrobin.AppendTimeText(nil, a.Wall, 3, true))),
		slog.String("id", a.ID.String()),
		slog.Group("span", slog.Uint64("months", uint64(a.Span.Months)), slog.Uint64("days", uint64(a.Span.Days)), slog.Uint64("milliseconds", uint64(a.Span.Milliseconds))),
		slog.Group("digest", slog.Int("len", len(a.Digest))),
		slog.String("level", a.Level.String()),
		slog.Group("tags", slog.Int("len", len(a.Tags))),
		slog.Group("counts", slog.Int("len", len(a.Counts))),
		slog.Attr{Key: "inner", Value: a.Inner.LogValue()},
		slog.String("only", avrobin.LogText(a.Only)),
	)
}`
	if body != want {
		t.Errorf("All.LogValue:\n%s\nwant\n%s", body, want)
	}
	doc := methodDoc(t, src, "All", "LogValue")
	for _, part := range []string{"Of blob, digest, tags and counts it logs only the length", "A field that is null is left out.", "A nil a is an empty group"} {
		if !strings.Contains(doc, part) {
			t.Errorf("LogValue's doc lacks %q: %s", part, doc)
		}
	}
}

// TestLogValueLeavesOutNulls: fields that may be null (optionals, unions
// with null, decimals) are appended only when they are not, the branch of
// a union by its type; an optional record needs no check, as its LogValue
// of nil is an empty group, which slog.GroupValue drops.
func TestLogValueLeavesOutNulls(t *testing.T) {
	src := generateOne(t, `{"type":"record","name":"Opt","fields":[
	{"name":"id","type":"long"},
	{"name":"note","type":["null","string"]},
	{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
	{"name":"maybe_price","type":["null",{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}]},
	{"name":"pay","type":["null","string",{"type":"record","name":"Card","fields":[{"name":"last4","type":"string"}]}]},
	{"name":"card","type":["null","Card"]},
	{"name":"kind","type":"string"},
	{"name":"rank","type":"int"}]}`)
	body := methodBody(t, src, "Opt", "LogValue")
	want := `{
	if o == nil {
		return slog.GroupValue()
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.Int64("id", o.ID))
	if o.Note != nil {
		attrs = append(attrs, slog.String("note", avrobin.LogText(*o.Note)))
	}
	if o.Price != nil {
		attrs = append(attrs, slog.String("price", o.Price.FloatString(2)))
	}
	if o.MaybePrice != nil {
		attrs = append(attrs, slog.String("maybe_price", o.MaybePrice.FloatString(2)))
	}
	switch v := o.Pay.(type) {
	case OptPayString:
		attrs = append(attrs, slog.String("pay", avrobin.LogText(string(v))))
	case *Card:
		attrs = append(attrs, slog.Attr{Key: "pay", Value: v.LogValue()})
	}
	attrs = append(attrs,
		slog.Attr{Key: "card", Value: o.Card.LogValue()},
		slog.String("kind", avrobin.LogText(o.Kind)),
		slog.Int("rank", int(o.Rank)),
	)
	return slog.GroupValue(attrs...)
}`
	if body != want {
		t.Errorf("Opt.LogValue:\n%s\nwant\n%s", body, want)
	}
}

// TestLogValueCutsRecursion: a recursive record's LogValue counts its
// depth and stops at logDepth, so that a long list makes a short line.
func TestLogValueCutsRecursion(t *testing.T) {
	src := generateOne(t, `{"type":"record","name":"Node","fields":[
	{"name":"value","type":"long"},{"name":"next","type":["null","Node"]}]}`)
	if got := methodBody(t, src, "Node", "LogValue"); got != "{\n\treturn x.logValue(0)\n}" {
		t.Errorf("Node.LogValue: %s", got)
	}
	body := methodBody(t, src, "Node", "logValue")
	for _, want := range []string{
		"if x == nil {\n\t\treturn slog.GroupValue()\n\t}",
		"if depth >= 8 {\n\t\treturn slog.StringValue(\"(nested deeper: left out)\")\n\t}",
		`slog.Attr{Key: "next", Value: x.Next.logValue(depth + 1)}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("Node.logValue lacks %s:\n%s", want, body)
		}
	}
	if doc := methodDoc(t, src, "Node", "LogValue"); !strings.HasSuffix(doc, "nested more than 8 deep are left out.") {
		t.Errorf("LogValue's doc: %s", doc)
	}
}

// TestLogValueIsNoFieldName: a field named log_value takes another Go name,
// as the fields named for the other methods do.
func TestLogValueIsNoFieldName(t *testing.T) {
	src := generateOne(t, `{"type":"record","name":"R","fields":[{"name":"log_value","type":"long"}]}`)
	if !strings.Contains(src, "LogValueField int64 `avro:\"log_value\"`") || !strings.Contains(src, `slog.Int64("log_value", x.LogValueField)`) {
		t.Errorf("field log_value:\n%s", src)
	}
}

// TestRenamedFieldNotes: a field renamed because of a method says so; one
// renamed because an earlier field took its Go name names that field, even
// when the earlier one was itself renamed.
func TestRenamedFieldNotes(t *testing.T) {
	src := generateOne(t, `{"type":"record","name":"R","fields":[{"name":"validate","type":"long"},{"name":"validate_field","type":"long"},{"name":"a_b","type":"long"},{"name":"aB","type":"long"}]}`)
	for _, want := range []string{
		"// The Avro field validate. Not Validate, which is a method.\n",
		"// The Avro field validate_field. Not ValidateField, which is field\n\t// validate.\n",
		"// The Avro field aB. Not AB, which is field a_b.\n",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
}
