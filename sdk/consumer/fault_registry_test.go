package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// TestFaultRegistryDownAfterWarmUp: once the producer has resolved its
// schema id (New) and the consumer has fetched the writer schema (first
// message), the registry going away (every connection reset by a proxy in
// front of the real registry) stops neither: further events of the same
// schema are published and consumed, and no request reaches the registry.
func TestFaultRegistryDownAfterWarmUp(t *testing.T) {
	e := newEnv(t)
	proxy := itest.NewFaultProxy(t, e.regURL, nil)
	reg := registry.Config{URLs: []string{proxy.URL}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	defer cancel()
	p, err := producer.New(ctx, producer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: e.broker}, Registry: reg, Serde: serde.SerializerConfig{AutoRegister: true}, Logger: testLogger(t),
	}, testContract)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	h, ch := collect()
	cfg := e.config("g-registry-down")
	cfg.Registry = reg
	c, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	e.publish(p, &testEvent{ID: 0, Name: "warm-up"})
	if g := recv(t, ch, "warm-up event"); g.Event.Name != "warm-up" {
		t.Fatalf("consumed %+v", g.Event)
	}

	proxy.Set(itest.Fault{Reset: true})
	before := proxy.Requests()
	const n = 20
	for i := 1; i <= n; i++ {
		e.publish(p, &testEvent{ID: int64(i), Name: fmt.Sprintf("down-%d", i)})
	}
	got := map[string]bool{}
	for range n {
		got[recv(t, ch, "event published while the registry is down").Event.Name] = true
	}
	if len(got) != n {
		t.Errorf("consumed %d distinct events, want %d", len(got), n)
	}
	if d := proxy.Requests() - before; d != 0 {
		t.Errorf("%d registry requests while it was down, want none", d)
	}
	e.waitCommitted("g-registry-down", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestFaultRegistryRefusesTheConsumer: a registry that answers 401 when the
// consumer fetches a writer schema does not get the message dead-lettered
// (the message is not at fault): the consumer logs that the registry
// refused its credentials, with the hint of what to check and without the
// password, retries, and handles the message once the registry accepts the
// credentials.
func TestFaultRegistryRefusesTheConsumer(t *testing.T) {
	e := newEnv(t)
	p := e.producer() // registers the schema directly with the registry
	e.publish(p, &testEvent{ID: 1, Name: "refused-then-handled"})

	proxy := itest.NewFaultProxy(t, e.regURL, nil)
	proxy.RequireBasic("svc", "the-right-one-Wp5")
	logs := newLockedBuffer()
	h, ch := collect()
	cfg := e.config("g-registry-401")
	cfg.Registry = registry.Config{URLs: []string{proxy.URL}, Username: "svc", Password: "rotated-Wp5"}
	cfg.Logger = debugLogger(logs)
	c, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(logs.String(), "refused the credentials") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "refused the credentials") || !strings.Contains(logs.String(), `refused basic auth as user \"svc\"`) {
		t.Fatalf("no log saying the registry refused the credentials:\n%s", tailOf(grepLines(logs.String(), "level=ERROR"), 10))
	}
	select {
	case g := <-ch:
		t.Fatalf("handled %+v while the registry refused the consumer", g.Event)
	default:
	}
	proxy.RequireBasic("svc", "rotated-Wp5") // the registry learns the new password
	if g := recv(t, ch, "event once the registry accepts"); g.Event.Name != "refused-then-handled" {
		t.Errorf("handled %+v", g.Event)
	}
	e.waitCommitted("g-registry-401", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if n := e.dlqSize(); n != 0 {
		t.Errorf("%d messages dead-lettered", n)
	}
	if strings.Contains(logs.String(), "Wp5") {
		t.Errorf("a password shows in the logs:\n%s", grepLines(logs.String(), "Wp5"))
	}
}

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
