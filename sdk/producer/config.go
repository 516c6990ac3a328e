package producer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// Serializer is what the producer needs of a serializer: *serde.Serializer
// implements it. Append must not call the schema registry for a contract
// that Warm resolved.
type Serializer interface {
	// Warm resolves the schema id of every contract.
	Warm(ctx context.Context, contracts ...*contract.Contract) error
	// Append appends the wire-format encoding of e to dst and returns the
	// schema id it used.
	Append(ctx context.Context, dst []byte, e contract.Event) (out []byte, schemaID int, err error)
}

// Config configures a Producer. The zero value publishes to localhost:9092
// with schema ids from the registry at http://localhost:8081; every zero
// field takes the default its comment names.
//
// Printing a Config (fmt, slog) shows no secret.
type Config struct {
	// Kafka is how to reach the brokers. Its Properties override the
	// producer's defaults (see New).
	Kafka kafkaconfig.Config
	// Registry is how to reach the schema registry, used to build the
	// Serializer when Serializer is nil. Its first URL also makes the
	// ce_dataschema header ("<URL>/schemas/ids/<id>").
	Registry registry.Config
	// Serde configures the serializer built from Registry (not used when
	// Serializer is set): Serde.AutoRegister lets it register a contract's
	// schema that the registry lacks, instead of failing. Default: the zero
	// serde.SerializerConfig, which registers nothing (schemas are
	// registered by CI with eventctl register).
	Serde serde.SerializerConfig
	// Serializer encodes events. Default: serde.NewSerializer over a
	// client built from Registry. When it is set, Registry serves only
	// the ce_dataschema header, which is left out if Registry.URLs is
	// empty.
	Serializer Serializer
	// Name is the producer's name: the ce_source header of its messages
	// and librdkafka's client.id. Default: the program's file name.
	Name string
	// Logger receives the producer's logs: publish successes at debug
	// level, failures at error level, and librdkafka's own logs. Default:
	// slog.Default().
	Logger *slog.Logger
	// DeliveryTimeout bounds how long librdkafka tries to deliver a message
	// (its message.timeout.ms) before reporting it failed. A Publish
	// returns when its context ends anyway. Default: librdkafka's, 5
	// minutes, or KAFKA_DELIVERY_TIMEOUT (a Go duration) with
	// ConfigFromEnv.
	DeliveryTimeout time.Duration
	// OmitEventBodies leaves the events' fields out of every log line (they
	// appear at debug level only, and only for events that describe
	// themselves to slog, as generated events do). Default false.
	OmitEventBodies bool
	// Headers is the header profile: HeadersFull (the default: CloudEvents
	// binary mode), HeadersMinimal (ce_id and ce_type) or HeadersNone. See
	// HeaderProfile for what each keeps working.
	Headers HeaderProfile
	// TracerProvider, MeterProvider and Propagator are the OpenTelemetry
	// providers of the producer's spans ("send <topic>"), metrics and
	// trace-context headers. Defaults: otel.GetTracerProvider(),
	// otel.GetMeterProvider() and otel.GetTextMapPropagator(), which do
	// nothing until the program sets them.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Propagator     propagation.TextMapPropagator
	// Traceparent returns the W3C traceparent of a message published with
	// ctx when ctx has no OpenTelemetry span, "" for none: it is the parent
	// of the publish's span, and is sent as the traceparent header when the
	// propagator sends none. Default: cloudevents.TraceparentFrom (set by
	// cloudevents.WithTraceparent).
	Traceparent func(ctx context.Context) string
}

// ConfigFromEnv returns a Config whose Kafka and registry settings come from
// the environment: KAFKA_* (see package kafkaconfig), SCHEMA_REGISTRY_*
// (see registry.ConfigFromEnv) and KAFKA_DELIVERY_TIMEOUT.
func ConfigFromEnv() (Config, error) {
	k, err := kafkaconfig.FromEnv()
	if err != nil {
		return Config{}, fmt.Errorf("producer: %w", err)
	}
	r, err := registry.ConfigFromEnv()
	if err != nil {
		return Config{}, fmt.Errorf("producer: %w", err)
	}
	cfg := Config{Kafka: k, Registry: r}
	if v := strings.TrimSpace(os.Getenv(EnvDeliveryTimeout)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("producer: %s=%q is not a positive duration such as 30s", EnvDeliveryTimeout, v)
		}
		cfg.DeliveryTimeout = d
	}
	return cfg, nil
}

// EnvDeliveryTimeout is the environment variable ConfigFromEnv reads the
// delivery timeout from.
const EnvDeliveryTimeout = "KAFKA_DELIVERY_TIMEOUT"

// serializer returns the configured Serializer or builds one from Registry,
// and the base URL of the ce_dataschema header.
func (c Config) serializer() (Serializer, string, *registry.HTTPClient, error) {
	base := ""
	if len(c.Registry.URLs) > 0 {
		base = strings.TrimRight(c.Registry.URLs[0], "/")
	}
	if c.Serializer != nil {
		return c.Serializer, base, nil, nil
	}
	client, err := registry.New(c.Registry)
	if err != nil {
		return nil, "", nil, err
	}
	if base == "" {
		base = registry.DefaultURL
	}
	return serde.NewSerializer(client, c.Serde), base, client, nil
}

// String describes c without secrets.
func (c Config) String() string {
	return fmt.Sprintf("producer.Config{Kafka: %s, Registry: %s, Serde: %+v, Name: %q, DeliveryTimeout: %v}",
		c.Kafka.String(), c.Registry.String(), c.Serde, c.Name, c.DeliveryTimeout)
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
		slog.Bool("auto_register", c.Serde.AutoRegister),
		slog.String("name", c.Name),
		slog.Duration("delivery_timeout", c.DeliveryTimeout),
	)
}

// defaults are the librdkafka properties New sets before the user's.
func (c Config) defaults(name string) kafka.ConfigMap {
	m := kafkaclient.ProducerDefaults(name)
	if c.DeliveryTimeout > 0 {
		m["message.timeout.ms"] = int(c.DeliveryTimeout.Milliseconds())
	}
	return m
}

// defaultName is the program's file name.
func defaultName() string {
	if len(os.Args) > 0 && os.Args[0] != "" {
		return filepath.Base(os.Args[0])
	}
	return "eventkit"
}
