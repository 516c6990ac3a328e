package producer_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// testEvent is a hand-written contract.Event: {id long, name string}, keyed
// by id.
type testEvent struct {
	ID   int64
	Name string
}

var testContract = &contract.Contract{
	Type:     "test.event",
	Name:     "test.Event",
	Topic:    "test.events",
	Subject:  "test.events-value",
	KeyField: "id",
	Schema:   `{"type":"record","name":"Event","namespace":"test","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`,
}

var errEmptyName = errors.New("name is empty")

func (e *testEvent) Contract() *contract.Contract { return testContract }

func (e *testEvent) AppendAvro(dst []byte) ([]byte, error) {
	dst = binary.AppendVarint(dst, e.ID)
	dst = binary.AppendVarint(dst, int64(len(e.Name)))
	return append(dst, e.Name...), nil
}

func (e *testEvent) UnmarshalAvro(src []byte) error {
	id, n := binary.Varint(src)
	if n <= 0 {
		return errors.New("bad id")
	}
	src = src[n:]
	l, n := binary.Varint(src)
	if n <= 0 || l < 0 || int64(len(src)-n) != l {
		return errors.New("bad name")
	}
	e.ID, e.Name = id, string(src[n:])
	return nil
}

func (e *testEvent) AppendKey(dst []byte) []byte { return strconv.AppendInt(dst, e.ID, 10) }

// LogValue describes the event to slog by its fields, as generated events
// do.
func (e *testEvent) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", e.ID), slog.String("name", e.Name))
}

func (e *testEvent) Validate() error {
	if e.Name == "" {
		return errEmptyName
	}
	return nil
}

// fakeSerializer frames events with a fixed schema id; it stands in for
// serde.Serializer in the unit tests.
type fakeSerializer struct {
	id      int
	warmErr error
	warmed  []*contract.Contract
	appends atomic.Int64
}

func (f *fakeSerializer) Warm(_ context.Context, cs ...*contract.Contract) error {
	f.warmed = append(f.warmed, cs...)
	return f.warmErr
}

func (f *fakeSerializer) Append(_ context.Context, dst []byte, e contract.Event) ([]byte, int, error) {
	f.appends.Add(1)
	dst = wire.AppendHeader(dst, uint32(f.id))
	dst, err := e.AppendAvro(dst)
	return dst, f.id, err
}

// mockCluster starts librdkafka's in-process mock cluster with the test
// topic (one partition).
func mockCluster(t testing.TB) *kafka.MockCluster {
	t.Helper()
	mc, err := kafka.NewMockCluster(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mc.Close)
	if err := mc.CreateTopic(testContract.Topic, 1, 1); err != nil {
		t.Fatal(err)
	}
	return mc
}

func header(m *kafka.Message, key string) (string, bool) {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

var _ fmt.Stringer = (*syncBuffer)(nil)

// readAllPartitions reads n messages from every partition of topic.
func readAllPartitions(t testing.TB, brokers, topic string, n int) []*kafka.Message {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": brokers, "group.id": "reader-" + topic, "auto.offset.reset": "earliest",
		"enable.auto.commit": false, "go.logs.channel.enable": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		for range c.Logs() {
		}
	}()
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	var out []*kafka.Message
	for deadline := time.Now().Add(time.Minute); len(out) < n && time.Now().Before(deadline); {
		if m, err := c.ReadMessage(500 * time.Millisecond); err == nil {
			out = append(out, m)
		}
	}
	if len(out) < n {
		t.Fatalf("read %d of %d messages from %s", len(out), n, topic)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// rawConsumer returns a librdkafka consumer with cfg, its logs discarded,
// closed when t ends.
func rawConsumer(t testing.TB, cfg kafka.ConfigMap) *kafka.Consumer {
	t.Helper()
	cfg["go.logs.channel.enable"] = true
	c, err := kafka.NewConsumer(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		for range c.Logs() {
		}
	}()
	return c
}

// topicSize returns the number of messages in topic (0 when it does not
// exist).
func topicSize(t testing.TB, brokers, topic string) int64 {
	t.Helper()
	c := rawConsumer(t, kafka.ConfigMap{"bootstrap.servers": brokers, "group.id": "size"})
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		return 0
	}
	var n int64
	for _, p := range md.Topics[topic].Partitions {
		lo, hi, err := c.QueryWatermarkOffsets(topic, p.ID, 10000)
		if err != nil {
			t.Fatal(err)
		}
		n += hi - lo
	}
	return n
}
