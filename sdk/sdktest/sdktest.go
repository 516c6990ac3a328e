// Package sdktest gives a service's own tests an in-process Kafka cluster and
// schema registry, so that code using the SDK's producer, consumer and
// serializers runs against the real protocols without any server to start.
//
//	func TestNotifier(t *testing.T) {
//		env := sdktest.New(t, events.Contracts()) // the events' topics and schemas, ready
//		p, err := producer.New(ctx, env.ProducerConfig(), events.Contracts()...)
//		...
//		c, err := consumer.New(env.ConsumerConfig("notifier"), handlers...)
//	}
//
// The broker is librdkafka's mock cluster (see Cluster): it speaks the Kafka protocol, including consumer
// groups, transactions and idempotence, to any client, but keeps at most
// 5 MiB per partition, and Env.Cluster lets a test take brokers down or slow
// them. The registry is Registry, an HTTP server that answers the Confluent
// REST calls the SDK makes with the real registry's status and error codes
// and refuses incompatible schemas as the real one does (see Registry).
// Everything stops when the test ends.
//
// Integration tests that need the real servers use internal/itest instead.
package sdktest

import (
	"fmt"
	"testing"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// DefaultPartitions is the partition count of the topics New creates.
const DefaultPartitions = 3

// Env is an in-process Kafka cluster and schema registry for one test.
type Env struct {
	// BootstrapServers are the mock cluster's brokers ("host:port,...");
	// empty with WithoutKafka.
	BootstrapServers string
	// RegistryURL is the registry's base URL.
	RegistryURL string
	// Registry is the registry, for a test to set levels or register
	// schemas directly.
	Registry *Registry
	// Cluster is the mock cluster, for fault injection (SetBrokerDown,
	// SetRoundtripDuration); nil with WithoutKafka.
	Cluster *Cluster
	// Contracts are the contracts New was given: their schemas were
	// registered and their topics created.
	Contracts []*contract.Contract
	// Topics are the topics created: each contract's topic and its
	// dead-letter topic (consumer.DefaultDeadLetterTopic), then those of
	// WithTopics.
	Topics []string

	t testing.TB // nil when Start made the Env
}

type options struct {
	topics     []string
	partitions int
	brokers    int
	noKafka    bool
	global     contract.Compatibility
}

// Option configures New.
type Option func(*options)

// WithTopics creates more topics.
func WithTopics(topics ...string) Option {
	return func(o *options) { o.topics = append(o.topics, topics...) }
}

// WithPartitions sets the partition count of the created topics (default
// DefaultPartitions). Topics a client creates by producing to them get the
// mock cluster's own default.
func WithPartitions(n int) Option { return func(o *options) { o.partitions = n } }

// WithBrokers sets the number of brokers of the mock cluster (default 1).
func WithBrokers(n int) Option { return func(o *options) { o.brokers = n } }

// WithoutKafka starts the registry only: for tests of serialization that
// need no broker.
func WithoutKafka() Option { return func(o *options) { o.noKafka = true } }

// WithGlobalCompatibility sets the registry's global level (default
// BACKWARD, the Confluent default). Each contract's subject gets the
// contract's own level anyway.
func WithGlobalCompatibility(level contract.Compatibility) Option {
	return func(o *options) { o.global = level }
}

// New starts a registry holding the schemas of contracts (each registered
// under its subject, whose level is set to the contract's, with its
// references: the shared types it uses, registered first under their own
// subjects) and a mock Kafka
// cluster with their topics and dead-letter topics. Pass the generated
// package's Contracts() (events.Contracts()), or nil for an empty registry.
// Both stop when t ends. It fails t when either cannot start or a schema
// cannot be registered.
func New(t testing.TB, contracts []*contract.Contract, opts ...Option) *Env {
	t.Helper()
	env, err := Start(contracts, opts...)
	if err != nil {
		t.Fatalf("sdktest: %v", err)
	}
	env.t = t
	t.Cleanup(env.Close)
	return env
}

// Start starts what New starts, for code that has no testing.TB: a
// TestMain sharing one Env among a package's tests, or an example. Close
// stops it.
func Start(contracts []*contract.Contract, opts ...Option) (*Env, error) {
	o := options{partitions: DefaultPartitions, brokers: 1}
	for _, opt := range opts {
		opt(&o)
	}
	reg := StartRegistry()
	env := &Env{RegistryURL: reg.URL(), Registry: reg, Contracts: contracts}
	if err := env.setUp(contracts, o); err != nil {
		env.Close()
		return nil, err
	}
	return env, nil
}

func (e *Env) setUp(contracts []*contract.Contract, o options) error {
	if o.global != "" {
		e.Registry.SetGlobalCompatibility(o.global)
	}
	seen := map[string]bool{}
	addTopic := func(topic string) {
		if topic != "" && !seen[topic] {
			seen[topic] = true
			e.Topics = append(e.Topics, topic)
		}
	}
	for _, c := range contracts {
		if c.Compatibility != "" {
			e.Registry.SetCompatibility(c.Subject, c.Compatibility)
		}
		refs, err := e.Registry.registerReferences(c.References)
		if err != nil {
			return fmt.Errorf("registering the shared types of %s: %w", c.Type, err)
		}
		if _, _, err := e.Registry.Register(c.Subject, c.Schema, refs...); err != nil {
			return fmt.Errorf("registering the schema of %s under %s: %w", c.Type, c.Subject, err)
		}
		addTopic(c.Topic)
		if c.Topic != "" {
			addTopic(consumer.DefaultDeadLetterTopic(c.Topic))
		}
	}
	for _, topic := range o.topics {
		addTopic(topic)
	}
	if o.noKafka {
		return nil
	}
	mc, err := NewCluster(o.brokers)
	if err != nil {
		return fmt.Errorf("starting librdkafka's mock cluster: %w", err)
	}
	e.Cluster = mc
	for _, topic := range e.Topics {
		if err := mc.CreateTopic(topic, o.partitions, 1); err != nil {
			return fmt.Errorf("creating topic %s: %w", topic, err)
		}
	}
	e.BootstrapServers = mc.BootstrapServers()
	return nil
}

// Close stops the cluster and the registry. New's Env closes when its test
// ends.
func (e *Env) Close() {
	if e.Cluster != nil {
		e.Cluster.Close()
	}
	e.Registry.Close()
}

// KafkaConfig returns the Kafka settings of the mock cluster. An Env
// without Kafka fails its test here, or, made by Start, returns settings
// without brokers, which the producer and consumer refuse.
func (e *Env) KafkaConfig() kafkaconfig.Config {
	if e.BootstrapServers == "" && e.t != nil {
		e.t.Fatal("sdktest: KafkaConfig: the Env has no Kafka cluster (WithoutKafka)")
	}
	return kafkaconfig.Config{BootstrapServers: e.BootstrapServers}
}

// RegistryConfig returns the settings of the registry.
func (e *Env) RegistryConfig() registry.Config {
	return registry.Config{URLs: []string{e.RegistryURL}}
}

// RegistryClient returns a new SDK client of the registry.
func (e *Env) RegistryClient() *registry.HTTPClient {
	c, err := registry.New(e.RegistryConfig())
	if err != nil {
		// The config is the Env's own, a single http URL: New cannot
		// refuse it.
		panic(fmt.Sprintf("sdktest: %v", err))
	}
	return c
}

// ProducerConfig returns a producer configuration for the cluster and the
// registry. Set its other fields (Name, Logger, ...) as the test needs.
func (e *Env) ProducerConfig() producer.Config {
	return producer.Config{Kafka: e.KafkaConfig(), Registry: e.RegistryConfig()}
}

// ConsumerConfig returns a consumer configuration for the cluster and the
// registry, in consumer group groupID.
func (e *Env) ConsumerConfig(groupID string) consumer.Config {
	return consumer.Config{Kafka: e.KafkaConfig(), Registry: e.RegistryConfig(), GroupID: groupID}
}
