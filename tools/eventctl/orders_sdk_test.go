package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	orders "github.com/lunchbot/eventkit/examples/orders/events"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// ordersOn are the orders contracts of a test's topic.
type ordersOn struct {
	placed, paid, cancelled *contract.Contract
}

// contractsOn returns copies of the orders contracts on topic, with the
// TopicRecordNameStrategy subjects of that topic, and the shared types'
// subjects prefixed by prefix, as writeOrders names them.
func contractsOn(topic, prefix string) ordersOn {
	on := func(c *contract.Contract) *contract.Contract {
		cp := *c
		cp.Topic, cp.Subject = topic, topic+"-"+c.Name
		cp.References = nil
		for _, r := range c.References {
			r.Subject = prefix + map[string]string{"com.example.orders.Money": "money", "com.example.orders.CafeRef": "cafe_ref"}[r.Name]
			cp.References = append(cp.References, r)
		}
		return &cp
	}
	return ordersOn{on(orders.OrderPlacedContract), on(orders.OrderPaidContract), on(orders.OrderCancelledContract)}
}

// The generated events with the contracts of a test's topic: a service's
// generated package would have its own topic in its contracts.
type (
	testPlaced    struct{ orders.OrderPlaced }
	testPaid      struct{ orders.OrderPaid }
	testCancelled struct{ orders.OrderCancelled }
)

var testOrders ordersOn

func (*testPlaced) Contract() *contract.Contract    { return testOrders.placed }
func (*testPaid) Contract() *contract.Contract      { return testOrders.paid }
func (*testCancelled) Contract() *contract.Contract { return testOrders.cancelled }

// TestSDKRoutesRecordTypesOfOneTopic, on the real broker and registry: the
// orders example registered by eventctl (shared types first), published
// by the SDK's producer (one topic, a subject per record type, with
// references), consumed by one consumer that routes each record type to its
// typed handler and dead-letters the type it has no handler for; then
// order.paid v2 (a new optional field), registered by eventctl and
// produced by eventctl, is read by the v1 handler while the other types
// stay as they were.
func TestSDKRoutesRecordTypesOfOneTopic(t *testing.T) {
	url, broker := itest.Registry(t), itest.Broker(t)
	vars := map[string]string{"SCHEMA_REGISTRY_URL": url, "KAFKA_BROKER_URL": broker}
	prefix := regTopic(t, "o") + "."
	topic := prefix + "orders"
	testOrders = contractsOn(topic, prefix)
	dir := t.TempDir()
	m := writeOrders(t, dir, "", prefix)
	if code, out, errOut := runEventctl(t, vars, "register", "--registry", url, "--manifest", m); code != exitOK {
		t.Fatalf("register: exit %d\n%s%s", code, out, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	kcfg := kafkaconfig.Config{BootstrapServers: broker}
	rcfg := registry.Config{URLs: []string{url}}
	p, err := producer.New(ctx, producer.Config{Kafka: kcfg, Registry: rcfg, Logger: quiet}, testOrders.placed, testOrders.paid, testOrders.cancelled)
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	eur := func(c int64) orders.Money { return orders.Money{Currency: "EUR", AmountCents: c} }
	for _, e := range []contract.Event{
		&testPlaced{orders.OrderPlaced{OrderID: "o-1", Cafe: orders.CafeRef{CafeID: 1, Name: "A"}, Total: eur(500), PlacedAt: at}},
		&testPaid{orders.OrderPaid{OrderID: "o-1", Amount: eur(500), PaidAt: at}},
		&testCancelled{orders.OrderCancelled{OrderID: "o-2", Cafe: orders.CafeRef{CafeID: 1, Name: "A"}, Reason: "closed", CancelledAt: at}},
	} {
		if _, err := p.Publish(ctx, e); err != nil {
			t.Fatalf("publish %s: %v", e.Contract().Type, err)
		}
	}
	if _, err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// order.paid v2, registered and produced by eventctl.
	compatWriteFile(t, filepath.Join(dir, "avro", "order_paid.avsc"), orderPaidV2(t))
	if code, out, errOut := runEventctl(t, vars, "register", "--registry", url, "--manifest", m); code != exitOK || !strings.Contains(out, topic+"-com.example.orders.OrderPaid: registered") {
		t.Fatalf("register v2: exit %d\n%s%s", code, out, errOut)
	}
	v2 := `{"order_id":"o-3","amount":{"currency":"EUR","amount_cents":700},"payment_method":"card","paid_at":"2026-12-01T13:00:00.000000Z"}`
	if code, _, errOut := consoleRun(t, vars, []byte(v2+"\n"), "produce", "--manifest", m, "--topic", topic); code != exitOK || !strings.Contains(errOut, "1 sent as order.paid") {
		t.Fatalf("produce v2: exit %d\n%s", code, errOut)
	}

	var mu sync.Mutex
	var got []string
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	seen := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, s)
	}
	c, err := consumer.New(consumer.Config{Kafka: kcfg, Registry: rcfg, GroupID: topic + ".group", Logger: quiet, Unhandled: consumer.DeadLetterUnhandled},
		consumer.Handle(func(_ context.Context, e *testPlaced, m consumer.Message) error {
			seen("placed " + e.OrderID + " " + e.Cafe.Name + " " + m.EventType)
			return nil
		}),
		consumer.Handle(func(_ context.Context, e *testPaid, m consumer.Message) error {
			seen("paid " + e.OrderID + " " + e.Amount.Currency)
			return nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	deadline := time.After(time.Minute)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 3 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("handled %v, stats %+v", got, c.Stats())
		case <-time.After(50 * time.Millisecond):
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	want := map[string]bool{"placed o-1 A order.placed": true, "paid o-1 EUR": true, "paid o-3 EUR": true}
	for _, g := range got {
		if !want[g] {
			t.Errorf("handled %q, want one of %v", g, want)
		}
		delete(want, g)
	}
	if len(want) > 0 {
		t.Errorf("not handled: %v (handled %v)", want, got)
	}
	// The dead-lettered message is order.cancelled's, as consume shows.
	code, out, errOut := consoleRun(t, vars, nil, "consume", "--topic", consumer.DefaultDeadLetterTopic(topic), "--from-beginning", "--max", "1", "--timeout", "30s")
	if code != exitOK || !strings.Contains(string(out), `"record":"com.example.orders.OrderCancelled"`) {
		t.Errorf("dead-letter topic: exit %d\n%s%s", code, out, errOut)
	}
}
