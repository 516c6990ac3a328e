package consumer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
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
		Kafka: kafkaconfig.Config{BootstrapServers: e.broker}, Registry: reg, AutoRegister: true, Logger: testLogger(t),
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
