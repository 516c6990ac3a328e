package consumer_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

// TestDisableDeadLetter drops what cannot be handled: logged, committed,
// and no dead-letter topic written.
func TestDisableDeadLetter(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "bad"})
	e.produceRaw(e.topic, &kafka.Message{Value: []byte("garbage")})
	cfg := e.config("g-nodlq")
	cfg.DisableDeadLetter = true
	calls := make(chan struct{}, 10)
	c, err := consumer.New(cfg, consumer.Handle(func(context.Context, *testEvent, consumer.Message) error {
		calls <- struct{}{}
		return consumer.Permanent(errors.New("refused"))
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	recv(t, calls, "handler call")
	e.waitCommitted("g-nodlq", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if n := e.dlqSize(); n != 0 {
		t.Errorf("%d messages in the dead-letter topic with dead-lettering disabled", n)
	}
}

// TestDeadLetterHasThePolledHeaders: what a handler does to its Message's
// headers (they are its own) does not reach the dead-letter topic, which
// gets the message's headers as they were polled, then the dlq.* ones.
func TestDeadLetterHasThePolledHeaders(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "refused"})
	orig := e.readTopic(e.topic, 1)[0]
	if len(orig.Headers) == 0 {
		t.Fatal("the producer sent no headers")
	}
	calls := make(chan struct{}, 10)
	_, r := e.run(e.config("g-dlq-headers"), consumer.Handle(func(_ context.Context, _ *testEvent, m consumer.Message) error {
		for i := range m.Headers {
			m.Headers[i] = consumer.Header{Key: "changed", Value: []byte("by the handler")}
		}
		calls <- struct{}{}
		return consumer.Permanent(errors.New("refused"))
	}))
	recv(t, calls, "handler call")
	dead := e.readTopic(consumer.DefaultDeadLetterTopic(e.topic), 1)[0]
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if len(dead.Headers) < len(orig.Headers) {
		t.Fatalf("dead letter headers %v, want %v first", dead.Headers, orig.Headers)
	}
	for i, h := range orig.Headers {
		if d := dead.Headers[i]; d.Key != h.Key || !bytes.Equal(d.Value, h.Value) {
			t.Errorf("dead letter header %d is %s=%q, polled %s=%q", i, d.Key, d.Value, h.Key, h.Value)
		}
	}
	if got := dead.Headers[len(orig.Headers)].Key; got != consumer.HeaderDLQReason {
		t.Errorf("after the polled headers comes %q, want %s", got, consumer.HeaderDLQReason)
	}
}
