package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/consumer"
)

// headerReplayedFrom names, on a replayed message, the dead letter it came
// from: "<dead-letter topic>/<partition>/<offset>".
const headerReplayedFrom = "dlq.replayed-from"

// dlqIdleLimit is how long reading a partition may go without a message
// (or the end of the partition) before it gives up: the broker is gone.
const dlqIdleLimit = 30 * time.Second

// deadLetter is one message of a dead-letter topic, with its dlq.* headers
// read.
type deadLetter struct {
	msg *kafka.Message
	// id is "<dead-letter topic>/<partition>/<offset>".
	id           string
	deadLettered time.Time
	reason       string
	errText      string
	// origin is "<topic>/<partition>/<offset>" of the message before it
	// was dead-lettered, "" when the headers do not say.
	topic, origin   string
	partition       int32
	offset          int64
	timestamp       time.Time
	attempts        int
	group, consumer string
	eventID         string
	eventType       string
	// replayedFrom is set when the message was itself a replay that failed
	// again.
	replayedFrom string
}

// readDeadLetter reads the dlq.* headers of m. The last of a header counts:
// the consumer appends its own after the message's.
func readDeadLetter(m *kafka.Message) *deadLetter {
	tp := m.TopicPartition
	d := &deadLetter{msg: m, id: messageID(tp), deadLettered: m.Timestamp, partition: -1, offset: -1, attempts: -1}
	for _, h := range m.Headers {
		v := string(h.Value)
		switch h.Key {
		case consumer.HeaderDLQReason:
			d.reason = v
		case consumer.HeaderDLQError:
			d.errText = v
		case consumer.HeaderDLQTopic:
			d.topic = v
		case consumer.HeaderDLQPartition:
			d.partition = int32(headerNumber(v, 32))
		case consumer.HeaderDLQOffset:
			d.offset = headerNumber(v, 64)
		case consumer.HeaderDLQTimestamp:
			if ms := headerNumber(v, 64); ms >= 0 {
				d.timestamp = time.UnixMilli(ms).UTC()
			}
		case consumer.HeaderDLQAttempts:
			d.attempts = int(headerNumber(v, 32))
		case consumer.HeaderDLQGroup:
			d.group = v
		case consumer.HeaderDLQConsumer:
			d.consumer = v
		case cloudevents.HeaderID:
			d.eventID = v
		case cloudevents.HeaderType:
			d.eventType = v
		case headerReplayedFrom:
			d.replayedFrom = v
		}
	}
	if d.topic != "" && d.partition >= 0 && d.offset >= 0 {
		d.origin = d.topic + "/" + strconv.Itoa(int(d.partition)) + "/" + strconv.FormatInt(d.offset, 10)
	}
	return d
}

// headerNumber is the decimal number of a dlq.* header, -1 when it is none
// that fits in bits.
func headerNumber(v string, bits int) int64 {
	n, err := strconv.ParseInt(v, 10, bits)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// messageID is "<topic>/<partition>/<offset>".
func messageID(tp kafka.TopicPartition) string {
	return *tp.Topic + "/" + strconv.Itoa(int(tp.Partition)) + "/" + strconv.FormatInt(int64(tp.Offset), 10)
}

// readPartition hands fn the messages of one partition, in offset order,
// from offset from (or the start of the partition when from is before it)
// up to offset to (inclusive; -1 for none) or the end the partition had when
// reading began; it stops early when fn returns false.
func (c *consoleConsumer) readPartition(ctx context.Context, topic string, partition int32, from, to int64, fn func(*kafka.Message) bool) error {
	low, high, err := c.QueryWatermarkOffsets(topic, partition, int(consoleConnectTimeout.Milliseconds()))
	if err != nil {
		return fmt.Errorf("the offsets of %s/%d: %w", topic, partition, c.kafkaError(err))
	}
	if to >= 0 {
		high = min(high, to+1)
	}
	from = max(from, low)
	if from >= high {
		return nil
	}
	if err := c.Assign([]kafka.TopicPartition{{Topic: &topic, Partition: partition, Offset: kafka.Offset(from)}}); err != nil {
		return fmt.Errorf("assign %s/%d: %w", topic, partition, err)
	}
	defer func() { _ = c.Unassign() }()
	last := time.Now()
	for ctx.Err() == nil {
		switch e := c.Poll(200).(type) {
		case *kafka.Message:
			if *e.TopicPartition.Topic != topic || e.TopicPartition.Partition != partition {
				continue // left over from the partition read before
			}
			last = time.Now()
			if e.TopicPartition.Error != nil {
				return fmt.Errorf("reading %s/%d: %w", topic, partition, e.TopicPartition.Error)
			}
			off := int64(e.TopicPartition.Offset)
			if off >= high || !fn(e) || off == high-1 {
				return nil
			}
		case kafka.PartitionEOF:
			if *e.Topic == topic && e.Partition == partition && int64(e.Offset) >= high {
				return nil
			}
		case kafka.Error:
			if e.IsFatal() {
				return c.kafkaError(e)
			}
		}
		if time.Since(last) > dlqIdleLimit {
			return fmt.Errorf("reading %s/%d: nothing came for %s before offset %d, the end%s", topic, partition, dlqIdleLimit, high, c.logs.hint())
		}
	}
	return ctx.Err()
}

// openDLQConsumer makes the consumer list and replay read with: assigned
// partitions, nothing committed, the end of each partition reported.
func (o *dlqOptions) openDLQConsumer() (*consoleConsumer, error) {
	return o.openConsumer(kafka.ConfigMap{
		// librdkafka wants a group id even to assign partitions; nothing is
		// committed under it.
		"group.id":             "eventctl-dlq",
		"client.id":            "eventctl-dlq",
		"enable.auto.commit":   false,
		"auto.offset.reset":    "earliest",
		"enable.partition.eof": true,
	})
}

// readDeadLetters hands fn the dead letters of the topic, partition by
// partition, in offset order, until fn returns false.
func (o *dlqOptions) readDeadLetters(ctx context.Context, c *consoleConsumer, fn func(*deadLetter) bool) error {
	topic := o.dlqTopic()
	parts, err := c.partitions(topic)
	if err != nil {
		return err
	}
	more := true
	for _, p := range parts {
		if !more {
			break
		}
		if o.filter.partition >= 0 && p != o.filter.partition {
			continue
		}
		err := c.readPartition(ctx, topic, p, o.filter.from, o.filter.to, func(m *kafka.Message) bool {
			more = fn(readDeadLetter(m))
			return more
		})
		if err != nil {
			return err
		}
	}
	return nil
}
