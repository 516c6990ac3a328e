package consumer

import (
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
)

// The headers the consumer adds to a dead-lettered message, after the
// original ones.
const (
	HeaderDLQReason    = "dlq.reason"    // ReasonDecode, ReasonHandler or ReasonPanic
	HeaderDLQError     = "dlq.error"     // the last error's text (at most 4 KiB)
	HeaderDLQTopic     = "dlq.topic"     // the original topic
	HeaderDLQPartition = "dlq.partition" // the original partition, decimal
	HeaderDLQOffset    = "dlq.offset"    // the original offset, decimal
	HeaderDLQTimestamp = "dlq.timestamp" // the original timestamp, Unix milliseconds
	HeaderDLQGroup     = "dlq.group"     // the consumer group
	HeaderDLQConsumer  = "dlq.consumer"  // Config.Name of the consumer
	HeaderDLQAttempts  = "dlq.attempts"  // handler calls made, decimal (0 for decode failures)
)

// maxErrorHeader bounds the dlq.error header.
const maxErrorHeader = 4 << 10

// deadLetter produces km to its dead-letter topic and stores its offset
// once Kafka acknowledged it; it retries until then or until Run's context
// ends (the offset then stays unstored, so the message comes again).
func (r *run) deadLetter(km *kafka.Message, log *msgLog, reason string, cause error, attempts int) {
	errText := "<nil>"
	if cause != nil {
		errText = cause.Error()
	}
	if len(errText) > maxErrorHeader {
		errText = errText[:maxErrorHeader]
	}
	if r.dlq == nil {
		log.get().Error("message dropped (dead-lettering disabled)", slog.String("reason", reason), slog.String("error", errText))
		r.store(km, log)
		return
	}
	topic := topicOf(km)
	dlqTopic := r.cfg.DeadLetterTopic(topic)
	headers := make([]kafka.Header, 0, len(km.Headers)+9)
	headers = append(headers, km.Headers...)
	headers = append(headers,
		kafka.Header{Key: HeaderDLQReason, Value: []byte(reason)},
		kafka.Header{Key: HeaderDLQError, Value: []byte(errText)},
		kafka.Header{Key: HeaderDLQTopic, Value: []byte(topic)},
		kafka.Header{Key: HeaderDLQPartition, Value: strconv.AppendInt(nil, int64(km.TopicPartition.Partition), 10)},
		kafka.Header{Key: HeaderDLQOffset, Value: strconv.AppendInt(nil, int64(km.TopicPartition.Offset), 10)},
		kafka.Header{Key: HeaderDLQTimestamp, Value: strconv.AppendInt(nil, km.Timestamp.UnixMilli(), 10)},
		kafka.Header{Key: HeaderDLQGroup, Value: []byte(r.cfg.GroupID)},
		kafka.Header{Key: HeaderDLQConsumer, Value: []byte(r.cfg.Name)},
		kafka.Header{Key: HeaderDLQAttempts, Value: strconv.AppendInt(nil, int64(attempts), 10)},
	)
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &dlqTopic, Partition: kafka.PartitionAny},
		Key:            km.Key,
		Value:          km.Value,
		Headers:        headers,
	}
	report := make(chan kafka.Event, 1)
	for n := 1; ; n++ {
		err := r.dlq.Produce(msg, report)
		if err == nil {
			ev := <-report // librdkafka reports within its delivery timeout
			if dm, ok := ev.(*kafka.Message); ok && dm.TopicPartition.Error == nil {
				log.get().Error("message dead-lettered", slog.String("dlq_topic", dlqTopic), slog.Int64("dlq_offset", int64(dm.TopicPartition.Offset)),
					slog.String("reason", reason), slog.Int("attempts", attempts), slog.String("error", errText))
				r.store(km, log)
				return
			} else if ok {
				err = dm.TopicPartition.Error
			} else {
				err = fmt.Errorf("unexpected delivery event %v", ev)
			}
		}
		pause := r.cfg.Retry.delay(n)
		log.get().Error("cannot produce to the dead-letter topic; retrying", slog.String("dlq_topic", dlqTopic),
			slog.Duration("pause", pause), slog.String("error", redact.Scrub(err.Error(), r.secrets)))
		if !backoff.Sleep(r.ctx, pause) {
			log.get().Warn("shutting down before the message was dead-lettered; it will be delivered again")
			return
		}
	}
}
