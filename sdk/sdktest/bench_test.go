package sdktest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// mockCluster is what a publish-and-consume test needs of a mock cluster.
type mockCluster interface {
	BootstrapServers() string
	CreateTopic(topic string, partitions, replication int) error
	Close()
}

// BenchmarkPublishAndConsume is a service's publish-and-consume test, whole:
// registry and cluster started, topics created, one event published, a
// consumer group started until its handler has the event, everything
// stopped. It runs on this package's Cluster and, for comparison, on
// confluent-kafka-go's kafka.NewMockCluster (what sdktest used before).
func BenchmarkPublishAndConsume(b *testing.B) {
	b.Run("cluster=sdktest", func(b *testing.B) {
		benchPublishAndConsume(b, func() (mockCluster, error) { return NewCluster(1) })
	})
	b.Run("cluster=kafka.NewMockCluster", func(b *testing.B) {
		benchPublishAndConsume(b, func() (mockCluster, error) { return kafka.NewMockCluster(1) })
	})
}

func benchPublishAndConsume(b *testing.B, newCluster func() (mockCluster, error)) {
	quiet := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	for b.Loop() {
		env, err := Start(events.Contracts(), WithoutKafka())
		if err != nil {
			b.Fatal(err)
		}
		mc, err := newCluster()
		if err != nil {
			b.Fatal(err)
		}
		for _, topic := range env.Topics {
			if err := mc.CreateTopic(topic, DefaultPartitions, 1); err != nil {
				b.Fatal(err)
			}
		}
		kcfg := kafkaconfig.Config{BootstrapServers: mc.BootstrapServers()}
		p, err := producer.New(ctx, producer.Config{Kafka: kcfg, Registry: env.RegistryConfig(), Logger: quiet}, events.DeadlinePassedContract)
		if err != nil {
			b.Fatal(err)
		}
		e := events.NewDeadlinePassed()
		e.CafeID, e.Date, e.Timestamp = 7, avrobin.Date{Year: 2026, Month: time.March, Day: 2}, time.Now().UTC()
		if _, err := p.Publish(ctx, e); err != nil {
			b.Fatal(err)
		}
		got := make(chan struct{}, 1)
		c, err := consumer.New(consumer.Config{Kafka: kcfg, Registry: env.RegistryConfig(), GroupID: "bench", Logger: quiet},
			consumer.Handle(func(context.Context, *events.DeadlinePassed, consumer.Message) error {
				got <- struct{}{}
				return nil
			}))
		if err != nil {
			b.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.Run(runCtx) }()
		<-got
		stop()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		_, _ = p.Close(ctx)
		mc.Close()
		env.Close()
	}
}
