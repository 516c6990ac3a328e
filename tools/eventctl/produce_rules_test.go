package main

import (
	"strings"
	"testing"
)

// deadlineLine returns a deadline.passed line whose fields are set to the
// JSON values given (a field given "" is left out), the others valid.
func deadlineLine(fields map[string]string) string {
	values := map[string]string{"type": `"deadline.passed"`, "cafe_id": "5", "date": `"2026-12-03"`, "timestamp": `"2026-12-03T11:45:00.000000Z"`}
	var parts []string
	for _, name := range []string{"type", "cafe_id", "date", "timestamp"} {
		v, ok := fields[name]
		if !ok {
			v = values[name]
		}
		if v != "" {
			parts = append(parts, `"`+name+`":`+v)
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestProduceAppliesValidateRules: eventctl produce refuses what the
// generated Validate refuses (the same checks, internal/avrojson with
// Validate), and reads dates and timestamps as text unless --avro-json;
// what it refuses is never sent.
func TestProduceAppliesValidateRules(t *testing.T) {
	vars, topic, _ := consoleStack(t)
	for _, c := range []struct {
		name  string
		line  string
		flags []string
		code  int
		want  string
	}{
		{"wrong const", deadlineLine(map[string]string{"type": `"deadline.passd"`}), nil, exitProblems,
			`eventctl produce: line 1: /type: must be "deadline.passed" (the schema's const), is "deadline.passd"`},
		{"date as a number", deadlineLine(map[string]string{"date": "20261203"}), nil, exitProblems,
			`eventctl produce: line 1: /date: a date is written as "YYYY-MM-DD", not as the number 20261203; --avro-json reads Avro's JSON encoding, where a date is days since 1970-01-01`},
		{"timestamp as a number", deadlineLine(map[string]string{"timestamp": "1764762300"}), nil, exitProblems,
			`eventctl produce: line 1: /timestamp: a timestamp-micros is written as an RFC 3339 string like "2026-11-27T11:45:00Z", not as the number 1764762300; --avro-json reads Avro's JSON encoding, where it is microseconds since 1970`},
		{"unset timestamp", deadlineLine(map[string]string{"timestamp": `"0001-01-01T00:00:00Z"`}), nil, exitProblems,
			`eventctl produce: line 1: /timestamp: not set (0001-01-01T00:00:00.000000Z is the zero time.Time); a timestamp-micros is from -290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z`},
		{"missing timestamp", deadlineLine(map[string]string{"timestamp": ""}), nil, exitProblems,
			`eventctl produce: line 1: /timestamp: missing required field of type timestamp-micros (an RFC 3339 string like "2026-11-27T11:45:00Z")`},
		{"date as a day count with --avro-json", deadlineLine(map[string]string{"date": "20790"}), []string{"--avro-json"}, exitOK,
			"eventctl produce: 1 message(s) delivered"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"produce", "--topic", topic}, c.flags...)
			code, _, errOut := consoleRun(t, vars, []byte(c.line+"\n"), args...)
			want := c.want
			if c.code != exitOK {
				want += "\n" // the whole line
			}
			if code != c.code || !strings.Contains(errOut, want) {
				t.Errorf("produce %s: exit %d, want %d and the line\n%s\nstderr:\n%s", c.line, code, c.code, c.want, errOut)
			}
			if c.code != exitOK && !strings.Contains(errOut, "1 of 1 line(s) refused; nothing was sent") {
				t.Errorf("produce %s: stderr does not say nothing was sent:\n%s", c.line, errOut)
			}
		})
	}
	// Only the one accepted line is on the topic, its day count read as a
	// date.
	code, out, errOut := consoleRun(t, vars, nil, "consume", "--topic", topic, "--from-beginning", "--timeout", "5s")
	if code != exitOK {
		t.Fatalf("consume: exit %d\n%s", code, errOut)
	}
	got := parseConsumed(t, out)
	if want := deadlineLine(nil); len(got) != 1 || string(got[0].Value) != want {
		t.Errorf("consumed %s, want only %s", out, want)
	}
}
