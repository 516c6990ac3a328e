package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/lunchbot/eventkit/sdk/producer"
)

// BenchmarkPublish publishes b.N deadline events asynchronously, each op
// one message, and stops the clock when the last one is acknowledged.
//
//	impl=eventkit-async       Producer.PublishAsync (validate, encode, key, 6 headers, event id), a callback per message
//	impl=raw                  Produce of pre-encoded key and value, no headers
//	impl=raw-headers          the same with 6 pre-built CloudEvents headers
//	impl=raw-headers-opaque   the same with the event as the message's Opaque, so that each
//	                          delivery report says which event it is about (what a raw client
//	                          that tells its callers their message's outcome, as PublishAsync
//	                          does, has to do)
//
// The implementations run in a rotating order: BENCH_ROUND=i (make bench
// sets it) starts at the i-th, so that over rounds each runs at every
// position alike; the one running right after the warm-up was still 5-10%
// slower than the others.
func BenchmarkPublish(b *testing.B) {
	e := newBrokerEnv(b)
	e.warmUp(b, warmUpMessages)
	runRotated(b, []impl{
		{"eventkit-async", e.publishTyped},
		{"raw", func(b *testing.B) { e.publishRaw(b, false, false) }},
		{"raw-headers", func(b *testing.B) { e.publishRaw(b, true, false) }},
		{"raw-headers-opaque", func(b *testing.B) { e.publishRaw(b, true, true) }},
	})
}

// impl is one implementation of a broker benchmark.
type impl struct {
	name string
	run  func(*testing.B)
}

// runRotated runs each of impls as the sub-benchmark "impl=<name>",
// starting at the one BENCH_ROUND (a round number, from 1) selects.
func runRotated(b *testing.B, impls []impl) {
	start := 0
	if r, err := strconv.Atoi(os.Getenv("BENCH_ROUND")); err == nil && r > 0 {
		start = (r - 1) % len(impls)
	}
	for i := range impls {
		im := impls[(start+i)%len(impls)]
		b.Run("impl="+im.name, im.run)
	}
}

// BenchmarkPublishSync publishes b.N deadline events from 64 goroutines per
// CPU, each waiting for its message's acknowledgement before the next (a
// request handler's way); linger.ms makes each wait at least 5ms, so run
// it with fewer messages than BenchmarkPublish.
//
//	impl=eventkit   Producer.Publish
//	impl=raw        Produce of pre-encoded bytes with 6 pre-built headers, then wait for the delivery report
//
// As in BenchmarkPublish, the process first publishes untimed, and the
// implementations run in a rotating order.
func BenchmarkPublishSync(b *testing.B) {
	e := newBrokerEnv(b)
	e.warmUp(b, warmUpMessages)
	runRotated(b, []impl{{"eventkit", e.publishTypedSync}, {"raw", e.publishRawSync}})
}

func (e *brokerEnv) newProducer(b *testing.B, brokers string) *producer.Producer {
	b.Helper()
	return e.newProducerWith(b, e.producerConfig(brokers))
}

// newProducerWith is newProducer with cfg, closed when b ends.
func (e *brokerEnv) newProducerWith(b *testing.B, cfg producer.Config) *producer.Producer {
	b.Helper()
	ctx := context.Background()
	p, err := e.openProducer(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if n, err := p.Close(ctx); err != nil || n != 0 {
			b.Errorf("closing the producer: %d undelivered, %v", n, err)
		}
	})
	return p
}

// openProducer starts an SDK producer of cfg for the deadline events and
// publishes one of them, so that the clock does not count connecting and
// getting a producer id.
func (e *brokerEnv) openProducer(ctx context.Context, cfg producer.Config) (*producer.Producer, error) {
	p, err := producer.New(ctx, cfg, e.events[0].Contract())
	if err != nil {
		return nil, err
	}
	if _, err := p.Publish(ctx, e.events[0]); err != nil {
		_, _ = p.Close(ctx)
		return nil, fmt.Errorf("the first message: %w", err)
	}
	return p, nil
}

// sdkPublisher publishes the env's events with PublishAsync, a callback
// per message counting down pending.
type sdkPublisher struct {
	e       *brokerEnv
	p       *producer.Producer
	pending sync.WaitGroup
	failed  atomic.Int64
	done    func(producer.Delivery, error)
	// noCallback: publish without callbacks (fire and forget), waiting
	// for each batch with Flush; the producer's error log lines, which is
	// where such failures go, are counted in logErrors (see
	// countLogErrors).
	noCallback bool
	logErrors  *atomic.Int64
}

// countLogErrors makes cfg's producer count its error log lines in n,
// instead of logging anything.
func countLogErrors(cfg *producer.Config, n *atomic.Int64) {
	cfg.Logger = slog.New(errorCounter{n})
}

// errorCounter is a slog.Handler that counts the records of level error.
type errorCounter struct{ n *atomic.Int64 }

func (h errorCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h errorCounter) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	return nil
}
func (h errorCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h errorCounter) WithGroup(string) slog.Handler      { return h }

func (e *brokerEnv) newSDKPublisher(p *producer.Producer) *sdkPublisher {
	s := &sdkPublisher{e: e, p: p}
	s.done = deliveryDone(&s.pending, &s.failed)
	return s
}

// publish sends events from to from+n-1 (cycling through the env's
// events) and waits for their delivery reports; a message not delivered
// is an error.
func (s *sdkPublisher) publish(ctx context.Context, from, n int) error {
	if s.noCallback {
		for i := from; i < from+n; i++ {
			if err := s.p.PublishAsync(ctx, s.e.events[i%benchKeys], nil); err != nil {
				return err
			}
		}
		if left, err := flushProducer(ctx, s.p); err != nil || left != 0 {
			return fmt.Errorf("flush: %d in flight: %w", left, err)
		}
		if n := s.logErrors.Swap(0); n > 0 {
			return fmt.Errorf("%d errors logged", n)
		}
		return nil
	}
	for i := from; i < from+n; i++ {
		s.pending.Add(1)
		if err := s.p.PublishAsync(ctx, s.e.events[i%benchKeys], s.done); err != nil {
			s.pending.Done()
			return err
		}
	}
	s.pending.Wait()
	if f := s.failed.Swap(0); f > 0 {
		return fmt.Errorf("%d messages not delivered", f)
	}
	return nil
}

func (e *brokerEnv) publishTyped(b *testing.B) {
	ctx := context.Background()
	s := e.newSDKPublisher(e.newProducer(b, startBroker(b)))
	b.ReportAllocs()
	b.ResetTimer()
	if err := s.publish(ctx, 0, b.N); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	reportRate(b)
}

// newRawProducer starts a raw producer whose delivery reports of messages
// produced without a channel go to pending (Done) and failed, closed when b
// ends. With wantOpaque, a report without the message's Opaque counts as
// failed.
func newRawProducer(b *testing.B, brokers string, pending *sync.WaitGroup, failed *atomic.Int64, wantOpaque bool) *kafka.Producer {
	b.Helper()
	kp, closeRaw, err := openRawProducer(brokers, pending, failed, wantOpaque)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := closeRaw(); err != nil {
			b.Error(err)
		}
	})
	return kp
}

// openRawProducer is newRawProducer without a benchmark: closeRaw flushes
// and closes the producer. It sends one message first, as openProducer
// does.
func openRawProducer(brokers string, pending *sync.WaitGroup, failed *atomic.Int64, wantOpaque bool) (kp *kafka.Producer, closeRaw func() error, err error) {
	kp, err = kafka.NewProducer(rawProducerConfig(brokers))
	if err != nil {
		return nil, nil, err
	}
	drainLogs(kp.Logs())
	var loop sync.WaitGroup
	loop.Go(func() {
		for ev := range kp.Events() {
			if m, ok := ev.(*kafka.Message); ok {
				if m.TopicPartition.Error != nil || (wantOpaque && m.Opaque == nil) {
					failed.Add(1)
				}
				pending.Done()
			}
		}
	})
	closeRaw = func() error {
		n := kp.Flush(30_000)
		kp.Close()
		loop.Wait()
		if n != 0 {
			return fmt.Errorf("raw producer: %d messages not flushed", n)
		}
		return nil
	}
	topic := deadlineTopic
	ch := make(chan kafka.Event, 1)
	if err := kp.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Value: []byte("warm-up")}, ch); err != nil {
		_ = closeRaw()
		return nil, nil, err
	}
	if m := (<-ch).(*kafka.Message); m.TopicPartition.Error != nil {
		_ = closeRaw()
		return nil, nil, m.TopicPartition.Error
	}
	return kp, closeRaw, nil
}

// warmUpMessages is how many messages BenchmarkPublish sends, untimed,
// before its sub-benchmarks. The first of them in a process ran 10-30%
// slower than the same run later in the process (the heap growing into
// fresh memory while the broker keeps every message, librdkafka's first
// client), which counted against whichever implementation ran first.
const warmUpMessages = 200_000

// warmUp publishes n messages with a raw producer to a broker of their own,
// both closed before it returns.
func (e *brokerEnv) warmUp(b *testing.B, n int) {
	b.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(benchPartitions, deadlineTopic))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	kp, err := kafka.NewProducer(rawProducerConfig(c.ListenAddrs()[0]))
	if err != nil {
		b.Fatal(err)
	}
	defer kp.Close()
	drainLogs(kp.Logs())
	var loop sync.WaitGroup
	var failed atomic.Int64
	loop.Go(func() {
		for i := 0; i < n; {
			if m, ok := (<-kp.Events()).(*kafka.Message); ok {
				if m.TopicPartition.Error != nil {
					failed.Add(1)
				}
				i++
			}
		}
	})
	topic := deadlineTopic
	msg := kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Headers: ceHeaders(e.regURL)}
	for i := range n {
		msg.Key, msg.Value = e.keys[i%benchKeys], e.values[i%benchKeys]
		if err := produceRaw(kp, &msg, nil); err != nil {
			b.Fatal(err)
		}
	}
	loop.Wait()
	if f := failed.Load(); f > 0 {
		b.Fatalf("warm-up: %d messages not delivered", f)
	}
}

// rawPublisher sends the pre-encoded events with a raw producer whose
// delivery reports count down pending.
type rawPublisher struct {
	e       *brokerEnv
	kp      *kafka.Producer
	pending *sync.WaitGroup
	opaque  bool
	topic   string
	msg     kafka.Message
}

// newRawPublisher returns a rawPublisher that sends the six CloudEvents
// headers if headers is set, and each event as its message's Opaque if
// opaque is.
func (e *brokerEnv) newRawPublisher(kp *kafka.Producer, pending *sync.WaitGroup, headers, opaque bool) *rawPublisher {
	r := &rawPublisher{e: e, kp: kp, pending: pending, opaque: opaque, topic: deadlineTopic}
	r.msg.TopicPartition = kafka.TopicPartition{Topic: &r.topic, Partition: kafka.PartitionAny}
	if headers {
		r.msg.Headers = ceHeaders(e.regURL)
	}
	return r
}

// publish sends events from to from+n-1 (cycling through the env's
// events) and waits for their delivery reports. It does not look at
// failed: its caller does.
func (r *rawPublisher) publish(from, n int) error {
	for i := from; i < from+n; i++ {
		k := i % benchKeys
		r.msg.Key, r.msg.Value = r.e.keys[k], r.e.values[k]
		if r.opaque {
			r.msg.Opaque = r.e.events[k]
		}
		r.pending.Add(1)
		if err := produceRaw(r.kp, &r.msg, nil); err != nil {
			r.pending.Done()
			return err
		}
	}
	r.pending.Wait()
	return nil
}

// produceRaw hands msg to librdkafka, waiting while its queue is full as
// the SDK does.
func produceRaw(kp *kafka.Producer, msg *kafka.Message, ch chan kafka.Event) error {
	for {
		err := kp.Produce(msg, ch)
		if kerr := (kafka.Error{}); errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull {
			time.Sleep(time.Millisecond)
			continue
		}
		return err
	}
}

func (e *brokerEnv) publishRaw(b *testing.B, headers, opaque bool) {
	var pending sync.WaitGroup
	var failed atomic.Int64
	kp := newRawProducer(b, startBroker(b), &pending, &failed, opaque)
	r := e.newRawPublisher(kp, &pending, headers, opaque)
	b.ReportAllocs()
	b.ResetTimer()
	if err := r.publish(0, b.N); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d messages not delivered", n)
	}
	reportRate(b)
}

func (e *brokerEnv) publishTypedSync(b *testing.B) {
	p := e.newProducer(b, startBroker(b))
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := p.Publish(ctx, e.events[next.Add(1)%benchKeys]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	reportRate(b)
}

func (e *brokerEnv) publishRawSync(b *testing.B) {
	var pending sync.WaitGroup
	var failed atomic.Int64
	kp := newRawProducer(b, startBroker(b), &pending, &failed, false)
	headers := ceHeaders(e.regURL)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		topic := deadlineTopic
		ch := make(chan kafka.Event, 1)
		msg := kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Headers: headers}
		for pb.Next() {
			i := next.Add(1) % benchKeys
			msg.Key, msg.Value = e.keys[i], e.values[i]
			if err := produceRaw(kp, &msg, ch); err != nil {
				b.Error(err)
				return
			}
			if m := (<-ch).(*kafka.Message); m.TopicPartition.Error != nil {
				b.Error(m.TopicPartition.Error)
				return
			}
		}
	})
	b.StopTimer()
	reportRate(b)
}
