package bench

// Publishing and consuming the deadline event through a local broker (kfake,
// in this process), the SDK against raw confluent-kafka-go with the same
// librdkafka configuration. One op is one message; run them with a fixed
// count (-benchtime=100000x) so that every run moves the same messages.

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
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
	return startBrokerPartitions(tb, benchPartitions)
}

// startBrokerPartitions is startBroker with a deadline topic of the given
// number of partitions.
func startBrokerPartitions(tb testing.TB, partitions int) string {
	tb.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(int32(partitions), deadlineTopic))
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
	e, err := newClientEnv(fake.URL())
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// newClientEnv returns the env of a client of the registry at regURL,
// which holds the deadline schema: what the benchmarks' process builds
// over its fake registry, and a client process (clientChild) over the
// same registry.
func newClientEnv(regURL string) (*brokerEnv, error) {
	client, err := registry.New(registry.Config{URLs: []string{regURL}})
	if err != nil {
		return nil, err
	}
	e := &brokerEnv{regURL: regURL, ser: serde.NewSerializer(client, serde.SerializerConfig{}), deser: serde.NewDeserializer(client, serde.DeserializerConfig{})}
	ctx := context.Background()
	for i := range benchKeys {
		ev := sampleDeadline()
		ev.CafeID = 1000 + int64(i)
		v, _, err := e.ser.Append(ctx, nil, ev)
		if err != nil {
			return nil, fmt.Errorf("encoding the deadline event: %w", err)
		}
		e.events = append(e.events, ev)
		e.keys = append(e.keys, ev.AppendKey(nil))
		e.values = append(e.values, v)
	}
	return e, nil
}

// quiet is the SDK clients' logger: nothing below error.
var quiet = slog.New(slog.NewTextHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelError}))

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// deliveryDone returns a PublishAsync callback that marks each message done
// in pending and counts the ones not delivered in failed.
func deliveryDone(pending *sync.WaitGroup, failed *atomic.Int64) func(producer.Delivery, error) {
	return func(_ producer.Delivery, err error) {
		if err != nil {
			failed.Add(1)
		}
		pending.Done()
	}
}

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

// reportRate reports b.N messages over the time the clock ran, as msgs/s.
func reportRate(b *testing.B) { reportRateOf(b, b.N) }

// reportRateOf reports n messages over the time the clock ran.
func reportRateOf(b *testing.B, n int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(n)/s, "msgs/s")
	}
}
