package avrojson_test

import (
	"errors"
	"testing"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// validateSchema has a value of each rule of schema.RulesOf, at the top
// and nested.
const validateSchema = `{"type":"record","name":"V","fields":[
  {"name":"type","type":"string","default":"v.made","const":"v.made"},
  {"name":"version","type":"int","const":2,"default":2},
  {"name":"level","type":{"type":"enum","name":"Level","symbols":["LOW","HIGH"]},"const":"HIGH","default":"HIGH"},
  {"name":"on","type":"boolean","const":true,"default":true},
  {"name":"name","type":"string"},
  {"name":"note","type":"string","default":""},
  {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"since","type":{"type":"long","logicalType":"local-timestamp-millis"},"default":-62135596800000},
  {"name":"noon","type":{"type":"int","logicalType":"time-millis"},"default":43200000},
  {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
    {"name":"sku","type":"string"},
    {"name":"timestamp","type":{"type":"long","logicalType":"timestamp-millis"}}]}},"default":[]},
  {"name":"stamps","type":{"type":"map","values":["null",{"type":"long","logicalType":"timestamp-nanos"}]},"default":{}},
  {"name":"pick","type":["null","string",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
  {"name":"tender","type":["long","string"],"default":0},
  {"name":"when","type":["null",{"type":"long","logicalType":"timestamp-millis"},"string"],"default":null}]}`

const validBase = `"name":"n","at":"2026-11-27T11:45:00Z"`

// TestValidateAppliesTheRules: with Options.Validate, Encode refuses what
// the generated Validate refuses, with avrobin's error and its field; a
// value from a default is the schema's own and is not checked, and without
// Validate the same input encodes.
func TestValidateAppliesTheRules(t *testing.T) {
	s := parse(t, validateSchema)
	for _, c := range []struct {
		name, json  string
		style       avrojson.Style
		field       string
		reason      error
		msg         string
		noValidated bool // encodes without Validate too
	}{
		{"const string", `{` + validBase + `,"type":"v.mad"}`, avrojson.Plain, "type", avrobin.ErrNotConst,
			`/type: must be "v.made" (the schema's const), is "v.mad"`, true},
		{"const int", `{` + validBase + `,"version":3}`, avrojson.Plain, "version", avrobin.ErrNotConst,
			`/version: must be 2 (the schema's const), is 3`, true},
		{"const enum", `{` + validBase + `,"level":"LOW"}`, avrojson.Plain, "level", avrobin.ErrNotConst,
			`/level: must be "HIGH" (the schema's const), is "LOW"`, true},
		{"const boolean", `{` + validBase + `,"on":false}`, avrojson.Plain, "on", avrobin.ErrNotConst,
			`/on: must be true (the schema's const), is false`, true},
		{"empty required string", `{"name":"","at":"2026-11-27T11:45:00Z"}`, avrojson.Plain, "name", avrobin.ErrEmpty,
			`/name: required string is empty`, true},
		{"unset timestamp", `{"name":"n","at":"0001-01-01T00:00:00Z"}`, avrojson.Plain, "at", avrobin.ErrUnset,
			`/at: not set (0001-01-01T00:00:00.000000Z is the zero time.Time); a timestamp-micros is from -290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z`, true},
		{"unset timestamp as a count", `{"name":"n","at":-62135596800000000}`, avrojson.AvroJSON, "at", avrobin.ErrUnset, "", true},
		{"missing timestamp", `{"name":"n"}`, avrojson.Plain, "at", avrobin.ErrUnset,
			`/at: missing required field of type timestamp-micros (an RFC 3339 string like "2026-11-27T11:45:00Z")`, false},
		{"unset timestamp in an array's record", `{` + validBase + `,"lines":[{"sku":"a","timestamp":"2026-01-01T00:00:00Z"},{"sku":"b","timestamp":"0001-01-01T00:00:00Z"}]}`,
			avrojson.Plain, "lines[1].timestamp", avrobin.ErrUnset, "", true},
		{"empty string in an array's record", `{` + validBase + `,"lines":[{"sku":"","timestamp":"2026-01-01T00:00:00Z"}]}`,
			avrojson.Plain, "lines[0].sku", avrobin.ErrEmpty, "", true},
		{"unset timestamp in a map's union", `{` + validBase + `,"stamps":{"k":"0001-01-01T00:00:00Z"}}`, avrojson.Plain, "stamps[\"k\"]", avrobin.ErrUnset, "", false},
		{"unset timestamp in a wrapped union", `{` + validBase + `,"pick":{"long":-62135596800000}}`, avrojson.AvroJSON, "pick", avrobin.ErrUnset, "", true},
		{"unset timestamp in a union, not taken for the next branch", `{` + validBase + `,"when":"0001-01-01T00:00:00Z"}`, avrojson.Plain, "when", avrobin.ErrUnset, "", true},
		{"time of day past a day", `{` + validBase + `,"noon":90000000}`, avrojson.AvroJSON, "noon", avrobin.ErrTimeRange,
			`/noon: 25h0m0s is out of range: a time of day is from 0s up to 24h, 24h excluded`, true},
		{"null for a union without null", `{` + validBase + `,"tender":null}`, avrojson.Plain, "tender", avrobin.ErrUnset, "", false},
		{"date the calendar lacks", `{` + validBase + `,"lines":[],"noon":"12:00:00","pick":null,"stamps":{},"since":"2026-02-29T00:00:00"}`,
			avrojson.Plain, "since", nil, "", false},
	} {
		_, err := avrojson.Encode(s, []byte(c.json), avrojson.Options{Style: c.style, Validate: true})
		var e *avrojson.Error
		if !errors.As(err, &e) || !errors.Is(err, avrojson.ErrInvalid) {
			t.Errorf("%s: Encode(%s) = %v, want an *avrojson.Error", c.name, c.json, err)
			continue
		}
		if e.Field() != c.field || c.reason != nil && !errors.Is(err, c.reason) || c.msg != "" && err.Error() != c.msg {
			t.Errorf("%s: Encode(%s) = %v (field %q), want field %q, reason %v, message %s", c.name, c.json, err, e.Field(), c.field, c.reason, c.msg)
		}
		_, err = avrojson.Encode(s, []byte(c.json), avrojson.Options{Style: c.style})
		if (err == nil) != c.noValidated {
			t.Errorf("%s: without Validate, Encode(%s) = %v", c.name, c.json, err)
		}
	}
	// The defaults, a zero time among them ("since"), are not checked; a
	// zero time where the field has a default is accepted, as a string
	// that may be empty.
	for _, js := range []string{`{` + validBase + `}`, `{` + validBase + `,"note":"","since":"0001-01-01T00:00:00"}`} {
		if _, err := avrojson.Encode(s, []byte(js), avrojson.Options{Validate: true}); err != nil {
			t.Errorf("Encode(%s): %v", js, err)
		}
	}
}
