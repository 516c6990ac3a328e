package bench

// Publishing and consuming the deadline event through a local broker (kfake,
// in this process), the SDK against raw confluent-kafka-go with the same
// librdkafka configuration. One op is one message; run them with a fixed
// count (-benchtime=100000x) so that every run moves the same messages.

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
)

const (
	benchPartitions = 3
	// benchKeys is how many distinct events (cafe ids, so keys) the
	// publishers cycle through.
	benchKeys = 64
	// lingerMs is librdkafka's linger.ms on both sides.
	lingerMs = 5
)

var deadlineTopic = events.DeadlinePassedContract.Topic

// startBroker starts a one-broker kfake cluster with the deadline topic,
// closed when tb ends.
func startBroker(tb testing.TB) string {
	tb.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(benchPartitions, deadlineTopic))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// brokerEnv is the registry side of the broker benchmarks: the project's
// fake registry with the deadline schema, a warmed serializer, a
// deserializer, and the pre-encoded messages the raw clients send.
type brokerEnv struct {
	regURL string
	ser    *serde.Serializer
	deser  *serde.Deserializer
	events []*events.DeadlinePassed
	keys   [][]byte
	values [][]byte
}

func newBrokerEnv(tb testing.TB) *brokerEnv {
	tb.Helper()
	fake := registrytest.NewServer(tb)
	for _, c := range contracts {
		fake.Register(c.Subject, c.Schema)
	}
	client, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		tb.Fatal(err)
	}
	e := &brokerEnv{regURL: fake.URL(), ser: serde.NewSerializer(client, serde.SerializerConfig{}), deser: serde.NewDeserializer(client, serde.DeserializerConfig{})}
	ctx := context.Background()
	for i := range benchKeys {
		ev := sampleDeadline()
		ev.CafeID = 1000 + int64(i)
		v, _, err := e.ser.Append(ctx, nil, ev)
		if err != nil {
			tb.Fatal(err)
		}
		e.events = append(e.events, ev)
		e.keys = append(e.keys, ev.AppendKey(nil))
		e.values = append(e.values, v)
	}
	return e
}

// quiet is the SDK clients' logger: nothing below error.
var quiet = slog.New(slog.NewTextHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelError}))

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// producerConfig is the SDK producer's configuration: its defaults
// (idempotent, acks=all, murmur2_random, delivery reports without key and
// value) plus linger.ms.
func (e *brokerEnv) producerConfig(brokers string) producer.Config {
	return producer.Config{
		Kafka: kafkaconfig.Config{
			BootstrapServers: brokers,
			Properties:       map[string]any{"linger.ms": lingerMs},
		},
		Registry:   registry.Config{URLs: []string{e.regURL}},
		Serializer: e.ser,
		Name:       "bench",
		Logger:     quiet,
	}
}

// rawProducerConfig is the same configuration for a raw librdkafka
// producer.
func rawProducerConfig(brokers string) *kafka.ConfigMap {
	return &kafka.ConfigMap{
		"bootstrap.servers":         brokers,
		"client.id":                 "bench-raw",
		"enable.idempotence":        true,
		"acks":                      "all",
		"linger.ms":                 lingerMs,
		"partitioner":               "murmur2_random",
		"go.delivery.report.fields": "none",
		// librdkafka's logs go to a channel (drainLogs), as the SDK has
		// them, rather than to stderr amid the benchmark lines.
		"go.logs.channel.enable": true,
	}
}

// drainLogs discards librdkafka's logs until ch closes.
func drainLogs(ch chan kafka.LogEvent) {
	go func() {
		for range ch {
		}
	}()
}

// ceHeaders are CloudEvents headers like the ones the SDK sends (the id is
// fixed here, the SDK makes one per message).
func ceHeaders(regURL string) []kafka.Header {
	return []kafka.Header{
		{Key: cloudevents.HeaderSpecVersion, Value: []byte(cloudevents.SpecVersion)},
		{Key: cloudevents.HeaderID, Value: []byte("0193a1f2-7c4e-7b8a-9d3e-5f1a2b3c4d5e")},
		{Key: cloudevents.HeaderSource, Value: []byte("bench-raw")},
		{Key: cloudevents.HeaderType, Value: []byte("deadline.passed")},
		{Key: cloudevents.HeaderContentType, Value: []byte(cloudevents.ContentType)},
		{Key: cloudevents.HeaderDataSchema, Value: []byte(regURL + "/schemas/ids/1")},
	}
}

func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "msgs/s")
	}
}

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
	ctx := context.Background()
	p, err := producer.New(ctx, e.producerConfig(brokers), e.events[0].Contract())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if n, err := p.Close(ctx); err != nil || n != 0 {
			b.Errorf("closing the producer: %d undelivered, %v", n, err)
		}
	})
	// One message first, so the clock does not count connecting and
	// getting a producer id.
	if _, err := p.Publish(ctx, e.events[0]); err != nil {
		b.Fatal(err)
	}
	return p
}

func (e *brokerEnv) publishTyped(b *testing.B) {
	ctx := context.Background()
	p := e.newProducer(b, startBroker(b))
	var pending sync.WaitGroup
	var failed atomic.Int64
	done := func(_ producer.Delivery, err error) {
		if err != nil {
			failed.Add(1)
		}
		pending.Done()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		pending.Add(1)
		if err := p.PublishAsync(ctx, e.events[i%benchKeys], done); err != nil {
			b.Fatal(err)
		}
	}
	pending.Wait()
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d messages not delivered", n)
	}
	reportRate(b)
}

// newRawProducer starts a raw producer whose delivery reports of messages
// produced without a channel go to pending (Done) and failed. With
// wantOpaque, a report without the message's Opaque counts as failed.
func newRawProducer(b *testing.B, brokers string, pending *sync.WaitGroup, failed *atomic.Int64, wantOpaque bool) *kafka.Producer {
	b.Helper()
	kp, err := kafka.NewProducer(rawProducerConfig(brokers))
	if err != nil {
		b.Fatal(err)
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
	b.Cleanup(func() {
		if n := kp.Flush(30_000); n != 0 {
			b.Errorf("raw producer: %d messages not flushed", n)
		}
		kp.Close()
		loop.Wait()
	})
	// One message first, as for the SDK.
	topic := deadlineTopic
	ch := make(chan kafka.Event, 1)
	if err := kp.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Value: []byte("warm-up")}, ch); err != nil {
		b.Fatal(err)
	}
	if m := (<-ch).(*kafka.Message); m.TopicPartition.Error != nil {
		b.Fatal(m.TopicPartition.Error)
	}
	return kp
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
// events) and waits for their delivery reports.
func (r *rawPublisher) publish(b *testing.B, from, n int) {
	for i := from; i < from+n; i++ {
		k := i % benchKeys
		r.msg.Key, r.msg.Value = r.e.keys[k], r.e.values[k]
		if r.opaque {
			r.msg.Opaque = r.e.events[k]
		}
		r.pending.Add(1)
		if err := produceRaw(r.kp, &r.msg, nil); err != nil {
			b.Fatal(err)
		}
	}
	r.pending.Wait()
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
	r.publish(b, 0, b.N)
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
