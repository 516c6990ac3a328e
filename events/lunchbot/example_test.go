package lunchbot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/events/lunchbot"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

func Example() {
	// In-process stand-ins for Kafka and the registry; the API service
	// would call lunchbot.NewFromEnv(ctx, "lunch-api").
	mc, _ := kafka.NewMockCluster(1)
	defer mc.Close()
	reg := registrytest.Start()
	defer reg.Close()
	for _, c := range events.Contracts() {
		reg.Register(c.Subject, c.Schema) // CI registers the schemas
	}

	ctx := context.Background()
	pub, err := lunchbot.New(ctx, producer.Config{
		Kafka:    kafkaconfig.Config{BootstrapServers: mc.BootstrapServers()},
		Registry: registry.Config{URLs: []string{reg.URL()}},
		Name:     "lunch-api",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pub.Close(ctx)

	d, err := pub.PublishDeadlinePassed(ctx, 42, avrobin.Date{Year: 2025, Month: time.December, Day: 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("deadline.passed on", d.Topic)
	d, err = pub.PublishDailyTask(ctx, "generate_recommendations")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("daily_task on", d.Topic)
	// Output:
	// deadline.passed on lunch-bot.deadlines
	// daily_task on lunch-bot.daily-tasks
}

// NewFromEnv reads the brokers and the registry from the environment. (Not
// run: it needs the servers the environment names; Example shows the calls
// against in-process ones.)
func ExampleNewFromEnv() {
	ctx := context.Background()
	// KAFKA_BROKER_URL, SCHEMA_REGISTRY_URL and the other variables of
	// producer.ConfigFromEnv; the name is the events' ce_source.
	pub, err := lunchbot.NewFromEnv(ctx, "lunch-scheduler")
	if err != nil {
		fmt.Println(err) // e.g. the registry lacks the events' subjects
		return
	}
	defer pub.Close(ctx)
	if _, err := pub.PublishDailyTask(ctx, "generate_recommendations"); err != nil {
		fmt.Println(err)
	}
}
