package producer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/codes"

	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/internal/telemetry"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// Publish validates e, encodes it and produces it to its contract's topic,
// then waits for Kafka's acknowledgement.
//
// An event that fails Validate is refused before anything is sent; the
// error matches ErrInvalidEvent and Validate's error. A message Kafka did
// not acknowledge within the delivery timeout gives a *DeliveryError.
//
// When ctx ends first, Publish returns ctx.Err() (with the Delivery's
// Topic, SchemaID and EventID set if the message was already handed to
// librdkafka): the message may still be delivered afterwards, and its
// outcome is then only logged. The event id lets consumers spot the
// duplicate if the caller publishes again.
func (p *Producer) Publish(ctx context.Context, e contract.Event) (Delivery, error) {
	w := waiterPool.Get().(*waiter)
	d, err := p.enqueue(ctx, e, w, nil)
	if err != nil {
		waiterPool.Put(w)
		p.logFailure(ctx, e, d, err)
		return d, err
	}
	var abandon error
	select {
	case r := <-w.ch:
		return p.finish(ctx, e, w, r)
	case <-ctx.Done():
		abandon = ctx.Err()
	case <-p.done:
		abandon = fmt.Errorf("%w before the message's outcome was known", ErrClosed)
	}
	if !w.state.CompareAndSwap(waiting, abandoned) {
		// The result is there already.
		return p.finish(ctx, e, w, <-w.ch)
	}
	// w is not reused: the delivery handler may still hold it.
	p.log.LogAttrs(ctx, slog.LevelWarn, "stopped waiting for the delivery; the message may still be delivered",
		deliveryAttrs(d, slog.Any("error", abandon), p.eventAttr(e))...)
	return d, abandon
}

// finish returns the result of a Publish and recycles its waiter.
func (p *Producer) finish(ctx context.Context, e contract.Event, w *waiter, r result) (Delivery, error) {
	w.state.Store(waiting)
	waiterPool.Put(w)
	if r.err != nil {
		p.logFailure(ctx, e, r.d, r.err)
		return r.d, r.err
	}
	if p.log.Enabled(ctx, slog.LevelDebug) {
		p.log.LogAttrs(ctx, slog.LevelDebug, "event published", deliveryAttrs(r.d, p.eventAttr(e))...)
	}
	return r.d, nil
}

// PublishAsync validates e, encodes it and hands it to librdkafka, then
// returns; done is called once with the outcome when Kafka acknowledges the
// message or gives up. When PublishAsync returns an error (invalid event,
// encoding failure, closed producer, ctx ended while librdkafka's queue was
// full) the message was not sent and done is never called.
//
// done runs on the producer's delivery goroutine: it must return quickly
// and must not call Close. It may be nil: fire and forget. Failures are
// then logged (topic, partition and cause: the report of a message without
// a callback does not say which event it was) and counted in the
// undelivered metric, and, unless a span or the metrics need it, the
// message carries no per-message state to its report, which spares the
// locked map in which confluent-kafka-go keeps it (Flush waits for such
// messages). ctx bounds only the hand-over (and provides the traceparent).
func (p *Producer) PublishAsync(ctx context.Context, e contract.Event, done func(Delivery, error)) error {
	d, err := p.enqueue(ctx, e, nil, done)
	if err != nil {
		p.logFailure(ctx, e, d, err)
	}
	return err
}

// scratch holds the buffers of one message while it is built; librdkafka
// copies the key, value and headers, so they are reused once Produce
// returns.
//
// Every byte buffer handed to librdkafka is an allocation of its own, free
// of pointers: cgo's pointer check scans the whole object a pointer argument
// points into, so a buffer inside this struct (which holds pointers) would
// have it walk the struct on every header copy.
type scratch struct {
	value   []byte
	key     []byte
	id      []byte
	headers [9]kafka.Header
	carrier telemetry.Carrier // over headers
	msg     kafka.Message
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{value: make([]byte, 0, 512), id: make([]byte, 0, 36)}
}}

// maxPooled is the largest buffer kept for reuse; larger ones are left to
// the garbage collector.
const maxPooled = 64 << 10

// enqueue validates, encodes and produces e, completing with w or done.
func (p *Producer) enqueue(ctx context.Context, e contract.Event, w *waiter, done func(Delivery, error)) (Delivery, error) {
	if e == nil {
		return Delivery{}, fmt.Errorf("%w: nil event", ErrInvalidEvent)
	}
	if err := ctx.Err(); err != nil {
		return Delivery{}, err
	}
	c := e.Contract()
	if c == nil || c.Topic == "" {
		return Delivery{}, fmt.Errorf("%w: event %T has no contract topic", ErrInvalidEvent, e)
	}
	ti := p.info(c)
	d := Delivery{Topic: ti.topic, Partition: kafka.PartitionAny, Offset: int64(kafka.OffsetInvalid)}
	if err := e.Validate(); err != nil {
		return d, fmt.Errorf("%w: %s: %w", ErrInvalidEvent, c.Type, err)
	}
	if f := p.fatal.Load(); f != nil {
		return d, fmt.Errorf("producer: unusable after a fatal error, create a new one: %w", *f)
	}

	s := scratchPool.Get().(*scratch)
	var err error
	s.value, d.SchemaID, err = p.ser.Append(ctx, s.value[:0], e)
	if err != nil {
		s.recycle()
		return d, fmt.Errorf("producer: encoding %s: %w", c.Type, err)
	}
	s.key = e.AppendKey(s.key[:0])
	if p.profile != HeadersNone {
		d.EventID = cloudevents.NewEventID()
	}
	tp := p.trace(ctx)
	ctx, span := p.tel.start(ctx, tp, ti, &d, s.key)

	hs := p.headerSet(ti, d.SchemaID)
	s.carrier.Headers = append(s.headers[:0], hs.h[:hs.n]...)
	if hs.idAt >= 0 {
		s.carrier.Headers[hs.idAt].Value, _ = d.EventID.AppendText(s.id[:0])
	}
	if p.profile != HeadersNone {
		p.tel.inject(ctx, &s.carrier, tp)
	}

	s.msg.Opaque = nil
	if w != nil || done != nil || span != nil || p.tel.gate.Metrics() {
		t := p.tickets.get()
		t.ti, t.schemaID, t.eventID, t.w, t.done = ti, d.SchemaID, d.EventID, w, done
		t.key = append(t.keyBuf[:0], s.key...)
		t.span = span
		if p.tel.timed(ctx) {
			t.start = int64(time.Since(epoch))
		}
		s.msg.Opaque = t
	}

	s.msg.TopicPartition = kafka.TopicPartition{Topic: &ti.topic, Partition: kafka.PartitionAny}
	s.msg.Value = s.value
	if len(s.key) > 0 {
		s.msg.Key = s.key
	}
	if len(s.carrier.Headers) > 0 {
		s.msg.Headers = s.carrier.Headers
	}

	err = p.produce(ctx, &s.msg)
	if t, ok := s.msg.Opaque.(*ticket); ok && err != nil {
		// Never handed to librdkafka: no report will end the span or
		// complete the ticket, which must not keep the waiter and the
		// callback alive as long as its chunk lives.
		if span != nil {
			span.SetStatus(codes.Error, err.Error())
			span.End()
		}
		*t = ticket{}
	}
	s.recycle()
	return d, err
}

// recycle puts s back in the pool, unless its buffers grew too large.
func (s *scratch) recycle() {
	if cap(s.value) <= maxPooled && cap(s.key) <= maxPooled {
		s.msg = kafka.Message{}
		scratchPool.Put(s)
	}
}

// produce hands msg to librdkafka, waiting while its queue is full.
func (p *Producer) produce(ctx context.Context, msg *kafka.Message) error {
	backoff := time.Millisecond
	for {
		p.mu.RLock()
		if p.closed {
			p.mu.RUnlock()
			return ErrClosed
		}
		// Counted before Produce: its report may be handled before Produce
		// returns.
		p.produced.Add(1)
		err := p.kp.Produce(msg, nil)
		if err != nil {
			p.produced.Add(-1)
		}
		p.mu.RUnlock()
		if err == nil {
			return nil
		}
		if !queueFull(err) {
			return redact.Error(fmt.Errorf("producer: producing to %s: %w", *msg.TopicPartition.Topic, err), p.secrets)
		}
		// librdkafka's queue is full: wait for deliveries to make room.
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("producer: librdkafka's queue stayed full: %w", ctx.Err())
		case <-t.C:
		}
		backoff = min(2*backoff, 100*time.Millisecond)
	}
}

// queueFull reports whether err is librdkafka's "queue full".
func queueFull(err error) bool {
	var kerr kafka.Error
	return errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull
}
