package sdktest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// TestEnvRoundTrip publishes an event with the SDK's producer and receives
// it with the SDK's consumer, both configured by the Env.
func TestEnvRoundTrip(t *testing.T) {
	env := New(t, events.Contracts())
	// A bound for a broken test, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	p, err := producer.New(ctx, env.ProducerConfig(), events.Contracts()...)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	sent := events.NewDeadlinePassed()
	sent.CafeID = 42
	sent.Date = avrobin.DateOf(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	sent.Timestamp = time.Date(2026, 11, 27, 11, 30, 0, 123456000, time.UTC)
	d, err := p.Publish(ctx, sent)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := env.RegistryClient().LookupID(ctx, sent.Contract().Subject, sent.Contract().Schema)
	if err != nil {
		t.Fatal(err)
	}
	if d.Topic != sent.Contract().Topic || d.SchemaID != id {
		t.Errorf("delivery %+v, want topic %s and schema id %d", d, sent.Contract().Topic, id)
	}

	got := make(chan *events.DeadlinePassed, 1)
	keys := make(chan string, 1)
	c, err := consumer.New(env.ConsumerConfig("sdktest"), consumer.Handle(func(_ context.Context, e *events.DeadlinePassed, m consumer.Message) error {
		keys <- string(m.Key)
		got <- e
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	select {
	case e := <-got:
		if diff := cmp.Diff(sent, e); diff != "" {
			t.Errorf("received (-sent +got):\n%s", diff)
		}
		if k := <-keys; k != "42" {
			t.Errorf("key %q, want 42", k)
		}
	case err := <-done:
		t.Fatalf("consumer stopped: %v", err)
	case <-ctx.Done():
		t.Fatal("no event received")
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
