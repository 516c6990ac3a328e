package producer

import (
	"context"
	"log/slog"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/redact"
)

// deliveryLoop handles librdkafka's events until Close closes the channel.
func (p *Producer) deliveryLoop() {
	defer p.loops.Done()
	for ev := range p.kp.Events() {
		switch ev := ev.(type) {
		case *kafka.Message:
			if t, ok := ev.Opaque.(*ticket); ok {
				p.complete(t, ev.TopicPartition)
			} else if ev.Opaque == nil {
				p.completeUntracked(ev.TopicPartition)
			}
		case kafka.Error:
			p.handleError(ev)
		}
	}
}

// complete delivers the outcome of one message to its publisher.
func (p *Producer) complete(t *ticket, tp kafka.TopicPartition) {
	d := Delivery{
		Topic:     t.ti.topic,
		Partition: tp.Partition,
		Offset:    int64(tp.Offset),
		SchemaID:  t.schemaID,
		EventID:   t.eventID,
	}
	var err error
	if tp.Error != nil {
		err = &DeliveryError{Topic: d.Topic, EventID: d.EventID, Err: tp.Error}
		p.undelivered.Add(1)
	} else {
		p.conn.Healthy()
	}
	p.tel.finish(t, tp)
	switch {
	case t.w != nil && t.w.state.CompareAndSwap(waiting, delivered):
		t.w.ch <- result{d: d, err: err}
	default:
		// An async publish, or a Publish that stopped waiting: log here.
		if err != nil {
			p.log.LogAttrs(context.Background(), slog.LevelError, "event not delivered",
				deliveryAttrs(d, slog.String("type", t.ti.typ), slog.String("key", string(t.key)), slog.Any("error", err))...)
		} else if p.log.Enabled(context.Background(), slog.LevelDebug) {
			p.log.LogAttrs(context.Background(), slog.LevelDebug, "event published",
				deliveryAttrs(d, slog.String("type", t.ti.typ), slog.String("key", string(t.key)))...)
		}
		if t.done != nil {
			p.callback(t.done, d, err)
		}
	}
	// Drop t's references: its chunk lives on until all its tickets are
	// done, and must not keep callbacks and waiters alive until then.
	*t = ticket{}
	p.reported.Add(1)
}

// completeUntracked handles the report of a message published without a
// callback, a span or metrics (see PublishAsync): its topic, partition and
// outcome are all the report says.
func (p *Producer) completeUntracked(tp kafka.TopicPartition) {
	d := Delivery{Partition: tp.Partition, Offset: int64(tp.Offset)}
	if tp.Topic != nil {
		d.Topic = *tp.Topic
	}
	if tp.Error != nil {
		p.undelivered.Add(1)
		err := &DeliveryError{Topic: d.Topic, Err: tp.Error}
		p.log.LogAttrs(context.Background(), slog.LevelError, "event not delivered (published without a callback)",
			slog.String("topic", d.Topic), slog.Int("partition", int(d.Partition)), slog.Any("error", err))
	} else {
		p.conn.Healthy()
		if p.log.Enabled(context.Background(), slog.LevelDebug) {
			p.log.LogAttrs(context.Background(), slog.LevelDebug, "event published (without a callback)",
				slog.String("topic", d.Topic), slog.Int("partition", int(d.Partition)), slog.Int64("offset", d.Offset))
		}
	}
	p.reported.Add(1)
}

// inflight returns how many messages were handed to librdkafka and their
// report not handled yet.
func (p *Producer) inflight() int64 {
	// reported first: a report handled between the two loads then counts
	// as in flight rather than making the count negative.
	r := p.reported.Load()
	return p.produced.Load() - r
}

// callback runs done, recovering a panic so that the delivery loop lives on.
func (p *Producer) callback(done func(Delivery, error), d Delivery, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("PublishAsync callback panicked", slog.Any("panic", r), slog.String("event_id", d.EventID.String()))
		}
	}()
	done(d, err)
}

// handleError logs a client-level error; a fatal one makes the producer
// refuse further publishes.
func (p *Producer) handleError(e kafka.Error) {
	if e.IsFatal() {
		err := error(e)
		if f := p.kp.GetFatalError(); f != nil {
			err = f
		}
		p.fatal.CompareAndSwap(nil, &err)
		p.log.Error("producer failed fatally; publishes will fail", slog.String("error", redact.Scrub(err.Error(), p.secrets)))
		return
	}
	if p.conn.Record(e) {
		return
	}
	p.log.Warn("kafka client error", slog.String("error", redact.Scrub(e.Error(), p.secrets)), slog.String("code", e.Code().String()))
}
