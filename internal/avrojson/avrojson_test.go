package avrojson_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
)

// codecCase is one value of a schema in its three forms. The hex is written
// by hand from the specification (and checked against Apache Avro Java by
// TestAvroJSONAgreesWithApacheAvroJava).
type codecCase struct {
	name   string
	schema string
	hex    string
	plain  string
	avro   string // "" when the same as plain
}

const recordSchema = `{"type":"record","name":"R","namespace":"n","fields":[
 {"name":"a","type":"int"},
 {"name":"b","type":["null","string"]},
 {"name":"c","type":{"type":"array","items":"long"}}]}`

const unionSchema = `["null","int","string",{"type":"record","name":"P","namespace":"n","fields":[{"name":"x","type":"double"}]},{"type":"map","values":"boolean"},{"type":"array","items":"int"}]`

var codecCases = []codecCase{
	{"null", `"null"`, "", `null`, ""},
	{"boolean true", `"boolean"`, "01", `true`, ""},
	{"boolean false", `"boolean"`, "00", `false`, ""},
	{"int 42", `"int"`, "54", `42`, ""},
	{"int -1", `"int"`, "01", `-1`, ""},
	{"int max", `"int"`, "feffffff0f", `2147483647`, ""},
	{"int min", `"int"`, "ffffffff0f", `-2147483648`, ""},
	{"long min", `"long"`, "ffffffffffffffffff01", `-9223372036854775808`, ""},
	{"long 64", `"long"`, "8001", `64`, ""},
	{"float 1.5", `"float"`, "0000c03f", `1.5`, ""},
	{"float NaN", `"float"`, "0000c07f", `"NaN"`, ""},
	{"float -Infinity", `"float"`, "000080ff", `"-Infinity"`, ""},
	{"double 0.1", `"double"`, "9a9999999999b93f", `0.1`, ""},
	{"double 1e21", `"double"`, "50efe2d6e41a4b44", `1e+21`, ""},
	{"double -0", `"double"`, "0000000000000080", `-0.0`, ""},
	{"double Infinity", `"double"`, "000000000000f07f", `"Infinity"`, ""},
	{"string", `"string"`, "0e68c3a96c6c6f0a", `"héllo\n"`, ""},
	{"string escapes", `"string"`, "0822015c7f", `"\"\u0001\\` + "\x7f" + `"`, ""},
	{"bytes", `"bytes"`, "0800ff4122", `"\u0000\u00ffA\""`, ""},
	{"bytes empty", `"bytes"`, "00", `""`, ""},
	{"fixed", `{"type":"fixed","name":"F","size":2}`, "617f", `"a\u007f"`, ""},
	{"enum", `{"type":"enum","name":"E","symbols":["A","B","C"]}`, "04", `"C"`, ""},
	{"array", `{"type":"array","items":"int"}`, "04020400", `[1,2]`, ""},
	{"array empty", `{"type":"array","items":"int"}`, "00", `[]`, ""},
	{"map", `{"type":"map","values":"long"}`, "0402620202610400", `{"b":1,"a":2}`, ""},
	{"map empty", `{"type":"map","values":"long"}`, "00", `{}`, ""},
	{"record", recordSchema, "54020278020200", `{"a":42,"b":"x","c":[1]}`, `{"a":42,"b":{"string":"x"},"c":[1]}`},
	{"record null", recordSchema, "540000", `{"a":42,"b":null,"c":[]}`, ""},
	{"union null", unionSchema, "00", `null`, ""},
	{"union int", unionSchema, "0254", `42`, `{"int":42}`},
	{"union string", unionSchema, "040278", `"x"`, `{"string":"x"}`},
	{"union record", unionSchema, "06000000000000f83f", `{"x":1.5}`, `{"n.P":{"x":1.5}}`},
	{"union map", unionSchema, "0802027a0100", `{"z":true}`, `{"map":{"z":true}}`},
	{"union array", unionSchema, "0a020200", `[1]`, `{"array":[1]}`},
	{"date", `{"type":"int","logicalType":"date"}`, "e0c402", `"2026-11-27"`, `20784`},
	{"date before 1970", `{"type":"int","logicalType":"date"}`, "01", `"1969-12-31"`, `-1`},
	{"date beyond 9999", `{"type":"int","logicalType":"date"}`, "feffffff0f", `"+5881580-07-11"`, `2147483647`},
	{"date before year 0", `{"type":"int","logicalType":"date"}`, "ffffffff0f", `"-5877641-06-23"`, `-2147483648`},
	{"time-millis", `{"type":"int","logicalType":"time-millis"}`, "b685e32b", `"12:45:00.123"`, `45900123`},
	{"time-millis past a day", `{"type":"int","logicalType":"time-millis"}`, "feffffff0f", `2147483647`, ""},
	{"time-micros", `{"type":"long","logicalType":"time-micros"}`, "80b5e2fdd502", `"12:45:00.123456"`, `45900123456`},
	{"timestamp-millis epoch", `{"type":"long","logicalType":"timestamp-millis"}`, "00", `"1970-01-01T00:00:00.000Z"`, `0`},
	{"timestamp-millis before epoch", `{"type":"long","logicalType":"timestamp-millis"}`, "01", `"1969-12-31T23:59:59.999Z"`, `-1`},
	{"timestamp-micros", `{"type":"long","logicalType":"timestamp-micros"}`, "80a5d5f092d0b006", `"2026-11-27T11:45:00.123456Z"`, `1795779900123456`},
	{"timestamp-nanos", `{"type":"long","logicalType":"timestamp-nanos"}`, "aa94a99ac093f2eb31", `"2026-11-27T11:45:00.123456789Z"`, `1795779900123456789`},
	{"timestamp-micros beyond 9999", `{"type":"long","logicalType":"timestamp-micros"}`, "feffffffffffffffff01", `"+294247-01-10T04:00:54.775807Z"`, `9223372036854775807`},
	{"timestamp-millis in year 0", `{"type":"long","logicalType":"timestamp-millis"}`, "81e0e6a2e2a01c", `"0000-12-31T23:59:59.999Z"`, `-62135596800001`},
	{"local-timestamp-nanos at its start", `{"type":"long","logicalType":"local-timestamp-nanos"}`, "ffffffffffffffffff01", `"1677-09-21T00:12:43.145224192"`, `-9223372036854775808`},
	{"local-timestamp-micros", `{"type":"long","logicalType":"local-timestamp-micros"}`, "80a5d5f092d0b006", `"2026-11-27T11:45:00.123456"`, `1795779900123456`},
	{"decimal bytes", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, "0404d2", `"12.34"`, `"\u0004\u00d2"`},
	{"decimal bytes negative", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, "02ff", `"-0.01"`, `"\u00ff"`},
	{"decimal bytes zero", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, "0200", `"0.00"`, `"\u0000"`},
	{"decimal scale 0", `{"type":"bytes","logicalType":"decimal","precision":5}`, "040080", `"128"`, `"\u0000\u0080"`},
	{"decimal fixed", `{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":9,"scale":2}`, "fffffb2e", `"-12.34"`, `"\u00ff\u00ff\u00fb."`},
	{"uuid string", `{"type":"string","logicalType":"uuid"}`, "4830623561336232652d346439632d346535352d396234332d336231613864306636613031", `"0b5a3b2e-4d9c-4e55-9b43-3b1a8d0f6a01"`, ""},
	{"uuid fixed", `{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}`, "0b5a3b2e4d9c4e559b433b1a8d0f6a01", `"0b5a3b2e-4d9c-4e55-9b43-3b1a8d0f6a01"`, `"\u000bZ;.M\u009cNU\u009bC;\u001a\u008d\u000fj\u0001"`},
	{"duration", `{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}`, "010000000200000003000000", `{"months":1,"days":2,"milliseconds":3}`, `"\u0001\u0000\u0000\u0000\u0002\u0000\u0000\u0000\u0003\u0000\u0000\u0000"`},
}

func parse(t testing.TB, text string) *schema.Schema {
	t.Helper()
	p, err := schema.Parse(text)
	if err != nil {
		t.Fatalf("schema %s: %v", text, err)
	}
	return p.Root
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c codecCase) form(style avrojson.Style) string {
	if style == avrojson.AvroJSON && c.avro != "" {
		return c.avro
	}
	return c.plain
}

func TestDecodeEveryType(t *testing.T) {
	for _, c := range codecCases {
		s := parse(t, c.schema)
		for _, style := range []avrojson.Style{avrojson.Plain, avrojson.AvroJSON} {
			got, err := avrojson.Decode(s, unhex(t, c.hex), avrojson.Options{Style: style})
			if err != nil {
				t.Errorf("%s, %v: Decode: %v", c.name, style, err)
				continue
			}
			if want := c.form(style); string(got) != want {
				t.Errorf("%s, %v: Decode = %s, want %s", c.name, style, got, want)
			}
		}
	}
}

func TestEncodeEveryType(t *testing.T) {
	for _, c := range codecCases {
		s := parse(t, c.schema)
		for _, style := range []avrojson.Style{avrojson.Plain, avrojson.AvroJSON} {
			got, err := avrojson.Encode(s, []byte(c.form(style)), avrojson.Options{Style: style})
			if err != nil {
				t.Errorf("%s, %v: Encode(%s): %v", c.name, style, c.form(style), err)
				continue
			}
			if hex.EncodeToString(got) != c.hex {
				t.Errorf("%s, %v: Encode(%s) = %x, want %s", c.name, style, c.form(style), got, c.hex)
			}
		}
	}
}

// TestEncodeReadsTheOtherStyle: a plain input read with the Avro JSON
// style, and the other way round, gives the same bytes, except for decimals
// whose strings the two styles read differently, and for the day and unit
// counts of dates and timestamps, which the plain style refuses
// (TestPlainRefusesNumbersForDatesAndTimestamps).
func TestEncodeReadsTheOtherStyle(t *testing.T) {
	for _, c := range codecCases {
		if strings.Contains(c.schema, "decimal") {
			continue
		}
		s := parse(t, c.schema)
		inputs := []struct {
			text  string
			style avrojson.Style
		}{{c.plain, avrojson.AvroJSON}, {c.form(avrojson.AvroJSON), avrojson.Plain}}
		if s.Logical == schema.LogicalDate || schema.IsTimestamp(s.Logical) {
			inputs = inputs[:1]
		}
		for _, in := range inputs {
			got, err := avrojson.Encode(s, []byte(in.text), avrojson.Options{Style: in.style})
			if err != nil {
				t.Errorf("%s: Encode(%s) with %v: %v", c.name, in.text, in.style, err)
				continue
			}
			if hex.EncodeToString(got) != c.hex {
				t.Errorf("%s: Encode(%s) with %v = %x, want %s", c.name, in.text, in.style, got, c.hex)
			}
		}
	}
}

// TestEncodeAcceptedForms lists inputs other than Decode's output that
// Encode takes.
func TestEncodeAcceptedForms(t *testing.T) {
	for _, c := range []struct {
		name, schema, json, hex string
		style                   avrojson.Style
	}{
		{"white space and key order", recordSchema, " {\"c\" : [ 1 ] , \"b\":null,\n\"a\":42}\n", "5400020200", avrojson.Plain},
		{"timestamp with offset", `{"type":"long","logicalType":"timestamp-micros"}`, `"2026-11-27T12:45:00.123456+01:00"`, "80a5d5f092d0b006", avrojson.Plain},
		{"timestamp with fewer digits", `{"type":"long","logicalType":"timestamp-millis"}`, `"1970-01-01T00:00:01Z"`, "d00f", avrojson.Plain},
		{"time without fraction", `{"type":"int","logicalType":"time-millis"}`, `"00:00:01"`, "d00f", avrojson.Plain},
		{"decimal as a number", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `12.34`, "0404d2", avrojson.AvroJSON},
		{"decimal with fewer digits", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `"12.3"`, "0404ce", avrojson.Plain},
		{"decimal with exponent", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `1234e-2`, "0404d2", avrojson.Plain},
		{"decimal trailing zeros", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `"12.3400"`, "0404d2", avrojson.Plain},
		{"duration with a missing part", `{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}`, `{"days":2}`, "000000000200000000000000", avrojson.Plain},
		{"uuid upper case", `{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}`, `"0B5A3B2E-4D9C-4E55-9B43-3B1A8D0F6A01"`, "0b5a3b2e4d9c4e559b433b1a8d0f6a01", avrojson.Plain},
		{"union short name", unionSchema, `{"P":{"x":1.5}}`, "06000000000000f83f", avrojson.Plain},
		{"union bare value in avro json", unionSchema, `"x"`, "040278", avrojson.AvroJSON},
		{"union plain picks the first fit", `["null","long","double"]`, `3`, "0206", avrojson.Plain},
		{"union plain falls to a later branch", `["null","int","long"]`, `3000000000`, "0480f882ad16", avrojson.Plain},
		{"plain enum symbol in a union with string goes to string", `["string",{"type":"enum","name":"E","symbols":["B"]}]`, `"B"`, "000242", avrojson.Plain},
		{"wrapped enum symbol", `["string",{"type":"enum","name":"E","symbols":["B"]}]`, `{"E":"B"}`, "0200", avrojson.Plain},
		{"escaped surrogate pair", `"string"`, `"\ud83d\ude00"`, "08f09f9880", avrojson.Plain},
		{"escaped solidus", `"string"`, `"\/"`, "022f", avrojson.Plain},
		{"integer-valued double", `"double"`, `2`, "0000000000000040", avrojson.Plain},
	} {
		got, err := avrojson.Encode(parse(t, c.schema), []byte(c.json), avrojson.Options{Style: c.style})
		if err != nil {
			t.Errorf("%s: Encode(%s): %v", c.name, c.json, err)
			continue
		}
		if hex.EncodeToString(got) != c.hex {
			t.Errorf("%s: Encode(%s) = %x, want %s", c.name, c.json, got, c.hex)
		}
	}
}

func TestEncodeAppliesDefaults(t *testing.T) {
	s := parse(t, `{"type":"record","name":"D","fields":[
	  {"name":"id","type":"long"},
	  {"name":"kind","type":"string","default":"deadline.passed"},
	  {"name":"opt","type":["null","string"],"default":null},
	  {"name":"n","type":["int","null"],"default":7},
	  {"name":"raw","type":"bytes","default":"\u00ff"},
	  {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2},"default":"\u0004\u00d2"},
	  {"name":"day","type":{"type":"int","logicalType":"date"},"default":1},
	  {"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"u","type":["null","long"]}]},"default":{"u":null}},
	  {"name":"tags","type":{"type":"array","items":"string"},"default":["a"]}]}`)
	got, err := avrojson.Encode(s, []byte(`{"id":1}`), avrojson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "02" + "1e646561646c696e652e706173736564" + "00" + "000e" + "02ff" + "0404d2" + "02" + "00" + "02026100"
	if hex.EncodeToString(got) != want {
		t.Errorf("Encode = %x, want %s", got, want)
	}
	dec, err := avrojson.Decode(s, got, avrojson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"id":1,"kind":"deadline.passed","opt":null,"n":7,"raw":"\u00ff","dec":"12.34","day":"1970-01-02","inner":{"u":null},"tags":["a"]}`
	if string(dec) != wantJSON {
		t.Errorf("Decode = %s\nwant      %s", dec, wantJSON)
	}
}

func TestEncodeErrors(t *testing.T) {
	deadline := `{"type":"record","name":"DeadlinePassed","namespace":"lunchbot.events","fields":[
	  {"name":"type","type":"string","default":"deadline.passed"},
	  {"name":"cafe_id","type":"long"},
	  {"name":"date","type":{"type":"int","logicalType":"date"}},
	  {"name":"timestamp","type":{"type":"long","logicalType":"timestamp-micros"}},
	  {"name":"note","type":["null","string"]},
	  {"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}}]}},"default":[]},
	  {"name":"tags","type":{"type":"map","values":"int"},"default":{}}]}`
	ok := `"cafe_id":1,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00Z","note":null`
	for _, c := range []struct {
		name, schema, json, want string
	}{
		{"wrong type", deadline, `{"cafe_id":"x","date":"2026-11-27","timestamp":"1970-01-01T00:00:00Z","note":null}`, `/cafe_id: expected long, got string "x"`},
		{"missing field", deadline, `{"cafe_id":1,"timestamp":"1970-01-01T00:00:00Z","note":null}`, `/date: missing required field of type date ("YYYY-MM-DD")`},
		{"missing nullable field", deadline, `{"cafe_id":1,"date":"1970-01-01","timestamp":"1970-01-01T00:00:00Z"}`, `/note: missing required field of type one of [null, string]; it may be null but has no default: write "note": null`},
		{"unknown field", deadline, `{` + ok + `,"cafeId":2}`, `/cafeId: unknown field: lunchbot.events.DeadlinePassed has the fields type, cafe_id, date, timestamp, note, items, tags`},
		{"field twice", deadline, `{` + ok + `,"cafe_id":2}`, `/cafe_id: field given twice`},
		{"long out of range", deadline, `{"cafe_id":9223372036854775808,"date":"1970-01-01","timestamp":"1970-01-01T00:00:00Z","note":null}`, `/cafe_id: 9223372036854775808 is out of range for long (-9223372036854775808..9223372036854775807)`},
		{"not an integer", deadline, `{"cafe_id":1.5,"date":"1970-01-01","timestamp":"1970-01-01T00:00:00Z","note":null}`, `/cafe_id: expected long, got number 1.5 (not an integer)`},
		{"int out of range", `"int"`, `2147483648`, `2147483648 is out of range for int (-2147483648..2147483647)`},
		{"bad date", deadline, `{"cafe_id":1,"date":"27.11.2026","timestamp":"1970-01-01T00:00:00Z","note":null}`, `/date: date "27.11.2026" is not YYYY-MM-DD`},
		{"timestamp too precise", deadline, `{"cafe_id":1,"date":"1970-01-01","timestamp":"2026-11-27T11:45:00.1234567Z","note":null}`, `/timestamp: timestamp-micros "2026-11-27T11:45:00.1234567Z" has more than its 6 fraction digits`},
		{"timestamp without zone", deadline, `{"cafe_id":1,"date":"1970-01-01","timestamp":"2026-11-27T11:45:00","note":null}`, `/timestamp: timestamp-micros "2026-11-27T11:45:00" has no time zone: add Z for UTC or an offset like +02:00`},
		{"local timestamp with zone", `{"type":"long","logicalType":"local-timestamp-millis"}`, `"2026-11-27T11:45:00Z"`, `local-timestamp-millis "2026-11-27T11:45:00Z" has a time zone; a local timestamp has none: drop it`},
		{"timestamp-nanos out of range", `{"type":"long","logicalType":"timestamp-nanos"}`, `"2300-01-01T00:00:00Z"`, `2300-01-01T00:00:00.000000000Z is out of range: a timestamp-nanos is from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z`},
		{"union fits no branch", deadline, `{"cafe_id":1,"date":"1970-01-01","timestamp":"1970-01-01T00:00:00Z","note":5}`, `/note: expected string, got number 5`},
		{"nested path", deadline, `{` + ok + `,"items":[{"price":"1.00"},{"price":"123.45"}]}`, `/items/1/price: 123.45 has more than the 4 digit(s) of decimal(4,2)`},
		{"decimal scale", deadline, `{` + ok + `,"items":[{"price":"1.005"}]}`, `/items/0/price: 1.005 has more than the 2 fraction digit(s) of decimal(4,2)`},
		{"decimal bytes in plain", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `"\u0001\u0086\u00a0"`, `"\x01\u0086\u00a0" is not a decimal number like "-12.34" (a decimal's bytes, as Avro's JSON encoding writes them, are read in the Avro JSON style)`},
		{"decimal not a number", deadline, `{` + ok + `,"items":[{"price":"12,5"}]}`, `/items/0/price: "12,5" is not a decimal number like "-12.34" (a decimal's bytes, as Avro's JSON encoding writes them, are read in the Avro JSON style)`},
		{"map key path escaped", deadline, `{` + ok + `,"tags":{"a/b~c":"x"}}`, `/tags/a~1b~0c: expected int, got string "x"`},
		{"map key twice", deadline, `{` + ok + `,"tags":{"a":1,"a":2}}`, `/tags/a: map key given twice`},
		{"not an object", deadline, `[1]`, `expected record lunchbot.events.DeadlinePassed, got array of 1 item(s)`},
		{"not JSON", deadline, `{"cafe_id":1,}`, `not valid JSON at offset 13: expected a member name in double quotes, found '}'`},
		{"two values", `"int"`, `1 2`, `not valid JSON at offset 2: unexpected '2' after the value (one JSON value per input)`},
		{"empty input", `"int"`, ``, `not valid JSON at offset 0: unexpected end of input, expected a value`},
		{"enum symbol", `{"type":"enum","name":"Day","symbols":["MON","TUE"]}`, `"WED"`, `"WED" is not a symbol of enum Day (MON, TUE)`},
		{"bytes beyond latin-1", `"bytes"`, `"a€"`, `character U+20AC at position 1 is beyond U+00FF: bytes are written one character \u0000-\u00ff per byte`},
		{"fixed size", `{"type":"fixed","name":"F","size":2}`, `"abc"`, `expected 2 bytes for fixed F, got 3`},
		{"uuid", `{"type":"string","logicalType":"uuid"}`, `"not-a-uuid"`, `"not-a-uuid" is not a UUID (8-4-4-4-12 hex digits, like 0b5a3b2e-4d9c-4e55-9b43-3b1a8d0f6a01)`},
		{"float out of range", `"float"`, `1e39`, `1e39 is out of range for float`},
		{"double as string", `"double"`, `"1.5"`, `expected double (a number, or "NaN", "Infinity", "-Infinity"), got string "1.5"`},
		{"null", `"null"`, `0`, `expected null, got number 0`},
		{"boolean", `"boolean"`, `"true"`, `expected boolean, got string "true"`},
		{"union of many", `["null","int",{"type":"array","items":"int"}]`, `"x"`, `got string "x", which fits none of the union's branches [null, int, array] (to pick one, write {"branch name": value})`},
		{"wrapped branch with a bad value", `["null","int","string"]`, `{"int":"x"}`, `/int: expected int, got string "x"`},
		{"duration member", `{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}`, `{"weeks":1}`, `/weeks: unknown member of a duration (months, days, milliseconds)`},
		{"invalid utf-8", `"string"`, "\"\xff\"", `not valid JSON at offset 1: string is not valid UTF-8`},
		{"unpaired surrogate", `"string"`, `"\ud83d"`, `not valid JSON at offset 7: unpaired surrogate \ud83d`},
	} {
		_, err := avrojson.Encode(parse(t, c.schema), []byte(c.json), avrojson.Options{})
		if err == nil {
			t.Errorf("%s: Encode(%s) succeeded, want error %q", c.name, c.json, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s: Encode(%s) error\n got %s\nwant %s", c.name, c.json, err, c.want)
		}
		if !errors.Is(err, avrojson.ErrInvalid) || errors.Is(err, avrojson.ErrMalformed) {
			t.Errorf("%s: error %v does not match ErrInvalid alone", c.name, err)
		}
	}
}

func TestEncodeAvroJSONDecimalBeyondPrecision(t *testing.T) {
	s := parse(t, `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`)
	_, err := avrojson.Encode(s, []byte(`"\u0001\u0086\u00a0"`), avrojson.Options{Style: avrojson.AvroJSON})
	want := `decimal 1000.00 (given as its bytes) has more than the 4 digit(s) of decimal(4,2)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestErrorPathIsAJSONPointer(t *testing.T) {
	s := parse(t, `{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":{"type":"array","items":"int"}}}]}`)
	_, err := avrojson.Encode(s, []byte(`{"m":{"k/1":[1,"x"]}}`), avrojson.Options{})
	var e *avrojson.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *avrojson.Error", err)
	}
	got := struct {
		Path    string
		Offset  int
		Problem string
	}{e.Path, e.Offset, e.Problem}
	want := struct {
		Path    string
		Offset  int
		Problem string
	}{"/m/k~11/1", -1, `expected int, got string "x"`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		name, schema, hex, want string
	}{
		{"truncated long", `"long"`, "80", `at byte 0: truncated: expected long, but the data ends`},
		{"empty", `"int"`, "", `at byte 0: truncated: expected int, but the data ends`},
		{"int too long", `"int"`, "8080808080", `at byte 0: int varint longer than 5 bytes`},
		{"int out of range", `"int"`, "8080808010", `at byte 0: int 2147483648 is out of the 32-bit range`},
		{"long overflow", `"long"`, "ffffffffffffffffff02", `at byte 0: long varint overflows 64 bits`},
		{"boolean byte", `"boolean"`, "02", `at byte 0: boolean byte 0x02 is neither 0 nor 1`},
		{"string past the end", `"string"`, "0a6162", `at byte 0: string length 5 exceeds the 2 byte(s) left`},
		{"negative length", `"bytes"`, "01", `at byte 0: negative bytes length -1`},
		{"invalid utf-8", `"string"`, "02ff", `at byte 0: string is not valid UTF-8`},
		{"fixed truncated", `{"type":"fixed","name":"F","size":4}`, "0102", `at byte 0: truncated: 4 bytes of F expected, but the data ends`},
		{"enum index", `{"type":"enum","name":"E","symbols":["A"]}`, "02", `at byte 0: enum index 1 is out of range: E has 1 symbols`},
		{"union index", `["null","int"]`, "04", `at byte 0: union index 2 is out of range: the union has 2 branches ([null, int])`},
		{"left over", `"int"`, "0202", `at byte 1: 1 byte(s) left over after the value: the data was probably written with another schema`},
		{"huge array count", `{"type":"array","items":"long"}`, "feffffff0f", `at byte 0: array block claims 2147483647 items, more than the 0 byte(s) left can hold`},
		{"huge null array", `{"type":"array","items":"null"}`, "feffffff0f", `at byte 0: array block claims 2147483647 items that take no bytes; more than 65536 in all are refused`},
		{"block size too big", `{"type":"array","items":"int"}`, "017f02", `at byte 1: array block size -64 is negative or exceeds the 1 byte(s) left`},
		{"block size wrong", `{"type":"array","items":"int"}`, "0104020400", `at byte 0: array block says its items take 2 bytes, they take 1`},
		{"min block count", `{"type":"array","items":"int"}`, "ffffffffffffffffff01", `at byte 0: array block count -9223372036854775808 is out of range`},
		{"map key", `{"type":"map","values":"int"}`, "02020a", "/\n: at byte 3: truncated: expected int, but the data ends"},
		{"nested path", recordSchema, "54020278040280", `/c/1: at byte 6: truncated: expected long, but the data ends`},
	} {
		_, err := avrojson.Decode(parse(t, c.schema), unhex(t, c.hex), avrojson.Options{})
		if err == nil {
			t.Errorf("%s: Decode(%s) succeeded, want error %q", c.name, c.hex, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s: Decode(%s) error\n got %s\nwant %s", c.name, c.hex, err, c.want)
		}
		if !errors.Is(err, avrojson.ErrMalformed) || errors.Is(err, avrojson.ErrInvalid) {
			t.Errorf("%s: error %v does not match ErrMalformed alone", c.name, err)
		}
	}
}

func TestDecodeReadsBlocksWithByteSizes(t *testing.T) {
	// Two blocks, the first with a negative count and a byte size, as Java's
	// BlockingBinaryEncoder writes them.
	s := parse(t, `{"type":"map","values":"int"}`)
	got, err := avrojson.Decode(s, unhex(t, "030c0261020262040202630600"), avrojson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"a":1,"b":2,"c":3}` {
		t.Errorf("Decode = %s", got)
	}
}

func TestRecursiveSchema(t *testing.T) {
	s := parse(t, `{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}`)
	b, err := avrojson.Encode(s, []byte(`{"v":1,"next":{"v":2,"next":null}}`), avrojson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(b) != "02020400" {
		t.Errorf("Encode = %x", b)
	}
	got, err := avrojson.Decode(s, b, avrojson.Options{Style: avrojson.AvroJSON})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"v":1,"next":{"Node":{"v":2,"next":null}}}` {
		t.Errorf("Decode = %s", got)
	}
	// Deep nesting is refused, not recursed into without end.
	deep := strings.Repeat("0202", avrojson.MaxDepth) + "0200"
	if _, err := avrojson.Decode(s, unhex(t, deep), avrojson.Options{}); !errors.Is(err, avrojson.ErrMalformed) || !strings.Contains(err.Error(), "nested deeper than 256") {
		t.Errorf("deep Decode: err = %v", err)
	}
	deepJSON := strings.Repeat(`{"v":1,"next":`, avrojson.MaxDepth) + "null" + strings.Repeat("}", avrojson.MaxDepth)
	if _, err := avrojson.Encode(s, []byte(deepJSON), avrojson.Options{}); !errors.Is(err, avrojson.ErrInvalid) || !strings.Contains(err.Error(), "nested deeper than 256") {
		t.Errorf("deep Encode: err = %v", err)
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	s := parse(t, `"int"`)
	out, err := avrojson.AppendEncode([]byte("pre"), s, []byte(`1`), avrojson.Options{})
	if err != nil || string(out) != "pre\x02" {
		t.Errorf("AppendEncode = %q, %v", out, err)
	}
	out, err = avrojson.AppendEncode([]byte("pre"), s, []byte(`"x"`), avrojson.Options{})
	if err == nil || string(out) != "pre" {
		t.Errorf("failed AppendEncode = %q, %v", out, err)
	}
	out, err = avrojson.AppendDecode([]byte("pre"), s, []byte{2}, avrojson.Options{})
	if err != nil || string(out) != "pre1" {
		t.Errorf("AppendDecode = %q, %v", out, err)
	}
	out, err = avrojson.AppendDecode([]byte("pre"), s, []byte{2, 2}, avrojson.Options{})
	if err == nil || string(out) != "pre" {
		t.Errorf("failed AppendDecode = %q, %v", out, err)
	}
}

func TestNilSchema(t *testing.T) {
	if _, err := avrojson.Decode(nil, nil, avrojson.Options{}); err == nil {
		t.Error("Decode(nil schema) succeeded")
	}
	if _, err := avrojson.Encode(nil, []byte("1"), avrojson.Options{}); err == nil {
		t.Error("Encode(nil schema) succeeded")
	}
}
