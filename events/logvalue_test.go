package events

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDeadlinePassedLogValue: the event (benchDeadline's) describes itself
// to slog as its fields, by their Avro names: the date as its text, the
// timestamp as a time.
func TestDeadlinePassedLogValue(t *testing.T) {
	v := benchDeadline().LogValue()
	if v.Kind() != slog.KindGroup {
		t.Fatalf("LogValue is a %s, want a group", v.Kind())
	}
	got := map[string]any{}
	var names []string
	for _, a := range v.Group() {
		names = append(names, a.Key)
		got[a.Key] = a.Value.Any()
	}
	want := map[string]any{
		"type":      "deadline.passed",
		"cafe_id":   int64(1042),
		"date":      "2026-11-27",
		"timestamp": time.Date(2026, 11, 27, 11, 30, 0, 123456000, time.UTC),
	}
	if diff := cmp.Diff([]string{"type", "cafe_id", "date", "timestamp"}, names); diff != "" {
		t.Errorf("attribute names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if v := (*DeadlinePassed)(nil).LogValue(); v.Kind() != slog.KindGroup || len(v.Group()) != 0 {
		t.Errorf("a nil DeadlinePassed logs %v, want an empty group", v)
	}
}

// TestDeadlinePassedInJSONLog: slog's JSON handler writes the event as an
// object of its fields, also one that Validate refuses (no timestamp),
// and leaves a nil one out.
func TestDeadlinePassedInJSONLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	refused := benchDeadline()
	refused.Timestamp = time.Time{}
	for _, tt := range []struct {
		e    *DeadlinePassed
		want string
	}{
		{benchDeadline(), `{"type":"deadline.passed","cafe_id":1042,"date":"2026-11-27","timestamp":"2026-11-27T11:30:00.123456Z"}`},
		{refused, `{"type":"deadline.passed","cafe_id":1042,"date":"2026-11-27","timestamp":"0001-01-01T00:00:00Z"}`},
		{nil, ``},
	} {
		buf.Reset()
		log.Debug("publish refused: invalid event", "event", tt.e)
		var line map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("%v: %s", err, buf.Bytes())
		}
		if got := string(line["event"]); got != tt.want {
			t.Errorf("event logged as %s\nwant %s", got, tt.want)
		}
	}
}
