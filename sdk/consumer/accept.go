package consumer

import (
	"log/slog"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

// accept takes a polled message in, on the poll goroutine: it holds a retry
// topic's message that is not due, skips what an earlier owner finished,
// and queues the rest for the workers.
func (r *run) accept(km *kafka.Message) {
	p := r.parts[partKey{topicOf(km), km.TopicPartition.Partition}]
	if p == nil || p.revoked {
		return // no longer ours: not counted, so not committed past
	}
	r.ins.polled(p.attrs)
	var rs retryState
	if p.retryOf.tier > 0 {
		rs = parseRetry(km.Headers, p.retryOf)
		if p.waiting || rs.due.After(time.Now()) {
			r.hold(p, km, rs)
			return
		}
	}
	r.dispatch(p, km, rs)
}

// dispatch queues km for the workers, or records it done at once.
func (r *run) dispatch(p *partition, km *kafka.Message, rs retryState) {
	off := int64(km.TopicPartition.Offset)
	if p.skip[off] {
		delete(p.skip, off)
		r.sched.finishNow(p, off)
		return
	}
	h, rt := r.route(p, km)
	if h == nil && rt == nil && r.cfg.Unhandled == SkipUnhandled {
		if r.log.Enabled(r.ctx, slog.LevelDebug) {
			r.log.Debug("no handler for the event type; skipped", slog.String("topic", p.topic), slog.Int("partition", int(p.id)),
				slog.Int64("offset", off), slog.String("type", string(headerValue(km.Headers, cloudevents.HeaderType))))
		}
		r.sched.finishNow(p, off)
		return
	}
	m := r.sched.newInflight()
	m.km, m.part, m.h, m.byName, m.bytes, m.retry = km, p, h, rt, len(km.Key)+len(km.Value), rs
	r.sched.add(m, r.cfg.Ordering)
}

// route returns the handler of a message of p (of p's topic, or of the
// original topic of p's retry topic): by its ce_type header, or, without
// one, by the full name of its writer schema's record when the writer
// schema is at hand. When it is not, it returns the topic's route for a
// worker to look the name up (the poll loop never waits for the
// registry).
func (r *run) route(p *partition, km *kafka.Message) (*Handler, *route) {
	rt := p.route
	if rt == nil {
		return nil, nil
	}
	if typ := headerValue(km.Headers, cloudevents.HeaderType); len(typ) != 0 {
		return rt.pick(typ), nil
	}
	namer, ok := r.deser.(writerNamer)
	if !ok {
		return rt.only, nil
	}
	if name, cached := namer.CachedWriterName(km.Value); cached {
		return rt.byName[name], nil
	}
	return nil, rt
}

// headerValue returns the value of the last header named key; nil when
// there is none.
func headerValue(headers []kafka.Header, key string) []byte {
	for i := len(headers) - 1; i >= 0; i-- {
		if headers[i].Key == key {
			return headers[i].Value
		}
	}
	return nil
}
