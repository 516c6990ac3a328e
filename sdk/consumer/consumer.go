// Package consumer reads typed events from Kafka in a consumer group and
// hands each to the handler registered for its event type, at least once.
//
// Handlers are registered by type with Handle:
//
//	c, err := consumer.New(cfg,
//		consumer.Handle(func(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
//			return notify(ctx, e.CafeID, e.Date)
//		}),
//	)
//	err = c.Run(ctx) // until ctx ends
//
// # Delivery guarantees
//
// An offset is committed only after its message's handler returned nil, or
// after the message went to the dead-letter topic: offsets are stored once
// a message is done (enable.auto.offset.store=false) and librdkafka commits
// the stored offsets every Config.CommitInterval, when partitions are
// revoked, and when Run stops. A crash or a shutdown in the middle of a
// message gets that message delivered again, to this consumer or another
// one of the group; handlers must therefore tolerate duplicates (the
// message's EventID identifies them).
//
// Messages of one partition are handled one after the other, in order.
// A message is routed by its topic and its ce_type header; one without the
// header goes to its topic's handler when the topic has only one. Messages
// of event types without a handler are skipped (and committed): workers
// ignore the tasks they do not own.
//
// # Failures
//
// A handler's error (or panic, recovered and turned into a *PanicError) is
// retried per Config.Retry; an error wrapped with Permanent is not. A
// message whose handler still fails, or that cannot be decoded (not in the
// wire format, unknown schema id, schema the event cannot read, corrupt
// body), is produced to the dead-letter topic ("<topic>.dlq" by default)
// with its original key, value and headers plus the dlq.* headers that say
// why, and consumption goes on. A registry that cannot be reached is not
// the message's fault: decoding is retried until it answers. A broker that
// cannot be reached is waited for (librdkafka reconnects); a broker that
// refuses the credentials makes Run return an error, since retrying cannot
// fix it, and a fatal librdkafka error does too.
//
// # Shutdown
//
// When Run's context ends, the message in flight is finished (its handler's
// context is cancelled only after Config.ShutdownGrace), pending retries
// are abandoned (the message will be redelivered), stored offsets are
// committed and the client leaves the group.
package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Message is what a handler learns of the Kafka message its event came in.
type Message struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Headers   []kafka.Header
	Timestamp time.Time
	// SchemaID is the id of the schema the event was written with.
	SchemaID int
	// EventID, EventType and Source are the ce_id, ce_type and ce_source
	// headers, empty when absent.
	EventID   string
	EventType string
	Source    string
	// Attempt is 1 on the first call of the handler for this message, 2 on
	// the first retry, and so on.
	Attempt int
}

// Header returns the value of the last header named key.
func (m Message) Header(key string) ([]byte, bool) {
	for i := len(m.Headers) - 1; i >= 0; i-- {
		if m.Headers[i].Key == key {
			return m.Headers[i].Value, true
		}
	}
	return nil, false
}

// Handler is a typed handler registered with Handle.
type Handler struct {
	contract *contract.Contract
	newEvent func() contract.Event
	call     func(ctx context.Context, e contract.Event, m Message) error
}

// Handle registers fn for the events of type *T (a generated event type):
// the consumer subscribes to T's topic and calls fn with each event of that
// type, decoded into a new *T. fn's context carries the message's
// traceparent (see producer.WithTraceparent), so events it publishes
// continue the trace.
func Handle[T any, PT interface {
	*T
	contract.Event
}](fn func(ctx context.Context, e PT, m Message) error) Handler {
	var zero T
	h := Handler{
		contract: PT(&zero).Contract(),
		newEvent: func() contract.Event { return PT(new(T)) },
	}
	if fn != nil {
		h.call = func(ctx context.Context, e contract.Event, m Message) error { return fn(ctx, e.(PT), m) }
	}
	return h
}

// route holds the handlers of one topic.
type route struct {
	byType map[string]*Handler
	only   *Handler // the handler when the topic has one
}

// pick returns the handler for an event type, nil for none. A message
// without a type goes to the topic's only handler.
func (r *route) pick(typ string) *Handler {
	if typ == "" {
		return r.only
	}
	return r.byType[typ]
}

// Consumer consumes events in a consumer group. Create it with New and run
// it with Run, once.
type Consumer struct {
	cfg     Config
	deser   Deserializer
	log     *slog.Logger
	routes  map[string]*route
	topics  []string
	secrets []string
	started atomic.Bool
}

// New validates cfg and the handlers and returns a Consumer; it connects to
// nothing until Run. Each event type may have one handler.
//
// The librdkafka defaults New sets, which cfg.Kafka.Properties override:
// enable.auto.commit=true with enable.auto.offset.store=false (offsets
// stored once handled), auto.commit.interval.ms from cfg.CommitInterval,
// auto.offset.reset=earliest, client.id=cfg.Name. The dead-letter producer
// is idempotent with acks=all.
func New(cfg Config, handlers ...Handler) (*Consumer, error) {
	cfg = cfg.withDefaults()
	if cfg.GroupID == "" {
		return nil, fmt.Errorf("%w: no GroupID (%s)", ErrConfig, EnvGroupID)
	}
	if len(handlers) == 0 {
		return nil, fmt.Errorf("%w: no handler", ErrConfig)
	}
	if _, err := cfg.consumerConfig(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	deser, err := cfg.deserializer()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c := &Consumer{
		cfg:     cfg,
		deser:   deser,
		log:     cfg.Logger.With(slog.String("consumer", cfg.Name), slog.String("group", cfg.GroupID)),
		routes:  map[string]*route{},
		secrets: cfg.Kafka.Secrets(),
	}
	for i := range handlers {
		h := &handlers[i]
		if h.call == nil || h.contract == nil || h.contract.Topic == "" {
			return nil, fmt.Errorf("%w: handler %d is nil or its event has no contract topic", ErrConfig, i)
		}
		r := c.routes[h.contract.Topic]
		if r == nil {
			r = &route{byType: map[string]*Handler{}}
			c.routes[h.contract.Topic] = r
			c.topics = append(c.topics, h.contract.Topic)
		}
		if _, dup := r.byType[h.contract.Type]; dup {
			return nil, fmt.Errorf("%w: two handlers for event type %s", ErrConfig, h.contract.Type)
		}
		r.byType[h.contract.Type] = h
	}
	for _, r := range c.routes {
		if len(r.byType) == 1 {
			for _, h := range r.byType {
				r.only = h
			}
		}
	}
	return c, nil
}

// Topics returns the topics the consumer subscribes to.
func (c *Consumer) Topics() []string { return append([]string(nil), c.topics...) }

// run is the state of one Run.
type run struct {
	*Consumer
	kc  *kafka.Consumer
	dlq *kafka.Producer
	// ctx is Run's context: its end stops polling and retries. hctx is the
	// handlers' context: it ends ShutdownGrace later.
	ctx, hctx context.Context
}

// Run subscribes to the handlers' topics and consumes until ctx ends; it
// then finishes the message in flight, commits and leaves the group. It
// returns nil after such a shutdown, and an error when the client cannot be
// created or fails fatally. Run may be called once.
func (c *Consumer) Run(ctx context.Context) (err error) {
	if !c.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	cm, err := c.cfg.consumerConfig()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	kc, err := kafka.NewConsumer(&cm)
	if err != nil {
		return kafkaconfig.ScrubError(fmt.Errorf("%w: librdkafka: %w", ErrConfig, err), c.secrets)
	}
	var loops sync.WaitGroup
	loops.Add(1)
	go func() {
		defer loops.Done()
		for le := range kc.Logs() {
			kafkaconfig.LogLibrdkafka(c.log, le, c.secrets)
		}
	}()
	r := &run{Consumer: c, kc: kc, ctx: ctx}
	if !c.cfg.DisableDeadLetter {
		pm, err := c.cfg.deadLetterConfig()
		if err == nil {
			r.dlq, err = kafka.NewProducer(&pm)
		}
		if err != nil {
			_ = kc.Close()
			loops.Wait()
			return kafkaconfig.ScrubError(fmt.Errorf("%w: dead-letter producer: %w", ErrConfig, err), c.secrets)
		}
		loops.Add(2)
		go func() {
			defer loops.Done()
			for le := range r.dlq.Logs() {
				kafkaconfig.LogLibrdkafka(c.log.With(slog.String("client", "dead-letter")), le, c.secrets)
			}
		}()
		go func() {
			defer loops.Done()
			for ev := range r.dlq.Events() {
				if e, ok := ev.(kafka.Error); ok {
					c.log.Warn("dead-letter producer error", slog.String("error", kafkaconfig.Scrub(e.Error(), c.secrets)))
				}
			}
		}()
	}

	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	var graceTimer atomic.Pointer[time.Timer]
	stopGrace := context.AfterFunc(ctx, func() { graceTimer.Store(time.AfterFunc(c.cfg.ShutdownGrace, hcancel)) })
	defer func() {
		stopGrace()
		if t := graceTimer.Load(); t != nil {
			t.Stop()
		}
	}()
	r.hctx = hctx

	defer func() {
		if cerr := r.shutdown(); err == nil {
			err = cerr
		}
		loops.Wait()
	}()

	if err := kc.SubscribeTopics(c.topics, nil); err != nil {
		return fmt.Errorf("consumer: subscribing to %v: %w", c.topics, err)
	}
	c.log.Info("consumer started", slog.Any("topics", c.topics))
	for ctx.Err() == nil {
		switch ev := kc.Poll(100).(type) {
		case *kafka.Message:
			r.process(ev)
		case kafka.Error:
			if ev.IsFatal() {
				return fmt.Errorf("consumer: fatal error: %w", kafkaconfig.ScrubError(ev, c.secrets))
			}
			if authFailure(ev) {
				// Wrong credentials do not heal by retrying: stop, so the
				// service fails visibly instead of idling in its group.
				c.log.Error("the broker refused the credentials", slog.String("error", kafkaconfig.Scrub(ev.Error(), c.secrets)))
				return fmt.Errorf("consumer: the broker refused the credentials (check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM): %w", kafkaconfig.ScrubError(ev, c.secrets))
			}
			c.log.Warn("kafka client error", slog.String("error", kafkaconfig.Scrub(ev.Error(), c.secrets)), slog.String("code", ev.Code().String()))
		}
	}
	c.log.Info("consumer stopping", slog.String("cause", context.Cause(ctx).Error()))
	return nil
}

// authFailure reports whether err says the broker refused the credentials:
// librdkafka's ErrAuthentication, or a SASL handshake the broker ended by
// closing the connection (which librdkafka reports as a transport failure
// whose text starts the SASL part with "SASL authentication error").
func authFailure(err kafka.Error) bool {
	return err.Code() == kafka.ErrAuthentication || strings.Contains(err.Error(), "SASL authentication error")
}

// shutdown commits the stored offsets and closes the clients.
func (r *run) shutdown() error {
	var errs []error
	if _, err := r.kc.Commit(); err != nil {
		var ke kafka.Error
		if !errors.As(err, &ke) || ke.Code() != kafka.ErrNoOffset {
			r.log.Error("committing offsets at shutdown", slog.Any("error", err))
			errs = append(errs, fmt.Errorf("consumer: committing offsets: %w", err))
		}
	}
	if err := r.kc.Close(); err != nil {
		errs = append(errs, fmt.Errorf("consumer: closing: %w", err))
	}
	if r.dlq != nil {
		if n := r.dlq.Flush(10_000); n > 0 {
			r.log.Error("dead-letter producer closed with messages queued", slog.Int("queued", n))
		}
		r.dlq.Close()
	}
	r.log.Info("consumer stopped")
	return errors.Join(errs...)
}

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

// process handles one message: decode, call the handler with retries,
// dead-letter on failure, and store the offset once done. It returns with
// the offset not stored when Run's context ends before the message is done.
func (r *run) process(km *kafka.Message) {
	topic := ""
	if km.TopicPartition.Topic != nil {
		topic = *km.TopicPartition.Topic
	}
	m := Message{
		Topic:     topic,
		Partition: km.TopicPartition.Partition,
		Offset:    int64(km.TopicPartition.Offset),
		Key:       km.Key,
		Headers:   km.Headers,
		Timestamp: km.Timestamp,
	}
	if v, ok := m.Header(producer.HeaderType); ok {
		m.EventType = string(v)
	}
	if v, ok := m.Header(producer.HeaderID); ok {
		m.EventID = string(v)
	}
	if v, ok := m.Header(producer.HeaderSource); ok {
		m.Source = string(v)
	}
	log := &msgLog{base: r.log, m: &m}

	rt := r.routes[topic]
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
	if v, ok := m.Header(producer.HeaderTraceparent); ok {
		hctx = producer.WithTraceparent(hctx, string(v))
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
		pause := r.cfg.Retry.backoff(attempt)
		log.get().Warn("handler failed; retrying", slog.Int("attempt", attempt), slog.Duration("pause", pause), slog.Any("error", err), slog.Any("event", ev))
		if !sleep(r.ctx, pause) {
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
		pause := r.cfg.Retry.backoff(n)
		msg := "cannot decode: the schema registry is unavailable; retrying"
		if errors.Is(err, registry.ErrUnauthorized) {
			// Not the message's fault either, but no retry fixes it until
			// the credentials or the registry's permissions are: say so.
			msg = "cannot decode: the schema registry refused the credentials (see the error for what to check); retrying"
		}
		log.get().Error(msg, slog.Duration("pause", pause), slog.Any("error", err))
		if !sleep(r.ctx, pause) {
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
	topic := ""
	if km.TopicPartition.Topic != nil {
		topic = *km.TopicPartition.Topic
	}
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
		pause := r.cfg.Retry.backoff(n)
		log.get().Error("cannot produce to the dead-letter topic; retrying", slog.String("dlq_topic", dlqTopic),
			slog.Duration("pause", pause), slog.String("error", kafkaconfig.Scrub(err.Error(), r.secrets)))
		if !sleep(r.ctx, pause) {
			log.get().Warn("shutting down before the message was dead-lettered; it will be delivered again")
			return
		}
	}
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
			slog.Int64("offset", m.Offset), slog.String("type", m.EventType), slog.String("event_id", m.EventID))
	}
	return ml.l
}

// sleep pauses for d, or less if ctx ends; it reports whether ctx is alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// PanicError is a handler's panic, recovered.
type PanicError struct {
	// Value is what the handler panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error returns "handler panicked: <value>".
func (e *PanicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Permanent wraps err so that the consumer does not retry it: the message
// goes to the dead-letter topic at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err (or an error it wraps) was made by
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
