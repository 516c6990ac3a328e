package kafkaconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestFromLookup(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Config
	}{
		{name: "empty", env: nil, want: Config{}},
		{name: "broker url", env: map[string]string{EnvBrokerURL: " k1:9092,k2:9092 "}, want: Config{BootstrapServers: "k1:9092,k2:9092"}},
		{name: "alias", env: map[string]string{EnvBootstrapServers: "k3:9093"}, want: Config{BootstrapServers: "k3:9093"}},
		{name: "both equal", env: map[string]string{EnvBrokerURL: "k:1", EnvBootstrapServers: "k:1"}, want: Config{BootstrapServers: "k:1"}},
		{
			name: "sasl scram",
			env: map[string]string{
				EnvSecurityProtocol: "SASL_SSL", EnvSASLMechanism: "scram-sha-512",
				EnvSASLUsername: "bot", EnvSASLPassword: " p w ", EnvSSLCALocation: "/etc/ca.pem",
			},
			want: Config{SecurityProtocol: "SASL_SSL", SASLMechanism: "scram-sha-512", SASLUsername: "bot", SASLPassword: " p w ", SSLCALocation: "/etc/ca.pem"},
		},
		{
			name: "oauthbearer",
			env:  map[string]string{EnvSecurityProtocol: "sasl_plaintext", EnvSASLMechanism: "OAUTHBEARER"},
			want: Config{SecurityProtocol: "sasl_plaintext", SASLMechanism: "OAUTHBEARER"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromLookup(lookup(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromLookupErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // a fragment of the error
	}{
		{"conflict", map[string]string{EnvBrokerURL: "a:1", EnvBootstrapServers: "b:1"}, "disagree"},
		{"empty entry", map[string]string{EnvBrokerURL: "a:1,,b:2"}, "empty entry"},
		{"protocol", map[string]string{EnvSecurityProtocol: "tls"}, "security protocol"},
		{"mechanism", map[string]string{EnvSecurityProtocol: "sasl_ssl", EnvSASLMechanism: "GSSAPI"}, "SASL mechanism"},
		{"mechanism without sasl", map[string]string{EnvSASLMechanism: "PLAIN", EnvSASLUsername: "u", EnvSASLPassword: "p"}, "needs security protocol"},
		{"sasl without mechanism", map[string]string{EnvSecurityProtocol: "sasl_ssl"}, "needs a SASL mechanism"},
		{"plain without password", map[string]string{EnvSecurityProtocol: "sasl_ssl", EnvSASLMechanism: "PLAIN", EnvSASLUsername: "u"}, "username and a password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromLookup(lookup(tt.env))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestConfigMap(t *testing.T) {
	c := Config{
		SecurityProtocol: "SASL_SSL", SASLMechanism: "scram-sha-256", SASLUsername: "bot", SASLPassword: "pw",
		SSLCALocation: "/ca.pem",
		Properties:    map[string]any{"acks": "1", "sasl.oauthbearer.client.secret": Secret("s")},
	}
	got, err := c.ConfigMap(kafka.ConfigMap{"acks": "all", "linger.ms": 5})
	if err != nil {
		t.Fatal(err)
	}
	want := kafka.ConfigMap{
		"bootstrap.servers": DefaultBootstrapServers, "security.protocol": "sasl_ssl",
		"sasl.mechanism": "SCRAM-SHA-256", "sasl.username": "bot", "sasl.password": "pw",
		"ssl.ca.location": "/ca.pem", "acks": "1", "linger.ms": 5, "sasl.oauthbearer.client.secret": "s",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config map (-want +got):\n%s", diff)
	}
	if _, err := (Config{SecurityProtocol: "nope"}).ConfigMap(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid config: err = %v, want ErrInvalid", err)
	}
}

// TestSecretsNeverPrinted prints a Config holding secrets in every way a
// program might and searches the output for them.
func TestSecretsNeverPrinted(t *testing.T) {
	const pw, tok = "hunter2-sasl", "tok-0123456789"
	c := Config{
		SecurityProtocol: "sasl_ssl", SASLMechanism: "PLAIN", SASLUsername: "bot", SASLPassword: pw,
		Properties: map[string]any{"sasl.oauthbearer.client.secret": tok, "linger.ms": 5},
	}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, verb+"\n", c)
		fmt.Fprintf(&out, verb+"\n", &c)
		fmt.Fprintf(&out, verb+"\n", c.SASLPassword)
		fmt.Fprintf(&out, verb+"\n", struct{ C Config }{c})
	}
	fmt.Fprintln(&out, c, c.SASLPassword)
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("config", "cfg", c, "pw", c.SASLPassword, "ptr", &c)
	}
	j, err := json.Marshal(struct{ P Secret }{c.SASLPassword})
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	s := out.String()
	for _, secret := range []string{pw, tok, fmt.Sprintf("%x", pw)} {
		if strings.Contains(s, secret) {
			t.Errorf("secret %q printed:\n%s", secret, s)
		}
	}
	if !strings.Contains(s, "linger.ms") || !strings.Contains(s, "[redacted]") || !strings.Contains(s, "bot") {
		t.Errorf("output lacks the non-secret settings or the redaction mark:\n%s", s)
	}
}
