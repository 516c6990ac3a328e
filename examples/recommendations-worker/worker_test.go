package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/events/lunchbot"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/internal/itest"
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

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// record is a printed line with its event typed.
type record struct {
	service.Record
	Event service.DailyTaskJSON `json:"event"`
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
	event    *events.DailyTask
	delivery producer.Delivery
}

// publish publishes a daily_task per task name, in order, with source
// "lunch-scheduler".
func publish(t *testing.T, cfg producer.Config, tasks ...string) []published {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cfg.Name, cfg.Logger = "lunch-scheduler", quietLogger()
	pub, err := lunchbot.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close(ctx)
	var out []published
	for _, task := range tasks {
		e := lunchbot.DailyTask(task)
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
			EventID: d.EventID, EventType: "daily_task", Source: "lunch-scheduler", Action: action,
		},
		Event: service.DailyTask(p.event),
	}
}

// recordingRecommender records the scheduled times it was called with;
// fail, when set, decides whether a call fails.
type recordingRecommender struct {
	mu    sync.Mutex
	calls []time.Time
	fail  func(call int) error
}

func (r *recordingRecommender) GenerateRecommendations(_ context.Context, scheduled time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, scheduled)
	if r.fail != nil {
		return r.fail(len(r.calls))
	}
	return nil
}

func (r *recordingRecommender) Calls() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.calls...)
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

// TestRunsItsTaskIgnoresOthers: generate_recommendations runs (with the
// time it was scheduled for), other tasks are printed as ignored, and
// every event is printed with where it was stored.
func TestRunsItsTaskIgnoresOthers(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	pubs := publish(t, env.ProducerConfig(), "send_order_reminders", TaskGenerateRecommendations, "close_orders")
	r := &recordingRecommender{}
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	out, err := runWorker(t, config{Consumer: cc, Limits: service.Limits{Max: 3}, Recommender: r})
	if err != nil {
		t.Fatal(err)
	}
	wantRecs := []record{want(pubs[0], actionIgnored), want(pubs[1], actionRan), want(pubs[2], actionIgnored)}
	sortRecords(wantRecs)
	if diff := cmp.Diff(wantRecs, parseRecords(t, out)); diff != "" {
		t.Errorf("printed records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Time{pubs[1].event.Timestamp}, r.Calls()); diff != "" {
		t.Errorf("recommender calls (-want +got):\n%s", diff)
	}
}

// TestFailedTaskIsRetried: the Recommender's error makes the consumer run
// the task again; it is printed once, when it ran.
func TestFailedTaskIsRetried(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	pubs := publish(t, env.ProducerConfig(), TaskGenerateRecommendations)
	r := &recordingRecommender{fail: func(call int) error {
		if call == 1 {
			return errors.New("database unavailable")
		}
		return nil
	}}
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	cc.Retry = consumer.RetryPolicy{Attempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
	out, err := runWorker(t, config{Consumer: cc, Limits: service.Limits{Max: 1}, Recommender: r})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]record{want(pubs[0], actionRan)}, parseRecords(t, out)); diff != "" {
		t.Errorf("printed records (-want +got):\n%s", diff)
	}
	if got := len(r.Calls()); got != 2 {
		t.Errorf("recommender called %d times, want 2 (a failure, then the retry)", got)
	}
}

// TestIdleTimeoutBeforeMax: a worker told to handle N events that sees
// none within the idle timeout fails.
func TestIdleTimeoutBeforeMax(t *testing.T) {
	env := sdktest.New(t, events.Contracts())
	cc := env.ConsumerConfig(DefaultGroupID)
	cc.Logger = quietLogger()
	out, err := runWorker(t, config{Consumer: cc, Limits: service.Limits{Max: 2, IdleTimeout: 200 * time.Millisecond}})
	if !errors.Is(err, service.ErrIdle) {
		t.Errorf("run = %v, want ErrIdle", err)
	}
	if out != "" {
		t.Errorf("printed %q", out)
	}
}

func TestParseConfig(t *testing.T) {
	t.Setenv(kafkaconfig.EnvBrokerURL, "broker:9093")
	t.Setenv(registry.EnvURL, "http://registry:8085")
	t.Setenv(consumer.EnvGroupID, "")
	cfg, err := parseConfig([]string{"-max", "2", "-idle-timeout", "30s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.Limits, cfg.Consumer.GroupID, cfg.Consumer.Name, cfg.Consumer.Kafka.BootstrapServers, cfg.Consumer.Registry.URLs}
	wantCfg := []any{service.Limits{Max: 2, IdleTimeout: 30 * time.Second}, DefaultGroupID, name, "broker:9093", []string{"http://registry:8085"}}
	if diff := cmp.Diff(wantCfg, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	t.Setenv(consumer.EnvGroupID, "recommendations-eu")
	if cfg, err = parseConfig(nil, &bytes.Buffer{}); err != nil || cfg.Consumer.GroupID != "recommendations-eu" {
		t.Errorf("group %q, err %v; want KAFKA_GROUP_ID's", cfg.Consumer.GroupID, err)
	}
}

func TestRealMainBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		stderr string
	}{
		{"negative idle timeout", []string{"-idle-timeout", "-1s"}, nil, "-idle-timeout -1s"},
		{"argument", []string{"extra"}, nil, `unexpected arguments ["extra"]`},
		{"bad registry URL", nil, map[string]string{registry.EnvURL: "ftp://registry"}, "registry: invalid URL"},
		{"bad log format", nil, map[string]string{service.EnvLogFormat: "xml"}, `LOG_FORMAT="xml"`},
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
		TaskGenerateRecommendations, "send_order_reminders")

	t.Setenv(kafkaconfig.EnvBrokerURL, broker)
	t.Setenv(registry.EnvURL, regURL)
	t.Setenv(consumer.EnvGroupID, "")
	cfg, err := parseConfig([]string{"-max", "2", "-idle-timeout", "1m"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Consumer.Logger = quietLogger()
	out, err := runWorker(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wantRecs := []record{want(pubs[0], actionRan), want(pubs[1], actionIgnored)}
	sortRecords(wantRecs)
	if diff := cmp.Diff(wantRecs, parseRecords(t, out)); diff != "" {
		t.Errorf("printed records (-want +got):\n%s", diff)
	}
}
