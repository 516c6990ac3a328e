package consumer

import (
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// partition is the consumer's state of one assigned partition.
type partition struct {
	topic string
	id    int32
	// What its messages need looked up by topic, looked up once
	// (newPartition): the handlers of their topic (the original one for a
	// retry topic; nil for none), the retry tier it is one of (tier 0 for
	// none) and its telemetry attributes (nil for none).
	route   *route
	retryOf retryTopic
	attrs   *topicAttrs

	// Under the scheduler's lock:
	offs    *offsets
	queued  int // messages in lanes
	running int // messages taken by workers and not done
	// revoked is set when the partition is being let go: none of its
	// messages is dispatched any more. released is set once its last
	// offsets are committed: what its workers finish later is not counted
	// (its new owner reads it again).
	revoked, released bool
	// skip lists the offsets above the committed one that an earlier owner
	// had finished (from the commit's metadata): they are not handled again.
	skip map[int64]bool
	// committed and committedMeta are what was last committed.
	committed     int64
	committedMeta string
	// topicHash is the seeded hash of topic the keys of its messages'
	// lanes start from, computed at the first (hashed).
	topicHash uint64
	hashed    bool

	// On the poll goroutine only:
	// waiting is set while the partition (of a retry topic) is paused until
	// its next message is due, at resumeAt; it was sought back to that
	// message, which is polled again then.
	waiting  bool
	resumeAt time.Time
	held     []heldMessage
	// loadPaused is set while the partition is paused for backpressure.
	loadPaused bool
}

type partKey struct {
	topic string
	id    int32
}

// newPartition returns the state of partition id of topic, newly
// assigned.
func (c *Consumer) newPartition(topic string, id int32) *partition {
	p := &partition{topic: topic, id: id, offs: newOffsets(), committed: -1, attrs: c.ins.topics[topic]}
	origin := topic
	if rt, ok := c.retryTopics[topic]; ok {
		p.retryOf, origin = rt, rt.origin
	}
	p.route = c.routes[origin]
	return p
}

func (p *partition) key() partKey { return partKey{p.topic, p.id} }

func (p *partition) tp() kafka.TopicPartition {
	return kafka.TopicPartition{Topic: &p.topic, Partition: p.id}
}

// offset returns m's offset.
func (m *inflight) offset() int64 { return int64(m.km.TopicPartition.Offset) }

// heldMessage is a message of a retry topic polled before it was due.
type heldMessage struct {
	km    *kafka.Message
	retry retryState
}
