package bench

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// BenchmarkConsume reads b.N deadline events from a topic the SDK producer
// filled, each op one message, in a new consumer group per run. The clock
// starts at the first message (joining the group is not counted) and stops
// at the b.N-th. Offsets are stored after each message on both sides
// (at-least-once, as the SDK does) and committed every 5s.
//
//	impl=eventkit          consumer.Consumer with a typed handler (serde.Deserializer)
//	impl=raw-avrov2        Poll, avrov2 DeserializeInto a new struct, StoreMessage
//	impl=raw-bytes         Poll, StoreMessage: no decoding, the ceiling
func BenchmarkConsume(b *testing.B) {
	e := newBrokerEnv(b)
	brokers := startBroker(b)
	ce := newEnv(b) // confluent's mock registry, same ids as the fake
	var probe hDeadline
	if err := ce.cdeser.DeserializeInto(deadlineTopic, e.values[0], &probe); err != nil || probe.CafeID != e.events[0].CafeID {
		b.Fatalf("avrov2 cannot read the SDK's messages (schema ids differ?): %+v, %v", probe, err)
	}
	filled := 0
	fill := func(b *testing.B) {
		if filled >= b.N {
			return
		}
		b.StopTimer()
		p := e.newProducer(b, brokers) // publishes one
		filled++
		ctx := context.Background()
		var pending sync.WaitGroup
		var failed atomic.Int64
		for i := filled; i < b.N; i++ {
			pending.Add(1)
			if err := p.PublishAsync(ctx, e.events[i%benchKeys], func(_ producer.Delivery, err error) {
				if err != nil {
					failed.Add(1)
				}
				pending.Done()
			}); err != nil {
				b.Fatal(err)
			}
		}
		pending.Wait()
		if n := failed.Load(); n > 0 {
			b.Fatalf("filling the topic: %d messages not delivered", n)
		}
		filled = max(filled, b.N)
	}
	var groups atomic.Int64
	group := func() string { return "bench-" + strconv.FormatInt(groups.Add(1), 10) }

	b.Run("impl=eventkit", func(b *testing.B) {
		fill(b)
		b.StopTimer()
		b.ReportAllocs()
		var n atomic.Int64
		var start sync.Once
		done := make(chan struct{})
		c, err := consumer.New(consumer.Config{
			Kafka:             kafkaconfig.Config{BootstrapServers: brokers},
			Deserializer:      e.deser,
			GroupID:           group(),
			Name:              "bench",
			Logger:            quiet,
			DisableDeadLetter: true,
		}, consumer.Handle(func(_ context.Context, _ *events.DeadlinePassed, _ consumer.Message) error {
			start.Do(b.StartTimer)
			if n.Add(1) == int64(b.N) {
				close(done)
			}
			return nil
		}))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan error, 1)
		go func() { ran <- c.Run(ctx) }()
		waitConsumed(b, done, ran)
		b.StopTimer()
		reportRate(b)
		cancel()
		if err := <-ran; err != nil {
			b.Fatal(err)
		}
	})
	for _, decode := range []bool{true, false} {
		name := "impl=raw-avrov2"
		if !decode {
			name = "impl=raw-bytes"
		}
		b.Run(name, func(b *testing.B) {
			fill(b)
			b.StopTimer()
			b.ReportAllocs()
			kc, err := kafka.NewConsumer(&kafka.ConfigMap{
				"bootstrap.servers":        brokers,
				"group.id":                 group(),
				"client.id":                "bench-raw",
				"enable.auto.commit":       true,
				"enable.auto.offset.store": false,
				"auto.commit.interval.ms":  5000,
				"auto.offset.reset":        "earliest",
				"go.logs.channel.enable":   true,
			})
			if err != nil {
				b.Fatal(err)
			}
			drainLogs(kc.Logs())
			if err := kc.SubscribeTopics([]string{deadlineTopic}, nil); err != nil {
				b.Fatal(err)
			}
			n := 0
			deadline := time.Now().Add(2 * time.Minute)
			for n < b.N {
				if time.Now().After(deadline) {
					b.Fatalf("%d of %d messages consumed in 2 minutes", n, b.N)
				}
				switch ev := kc.Poll(100).(type) {
				case *kafka.Message:
					if n == 0 {
						b.StartTimer()
					}
					if decode {
						var v hDeadline
						if err := ce.cdeser.DeserializeInto(*ev.TopicPartition.Topic, ev.Value, &v); err != nil {
							b.Fatal(err)
						}
					}
					if _, err := kc.StoreMessage(ev); err != nil {
						b.Fatal(err)
					}
					n++
				case kafka.Error:
					if ev.IsFatal() {
						b.Fatal(ev)
					}
				}
			}
			b.StopTimer()
			reportRate(b)
			if err := kc.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// waitConsumed waits until done is closed, failing when Run returns first
// or after two minutes.
func waitConsumed(b *testing.B, done <-chan struct{}, ran <-chan error) {
	b.Helper()
	select {
	case <-done:
	case err := <-ran:
		b.Fatalf("Run returned before consuming %d messages: %v", b.N, err)
	case <-time.After(2 * time.Minute):
		b.Fatalf("%d messages not consumed in 2 minutes", b.N)
	}
}
