package consumer

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"

	"github.com/lunchbot/eventkit/internal/backoff"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// handle runs one unit of work, setting its messages' finished fields;
// the worker then gives it back to the scheduler.
func (r *run) handle(unit []*inflight) {
	if h := unit[0].h; h != nil && h.batch != nil {
		r.handleBatch(unit)
	} else {
		unit[0].finished = r.handleOne(unit[0])
	}
}

// handleOne decodes one message, calls its handler (retrying in place per
// Config.Retry) and, when it keeps failing, sends it to the next retry
// topic or the dead-letter topic. It reports whether the message is done;
// not when Run's context ended first (it is delivered again).
func (r *run) handleOne(m *inflight) bool {
	if m.h == nil && m.byName != nil {
		// Counted as the handling's own: a dead letter for a schema that
		// cannot be fetched comes before the handling starts.
		m.ownOp = processOp{ins: r.ins, ta: r.ins.attrsOf(m.part)}
		m.op = &m.ownOp
		if ok := r.routeByName(m, &msgLog{base: r.log, topic: m.part.topic, partition: m.part.id, offset: int64(m.km.TopicPartition.Offset)}); !ok || m.finished {
			return ok
		}
		if m.h == nil && r.cfg.Unhandled == SkipUnhandled {
			return true // as a type without a handler is skipped at poll time: no handling
		}
		if m.h != nil && m.h.batch != nil {
			r.handleBatch([]*inflight{m})
			return m.finished
		}
	}
	m.keepHeaders()
	msg := messageOf(m.km, m.h, &r.texts)
	ctx, op := r.ins.startProcess(r.handlerContext(&msg), m, &msg)
	m.op = op
	handled, finished := r.processOne(ctx, m, &msg)
	op.end(handled, finished)
	return finished
}

// processOne is handleOne's work: it reports whether the handler succeeded
// and whether the message is done.
func (r *run) processOne(ctx context.Context, m *inflight, msg *Message) (handled, finished bool) {
	ml := newMsgLog(r.log, msg)
	log := &ml
	if m.h == nil { // routed by name to no handler, not skipped
		return false, r.deadLetter(m, log, ReasonUnhandled, errUnhandled, 0)
	}
	ev, ok := r.decode(m, msg, log)
	if !ok || ev == nil {
		return false, ok
	}
	var err error
	for attempt := 1; ; attempt++ {
		msg.Attempt = m.retry.attempts + attempt
		err = call(ctx, m.h, ev, *msg)
		if err == nil {
			if r.log.Enabled(r.ctx, slog.LevelDebug) {
				log.get().Debug("event handled", slog.Int("attempt", msg.Attempt))
			}
			return true, true
		}
		if r.ctx.Err() != nil {
			log.get().Warn("handler failed while shutting down; the message will be delivered again", slog.Any("error", err))
			return false, false
		}
		if IsPermanent(err) || attempt >= r.cfg.Retry.Attempts {
			break
		}
		pause := r.cfg.Retry.delay(attempt)
		m.op.retry(msg.Attempt, err)
		log.get().Warn("handler failed; retrying", slog.Int("attempt", msg.Attempt), slog.Duration("pause", pause), slog.Any("error", err))
		if !backoff.Sleep(r.ctx, pause) {
			log.get().Warn("shutting down before the retry; the message will be delivered again")
			return false, false
		}
	}
	return false, r.fail(m, log, err, msg.Attempt)
}

// handleBatch decodes a batch, calls its batch handler and sorts out what
// the handler reports (see HandleBatch); it sets each message's finished
// field.
func (r *run) handleBatch(unit []*inflight) {
	h := unit[0].h
	bctx, op := r.ins.startBatch(r.hctx, unit)
	handled := false
	defer func() {
		finished := true
		for _, m := range unit {
			finished = finished && m.finished
		}
		op.end(handled, finished)
	}()
	live := make([]*inflight, 0, len(unit))
	events := make([]contract.Event, 0, len(unit))
	msgs := make([]Message, 0, len(unit))
	for _, m := range unit {
		m.op = op // before decoding, which counts a dead letter on it
		m.keepHeaders()
		msg := messageOf(m.km, h, &r.texts)
		ml := newMsgLog(r.log, &msg)
		ev, ok := r.decode(m, &msg, &ml)
		if !ok {
			return // shutting down: nothing finished is delivered again
		}
		if ev == nil {
			m.finished = true // dead-lettered
			continue
		}
		live, events, msgs = append(live, m), append(events, ev), append(msgs, msg)
	}
	ctx := bctx
	if len(msgs) > 0 {
		if v, ok := msgs[0].Headers.Get(cloudevents.HeaderTraceparent); ok {
			ctx = cloudevents.WithTraceparent(ctx, string(v))
		}
	}
	for attempt := 1; len(live) > 0; {
		for i := range msgs {
			msgs[i].Attempt = live[i].retry.attempts + attempt
		}
		err := callBatch(ctx, h, events, msgs)
		if err == nil {
			for _, m := range live {
				m.finished = true
			}
			handled = true
			return
		}
		if r.ctx.Err() != nil {
			r.log.Warn("batch handler failed while shutting down; its messages will be delivered again", slog.Any("error", err))
			return
		}
		if i, ok := batchFailure(err, len(live)); ok {
			for _, m := range live[:i] {
				m.finished = true
			}
			m := live[i]
			ml := newMsgLog(r.log, &msgs[i])
			m.finished = r.fail(m, &ml, err, msgs[i].Attempt)
			if !m.finished {
				return
			}
			live, events, msgs = live[i+1:], events[i+1:], msgs[i+1:]
			attempt = 1
			continue
		}
		if IsPermanent(err) || attempt >= r.cfg.Retry.Attempts {
			for i, m := range live {
				ml := newMsgLog(r.log, &msgs[i])
				if m.finished = r.fail(m, &ml, err, msgs[i].Attempt); !m.finished {
					return
				}
			}
			return
		}
		pause := r.cfg.Retry.delay(attempt)
		op.retry(attempt, err)
		r.log.Warn("batch handler failed; retrying", slog.Int("events", len(live)), slog.Int("attempt", attempt),
			slog.Duration("pause", pause), slog.Any("error", err))
		if !backoff.Sleep(r.ctx, pause) {
			return
		}
		attempt++
	}
}

// handlerContext is the handlers' context with the message's traceparent.
func (r *run) handlerContext(m *Message) context.Context {
	if v, ok := m.Headers.Get(cloudevents.HeaderTraceparent); ok {
		return cloudevents.WithTraceparent(r.hctx, string(v))
	}
	return r.hctx
}

// fail sends m, whose handler failed for good with cause after attempts
// calls, to the next retry topic, or to the dead-letter topic when the error
// is permanent or the tiers are spent. It reports whether Kafka
// acknowledged it.
func (r *run) fail(m *inflight, log *msgLog, cause error, attempts int) bool {
	if !IsPermanent(cause) && m.retry.tier < len(r.cfg.RetryTopics) {
		return r.retryLater(m, log, cause, attempts)
	}
	reason := ReasonHandler
	var pe *PanicError
	if errors.As(cause, &pe) {
		reason = ReasonPanic
	}
	return r.deadLetter(m, log, reason, cause, attempts)
}

// decode decodes m into a new event of its handler. It returns (event,
// true) on success, (nil, true) when the message was dead-lettered, and
// (nil, false) when Run's context ended first. A registry that cannot be
// reached is not the message's fault: decoding is retried until it answers.
func (r *run) decode(m *inflight, msg *Message, log *msgLog) (contract.Event, bool) {
	for n := 1; ; n++ {
		ev := m.h.newEvent()
		id, err := r.deser.Decode(r.ctx, m.km.Value, ev)
		msg.SchemaID = id
		m.op.decoded(id)
		if err == nil {
			return ev, true
		}
		if r.ctx.Err() != nil {
			return nil, false
		}
		if !transient(err) {
			return nil, r.deadLetter(m, log, ReasonDecode, err, 0)
		}
		pause := r.cfg.Retry.delay(n)
		text := "cannot decode: the schema registry is unavailable; retrying"
		if errors.Is(err, registry.ErrUnauthorized) {
			// Not the message's fault either, but no retry fixes it until
			// the credentials or the registry's permissions are: say so.
			text = "cannot decode: the schema registry refused the credentials (see the error for what to check); retrying"
		}
		log.get().Error(text, slog.Duration("pause", pause), slog.Any("error", err))
		if !backoff.Sleep(r.ctx, pause) {
			return nil, false
		}
	}
}

// transient reports whether a decode error is the registry's rather than
// the message's: retrying may succeed.
func transient(err error) bool {
	return errors.Is(err, registry.ErrUnreachable) || errors.Is(err, registry.ErrUnauthorized) ||
		errors.Is(err, registry.ErrBadResponse) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// call runs the handler, turning a panic into a *PanicError.
func call(ctx context.Context, h *Handler, ev contract.Event, m Message) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return h.call(ctx, ev, m)
}

// callBatch runs the batch handler, turning a panic into a *PanicError.
func callBatch(ctx context.Context, h *Handler, evs []contract.Event, ms []Message) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return h.batchCall(ctx, evs, ms)
}

// msgLog is the logger of one message, with its position and identity,
// made on first use: a message handled without trouble logs nothing and
// pays nothing. It copies what it logs rather than pointing at the
// Message, which then stays on its worker's stack.
type msgLog struct {
	base      *slog.Logger
	topic     string
	partition int32
	offset    int64
	typ       string
	id        cloudevents.EventID
	l         *slog.Logger
}

func newMsgLog(base *slog.Logger, m *Message) msgLog {
	return msgLog{base: base, topic: m.Topic, partition: m.Partition, offset: m.Offset, typ: m.EventType, id: m.EventID}
}

func (ml *msgLog) get() *slog.Logger {
	if ml.l == nil {
		ml.l = ml.base.With(slog.String("topic", ml.topic), slog.Int("partition", int(ml.partition)),
			slog.Int64("offset", ml.offset), slog.String("type", ml.typ), slog.String("event_id", ml.id.String()))
	}
	return ml.l
}

// routeByName finds m's handler by the name of its writer schema's record,
// fetching the schema (retried while the registry is unavailable, as
// decoding is). It reports false when Run's context ended first; a message
// whose schema cannot be had is dead-lettered (m.finished set).
func (r *run) routeByName(m *inflight, log *msgLog) bool {
	namer := r.deser.(writerNamer)
	for n := 1; ; n++ {
		name, err := namer.WriterName(r.ctx, m.km.Value)
		if err == nil {
			m.h, m.byName = m.byName.byName[name], nil
			return true
		}
		if r.ctx.Err() != nil {
			return false
		}
		if !transient(err) {
			m.finished = r.deadLetter(m, log, ReasonDecode, err, 0)
			return m.finished
		}
		pause := r.cfg.Retry.delay(n)
		log.get().Error("cannot route: the schema registry is unavailable; retrying", slog.Duration("pause", pause), slog.Any("error", err))
		if !backoff.Sleep(r.ctx, pause) {
			return false
		}
	}
}
