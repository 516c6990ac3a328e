package consumer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/lunchbot/eventkit/internal/backoff"
	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// EnvGroupID is the environment variable ConfigFromEnv reads the consumer
// group from.
const EnvGroupID = "KAFKA_GROUP_ID"

// Deserializer is what the consumer needs of a deserializer:
// *serde.Deserializer implements it.
type Deserializer interface {
	// Decode decodes the wire-format msg into dst and returns the writer's
	// schema id.
	Decode(ctx context.Context, msg []byte, dst contract.Event) (schemaID int, err error)
}

// Config configures a Consumer. GroupID is required; every other zero field
// takes the default its comment names.
//
// Printing a Config (fmt, slog) shows no secret.
type Config struct {
	// Kafka is how to reach the brokers. Its Properties override the
	// consumer's defaults (see New).
	Kafka kafkaconfig.Config
	// Registry is how to reach the schema registry, used to build the
	// Deserializer when Deserializer is nil.
	Registry registry.Config
	// Deserializer decodes messages. Default: serde.NewDeserializer over a
	// client built from Registry, configured by Serde.
	Deserializer Deserializer
	// Serde configures the deserializer built from Registry (not used when
	// Deserializer is set): its cache size and how long it remembers an
	// unknown schema id. Default: the zero serde.DeserializerConfig.
	Serde serde.DeserializerConfig
	// GroupID is the consumer group. Required.
	GroupID string
	// Name is librdkafka's client.id and the dlq.consumer header. Default:
	// the program's file name.
	Name string
	// Logger receives the consumer's logs. Default: slog.Default().
	Logger *slog.Logger
	// Concurrency is the largest number of handler calls in flight at
	// once (a batch handler's call counts as one). 1 handles one message at
	// a time, in the order they arrive. Default: 1.
	//
	// It is a ceiling, not a pool size: workers start as the work needs
	// them. While handlers return within about 10µs, at most as many run as
	// there are CPUs besides the poll loop's (fewer when they keep up),
	// since waking more would cost more than the handling; once handlers
	// take longer, every ready message gets a worker, up to Concurrency. A
	// handler stuck for a millisecond no longer counts as running, so it
	// holds no other message back.
	Concurrency int
	// Ordering says which messages may be handled at the same time:
	// OrderKey (the default) keeps each key's events in offset order,
	// OrderPartition each partition's, OrderNone nothing.
	Ordering Ordering
	// MaxInFlight and MaxInFlightBytes bound the messages (and their key
	// and value bytes) polled and not yet done, queued or being handled.
	// When either is reached the consumer polls no more until both are back
	// under half; when that takes longer than a second it pauses its
	// partitions (librdkafka's Pause) meanwhile, and resumes them then.
	// librdkafka's own fetch queue comes on top: up to queued.min.messages
	// (100000) or queued.max.messages.kbytes (64 MiB), whichever it
	// reaches first, unless Kafka.Properties sets them.
	// Defaults: DefaultMaxInFlight (at least 4 × Concurrency) and
	// DefaultMaxInFlightBytes.
	MaxInFlight      int
	MaxInFlightBytes int
	// Retry is how often and how patiently a failing handler is called
	// again in place, holding its key (or partition) meanwhile, before its
	// message goes to the next retry topic or to the dead-letter topic.
	Retry RetryPolicy
	// RetryTopics turns on non-blocking retries: a message whose handler
	// still fails after Retry's attempts goes to retry topic n (1, 2, ...;
	// named by RetryTopicName), to be handled again once RetryTopics[n-1]
	// has passed, by this consumer, which subscribes to them; after the last
	// tier it goes to the dead-letter topic. Meanwhile the key's later
	// events are handled: a retried event leaves its key's order. The
	// topics must exist (as the dead-letter topic must). With RetryTopics
	// set, Retry.Attempts defaults to 1. Default: none (retries in place
	// only).
	RetryTopics []time.Duration
	// RetryTopicName names retry tier n (from 1) of topic. Default:
	// DefaultRetryTopicName ("<topic>.retry.<n>").
	RetryTopicName func(topic string, tier int) string
	// Unhandled says what becomes of a message of an event type that no
	// handler takes on a topic the consumer reads (another record type of
	// a topic that carries several): SkipUnhandled (the default) commits it
	// unread, DeadLetterUnhandled sends it to the dead-letter topic with
	// reason "unhandled".
	Unhandled UnhandledPolicy
	// TracerProvider, MeterProvider and Propagator are the OpenTelemetry
	// providers of the consumer's spans ("process <topic>"), metrics and
	// the trace context read from the headers. Defaults:
	// otel.GetTracerProvider(), otel.GetMeterProvider() and
	// otel.GetTextMapPropagator(), which do nothing until the program sets
	// them.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Propagator     propagation.TextMapPropagator
	// OnAssign and OnRevoke, when set, are called on the poll goroutine
	// after the consumer has taken partitions on (starting from their
	// committed offsets) and after it has let them go (their finished
	// offsets committed). They must return quickly.
	OnAssign func(ctx context.Context, partitions []Partition)
	OnRevoke func(ctx context.Context, partitions []Partition)
	// DeadLetterTopic names the dead-letter topic of a topic. Default:
	// DefaultDeadLetterTopic ("<topic>.dlq").
	DeadLetterTopic func(topic string) string
	// DisableDeadLetter drops messages that cannot be decoded or keep
	// failing (logged at error level, offset committed) instead of
	// producing them to the dead-letter topic.
	DisableDeadLetter bool
	// CommitInterval is how often the finished offsets are committed. They
	// are also committed when partitions are revoked and when Run stops.
	// Default: 5s.
	CommitInterval time.Duration
	// ShutdownGrace is how long the handler calls in flight when Run's
	// context ends, or when their partitions are revoked, may still take:
	// the handlers' context is cancelled only then. Default: 30s.
	ShutdownGrace time.Duration
	// CloseTimeout bounds what Run does after the handlers: the last
	// commit, leaving the group and flushing the dead-letter producer. When
	// the brokers do not answer, Run returns an error matching
	// ErrCloseTimeout after it, and the clients finish closing in the
	// background. Default: 10s.
	CloseTimeout time.Duration
}

// RetryPolicy says how a handler's failures are retried in place, on the
// worker that handles the message, holding its key (or partition). The
// pause before attempt n+1 is drawn uniformly from [d/2, d] where
// d = MinBackoff·2^(n-1), capped at MaxBackoff.
type RetryPolicy struct {
	// Attempts is the number of times a message is handed to its handler
	// before it goes to the next retry topic or the dead-letter topic; 1
	// disables retries in place. Default: 3, or 1 with Config.RetryTopics.
	Attempts int
	// MinBackoff and MaxBackoff bound the pause between attempts. Defaults:
	// 100ms and 5s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// Ordering says which messages of a consumer may be handled at the same
// time.
type Ordering int

// The orderings.
const (
	// OrderKey handles the events of one key (of one topic) one at a time,
	// in offset order, and different keys concurrently, within and across
	// partitions. Messages without a key have no order to keep.
	OrderKey Ordering = iota
	// OrderPartition handles one partition's messages one at a time, in
	// offset order, and different partitions concurrently.
	OrderPartition
	// OrderNone handles any messages concurrently.
	OrderNone
)

// String returns "key", "partition" or "none".
func (o Ordering) String() string {
	switch o {
	case OrderKey:
		return "key"
	case OrderPartition:
		return "partition"
	case OrderNone:
		return "none"
	}
	return fmt.Sprintf("Ordering(%d)", int(o))
}

// UnhandledPolicy says what the consumer does with a message no handler
// takes.
type UnhandledPolicy int

// The policies.
const (
	// SkipUnhandled commits the message without reading it: workers ignore
	// the event types they do not own.
	SkipUnhandled UnhandledPolicy = iota
	// DeadLetterUnhandled sends it to the dead-letter topic with reason
	// "unhandled".
	DeadLetterUnhandled
)

// Partition names one partition of a topic.
type Partition struct {
	Topic     string
	Partition int32
}

// Defaults of the zero fields of Config.
const (
	DefaultMaxInFlight      = 1000
	DefaultMaxInFlightBytes = 64 << 20
	DefaultAttempts         = 3
	DefaultMinBackoff       = 100 * time.Millisecond
	DefaultMaxBackoff       = 5 * time.Second
	DefaultCommitInterval   = 5 * time.Second
	DefaultShutdownGrace    = 30 * time.Second
	DefaultCloseTimeout     = 10 * time.Second
)

// DefaultDeadLetterTopic returns "<topic>.dlq".
func DefaultDeadLetterTopic(topic string) string { return topic + ".dlq" }

// DefaultRetryTopicName returns "<topic>.retry.<tier>".
func DefaultRetryTopicName(topic string, tier int) string {
	return topic + ".retry." + strconv.Itoa(tier)
}

// ConfigFromEnv returns a Config whose Kafka and registry settings come from
// the environment: KAFKA_* (see package kafkaconfig), SCHEMA_REGISTRY_* (see
// registry.ConfigFromEnv) and KAFKA_GROUP_ID for the consumer group.
func ConfigFromEnv() (Config, error) {
	k, err := kafkaconfig.FromEnv()
	if err != nil {
		return Config{}, fmt.Errorf("consumer: %w", err)
	}
	r, err := registry.ConfigFromEnv()
	if err != nil {
		return Config{}, fmt.Errorf("consumer: %w", err)
	}
	return Config{Kafka: k, Registry: r, GroupID: strings.TrimSpace(os.Getenv(EnvGroupID))}, nil
}

// String describes c without secrets.
func (c Config) String() string {
	return fmt.Sprintf("consumer.Config{Kafka: %s, Registry: %s, GroupID: %q, Name: %q, Retry: %+v, DisableDeadLetter: %t, CommitInterval: %v, ShutdownGrace: %v, CloseTimeout: %v}",
		c.Kafka.String(), c.Registry.String(), c.GroupID, c.Name, c.Retry, c.DisableDeadLetter, c.CommitInterval, c.ShutdownGrace, c.CloseTimeout)
}

// GoString is String, so %#v shows no secret either.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb (%q quotes it).
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes c to slog without secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("kafka", c.Kafka),
		slog.Any("registry", c.Registry),
		slog.String("group_id", c.GroupID),
		slog.String("name", c.Name),
	)
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = "eventkit"
		if len(os.Args) > 0 && os.Args[0] != "" {
			c.Name = baseName(os.Args[0])
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = max(DefaultMaxInFlight, 4*c.Concurrency)
	}
	if c.MaxInFlightBytes <= 0 {
		c.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	if c.Retry.Attempts <= 0 {
		c.Retry.Attempts = DefaultAttempts
		if len(c.RetryTopics) > 0 {
			c.Retry.Attempts = 1
		}
	}
	if c.RetryTopicName == nil {
		c.RetryTopicName = DefaultRetryTopicName
	}
	if c.Retry.MinBackoff <= 0 {
		c.Retry.MinBackoff = DefaultMinBackoff
	}
	if c.Retry.MaxBackoff <= 0 {
		c.Retry.MaxBackoff = DefaultMaxBackoff
	}
	if c.Retry.MaxBackoff < c.Retry.MinBackoff {
		c.Retry.MaxBackoff = c.Retry.MinBackoff
	}
	if c.DeadLetterTopic == nil {
		c.DeadLetterTopic = DefaultDeadLetterTopic
	}
	if c.CommitInterval <= 0 {
		c.CommitInterval = DefaultCommitInterval
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	return c
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// deserializer returns the configured Deserializer or builds one, with the
// registry client it built (nil for the configured one).
func (c Config) deserializer() (Deserializer, *registry.HTTPClient, error) {
	if c.Deserializer != nil {
		return c.Deserializer, nil, nil
	}
	client, err := registry.New(c.Registry)
	if err != nil {
		return nil, nil, err
	}
	return serde.NewDeserializer(client, c.Serde), client, nil
}

// consumerConfig is the librdkafka configuration of the group consumer.
func (c Config) consumerConfig() (kafka.ConfigMap, error) {
	return c.Kafka.ConfigMap(kafka.ConfigMap{
		"group.id":  c.GroupID,
		"client.id": c.Name,
		// At-least-once: the consumer commits itself, up to the lowest
		// unfinished offset of each partition, every CommitInterval, when
		// partitions are revoked and when Run stops.
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"auto.offset.reset":        "earliest",
		// Incremental rebalances: a member joining or leaving moves only
		// the partitions that change owner; the others go on.
		"partition.assignment.strategy": "cooperative-sticky",
		"go.logs.channel.enable":        true,
	})
}

// forwardConfig is the librdkafka configuration of the producer that sends
// messages to the retry and dead-letter topics: the SDK's producer
// defaults, with a shorter delivery timeout.
func (c Config) forwardConfig() (kafka.ConfigMap, error) {
	m := kafkaclient.ProducerDefaults(c.Name + "-dlq")
	// A dead-letter topic that cannot be written is retried by the consumer
	// (with backoff, until shutdown) rather than for 5 minutes inside
	// librdkafka.
	m["message.timeout.ms"] = 30_000
	return c.Kafka.ConfigMap(m)
}

// delay returns the pause after the n-th failed attempt (n ≥ 1).
func (r RetryPolicy) delay(n int) time.Duration {
	return backoff.Policy{Min: r.MinBackoff, Max: r.MaxBackoff}.Delay(n)
}
