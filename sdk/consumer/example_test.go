package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/sdktest"
)

// A worker consumes deadline.passed; the README's "A service in its own
// repository" has it as a program.
func Example() {
	// In-process stand-ins for Kafka and the registry; a service would use
	// consumer.ConfigFromEnv() (KAFKA_BROKER_URL, SCHEMA_REGISTRY_URL,
	// KAFKA_GROUP_ID, ...).
	env, err := sdktest.Start(events.Contracts())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close()
	quiet := slog.New(slog.DiscardHandler)

	// An event to consume.
	ctx := context.Background()
	pcfg := env.ProducerConfig()
	pcfg.Logger = quiet
	p, err := producer.New(ctx, pcfg, events.DeadlinePassedContract)
	if err != nil {
		fmt.Println(err)
		return
	}
	e := events.NewDeadlinePassed()
	e.CafeID, e.Date, e.Timestamp = 42, avrobin.Date{Year: 2025, Month: time.December, Day: 8}, time.Now().UTC()
	if _, err := p.Publish(ctx, e); err != nil {
		fmt.Println(err)
		return
	}
	_, _ = p.Close(ctx)

	// The consumer: one typed handler per event type.
	runCtx, stop := context.WithCancel(ctx)
	cfg := env.ConsumerConfig("notifications")
	cfg.Logger = quiet
	c, err := consumer.New(cfg,
		consumer.Handle(func(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
			fmt.Printf("cafe %d: deadline of %s passed (%s, attempt %d)\n", e.CafeID, e.Date, m.EventType, m.Attempt)
			stop() // a service runs until it is told to stop
			return nil
		}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = c.Run(runCtx) // returns once stopped, after committing
	fmt.Println("stopped:", err)
	// Output:
	// cafe 42: deadline of 2025-12-08 passed (deadline.passed, attempt 1)
	// stopped: <nil>
}

// A handler marks the errors that retrying cannot fix: the message goes to
// the dead-letter topic at once.
func ExamplePermanent() {
	errUnknownCafe := errors.New("unknown cafe")
	h := consumer.Handle(func(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
		if e.CafeID <= 0 {
			return consumer.Permanent(fmt.Errorf("cafe %d: %w", e.CafeID, errUnknownCafe))
		}
		return nil
	})
	_ = h // a Handler, given to consumer.New
	err := consumer.Permanent(errUnknownCafe)
	fmt.Println(consumer.IsPermanent(err), errors.Is(err, errUnknownCafe))
	// Output:
	// true true
}
