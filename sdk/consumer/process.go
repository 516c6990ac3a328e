package consumer

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/backoff"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// process handles one message: decode, call the handler with retries,
// dead-letter on failure, and store the offset once done. It returns with
// the offset not stored when Run's context ends before the message is done.
func (r *run) process(km *kafka.Message) {
	m := messageOf(km)
	log := &msgLog{base: r.log, m: &m}

	rt := r.routes[m.Topic]
	var h *Handler
	if rt != nil {
		h = rt.pick(m.EventType)
	}
	if h == nil {
		if r.log.Enabled(r.ctx, slog.LevelDebug) {
			log.get().Debug("no handler for the event type; skipped")
		}
		r.store(km, log)
		return
	}

	hctx := r.hctx
	if v, ok := m.Headers.Get(cloudevents.HeaderTraceparent); ok {
		hctx = cloudevents.WithTraceparent(hctx, string(v))
	}

	var lastErr error
	attempts := 0
	for attempt := 1; attempt <= r.cfg.Retry.Attempts; attempt++ {
		ev, ok := r.decode(km, h, &m, log)
		if !ok {
			return
		}
		if ev == nil { // dead-lettered or dropped
			return
		}
		m.Attempt = attempt
		attempts = attempt
		err := call(hctx, h, ev, m)
		if err == nil {
			if r.log.Enabled(r.ctx, slog.LevelDebug) {
				log.get().Debug("event handled", slog.Int("attempt", attempt), slog.Any("event", ev))
			}
			r.store(km, log)
			return
		}
		lastErr = err
		if r.ctx.Err() != nil {
			log.get().Warn("handler failed while shutting down; the message will be delivered again", slog.Any("error", err))
			return
		}
		if IsPermanent(err) || attempt == r.cfg.Retry.Attempts {
			break
		}
		pause := r.cfg.Retry.delay(attempt)
		log.get().Warn("handler failed; retrying", slog.Int("attempt", attempt), slog.Duration("pause", pause), slog.Any("error", err), slog.Any("event", ev))
		if !backoff.Sleep(r.ctx, pause) {
			log.get().Warn("shutting down before the retry; the message will be delivered again")
			return
		}
	}
	reason := ReasonHandler
	var pe *PanicError
	if errors.As(lastErr, &pe) {
		reason = ReasonPanic
	}
	r.deadLetter(km, log, reason, lastErr, attempts)
}

// decode decodes km into a new event of h. It returns (event, true) on
// success, (nil, true) when the message was dead-lettered, and (nil, false)
// when Run's context ended first.
func (r *run) decode(km *kafka.Message, h *Handler, m *Message, log *msgLog) (contract.Event, bool) {
	for n := 1; ; n++ {
		ev := h.newEvent()
		id, err := r.deser.Decode(r.ctx, km.Value, ev)
		m.SchemaID = id
		if err == nil {
			return ev, true
		}
		if r.ctx.Err() != nil {
			return nil, false
		}
		if !transient(err) {
			r.deadLetter(km, log, ReasonDecode, err, 0)
			return nil, true
		}
		pause := r.cfg.Retry.delay(n)
		msg := "cannot decode: the schema registry is unavailable; retrying"
		if errors.Is(err, registry.ErrUnauthorized) {
			// Not the message's fault either, but no retry fixes it until
			// the credentials or the registry's permissions are: say so.
			msg = "cannot decode: the schema registry refused the credentials (see the error for what to check); retrying"
		}
		log.get().Error(msg, slog.Duration("pause", pause), slog.Any("error", err))
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

// store marks km done: its offset is committed with the next commit.
func (r *run) store(km *kafka.Message, log *msgLog) {
	if _, err := r.kc.StoreMessage(km); err != nil {
		// The partition was revoked meanwhile: its new owner gets the
		// message again.
		log.get().Warn("cannot store the offset; the message will be delivered again", slog.Any("error", err))
	}
}

// msgLog is the logger of one message, with its position and identity,
// made on first use: a message handled without trouble logs nothing and
// pays nothing.
type msgLog struct {
	base *slog.Logger
	m    *Message
	l    *slog.Logger
}

func (ml *msgLog) get() *slog.Logger {
	if ml.l == nil {
		m := ml.m
		ml.l = ml.base.With(slog.String("topic", m.Topic), slog.Int("partition", int(m.Partition)),
			slog.Int64("offset", m.Offset), slog.String("type", m.EventType), slog.String("event_id", m.EventID.String()))
	}
	return ml.l
}
