package consumer

import (
	"context"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// nopDeserializer decodes nothing: New needs a Deserializer or a registry.
type nopDeserializer struct{}

func (nopDeserializer) Decode(context.Context, []byte, contract.Event) (int, error) { return 0, nil }

// TestNewPartitionLooksUpItsTopic: a partition knows its topic's handlers
// and telemetry attributes; a retry topic's knows its tier and the
// handlers of the topic it retries.
func TestNewPartitionLooksUpItsTopic(t *testing.T) {
	c, err := New(Config{GroupID: "g", Deserializer: nopDeserializer{}, RetryTopics: []time.Duration{time.Second}},
		Handle(func(context.Context, *events.DeadlinePassed, Message) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	topic := events.DeadlinePassedContract.Topic
	p := c.newPartition(topic, 1)
	if p.route == nil || p.route != c.routes[topic] || p.retryOf.tier != 0 || p.attrs == nil || p.attrs != c.ins.topics[topic] {
		t.Errorf("partition of %s: route %p (want %p), tier %d, attrs %p (want %p)",
			topic, p.route, c.routes[topic], p.retryOf.tier, p.attrs, c.ins.topics[topic])
	}
	if p.offs == nil || p.committed != -1 {
		t.Errorf("partition of %s starts with offsets %v, committed %d", topic, p.offs, p.committed)
	}
	retry := DefaultRetryTopicName(topic, 1)
	rp := c.newPartition(retry, 2)
	if rp.route != c.routes[topic] || rp.retryOf != (retryTopic{origin: topic, tier: 1}) || rp.attrs == nil || rp.attrs != c.ins.topics[retry] {
		t.Errorf("partition of %s: route %p (want %s's %p), retry %+v, attrs %p", retry, rp.route, topic, c.routes[topic], rp.retryOf, rp.attrs)
	}
	if other := c.newPartition("elsewhere", 0); other.route != nil || other.attrs != nil {
		t.Errorf("a topic without handlers has route %p, attrs %p", other.route, other.attrs)
	}
}
