package childproc

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseReady(t *testing.T) {
	for _, tc := range []struct {
		line string
		want map[string]string
		ok   bool
	}{
		{
			line: "KAFKA_BROKER_URL=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 DEVSTACK_PID=10 REGISTRY_PID=11",
			want: map[string]string{"KAFKA_BROKER_URL": "127.0.0.1:9092", "SCHEMA_REGISTRY_URL": "http://127.0.0.1:8081", "DEVSTACK_PID": "10", "REGISTRY_PID": "11"},
			ok:   true,
		},
		{
			line: "KAFKA_BROKER_URL=h:1  stray  SCHEMA_REGISTRY_URL=http://h:2/?a=b KAFKA_SECURITY_PROTOCOL= ",
			want: map[string]string{"KAFKA_BROKER_URL": "h:1", "SCHEMA_REGISTRY_URL": "http://h:2/?a=b", "KAFKA_SECURITY_PROTOCOL": ""},
			ok:   true,
		},
		{line: "KAFKA_BROKER_URL=", want: map[string]string{"KAFKA_BROKER_URL": ""}, ok: true},
		{line: "time=2026-01-01 level=WARN msg=hello"},
		{line: " KAFKA_BROKER_URL=h:1 SCHEMA_REGISTRY_URL=http://h:2"},
		{line: "SCHEMA_REGISTRY_URL=http://h:2 KAFKA_BROKER_URL=h:1"},
		{line: ""},
	} {
		got, ok := ParseReady(tc.line)
		if ok != tc.ok {
			t.Errorf("ParseReady(%q) ok = %v, want %v", tc.line, ok, tc.ok)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseReady(%q) (-want +got):\n%s", tc.line, diff)
		}
	}
}

// Through a LineWriter, WatchReady finds the ready line among others, even
// split across writes, and reports only the first.
func TestWatchReadyFirstLineOnly(t *testing.T) {
	onLine, ready := WatchReady()
	w := NewLineWriter(onLine)
	fmt.Fprint(w, "level=WARN msg=starting\nKAFKA_BROKER_URL=h:1 SCHEMA_")
	select {
	case kv := <-ready:
		t.Fatalf("ready before the line ended: %v", kv)
	default:
	}
	fmt.Fprint(w, "REGISTRY_URL=http://h:2\nKAFKA_BROKER_URL=h:3 SCHEMA_REGISTRY_URL=http://h:4\n")
	select {
	case kv := <-ready:
		if diff := cmp.Diff(map[string]string{"KAFKA_BROKER_URL": "h:1", "SCHEMA_REGISTRY_URL": "http://h:2"}, kv); diff != "" {
			t.Errorf("ready fields (-want +got):\n%s", diff)
		}
	default:
		t.Fatal("no ready fields after the ready line")
	}
	fmt.Fprint(w, "KAFKA_BROKER_URL=h:5 SCHEMA_REGISTRY_URL=http://h:6\n")
	select {
	case kv := <-ready:
		t.Errorf("a later ready line was sent too: %v", kv)
	default:
	}
}
