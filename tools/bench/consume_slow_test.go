package bench

import (
	"testing"
	"time"
)

// BenchmarkConsumeSlow's topic and handler.
const (
	slowPartitions = 6
	slowKeys       = 500
	slowHandling   = 10 * time.Millisecond
	// slowSerialShare: Concurrency 1 handles one message in slowSerialShare
	// of what Concurrency 64 handles.
	slowSerialShare = 10
)

// BenchmarkConsumeSlow handles deadline events with a handler that sleeps
// 10ms (a handler waiting on a database, say), from a topic of 6
// partitions whose events spread over 500 keys, in per-key order (the
// default): what Config.Concurrency buys when handlers wait. One op is one
// message; every run reads the topic from the beginning in a new group,
// and the clock runs from the first handler call to the end of the last.
//
//	impl=eventkit-c64   Concurrency 64, b.N messages
//	impl=eventkit-c1    Concurrency 1, b.N/10 messages (at least one): the first ones of the topic
//
// Concurrency 1 handles a tenth of the messages so that a round stays
// affordable; its ns/op, msgs/s, B/op and allocs/op are per message it
// handled, and the two compare by rate (msgs/s), as cmd/benchratio does.
// The implementations run in a rotating order (BENCH_ROUND).
func BenchmarkConsumeSlow(b *testing.B) {
	e := newBrokerEnv(b)
	brokers := startBrokerPartitions(b, slowPartitions)
	fill := e.newTopicFill(brokers, slowKeys)
	run := func(concurrency, share int) func(*testing.B) {
		return func(b *testing.B) {
			want := max(1, b.N/share)
			fill.upTo(b, want)
			b.ReportAllocs()
			cfg := e.consumerConfig(brokers)
			cfg.Concurrency = concurrency
			consumeSDK(b, cfg, want, func() { time.Sleep(slowHandling) })
		}
	}
	runRotated(b, []impl{
		{"eventkit-c64", run(64, 1)},
		{"eventkit-c1", run(1, slowSerialShare)},
	})
}
