package consumer_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

func TestMain(m *testing.M) { itest.Main(m) }

// waitLimit bounds every wait for the servers: a limit for giving up, not a
// performance assertion.
const waitLimit = 60 * time.Second

// testEvent is a hand-written contract.Event, {id long, name string} keyed
// by id. Its contract is the package variable testContract, which useTopic
// replaces for each test (tests of this package do not run in parallel),
// so that each test has its own topic and subject.
type testEvent struct {
	ID   int64
	Name string
}

var testContract *contract.Contract

const testSchema = `{"type":"record","name":"Event","namespace":"eventkit.test","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`

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

func (e *testEvent) Validate() error {
	if e.Name == "" {
		return errors.New("name is empty")
	}
	return nil
}

// env is a test's servers, topic and clients.
type env struct {
	t        *testing.T
	broker   string
	regURL   string
	topic    string
	requests atomic.Int64 // registry HTTP requests
}

// newEnv gives the test a topic of its own and the shared servers.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, broker: itest.Broker(t), regURL: itest.Registry(t)}
	e.topic = itest.Topic(t, "consumer")
	e.createTopic(e.topic, 1)
	testContract = &contract.Contract{
		Type: "eventkit.test", Name: "eventkit.test.Event",
		Topic: e.topic, Subject: e.topic + "-value", KeyField: "id", Schema: testSchema,
	}
	return e
}

// createTopic creates topic with the given partition count.
func (e *env) createTopic(topic string, partitions int) {
	e.t.Helper()
	a, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": e.broker, "log_level": 3})
	if err != nil {
		e.t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	res, err := a.CreateTopics(ctx, []kafka.TopicSpecification{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range res {
		if r.Error.Code() != kafka.ErrNoError {
			e.t.Fatalf("creating %s: %v", topic, r.Error)
		}
	}
}

// registry returns a registry config that counts requests.
func (e *env) registry() registry.Config {
	return registry.Config{URLs: []string{e.regURL}, Transport: countingTransport{&e.requests}}
}

type countingTransport struct{ n *atomic.Int64 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// producer returns a producer that registers the test schema.
func (e *env) producer() *producer.Producer {
	e.t.Helper()
	p, err := producer.New(context.Background(), producer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: e.broker}, Registry: e.registry(), Serde: serde.SerializerConfig{AutoRegister: true},
		Name: "consumer-test", Logger: testLogger(e.t),
	}, testContract)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_, _ = p.Close(ctx)
	})
	return p
}

// publish publishes events and returns their deliveries.
func (e *env) publish(p *producer.Producer, evs ...*testEvent) []producer.Delivery {
	e.t.Helper()
	var out []producer.Delivery
	for _, ev := range evs {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		d, err := p.Publish(ctx, ev)
		cancel()
		if err != nil {
			e.t.Fatalf("publishing %+v: %v", ev, err)
		}
		out = append(out, d)
	}
	return out
}

// produceRaw produces raw messages to topic, all to partition 0.
func (e *env) produceRaw(topic string, msgs ...*kafka.Message) {
	e.t.Helper()
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": e.broker, "acks": "all", "go.logs.channel.enable": true})
	if err != nil {
		e.t.Fatal(err)
	}
	defer p.Close()
	go func() {
		for range p.Logs() {
		}
	}()
	report := make(chan kafka.Event, len(msgs))
	for _, m := range msgs {
		m.TopicPartition = kafka.TopicPartition{Topic: &topic, Partition: 0}
		if err := p.Produce(m, report); err != nil {
			e.t.Fatal(err)
		}
	}
	for range msgs {
		select {
		case ev := <-report:
			if m, ok := ev.(*kafka.Message); !ok || m.TopicPartition.Error != nil {
				e.t.Fatalf("raw produce: %v", ev)
			}
		case <-time.After(waitLimit):
			e.t.Fatal("raw produce: no delivery report")
		}
	}
}

// config returns a consumer config for group.
func (e *env) config(group string) consumer.Config {
	return consumer.Config{
		Kafka:    kafkaconfig.Config{BootstrapServers: e.broker},
		Registry: e.registry(),
		GroupID:  group,
		Name:     "consumer-test",
		Logger:   testLogger(e.t),
		Retry:    consumer.RetryPolicy{Attempts: 3, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond},
		// Commit often so that the tests need not wait for shutdown.
		CommitInterval: 200 * time.Millisecond,
	}
}

// useTopic gives the test's contract a topic of its own with partitions
// partitions, named after the test's topic with suffix, and returns it.
func (e *env) useTopic(suffix string, partitions int) string {
	e.t.Helper()
	topic := e.topic + "." + suffix
	e.createTopic(topic, partitions)
	testContract.Topic = topic
	return topic
}

// run creates a consumer of cfg with handlers and starts it.
func (e *env) run(cfg consumer.Config, handlers ...consumer.Handler) (*consumer.Consumer, *running) {
	e.t.Helper()
	c, err := consumer.New(cfg, handlers...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, start(e.t, c)
}

// running is a consumer running in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

// start runs c until stop.
func start(t *testing.T, c *consumer.Consumer) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- c.Run(ctx) }()
	t.Cleanup(func() { _ = r.stop(t) })
	return r
}

// stop cancels the consumer's context and returns Run's error.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if !ok {
			return nil
		}
		close(r.done)
		return err
	case <-time.After(waitLimit):
		t.Fatal("Run did not return after its context ended")
		return nil
	}
}

// readTopic reads n messages from every partition of topic with a fresh
// group.
func (e *env) readTopic(topic string, n int) []*kafka.Message {
	e.t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": e.broker, "group.id": "reader-" + topic + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		"auto.offset.reset": "earliest", "enable.auto.commit": false, "go.logs.channel.enable": true,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	go func() {
		for range c.Logs() {
		}
	}()
	if err := c.Subscribe(topic, nil); err != nil {
		e.t.Fatal(err)
	}
	var out []*kafka.Message
	deadline := time.Now().Add(waitLimit)
	for len(out) < n && time.Now().Before(deadline) {
		if m, err := c.ReadMessage(500 * time.Millisecond); err == nil {
			out = append(out, m)
		}
	}
	if len(out) < n {
		e.t.Fatalf("read %d of %d messages from %s", len(out), n, topic)
	}
	return out
}

// committed returns the group's committed offset of each partition of topic
// that has one, and the high watermarks.
func (e *env) committed(group, topic string) (committed, high map[int32]int64) {
	e.t.Helper()
	tps, high := e.committedPartitions(group, topic)
	committed = map[int32]int64{}
	for _, tp := range tps {
		if tp.Offset >= 0 {
			committed[tp.Partition] = int64(tp.Offset)
		}
	}
	return committed, high
}

// committedPartitions returns what the group committed for the partitions
// of topic, offsets and metadata (none when nothing is), and the high
// watermarks.
func (e *env) committedPartitions(group, topic string) (committed []kafka.TopicPartition, high map[int32]int64) {
	e.t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": e.broker, "group.id": group, "go.logs.channel.enable": true})
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	go func() {
		for range c.Logs() {
		}
	}()
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var tps []kafka.TopicPartition
	high = map[int32]int64{}
	for _, p := range md.Topics[topic].Partitions {
		tps = append(tps, kafka.TopicPartition{Topic: &topic, Partition: p.ID})
		_, h, err := c.QueryWatermarkOffsets(topic, p.ID, 10000)
		if err != nil {
			e.t.Fatal(err)
		}
		high[p.ID] = h
	}
	got, err := c.Committed(tps, 10000)
	if err != nil {
		// The group may not exist yet (kfake: GROUP_ID_NOT_FOUND): nothing
		// is committed.
		e.t.Logf("committed offsets of %s: %v", group, err)
		return nil, high
	}
	return got, high
}

// waitCommitted waits until the group's committed offsets equal the high
// watermarks of topic, and fails the test if they never do.
func (e *env) waitCommitted(group, topic string) {
	e.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		committed, high := e.committed(group, topic)
		done := true
		for p, h := range high {
			if h > 0 && committed[p] != h {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("committed offsets %v never reached the high watermarks %v", committed, high)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func header(m *kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// testLogger logs to the test's log at info level (debug is chatty).
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct {
	mu sync.Mutex
	t  *testing.T
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer func() { _ = recover() }() // logging after the test ended
	w.t.Log(string(p))
	return len(p), nil
}

// recv waits for a value from ch.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("no %s within %v", what, waitLimit)
		var zero T
		return zero
	}
}

var _ = fmt.Sprint

// newUnitContract returns a test contract on a fixed topic, for tests that
// start no consumer.
func newUnitContract() *contract.Contract {
	return &contract.Contract{Type: "eventkit.test", Name: "eventkit.test.Event", Topic: "unit.events", Subject: "unit.events-value", KeyField: "id", Schema: testSchema}
}
