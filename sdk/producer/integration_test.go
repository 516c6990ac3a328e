package producer_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

func TestMain(m *testing.M) { itest.Main(m) }

// countingTransport counts the registry's HTTP requests.
type countingTransport struct{ n *atomic.Int64 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// itestContract returns a contract of the test event's schema on a topic
// (and subject) of the test's own.
func itestContract(t testing.TB) *contract.Contract {
	topic := itest.Topic(t, "producer")
	return &contract.Contract{
		Type: testContract.Type, Name: testContract.Name, Topic: topic, Subject: topic + "-value",
		KeyField: testContract.KeyField, Schema: testContract.Schema,
	}
}

// contractEvent is testEvent with another contract.
type contractEvent struct {
	testEvent
	c *contract.Contract
}

func (e *contractEvent) Contract() *contract.Contract { return e.c }

// TestNoRegistryRequestAfterWarmUp publishes to the real broker with the
// real serializer and registry, and counts the registry's requests.
func TestNoRegistryRequestAfterWarmUp(t *testing.T) {
	broker, regURL := itest.Broker(t), itest.Registry(t)
	c := itestContract(t)
	var requests atomic.Int64
	regCfg := registry.Config{URLs: []string{regURL}, Transport: countingTransport{&requests}}
	client, err := registry.New(regCfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := client.Register(ctx, c.Subject, c.Schema)
	if err != nil {
		t.Fatal(err)
	}

	p, err := producer.New(ctx, producer.Config{Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: regCfg}, c)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	afterWarmUp := requests.Load()
	if afterWarmUp == 0 {
		t.Fatal("New made no registry request: the warm-up did not happen")
	}
	const n = 200
	for i := 0; i < n; i++ {
		d, err := p.Publish(ctx, &contractEvent{testEvent{ID: int64(i), Name: "x"}, c})
		if err != nil {
			t.Fatal(err)
		}
		if d.SchemaID != id {
			t.Fatalf("schema id %d, want the registered %d", d.SchemaID, id)
		}
	}
	if got := requests.Load() - afterWarmUp; got != 0 {
		t.Errorf("%d registry requests for %d publishes after the warm-up, want 0", got, n)
	}

	// What was published decodes with the registry's schema.
	msgs := readAllPartitions(t, broker, c.Topic, n)
	dec := serde.NewDeserializer(client, serde.DeserializerConfig{})
	seen := map[int64]bool{}
	for _, m := range msgs {
		ev := &contractEvent{c: c}
		if _, err := dec.Decode(ctx, m.Value, ev); err != nil {
			t.Fatal(err)
		}
		seen[ev.ID] = true
		if got, _ := header(m, cloudevents.HeaderDataSchema); got != regURL+"/schemas/ids/"+itoa(id) {
			t.Errorf("ce_dataschema = %q", got)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct events read back, want %d", len(seen), n)
	}
}

// TestMissingSubjectFailsAtStart checks that New refuses to start when a
// contract's subject is not registered (and auto-registration is off).
func TestMissingSubjectFailsAtStart(t *testing.T) {
	broker, regURL := itest.Broker(t), itest.Registry(t)
	c := itestContract(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := producer.Config{Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: registry.Config{URLs: []string{regURL}}}
	_, err := producer.New(ctx, cfg, c)
	if !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Fatalf("err = %v, want registry.ErrSubjectNotFound", err)
	}
	cfg.Serde.AutoRegister = true
	p, err := producer.New(ctx, cfg, c)
	if err != nil {
		t.Fatalf("with AutoRegister: %v", err)
	}
	d, err := p.Publish(ctx, &contractEvent{testEvent{ID: 1, Name: "x"}, c})
	if err != nil {
		t.Fatal(err)
	}
	if undelivered, err := p.Close(ctx); undelivered != 0 || err != nil {
		t.Errorf("Close = %d, %v", undelivered, err)
	}
	msgs := readAllPartitions(t, broker, c.Topic, 1)
	gotID, _, err := wire.Parse(msgs[0].Value)
	if err != nil || int(gotID) != d.SchemaID {
		t.Errorf("wire id %d (%v), delivery says %d", gotID, err, d.SchemaID)
	}
	if diff := cmp.Diff(c.Topic, d.Topic); diff != "" {
		t.Error(diff)
	}
}

// realProducer creates a producer on the shared kfake broker with the real
// serializer and registry (auto-registering), for a contract on a topic of
// the test's own, logging at debug level into logs.
func realProducer(t *testing.T, logs *syncBuffer) (*producer.Producer, *contract.Contract, string) {
	t.Helper()
	broker, regURL := itest.Broker(t), itest.Registry(t)
	c := itestContract(t)
	createTopicTB(t, broker, c.Topic)
	cfg := producer.Config{
		Kafka:    kafkaconfig.Config{BootstrapServers: broker},
		Registry: registry.Config{URLs: []string{regURL}},
		Serde:    serde.SerializerConfig{AutoRegister: true},
		Name:     "test-producer",
	}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	p, err := producer.New(context.Background(), cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = p.Close(ctx)
	})
	return p, c, broker
}

func TestPublishRoundTrip(t *testing.T) {
	var logs syncBuffer
	p, c, broker := realProducer(t, &logs)
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	ctx := cloudevents.WithTraceparent(context.Background(), tp)
	in := &contractEvent{testEvent{ID: 42, Name: "cafe"}, c}
	d, err := p.Publish(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Topic != c.Topic || d.Partition < 0 || d.Offset != 0 || d.SchemaID <= 0 || d.EventID == (cloudevents.EventID{}) {
		t.Errorf("delivery = %+v", d)
	}

	msgs := readAllPartitions(t, broker, c.Topic, 1)
	m := msgs[0]
	if m.TopicPartition.Partition != d.Partition || int64(m.TopicPartition.Offset) != d.Offset {
		t.Errorf("message at %v, delivery says partition %d offset %d", m.TopicPartition, d.Partition, d.Offset)
	}
	if string(m.Key) != "42" {
		t.Errorf("key = %q, want 42", m.Key)
	}
	id, body, err := wire.Parse(m.Value)
	if err != nil || int(id) != d.SchemaID {
		t.Fatalf("wire.Parse = %d, %v; want schema id %d", id, err, d.SchemaID)
	}
	out := contractEvent{c: c}
	if err := out.UnmarshalAvro(body); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in.testEvent, out.testEvent); diff != "" {
		t.Errorf("event (-published +read):\n%s", diff)
	}
	got := map[string]string{}
	for _, h := range m.Headers {
		got[h.Key] = string(h.Value)
	}
	want := map[string]string{
		cloudevents.HeaderSpecVersion: "1.0",
		cloudevents.HeaderID:          d.EventID.String(),
		cloudevents.HeaderSource:      "test-producer",
		cloudevents.HeaderType:        "test.event",
		cloudevents.HeaderContentType: "application/avro",
		cloudevents.HeaderDataSchema:  itest.Registry(t) + "/schemas/ids/" + itoa(d.SchemaID),
		cloudevents.HeaderTraceparent: tp,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if s := logs.String(); !strings.Contains(s, "event published") || !strings.Contains(s, "event.name=cafe") {
		t.Errorf("no debug log of the published event with its fields:\n%s", s)
	}
}

func TestPublishAsync(t *testing.T) {
	p, c, broker := realProducer(t, nil)
	const n = 50
	var (
		mu   sync.Mutex
		got  = map[[2]int64]bool{}
		errs []error
		wg   sync.WaitGroup
	)
	wg.Add(n)
	for i := 0; i < n; i++ {
		err := p.PublishAsync(context.Background(), &contractEvent{testEvent{ID: int64(i), Name: "x"}, c}, func(d producer.Delivery, err error) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			got[[2]int64{int64(d.Partition), d.Offset}] = true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if len(errs) > 0 || len(got) != n {
		t.Fatalf("%d distinct positions, errors %v", len(got), errs)
	}
	ids := map[string]bool{}
	for _, m := range readAllPartitions(t, broker, c.Topic, n) {
		id, _ := header(m, cloudevents.HeaderID)
		ids[id] = true
		if _, ok := header(m, cloudevents.HeaderTraceparent); ok {
			t.Errorf("traceparent set without one in the context")
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct event ids over %d messages", len(ids), n)
	}
}

func TestInvalidEventRefused(t *testing.T) {
	var logs syncBuffer
	p, c, broker := realProducer(t, &logs)
	_, err := p.Publish(context.Background(), &contractEvent{testEvent{ID: 1}, c})
	if !errors.Is(err, producer.ErrInvalidEvent) || !errors.Is(err, errEmptyName) {
		t.Fatalf("err = %v, want ErrInvalidEvent and the Validate error", err)
	}
	called := false
	err = p.PublishAsync(context.Background(), &contractEvent{testEvent{ID: 2}, c}, func(producer.Delivery, error) { called = true })
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
	if n := topicSize(t, broker, c.Topic); n != 0 {
		t.Errorf("%d messages on the topic, want none", n)
	}
	// A refusal is the caller's to report: the log has it at debug level,
	// with its cause, and nothing at error level.
	if s := logs.String(); strings.Contains(s, "level=ERROR") || !strings.Contains(s, "level=DEBUG msg=\"publish refused: invalid event\"") || !strings.Contains(s, errEmptyName.Error()) {
		t.Errorf("refusal not logged at debug level with its cause, or logged at error level:\n%s", s)
	}
}

func TestCallbackPanicRecovered(t *testing.T) {
	var logs syncBuffer
	p, c, _ := realProducer(t, &logs)
	if err := p.PublishAsync(context.Background(), &contractEvent{testEvent{ID: 1, Name: "x"}, c}, func(producer.Delivery, error) { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	// The delivery loop lives on: the next publish completes. (Same key,
	// same partition: its report comes after the first one's.)
	if _, err := p.Publish(context.Background(), &contractEvent{testEvent{ID: 1, Name: "y"}, c}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("callback panic not logged:\n%s", logs.String())
	}
}

// TestRealBrokerStopsAndComesBack stops the kfake broker of a stack of the
// test's own: a publish fails within the delivery timeout, and publishing
// works again once the broker is back (on disk, so the topic survives).
func TestRealBrokerStopsAndComesBack(t *testing.T) {
	s := itest.Start(t, itest.Options{})
	c := itestContract(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var logs syncBuffer
	p, err := producer.New(ctx, producer.Config{
		Kafka:           kafkaconfig.Config{BootstrapServers: s.BrokerAddr},
		Registry:        registry.Config{URLs: []string{s.RegistryURL}},
		Serde:           serde.SerializerConfig{AutoRegister: true},
		DeliveryTimeout: 2 * time.Second,
		Logger:          slog.New(slog.NewTextHandler(&logs, nil)),
	}, c)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	if _, err := p.Publish(ctx, &contractEvent{testEvent{ID: 1, Name: "before"}, c}); err != nil {
		t.Fatal(err)
	}

	s.Stop()
	async := make(chan error, 1)
	if err := p.PublishAsync(ctx, &contractEvent{testEvent{ID: 2, Name: "async"}, c}, func(_ producer.Delivery, err error) { async <- err }); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx, &contractEvent{testEvent{ID: 3, Name: "sync"}, c}); !errors.Is(err, producer.ErrNotDelivered) {
		t.Errorf("publish with the broker stopped: err = %v, want ErrNotDelivered", err)
	}
	select {
	case err := <-async:
		if !errors.Is(err, producer.ErrNotDelivered) {
			t.Errorf("async publish with the broker stopped: err = %v, want ErrNotDelivered", err)
		}
	case <-ctx.Done():
		t.Fatal("no delivery report for the async publish")
	}
	if !strings.Contains(logs.String(), "event not delivered") {
		t.Errorf("the async failure was not logged:\n%s", logs.String())
	}

	s.Restart()
	// librdkafka reconnects with backoff; each try has the 2s delivery
	// timeout.
	for try := 1; ; try++ {
		_, err := p.Publish(ctx, &contractEvent{testEvent{ID: 4, Name: "after"}, c})
		if err == nil {
			break
		}
		if !errors.Is(err, producer.ErrNotDelivered) || ctx.Err() != nil {
			t.Fatalf("publish %d after the restart: %v", try, err)
		}
	}
}
