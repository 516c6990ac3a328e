package consumer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// failingTransport fails its first n requests as a network error would.
type failingTransport struct{ n *atomic.Int64 }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(-1) >= 0 {
		return nil, errors.New("dial tcp: connection refused (injected)")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestRegistryOutageIsNotTheMessagesFault makes the consumer's registry
// unreachable for its first requests: the message must wait for the
// registry, not go to the dead-letter topic.
func TestRegistryOutageIsNotTheMessagesFault(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "patient"})
	var fails atomic.Int64
	fails.Store(3)
	cfg := e.config("g-outage")
	cfg.Registry = registry.Config{URLs: []string{e.regURL}, Transport: failingTransport{&fails}, MaxAttempts: 1}
	h, ch := collect()
	c, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	if g := recv(t, ch, "event after the outage"); g.Event.Name != "patient" {
		t.Errorf("handled %+v", g.Event)
	}
	if fails.Load() >= 0 {
		t.Fatalf("the injected failures were not all hit (%d left): the test proves nothing", fails.Load()+1)
	}
	e.waitCommitted("g-outage", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if n := e.dlqSize(); n != 0 {
		t.Errorf("%d messages dead-lettered during a registry outage", n)
	}
}

// TestRegistryRequestsDoNotGrowWithMessages counts the registry requests of
// consuming many messages of one schema: the writer schema is fetched once.
func TestRegistryRequestsDoNotGrowWithMessages(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	const n = 30
	for i := 0; i < n; i++ {
		e.publish(p, &testEvent{ID: int64(i), Name: "x"})
	}
	before := e.requests.Load()
	h, ch := collect()
	c, err := consumer.New(e.config("g-requests"), h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	for i := 0; i < n; i++ {
		recv(t, ch, "event")
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if got := e.requests.Load() - before; got > 1 {
		t.Errorf("%d registry requests to consume %d messages of one schema, want at most 1", got, n)
	}
}

// TestRouting checks that a message of another event type on a handled
// topic is skipped (and committed), and that a message without a ce_type
// header goes to the topic's only handler.
func TestRouting(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	id := e.publish(p, &testEvent{ID: 1, Name: "typed"})[0].SchemaID
	ev := testEvent{ID: 2, Name: "untyped"}
	value, _ := ev.AppendAvro(wire.AppendHeader(nil, uint32(id)))
	other := testEvent{ID: 3, Name: "other type"}
	otherValue, _ := other.AppendAvro(wire.AppendHeader(nil, uint32(id)))
	e.produceRaw(e.topic,
		&kafka.Message{Key: []byte("2"), Value: value},
		&kafka.Message{Key: []byte("3"), Value: otherValue, Headers: []kafka.Header{{Key: cloudevents.HeaderType, Value: []byte("someone.elses")}}},
	)
	h, ch := collect()
	c, err := consumer.New(e.config("g-routing"), h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	var names []string
	for i := 0; i < 2; i++ {
		names = append(names, recv(t, ch, "event").Event.Name)
	}
	e.waitCommitted("g-routing", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if diff := cmp.Diff([]string{"typed", "untyped"}, names); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
	select {
	case g := <-ch:
		t.Errorf("event of another type handled: %+v", g)
	default:
	}
	if n := e.dlqSize(); n != 0 {
		t.Errorf("%d messages dead-lettered", n)
	}
}

func TestNewValidates(t *testing.T) {
	newContractForUnit()
	h, _ := collect()
	ok := consumer.Config{GroupID: "g", Registry: registry.Config{URLs: []string{"http://127.0.0.1:1"}}}
	tests := []struct {
		name     string
		cfg      consumer.Config
		handlers []consumer.Handler
	}{
		{"no group", consumer.Config{}, []consumer.Handler{h}},
		{"no handler", ok, nil},
		{"nil handler func", ok, []consumer.Handler{consumer.Handle[testEvent](nil)}},
		{"zero handler", ok, []consumer.Handler{{}}},
		{"duplicate", ok, []consumer.Handler{h, h}},
		{"bad kafka config", consumer.Config{GroupID: "g", Kafka: kafkaconfig.Config{SecurityProtocol: "carrier-pigeon"}}, []consumer.Handler{h}},
		{"bad registry URL", consumer.Config{GroupID: "g", Registry: registry.Config{URLs: []string{"ftp://x"}}}, []consumer.Handler{h}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := consumer.New(tt.cfg, tt.handlers...)
			if !errors.Is(err, consumer.ErrConfig) {
				t.Errorf("err = %v, want ErrConfig", err)
			}
		})
	}
}

// newContractForUnit sets a test contract for tests that need no server.
func newContractForUnit() {
	testContract = newUnitContract()
}

func TestRunOnce(t *testing.T) {
	newContractForUnit()
	h, _ := collect()
	c, err := consumer.New(consumer.Config{GroupID: "g", Kafka: kafkaconfig.Config{BootstrapServers: "127.0.0.1:1"}, Logger: slog.New(slog.DiscardHandler)}, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatalf("first Run with an ended context: %v", err)
	}
	if err := c.Run(context.Background()); !errors.Is(err, consumer.ErrRunning) {
		t.Errorf("second Run: err = %v, want ErrRunning", err)
	}
	if diff := cmp.Diff([]string{testContract.Topic}, c.Topics()); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
}

func TestConfigHidesSecrets(t *testing.T) {
	cfg := consumer.Config{
		GroupID:  "g",
		Kafka:    kafkaconfig.Config{SecurityProtocol: "sasl_ssl", SASLMechanism: "PLAIN", SASLUsername: "u", SASLPassword: "kafka-hunter2"},
		Registry: registry.Config{Username: "r", Password: "registry-hunter2"},
	}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
		fmt.Fprintf(&out, verb+"\n", cfg)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("cfg", "cfg", cfg)
	for _, secret := range []string{"kafka-hunter2", "registry-hunter2"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("%s printed:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "sasl_ssl") {
		t.Errorf("the settings are not printed at all:\n%s", out.String())
	}
}

// TestRandomValuesNeverStopTheConsumer feeds random values, framed with the
// real schema id or not, to a consumer: each must be either handled or
// dead-lettered, and every offset committed.
func TestRandomValuesNeverStopTheConsumer(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	id := uint32(e.publish(p, &testEvent{ID: 1, Name: "first"})[0].SchemaID)
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: the same values every run
	const n = 60
	var msgs []*kafka.Message
	for i := 0; i < n; i++ {
		body := make([]byte, rng.IntN(12))
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		var v []byte
		switch i % 3 {
		case 0:
			v = append(wire.AppendHeader(nil, id), body...) // our schema, random body
		case 1:
			v = append(wire.AppendHeader(nil, rng.Uint32()), body...) // random schema id
		default:
			v = body // anything
		}
		msgs = append(msgs, &kafka.Message{Key: []byte(strconv.Itoa(i)), Value: v})
	}
	e.produceRaw(e.topic, msgs...)

	var handled atomic.Int64
	c, err := consumer.New(e.config("g-random"), consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		handled.Add(1)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	e.waitCommitted("g-random", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	dead := e.dlqSize()
	if total := handled.Load() + dead; total != n+1 {
		t.Errorf("%d handled + %d dead-lettered = %d, want %d", handled.Load(), dead, total, n+1)
	}
	if dead == 0 {
		t.Error("no random value was dead-lettered: the test proves nothing")
	}
}

// TestDisableDeadLetter drops what cannot be handled: logged, committed,
// and no dead-letter topic written.
func TestDisableDeadLetter(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "bad"})
	e.produceRaw(e.topic, &kafka.Message{Value: []byte("garbage")})
	cfg := e.config("g-nodlq")
	cfg.DisableDeadLetter = true
	calls := make(chan struct{}, 10)
	c, err := consumer.New(cfg, consumer.Handle(func(context.Context, *testEvent, consumer.Message) error {
		calls <- struct{}{}
		return consumer.Permanent(errors.New("refused"))
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	recv(t, calls, "handler call")
	e.waitCommitted("g-nodlq", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if n := e.dlqSize(); n != 0 {
		t.Errorf("%d messages in the dead-letter topic with dead-lettering disabled", n)
	}
}
