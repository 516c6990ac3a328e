package producer_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// newProducer creates a producer on brokers with a fake serializer, logging
// into logs.
func newProducer(t testing.TB, brokers string, logs *syncBuffer, mod func(*producer.Config)) (*producer.Producer, *fakeSerializer) {
	t.Helper()
	ser := &fakeSerializer{id: 7}
	cfg := producer.Config{
		Kafka:      kafkaconfig.Config{BootstrapServers: brokers},
		Serializer: ser,
		Name:       "test-producer",
		Registry:   registry.Config{URLs: []string{"http://registry.example:8081/"}},
	}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := producer.New(context.Background(), cfg, testContract)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, _ = p.Close(ctx)
	})
	return p, ser
}

func TestDeliveryErrorWhenBrokerDown(t *testing.T) {
	mc := mockCluster(t)
	p, _ := newProducer(t, mc.BootstrapServers(), nil, func(c *producer.Config) { c.DeliveryTimeout = time.Second })
	// Connect first, so the failure is the broker going away.
	if _, err := p.Publish(context.Background(), &testEvent{ID: 1, Name: "up"}); err != nil {
		t.Fatal(err)
	}
	if err := mc.SetBrokerDown(1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The async and the sync publish wait at the same time.
	got := make(chan error, 1)
	if err := p.PublishAsync(ctx, &testEvent{ID: 3, Name: "down"}, func(_ producer.Delivery, err error) { got <- err }); err != nil {
		t.Fatal(err)
	}
	_, err := p.Publish(ctx, &testEvent{ID: 2, Name: "down"})
	var de *producer.DeliveryError
	if !errors.As(err, &de) || !errors.Is(err, producer.ErrNotDelivered) {
		t.Fatalf("sync err = %v, want a *DeliveryError", err)
	}
	var ke kafka.Error
	if !errors.As(err, &ke) || ke.Code() != kafka.ErrMsgTimedOut {
		t.Errorf("sync err = %v, want it to unwrap to kafka's message timeout", err)
	}
	select {
	case err := <-got:
		if !errors.Is(err, producer.ErrNotDelivered) {
			t.Errorf("async err = %v, want ErrNotDelivered", err)
		}
	case <-ctx.Done():
		t.Fatal("no delivery report within a minute")
	}
}

func TestPublishHonoursContext(t *testing.T) {
	mc := mockCluster(t)
	p, _ := newProducer(t, mc.BootstrapServers(), nil, nil)
	if err := mc.SetBrokerDown(1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	d, err := p.Publish(ctx, &testEvent{ID: 1, Name: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if d.EventID == (cloudevents.EventID{}) || d.Topic != testContract.Topic {
		t.Errorf("delivery of an abandoned publish = %+v, want its topic and event id", d)
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := p.Publish(done, &testEvent{ID: 1, Name: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

func TestCloseReportsUndelivered(t *testing.T) {
	mc := mockCluster(t)
	p, _ := newProducer(t, mc.BootstrapServers(), nil, nil)
	if err := mc.SetBrokerDown(1); err != nil {
		t.Fatal(err)
	}
	const n = 5
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		if err := p.PublishAsync(context.Background(), &testEvent{ID: int64(i), Name: "x"}, func(_ producer.Delivery, err error) { errs <- err }); err != nil {
			t.Fatal(err)
		}
	}
	// A Publish waiting without a deadline is released by Close.
	syncErr := make(chan error, 1)
	go func() {
		_, err := p.Publish(context.Background(), &testEvent{ID: 99, Name: "x"})
		syncErr <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the sync publish enqueue; the test holds either way
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	undelivered, err := p.Close(ctx)
	if undelivered < n || undelivered > n+1 {
		t.Errorf("undelivered = %d, want %d or %d", undelivered, n, n+1)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close err = %v, want it to wrap the context's", err)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; !errors.Is(err, producer.ErrNotDelivered) {
			t.Errorf("purged message: err = %v, want ErrNotDelivered", err)
		}
	}
	if err := <-syncErr; err == nil {
		t.Error("sync publish during Close succeeded with the broker down")
	}
	if _, err := p.Publish(context.Background(), &testEvent{ID: 1, Name: "x"}); !errors.Is(err, producer.ErrClosed) {
		t.Errorf("publish after Close: err = %v, want ErrClosed", err)
	}
	if _, err := p.Close(context.Background()); !errors.Is(err, producer.ErrClosed) {
		t.Errorf("second Close: err = %v, want ErrClosed", err)
	}
}

func TestNewFailsOnWarmUp(t *testing.T) {
	errMissing := errors.New("subject not found")
	_, err := producer.New(context.Background(), producer.Config{Serializer: &fakeSerializer{warmErr: errMissing}}, testContract)
	if !errors.Is(err, errMissing) {
		t.Errorf("err = %v, want the warm-up error", err)
	}
	badURL := producer.Config{Registry: registry.Config{URLs: []string{"ftp://registry"}}}
	if _, err := producer.New(context.Background(), badURL); !errors.Is(err, producer.ErrConfig) {
		t.Errorf("bad registry URL: err = %v, want ErrConfig", err)
	}
	bad := producer.Config{Serializer: &fakeSerializer{}, Kafka: kafkaconfig.Config{SecurityProtocol: "bogus"}}
	if _, err := producer.New(context.Background(), bad); !errors.Is(err, producer.ErrConfig) || !errors.Is(err, kafkaconfig.ErrInvalid) {
		t.Errorf("bad protocol: err = %v, want ErrConfig and kafkaconfig.ErrInvalid", err)
	}
}

// TestSecretsStayOut runs a producer whose SASL handshake fails (the mock
// cluster speaks no SASL), with librdkafka's debug logs on, and searches
// everything the SDK printed or returned for the password.
func TestSecretsStayOut(t *testing.T) {
	const secret = "s3cr3t-Pa55word"
	mc := mockCluster(t)
	var logs syncBuffer
	cfg := producer.Config{
		Kafka: kafkaconfig.Config{
			BootstrapServers: mc.BootstrapServers(), SecurityProtocol: "sasl_plaintext",
			SASLMechanism: "PLAIN", SASLUsername: "bot", SASLPassword: secret,
			Properties: map[string]any{"debug": "security,broker,conf"},
			// The handshake fails: New would stop at the check instead of
			// going on to publish.
			SkipConnectCheck: true,
		},
		Serializer:      &fakeSerializer{id: 1},
		Logger:          slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DeliveryTimeout: 500 * time.Millisecond,
	}
	p, err := producer.New(context.Background(), cfg, testContract)
	if err != nil {
		t.Fatal(err)
	}
	_, perr := p.Publish(context.Background(), &testEvent{ID: 1, Name: "x"})
	_, cerr := p.Close(context.Background())
	logs.Write([]byte(cfg.String() + "\n"))
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "cfg", cfg)
	for _, err := range []error{perr, cerr} {
		if err != nil {
			logs.Write([]byte(err.Error() + "\n"))
		}
	}
	out := logs.String()
	if !strings.Contains(out, "librdkafka") {
		t.Fatalf("no librdkafka log captured; the test would prove nothing:\n%s", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the password appears in the output")
	}
}

// TestQueueFullWaits fills librdkafka's queue while the broker is down: a
// publish then waits for room until its context ends, and goes through once
// the broker is back.
func TestQueueFullWaits(t *testing.T) {
	mc := mockCluster(t)
	p, _ := newProducer(t, mc.BootstrapServers(), nil, func(c *producer.Config) {
		c.Kafka.Properties = map[string]any{"queue.buffering.max.messages": 5}
	})
	if _, err := p.Publish(context.Background(), &testEvent{ID: 1, Name: "up"}); err != nil {
		t.Fatal(err)
	}
	if err := mc.SetBrokerDown(1); err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 10)
	for i := 0; i < 5; i++ {
		if err := p.PublishAsync(context.Background(), &testEvent{ID: int64(i), Name: "queued"}, func(_ producer.Delivery, err error) { results <- err }); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := p.PublishAsync(ctx, &testEvent{ID: 9, Name: "no room"}, func(producer.Delivery, error) { t.Error("callback of a refused publish") })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("publish into a full queue: err = %v, want the context's deadline", err)
	}
	if err := mc.SetBrokerUp(1); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	if _, err := p.Publish(ctx2, &testEvent{ID: 10, Name: "after"}); err != nil {
		t.Fatalf("publish once the broker is back: %v", err)
	}
	for i := 0; i < 5; i++ {
		if err := <-results; err != nil {
			t.Errorf("queued message: %v", err)
		}
	}
}
