package bench

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
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
	fill := e.newTopicFill(brokers, benchKeys)

	b.Run("impl=eventkit", func(b *testing.B) {
		fill.upTo(b, b.N)
		b.ReportAllocs()
		consumeSDK(b, e.consumerConfig(brokers), b.N, nil)
	})
	for _, decode := range []bool{true, false} {
		name := "impl=raw-avrov2"
		if !decode {
			name = "impl=raw-bytes"
		}
		b.Run(name, func(b *testing.B) {
			fill.upTo(b, b.N)
			b.ReportAllocs()
			cm := rawConsumerConfig(brokers)
			cm["enable.auto.commit"] = true
			cm["auto.commit.interval.ms"] = 5000
			kc, err := kafka.NewConsumer(&cm)
			if err != nil {
				b.Fatal(err)
			}
			pollN(b, kc, b.N, func(m *kafka.Message) {
				if decode {
					var v hDeadline
					if err := ce.cdeser.DeserializeInto(*m.TopicPartition.Topic, m.Value, &v); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := kc.StoreMessage(m); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
