package consumer

import (
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/telemetry"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Consumer consumes events in a consumer group. Create it with New and run
// it with Run, once.
type Consumer struct {
	cfg    Config
	deser  Deserializer
	log    *slog.Logger
	routes map[string]*route
	topics []string // the handlers' topics
	// retryTopics are the retry topics of the handlers' topics, by name.
	retryTopics map[string]retryTopic
	secrets     []string
	started     atomic.Bool
	current     atomic.Pointer[run] // the running Run, for Stats
	ins         *instruments
	reg         *registry.HTTPClient // the registry client New built, if it did
}

// New validates cfg and the handlers and returns a Consumer; it connects to
// nothing until Run. Each event type may have one handler.
//
// The librdkafka defaults New sets, which cfg.Kafka.Properties override:
// enable.auto.commit=false (the consumer commits the finished offsets
// itself), partition.assignment.strategy=cooperative-sticky,
// auto.offset.reset=earliest, client.id=cfg.Name. The producer of the
// retry and dead-letter topics is idempotent with acks=all.
func New(cfg Config, handlers ...Handler) (*Consumer, error) {
	cfg = cfg.withDefaults()
	if cfg.GroupID == "" {
		return nil, fmt.Errorf("%w: no GroupID (%s)", ErrConfig, EnvGroupID)
	}
	if len(handlers) == 0 {
		return nil, fmt.Errorf("%w: no handler", ErrConfig)
	}
	if cfg.Ordering < OrderKey || cfg.Ordering > OrderNone {
		return nil, fmt.Errorf("%w: unknown ordering %v", ErrConfig, cfg.Ordering)
	}
	for i, d := range cfg.RetryTopics {
		if d < 0 {
			return nil, fmt.Errorf("%w: retry tier %d has a negative delay %v", ErrConfig, i+1, d)
		}
	}
	cm, err := cfg.consumerConfig()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	deser, regClient, err := cfg.deserializer()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c := &Consumer{
		cfg:         cfg,
		deser:       deser,
		reg:         regClient,
		log:         cfg.Logger.With(slog.String("consumer", cfg.Name), slog.String("group", cfg.GroupID)),
		routes:      map[string]*route{},
		retryTopics: map[string]retryTopic{},
		secrets:     kafkaclient.Secrets(cm),
	}
	for i := range handlers {
		h := &handlers[i]
		if !h.usable() {
			return nil, fmt.Errorf("%w: handler %d is nil or its event has no contract topic", ErrConfig, i)
		}
		r := c.routes[h.contract.Topic]
		if r == nil {
			r = &route{byType: map[string]*Handler{}, byName: map[string]*Handler{}}
			c.routes[h.contract.Topic] = r
			c.topics = append(c.topics, h.contract.Topic)
		}
		if _, dup := r.byType[h.contract.Type]; dup {
			return nil, fmt.Errorf("%w: two handlers for event type %s", ErrConfig, h.contract.Type)
		}
		r.byType[h.contract.Type] = h
		r.byName[h.contract.Name] = h
	}
	for _, r := range c.routes {
		if len(r.byType) == 1 {
			for _, h := range r.byType {
				r.only = h
			}
		}
	}
	for _, t := range c.topics {
		for tier := 1; tier <= len(cfg.RetryTopics); tier++ {
			name := cfg.RetryTopicName(t, tier)
			if _, clash := c.routes[name]; clash || c.retryTopics[name] != (retryTopic{}) {
				return nil, fmt.Errorf("%w: retry topic %q of %s is another topic the consumer reads", ErrConfig, name, t)
			}
			c.retryTopics[name] = retryTopic{origin: t, tier: tier}
		}
	}
	prov := telemetry.Providers{Tracer: cfg.TracerProvider, Meter: cfg.MeterProvider, Propagator: cfg.Propagator}.WithDefaults()
	if c.ins, err = newInstruments(prov, cfg.GroupID, c.subscriptions()); err != nil {
		return nil, fmt.Errorf("%w: OpenTelemetry instruments: %w", ErrConfig, err)
	}
	return c, nil
}

// subscriptions lists the topics Run subscribes to: the handlers' and their
// retry topics.
func (c *Consumer) subscriptions() []string {
	out := append([]string(nil), c.topics...)
	for _, t := range c.topics {
		for tier := 1; tier <= len(c.cfg.RetryTopics); tier++ {
			out = append(out, c.cfg.RetryTopicName(t, tier))
		}
	}
	return out
}

// Topics returns the topics the consumer subscribes to.
func (c *Consumer) Topics() []string { return append([]string(nil), c.topics...) }
