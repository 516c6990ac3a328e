package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// deliveryTimeout is the producer's delivery timeout in the tests that
// expect a publish to fail: the publish must return within it (plus
// slack), not hang.
const deliveryTimeout = 5 * time.Second

// slack is what a loaded machine may add to a bounded wait.
const slack = 30 * time.Second

// useContract points testContract at a topic of the test's own.
func useContract(t *testing.T) {
	topic := itest.Topic(t, "security")
	testContract = &contract.Contract{
		Type: "eventkit.test", Name: "eventkit.test.Event",
		Topic: topic, Subject: topic + "-value", KeyField: "id", Schema: testSchema,
	}
}

// lockedBuffer is a log sink safe for concurrent writes.
type lockedBuffer struct {
	mu  chan struct{}
	buf strings.Builder
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{mu: make(chan struct{}, 1)} }

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// debugLogger logs everything, librdkafka's debug lines included, to buf.
func debugLogger(buf *lockedBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// roundTrip publishes n events with a producer configured by pcfg and
// consumes them back with a consumer configured by ccfg (testContract's
// topic), and fails t unless every event comes back.
func roundTrip(t *testing.T, pcfg producer.Config, ccfg consumer.Config, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	defer cancel()
	pcfg.Serde.AutoRegister = true
	pcfg.DeliveryTimeout = waitLimit
	p, err := producer.New(ctx, pcfg, testContract)
	if err != nil {
		t.Fatalf("producer.New: %v", err)
	}
	defer p.Close(ctx)
	want := map[string]bool{}
	for i := range n {
		ev := &testEvent{ID: int64(i), Name: fmt.Sprintf("event-%d", i)}
		if _, err := p.Publish(ctx, ev); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		want[ev.Name] = true
	}
	h, ch := collect()
	c, err := consumer.New(ccfg, h)
	if err != nil {
		t.Fatalf("consumer.New: %v", err)
	}
	r := start(t, c)
	got := map[string]bool{}
	for range n {
		got[recv(t, ch, "event").Event.Name] = true
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("consumed events (-published +consumed):\n%s", diff)
	}
}

// TestSecurityBrokerTLSWithCustomCA starts the broker with TLS and a
// certificate signed by a CA made here, configures the SDK only through
// the environment (KAFKA_SECURITY_PROTOCOL=SSL, KAFKA_SSL_CA_LOCATION), and
// round-trips events. Without the CA, publishing fails within the delivery
// timeout with the certificate named in the logs.
func TestSecurityBrokerTLSWithCustomCA(t *testing.T) {
	ca := itest.NewCA(t)
	cert, key := ca.Issue(t, "127.0.0.1", "localhost")
	s := itest.Start(t, itest.Options{InMemory: true, KafkaTLSCert: cert, KafkaTLSKey: key})
	if s.SecurityProtocol != "SSL" {
		t.Fatalf("stack security protocol = %q, want SSL", s.SecurityProtocol)
	}
	useContract(t)
	t.Setenv(kafkaconfig.EnvBrokerURL, s.BrokerAddr)
	t.Setenv(kafkaconfig.EnvSecurityProtocol, "SSL")
	t.Setenv(kafkaconfig.EnvSSLCALocation, ca.CertFile)
	t.Setenv(registry.EnvURL, s.RegistryURL)
	t.Setenv(consumer.EnvGroupID, "g-tls")
	pcfg, err := producer.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	ccfg, err := consumer.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	pcfg.Logger, ccfg.Logger = testLogger(t), testLogger(t)
	roundTrip(t, pcfg, ccfg, 20)

	t.Run("untrusted", func(t *testing.T) {
		logs := newLockedBuffer()
		cfg := pcfg
		cfg.Kafka.SSLCALocation = "" // the system's CAs, which do not know ours
		cfg.Logger = debugLogger(logs)
		cfg.DeliveryTimeout = deliveryTimeout
		assertPublishFails(t, cfg, logs, "certificate verify failed")
	})
}

// assertPublishFails checks that a producer configured by cfg cannot start:
// New fails with kafkaconfig.ErrUnreachable within the connect timeout
// (plus slack), saying want; then that, with the start-up check skipped,
// a publish fails with ErrNotDelivered within the delivery timeout (plus
// slack), and the logs say why (they contain want, case-insensitive).
func assertPublishFails(t *testing.T, cfg producer.Config, logs *lockedBuffer, want string) {
	t.Helper()
	checked := cfg
	checked.Kafka.ConnectTimeout = cfg.DeliveryTimeout
	start := time.Now()
	if _, err := producer.New(context.Background(), checked, testContract); !errors.Is(err, kafkaconfig.ErrUnreachable) ||
		!strings.Contains(strings.ToLower(err.Error()), strings.ToLower(want)) {
		t.Errorf("producer.New: %v, want ErrUnreachable saying %q", err, want)
	} else {
		t.Logf("producer.New failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
	}
	if took := time.Since(start); took > checked.Kafka.ConnectTimeout+slack {
		t.Errorf("producer.New took %v with a connect timeout of %v", took, checked.Kafka.ConnectTimeout)
	}
	cfg.Kafka.SkipConnectCheck = true
	ctx, cancel := context.WithTimeout(context.Background(), cfg.DeliveryTimeout+slack)
	defer cancel()
	p, err := producer.New(ctx, cfg, testContract)
	if err != nil {
		t.Fatalf("producer.New: %v", err)
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.Background(), waitLimit)
		defer ccancel()
		_, _ = p.Close(cctx)
	}()
	_, err = p.Publish(ctx, &testEvent{ID: 1, Name: "refused"})
	if !errors.Is(err, producer.ErrNotDelivered) {
		t.Fatalf("publish: err = %v, want ErrNotDelivered within %v", err, cfg.DeliveryTimeout+slack)
	}
	if !strings.Contains(strings.ToLower(logs.String()), strings.ToLower(want)) {
		t.Errorf("the logs do not say %q:\n%s", want, tailOf(logs.String(), 40))
	}
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(strings.ToLower(l), strings.ToLower(want)) && !strings.Contains(l, "level=DEBUG") {
			t.Logf("first warning or error saying %q: %s", want, l)
			break
		}
	}
}

func tailOf(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestSecurityBrokerSASL starts the broker requiring SASL, with an account
// per mechanism kfake implements, and round-trips events through the SDK
// with each. Wrong credentials make a publish fail within the delivery
// timeout and the consumer log an authentication error; the password shows
// in no log line and no error. OAUTHBEARER, which kfake does not
// implement, is shown to reach librdkafka and the broker.
func TestSecurityBrokerSASL(t *testing.T) {
	accounts := []itest.SASLUser{
		{Mechanism: "PLAIN", User: "plain-user", Password: "plain-pass-Xq7"},
		{Mechanism: "SCRAM-SHA-256", User: "scram256-user", Password: "scram256-pass-Xq7"},
		{Mechanism: "SCRAM-SHA-512", User: "scram512-user", Password: "scram512-pass-Xq7"},
	}
	s := itest.Start(t, itest.Options{InMemory: true, KafkaSASL: accounts})
	if s.SecurityProtocol != "SASL_PLAINTEXT" {
		t.Fatalf("stack security protocol = %q, want SASL_PLAINTEXT", s.SecurityProtocol)
	}
	for _, a := range accounts {
		t.Run(a.Mechanism, func(t *testing.T) {
			useContract(t)
			t.Setenv(kafkaconfig.EnvBrokerURL, s.BrokerAddr)
			t.Setenv(kafkaconfig.EnvSecurityProtocol, "SASL_PLAINTEXT")
			t.Setenv(kafkaconfig.EnvSASLMechanism, a.Mechanism)
			t.Setenv(kafkaconfig.EnvSASLUsername, a.User)
			t.Setenv(kafkaconfig.EnvSASLPassword, a.Password)
			t.Setenv(registry.EnvURL, s.RegistryURL)
			t.Setenv(consumer.EnvGroupID, "g-"+a.Mechanism)
			pcfg, err := producer.ConfigFromEnv()
			if err != nil {
				t.Fatal(err)
			}
			ccfg, err := consumer.ConfigFromEnv()
			if err != nil {
				t.Fatal(err)
			}
			logs := newLockedBuffer()
			pcfg.Logger, ccfg.Logger = debugLogger(logs), debugLogger(logs)
			roundTrip(t, pcfg, ccfg, 10)
			if strings.Contains(logs.String(), a.Password) {
				t.Errorf("the password shows in the logs")
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		useContract(t)
		const wrong = "wrong-pass-Zk9"
		kcfg := kafkaconfig.Config{
			BootstrapServers: s.BrokerAddr, SecurityProtocol: "SASL_PLAINTEXT",
			SASLMechanism: "SCRAM-SHA-256", SASLUsername: "scram256-user", SASLPassword: wrong,
			// librdkafka's debug output, where a password could leak.
			Properties: map[string]any{"debug": "security,broker,conf"},
		}
		logs := newLockedBuffer()
		pcfg := producer.Config{Kafka: kcfg, Registry: registry.Config{URLs: []string{s.RegistryURL}}, Serde: serde.SerializerConfig{AutoRegister: true},
			DeliveryTimeout: deliveryTimeout, Logger: debugLogger(logs)}
		assertPublishFails(t, pcfg, logs, "authentication")

		// The consumer stops by itself with an error that names the
		// problem, and logs it.
		ccfg := consumer.Config{Kafka: kcfg, Registry: registry.Config{URLs: []string{s.RegistryURL}}, GroupID: "g-wrong",
			Logger: debugLogger(logs)}
		c, err := consumer.New(ccfg, consumer.Handle(func(context.Context, *testEvent, consumer.Message) error { return nil }))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), deliveryTimeout)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		select {
		case err := <-done:
			var ke kafka.Error
			if !errors.As(err, &ke) || !strings.Contains(err.Error(), "refused the credentials") {
				t.Fatalf("Run = %v, want a kafka.Error saying the broker refused the credentials; logs:\n%s", err, grepLines(logs.String(), "client error"))
			}
			if ctx.Err() != nil {
				t.Errorf("Run returned only after its context ended: %v", err)
			}
			if strings.Contains(err.Error(), wrong) {
				t.Errorf("the password shows in Run's error: %v", err)
			}
		case <-time.After(deliveryTimeout + slack):
			t.Fatal("the consumer did not stop after its context ended")
		}
		if !strings.Contains(logs.String(), "level=WARN msg=\"kafka client error\"") && !strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("no warning or error logged:\n%s", tailOf(logs.String(), 40))
		}
		if strings.Contains(logs.String(), wrong) {
			t.Errorf("the password shows in the logs:\n%s", grepLines(logs.String(), wrong))
		}
	})

	t.Run("OAUTHBEARER passes through", func(t *testing.T) {
		useContract(t)
		logs := newLockedBuffer()
		kcfg := kafkaconfig.Config{
			BootstrapServers: s.BrokerAddr, SecurityProtocol: "SASL_PLAINTEXT", SASLMechanism: "OAUTHBEARER",
			Properties: map[string]any{
				"enable.sasl.oauthbearer.unsecure.jwt": true,
				"sasl.oauthbearer.config":              "principal=admin scope=kafka",
				"debug":                                "security",
			},
		}
		m, err := kcfg.ConfigMap(nil)
		if err != nil {
			t.Fatal(err)
		}
		if m["sasl.mechanism"] != "OAUTHBEARER" || m["enable.sasl.oauthbearer.unsecure.jwt"] != true || m["sasl.oauthbearer.config"] != "principal=admin scope=kafka" {
			t.Errorf("librdkafka configuration = %v, want the OAUTHBEARER properties", m)
		}
		pcfg := producer.Config{Kafka: kcfg, Registry: registry.Config{URLs: []string{s.RegistryURL}}, Serde: serde.SerializerConfig{AutoRegister: true},
			DeliveryTimeout: deliveryTimeout, Logger: debugLogger(logs)}
		// kfake knows PLAIN and SCRAM only: librdkafka makes its unsecured
		// token and offers OAUTHBEARER, which the broker refuses.
		assertPublishFails(t, pcfg, logs, "OAUTHBEARER")
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
