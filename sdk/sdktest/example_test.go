package sdktest_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/sdktest"
)

// A service's test publishes and consumes the project's events with no
// server running. In a test, sdktest.New(t, events.Contracts()) does what
// Start does here and stops everything when the test ends.
func Example() {
	env, err := sdktest.Start(events.Contracts())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)

	pcfg := env.ProducerConfig()
	pcfg.Logger = quiet
	p, err := producer.New(ctx, pcfg, events.Contracts()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close(ctx)
	e := events.NewDeadlinePassed()
	e.CafeID = 7
	e.Date = avrobin.Date{Year: 2026, Month: time.March, Day: 2}
	e.Timestamp = time.Date(2026, time.March, 2, 11, 30, 0, 0, time.UTC)
	if _, err := p.Publish(ctx, e); err != nil {
		fmt.Println(err)
		return
	}

	got := make(chan *events.DeadlinePassed, 1)
	ccfg := env.ConsumerConfig("notifier")
	ccfg.Logger = quiet
	c, err := consumer.New(ccfg,
		consumer.Handle(func(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
			got <- e // the service's handler
			return nil
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	d := <-got
	stop()
	if err := <-done; err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("cafe %d: ordering closed for %s\n", d.CafeID, d.Date)
	// Output: cafe 7: ordering closed for 2026-03-02
}

// A test of code that only talks to the registry needs no broker.
func ExampleWithoutKafka() {
	env, err := sdktest.Start(events.Contracts(), sdktest.WithoutKafka())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close()
	client := env.RegistryClient() // for serde.NewSerializer and serde.NewDeserializer
	c := events.DeadlinePassedContract
	_, version, err := client.LookupID(context.Background(), c.Subject, c.Schema)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s is version %d of %s\n", c.Type, version, c.Subject)
	// Output: deadline.passed is version 1 of lunch-bot.deadlines-value
}
