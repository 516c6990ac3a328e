package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLogger(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string // the lines written by log.Debug("d") then log.Info("i"), without the time
	}{
		{name: "defaults", env: nil, want: []string{"level=INFO msg=i service=svc"}},
		{name: "debug", env: map[string]string{EnvLogLevel: "DEBUG"}, want: []string{"level=DEBUG msg=d service=svc", "level=INFO msg=i service=svc"}},
		{name: "warn", env: map[string]string{EnvLogLevel: "warn"}, want: nil},
		{name: "json", env: map[string]string{EnvLogFormat: "json"}, want: []string{`"level":"INFO","msg":"i","service":"svc"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := Logger(&buf, env(tc.env), "svc")
			if err != nil {
				t.Fatal(err)
			}
			log.Debug("d")
			log.Info("i")
			var got []string
			for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
				if l == "" {
					continue
				}
				// Drop the time, the first attribute in both formats.
				if _, rest, ok := strings.Cut(l, " "); ok && strings.HasPrefix(l, "time=") {
					l = rest
				} else if _, rest, ok := strings.Cut(l, `",`); ok && strings.HasPrefix(l, `{"time"`) {
					l = rest
				}
				got = append(got, l)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []map[string]string{{EnvLogLevel: "loud"}, {EnvLogFormat: "xml"}} {
		if _, err := Logger(&bytes.Buffer{}, env(bad), "svc"); err == nil {
			t.Errorf("Logger with %v: no error", bad)
		}
	}
}

func TestLimitsValidate(t *testing.T) {
	for _, l := range []Limits{{}, {Max: 3, IdleTimeout: time.Second}} {
		if err := l.Validate(); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
	for _, l := range []Limits{{Max: -1}, {IdleTimeout: -time.Second}} {
		if err := l.Validate(); err == nil {
			t.Errorf("%+v: no error", l)
		}
	}
}

func TestCounterMax(t *testing.T) {
	ctx, c := Limits{Max: 3}.Start(context.Background())
	defer c.Stop()
	for i := 1; i <= 3; i++ {
		if ctx.Err() != nil {
			t.Fatalf("context ended after %d events, before Max", i-1)
		}
		c.Done()
	}
	if ctx.Err() == nil {
		t.Fatal("context still running after Max events")
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err after Max = %v, want nil", err)
	}
	if c.Count() != 3 {
		t.Errorf("Count = %d", c.Count())
	}
}

func TestCounterIdleBeforeMax(t *testing.T) {
	ctx, c := Limits{Max: 2, IdleTimeout: 10 * time.Millisecond}.Start(context.Background())
	defer c.Stop()
	c.Done()
	<-ctx.Done() // the idle timeout ends it
	if err := c.Err(); !errors.Is(err, ErrIdle) {
		t.Errorf("Err = %v, want ErrIdle", err)
	}
}

func TestCounterIdleWithoutMax(t *testing.T) {
	ctx, c := Limits{IdleTimeout: 10 * time.Millisecond}.Start(context.Background())
	defer c.Stop()
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), ErrIdle) {
		t.Errorf("cause = %v, want ErrIdle", context.Cause(ctx))
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err = %v: an idle stop without Max is a normal stop", err)
	}
}

func TestCounterParentEnds(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	ctx, c := Limits{Max: 5, IdleTimeout: time.Hour}.Start(parent)
	defer c.Stop()
	cancel()
	<-ctx.Done()
	if err := c.Err(); err != nil {
		t.Errorf("Err = %v after the parent ended, want nil", err)
	}
}

func TestCounterNoLimits(t *testing.T) {
	ctx, c := Limits{}.Start(context.Background())
	for range 100 {
		c.Done()
	}
	if ctx.Err() != nil {
		t.Fatal("the zero Limits stopped the worker")
	}
	c.Stop()
	if ctx.Err() == nil {
		t.Error("Stop did not end the context")
	}
}

func TestPrinter(t *testing.T) {
	var buf bytes.Buffer
	p := NewPrinter(&buf)
	e := events.NewDeadlinePassed()
	e.CafeID, e.Date = 7, avrobin.Date{Year: 2025, Month: time.December, Day: 8}
	e.Timestamp = time.Date(2025, 12, 8, 10, 0, 0, 123000, time.UTC)
	id := cloudevents.NewEventID()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.Print(Record{Topic: "lunch-bot.deadlines", Partition: 1, Offset: int64(i), SchemaID: 3, Key: "7",
				EventID: id, EventType: "deadline.passed", Action: "notified", Event: DeadlinePassed(e)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 20 {
		t.Fatalf("%d lines, want 20:\n%s", len(lines), buf.String())
	}
	seen := map[int64]bool{}
	for _, l := range lines {
		var got struct {
			Record
			Event DeadlinePassedJSON `json:"event"`
		}
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		seen[got.Offset] = true
		if diff := cmp.Diff(DeadlinePassed(e), got.Event); diff != "" {
			t.Errorf("event (-want +got):\n%s", diff)
		}
	}
	if len(seen) != 20 {
		t.Errorf("offsets seen: %v", seen)
	}
	// The schema's field names and the date as text.
	want := `"schema_id":3,"key":"7","event_id":"` + id.String() + `","event_type":"deadline.passed","action":"notified","event":{"type":"deadline.passed","cafe_id":7,"date":"2025-12-08","timestamp":"2025-12-08T10:00:00.000123Z"}}`
	if !strings.HasSuffix(lines[0], want) {
		t.Errorf("line %s\ndoes not end with %s", lines[0], want)
	}
}
