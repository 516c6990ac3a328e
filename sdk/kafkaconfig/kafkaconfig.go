// Package kafkaconfig holds the Kafka connection settings the producer and
// the consumer share, read in code or from the environment, and turns them
// into a librdkafka configuration.
//
// Environment variables (read by [FromEnv]):
//
//	KAFKA_BROKER_URL         bootstrap servers, "host:port[,host:port...]"
//	                         (default "localhost:9092")
//	KAFKA_BOOTSTRAP_SERVERS  alias of KAFKA_BROKER_URL; setting both to
//	                         different values is an error
//	KAFKA_SECURITY_PROTOCOL  plaintext, ssl, sasl_plaintext or sasl_ssl
//	                         (librdkafka's security.protocol; default plaintext)
//	KAFKA_SASL_MECHANISM     PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER
//	                         (librdkafka's sasl.mechanism)
//	KAFKA_SASL_USERNAME      sasl.username, for PLAIN and SCRAM
//	KAFKA_SASL_PASSWORD      sasl.password, for PLAIN and SCRAM; a secret:
//	                         never printed, logged or put in an error
//	KAFKA_SSL_CA_LOCATION    ssl.ca.location: a CA certificate file (PEM) to
//	                         verify the broker with, for ssl and sasl_ssl
//
// Every other librdkafka property (OAUTHBEARER's sasl.oauthbearer.*, client
// certificates, timeouts, ...) goes in [Config.Properties], which is applied
// last and so overrides anything above.
//
// The schema registry's variables (SCHEMA_REGISTRY_URL and its credentials)
// are read by the registry package, not here.
package kafkaconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/redact"
)

// DefaultBootstrapServers is the broker used when none is configured.
const DefaultBootstrapServers = "localhost:9092"

// Environment variable names read by FromEnv.
const (
	EnvBrokerURL        = "KAFKA_BROKER_URL"
	EnvBootstrapServers = "KAFKA_BOOTSTRAP_SERVERS"
	EnvSecurityProtocol = "KAFKA_SECURITY_PROTOCOL"
	EnvSASLMechanism    = "KAFKA_SASL_MECHANISM"
	EnvSASLUsername     = "KAFKA_SASL_USERNAME"
	EnvSASLPassword     = "KAFKA_SASL_PASSWORD"
	EnvSSLCALocation    = "KAFKA_SSL_CA_LOCATION"
	EnvConnectTimeout   = "KAFKA_CONNECT_TIMEOUT"
)

// DefaultConnectTimeout is the default of Config.ConnectTimeout.
const DefaultConnectTimeout = 10 * time.Second

// ErrInvalid is wrapped by every error that reports a bad setting.
var ErrInvalid = errors.New("invalid kafka configuration")

// ErrUnreachable is matched (errors.Is) by the error of a client that
// could not reach any broker within Config.ConnectTimeout at start.
var ErrUnreachable = errors.New("cannot reach Kafka")

// Secret is a string that never shows itself: fmt (every verb), slog and
// encoding/json print "[redacted]" in its place. Convert it with string(s)
// where the value is really needed; use it for secret values in
// Config.Properties (kafkaconfig.Secret(clientSecret)).
type Secret = redact.Secret

// Config is how to reach and authenticate with the Kafka cluster. The zero
// value connects to localhost:9092 in plaintext.
//
// Printing a Config (fmt, slog, encoding/json) never shows the SASL password
// nor any property whose name mentions a password, a secret, a token, a
// credential, JAAS or a private key.
type Config struct {
	// BootstrapServers is the comma-separated list of brokers to bootstrap
	// from ("host:port,host:port"). Empty means DefaultBootstrapServers.
	BootstrapServers string
	// SecurityProtocol is librdkafka's security.protocol: "plaintext",
	// "ssl", "sasl_plaintext" or "sasl_ssl" (any case). Empty leaves
	// librdkafka's default, plaintext.
	SecurityProtocol string
	// SASLMechanism is librdkafka's sasl.mechanism: "PLAIN",
	// "SCRAM-SHA-256", "SCRAM-SHA-512" or "OAUTHBEARER". Empty sets none.
	// OAUTHBEARER needs its sasl.oauthbearer.* properties in Properties.
	SASLMechanism string
	// SASLUsername and SASLPassword are the PLAIN or SCRAM credentials.
	SASLUsername string
	SASLPassword Secret
	// SSLCALocation is librdkafka's ssl.ca.location: the CA certificate
	// file that signs the brokers' certificates. Empty uses the system's.
	SSLCALocation string
	// ConnectTimeout bounds the check, when a producer is created or a
	// consumer starts, that a broker answers (a metadata request): an
	// unreachable cluster fails there, with ErrUnreachable and what to
	// check, instead of later, silently. Default: DefaultConnectTimeout
	// (10s), or KAFKA_CONNECT_TIMEOUT (a Go duration) with FromEnv.
	ConnectTimeout time.Duration
	// SkipConnectCheck skips that check: for a client created before its
	// brokers are up, which then waits for them.
	SkipConnectCheck bool
	// Properties are extra librdkafka properties (any documented in
	// librdkafka's CONFIGURATION.md), applied last: they override
	// everything above and the producer's and consumer's defaults.
	Properties map[string]any
}

// FromEnv reads the Config from the process environment (see the package
// documentation for the variables). It reports a conflict between
// KAFKA_BROKER_URL and KAFKA_BOOTSTRAP_SERVERS and any invalid value.
func FromEnv() (Config, error) {
	return FromLookup(os.LookupEnv)
}

// FromLookup is FromEnv reading variables through lookup, for tests and for
// programs that keep their settings elsewhere.
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	var c Config
	broker, alias := get(EnvBrokerURL), get(EnvBootstrapServers)
	switch {
	case broker != "" && alias != "" && broker != alias:
		return Config{}, fmt.Errorf("%w: %s=%q and %s=%q disagree; set only one",
			ErrInvalid, EnvBrokerURL, broker, EnvBootstrapServers, alias)
	case broker != "":
		c.BootstrapServers = broker
	default:
		c.BootstrapServers = alias
	}
	c.SecurityProtocol = get(EnvSecurityProtocol)
	c.SASLMechanism = get(EnvSASLMechanism)
	c.SASLUsername = get(EnvSASLUsername)
	pw, _ := lookup(EnvSASLPassword) // passwords may have meaningful spaces
	c.SASLPassword = Secret(pw)
	c.SSLCALocation = get(EnvSSLCALocation)
	if v := get(EnvConnectTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("%w: %s=%q is not a positive duration such as 10s", ErrInvalid, EnvConnectTimeout, v)
		}
		c.ConnectTimeout = d
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

var (
	protocols  = []string{"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"}
	mechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"}
)

// Validate reports the first setting that cannot work: an unknown security
// protocol or SASL mechanism, SASL without a SASL protocol, PLAIN or SCRAM
// without a username and password.
func (c Config) Validate() error {
	if c.BootstrapServers != "" {
		for _, s := range strings.Split(c.BootstrapServers, ",") {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("%w: bootstrap servers %q has an empty entry", ErrInvalid, c.BootstrapServers)
			}
		}
	}
	proto := strings.ToLower(c.SecurityProtocol)
	if proto != "" && !contains(protocols, proto) {
		return fmt.Errorf("%w: security protocol %q (want one of %s)", ErrInvalid, c.SecurityProtocol, strings.Join(protocols, ", "))
	}
	mech := strings.ToUpper(c.SASLMechanism)
	if mech != "" && !contains(mechanisms, mech) {
		return fmt.Errorf("%w: SASL mechanism %q (want one of %s)", ErrInvalid, c.SASLMechanism, strings.Join(mechanisms, ", "))
	}
	sasl := strings.HasPrefix(proto, "sasl_")
	if mech != "" && !sasl {
		return fmt.Errorf("%w: SASL mechanism %s needs security protocol sasl_plaintext or sasl_ssl (it is %q)", ErrInvalid, mech, c.SecurityProtocol)
	}
	if sasl && mech == "" {
		return fmt.Errorf("%w: security protocol %s needs a SASL mechanism (%s)", ErrInvalid, proto, EnvSASLMechanism)
	}
	if mech == "PLAIN" || strings.HasPrefix(mech, "SCRAM-") {
		if c.SASLUsername == "" || c.SASLPassword == "" {
			return fmt.Errorf("%w: SASL %s needs a username and a password (%s, %s)", ErrInvalid, mech, EnvSASLUsername, EnvSASLPassword)
		}
	}
	return nil
}

// ConfigMap returns the librdkafka configuration: defaults first, then the
// settings of c, then c.Properties. defaults may be nil; it is not changed.
func (c Config) ConfigMap(defaults kafka.ConfigMap) (kafka.ConfigMap, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := kafka.ConfigMap{}
	for k, v := range defaults {
		m[k] = v
	}
	servers := c.BootstrapServers
	if servers == "" {
		servers = DefaultBootstrapServers
	}
	m["bootstrap.servers"] = servers
	if c.SecurityProtocol != "" {
		m["security.protocol"] = strings.ToLower(c.SecurityProtocol)
	}
	if c.SASLMechanism != "" {
		m["sasl.mechanism"] = strings.ToUpper(c.SASLMechanism)
	}
	if c.SASLUsername != "" {
		m["sasl.username"] = c.SASLUsername
	}
	if c.SASLPassword != "" {
		m["sasl.password"] = string(c.SASLPassword)
	}
	if c.SSLCALocation != "" {
		m["ssl.ca.location"] = c.SSLCALocation
	}
	for k, v := range c.Properties {
		if s, ok := v.(Secret); ok {
			v = string(s)
		}
		m[k] = v
	}
	return m, nil
}

// String describes c with secrets redacted.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("kafkaconfig.Config{")
	for i, kv := range c.fields() {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(kv[0])
		b.WriteString(":")
		b.WriteString(kv[1])
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so that %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb (%q quotes it), so that no verb, not
// even a wrong one, prints the fields raw.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue describes c to slog with secrets redacted.
func (c Config) LogValue() slog.Value {
	fs := c.fields()
	attrs := make([]slog.Attr, 0, len(fs))
	for _, kv := range fs {
		attrs = append(attrs, slog.String(kv[0], kv[1]))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON describes c as a JSON object of its settings (librdkafka's
// property names), secrets redacted, so that encoding/json shows no
// secret either: sensitive Properties held as plain strings would
// otherwise be encoded as they are.
func (c Config) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range c.fields() {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// fields lists the set settings as name/value pairs, secrets redacted,
// properties sorted by name.
func (c Config) fields() [][2]string {
	var out [][2]string
	add := func(k, v string) {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	servers := c.BootstrapServers
	if servers == "" {
		servers = DefaultBootstrapServers
	}
	add("bootstrap.servers", servers)
	add("security.protocol", c.SecurityProtocol)
	add("sasl.mechanism", c.SASLMechanism)
	add("sasl.username", c.SASLUsername)
	if c.SASLPassword != "" {
		add("sasl.password", redact.Text)
	}
	add("ssl.ca.location", c.SSLCALocation)
	if c.ConnectTimeout > 0 {
		add("connect.timeout", c.ConnectTimeout.String())
	}
	if c.SkipConnectCheck {
		add("connect.check", "skipped")
	}
	keys := make([]string, 0, len(c.Properties))
	for k := range c.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := c.Properties[k]
		if redact.IsSensitive(k) {
			add(k, redact.Text)
			continue
		}
		if s, ok := v.(Secret); ok {
			add(k, s.String())
			continue
		}
		add(k, fmt.Sprint(v))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
