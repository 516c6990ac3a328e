package consumer_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// otherEvent is a second record type, {n long}, on the test's topic.
type otherEvent struct{ N int64 }

var otherContract *contract.Contract

func (e *otherEvent) Contract() *contract.Contract { return otherContract }
func (e *otherEvent) AppendAvro(dst []byte) ([]byte, error) {
	return binary.AppendVarint(dst, e.N), nil
}
func (e *otherEvent) UnmarshalAvro(src []byte) error {
	n, k := binary.Varint(src)
	if k <= 0 || k != len(src) {
		return errors.New("bad n")
	}
	e.N = n
	return nil
}
func (e *otherEvent) AppendKey(dst []byte) []byte { return dst }
func (e *otherEvent) Validate() error             { return nil }

// TestEveryHeaderProfileIsRead: events of two record types on one topic,
// published with each header profile, reach their own handlers; without
// the ce_type header (HeadersNone) the consumer routes by the writer
// schema's record name. A consumer with a handler for one type only skips
// the other type's messages, whatever their profile.
func TestEveryHeaderProfileIsRead(t *testing.T) {
	e := newEnv(t)
	// Two record types on one topic: a subject per record name.
	testContract.Subject = e.topic + "-eventkit.test.Event"
	otherContract = &contract.Contract{
		Type: "eventkit.other", Name: "eventkit.test.Other", Topic: e.topic, Subject: e.topic + "-eventkit.test.Other",
		Schema: `{"type":"record","name":"Other","namespace":"eventkit.test","fields":[{"name":"n","type":"long"}]}`,
	}
	for _, profile := range []producer.HeaderProfile{producer.HeadersFull, producer.HeadersMinimal, producer.HeadersNone} {
		p, err := producer.New(context.Background(), producer.Config{
			Kafka: kafkaconfig.Config{BootstrapServers: e.broker}, Registry: e.registry(), Serde: serde.SerializerConfig{AutoRegister: true},
			Name: "profiles", Logger: testLogger(t), Headers: profile,
		}, testContract, otherContract)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range []interface {
			Contract() *contract.Contract
		}{&testEvent{ID: int64(profile), Name: profile.String()}, &otherEvent{N: int64(profile)}} {
			if _, err := p.Publish(context.Background(), ev.(contract.Event)); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = p.Close(context.Background())
	}

	events := make(chan string, 10)
	others := make(chan int64, 10)
	_, r := e.run(e.config("g-profiles"),
		consumer.Handle(func(_ context.Context, ev *testEvent, _ consumer.Message) error { events <- ev.Name; return nil }),
		consumer.Handle(func(_ context.Context, ev *otherEvent, _ consumer.Message) error { others <- ev.N; return nil }),
	)
	gotEvents, gotOthers := map[string]bool{}, map[int64]bool{}
	for range 3 {
		gotEvents[recv(t, events, "an Event")] = true
		gotOthers[recv(t, others, "an Other")] = true
	}
	e.waitCommitted("g-profiles", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if len(gotEvents) != 3 || len(gotOthers) != 3 {
		t.Errorf("events %v, others %v: want one of each profile", gotEvents, gotOthers)
	}

	// Only Events handled: the Others are skipped, not dead-lettered.
	only := make(chan string, 10)
	_, r2 := e.run(e.config("g-profiles-one"),
		consumer.Handle(func(_ context.Context, ev *testEvent, _ consumer.Message) error { only <- ev.Name; return nil }))
	for range 3 {
		recv(t, only, "an Event")
	}
	e.waitCommitted("g-profiles-one", e.topic)
	if err := r2.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if dl := e.dlqSize(); dl != 0 {
		t.Errorf("%d dead letters: the other type's messages were not skipped", dl)
	}
}
