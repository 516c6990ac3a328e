package sdktest_test

import (
	"context"
	"testing"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/sdktest"
)

// A service's test publishes and consumes the project's events with no
// server running: New starts a mock Kafka cluster with the events' topics
// and a registry holding their schemas. (Not run: New needs the test's
// *testing.T; kafka_test.go runs the same calls.)
func Example() {
	testNotifier := func(t *testing.T) {
		env := sdktest.New(t, events.Contracts())
		ctx := context.Background()
		p, err := producer.New(ctx, env.ProducerConfig(), events.Contracts()...)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(ctx)
		e := events.NewDeadlinePassed()
		e.CafeID = 7
		if _, err := p.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
		c, err := consumer.New(env.ConsumerConfig("notifier"),
			consumer.Handle(func(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
				return nil // the service's handler
			}))
		if err != nil {
			t.Fatal(err)
		}
		_ = c // run it until the handler has seen the event
	}
	_ = testNotifier
}

// A test of code that only talks to the registry needs no broker. (Not run:
// New needs the test's *testing.T.)
func ExampleWithoutKafka() {
	testSerializer := func(t *testing.T) {
		env := sdktest.New(t, events.Contracts(), sdktest.WithoutKafka())
		client := env.RegistryClient()
		_ = client // for serde.NewSerializer and serde.NewDeserializer
	}
	_ = testSerializer
}
