package consumer_test

import (
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
