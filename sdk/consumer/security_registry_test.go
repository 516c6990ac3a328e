package consumer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// registryEnv sets the SDK's environment for the shared broker and the
// registry at url, with the given extra SCHEMA_REGISTRY_* variables, and
// returns the producer and consumer configurations read from it.
func registryEnv(t *testing.T, url string, vars map[string]string, logs *lockedBuffer) (producer.Config, consumer.Config) {
	t.Helper()
	t.Setenv(kafkaconfig.EnvBrokerURL, itest.Broker(t))
	t.Setenv(registry.EnvURL, url)
	for _, k := range []string{registry.EnvUsername, registry.EnvPassword, registry.EnvToken, registry.EnvCAFile} {
		t.Setenv(k, vars[k])
	}
	t.Setenv(consumer.EnvGroupID, "g-"+strings.ReplaceAll(t.Name(), "/", "-"))
	pcfg, err := producer.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	ccfg, err := consumer.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	pcfg.Logger, ccfg.Logger = debugLogger(logs), debugLogger(logs)
	return pcfg, ccfg
}

// TestSecurityRegistryTLSAndAuth puts a proxy in front of the real
// registry that serves HTTPS with a certificate of a CA made here and
// demands basic auth or a bearer token, and configures the producer and
// the consumer only through the environment (SCHEMA_REGISTRY_URL,
// SCHEMA_REGISTRY_CA_FILE, SCHEMA_REGISTRY_USERNAME/PASSWORD or
// SCHEMA_REGISTRY_TOKEN): events round-trip. Wrong credentials fail
// producer.New at once (one request, not retried) with an error that says
// what to check; an untrusted certificate fails it at once too. No secret
// shows in any log or error.
func TestSecurityRegistryTLSAndAuth(t *testing.T) {
	ca := itest.NewCA(t)
	const (
		user     = "svc-orders"
		password = "reg-pass-Vb8"
		token    = "reg-token-Vb8"
	)
	upstream := itest.Registry(t)
	for _, tt := range []struct {
		name string
		auth func(*itest.FaultProxy)
		vars map[string]string
	}{
		{"basic", func(p *itest.FaultProxy) { p.RequireBasic(user, password) },
			map[string]string{registry.EnvUsername: user, registry.EnvPassword: password, registry.EnvCAFile: ca.CertFile}},
		{"bearer", func(p *itest.FaultProxy) { p.RequireBearer(token) },
			map[string]string{registry.EnvToken: token, registry.EnvCAFile: ca.CertFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			proxy := itest.NewFaultProxy(t, upstream, ca.ServerTLS(t))
			tt.auth(proxy)
			if !strings.HasPrefix(proxy.URL, "https://") {
				t.Fatalf("proxy URL %s is not HTTPS", proxy.URL)
			}
			useContract(t)
			logs := newLockedBuffer()
			pcfg, ccfg := registryEnv(t, proxy.URL, tt.vars, logs)
			roundTrip(t, pcfg, ccfg, 5)
			if proxy.Requests() == 0 {
				t.Error("no request went through the proxy")
			}
			for _, secret := range []string{password, token} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("a secret shows in the logs:\n%s", grepLines(logs.String(), secret))
				}
			}
		})
	}

	refused := func(t *testing.T, pcfg producer.Config, logs *lockedBuffer, proxy *itest.FaultProxy, want error, says ...string) {
		t.Helper()
		useContract(t)
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		start := time.Now()
		p, err := producer.New(ctx, pcfg, testContract)
		if err == nil {
			p.Close(ctx)
			t.Fatal("New succeeded")
		}
		t.Logf("New failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
		if want != nil && !errors.Is(err, want) {
			t.Errorf("err = %v, want %v", err, want)
		}
		for _, s := range says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("err = %q, want it to say %q", err, s)
			}
		}
		if n := proxy.Requests(); n > 1 {
			t.Errorf("%d requests, want at most 1: the refusal is not retried", n)
		}
		for _, secret := range []string{password, token, "wrong-Vb8"} {
			if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
				t.Errorf("secret %q shows in the error or the logs", secret)
			}
		}
	}
	t.Run("wrong password", func(t *testing.T) {
		proxy := itest.NewFaultProxy(t, upstream, ca.ServerTLS(t))
		proxy.RequireBasic(user, password)
		logs := newLockedBuffer()
		pcfg, _ := registryEnv(t, proxy.URL, map[string]string{registry.EnvUsername: user, registry.EnvPassword: "wrong-Vb8", registry.EnvCAFile: ca.CertFile}, logs)
		refused(t, pcfg, logs, proxy, registry.ErrUnauthorized, `user "`+user+`"`, registry.EnvPassword)
	})
	t.Run("wrong token", func(t *testing.T) {
		proxy := itest.NewFaultProxy(t, upstream, ca.ServerTLS(t))
		proxy.RequireBearer(token)
		logs := newLockedBuffer()
		pcfg, _ := registryEnv(t, proxy.URL, map[string]string{registry.EnvToken: "wrong-Vb8", registry.EnvCAFile: ca.CertFile}, logs)
		refused(t, pcfg, logs, proxy, registry.ErrUnauthorized, "bearer token", registry.EnvToken)
	})
	t.Run("no credentials", func(t *testing.T) {
		proxy := itest.NewFaultProxy(t, upstream, ca.ServerTLS(t))
		proxy.RequireBearer(token)
		logs := newLockedBuffer()
		pcfg, _ := registryEnv(t, proxy.URL, map[string]string{registry.EnvCAFile: ca.CertFile}, logs)
		refused(t, pcfg, logs, proxy, registry.ErrUnauthorized, "no credentials were sent")
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		proxy := itest.NewFaultProxy(t, upstream, ca.ServerTLS(t))
		logs := newLockedBuffer()
		pcfg, _ := registryEnv(t, proxy.URL, map[string]string{registry.EnvUsername: user, registry.EnvPassword: password}, logs)
		// Not retried: the TLS handshake fails before any request, so the
		// proxy counts none.
		refused(t, pcfg, logs, proxy, nil, "certificate signed by unknown authority")
	})
}

// TestSecuritySecretsNeverShown sets every secret the configuration types
// hold and prints each type every way: fmt's verbs, slog's text and JSON
// handlers, encoding/json where the type supports it. No secret shows.
func TestSecuritySecretsNeverShown(t *testing.T) {
	secrets := []string{"kafka-pass-Jm4", "oauth-secret-Jm4", "key-pass-Jm4", "pem-Jm4", "reg-pass-Jm4", "reg-token-Jm4"}
	k := kafkaconfig.Config{
		BootstrapServers: "127.0.0.1:9092", SecurityProtocol: "sasl_ssl", SASLMechanism: "PLAIN",
		SASLUsername: "kafka-user", SASLPassword: kafkaconfig.Secret(secrets[0]),
		Properties: map[string]any{
			"sasl.oauthbearer.client.secret": secrets[1],
			"ssl.key.password":               kafkaconfig.Secret(secrets[2]),
			"ssl.key.pem":                    secrets[3],
			"linger.ms":                      5,
		},
	}
	rBasic := registry.Config{URLs: []string{"https://registry.example"}, Username: "reg-user", Password: secrets[4]}
	rToken := registry.Config{URLs: []string{"https://registry.example"}, Token: secrets[5]}
	client, err := registry.New(rToken)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{
		"kafkaconfig.Config":      k,
		"*kafkaconfig.Config":     &k,
		"registry.Config (basic)": rBasic,
		"registry.Config (token)": rToken,
		"*registry.Config":        &rBasic,
		"*registry.HTTPClient":    client,
		"producer.Config":         producer.Config{Kafka: k, Registry: rBasic},
		"*producer.Config":        &producer.Config{Kafka: k, Registry: rToken},
		"consumer.Config":         consumer.Config{Kafka: k, Registry: rBasic, GroupID: "g"},
		"*consumer.Config":        &consumer.Config{Kafka: k, Registry: rToken, GroupID: "g"},
		"kafkaconfig.Secret":      k.SASLPassword,
		"in a struct":             struct{ C producer.Config }{producer.Config{Kafka: k, Registry: rBasic}},
		"in a slice":              []consumer.Config{{Kafka: k, Registry: rToken}},
	}
	for name, v := range values {
		var out bytes.Buffer
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewTextHandler(&out, nil)).Info("config", "value", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("config", "value", v)
		if b, err := json.Marshal(v); err == nil {
			out.Write(b)
		}
		for _, s := range secrets {
			if strings.Contains(out.String(), s) {
				t.Errorf("%s: secret %q shows:\n%s", name, s, grepLines(out.String(), s))
			}
		}
	}
	// Printing still says something useful.
	if s := fmt.Sprint(producer.Config{Kafka: k, Registry: rBasic}); //nolint:gocritic // fmt's path is what is tested
	!strings.Contains(s, "sasl_ssl") || !strings.Contains(s, "reg-user") {
		t.Errorf("producer.Config prints as %q, without its settings", s)
	}
}
