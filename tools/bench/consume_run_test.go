package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
)

// consumeTimeout bounds one consume run.
const consumeTimeout = 2 * time.Minute

var groups atomic.Int64

// newGroup returns a consumer group no run used before: each run reads
// the topic from the beginning.
func newGroup() string { return "bench-" + strconv.FormatInt(groups.Add(1), 10) }

// consumerConfig is the SDK consumer's configuration in the benchmarks: a
// new group, the env's deserializer, no dead-letter producer (no message
// goes there) and the defaults otherwise (Concurrency 1).
func (e *brokerEnv) consumerConfig(brokers string) consumer.Config {
	return consumer.Config{
		Kafka:             kafkaconfig.Config{BootstrapServers: brokers},
		Deserializer:      e.deser,
		GroupID:           newGroup(),
		Name:              "bench",
		Logger:            quiet,
		DisableDeadLetter: true,
	}
}

// consumeSDK runs an SDK consumer of cfg whose handler of deadline events
// calls work (when not nil) until want messages are handled. The clock runs
// from the first handler call to the end of the want-th. When want is not
// b.N, the figures per op (ns/op, B/op, allocs/op, msgs/s) are reported per
// message handled.
func consumeSDK(b *testing.B, cfg consumer.Config, want int, work func()) {
	b.Helper()
	b.StopTimer()
	var before, after runtime.MemStats
	err := consumeUntil(cfg, want, work, func() {
		runtime.ReadMemStats(&before)
		b.StartTimer()
	}, func() {
		b.StopTimer()
		runtime.ReadMemStats(&after)
	})
	if err != nil {
		b.Fatal(err)
	}
	reportRateOf(b, want)
	if want != b.N {
		per := float64(want)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/op")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/op")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/op")
	}
}

// consumeUntil runs an SDK consumer of cfg whose handler of deadline events
// calls work (when not nil) until want messages are handled: first runs at
// the first handler call, last once the want-th is done, before the
// consumer stops. It returns when Run has returned.
func consumeUntil(cfg consumer.Config, want int, work, first, last func()) error {
	var n atomic.Int64
	var start sync.Once
	done := make(chan struct{})
	c, err := consumer.New(cfg, consumer.Handle(func(_ context.Context, _ *events.DeadlinePassed, _ consumer.Message) error {
		start.Do(first)
		if work != nil {
			work()
		}
		if n.Add(1) == int64(want) {
			close(done)
		}
		return nil
	}))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- c.Run(ctx) }()
	select {
	case <-done:
	case err := <-ran:
		return errors.Join(fmt.Errorf("Run returned before handling %d messages", want), err)
	case <-time.After(consumeTimeout):
		cancel()
		return errors.Join(fmt.Errorf("%d of %d messages handled in %v", n.Load(), want, consumeTimeout), <-ran)
	}
	last()
	cancel()
	return <-ran
}

// consumeCost reads n deadline events with an SDK consumer of cfg, and
// returns what they cost from the first handled to the n-th.
func consumeCost(cfg consumer.Config, n int) (cost, error) {
	var from, to usage
	var ferr, terr error
	err := consumeUntil(cfg, n, nil, func() { from, ferr = readUsage() }, func() { to, terr = readUsage() })
	if err := errors.Join(err, ferr, terr); err != nil {
		return cost{}, err
	}
	return costOf(n, from, to), nil
}

// rawConsumerConfig is the configuration of a raw librdkafka consumer in a
// new group, with the settings the SDK consumer sets that bear on fetching
// (no automatic offset store, the earliest offset for a new group, the
// cooperative-sticky assignor, logs to a channel); commits are the
// caller's.
func rawConsumerConfig(brokers string) kafka.ConfigMap {
	return kafka.ConfigMap{
		"bootstrap.servers":             brokers,
		"group.id":                      newGroup(),
		"client.id":                     "bench-raw",
		"enable.auto.offset.store":      false,
		"auto.offset.reset":             "earliest",
		"partition.assignment.strategy": "cooperative-sticky",
		"go.logs.channel.enable":        true,
	}
}

// pollN subscribes kc to the deadline topic and polls it until want
// messages came, calling fn with each, then closes kc. The clock runs from
// the first message to the want-th.
func pollN(b *testing.B, kc *kafka.Consumer, want int, fn func(*kafka.Message)) {
	b.Helper()
	b.StopTimer()
	drainLogs(kc.Logs())
	if err := kc.SubscribeTopics([]string{deadlineTopic}, nil); err != nil {
		b.Fatal(err)
	}
	n := 0
	deadline := time.Now().Add(consumeTimeout)
	for n < want {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d messages consumed in %v", n, want, consumeTimeout)
		}
		switch ev := kc.Poll(100).(type) {
		case *kafka.Message:
			if n == 0 {
				b.StartTimer()
			}
			fn(ev)
			n++
		case kafka.Error:
			if ev.IsFatal() {
				b.Fatal(ev)
			}
		}
	}
	b.StopTimer()
	reportRateOf(b, want)
	if err := kc.Close(); err != nil {
		b.Fatal(err)
	}
}
