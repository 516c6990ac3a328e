package consumer_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// got is one handler call.
type got struct {
	Event testEvent
	Msg   consumer.Message
}

// collect returns a handler that sends each call to a channel.
func collect() (consumer.Handler, chan got) {
	ch := make(chan got, 100)
	return consumer.Handle(func(_ context.Context, e *testEvent, m consumer.Message) error {
		ch <- got{*e, m}
		return nil
	}), ch
}

func TestPublishedEventsConsumedBack(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	in := []*testEvent{{ID: 1, Name: "one"}, {ID: 2, Name: "two"}, {ID: 1, Name: "three"}}
	const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	var ds []producer.Delivery
	for _, ev := range in {
		d, err := p.Publish(cloudevents.WithTraceparent(context.Background(), tp), ev)
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}

	traces := make(chan string, 10)
	ch := make(chan got, 10)
	h := consumer.Handle(func(ctx context.Context, ev *testEvent, m consumer.Message) error {
		traces <- cloudevents.TraceparentFrom(ctx)
		ch <- got{*ev, m}
		return nil
	})
	c, err := consumer.New(e.config("g-roundtrip"), h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	byID := map[cloudevents.EventID]got{}
	for range in {
		g := recv(t, ch, "event")
		byID[g.Msg.EventID] = g
		if tr := recv(t, traces, "traceparent"); tr != tp {
			t.Errorf("handler context traceparent = %q, want %q", tr, tp)
		}
	}
	for i, d := range ds {
		g, ok := byID[d.EventID]
		if !ok {
			t.Fatalf("event %s not consumed", d.EventID)
		}
		if diff := cmp.Diff(*in[i], g.Event); diff != "" {
			t.Errorf("event %d (-published +consumed):\n%s", i, diff)
		}
		m := g.Msg
		want := consumer.Message{
			Topic: d.Topic, Partition: d.Partition, Offset: d.Offset, Key: []byte(strconv.FormatInt(in[i].ID, 10)),
			SchemaID: d.SchemaID, EventID: d.EventID, EventType: "eventkit.test", Source: "consumer-test", Attempt: 1,
		}
		if diff := cmp.Diff(want, m, cmp.FilterPath(func(p cmp.Path) bool {
			f := p.Last().String()
			return f == ".Headers" || f == ".Timestamp"
		}, cmp.Ignore())); diff != "" {
			t.Errorf("message %d (-want +got):\n%s", i, diff)
		}
	}
	e.waitCommitted("g-roundtrip", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestGarbageGoesToDeadLetter(t *testing.T) {
	e := newEnv(t)
	p := e.producer() // registers the schema
	id := uint32(e.publish(p, &testEvent{ID: 7, Name: "before"})[0].SchemaID)
	garbage := []struct {
		name  string
		value []byte
	}{
		{"wrong magic byte", []byte(`{"id":1,"name":"json"}`)},
		{"truncated body", append(wire.AppendHeader(nil, id), 0x80)},
		{"trailing bytes", append(wire.AppendHeader(nil, id), 2, 2, 'x', 'y')},
		{"unknown schema id", append(wire.AppendHeader(nil, 0x7ffffff0), 2, 2, 'x')},
		{"shorter than the header", []byte{0, 0}},
		{"tombstone", nil},
	}
	var raws []*kafka.Message
	for i, g := range garbage {
		raws = append(raws, &kafka.Message{Key: []byte("k" + strconv.Itoa(i)), Value: g.value,
			Headers: []kafka.Header{{Key: "origin", Value: []byte(g.name)}}})
	}
	// The topic has one partition: the garbage sits between the two good
	// events, and the last piece of garbage is the partition's last
	// message, so its offset is committed only if dead-lettering stores it.
	e.produceRaw(e.topic, raws[:len(raws)-1]...)
	e.publish(p, &testEvent{ID: 8, Name: "after"})
	e.produceRaw(e.topic, raws[len(raws)-1])

	h, ch := collect()
	c, err := consumer.New(e.config("g-garbage"), h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	names := map[string]bool{}
	for i := 0; i < 2; i++ {
		names[recv(t, ch, "event").Event.Name] = true
	}
	if diff := cmp.Diff(map[string]bool{"before": true, "after": true}, names); diff != "" {
		t.Errorf("handled events (-want +got):\n%s", diff)
	}
	dlq := e.readTopic(consumer.DefaultDeadLetterTopic(e.topic), len(garbage))
	e.waitCommitted("g-garbage", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}

	type dead struct {
		Key, Value, Origin, Reason, Topic, Partition, Offset string
		HasError                                             bool
	}
	var gotDead, wantDead []dead
	for i, g := range garbage {
		wantDead = append(wantDead, dead{Key: "k" + strconv.Itoa(i), Value: string(g.value), Origin: g.name,
			Reason: consumer.ReasonDecode, Topic: e.topic, Partition: "0", HasError: true})
	}
	for _, m := range dlq {
		gotDead = append(gotDead, dead{Key: string(m.Key), Value: string(m.Value), Origin: header(m, "origin"),
			Reason: header(m, consumer.HeaderDLQReason), Topic: header(m, consumer.HeaderDLQTopic),
			Partition: header(m, consumer.HeaderDLQPartition), HasError: header(m, consumer.HeaderDLQError) != ""})
		if _, err := strconv.ParseInt(header(m, consumer.HeaderDLQOffset), 10, 64); err != nil {
			t.Errorf("dlq.offset = %q", header(m, consumer.HeaderDLQOffset))
		}
	}
	sortDead := cmp.Transformer("sort", func(in []dead) map[string]dead {
		out := map[string]dead{}
		for _, d := range in {
			out[d.Key] = d
		}
		return out
	})
	if diff := cmp.Diff(wantDead, gotDead, sortDead); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
}

func TestHandlerErrorRetriedThenDeadLettered(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "fails"}, &testEvent{ID: 1, Name: "permanent"}, &testEvent{ID: 1, Name: "ok"})

	errBoom := errors.New("boom")
	var mu sync.Mutex
	attempts := map[string][]int{}
	okCh := make(chan struct{}, 1)
	h := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		mu.Lock()
		attempts[ev.Name] = append(attempts[ev.Name], m.Attempt)
		mu.Unlock()
		switch ev.Name {
		case "fails":
			return errBoom
		case "permanent":
			return consumer.Permanent(errBoom)
		}
		okCh <- struct{}{}
		return nil
	})
	c, err := consumer.New(e.config("g-retry"), h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	recv(t, okCh, "the healthy event")
	dlq := e.readTopic(consumer.DefaultDeadLetterTopic(e.topic), 2)
	e.waitCommitted("g-retry", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(map[string][]int{"fails": {1, 2, 3}, "permanent": {1}, "ok": {1}}, attempts); diff != "" {
		t.Errorf("attempts per event (-want +got):\n%s", diff)
	}
	for _, m := range dlq {
		wantAttempts := "3"
		if header(m, cloudevents.HeaderID) == "" {
			t.Errorf("original headers not kept: %v", m.Headers)
		}
		var ev testEvent
		if _, body, err := wire.Parse(m.Value); err != nil || ev.UnmarshalAvro(body) != nil {
			t.Fatalf("dead letter value is not the original event: %x", m.Value)
		}
		if ev.Name == "permanent" {
			wantAttempts = "1"
		}
		if got := header(m, consumer.HeaderDLQAttempts); got != wantAttempts {
			t.Errorf("%s: dlq.attempts = %s, want %s", ev.Name, got, wantAttempts)
		}
		if header(m, consumer.HeaderDLQReason) != consumer.ReasonHandler || header(m, consumer.HeaderDLQError) != "boom" {
			t.Errorf("%s: reason %q, error %q", ev.Name, header(m, consumer.HeaderDLQReason), header(m, consumer.HeaderDLQError))
		}
		if string(m.Key) != "1" {
			t.Errorf("%s: key = %q", ev.Name, m.Key)
		}
	}
}

func TestPanickingHandlerRecovered(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "panics once"}, &testEvent{ID: 1, Name: "always panics"}, &testEvent{ID: 1, Name: "last"})
	var mu sync.Mutex
	calls := map[string]int{}
	done := make(chan string, 10)
	h := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		mu.Lock()
		calls[ev.Name]++
		mu.Unlock()
		if ev.Name == "always panics" || (ev.Name == "panics once" && m.Attempt == 1) {
			var nilMap map[string]int
			nilMap["x"] = 1 //nolint:govet,staticcheck // a runtime panic is the point
		}
		done <- ev.Name
		return nil
	})
	c, err := consumer.New(e.config("g-panic"), h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	if got := recv(t, done, "handled event"); got != "panics once" {
		t.Errorf("first handled = %q", got)
	}
	if got := recv(t, done, "handled event"); got != "last" {
		t.Errorf("second handled = %q", got)
	}
	dlq := e.readTopic(consumer.DefaultDeadLetterTopic(e.topic), 1)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if got := header(dlq[0], consumer.HeaderDLQReason); got != consumer.ReasonPanic {
		t.Errorf("dlq.reason = %q, want panic", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(map[string]int{"panics once": 2, "always panics": 3, "last": 1}, calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestAtLeastOnce stops a consumer while a message's handler keeps failing:
// its offset must not be committed, so a new consumer of the group gets it
// again (and not the messages handled before it).
func TestAtLeastOnce(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "a"}, &testEvent{ID: 1, Name: "b"}, &testEvent{ID: 1, Name: "c"})

	failing := make(chan struct{}, 100)
	h1 := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		if ev.Name == "b" {
			failing <- struct{}{}
			return errors.New("not now")
		}
		return nil
	})
	cfg := e.config("g-alo")
	cfg.Retry = consumer.RetryPolicy{Attempts: 1000, MinBackoff: 20 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	c1, err := consumer.New(cfg, h1)
	if err != nil {
		t.Fatal(err)
	}
	r1 := start(t, c1)
	recv(t, failing, "failing attempt")
	if err := r1.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if dl := e.dlqSize(); dl != 0 {
		t.Errorf("%d messages dead-lettered on shutdown", dl)
	}

	h2, ch := collect()
	c2, err := consumer.New(cfg, h2)
	if err != nil {
		t.Fatal(err)
	}
	r2 := start(t, c2)
	var names []string
	for i := 0; i < 2; i++ {
		g := recv(t, ch, "redelivered event")
		names = append(names, g.Event.Name)
		if g.Event.Name == "b" && g.Msg.Attempt != 1 {
			t.Errorf("attempt = %d in the new consumer", g.Msg.Attempt)
		}
	}
	if diff := cmp.Diff([]string{"b", "c"}, names); diff != "" {
		t.Errorf("events of the second consumer (-want +got):\n%s", diff)
	}
	e.waitCommitted("g-alo", e.topic)
	if err := r2.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	select {
	case g := <-ch:
		t.Errorf("unexpected extra event %+v", g.Event)
	default:
	}
}

// TestShutdownFinishesInFlight cancels Run while a handler works: the
// handler's context stays alive, its success is committed, and a new
// consumer of the group gets nothing again.
func TestShutdownFinishesInFlight(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "slow"})
	entered := make(chan struct{})
	release := make(chan struct{})
	ctxErr := make(chan error, 1)
	h := consumer.Handle(func(ctx context.Context, ev *testEvent, m consumer.Message) error {
		close(entered)
		<-release
		ctxErr <- ctx.Err()
		return nil
	})
	cfg := e.config("g-shutdown")
	cfg.CommitInterval = time.Hour // only the shutdown commit counts
	c, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	recv(t, entered, "handler call")
	r.cancel()
	close(release)
	if err := recv(t, ctxErr, "handler return"); err != nil {
		t.Errorf("handler context ended at shutdown: %v", err)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	committed, high := e.committed("g-shutdown", e.topic)
	var total int64
	for _, h := range high {
		total += h
	}
	var sum int64
	for _, c := range committed {
		sum += c
	}
	if total != 1 || sum != 1 {
		t.Errorf("committed %v, high watermarks %v: the handled message's offset was not committed at shutdown", committed, high)
	}
}

// dlqSize returns the number of messages in the test topic's dead-letter
// topic (0 when it does not exist).
func (e *env) dlqSize() int64 {
	e.t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": e.broker, "group.id": "size", "go.logs.channel.enable": true})
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	go func() {
		for range c.Logs() {
		}
	}()
	topic := consumer.DefaultDeadLetterTopic(e.topic)
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		return 0
	}
	var n int64
	for _, p := range md.Topics[topic].Partitions {
		lo, hi, err := c.QueryWatermarkOffsets(topic, p.ID, 10000)
		if err == nil {
			n += hi - lo
		}
	}
	return n
}
