package consumer

import (
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
)

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
