package avrojson_test

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/lunchbot/eventkit/internal/avrojson"
)

// TestPlainRefusesNumbersForDatesAndTimestamps: in the plain style a date
// or a timestamp is its text; a bare number (20261203 meant as a date,
// Unix seconds meant as a timestamp-micros) is refused, saying how to write
// it and which style reads counts. The Avro JSON style reads the counts,
// and a schema's defaults, which are counts, are read in either style.
func TestPlainRefusesNumbersForDatesAndTimestamps(t *testing.T) {
	s := parse(t, `{"type":"record","name":"R","fields":[
	  {"name":"date","type":{"type":"int","logicalType":"date"}},
	  {"name":"at","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
	  {"name":"local","type":{"type":"long","logicalType":"local-timestamp-millis"},"default":0},
	  {"name":"day","type":{"type":"int","logicalType":"date"},"default":20784}]}`)
	for _, c := range []struct {
		json, hint, want string
	}{
		{`{"date":20261203,"at":null}`, "",
			`/date: a date is written as "YYYY-MM-DD", not as the number 20261203; the avro-json style reads Avro's JSON encoding, where a date is days since 1970-01-01`},
		{`{"date":"2026-12-03","at":1764240300}`, "--avro-json",
			`/at: a timestamp-micros is written as an RFC 3339 string like "2026-11-27T11:45:00Z", not as the number 1764240300; --avro-json reads Avro's JSON encoding, where it is microseconds since 1970`},
		{`{"date":"2026-12-03","at":null,"local":1}`, "--avro-json",
			`/local: a local-timestamp-millis is written as an RFC 3339 string like "2026-11-27T11:45:00", not as the number 1; --avro-json reads Avro's JSON encoding, where it is milliseconds since 1970`},
	} {
		_, err := avrojson.Encode(s, []byte(c.json), avrojson.Options{AvroJSONHint: c.hint})
		if err == nil || err.Error() != c.want || !errors.Is(err, avrojson.ErrInvalid) {
			t.Errorf("Encode(%s) = %v,\nwant %s", c.json, err, c.want)
		}
	}
	for _, c := range []struct {
		json  string
		style avrojson.Style
		hex   string
	}{
		{`{"date":20790,"at":{"long":1764240300000000},"local":1}`, avrojson.AvroJSON, "ecc40202808c8ac6a6a4a20602e0c402"},
		{`{"date":"2026-12-03","at":"2025-11-27T10:45:00Z","local":"1970-01-01T00:00:00.001"}`, avrojson.Plain, "ecc40202808c8ac6a6a4a20602e0c402"},
		{`{"date":"2026-12-03","at":null}`, avrojson.Plain, "ecc4020000e0c402"},
	} {
		got, err := avrojson.Encode(s, []byte(c.json), avrojson.Options{Style: c.style})
		if err != nil || hex.EncodeToString(got) != c.hex {
			t.Errorf("Encode(%s) in %v = %x, %v; want %s", c.json, c.style, got, err, c.hex)
		}
	}
}

// TestPlainInputRoundTripsThroughItsPrintedForm: what the plain style
// reads, eventctl consume prints (Decode, plain) in a form the plain style
// reads back to the same bytes, whatever the year; the printed form is
// each type's one canonical text.
func TestPlainInputRoundTripsThroughItsPrintedForm(t *testing.T) {
	for _, c := range []struct {
		schema, in, printed string
	}{
		{`{"type":"int","logicalType":"date"}`, `"2026-11-27"`, `"2026-11-27"`},
		{`{"type":"int","logicalType":"date"}`, `"+2026-11-27"`, `"2026-11-27"`},
		{`{"type":"int","logicalType":"date"}`, `"+12345-01-31"`, `"+12345-01-31"`},
		{`{"type":"int","logicalType":"date"}`, `"-0044-03-15"`, `"-0044-03-15"`},
		{`{"type":"int","logicalType":"date"}`, `"0000-02-29"`, `"0000-02-29"`},
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"2026-11-27T12:45:00.5+01:00"`, `"2026-11-27T11:45:00.500000Z"`},
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"0001-01-01T00:00:00Z"`, `"0001-01-01T00:00:00.000000Z"`},
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"+294247-01-10T04:00:54.775807Z"`, `"+294247-01-10T04:00:54.775807Z"`},
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"-290308-12-21T19:59:05.224192Z"`, `"-290308-12-21T19:59:05.224192Z"`},
		{`{"type":"long","logicalType":"timestamp-millis"}`, `"+12344-02-29T23:00:00-02:00"`, `"+12344-03-01T01:00:00.000Z"`},
		{`{"type":"long","logicalType":"timestamp-millis"}`, `"-0001-12-31T23:59:59.999Z"`, `"-0001-12-31T23:59:59.999Z"`},
		{`{"type":"long","logicalType":"timestamp-nanos"}`, `"2262-04-11T23:47:16.854775807Z"`, `"2262-04-11T23:47:16.854775807Z"`},
		{`{"type":"long","logicalType":"local-timestamp-micros"}`, `"+100000-06-30T08:00:00"`, `"+100000-06-30T08:00:00.000000"`},
		{`{"type":"long","logicalType":"local-timestamp-millis"}`, `"2026-11-27T11:45:00.1"`, `"2026-11-27T11:45:00.100"`},
	} {
		s := parse(t, c.schema)
		b, err := avrojson.Encode(s, []byte(c.in), avrojson.Options{})
		if err != nil {
			t.Errorf("Encode(%s): %v", c.in, err)
			continue
		}
		printed, err := avrojson.Decode(s, b, avrojson.Options{})
		if err != nil || string(printed) != c.printed {
			t.Errorf("Decode(Encode(%s)) = %s, %v; want %s", c.in, printed, err, c.printed)
			continue
		}
		again, err := avrojson.Encode(s, printed, avrojson.Options{})
		if err != nil || hex.EncodeToString(again) != hex.EncodeToString(b) {
			t.Errorf("Encode(%s) = %x, %v; Encode(%s) was %x", printed, again, err, c.in, b)
		}
	}
}

func TestPlainTimestampErrors(t *testing.T) {
	for _, c := range []struct {
		schema, in, want string
	}{
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"+294247-01-10T04:00:54.775808Z"`,
			`+294247-01-10T04:00:54.775808Z is out of range: a timestamp-micros is from -290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z`},
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"+123-01-01T00:00:00Z"`,
			`timestamp-micros "+123-01-01T00:00:00Z" is not an RFC 3339 timestamp like 2026-11-27T11:45:00Z`},
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"+12345-02-30T00:00:00Z"`,
			`timestamp-micros "+12345-02-30T00:00:00Z" is not an RFC 3339 timestamp like 2026-11-27T11:45:00Z`},
		{`{"type":"long","logicalType":"timestamp-micros"}`, `"+12345-01-01T00:00:00"`,
			`timestamp-micros "+12345-01-01T00:00:00" has no time zone: add Z for UTC or an offset like +02:00`},
		{`{"type":"long","logicalType":"local-timestamp-micros"}`, `"-12345-01-01T00:00:00Z"`,
			`local-timestamp-micros "-12345-01-01T00:00:00Z" has a time zone; a local timestamp has none: drop it`},
		{`{"type":"long","logicalType":"timestamp-millis"}`, `"+12345-01-01T00:00:00.0001Z"`,
			`timestamp-millis "+12345-01-01T00:00:00.0001Z" has more than its 3 fraction digits`},
		{`{"type":"int","logicalType":"date"}`, `"+12345-02-30"`, `date "+12345-02-30": February 12345 has 28 days`},
		{`{"type":"int","logicalType":"date"}`, `"+5881580-07-12"`,
			`date "+5881580-07-12": out of range: a date is from -5877641-06-23 to +5881580-07-11`},
	} {
		_, err := avrojson.Encode(parse(t, c.schema), []byte(c.in), avrojson.Options{})
		if err == nil || err.Error() != c.want {
			t.Errorf("Encode(%s) = %v,\nwant %s", c.in, err, c.want)
		}
	}
}
