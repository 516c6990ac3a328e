//go:build unix

package consumer

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// BenchmarkPipeline is the consumer's own cost per message, without a
// broker or librdkafka: the benchmark's goroutine plays the poll loop
// (accept, and the wait for room under MaxInFlight), the workers decode
// each deadline event with the serde deserializer and call a handler that
// does nothing. The messages carry the SDK producer's headers; one of the
// allocations per op is the benchmark's: the kafka.Message it makes, as
// librdkafka's Poll does.
func BenchmarkPipeline(b *testing.B) {
	for _, bc := range []struct {
		name        string
		concurrency int
		ordering    Ordering
		keys        int
	}{
		{"c1/keys=64", 1, OrderKey, 64},
		{"c64/keys=64", 64, OrderKey, 64},
		{"c64/keys=100000", 64, OrderKey, 100_000},
		{"c64/partition", 64, OrderPartition, 64},
		{"c64/none", 64, OrderNone, 64},
	} {
		b.Run(bc.name, func(b *testing.B) {
			benchPipeline(b, bc.concurrency, bc.ordering, bc.keys)
		})
	}
}

const pipelinePartitions = 3

func benchPipeline(b *testing.B, concurrency int, ordering Ordering, keys int) {
	fake := registrytest.NewServer(b)
	c := events.DeadlinePassedContract
	fake.Register(c.Subject, c.Schema)
	client, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		b.Fatal(err)
	}
	ser := serde.NewSerializer(client, serde.SerializerConfig{})
	var handled atomic.Int64
	done := make(chan struct{})
	want := int64(b.N)
	cons, err := New(Config{
		GroupID: "bench", Name: "bench", Logger: slog.New(slog.DiscardHandler),
		Deserializer: serde.NewDeserializer(client, serde.DeserializerConfig{}),
		Concurrency:  concurrency, Ordering: ordering, DisableDeadLetter: true,
	}, Handle(func(context.Context, *events.DeadlinePassed, Message) error {
		if handled.Add(1) == want {
			close(done)
		}
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	feed := newPipelineFeed(b, ser, fake.URL(), keys)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &run{Consumer: cons, sched: newScheduler(), parts: map[partKey]*partition{}, ctx: ctx, hctx: ctx}
	for i := range int32(pipelinePartitions) {
		p := cons.newPartition(c.Topic, i)
		r.parts[p.key()] = p
	}
	var workers sync.WaitGroup
	r.startWorkers(&workers)
	b.ReportAllocs()
	cpu := processCPU(b)
	b.ResetTimer()
	for range b.N {
		if count, bytes := r.sched.load(); count >= r.cfg.MaxInFlight || bytes >= r.cfg.MaxInFlightBytes {
			r.sched.waitLoad(time.Now().Add(time.Minute), r.cfg.MaxInFlight/2, r.cfg.MaxInFlightBytes/2)
		}
		r.accept(feed.next())
	}
	select {
	case <-done:
	case <-time.After(time.Minute):
		b.Fatalf("%d of %d messages handled in a minute", handled.Load(), b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU(b)-cpu)/float64(b.N), "cpu-ns/op")
	r.sched.stop()
	workers.Wait()
	for _, p := range r.parts {
		if got := p.offs.commitPoint(); got != p.offs.next {
			b.Fatalf("partition %d: commit point %d, want %d", p.id, got, p.offs.next)
		}
	}
}

// pipelineFeed makes the benchmark's messages: deadline events over a
// number of keys (each key in one of the partitions), with the headers the
// SDK producer sends.
type pipelineFeed struct {
	topic   string
	value   []byte
	headers []kafka.Header
	keys    [][]byte
	at      time.Time
	i       int
	offsets [pipelinePartitions]kafka.Offset
}

func newPipelineFeed(b *testing.B, ser *serde.Serializer, regURL string, keys int) *pipelineFeed {
	ev := &events.DeadlinePassed{Type: "deadline.passed", CafeID: 7, Date: avrobin.Date{Year: 2026, Month: 3, Day: 2},
		Timestamp: time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)}
	value, _, err := ser.Append(context.Background(), nil, ev)
	if err != nil {
		b.Fatal(err)
	}
	f := &pipelineFeed{topic: events.DeadlinePassedContract.Topic, value: value, at: ev.Timestamp}
	f.headers = []kafka.Header{
		{Key: cloudevents.HeaderSpecVersion, Value: []byte(cloudevents.SpecVersion)},
		{Key: cloudevents.HeaderID, Value: []byte(cloudevents.NewEventID().String())},
		{Key: cloudevents.HeaderSource, Value: []byte("bench")},
		{Key: cloudevents.HeaderType, Value: []byte(events.DeadlinePassedContract.Type)},
		{Key: cloudevents.HeaderContentType, Value: []byte(cloudevents.ContentType)},
		{Key: cloudevents.HeaderDataSchema, Value: []byte(fmt.Sprintf("%s/schemas/ids/1", regURL))},
	}
	f.keys = make([][]byte, keys)
	for k := range f.keys {
		f.keys[k] = strconv.AppendInt(nil, int64(1000+k), 10)
	}
	return f
}

// next returns a new message, the next key's.
func (f *pipelineFeed) next() *kafka.Message {
	k := f.i % len(f.keys)
	f.i++
	p := int32(k % pipelinePartitions)
	km := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &f.topic, Partition: p, Offset: f.offsets[p]},
		Key:            f.keys[k],
		Value:          f.value,
		Headers:        f.headers,
		Timestamp:      f.at,
	}
	f.offsets[p]++
	return km
}

// processCPU returns the CPU time the process used so far, user and
// system, in nanoseconds: on a shared machine a steadier figure than the
// time that passed.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
