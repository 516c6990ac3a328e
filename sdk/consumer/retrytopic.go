package consumer

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// The headers the consumer adds to a message it sends to a retry topic,
// after the original ones (earlier retry.* headers replaced).
const (
	HeaderRetryTopic     = "retry.topic"     // the original topic
	HeaderRetryPartition = "retry.partition" // the original partition, decimal
	HeaderRetryOffset    = "retry.offset"    // the original offset, decimal
	HeaderRetryTier      = "retry.tier"      // the retry topic's tier, from 1
	HeaderRetryAttempts  = "retry.attempts"  // handler calls made so far, decimal
	HeaderRetryDue       = "retry.due"       // when it is to be handled, Unix milliseconds
	HeaderRetryError     = "retry.error"     // the last error's text (at most 4 KiB)
)

// retryTopic is what the consumer knows of one of its retry topics.
type retryTopic struct {
	origin string // the topic whose messages it retries
	tier   int    // from 1
}

// retryState is what a message from a retry topic carries about its
// original; the zero value describes a message from its own topic.
type retryState struct {
	tier      int
	topic     string
	partition int32
	offset    int64
	attempts  int
	due       time.Time
}

// parseRetry reads the retry.* headers of a message of retry tier rt.
// Missing or damaged headers leave their fields zero: such a message is due
// now, and its original position is unknown.
func parseRetry(headers []kafka.Header, rt retryTopic) retryState {
	s := retryState{tier: rt.tier, topic: rt.origin, partition: -1, offset: -1}
	for _, h := range headers {
		v := string(h.Value)
		switch h.Key {
		case HeaderRetryPartition:
			if n, err := strconv.ParseInt(v, 10, 32); err == nil {
				s.partition = int32(n)
			}
		case HeaderRetryOffset:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				s.offset = n
			}
		case HeaderRetryAttempts:
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				s.attempts = n
			}
		case HeaderRetryDue:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				s.due = time.UnixMilli(n)
			}
		}
	}
	return s
}

// origin returns where m first came from: its topic, partition and offset
// before any retry topic.
func (m *inflight) origin() (topic string, partition int32, offset int64) {
	if m.retry.tier == 0 {
		return m.part.topic, m.part.id, m.offset()
	}
	return m.retry.topic, m.retry.partition, m.retry.offset
}

// retryLater sends m to the next retry tier and reports whether Kafka
// acknowledged it (false when Run's context ended first).
func (r *run) retryLater(m *inflight, log *msgLog, cause error, attempts int) bool {
	tier := m.retry.tier + 1
	topic, partition, offset := m.origin()
	dest := r.cfg.RetryTopicName(topic, tier)
	delay := r.cfg.RetryTopics[tier-1]
	m.op.retryTopic(dest, tier, cause)
	due := time.Now().Add(delay)
	headers := withoutPrefix(m.headers(), "retry.")
	headers = append(headers,
		kafka.Header{Key: HeaderRetryTopic, Value: []byte(topic)},
		kafka.Header{Key: HeaderRetryPartition, Value: strconv.AppendInt(nil, int64(partition), 10)},
		kafka.Header{Key: HeaderRetryOffset, Value: strconv.AppendInt(nil, offset, 10)},
		kafka.Header{Key: HeaderRetryTier, Value: strconv.AppendInt(nil, int64(tier), 10)},
		kafka.Header{Key: HeaderRetryAttempts, Value: strconv.AppendInt(nil, int64(attempts), 10)},
		kafka.Header{Key: HeaderRetryDue, Value: strconv.AppendInt(nil, due.UnixMilli(), 10)},
		kafka.Header{Key: HeaderRetryError, Value: []byte(errorText(cause))},
	)
	off, ok := r.forward(m.km, dest, headers, log)
	if ok {
		log.get().Warn("handler failed; retrying later", slog.String("retry_topic", dest), slog.Int64("retry_offset", off),
			slog.Duration("delay", delay), slog.Int("attempts", attempts), slog.String("error", errorText(cause)))
	}
	return ok
}

// withoutPrefix returns a copy of headers without those whose key starts
// with prefix, with room for more.
func withoutPrefix(headers []kafka.Header, prefix string) []kafka.Header {
	out := make([]kafka.Header, 0, len(headers)+9)
	for _, h := range headers {
		if len(h.Key) < len(prefix) || h.Key[:len(prefix)] != prefix {
			out = append(out, h)
		}
	}
	return out
}

// errorText is cause's text, cut to maxErrorHeader.
func errorText(cause error) string {
	s := "<nil>"
	if cause != nil {
		s = cause.Error()
	}
	if len(s) > maxErrorHeader {
		s = s[:maxErrorHeader]
	}
	return s
}

// hold keeps a retry topic's message that is not due yet and pauses its
// partition until it is: the consumer never sleeps on the poll loop.
func (r *run) hold(p *partition, km *kafka.Message, rs retryState) {
	p.held = append(p.held, heldMessage{km: km, retry: rs})
	if p.waiting {
		return
	}
	p.waiting = true
	r.statsDirty = true
	p.resumeAt = rs.due
	r.waits = append(r.waits, p)
	if !p.loadPaused {
		r.pause([]kafka.TopicPartition{p.tp()})
	}
}

// resumeDue dispatches the held messages that are due and resumes the
// partitions that hold no more; it returns how long the next Poll may wait.
func (r *run) resumeDue(now time.Time) time.Duration {
	wait := maxPollWait
	keep := r.waits[:0]
	for _, p := range r.waits {
		if p.revoked {
			continue
		}
		for len(p.held) > 0 && !p.held[0].retry.due.After(now) {
			h := p.held[0]
			p.held[0] = heldMessage{}
			p.held = p.held[1:]
			r.dispatch(p, h.km, h.retry)
		}
		if len(p.held) > 0 {
			p.resumeAt = p.held[0].retry.due
			wait = min(wait, p.resumeAt.Sub(now))
			keep = append(keep, p)
			continue
		}
		p.waiting = false
		r.statsDirty = true
		if !p.loadPaused {
			r.resume([]kafka.TopicPartition{p.tp()})
		}
	}
	clear(r.waits[len(keep):])
	r.waits = keep
	return max(wait, time.Millisecond)
}
