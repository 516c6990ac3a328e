package consumer

import (
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
)

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
	cm, err := cfg.consumerConfig()
	if err != nil {
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
		secrets: kafkaclient.Secrets(cm),
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
