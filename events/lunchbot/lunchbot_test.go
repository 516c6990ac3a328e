package lunchbot_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/events/lunchbot"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func TestMain(m *testing.M) { itest.Main(m) }

const waitLimit = time.Minute

// stack returns the shared servers, with the events' schemas registered
// (as CI would).
func stack(t *testing.T) (broker string, reg registry.Config) {
	t.Helper()
	broker = itest.Broker(t)
	reg = registry.Config{URLs: []string{itest.Registry(t)}}
	client, err := registry.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	for _, c := range events.Contracts() {
		if _, err := client.Register(ctx, c.Subject, c.Schema); err != nil {
			t.Fatal(err)
		}
	}
	return broker, reg
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// uniqueID returns a random positive cafe id, so tests sharing the topics
// recognise their own events.
func uniqueID(t *testing.T) int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return int64(binary.BigEndian.Uint64(b[:]) >> 2)
}

// TestBothEventsRoundTrip publishes both events through the Publisher to the
// real broker and registry, consumes them back with typed handlers, and
// compares them with what was published.
func TestBothEventsRoundTrip(t *testing.T) {
	broker, reg := stack(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	pub, err := lunchbot.New(ctx, producer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: reg, Name: "lunch-api", Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close(ctx)

	cafe := uniqueID(t)
	task := fmt.Sprintf("generate_recommendations-%d", cafe)
	date := avrobin.Date{Year: 2025, Month: time.December, Day: 8}

	// Events built by the helpers and published through the producer:
	// compared whole.
	wantDeadline := lunchbot.DeadlinePassed(cafe, date)
	wantTask := lunchbot.DailyTask(task)
	if _, err := pub.Producer().Publish(ctx, wantDeadline); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Producer().Publish(ctx, wantTask); err != nil {
		t.Fatal(err)
	}
	// The one-call API, sync and async: compared but for the timestamp,
	// which must lie between before and after.
	before := time.Now().UTC().Truncate(time.Microsecond)
	dd, err := pub.PublishDeadlinePassed(ctx, cafe+1, date)
	if err != nil {
		t.Fatal(err)
	}
	async := make(chan error, 1)
	if err := pub.PublishDailyTaskAsync(ctx, task+"-async", func(_ producer.Delivery, err error) { async <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-async; err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	if dd.Topic != "lunch-bot.deadlines" || dd.SchemaID == 0 {
		t.Errorf("delivery = %+v", dd)
	}

	deadlines := make(chan *events.DeadlinePassed, 10)
	tasks := make(chan *events.DailyTask, 10)
	var mu sync.Mutex
	keys := map[int64]string{}
	c, err := consumer.New(consumer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: reg,
		GroupID: fmt.Sprintf("notifications-%d", cafe), Logger: quietLogger(),
	},
		consumer.Handle(func(_ context.Context, e *events.DeadlinePassed, m consumer.Message) error {
			if e.CafeID == cafe || e.CafeID == cafe+1 {
				mu.Lock()
				keys[e.CafeID] = string(m.Key)
				mu.Unlock()
				deadlines <- e
			}
			return nil
		}),
		consumer.Handle(func(_ context.Context, e *events.DailyTask, m consumer.Message) error {
			if e.Type == task || e.Type == task+"-async" {
				tasks <- e
			}
			return nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	gotDeadlines := map[int64]*events.DeadlinePassed{}
	gotTasks := map[string]*events.DailyTask{}
	timeout := time.After(waitLimit)
	for len(gotDeadlines) < 2 || len(gotTasks) < 2 {
		select {
		case e := <-deadlines:
			gotDeadlines[e.CafeID] = e
		case e := <-tasks:
			gotTasks[e.Type] = e
		case <-timeout:
			t.Fatalf("consumed %d deadlines and %d tasks of 2 each", len(gotDeadlines), len(gotTasks))
		}
	}
	if diff := cmp.Diff(wantDeadline, gotDeadlines[cafe]); diff != "" {
		t.Errorf("deadline.passed (-published +consumed):\n%s", diff)
	}
	if diff := cmp.Diff(wantTask, gotTasks[task]); diff != "" {
		t.Errorf("daily_task (-published +consumed):\n%s", diff)
	}

	d2 := gotDeadlines[cafe+1]
	t2 := gotTasks[task+"-async"]
	for _, ts := range []time.Time{d2.Timestamp, t2.Timestamp} {
		if ts.Before(before) || ts.After(after) || ts.Location() != time.UTC {
			t.Errorf("timestamp %v not the publishing time in UTC (between %v and %v)", ts, before, after)
		}
	}
	want2 := &events.DeadlinePassed{Type: "deadline.passed", CafeID: cafe + 1, Date: date, Timestamp: d2.Timestamp}
	if diff := cmp.Diff(want2, d2); diff != "" {
		t.Errorf("PublishDeadlinePassed (-want +consumed):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if keys[cafe] != fmt.Sprint(cafe) {
		t.Errorf("message key %q, want the cafe id %d", keys[cafe], cafe)
	}
}

func TestInvalidArgumentsRefused(t *testing.T) {
	broker, reg := stack(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	pub, err := lunchbot.New(ctx, producer.Config{Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: reg, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close(ctx)
	_, err = pub.PublishDeadlinePassed(ctx, 1, avrobin.Date{Year: 2025, Month: time.February, Day: 30})
	if !errors.Is(err, producer.ErrInvalidEvent) || !errors.Is(err, avrobin.ErrInvalid) {
		t.Errorf("February 30: err = %v, want ErrInvalidEvent", err)
	}
	if _, err := pub.PublishDailyTask(ctx, ""); !errors.Is(err, producer.ErrInvalidEvent) {
		t.Errorf("empty task: err = %v, want ErrInvalidEvent", err)
	}
	called := false
	if err := pub.PublishDailyTaskAsync(ctx, "", func(producer.Delivery, error) { called = true }); !errors.Is(err, producer.ErrInvalidEvent) {
		t.Errorf("empty task, async: err = %v, want ErrInvalidEvent", err)
	}
	if n, err := pub.Close(ctx); n != 0 || err != nil {
		t.Errorf("Close = %d, %v", n, err)
	}
	if called {
		t.Error("callback called for a refused event")
	}
}

func TestNewFailsWithoutSubjects(t *testing.T) {
	// A stack of its own, whose registry has no schema.
	s := itest.Start(t, itest.Options{InMemory: true})
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, err := lunchbot.New(ctx, producer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: s.BrokerAddr}, Registry: registry.Config{URLs: []string{s.RegistryURL}},
		Logger: quietLogger(),
	})
	if !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Errorf("err = %v, want registry.ErrSubjectNotFound", err)
	}
}
