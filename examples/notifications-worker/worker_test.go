package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/events/lunchbot"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/sdktest"
)

func TestMain(m *testing.M) { itest.Main(m) }

// waitLimit bounds each test's wait for Kafka; it is a safety net, not an
// expectation.
const waitLimit = time.Minute

var (
	dec8 = avrobin.Date{Year: 2025, Month: time.December, Day: 8}
	dec9 = avrobin.Date{Year: 2025, Month: time.December, Day: 9}
)

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// record is a printed line with its event typed.
type record struct {
	service.Record
	Event service.DeadlinePassedJSON `json:"event"`
}

// parseRecords parses the worker's output, sorted by partition and offset.
func parseRecords(t *testing.T, out string) []record {
	t.Helper()
	var recs []record
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	sortRecords(recs)
	return recs
}

func sortRecords(recs []record) {
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].Partition != recs[j].Partition {
			return recs[i].Partition < recs[j].Partition
		}
		return recs[i].Offset < recs[j].Offset
	})
}

// published is an event and where Kafka put it.
type published struct {
	event    *events.DeadlinePassed
	delivery producer.Delivery
}

// publish publishes a deadline.passed per (cafe, date) pair, in order,
// with source "lunch-api".
func publish(t *testing.T, cfg producer.Config, pairs ...any) []published {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cfg.Name, cfg.Logger = "lunch-api", quietLogger()
	pub, err := lunchbot.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close(ctx)
	var out []published
	for i := 0; i < len(pairs); i += 2 {
		e := lunchbot.DeadlinePassed(pairs[i].(int64), pairs[i+1].(avrobin.Date))
		d, err := pub.Producer().Publish(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, published{e, d})
	}
	return out
}

// want is the record the worker should print for p.
func want(p published, action string) record {
	d := p.delivery
	return record{
		Record: service.Record{
			Topic: d.Topic, Partition: d.Partition, Offset: d.Offset, SchemaID: d.SchemaID,
			Key: strconv.FormatInt(p.event.CafeID, 10), EventID: d.EventID,
			EventType: "deadline.passed", Source: "lunch-api", Action: action,
		},
		Event: service.DeadlinePassed(p.event),
	}
}

// recordingNotifier records its calls; fail, when set, decides whether a
// call fails.
type recordingNotifier struct {
	mu    sync.Mutex
	calls []string
	fail  func(call int) error
}

func (n *recordingNotifier) NotifyDeadlinePassed(_ context.Context, cafeID int64, date avrobin.Date) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, strconv.FormatInt(cafeID, 10)+"@"+date.String())
	if n.fail != nil {
		return n.fail(len(n.calls))
	}
	return nil
}

func (n *recordingNotifier) Calls() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := append([]string(nil), n.calls...)
	sort.Strings(out)
	return out
}

func runWorker(t *testing.T, cfg config) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, cfg, &out)
	if ctx.Err() != nil {
		t.Fatalf("the worker did not stop within %v; printed:\n%s", waitLimit, out.String())
	}
	return out.String(), err
}

// TestNotifiesOncePerCafeAndDay: every event is printed with where it was
// stored, and the users of a cafe are notified once per day even when the
// same deadline is published twice.
func TestNotifiesOncePerCafeAndDay(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	pubs := publish(t, env.ProducerConfig(), int64(1), dec8, int64(2), dec8, int64(1), dec8, int64(1), dec9)
	n := &recordingNotifier{}
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	out, err := runWorker(t, config{Consumer: cc, Limits: service.Limits{Max: 4}, Notifier: n})
	if err != nil {
		t.Fatal(err)
	}
	// Cafe 1's events share a partition, so the second 1@2025-12-08 comes
	// after the first.
	wantRecs := []record{want(pubs[0], actionNotified), want(pubs[1], actionNotified), want(pubs[2], actionDuplicate), want(pubs[3], actionNotified)}
	sortRecords(wantRecs)
	if diff := cmp.Diff(wantRecs, parseRecords(t, out)); diff != "" {
		t.Errorf("printed records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1@2025-12-08", "1@2025-12-09", "2@2025-12-08"}, n.Calls()); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

// slowNotifier takes a while per notification, as a chat service does, and
// records how many ran at once, overall and per cafe.
type slowNotifier struct {
	mu            sync.Mutex
	running       map[int64]int
	now, most     int
	sameCafeTwice bool
}

func (n *slowNotifier) NotifyDeadlinePassed(ctx context.Context, cafeID int64, _ avrobin.Date) error {
	n.mu.Lock()
	n.running[cafeID]++
	n.sameCafeTwice = n.sameCafeTwice || n.running[cafeID] > 1
	n.now++
	n.most = max(n.most, n.now)
	n.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	n.mu.Lock()
	n.running[cafeID]--
	n.now--
	n.mu.Unlock()
	return nil
}

// TestNotifiesConcurrently: with -concurrency, notifications of different
// cafes run at once, and never two of one cafe.
func TestNotifiesConcurrently(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	var args []any
	for cafe := int64(1); cafe <= 12; cafe++ {
		args = append(args, cafe, dec8, cafe, dec9)
	}
	publish(t, env.ProducerConfig(), args...)
	n := &slowNotifier{running: map[int64]int{}}
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	cc.Concurrency = 8
	if _, err := runWorker(t, config{Consumer: cc, Limits: service.Limits{Max: 24}, Notifier: n}); err != nil {
		t.Fatal(err)
	}
	if n.most < 2 {
		t.Errorf("at most %d notifications at once with Concurrency 8", n.most)
	}
	if n.sameCafeTwice {
		t.Error("two notifications of one cafe ran at once")
	}
	t.Logf("up to %d notifications at once", n.most)
}

// TestFailedNotificationIsRetried: a Notifier's error makes the consumer
// call the handler again, and a cafe whose notification failed is not
// taken as notified.
func TestFailedNotificationIsRetried(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	pubs := publish(t, env.ProducerConfig(), int64(5), dec8)
	n := &recordingNotifier{fail: func(call int) error {
		if call == 1 {
			return errors.New("chat service unavailable")
		}
		return nil
	}}
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	cc.Retry = consumer.RetryPolicy{Attempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
	out, err := runWorker(t, config{Consumer: cc, Limits: service.Limits{Max: 1}, Notifier: n})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]record{want(pubs[0], actionNotified)}, parseRecords(t, out)); diff != "" {
		t.Errorf("printed records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"5@2025-12-08", "5@2025-12-08"}, n.Calls()); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

// TestStopsWhenContextEnds: the end of the context (SIGINT or SIGTERM in
// main) stops the worker cleanly, after the event in flight.
func TestStopsWhenContextEnds(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	publish(t, env.ProducerConfig(), int64(3), dec8)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	runCtx, sigterm := context.WithCancel(ctx)
	n := &recordingNotifier{fail: func(int) error { sigterm(); return nil }} // during the first event
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	var out bytes.Buffer
	if err := run(runCtx, config{Consumer: cc, Notifier: n}, &out); err != nil {
		t.Fatalf("run = %v, want nil after the context ended", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the worker did not stop")
	}
	if got := len(parseRecords(t, out.String())); got != 1 {
		t.Errorf("%d records printed, want the one in flight:\n%s", got, out.String())
	}
}

// TestIdleTimeoutBeforeMax: a worker told to handle N events that sees
// none within the idle timeout fails, so a demo cannot pass silently.
func TestIdleTimeoutBeforeMax(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	out, err := runWorker(t, config{Consumer: cc, Limits: service.Limits{Max: 1, IdleTimeout: 200 * time.Millisecond}})
	if !errors.Is(err, service.ErrIdle) {
		t.Errorf("run = %v, want ErrIdle", err)
	}
	if out != "" {
		t.Errorf("printed %q", out)
	}
}

func TestSeenSetForgetsOldestDay(t *testing.T) {
	s := newSeenSet(3)
	s.add(1, dec9)
	s.add(1, dec8)
	s.add(2, dec8)
	s.add(3, dec9) // full: the 8th goes
	for _, tc := range []struct {
		cafe int64
		date avrobin.Date
		want bool
	}{{1, dec9, true}, {3, dec9, true}, {1, dec8, false}, {2, dec8, false}} {
		if got := s.has(tc.cafe, tc.date); got != tc.want {
			t.Errorf("has(%d, %s) = %t, want %t", tc.cafe, tc.date, got, tc.want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	t.Setenv(kafkaconfig.EnvBrokerURL, "broker:9093")
	t.Setenv(registry.EnvURL, "http://registry:8085")
	t.Setenv(consumer.EnvGroupID, "")
	cfg, err := parseConfig([]string{"-max", "3", "-idle-timeout", "1m"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.Limits, cfg.Consumer.GroupID, cfg.Consumer.Name, cfg.Consumer.Kafka.BootstrapServers, cfg.Consumer.Registry.URLs}
	wantCfg := []any{service.Limits{Max: 3, IdleTimeout: time.Minute}, DefaultGroupID, name, "broker:9093", []string{"http://registry:8085"}}
	if cfg.Consumer.Concurrency != DefaultConcurrency || cfg.NotifyLatency != 0 {
		t.Errorf("concurrency %d, latency %v; want the defaults", cfg.Consumer.Concurrency, cfg.NotifyLatency)
	}
	if c, _ := parseConfig([]string{"-concurrency", "4", "-notify-latency", "50ms"}, &bytes.Buffer{}); c.Consumer.Concurrency != 4 || c.NotifyLatency != 50*time.Millisecond {
		t.Errorf("-concurrency 4 -notify-latency 50ms: %d, %v", c.Consumer.Concurrency, c.NotifyLatency)
	}
	if diff := cmp.Diff(wantCfg, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	t.Setenv(consumer.EnvGroupID, "notifications-eu")
	cfg, err = parseConfig(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Consumer.GroupID != "notifications-eu" || cfg.Limits != (service.Limits{}) {
		t.Errorf("group %q, limits %+v; want KAFKA_GROUP_ID's and none", cfg.Consumer.GroupID, cfg.Limits)
	}
}

func TestRealMainBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		stderr string
	}{
		{"negative max", []string{"-max", "-1"}, nil, "-max -1"},
		{"argument", []string{"extra"}, nil, `unexpected arguments ["extra"]`},
		{"unknown flag", []string{"-nope"}, nil, "flag provided but not defined: -nope"},
		{"bad protocol", nil, map[string]string{kafkaconfig.EnvSecurityProtocol: "carrier-pigeon"}, `security protocol "carrier-pigeon"`},
		{"bad log level", nil, map[string]string{service.EnvLogLevel: "loud"}, `LOG_LEVEL="loud"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			if code := realMain(tc.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.stderr)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := realMain([]string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "-idle-timeout") {
		t.Errorf("-h: exit status %d, stderr %q", code, stderr.String())
	}
}

// TestRealServers runs the worker against a real Kafka broker and schema
// registry (internal/itest), with its configuration from the environment
// as main reads it.
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
	pubs := publish(t, producer.Config{Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: registry.Config{URLs: []string{regURL}}},
		int64(11), dec8, int64(12), dec8, int64(11), dec8)

	t.Setenv(kafkaconfig.EnvBrokerURL, broker)
	t.Setenv(registry.EnvURL, regURL)
	t.Setenv(consumer.EnvGroupID, "")
	cfg, err := parseConfig([]string{"-max", "3", "-idle-timeout", "1m"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Consumer.Logger = quietLogger()
	out, err := runWorker(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wantRecs := []record{want(pubs[0], actionNotified), want(pubs[1], actionNotified), want(pubs[2], actionDuplicate)}
	sortRecords(wantRecs)
	if diff := cmp.Diff(wantRecs, parseRecords(t, out)); diff != "" {
		t.Errorf("printed records (-want +got):\n%s", diff)
	}
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestReadyOnlyWithPartitions: /readyz says not ready while the broker is
// down (no partitions assigned), /healthz says the process is up, and
// /readyz turns ready once the broker is back and the worker holds
// partitions.
func TestReadyOnlyWithPartitions(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	if err := env.Cluster.SetBrokerDown(1); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{Consumer: cc, Notifier: &recordingNotifier{}, Telemetry: service.TelemetryConfig{Addr: addr}}, io.Discard)
	}()
	status := func(path string) int {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(waitLimit)
	for status("/healthz") != http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if s := status("/healthz"); s != http.StatusOK {
		t.Fatalf("/healthz: %d", s)
	}
	time.Sleep(300 * time.Millisecond)
	if s := status("/readyz"); s != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the broker down: %d, want 503", s)
	}
	if err := env.Cluster.SetBrokerUp(1); err != nil {
		t.Fatal(err)
	}
	for status("/readyz") != http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if s := status("/readyz"); s != http.StatusOK {
		t.Errorf("/readyz with partitions assigned: %d, want 200", s)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}
