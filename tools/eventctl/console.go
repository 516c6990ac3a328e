package main

// Helpers shared by the console commands (produce, consume, decode, encode):
// connection flags read like kcat's, the registry client and Kafka settings
// from flags and the environment, the manifest lookup of a topic, and the
// errors that say what to do next.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/internal/resolved"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// consoleDefaultManifest is the manifest the console commands read when
// --manifest is not given; a missing file is then no error.
const consoleDefaultManifest = "avro/manifest.json"

// consoleConnectTimeout bounds the first contact with the broker.
const consoleConnectTimeout = 10 * time.Second

// consoleFlags are the connection flags every console command takes.
type consoleFlags struct {
	env       *environment
	bootstrap string
	registry  string
	manifest  string
}

func consoleAddKafkaFlags(fs *flag.FlagSet, c *consoleFlags) {
	fs.StringVar(&c.bootstrap, "bootstrap-servers", "", "Kafka `brokers` host:port[,host:port] (default $"+kafkaconfig.EnvBrokerURL+" or $"+kafkaconfig.EnvBootstrapServers+", else "+kafkaconfig.DefaultBootstrapServers+")")
}

func consoleAddRegistryFlag(fs *flag.FlagSet, c *consoleFlags) {
	fs.StringVar(&c.registry, "registry", "", "schema registry `URL`[,URL] (default $"+registry.EnvURL+", else "+registry.DefaultURL+"); credentials from $"+registry.EnvUsername+"/$"+registry.EnvPassword+" or $"+registry.EnvToken)
}

func consoleAddManifestFlag(fs *flag.FlagSet, c *consoleFlags) {
	fs.StringVar(&c.manifest, "manifest", "", "the manifest `FILE` that names each topic's subject and key field (default "+consoleDefaultManifest+" when it exists)")
}

// registryConfig is the registry configuration of the environment, with
// the --registry flag overriding the URL, and the URL to name in messages.
func (c *consoleFlags) registryConfig() (registry.Config, string) {
	cfg := envRegistryConfig(c.env, c.registry)
	return cfg, registryLabel(cfg)
}

// consoleRegistry is a registry client and the URL it talks to, for
// messages.
type consoleRegistry struct {
	client *registry.HTTPClient
	url    string
}

func (c *consoleFlags) openRegistry() (*consoleRegistry, error) {
	cfg, shown := c.registryConfig()
	client, err := registry.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("schema registry settings: %w (check --registry and the %s* variables)", err, "SCHEMA_REGISTRY_")
	}
	return &consoleRegistry{client: client, url: shown}, nil
}

// explain turns a registry error into a sentence that says what to do next.
func (r *consoleRegistry) explain(err error, subject string) error {
	switch {
	case errors.Is(err, registry.ErrUnreachable):
		return fmt.Errorf("cannot reach the schema registry at %s: is it running? Point --registry or $%s at it (%w)", r.url, registry.EnvURL, err)
	case errors.Is(err, registry.ErrUnauthorized):
		return fmt.Errorf("the schema registry at %s refused the credentials: set $%s and $%s, or $%s (%w)", r.url, registry.EnvUsername, registry.EnvPassword, registry.EnvToken, err)
	case errors.Is(err, registry.ErrSubjectNotFound), errors.Is(err, registry.ErrVersionNotFound):
		return fmt.Errorf("subject %q has no schema in the registry at %s: register it first (eventctl register), or name another with --subject (%w)", subject, r.url, err)
	}
	return err
}

// latest returns the latest schema of a subject, parsed.
func (r *consoleRegistry) latest(ctx context.Context, subject string) (registry.Schema, *schema.Parsed, error) {
	s, err := r.client.SchemaByVersion(ctx, subject, registry.Latest)
	if err != nil {
		return s, nil, r.explain(err, subject)
	}
	p, err := resolved.Parse(ctx, r.client, s)
	if err != nil {
		if !errors.Is(err, schema.ErrInvalid) {
			return s, nil, r.explain(err, subject)
		}
		return s, nil, fmt.Errorf("subject %q version %d (id %d) in the registry is not a schema this tool can read: %w", subject, s.Version, s.ID, err)
	}
	return s, p, nil
}

// consoleSchemas fetches writer schemas by id, with the schemas their
// references name, and keeps them, parsed, and the ids the registry does
// not know.
type consoleSchemas struct {
	reg     *consoleRegistry
	parsed  map[uint32]*schema.Schema
	missing map[uint32]error
}

func newConsoleSchemas(reg *consoleRegistry) *consoleSchemas {
	return &consoleSchemas{reg: reg, parsed: map[uint32]*schema.Schema{}, missing: map[uint32]error{}}
}

// registryError says what to do about a registry error.
func (c *consoleSchemas) registryError(ctx context.Context, id uint32, err error) error {
	if errors.Is(err, registry.ErrUnreachable) || errors.Is(err, registry.ErrUnauthorized) || ctx.Err() != nil {
		return fmt.Errorf("%w: %w", errConsoleRegistryDown, c.reg.explain(err, ""))
	}
	return fmt.Errorf("fetch schema id %d: %w", id, err)
}

// errConsoleRegistryDown marks registry errors that will not go away by
// skipping a message (unreachable, unauthorized).
var errConsoleRegistryDown = errors.New("registry unavailable")

func (c *consoleSchemas) get(ctx context.Context, id uint32) (*schema.Schema, error) {
	if s, ok := c.parsed[id]; ok {
		return s, nil
	}
	if err, ok := c.missing[id]; ok {
		return nil, err
	}
	got, err := c.reg.client.SchemaByID(ctx, int(id))
	if err != nil {
		if errors.Is(err, registry.ErrSchemaNotFound) {
			err = fmt.Errorf("schema id %d is not in the registry at %s: the message was written against another registry, or its schema was deleted", id, c.reg.url)
			c.missing[id] = err
			return nil, err
		}
		return nil, c.registryError(ctx, id, err)
	}
	p, err := resolved.Parse(ctx, c.reg.client, got)
	if err != nil && !errors.Is(err, schema.ErrInvalid) {
		return nil, c.registryError(ctx, id, err)
	}
	if err != nil {
		err = fmt.Errorf("schema id %d in the registry is not a schema this tool can read: %w", id, err)
		c.missing[id] = err
		return nil, err
	}
	c.parsed[id] = p.Root
	return p.Root, nil
}

// kafkaConfig is the Kafka configuration of the environment, with
// --bootstrap-servers overriding the brokers.
func (c *consoleFlags) kafkaConfig() (kafkaconfig.Config, error) {
	cfg, err := kafkaconfig.FromLookup(func(k string) (string, bool) {
		v := c.env.getenv(k)
		return v, v != ""
	})
	if err != nil {
		return cfg, fmt.Errorf("kafka settings: %w", err)
	}
	if c.bootstrap != "" {
		cfg.BootstrapServers = c.bootstrap
		if err := cfg.Validate(); err != nil {
			return cfg, fmt.Errorf("--bootstrap-servers: %w", err)
		}
	}
	return cfg, nil
}

func consoleServers(cfg kafkaconfig.Config) string {
	if cfg.BootstrapServers == "" {
		return kafkaconfig.DefaultBootstrapServers
	}
	return cfg.BootstrapServers
}

// consoleLogs drains librdkafka's log channel (so that its connection
// chatter stays off the terminal) and keeps the last warning, which explains
// a failure better than the error alone.
type consoleLogs struct {
	mu   sync.Mutex
	last string
}

func (l *consoleLogs) drain(ch chan kafka.LogEvent) {
	for e := range ch {
		if e.Level <= 4 {
			l.mu.Lock()
			l.last = e.Message
			l.mu.Unlock()
		}
	}
}

// hint returns "; last client message: ..." or "".
func (l *consoleLogs) hint() string {
	if last := l.lastLine(); last != "" {
		return "; last client message: " + last
	}
	return ""
}

// lastLine returns the client's last warning or error, or "".
func (l *consoleLogs) lastLine() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// unreachableKafka says what to do when the brokers do not answer.
func unreachableKafka(cfg kafkaconfig.Config, secrets []string, err error, logs *consoleLogs) error {
	return kafkaclient.Unreachable(cfg, consoleConnectTimeout, redact.Error(err, secrets), logs.lastLine, "--bootstrap-servers")
}

// consoleTarget is where produce sends a topic's events: one subject.
type consoleTarget struct {
	subject  string
	keyField string
	// from says where the subject came from, for messages.
	from string
	// typ is the manifest's event type, when the manifest named the
	// subject.
	typ, record string
}

// loadManifest loads the --manifest file, or the default one when it
// exists; nil when there is none.
func (c *consoleFlags) loadManifest() (*manifest.Manifest, error) {
	path := c.manifest
	if path == "" {
		if _, err := os.Stat(consoleDefaultManifest); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		path = consoleDefaultManifest
	}
	m, err := manifest.Load(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w (pass --manifest, or --subject to go without)", err)
	}
	return m, nil
}

// targets resolves the subjects and key fields of a topic: --subject when
// given; else the manifest's events on the topic, each under its own
// subject (a topic with several record types, under RecordNameStrategy or
// TopicRecordNameStrategy, has one per type), or only the one of typ (an
// event type or a record's full name) when it is not empty; else
// TopicNameStrategy's subject.
func (c *consoleFlags) targets(topic, subject, keyField, typ string) ([]consoleTarget, error) {
	if subject != "" {
		if typ != "" {
			return nil, errors.New("--type picks a subject of the manifest; it cannot go with --subject")
		}
		return []consoleTarget{{subject: subject, keyField: keyField, from: "--subject"}}, nil
	}
	m, err := c.loadManifest()
	if err != nil {
		return nil, err
	}
	var out []consoleTarget
	var types []string
	if m != nil {
		for _, e := range m.Events {
			if e.Topic != topic {
				continue
			}
			types = append(types, e.Type)
			if typ != "" && typ != e.Type && typ != e.Schema.Root.Name {
				continue
			}
			t := consoleTarget{subject: e.Subject, keyField: keyField, from: "the manifest " + m.Path, typ: e.Type, record: e.Schema.Root.Name}
			if t.keyField == "" {
				t.keyField = e.KeyField
			}
			out = append(out, t)
		}
	}
	switch {
	case len(out) > 0:
		return out, nil
	case typ != "" && len(types) > 0:
		return nil, fmt.Errorf("--type %s: the manifest has no such event on topic %s (its events there: %s)", typ, topic, strings.Join(types, ", "))
	case typ != "":
		return nil, fmt.Errorf("--type %s: the manifest has no event on topic %s", typ, topic)
	}
	s, _ := contract.TopicName.Subject(topic, "")
	return []consoleTarget{{subject: s, keyField: keyField, from: "TopicNameStrategy"}}, nil
}

// consoleKeyKind checks that a field can key messages, as generated code
// keys them (its value as text).
func consoleKeyKind(root *schema.Schema, field string) (*schema.Schema, error) {
	if root.Kind != schema.Record {
		return nil, fmt.Errorf("key field %q: the schema is a %s, not a record", field, root.Kind)
	}
	for _, f := range root.Fields {
		if f.Name != field {
			continue
		}
		t := f.Type
		switch {
		case t.Kind == schema.String, t.Kind == schema.Bytes && t.Logical == "", t.Kind == schema.Enum,
			t.Kind == schema.Long && t.Logical == "", t.Kind == schema.Int && (t.Logical == "" || t.Logical == schema.LogicalDate):
			return t, nil
		}
		return nil, fmt.Errorf("key field %q is a %s, which cannot key messages: pass --key, or --key-field naming a string, number, enum or date field", field, describeKind(t))
	}
	names := make([]string, len(root.Fields))
	for i, f := range root.Fields {
		names[i] = f.Name
	}
	return nil, fmt.Errorf("key field %q is not a field of %s (its fields: %s)", field, root.Name, strings.Join(names, ", "))
}

func describeKind(t *schema.Schema) string {
	if t.Logical != "" {
		return t.Logical
	}
	return t.Kind.String()
}

// consoleKey returns the key of a message from the plain JSON of its value:
// the key field as text (a number's digits, a string's or enum's text, a
// date's YYYY-MM-DD), the same bytes generated code's AppendKey writes.
func consoleKey(keyType *schema.Schema, field string, plain []byte) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(plain, &obj); err != nil {
		return nil, err
	}
	raw := obj[field]
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if keyType.Kind == schema.Bytes {
			b := make([]byte, 0, len(s))
			for _, r := range s {
				b = append(b, byte(r))
			}
			return b, nil
		}
		return []byte(s), nil
	}
	return raw, nil // a number, as written
}

// consoleKeyJSON writes a message key as JSON: null for none, a string of the
// key's text when it is UTF-8, otherwise of its bytes as characters
// \u0000-\u00ff.
func consoleKeyJSON(dst []byte, key []byte) []byte {
	if key == nil {
		return append(dst, "null"...)
	}
	var s string
	if utf8.Valid(key) {
		s = string(key)
	} else {
		r := make([]rune, len(key))
		for i, b := range key {
			r[i] = rune(b)
		}
		s = string(r)
	}
	b, _ := json.Marshal(s)
	return append(dst, b...)
}
