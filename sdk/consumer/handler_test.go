package consumer_test

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// TestRouting checks that a message of another event type on a handled
// topic is skipped (and committed), and that a message without a ce_type
// header goes to the topic's only handler.
func TestRouting(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	id := e.publish(p, &testEvent{ID: 1, Name: "typed"})[0].SchemaID
	ev := testEvent{ID: 2, Name: "untyped"}
	value, _ := ev.AppendAvro(wire.AppendHeader(nil, uint32(id)))
	other := testEvent{ID: 3, Name: "other type"}
	otherValue, _ := other.AppendAvro(wire.AppendHeader(nil, uint32(id)))
	e.produceRaw(e.topic,
		&kafka.Message{Key: []byte("2"), Value: value},
		&kafka.Message{Key: []byte("3"), Value: otherValue, Headers: []kafka.Header{{Key: cloudevents.HeaderType, Value: []byte("someone.elses")}}},
	)
	h, ch := collect()
	c, err := consumer.New(e.config("g-routing"), h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	var names []string
	for i := 0; i < 2; i++ {
		names = append(names, recv(t, ch, "event").Event.Name)
	}
	e.waitCommitted("g-routing", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if diff := cmp.Diff([]string{"typed", "untyped"}, names); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
	select {
	case g := <-ch:
		t.Errorf("event of another type handled: %+v", g)
	default:
	}
	if n := e.dlqSize(); n != 0 {
		t.Errorf("%d messages dead-lettered", n)
	}
}
