package bench

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

// BenchmarkConsumeNoop reads b.N deadline events with a handler that does
// nothing, each op one message: what the SDK consumer's own machinery (the
// poll loop, the scheduler, decoding, the offsets it tracks and commits)
// costs against a raw consumer that only counts. Every run reads the same
// topic from the beginning in a new group; the clock runs from the first
// message to the b.N-th handled.
//
//	impl=eventkit-c64   consumer.Consumer, Concurrency 64, per-key order (the default)
//	impl=eventkit-c1    consumer.Consumer, Concurrency 1
//	impl=eventkit-c1-again   the same, a second time: c1-again ÷ c1 is how far a
//	                    ratio of two runs of one code swings in a round
//	impl=raw-count      Poll, count: no decoding, no offsets stored or committed
//
// The raw consumer has the librdkafka settings of the SDK's that bear on
// fetching. The implementations run in a rotating order (BENCH_ROUND), as
// the publish benchmarks do; untimed SDK consumers read after each fill of
// the topic (warmUpConsume), so that no timed run comes right after one.
func BenchmarkConsumeNoop(b *testing.B) {
	e := newBrokerEnv(b)
	brokers := startBroker(b)
	fill := e.newTopicFill(brokers, benchKeys)
	upTo := func(b *testing.B) {
		if fill.n < b.N {
			fill.upTo(b, b.N)
			e.warmUpConsume(b, brokers, min(b.N, consumeWarmUp))
		}
	}
	sdk := func(concurrency int) func(*testing.B) {
		return func(b *testing.B) {
			upTo(b)
			b.ReportAllocs()
			cfg := e.consumerConfig(brokers)
			cfg.Concurrency = concurrency
			cfg.Ordering = consumer.OrderKey // the default, said here
			consumeSDK(b, cfg, b.N, nil)
		}
	}
	runRotated(b, []impl{
		{"eventkit-c64", sdk(64)},
		{"eventkit-c1", sdk(1)},
		{"eventkit-c1-again", sdk(1)},
		{"raw-count", func(b *testing.B) {
			upTo(b)
			b.ReportAllocs()
			cm := rawConsumerConfig(brokers)
			cm["enable.auto.commit"] = false
			kc, err := kafka.NewConsumer(&cm)
			if err != nil {
				b.Fatal(err)
			}
			pollN(b, kc, b.N, func(*kafka.Message) {})
		}},
	})
}

// consumeWarmUp is how many messages BenchmarkConsumeNoop reads, untimed,
// after it filled the topic. As with publishing (warmUpMessages), the run
// right after a fill ran slower than the later ones, which counted against
// whichever implementation ran first.
const consumeWarmUp = 50_000

// warmUpConsume reads n messages of brokers' deadline topic with an SDK
// consumer of Concurrency 1, then with one of 64. The clock is stopped (by
// the fill before it).
func (e *brokerEnv) warmUpConsume(b *testing.B, brokers string, n int) {
	b.Helper()
	for _, concurrency := range []int{1, 64} {
		cfg := e.consumerConfig(brokers)
		cfg.Concurrency = concurrency
		if err := consumeUntil(cfg, n, nil, func() {}, func() {}); err != nil {
			b.Fatal(err)
		}
	}
}
