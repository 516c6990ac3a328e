package consumer

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/backoff"
	"github.com/lunchbot/eventkit/internal/redact"
)

// Reasons for dead-lettering, in the dlq.reason header.
const (
	// ReasonDecode: the message is not in the wire format, its schema id
	// is unknown, its schema cannot be read as the event's, or its body
	// does not decode.
	ReasonDecode = "decode"
	// ReasonHandler: the handler kept returning an error.
	ReasonHandler = "handler"
	// ReasonPanic: the handler panicked on the last attempt.
	ReasonPanic = "panic"
	// ReasonUnhandled: no handler takes the message's event type
	// (Config.Unhandled is DeadLetterUnhandled).
	ReasonUnhandled = "unhandled"
)

// The headers the consumer adds to a dead-lettered message, after the
// original ones (retry.* headers left out).
const (
	HeaderDLQReason    = "dlq.reason"    // ReasonDecode, ReasonHandler, ReasonPanic or ReasonUnhandled
	HeaderDLQError     = "dlq.error"     // the last error's text (at most 4 KiB)
	HeaderDLQTopic     = "dlq.topic"     // the original topic (before any retry topic)
	HeaderDLQPartition = "dlq.partition" // the original partition, decimal
	HeaderDLQOffset    = "dlq.offset"    // the original offset, decimal
	HeaderDLQTimestamp = "dlq.timestamp" // the original timestamp, Unix milliseconds
	HeaderDLQGroup     = "dlq.group"     // the consumer group
	HeaderDLQConsumer  = "dlq.consumer"  // Config.Name of the consumer
	HeaderDLQAttempts  = "dlq.attempts"  // handler calls made, decimal (0 for decode failures)
)

// maxErrorHeader bounds the dlq.error and retry.error headers.
const maxErrorHeader = 4 << 10

// errUnhandled is the dlq.error of a message no handler takes.
var errUnhandled = errors.New("no handler for the event type")

// deadLetter sends m to its dead-letter topic and reports whether Kafka
// acknowledged it (false when Run's context ended first: the message is
// delivered again). With dead-lettering disabled it drops m, logged.
func (r *run) deadLetter(m *inflight, log *msgLog, reason string, cause error, attempts int) bool {
	errText := errorText(cause)
	topic, partition, offset := m.origin()
	dest := r.cfg.DeadLetterTopic(topic)
	m.op.deadLetter(dest, reason, cause)
	if r.cfg.DisableDeadLetter {
		log.get().Error("message dropped (dead-lettering disabled)", slog.String("reason", reason), slog.String("error", errText))
		return true
	}
	headers := withoutPrefix(m.headers(), "retry.")
	headers = append(headers,
		kafka.Header{Key: HeaderDLQReason, Value: []byte(reason)},
		kafka.Header{Key: HeaderDLQError, Value: []byte(errText)},
		kafka.Header{Key: HeaderDLQTopic, Value: []byte(topic)},
		kafka.Header{Key: HeaderDLQPartition, Value: strconv.AppendInt(nil, int64(partition), 10)},
		kafka.Header{Key: HeaderDLQOffset, Value: strconv.AppendInt(nil, offset, 10)},
		kafka.Header{Key: HeaderDLQTimestamp, Value: strconv.AppendInt(nil, m.km.Timestamp.UnixMilli(), 10)},
		kafka.Header{Key: HeaderDLQGroup, Value: []byte(r.cfg.GroupID)},
		kafka.Header{Key: HeaderDLQConsumer, Value: []byte(r.cfg.Name)},
		kafka.Header{Key: HeaderDLQAttempts, Value: strconv.AppendInt(nil, int64(attempts), 10)},
	)
	off, ok := r.forward(m.km, dest, headers, log)
	if ok {
		log.get().Error("message dead-lettered", slog.String("dlq_topic", dest), slog.Int64("dlq_offset", off),
			slog.String("reason", reason), slog.Int("attempts", attempts), slog.String("error", errText))
	}
	return ok
}

// forward produces km's key and value with headers to topic dest and waits
// for Kafka's acknowledgement, retrying with backoff until then or until
// Run's context ends; it returns the offset Kafka stored it at.
func (r *run) forward(km *kafka.Message, dest string, headers []kafka.Header, log *msgLog) (int64, bool) {
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &dest, Partition: kafka.PartitionAny},
		Key:            km.Key,
		Value:          km.Value,
		Headers:        headers,
	}
	report := make(chan kafka.Event, 1)
	for n := 1; ; n++ {
		err := r.fwd.Produce(msg, report)
		if err == nil {
			ev := <-report // librdkafka reports within its delivery timeout
			dm, ok := ev.(*kafka.Message)
			switch {
			case ok && dm.TopicPartition.Error == nil:
				return int64(dm.TopicPartition.Offset), true
			case ok:
				err = dm.TopicPartition.Error
			default:
				err = fmt.Errorf("unexpected delivery event %v", ev)
			}
		}
		pause := r.cfg.Retry.delay(n)
		log.get().Error("cannot produce to "+dest+"; retrying", slog.String("topic", dest),
			slog.Duration("pause", pause), slog.String("error", redact.Scrub(err.Error(), r.secrets)))
		if !backoff.Sleep(r.ctx, pause) {
			log.get().Warn("shutting down before the message was forwarded; it will be delivered again")
			return 0, false
		}
	}
}
