package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/sdktest"
)

func TestMain(m *testing.M) { itest.Main(m) }

// waitLimit bounds each test's wait for Kafka; it is a safety net, not an
// expectation.
const waitLimit = time.Minute

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s: %v", name, err)
	}
	return loc
}

// lines parses JSON lines into generic values, for comparison with what
// was consumed.
func lines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		recs = append(recs, m)
	}
	return recs
}

// generic turns a Record into the value its JSON line parses to.
func generic(t *testing.T, r service.Record) map[string]any {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func sortByPosition(recs []map[string]any) {
	key := func(m map[string]any) string {
		return fmt.Sprintf("%s/%08.0f/%012.0f", m["topic"], m["partition"], m["offset"])
	}
	sort.Slice(recs, func(i, j int) bool { return key(recs[i]) < key(recs[j]) })
}

// consumeAll reads n events of both types from the cluster and returns them
// as the publisher's lines would show them, sorted by position.
func consumeAll(t *testing.T, cfg consumer.Config, n int) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	var (
		mu  sync.Mutex
		got []map[string]any
	)
	add := func(m consumer.Message, ev any) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, generic(t, service.Record{
			Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, SchemaID: m.SchemaID, Key: string(m.Key),
			EventID: m.EventID, EventType: m.EventType, Source: m.Source, Action: "published", Event: ev,
		}))
		if len(got) == n {
			stop()
		}
	}
	cfg.Logger = quietLogger()
	c, err := consumer.New(cfg,
		consumer.Handle(func(_ context.Context, e *events.DeadlinePassed, m consumer.Message) error {
			add(m, service.DeadlinePassed(e))
			return nil
		}),
		consumer.Handle(func(_ context.Context, e *events.DailyTask, m consumer.Message) error {
			add(m, service.DailyTask(e))
			return nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("consumed %d of %d events within %v", len(got), n, waitLimit)
	}
	sortByPosition(got)
	return got
}

// eventOf returns the "event" object of a line.
func eventOf(rec map[string]any) map[string]any {
	ev, _ := rec["event"].(map[string]any)
	return ev
}

// TestOncePublishesWhatItPrints: -once publishes each cafe's deadline for
// the date and each task, and every printed line says truly where Kafka
// stored which event, with which schema id and headers.
func TestOncePublishesWhatItPrints(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	pc := env.ProducerConfig()
	pc.Name, pc.Logger = name, quietLogger()
	cfg := config{
		Producer:  pc,
		Once:      true,
		Date:      avrobin.Date{Year: 2025, Month: time.December, Day: 8},
		Deadlines: []entry{{CafeID: 1}, {CafeID: 2}, {CafeID: 3}},
		Tasks:     []entry{{Task: "generate_recommendations"}, {Task: "send_order_reminders"}},
	}
	var out bytes.Buffer
	before := time.Now().UTC().Truncate(time.Microsecond)
	if err := run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	printed := lines(t, out.String())

	// What the lines say of the events, in publishing order.
	var got []string
	for _, rec := range printed {
		ev := eventOf(rec)
		ts, err := time.Parse(time.RFC3339Nano, fmt.Sprint(ev["timestamp"]))
		if err != nil || ts.Before(before) || ts.After(after) {
			t.Errorf("timestamp %v (%v) is not the publishing time", ev["timestamp"], err)
		}
		got = append(got, fmt.Sprintf("%s %s key=%q %v %v %v", rec["topic"], rec["event_type"], rec["key"], ev["type"], ev["cafe_id"], ev["date"]))
	}
	want := []string{
		`lunch-bot.deadlines deadline.passed key="1" deadline.passed 1 2025-12-08`,
		`lunch-bot.deadlines deadline.passed key="2" deadline.passed 2 2025-12-08`,
		`lunch-bot.deadlines deadline.passed key="3" deadline.passed 3 2025-12-08`,
		`lunch-bot.daily-tasks daily_task key="" generate_recommendations <nil> <nil>`,
		`lunch-bot.daily-tasks daily_task key="" send_order_reminders <nil> <nil>`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}

	sortByPosition(printed)
	if diff := cmp.Diff(consumeAll(t, env.ConsumerConfig("check"), len(want)), printed); diff != "" {
		t.Errorf("printed lines differ from the consumed messages (-consumed +printed):\n%s", diff)
	}
}

// TestOnceDateIsTodayInTheTimeZone: without -date, the day is today where
// the cafes are.
func TestOnceDateIsTodayInTheTimeZone(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	pc := env.ProducerConfig()
	pc.Logger = quietLogger()
	var out bytes.Buffer
	err := run(context.Background(), config{
		Producer: pc, Once: true, Deadlines: []entry{{CafeID: 9}},
		Location: mustLoad(t, "Asia/Tokyo"),
		now:      func() time.Time { return time.Date(2025, 12, 8, 23, 30, 0, 0, time.UTC) }, // Dec 9, 08:30 in Tokyo
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	recs := lines(t, out.String())
	if len(recs) != 1 || eventOf(recs[0])["date"] != "2025-12-09" {
		t.Errorf("printed %v, want one deadline of 2025-12-09", recs)
	}
}

// fakeClock is a clock whose sleeps return at once, having moved the time;
// the sleep that would pass stopAt ends the context instead.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	stopAt time.Time
	cancel context.CancelFunc
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.t.Add(d).After(c.stopAt) {
		c.cancel()
		return context.Canceled
	}
	c.t = c.t.Add(d)
	return nil
}

// TestWatchPublishesOnSchedule: on schedule, each deadline is published
// every day when it passes in the cafes' time zone, with that day and that
// time, and each task at its time; times already past at start wait for
// the next day.
func TestWatchPublishesOnSchedule(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	env := sdktest.New(t, events.Contracts())
	pc := env.ProducerConfig()
	pc.Name, pc.Logger = name, quietLogger()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	fake := &fakeClock{
		t:      time.Date(2025, 12, 8, 10, 0, 0, 0, berlin),
		stopAt: time.Date(2025, 12, 9, 11, 15, 0, 0, berlin),
		cancel: stop,
	}
	cfg := config{
		Producer:  pc,
		Location:  berlin,
		Deadlines: []entry{{CafeID: 1, At: clock11(0)}, {CafeID: 2, At: clock11(30)}, {CafeID: 3, At: clock{Hour: 9}}},
		Tasks:     []entry{{Task: "generate_recommendations", At: clock{Hour: 6}}},
		now:       fake.now,
		sleep:     fake.sleep,
	}
	var out bytes.Buffer
	if err := run(runCtx, cfg, &out); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the publisher did not stop when its context ended")
	}
	printed := lines(t, out.String())
	var got []string
	for _, rec := range printed {
		ev := eventOf(rec)
		got = append(got, fmt.Sprintf("%v key=%q %v %v %v", rec["topic"], rec["key"], ev["type"], ev["date"], ev["timestamp"]))
	}
	want := []string{
		// Cafe 3's 09:00 has passed at the start (10:00): tomorrow.
		`lunch-bot.deadlines key="1" deadline.passed 2025-12-08 2025-12-08T10:00:00Z`,
		`lunch-bot.deadlines key="2" deadline.passed 2025-12-08 2025-12-08T10:30:00Z`,
		`lunch-bot.daily-tasks key="" generate_recommendations <nil> 2025-12-09T05:00:00Z`,
		`lunch-bot.deadlines key="3" deadline.passed 2025-12-09 2025-12-09T08:00:00Z`,
		`lunch-bot.deadlines key="1" deadline.passed 2025-12-09 2025-12-09T10:00:00Z`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	sortByPosition(printed)
	if diff := cmp.Diff(consumeAll(t, env.ConsumerConfig("check"), len(want)), printed); diff != "" {
		t.Errorf("printed lines differ from the consumed messages (-consumed +printed):\n%s", diff)
	}
}

func clock11(minute int) clock { return clock{Hour: 11, Minute: minute} }

// TestRefusesToStartWithoutSchemas: a registry that lacks the events'
// subjects stops the publisher at start, before anything is published.
func TestRefusesToStartWithoutSchemas(t *testing.T) {
	env := sdktest.New(t, nil, sdktest.WithTopics("lunch-bot.deadlines", "lunch-bot.daily-tasks"))
	pc := env.ProducerConfig()
	pc.Logger = quietLogger()
	var out bytes.Buffer
	err := run(context.Background(), config{Producer: pc, Once: true, Deadlines: []entry{{CafeID: 1}}}, &out)
	if err == nil || !strings.Contains(err.Error(), "lunch-bot.deadlines-value") {
		t.Errorf("run = %v, want an error naming the missing subject", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
}

func TestScheduleNext(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, berlin) }
	s := schedule{loc: berlin, entries: []entry{
		{CafeID: 1, At: clock{11, 0}}, {CafeID: 2, At: clock{11, 30}}, {CafeID: 4, At: clock{11, 0}},
		{Task: "generate_recommendations", At: clock{6, 0}}, {Task: "night", At: clock{2, 30}},
	}}
	for _, tc := range []struct {
		after time.Time
		want  time.Time
		due   []entry
	}{
		{at(2025, 12, 8, 10, 0), at(2025, 12, 8, 11, 0), []entry{{CafeID: 1, At: clock{11, 0}}, {CafeID: 4, At: clock{11, 0}}}},
		{at(2025, 12, 8, 11, 0), at(2025, 12, 8, 11, 30), []entry{{CafeID: 2, At: clock{11, 30}}}}, // strictly after
		{at(2025, 12, 8, 23, 0), at(2025, 12, 9, 2, 30), []entry{{Task: "night", At: clock{2, 30}}}},
		{at(2025, 12, 31, 12, 0), at(2026, 1, 1, 2, 30), []entry{{Task: "night", At: clock{2, 30}}}},
		// 02:30 does not exist on 2025-03-30 in Berlin (clocks jump to
		// 03:00): time.Date's normalization, 03:30 CEST.
		{at(2025, 3, 29, 12, 0), time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC), []entry{{Task: "night", At: clock{2, 30}}}},
		// A time given in another zone is read in the schedule's.
		{time.Date(2025, 12, 8, 4, 59, 0, 0, time.UTC), at(2025, 12, 8, 6, 0), []entry{{Task: "generate_recommendations", At: clock{6, 0}}}},
	} {
		got, due := s.next(tc.after)
		if !got.Equal(tc.want) {
			t.Errorf("next(%v) = %v, want %v", tc.after, got, tc.want)
		}
		if diff := cmp.Diff(tc.due, due); diff != "" {
			t.Errorf("next(%v) due (-want +got):\n%s", tc.after, diff)
		}
	}
}

func TestParseEntries(t *testing.T) {
	for _, tc := range []struct {
		in       string
		cafes    bool
		withTime bool
		want     []entry
		err      string
	}{
		{in: "1=11:00, 2=9:30", cafes: true, withTime: true, want: []entry{{CafeID: 1, At: clock{11, 0}}, {CafeID: 2, At: clock{9, 30}}}},
		{in: "1,2,,3", cafes: true, want: []entry{{CafeID: 1}, {CafeID: 2}, {CafeID: 3}}},
		{in: "1=11:00,2", cafes: true, want: []entry{{CafeID: 1, At: clock{11, 0}}, {CafeID: 2}}},
		{in: "", cafes: true, withTime: true, want: nil},
		{in: "generate_recommendations=06:00", withTime: true, want: []entry{{Task: "generate_recommendations", At: clock{6, 0}}}},
		{in: "1", cafes: true, withTime: true, err: `"1": no time of day (want 1=HH:MM, or -once)`},
		{in: "cafe=11:00", cafes: true, withTime: true, err: "the cafe id must be a positive integer"},
		{in: "0", cafes: true, err: "the cafe id must be a positive integer"},
		{in: "1=25:00", cafes: true, withTime: true, err: `time of day "25:00"`},
		{in: "1=11:00,1=12:00", cafes: true, withTime: true, err: `"1" listed twice`},
		{in: "=06:00", withTime: true, err: "no task name"},
	} {
		got, err := parseEntries(tc.in, tc.cafes, tc.withTime)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseEntries(%q) error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseEntries(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("parseEntries(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestParseConfig(t *testing.T) {
	t.Setenv(kafkaconfig.EnvBrokerURL, "broker:9093")
	t.Setenv(registry.EnvURL, "http://registry:8085")
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	// The environment gives the defaults; flags override them.
	env := getenv(map[string]string{EnvDeadlines: "1=11:00", EnvTasks: "generate_recommendations=06:00", EnvTZ: "Europe/Berlin"})
	cfg, err := parseConfig(nil, env, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.Once, cfg.Deadlines, cfg.Tasks, cfg.Location.String(), cfg.Producer.Name, cfg.Producer.Kafka.BootstrapServers, cfg.Producer.Registry.URLs}
	want := []any{false, []entry{{CafeID: 1, At: clock{11, 0}}}, []entry{{Task: "generate_recommendations", At: clock{6, 0}}}, "Europe/Berlin", name, "broker:9093", []string{"http://registry:8085"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config from the environment (-want +got):\n%s", diff)
	}

	cfg, err = parseConfig([]string{"-once", "-deadlines", "4,5", "-tasks", "", "-date", "2025-12-08", "-tz", "UTC"}, env, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	got = []any{cfg.Once, cfg.Deadlines, len(cfg.Tasks), cfg.Date, cfg.Location.String()}
	want = []any{true, []entry{{CafeID: 4}, {CafeID: 5}}, 0, avrobin.Date{Year: 2025, Month: time.December, Day: 8}, "UTC"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config from flags (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		args []string
		err  string
	}{
		{nil, "nothing to publish"},
		{[]string{"-deadlines", "1"}, "-deadlines: \"1\": no time of day"},
		{[]string{"-deadlines", "1=11:00", "-date", "2025-12-08"}, "-date needs -once"},
		{[]string{"-once", "-deadlines", "1", "-date", "2025-02-30"}, "-date:"},
		{[]string{"-once", "-deadlines", "1", "-tz", "Mars/Olympus"}, `-tz "Mars/Olympus"`},
		{[]string{"-once", "-tasks", "a", "extra"}, "unexpected arguments"},
	} {
		if _, err := parseConfig(tc.args, getenv(nil), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("parseConfig(%q) error %v, want one containing %q", tc.args, err, tc.err)
		}
	}
}

func TestRealMainBadInput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := realMain([]string{"-once"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "nothing to publish") {
		t.Errorf("exit status %d, stderr %q; want 2 and the reason", code, stderr.String())
	}
	stderr.Reset()
	if code := realMain([]string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "-deadlines") {
		t.Errorf("-h: exit status %d, stderr %q", code, stderr.String())
	}
}

// TestRealServers publishes with -once against a real Kafka broker and
// schema registry (internal/itest), configured from the environment as main
// is, and reads the events back.
func TestRealServers(t *testing.T) {
	broker, regURL := itest.Broker(t), itest.Registry(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	client, err := registry.New(registry.Config{URLs: []string{regURL}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range events.Contracts() { // as make register does
		if _, err := client.Register(ctx, c.Subject, c.Schema); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(kafkaconfig.EnvBrokerURL, broker)
	t.Setenv(registry.EnvURL, regURL)
	cfg, err := parseConfig([]string{"-once", "-deadlines", "21,22", "-tasks", "generate_recommendations", "-date", "2025-12-08"},
		func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Producer.Logger = quietLogger()
	var out bytes.Buffer
	if err := run(ctx, cfg, &out); err != nil {
		t.Fatal(err)
	}
	printed := lines(t, out.String())
	if len(printed) != 3 {
		t.Fatalf("printed %d lines, want 3:\n%s", len(printed), out.String())
	}
	sortByPosition(printed)
	cc := consumer.Config{Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: registry.Config{URLs: []string{regURL}}, GroupID: "check"}
	if diff := cmp.Diff(consumeAll(t, cc, 3), printed); diff != "" {
		t.Errorf("printed lines differ from the consumed messages (-consumed +printed):\n%s", diff)
	}
}
