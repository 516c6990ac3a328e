package producer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/internal/telemetry"
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

	profile     HeaderProfile
	tel         *tracing
	conn        *kafkaclient.ConnLog // librdkafka's connection errors, summarized
	omitBodies  bool
	undelivered atomic.Int64 // messages Kafka did not acknowledge

	tickets ticketSlab

	loops sync.WaitGroup // the delivery and log goroutines
	done  chan struct{}  // closed when Close has finished
}

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
	ser, regURL, regClient, err := cfg.serializer()
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
	if cfg.Headers < HeadersFull || cfg.Headers > HeadersNone {
		return nil, fmt.Errorf("%w: unknown header profile %v", ErrConfig, cfg.Headers)
	}
	if err := ser.Warm(ctx, contracts...); err != nil {
		return nil, fmt.Errorf("producer: warming up the serializer: %w", err)
	}
	kp, err := kafka.NewProducer(&cm)
	if err != nil {
		return nil, redact.Error(fmt.Errorf("%w: librdkafka: %w", ErrConfig, err), secrets)
	}
	p := &Producer{
		kp:         kp,
		ser:        ser,
		log:        log.With(slog.String("producer", name)),
		name:       []byte(name),
		trace:      cfg.Traceparent,
		regURL:     regURL,
		secrets:    secrets,
		topics:     make(map[*contract.Contract]*topicInfo, len(contracts)),
		done:       make(chan struct{}),
		profile:    cfg.Headers,
		omitBodies: cfg.OmitEventBodies,
	}
	if p.trace == nil {
		p.trace = cloudevents.TraceparentFrom
	}
	prov := telemetry.Providers{Tracer: cfg.TracerProvider, Meter: cfg.MeterProvider, Propagator: cfg.Propagator}.WithDefaults()
	if p.tel, err = newTracing(p, prov, regClient); err != nil {
		kp.Close()
		return nil, fmt.Errorf("%w: OpenTelemetry instruments: %w", ErrConfig, err)
	}
	for _, c := range contracts {
		p.topics[c] = newTopicInfo(c)
	}
	p.conn = kafkaclient.NewConnLog(p.log, secrets)
	p.loops.Add(2)
	go p.deliveryLoop()
	go p.logLoop()
	if !cfg.Kafka.SkipConnectCheck {
		if err := kafkaclient.CheckReachable(ctx, kp, cfg.Kafka, secrets, p.conn, nil); err != nil {
			p.abort()
			return nil, fmt.Errorf("producer: %w", err)
		}
	}
	if len(contracts) == 0 {
		p.log.Warn("producer created without contracts: each event type's schema id is looked up at its first publish, " +
			"so a subject missing from the registry fails that publish instead of New; pass the contracts it publishes (events.Contracts())")
	}
	return p, nil
}

// abort releases a Producer that New could not finish.
func (p *Producer) abort() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	_ = p.tel.unregister()
	p.kp.Close()
	p.loops.Wait()
	close(p.done)
}

// Flush waits until every message handed to librdkafka is acknowledged or
// failed, its callback run, or until ctx ends; it returns how many are
// still in flight then, with ctx's error when that is not none. The
// producer stays usable, and the last messages wait out linger.ms as
// usual. Services that publish without callbacks call it where they need
// their messages on their way; Close flushes anyway.
func (p *Producer) Flush(ctx context.Context) (inFlight int, err error) {
	if p.inflight() > 0 {
		// Polled rather than librdkafka's flush (which Close uses, to send
		// lingering batches at once before it purges): that starts a
		// goroutine on every call and competes with the delivery loop for
		// the reports, a cost a service flushing often would pay; linger.ms
		// sends the last batch anyway.
		tick := time.NewTicker(flushPoll)
		defer tick.Stop()
		for p.inflight() > 0 && ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-tick.C:
			}
		}
	}
	if n := p.inflight(); n > 0 {
		return int(n), fmt.Errorf("producer: %d messages in flight: %w", n, ctx.Err())
	}
	return 0, nil
}

// flushPoll is how often Flush looks at the count in flight.
const flushPoll = time.Millisecond

// flush serves librdkafka's reports until none is due or ctx ends.
func (p *Producer) flush(ctx context.Context) {
	for p.inflight() > 0 && ctx.Err() == nil {
		if p.kp.Flush(50) == 0 {
			// librdkafka is done; the delivery loop is still at work.
			time.Sleep(time.Millisecond)
		}
	}
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

	p.flush(ctx)
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
	if err := p.tel.unregister(); err != nil {
		p.log.Debug("unregistering the metric callbacks", slog.Any("error", err))
	}
	p.kp.Close()
	p.loops.Wait()
	close(p.done)
	return undelivered, err
}

// purgeWait bounds how long Close waits for the reports of purged messages.
const purgeWait = 5 * time.Second
