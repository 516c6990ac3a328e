package producer_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
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

func TestPublishRoundTrip(t *testing.T) {
	mc := mockCluster(t)
	var logs syncBuffer
	p, ser := newProducer(t, mc.BootstrapServers(), &logs, nil)
	if diff := cmp.Diff([]string{testContract.Subject}, []string{ser.warmed[0].Subject}); diff != "" {
		t.Errorf("warmed (-want +got):\n%s", diff)
	}

	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	ctx := producer.WithTraceparent(context.Background(), tp)
	in := &testEvent{ID: 42, Name: "cafe"}
	d, err := p.Publish(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Topic != testContract.Topic || d.Partition != 0 || d.Offset != 0 || d.SchemaID != 7 || d.EventID == (producer.EventID{}) {
		t.Errorf("delivery = %+v", d)
	}

	msgs := readAll(t, mc.BootstrapServers(), testContract.Topic)
	if len(msgs) != 1 {
		t.Fatalf("%d messages on the topic, want 1", len(msgs))
	}
	m := msgs[0]
	if string(m.Key) != "42" {
		t.Errorf("key = %q, want 42", m.Key)
	}
	id, body, err := wire.Parse(m.Value)
	if err != nil || id != 7 {
		t.Fatalf("wire.Parse = %d, %v", id, err)
	}
	var out testEvent
	if err := out.UnmarshalAvro(body); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, &out); diff != "" {
		t.Errorf("event (-published +read):\n%s", diff)
	}
	got := map[string]string{}
	for _, h := range m.Headers {
		got[h.Key] = string(h.Value)
	}
	want := map[string]string{
		producer.HeaderSpecVersion: "1.0",
		producer.HeaderID:          d.EventID.String(),
		producer.HeaderSource:      "test-producer",
		producer.HeaderType:        "test.event",
		producer.HeaderContentType: "application/avro",
		producer.HeaderDataSchema:  "http://registry.example:8081/schemas/ids/7",
		producer.HeaderTraceparent: tp,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if s := logs.String(); !strings.Contains(s, "event published") || !strings.Contains(s, "Name:cafe") {
		t.Errorf("no debug log of the published event with its fields:\n%s", s)
	}
}

func TestPublishAsyncAndUnkeyed(t *testing.T) {
	mc := mockCluster(t)
	p, _ := newProducer(t, mc.BootstrapServers(), nil, func(c *producer.Config) { c.Registry.URLs = nil })
	const n = 50
	var (
		mu   sync.Mutex
		got  = map[int64]bool{}
		errs []error
		wg   sync.WaitGroup
	)
	wg.Add(n)
	for i := 0; i < n; i++ {
		err := p.PublishAsync(context.Background(), &testEvent{ID: int64(i), Name: "x"}, func(d producer.Delivery, err error) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			got[d.Offset] = true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if len(errs) > 0 || len(got) != n {
		t.Fatalf("%d distinct offsets, errors %v", len(got), errs)
	}
	msgs := readAll(t, mc.BootstrapServers(), testContract.Topic)
	ids := map[string]bool{}
	for _, m := range msgs {
		id, _ := header(m, producer.HeaderID)
		ids[id] = true
		if _, ok := header(m, producer.HeaderDataSchema); ok {
			t.Errorf("ce_dataschema set without a registry URL")
		}
		if _, ok := header(m, producer.HeaderTraceparent); ok {
			t.Errorf("traceparent set without one in the context")
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct event ids over %d messages", len(ids), n)
	}
}

func TestInvalidEventRefused(t *testing.T) {
	mc := mockCluster(t)
	var logs syncBuffer
	p, ser := newProducer(t, mc.BootstrapServers(), &logs, nil)
	_, err := p.Publish(context.Background(), &testEvent{ID: 1})
	if !errors.Is(err, producer.ErrInvalidEvent) || !errors.Is(err, errEmptyName) {
		t.Fatalf("err = %v, want ErrInvalidEvent and the Validate error", err)
	}
	called := false
	err = p.PublishAsync(context.Background(), &testEvent{ID: 2}, func(producer.Delivery, error) { called = true })
	if !errors.Is(err, producer.ErrInvalidEvent) {
		t.Fatalf("async err = %v, want ErrInvalidEvent", err)
	}
	if _, err := p.Publish(context.Background(), nil); !errors.Is(err, producer.ErrInvalidEvent) {
		t.Errorf("nil event: err = %v", err)
	}
	if n, err := p.Close(context.Background()); n != 0 || err != nil {
		t.Fatalf("Close = %d, %v", n, err)
	}
	if called {
		t.Error("callback called for a refused event")
	}
	if ser.appends.Load() != 0 {
		t.Errorf("invalid events were serialized %d times", ser.appends.Load())
	}
	if msgs := readAll(t, mc.BootstrapServers(), testContract.Topic); len(msgs) != 0 {
		t.Errorf("%d messages on the topic, want none", len(msgs))
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), errEmptyName.Error()) {
		t.Errorf("refusal not logged at error level with its cause:\n%s", logs.String())
	}
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
	if d.EventID == (producer.EventID{}) || d.Topic != testContract.Topic {
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

func TestCallbackPanicRecovered(t *testing.T) {
	mc := mockCluster(t)
	var logs syncBuffer
	p, _ := newProducer(t, mc.BootstrapServers(), &logs, nil)
	if err := p.PublishAsync(context.Background(), &testEvent{ID: 1, Name: "x"}, func(producer.Delivery, error) { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	// The delivery loop lives on: the next publish completes.
	if _, err := p.Publish(context.Background(), &testEvent{ID: 2, Name: "y"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("callback panic not logged:\n%s", logs.String())
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
