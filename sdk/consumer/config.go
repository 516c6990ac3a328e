package consumer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

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
	// Retry is how often and how patiently a failing handler is called
	// again before its message goes to the dead-letter topic.
	Retry RetryPolicy
	// DeadLetterTopic names the dead-letter topic of a topic. Default:
	// DefaultDeadLetterTopic ("<topic>.dlq").
	DeadLetterTopic func(topic string) string
	// DisableDeadLetter drops messages that cannot be decoded or keep
	// failing (logged at error level, offset committed) instead of
	// producing them to the dead-letter topic.
	DisableDeadLetter bool
	// CommitInterval is how often stored offsets are committed (librdkafka's
	// auto.commit.interval.ms). Offsets are also committed on shutdown and
	// when partitions are revoked. Default: 5s.
	CommitInterval time.Duration
	// ShutdownGrace is how long the message in flight when Run's context
	// ends may still take: its handler's context is cancelled only then.
	// Default: 30s.
	ShutdownGrace time.Duration
}

// RetryPolicy says how a handler's failures are retried. The pause before
// attempt n+1 is drawn uniformly from [d/2, d] where d = MinBackoff·2^(n-1),
// capped at MaxBackoff.
//
// A message's attempts and pauses all happen between two polls of the
// consumer: together they must stay under librdkafka's max.poll.interval.ms
// (5 minutes by default), or the group takes the partitions away.
type RetryPolicy struct {
	// Attempts is the number of times a message is handed to its handler
	// before it goes to the dead-letter topic; 1 disables retries. Default:
	// 3.
	Attempts int
	// MinBackoff and MaxBackoff bound the pause between attempts. Defaults:
	// 100ms and 5s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// Defaults of the zero fields of Config.
const (
	DefaultAttempts       = 3
	DefaultMinBackoff     = 100 * time.Millisecond
	DefaultMaxBackoff     = 5 * time.Second
	DefaultCommitInterval = 5 * time.Second
	DefaultShutdownGrace  = 30 * time.Second
)

// DefaultDeadLetterTopic returns "<topic>.dlq".
func DefaultDeadLetterTopic(topic string) string { return topic + ".dlq" }

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
	return fmt.Sprintf("consumer.Config{Kafka: %s, Registry: %s, GroupID: %q, Name: %q, Retry: %+v, DisableDeadLetter: %t, CommitInterval: %v, ShutdownGrace: %v}",
		c.Kafka.String(), c.Registry.String(), c.GroupID, c.Name, c.Retry, c.DisableDeadLetter, c.CommitInterval, c.ShutdownGrace)
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
	if c.Retry.Attempts <= 0 {
		c.Retry.Attempts = DefaultAttempts
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
	return c
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// deserializer returns the configured Deserializer or builds one.
func (c Config) deserializer() (Deserializer, error) {
	if c.Deserializer != nil {
		return c.Deserializer, nil
	}
	client, err := registry.New(c.Registry)
	if err != nil {
		return nil, err
	}
	return serde.NewDeserializer(client, c.Serde), nil
}

// consumerConfig is the librdkafka configuration of the group consumer.
func (c Config) consumerConfig() (kafka.ConfigMap, error) {
	return c.Kafka.ConfigMap(kafka.ConfigMap{
		"group.id":  c.GroupID,
		"client.id": c.Name,
		// At-least-once: an offset is stored only once its message is
		// handled (or dead-lettered); stored offsets are committed on a
		// period, on revocation and on close.
		"enable.auto.commit":       true,
		"enable.auto.offset.store": false,
		"auto.commit.interval.ms":  int(c.CommitInterval.Milliseconds()),
		"auto.offset.reset":        "earliest",
		"go.logs.channel.enable":   true,
	})
}

// deadLetterConfig is the librdkafka configuration of the dead-letter
// producer: the SDK's producer defaults, with a shorter delivery timeout.
func (c Config) deadLetterConfig() (kafka.ConfigMap, error) {
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
