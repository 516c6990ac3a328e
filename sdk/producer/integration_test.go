package producer_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/contract"
	"github.com/lunchbot/eventkit/internal/itest"
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
	dec := serde.NewDeserializer(client)
	seen := map[int64]bool{}
	for _, m := range msgs {
		ev := &contractEvent{c: c}
		if _, err := dec.Decode(ctx, m.Value, ev); err != nil {
			t.Fatal(err)
		}
		seen[ev.ID] = true
		if got, _ := header(m, producer.HeaderDataSchema); got != regURL+"/schemas/ids/"+itoa(id) {
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
	cfg.AutoRegister = true
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
