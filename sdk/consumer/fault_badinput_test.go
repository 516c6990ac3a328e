package consumer_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// The generated events on topics (and subjects) of the test's own: the
// contracts are copies of the generated ones with another topic, so that
// tests sharing the broker and registry stay apart.
var faultDeadlineContract, faultDailyContract *contract.Contract

type faultDeadline struct{ events.DeadlinePassed }

func (*faultDeadline) Contract() *contract.Contract { return faultDeadlineContract }

type faultDaily struct{ events.DailyTask }

func (*faultDaily) Contract() *contract.Contract { return faultDailyContract }

// useGeneratedContracts gives the generated events topics of the test's own.
func useGeneratedContracts(t *testing.T) {
	copyWithTopic := func(c *contract.Contract, base string) *contract.Contract {
		cc := *c
		cc.Topic = itest.Topic(t, base)
		cc.Subject = cc.Topic + "-value"
		return &cc
	}
	faultDeadlineContract = copyWithTopic(events.DeadlinePassedContract, "deadlines")
	faultDailyContract = copyWithTopic(events.DailyTaskContract, "daily-tasks")
}

func deadline(cafe int64) *faultDeadline {
	d := &faultDeadline{*events.NewDeadlinePassed()}
	d.CafeID = cafe
	d.Date = avrobin.Date{Year: 2025, Month: time.December, Day: 8}
	d.Timestamp = time.Date(2025, 12, 8, 11, 0, 0, 0, time.UTC)
	return d
}

// TestFaultBadMessagesDeadLettered puts hostile messages between good
// deadline.passed events on a deadlines topic: a wrong magic byte, a
// truncated body, an unknown schema id, the schema id of another subject
// (the daily task's), a string length prefix claiming 2^62 bytes and one
// claiming 2^31. Each goes to the dead-letter topic with reason "decode" and
// an error that says what is wrong, the good events around them are
// handled, and every offset is committed.
func TestFaultBadMessagesDeadLettered(t *testing.T) {
	e := newEnv(t)
	useGeneratedContracts(t)
	e.createTopic(faultDeadlineContract.Topic, 1)
	e.createTopic(faultDailyContract.Topic, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	defer cancel()
	p, err := producer.New(ctx, producer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: e.broker}, Registry: e.registry(), Serde: serde.SerializerConfig{AutoRegister: true},
		Name: "fault-test", Logger: testLogger(t),
	}, faultDeadlineContract, faultDailyContract)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	first, err := p.Publish(ctx, deadline(1))
	if err != nil {
		t.Fatal(err)
	}
	task := &faultDaily{events.DailyTask{Type: "generate_recommendations", Timestamp: time.Date(2025, 12, 8, 6, 0, 0, 0, time.UTC)}}
	taskD, err := p.Publish(ctx, task)
	if err != nil {
		t.Fatal(err)
	}
	if taskD.SchemaID == first.SchemaID {
		t.Fatalf("the daily task and the deadline have the same schema id %d", first.SchemaID)
	}

	good, err := deadline(2).AppendAvro(wire.AppendHeader(nil, uint32(first.SchemaID)))
	if err != nil {
		t.Fatal(err)
	}
	taskBody, err := task.AppendAvro(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A body whose first field, the "type" string, claims n bytes.
	claim := func(n uint64) []byte {
		b := wire.AppendHeader(nil, uint32(first.SchemaID))
		b = binary.AppendUvarint(b, n<<1) // Avro's zig-zag long of a positive n
		return append(b, "deadline.passed"...)
	}
	bad := []struct {
		name  string
		value []byte
		says  string // in dlq.error
	}{
		{"wrong magic byte", append([]byte{1}, good[1:]...), "magic byte"},
		{"truncated body", good[:len(good)-3], "does not decode"},
		{"unknown schema id", append(wire.AppendHeader(nil, 0x7ffffff0), good[wire.HeaderSize:]...), "not found"},
		{"another subject's schema id", append(wire.AppendHeader(nil, uint32(taskD.SchemaID)), taskBody...), "cannot be read"},
		{"string length 2^62", claim(1 << 62), "does not decode"},
		{"string length 2^31", claim(1 << 31), "does not decode"},
	}
	var raws []*kafka.Message
	for i, b := range bad {
		raws = append(raws, &kafka.Message{Key: []byte("bad" + strconv.Itoa(i)), Value: b.value,
			Headers: []kafka.Header{{Key: "origin", Value: []byte(b.name)}, {Key: cloudevents.HeaderType, Value: []byte("deadline.passed")}}})
	}
	e.produceRaw(faultDeadlineContract.Topic, raws...)
	last, err := p.Publish(ctx, deadline(3))
	if err != nil {
		t.Fatal(err)
	}

	handled := make(chan int64, 10)
	h := consumer.Handle(func(_ context.Context, ev *faultDeadline, m consumer.Message) error {
		handled <- ev.CafeID
		return nil
	})
	cfg := e.config("g-fault-bad")
	c, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	gotCafes := map[int64]bool{}
	for range 2 {
		gotCafes[recv(t, handled, "handled event")] = true
	}
	if diff := cmp.Diff(map[int64]bool{1: true, 3: true}, gotCafes); diff != "" {
		t.Errorf("handled cafes (-want +got):\n%s", diff)
	}
	dlq := e.readTopic(consumer.DefaultDeadLetterTopic(faultDeadlineContract.Topic), len(bad))
	e.waitCommitted("g-fault-bad", faultDeadlineContract.Topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	committed, _ := e.committed("g-fault-bad", faultDeadlineContract.Topic)
	if committed[0] != last.Offset+1 {
		t.Errorf("committed offset %d, want %d (past the last good event)", committed[0], last.Offset+1)
	}

	byOrigin := map[string]*kafka.Message{}
	for _, m := range dlq {
		byOrigin[header(m, "origin")] = m
	}
	for _, b := range bad {
		m := byOrigin[b.name]
		if m == nil {
			t.Errorf("%s: not dead-lettered", b.name)
			continue
		}
		reason, errText := header(m, consumer.HeaderDLQReason), header(m, consumer.HeaderDLQError)
		t.Logf("%s: dlq.reason=%s dlq.error=%q", b.name, reason, errText)
		if reason != consumer.ReasonDecode {
			t.Errorf("%s: dlq.reason = %q, want %q", b.name, reason, consumer.ReasonDecode)
		}
		if !strings.Contains(errText, b.says) {
			t.Errorf("%s: dlq.error = %q, want it to say %q", b.name, errText, b.says)
		}
		if !bytes.Equal(m.Value, b.value) {
			t.Errorf("%s: the dead letter's value differs from the original", b.name)
		}
	}
}

// TestRandomValuesNeverStopTheConsumer feeds random values, framed with the
// real schema id or not, to a consumer: each must be either handled or
// dead-lettered, and every offset committed.
func TestRandomValuesNeverStopTheConsumer(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	id := uint32(e.publish(p, &testEvent{ID: 1, Name: "first"})[0].SchemaID)
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: the same values every run
	const n = 60
	var msgs []*kafka.Message
	for i := 0; i < n; i++ {
		body := make([]byte, rng.IntN(12))
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		var v []byte
		switch i % 3 {
		case 0:
			v = append(wire.AppendHeader(nil, id), body...) // our schema, random body
		case 1:
			v = append(wire.AppendHeader(nil, rng.Uint32()), body...) // random schema id
		default:
			v = body // anything
		}
		msgs = append(msgs, &kafka.Message{Key: []byte(strconv.Itoa(i)), Value: v})
	}
	e.produceRaw(e.topic, msgs...)

	var handled atomic.Int64
	c, err := consumer.New(e.config("g-random"), consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		handled.Add(1)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	e.waitCommitted("g-random", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	dead := e.dlqSize()
	if total := handled.Load() + dead; total != n+1 {
		t.Errorf("%d handled + %d dead-lettered = %d, want %d", handled.Load(), dead, total, n+1)
	}
	if dead == 0 {
		t.Error("no random value was dead-lettered: the test proves nothing")
	}
}
