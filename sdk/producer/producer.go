// Package producer publishes typed events to Kafka: each event is validated,
// encoded in the Confluent wire format against the schema its contract
// carries, and produced to its contract's topic, keyed by its key field,
// with CloudEvents headers.
//
// A Producer is created with New, which resolves the schema id of every
// contract it is given (so that a missing subject fails at start, and no
// publish calls the registry), and closed with Close, which flushes. Publish
// waits for Kafka's acknowledgement; PublishAsync hands it to a callback.
//
// Delivery is idempotent (enable.idempotence=true, acks=all): librdkafka
// retries without duplicating or reordering, until the delivery timeout.
//
// # Headers
//
// Every message carries the CloudEvents binary-mode headers (see package
// cloudevents): ce_specversion "1.0", ce_id (a UUIDv7),
// ce_source (Config.Name), ce_type (the contract's event type),
// content-type "application/avro" (the value is in the Confluent wire
// format), ce_dataschema (the writer schema's URL in the registry, which
// carries its id), and traceparent when the context carries one
// (cloudevents.WithTraceparent, or Config.Traceparent).
//
// # Logs
//
// Publishes are logged to Config.Logger with the event's fields: successes
// at debug level, failures at error level with their cause. (An async
// publish whose delivery fails is logged with its type, key and id, not its
// fields: the caller may have reused the event by then.) librdkafka's own
// logs go to the same logger.
//
// # Configuration
//
// Config.Kafka reads the brokers and credentials from code or from the
// environment (package kafkaconfig: KAFKA_BROKER_URL, KAFKA_SECURITY_PROTOCOL,
// KAFKA_SASL_*, KAFKA_SSL_CA_LOCATION); any librdkafka property can be set in
// Config.Kafka.Properties.
package producer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// Delivery says where Kafka stored a published event. Partition and Offset
// are -1 and -1001 (kafka.PartitionAny, kafka.OffsetInvalid) when the
// message was not stored.
type Delivery struct {
	Topic     string
	Partition int32
	Offset    int64
	// SchemaID is the registry id of the schema the event was written
	// with.
	SchemaID int
	// EventID is the ce_id header of the message.
	EventID cloudevents.EventID
}

// Producer publishes events. It is safe for concurrent use.
type Producer struct {
	kp      *kafka.Producer
	ser     Serializer
	log     *slog.Logger
	name    []byte
	trace   func(context.Context) string
	regURL  string
	secrets []string

	// topics holds what New precomputed per contract; read-only after New.
	topics map[*contract.Contract]*topicInfo
	// lateTopics holds the same for contracts first seen by a publish, up
	// to maxLateTopics of them (lateCount); past that the per-contract data
	// is made per publish.
	lateTopics sync.Map // *contract.Contract → *topicInfo
	lateCount  atomic.Int64

	// mu guards closed against Produce: publishes hold it for reading.
	mu     sync.RWMutex
	closed bool

	// produced counts the messages handed to librdkafka (publishers add)
	// and reported those whose report was handled (the delivery goroutine
	// adds): their difference is the messages in flight. Two counters, each
	// on a cache line of its own, so that publishing and handling reports
	// do not contend for one.
	_        [64]byte
	produced atomic.Int64
	_        [56]byte
	reported atomic.Int64
	_        [56]byte

	fatal atomic.Pointer[error] // librdkafka's fatal error, if any

	tickets ticketSlab

	loops sync.WaitGroup // the delivery and log goroutines
	done  chan struct{}  // closed when Close has finished
}

// topicInfo is the per-contract data of a message's headers.
type topicInfo struct {
	topic   string
	typ     string
	typText []byte
	// headers is the header set of the schema id the contract's events
	// were last written with.
	headers atomic.Pointer[headerSet]
}

// headerSet holds the headers that are the same for every event of one
// contract and schema id, in their order on the wire; the ce_id value is
// filled in per message.
type headerSet struct {
	schemaID int
	h        [6]kafka.Header
	n        int // headers used in h
}

// idHeader is the index of ce_id in a headerSet.
const idHeader = 1

var (
	specVersionValue = []byte(cloudevents.SpecVersion)
	contentTypeValue = []byte(cloudevents.ContentType)
)

// New creates a Producer and warms its serializer up with contracts: the
// schema id of each is resolved now, so that a missing or unregistered
// subject fails here, and publishing their events never calls the registry.
// Events of other contracts may be published too; the first one of each
// resolves its schema then.
//
// The librdkafka defaults New sets, which cfg.Kafka.Properties override:
// enable.idempotence=true, acks=all, partitioner=murmur2_random (the Java
// client's, so keys map to the same partitions), client.id=cfg.Name, and
// message.timeout.ms from cfg.DeliveryTimeout.
func New(ctx context.Context, cfg Config, contracts ...*contract.Contract) (*Producer, error) {
	ser, regURL, err := cfg.serializer()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	name := cfg.Name
	if name == "" {
		name = defaultName()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	cm, err := cfg.Kafka.ConfigMap(cfg.defaults(name))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	secrets := kafkaclient.Secrets(cm)
	for _, c := range contracts {
		if c == nil || c.Topic == "" {
			return nil, fmt.Errorf("%w: a contract without a topic", ErrConfig)
		}
	}
	if err := ser.Warm(ctx, contracts...); err != nil {
		return nil, fmt.Errorf("producer: warming up the serializer: %w", err)
	}
	kp, err := kafka.NewProducer(&cm)
	if err != nil {
		return nil, redact.Error(fmt.Errorf("%w: librdkafka: %w", ErrConfig, err), secrets)
	}
	p := &Producer{
		kp:      kp,
		ser:     ser,
		log:     log.With(slog.String("producer", name)),
		name:    []byte(name),
		trace:   cfg.Traceparent,
		regURL:  regURL,
		secrets: secrets,
		topics:  make(map[*contract.Contract]*topicInfo, len(contracts)),
		done:    make(chan struct{}),
	}
	if p.trace == nil {
		p.trace = cloudevents.TraceparentFrom
	}
	for _, c := range contracts {
		p.topics[c] = newTopicInfo(c)
	}
	p.loops.Add(2)
	go p.deliveryLoop()
	go p.logLoop()
	return p, nil
}

func newTopicInfo(c *contract.Contract) *topicInfo {
	return &topicInfo{topic: c.Topic, typ: c.Type, typText: []byte(c.Type)}
}

// info returns the per-contract data of c.
func (p *Producer) info(c *contract.Contract) *topicInfo {
	if ti, ok := p.topics[c]; ok {
		return ti
	}
	if ti, ok := p.lateTopics.Load(c); ok {
		return ti.(*topicInfo)
	}
	if p.lateCount.Load() >= maxLateTopics {
		// Generated code has a fixed, small set of contracts; a program
		// that makes contracts on the fly must not grow the map for ever.
		return newTopicInfo(c)
	}
	ti, loaded := p.lateTopics.LoadOrStore(c, newTopicInfo(c))
	if !loaded {
		p.lateCount.Add(1)
	}
	return ti.(*topicInfo)
}

// maxLateTopics bounds the contracts whose per-contract data a Producer
// keeps beyond those given to New.
const maxLateTopics = 4096

// headerSet returns the header set of ti's events written with schema id
// id.
func (p *Producer) headerSet(ti *topicInfo, id int) *headerSet {
	if hs := ti.headers.Load(); hs != nil && hs.schemaID == id {
		return hs
	}
	hs := &headerSet{schemaID: id, n: 5}
	hs.h[0] = kafka.Header{Key: cloudevents.HeaderSpecVersion, Value: specVersionValue}
	hs.h[idHeader] = kafka.Header{Key: cloudevents.HeaderID}
	hs.h[2] = kafka.Header{Key: cloudevents.HeaderSource, Value: p.name}
	hs.h[3] = kafka.Header{Key: cloudevents.HeaderType, Value: ti.typText}
	hs.h[4] = kafka.Header{Key: cloudevents.HeaderContentType, Value: contentTypeValue}
	if p.regURL != "" {
		hs.h[5] = kafka.Header{Key: cloudevents.HeaderDataSchema, Value: []byte(p.regURL + "/schemas/ids/" + strconv.Itoa(id))}
		hs.n = 6
	}
	ti.headers.Store(hs)
	return hs
}

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
		deliveryAttrs(d, slog.Any("error", abandon), slog.Any("event", e))...)
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
		p.log.LogAttrs(ctx, slog.LevelDebug, "event published", deliveryAttrs(r.d, slog.Any("event", e))...)
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
// and must not call Close. It may be nil, in which case failures are only
// logged. ctx bounds only the hand-over (and provides the traceparent).
func (p *Producer) PublishAsync(ctx context.Context, e contract.Event, done func(Delivery, error)) error {
	d, err := p.enqueue(ctx, e, nil, done)
	if err != nil {
		p.logFailure(ctx, e, d, err)
	}
	return err
}

// result is the outcome of one message.
type result struct {
	d   Delivery
	err error
}

// waiter is where a Publish waits for its result. Its state moves from
// waiting to delivered (the delivery handler sent the result) or to
// abandoned (Publish returned without it), whichever comes first.
type waiter struct {
	ch    chan result
	state atomic.Int32
}

// The states of a waiter.
const (
	waiting int32 = iota
	delivered
	abandoned
)

var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan result, 1)} }}

// ticket is a message's opaque: what the delivery handler needs to complete
// it.
type ticket struct {
	ti       *topicInfo
	schemaID int
	eventID  cloudevents.EventID
	key      []byte // the message key, for the logs; in keyBuf when it fits
	w        *waiter
	done     func(Delivery, error)

	keyBuf [24]byte
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
	headers [7]kafka.Header
	msg     kafka.Message
}

// ticketSlab hands out tickets carved from arrays of ticketChunkSize: one
// allocation per ticketChunkSize messages instead of one per message. A
// ticket is never reused (a chunk is garbage once none of its tickets is
// referenced), so nothing is handed back: a pool would have the delivery
// goroutine return tickets on another CPU than the publisher takes them
// from, which moves them between the CPUs' caches on every message.
type ticketSlab struct {
	cur atomic.Pointer[ticketChunk]
}

type ticketChunk struct {
	next atomic.Int32
	t    [ticketChunkSize]ticket
}

const ticketChunkSize = 256

// get returns a zero ticket.
func (s *ticketSlab) get() *ticket {
	for {
		c := s.cur.Load()
		if c != nil {
			if i := c.next.Add(1) - 1; i < ticketChunkSize {
				return &c.t[i]
			}
		}
		n := new(ticketChunk)
		n.next.Store(1)
		if s.cur.CompareAndSwap(c, n) {
			return &n.t[0]
		}
	}
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
	d.EventID = cloudevents.NewEventID()

	hs := p.headerSet(ti, d.SchemaID)
	copy(s.headers[:], hs.h[:hs.n])
	s.headers[idHeader].Value, _ = d.EventID.AppendText(s.id[:0])
	h := s.headers[:hs.n]
	if tp := p.trace(ctx); tp != "" {
		h = append(h, kafka.Header{Key: cloudevents.HeaderTraceparent, Value: []byte(tp)})
	}

	t := p.tickets.get()
	t.ti, t.schemaID, t.eventID, t.w, t.done = ti, d.SchemaID, d.EventID, w, done
	t.key = append(t.keyBuf[:0], s.key...)

	s.msg.TopicPartition = kafka.TopicPartition{Topic: &ti.topic, Partition: kafka.PartitionAny}
	s.msg.Value = s.value
	if len(s.key) > 0 {
		s.msg.Key = s.key
	}
	s.msg.Headers = h
	s.msg.Opaque = t

	err = p.produce(ctx, &s.msg)
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

// deliveryLoop handles librdkafka's events until Close closes the channel.
func (p *Producer) deliveryLoop() {
	defer p.loops.Done()
	for ev := range p.kp.Events() {
		switch ev := ev.(type) {
		case *kafka.Message:
			t, ok := ev.Opaque.(*ticket)
			if !ok {
				continue
			}
			p.complete(t, ev.TopicPartition)
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
	}
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
	p.log.Warn("kafka client error", slog.String("error", redact.Scrub(e.Error(), p.secrets)), slog.String("code", e.Code().String()))
}

// logLoop forwards librdkafka's logs to the Logger.
func (p *Producer) logLoop() {
	defer p.loops.Done()
	kafkaclient.ForwardLogs(p.log, p.kp.Logs(), p.secrets)
}

// Close flushes: it waits until every message handed to librdkafka is
// acknowledged or failed, or until ctx ends. Messages still undelivered
// then are purged (their publishers get a *DeliveryError) and counted in
// undelivered, and err wraps ctx.Err(). Close then releases the client; the
// Producer cannot be used again. A second Close returns ErrClosed.
func (p *Producer) Close(ctx context.Context) (undelivered int, err error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return 0, ErrClosed
	}
	p.closed = true
	p.mu.Unlock()

	for p.inflight() > 0 && ctx.Err() == nil {
		if p.kp.Flush(50) == 0 {
			// librdkafka is done; the delivery loop is still at work.
			time.Sleep(time.Millisecond)
		}
	}
	if n := p.inflight(); n > 0 {
		undelivered = int(n)
		err = fmt.Errorf("producer: closing with %d messages undelivered: %w", n, ctx.Err())
		p.log.Error("closing with undelivered messages", slog.Int("undelivered", undelivered))
		if perr := p.kp.Purge(kafka.PurgeQueue | kafka.PurgeInFlight); perr != nil {
			p.log.Error("purging librdkafka's queues", slog.Any("error", perr))
		}
		// Serve the purged messages' reports so their publishers learn.
		for deadline := time.Now().Add(purgeWait); p.inflight() > 0 && time.Now().Before(deadline); {
			if p.kp.Flush(10) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	p.kp.Close()
	p.loops.Wait()
	close(p.done)
	return undelivered, err
}

// purgeWait bounds how long Close waits for the reports of purged messages.
const purgeWait = 5 * time.Second

// deliveryAttrs lists d's fields (and extra) as log attributes.
func deliveryAttrs(d Delivery, extra ...slog.Attr) []slog.Attr {
	return append([]slog.Attr{
		slog.String("topic", d.Topic),
		slog.Int("partition", int(d.Partition)),
		slog.Int64("offset", d.Offset),
		slog.Int("schema_id", d.SchemaID),
		slog.String("event_id", d.EventID.String()),
	}, extra...)
}

// logFailure logs a failed publish with the event's fields.
func (p *Producer) logFailure(ctx context.Context, e contract.Event, d Delivery, err error) {
	attrs := deliveryAttrs(d, slog.Any("error", err))
	if e != nil {
		attrs = append(attrs, slog.Any("event", e))
	}
	p.log.LogAttrs(ctx, slog.LevelError, "publish failed", attrs...)
}
