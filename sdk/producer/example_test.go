package producer_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/sdktest"
)

// A service publishes deadline.passed; the README's "A service in its own
// repository" has the whole HTTP service.
func Example() {
	// In-process stand-ins for Kafka and the registry, the schemas
	// registered (CI registers them); a service would use
	// producer.ConfigFromEnv() (KAFKA_BROKER_URL, SCHEMA_REGISTRY_URL, ...).
	env, err := sdktest.Start(events.Contracts())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close()
	cfg := env.ProducerConfig()
	cfg.Name = "lunch-api"
	cfg.Logger = slog.New(slog.DiscardHandler)

	ctx := context.Background()
	// The contracts it publishes: their schema ids are resolved now, and a
	// broker must answer.
	p, err := producer.New(ctx, cfg, events.DeadlinePassedContract)
	if err != nil {
		fmt.Println(err)
		return
	}
	e := events.NewDeadlinePassed()
	e.CafeID = 42
	e.Date = avrobin.Date{Year: 2025, Month: time.December, Day: 8}
	e.Timestamp = time.Now().UTC()
	d, err := p.Publish(ctx, e) // waits for Kafka's acknowledgement
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("published to", d.Topic, "with schema id", d.SchemaID)

	undelivered, err := p.Close(ctx)
	fmt.Println("undelivered:", undelivered, err)
	// Output:
	// published to lunch-bot.deadlines with schema id 1
	// undelivered: 0 <nil>
}

func ExampleProducer_PublishAsync() {
	env, err := sdktest.Start(events.Contracts())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close()
	cfg := env.ProducerConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)

	ctx := context.Background()
	p, err := producer.New(ctx, cfg, events.DailyTaskContract)
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	e := &events.DailyTask{Type: "generate_recommendations", Timestamp: time.Now().UTC()}
	err = p.PublishAsync(ctx, e, func(d producer.Delivery, err error) {
		done <- err // runs on the producer's delivery goroutine: keep it short
	})
	if err != nil {
		fmt.Println("refused:", err) // invalid event, closed producer, ...
		return
	}
	fmt.Println("delivered:", <-done == nil)
	_, _ = p.Close(ctx)
	// Output:
	// delivered: true
}

// ConfigFromEnv reads the brokers and the registry from the environment. (Not
// run: what it prints depends on the environment, and New needs the
// servers.)
func ExampleConfigFromEnv() {
	cfg, err := producer.ConfigFromEnv() // KAFKA_BROKER_URL, SCHEMA_REGISTRY_URL, ...
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg.Name = "lunch-api"
	_ = cfg // then producer.New with the contracts it publishes
}
