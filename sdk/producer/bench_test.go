package producer_test

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// benchKeys is the number of distinct keys the benchmarks cycle through.
const benchKeys = 1024

// BenchmarkPublish compares the typed producer with librdkafka's raw
// Produce of pre-encoded bytes, with the same client configuration
// (idempotent, acks=all, murmur2 partitioner, delivery reports without
// key and value), against the kfake broker of internal/itest and against
// librdkafka's in-process mock cluster. Each sub-benchmark waits for every
// delivery report before it stops the clock, and reports msg/s.
//
//	raw           Produce of a pre-encoded value and key, no headers
//	raw+headers   the same with the 6 headers the typed producer sends
//	typed         PublishAsync: validate, encode, key, headers, event id
//	sync64/raw    64 goroutines per CPU, each Produce then wait for its report
//	sync64/typed  64 goroutines per CPU, each Publish (waits for its report)
func BenchmarkPublish(b *testing.B) {
	regURL := itest.Registry(b)
	targets := []struct {
		name    string
		brokers func(b *testing.B, topic string) string
	}{
		{"kfake", func(b *testing.B, topic string) string {
			br := itest.Broker(b)
			createTopic(b, br, topic)
			return br
		}},
		{"mock", func(b *testing.B, topic string) string {
			mc, err := kafka.NewMockCluster(1)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(mc.Close)
			if err := mc.CreateTopic(topic, 3, 1); err != nil {
				b.Fatal(err)
			}
			return mc.BootstrapServers()
		}},
	}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			b.Run("raw", func(b *testing.B) { benchRaw(b, tg.brokers, false) })
			b.Run("raw+headers", func(b *testing.B) { benchRaw(b, tg.brokers, true) })
			b.Run("typed", func(b *testing.B) { benchTyped(b, tg.brokers, regURL) })
			b.Run("sync64/raw", func(b *testing.B) { benchRawSync(b, tg.brokers) })
			b.Run("sync64/typed", func(b *testing.B) { benchTypedSync(b, tg.brokers, regURL) })
		})
	}
}

// benchConfig is the librdkafka configuration both sides use.
func benchConfig(brokers string) kafka.ConfigMap {
	return kafka.ConfigMap{
		"bootstrap.servers":         brokers,
		"enable.idempotence":        true,
		"acks":                      "all",
		"partitioner":               "murmur2_random",
		"go.delivery.report.fields": "none",
		"go.logs.channel.enable":    true,
	}
}

func createTopic(b *testing.B, brokers, topic string) { createTopicTB(b, brokers, topic) }

// createTopicTB creates topic with 3 partitions.
func createTopicTB(b testing.TB, brokers, topic string) {
	a, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": brokers, "log_level": 3})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := a.CreateTopics(ctx, []kafka.TopicSpecification{{Topic: topic, NumPartitions: 3, ReplicationFactor: 1}}); err != nil {
		b.Fatal(err)
	}
}

// preEncoded returns benchKeys keys and wire-format values of the test
// event, and the headers a typed publish sends.
func preEncoded(b *testing.B) (keys, values [][]byte, headers []kafka.Header) {
	for i := 0; i < benchKeys; i++ {
		ev := testEvent{ID: int64(i), Name: "cafe-bench"}
		v, err := ev.AppendAvro(wire.AppendHeader(nil, 1))
		if err != nil {
			b.Fatal(err)
		}
		keys = append(keys, ev.AppendKey(nil))
		values = append(values, v)
	}
	hv := func(s string) []byte { return []byte(s) }
	headers = []kafka.Header{
		{Key: cloudevents.HeaderSpecVersion, Value: hv(cloudevents.SpecVersion)},
		{Key: cloudevents.HeaderID, Value: hv("01890a5d-ac96-774b-bcce-b302099a8057")},
		{Key: cloudevents.HeaderSource, Value: hv("bench")},
		{Key: cloudevents.HeaderType, Value: hv(testContract.Type)},
		{Key: cloudevents.HeaderContentType, Value: hv(cloudevents.ContentType)},
		{Key: cloudevents.HeaderDataSchema, Value: hv("http://127.0.0.1:8081/schemas/ids/1")},
	}
	return keys, values, headers
}

func newRaw(b *testing.B, brokers string) *kafka.Producer {
	cm := benchConfig(brokers)
	kp, err := kafka.NewProducer(&cm)
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		for range kp.Logs() {
		}
	}()
	b.Cleanup(kp.Close)
	return kp
}

func benchRaw(b *testing.B, target func(*testing.B, string) string, withHeaders bool) {
	topic := itest.Topic(b, "bench")
	kp := newRaw(b, target(b, topic))
	keys, values, headers := preEncoded(b)
	var delivered, failed atomic.Int64
	all := make(chan struct{})
	n := int64(b.N)
	go func() {
		for ev := range kp.Events() {
			if m, ok := ev.(*kafka.Message); ok {
				if m.TopicPartition.Error != nil {
					failed.Add(1)
				}
				if delivered.Add(1) == n {
					close(all)
				}
			}
		}
	}()
	if !withHeaders {
		headers = nil
	}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		k := i % benchKeys
		err := kp.Produce(&kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
			Key:            keys[k], Value: values[k], Headers: headers,
		}, nil)
		for err != nil { // queue full: wait like the typed producer does
			time.Sleep(time.Millisecond)
			err = kp.Produce(&kafka.Message{
				TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
				Key:            keys[k], Value: values[k], Headers: headers,
			}, nil)
		}
	}
	waitAll(b, all)
	report(b, start, cpu0)
	if failed.Load() > 0 {
		b.Fatalf("%d deliveries failed", failed.Load())
	}
}

// typedProducer returns a producer whose serializer is warmed up against
// the real registry, and a contract on a topic of the benchmark's own.
func typedProducer(b *testing.B, target func(*testing.B, string) string, regURL string) (*producer.Producer, *contract.Contract) {
	c := itestContract(b)
	brokers := target(b, c.Topic)
	p, err := producer.New(context.Background(), producer.Config{
		Kafka:    kafkaconfig.Config{BootstrapServers: brokers},
		Registry: registry.Config{URLs: []string{regURL}},
		Serde:    serde.SerializerConfig{AutoRegister: true},
		Name:     "bench",
	}, c)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = p.Close(context.Background()) })
	return p, c
}

func benchTyped(b *testing.B, target func(*testing.B, string) string, regURL string) {
	p, c := typedProducer(b, target, regURL)
	var delivered, failed atomic.Int64
	all := make(chan struct{})
	n := int64(b.N)
	done := func(_ producer.Delivery, err error) {
		if err != nil {
			failed.Add(1)
		}
		if delivered.Add(1) == n {
			close(all)
		}
	}
	ev := &contractEvent{testEvent{Name: "cafe-bench"}, c}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		ev.ID = int64(i % benchKeys)
		if err := p.PublishAsync(ctx, ev, done); err != nil {
			b.Fatal(err)
		}
	}
	waitAll(b, all)
	report(b, start, cpu0)
	if failed.Load() > 0 {
		b.Fatalf("%d deliveries failed", failed.Load())
	}
}

func benchRawSync(b *testing.B, target func(*testing.B, string) string) {
	topic := itest.Topic(b, "bench")
	kp := newRaw(b, target(b, topic))
	go func() {
		for range kp.Events() {
		}
	}()
	keys, values, _ := preEncoded(b)
	var seq atomic.Int64
	b.SetParallelism(64)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		report := make(chan kafka.Event, 1)
		for pb.Next() {
			k := int(seq.Add(1) % benchKeys)
			if err := kp.Produce(&kafka.Message{
				TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
				Key:            keys[k], Value: values[k],
			}, report); err != nil {
				b.Error(err)
				return
			}
			if m := (<-report).(*kafka.Message); m.TopicPartition.Error != nil {
				b.Error(m.TopicPartition.Error)
				return
			}
		}
	})
	report(b, start, cpu0)
}

func benchTypedSync(b *testing.B, target func(*testing.B, string) string, regURL string) {
	p, c := typedProducer(b, target, regURL)
	var seq atomic.Int64
	b.SetParallelism(64)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		ev := &contractEvent{testEvent{Name: "cafe-bench"}, c}
		ctx := context.Background()
		for pb.Next() {
			ev.ID = seq.Add(1) % benchKeys
			if _, err := p.Publish(ctx, ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
	report(b, start, cpu0)
}

func waitAll(b *testing.B, all <-chan struct{}) {
	if b.N == 0 {
		return
	}
	select {
	case <-all:
	case <-time.After(5 * time.Minute):
		b.Fatal("deliveries did not all arrive within 5 minutes")
	}
}

// cpuTime returns the CPU time (user and system) the process has used,
// librdkafka's threads included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report adds msg/s (wall clock) and the process's CPU time per message:
// the machine is shared, so the CPU cost is the steadier figure.
func report(b *testing.B, start time.Time, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msg/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/msg")
}
