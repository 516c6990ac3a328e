package serde_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	orders "github.com/lunchbot/eventkit/examples/orders/events"
	"github.com/lunchbot/eventkit/internal/race"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
	"github.com/lunchbot/eventkit/sdk/serde"
)

var orderAt = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func placedOrder() *orders.OrderPlaced {
	return &orders.OrderPlaced{
		OrderID: "o-1", Cafe: orders.CafeRef{CafeID: 7, Name: "Kaffee"},
		Items: []orders.OrderItem{{Name: "soup", Quantity: 2, Price: orders.Money{Currency: "EUR", AmountCents: 450}}},
		Total: orders.Money{Currency: "EUR", AmountCents: 900}, PlacedAt: orderAt,
	}
}

// registerOrders registers the shared types and the events as eventctl
// register does: the types first, each event with its references.
func registerOrders(t *testing.T, fake *registrytest.Server) {
	t.Helper()
	s := serde.NewSerializer(httpClient(t, fake.URL()), serde.SerializerConfig{AutoRegister: true})
	if err := s.Warm(testCtx(t), orders.Contracts()...); err != nil {
		t.Fatal(err)
	}
}

// TestAutoRegisterWithReferences: the serializer registers the referenced
// schemas under their subjects before the event, and the event with its
// references.
func TestAutoRegisterWithReferences(t *testing.T) {
	fake := registrytest.NewServer(t)
	registerOrders(t, fake)
	ctx := testCtx(t)
	c := httpClient(t, fake.URL())
	for _, subject := range []string{"com.example.orders.Money", "com.example.orders.CafeRef"} {
		if got := fake.Versions(subject); len(got) != 1 {
			t.Errorf("%s has versions %v, want one", subject, got)
		}
	}
	v, err := c.SchemaByVersion(ctx, orders.OrderPlacedContract.Subject, registry.Latest)
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.Reference{
		{Name: "com.example.orders.Money", Subject: "com.example.orders.Money", Version: 1},
		{Name: "com.example.orders.CafeRef", Subject: "com.example.orders.CafeRef", Version: 1},
	}
	if v.Text != orders.OrderPlacedContract.Schema || !cmp.Equal(v.References, want) {
		t.Errorf("registered %s with references %v, want %v", v.Text, v.References, want)
	}
}

// TestWarmFindsTheReferencedVersionByContent: the reference's version is
// the one whose schema is the contract's, not the latest.
func TestWarmFindsTheReferencedVersionByContent(t *testing.T) {
	fake := registrytest.NewServer(t)
	money := orders.OrderPaidContract.References[0]
	fake.Register(money.Subject, money.Schema)
	newer := strings.Replace(money.Schema, `"doc":"An amount`, `"doc":"A newer amount`, 1)
	fake.Register(money.Subject, newer)
	// The event is registered with a reference to version 1.
	if _, _, err := fake.RegisterSchema(orders.OrderPaidContract.Subject, registrytest.Schema{Text: orders.OrderPaidContract.Schema,
		References: []registrytest.Reference{{Name: money.Name, Subject: money.Subject, Version: 1}}}); err != nil {
		t.Fatal(err)
	}
	s := serde.NewSerializer(httpClient(t, fake.URL()), serde.SerializerConfig{})
	if err := s.Warm(testCtx(t), orders.OrderPaidContract); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	// Without the referenced schema registered, Warm says which is missing.
	empty := registrytest.NewServer(t)
	s = serde.NewSerializer(httpClient(t, empty.URL()), serde.SerializerConfig{})
	err := s.Warm(testCtx(t), orders.OrderPaidContract)
	if !errors.Is(err, registry.ErrSubjectNotFound) || !strings.Contains(err.Error(), `referenced type com.example.orders.Money under subject "com.example.orders.Money"`) {
		t.Errorf("Warm without the shared type: %v", err)
	}
}

// TestRoundTripWithReferences: the deserializer fetches the writer by id
// with its references and decodes on the fast path; a newer writer of one
// record type (order.paid v2, a new optional field) is resolved to the
// reader's.
func TestRoundTripWithReferences(t *testing.T) {
	fake := registrytest.NewServer(t)
	registerOrders(t, fake)
	ctx := testCtx(t)
	ser := serde.NewSerializer(httpClient(t, fake.URL()), serde.SerializerConfig{})
	de := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	msg, _, err := ser.Append(ctx, nil, placedOrder())
	if err != nil {
		t.Fatal(err)
	}
	var got orders.OrderPlaced
	if _, err := de.Decode(ctx, msg, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(placedOrder(), &got); diff != "" {
		t.Errorf("decoded (-sent +got):\n%s", diff)
	}
	if name, err := de.WriterName(ctx, msg); err != nil || name != "com.example.orders.OrderPlaced" {
		t.Errorf("WriterName = %q, %v", name, err)
	}
	// Another record of the topic's is no OrderPlaced.
	if _, err := de.Decode(ctx, msg, &orders.OrderPaid{}); !errors.Is(err, serde.ErrSchemaMismatch) {
		t.Errorf("OrderPlaced read as OrderPaid: err = %v, want ErrSchemaMismatch", err)
	}

	v2 := strings.Replace(orders.OrderPaidContract.Schema, `{"name":"paid_at"`, `{"name":"payment_method","type":["null","string"],"default":null},{"name":"paid_at"`, 1)
	refs := []registrytest.Reference{{Name: "com.example.orders.Money", Subject: "com.example.orders.Money", Version: 1}}
	id, _, err := fake.RegisterSchema(orders.OrderPaidContract.Subject, registrytest.Schema{Text: v2, References: refs})
	if err != nil {
		t.Fatal(err)
	}
	// v2's body: order_id, amount, payment_method "card", paid_at.
	body := []byte{6, 'o', '-', '2', 6, 'E', 'U', 'R', 0x88, 0x0e, 2, 8, 'c', 'a', 'r', 'd'}
	body = append(body, mustAvro(t, &orders.OrderPaid{PaidAt: orderAt})[3:]...) // the timestamp, after three zero bytes: "", Money{"", 0}
	var paid orders.OrderPaid
	if _, err := de.Decode(ctx, append(wireHeader(id), body...), &paid); err != nil {
		t.Fatalf("decoding order.paid v2 as v1: %v", err)
	}
	want := orders.OrderPaid{OrderID: "o-2", Amount: orders.Money{Currency: "EUR", AmountCents: 900}, PaidAt: orderAt}
	if diff := cmp.Diff(want, paid); diff != "" {
		t.Errorf("v2 read as v1 (-want +got):\n%s", diff)
	}
}

func mustAvro(t *testing.T, e contract.Event) []byte {
	t.Helper()
	b, err := e.AppendAvro(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReferencesKeepMessagesFree: once warm, the per-message paths of an
// event with references make no registry call and no allocation; the
// writer's references are fetched once, by version, whatever the number
// of messages.
func TestReferencesKeepMessagesFree(t *testing.T) {
	fake := registrytest.NewServer(t)
	registerOrders(t, fake)
	ctx := context.Background()
	ser := serde.NewSerializer(httpClient(t, fake.URL()), serde.SerializerConfig{})
	de := serde.NewDeserializer(httpClient(t, fake.URL()), serde.DeserializerConfig{})
	if err := ser.Warm(ctx, orders.Contracts()...); err != nil {
		t.Fatal(err)
	}
	e := placedOrder()
	msg, _, err := ser.Append(ctx, nil, e)
	if err != nil {
		t.Fatal(err)
	}
	var got orders.OrderPlaced
	if _, err := de.Decode(ctx, msg, &got); err != nil {
		t.Fatal(err)
	}
	before := fake.Requests()
	buf := make([]byte, 0, 256)
	appends := testing.AllocsPerRun(200, func() {
		if buf, _, err = ser.Append(ctx, buf[:0], e); err != nil {
			t.Fatal(err)
		}
	})
	// Decoding allocates what the event holds (strings, the items), the
	// same with references as without: the decoder is the event's own.
	decodes := testing.AllocsPerRun(200, func() {
		if _, err := de.Decode(ctx, msg, &got); err != nil {
			t.Fatal(err)
		}
	})
	own := testing.AllocsPerRun(200, func() {
		if err := got.UnmarshalAvro(msg[5:]); err != nil {
			t.Fatal(err)
		}
	})
	if !race.Enabled && (appends != 0 || decodes > own) {
		t.Errorf("Append allocates %.1f times, Decode %.1f (UnmarshalAvro alone %.1f); want 0 and no more than UnmarshalAvro", appends, decodes, own)
	}
	if n := fake.Requests() - before; n != 0 {
		t.Errorf("%d registry requests for the messages, want 0", n)
	}
	// The writer's schema and its two references: one request each.
	fresh := registrytest.NewServer(t)
	registerOrders(t, fresh)
	de = serde.NewDeserializer(httpClient(t, fresh.URL()), serde.DeserializerConfig{})
	before = fresh.Requests()
	for range 3 {
		if _, err := de.Decode(ctx, msg, &got); err != nil {
			t.Fatal(err)
		}
	}
	if n := fresh.Requests() - before; n != 3 {
		t.Errorf("%d requests to read the writer schema, want 3 (by id, then each reference's version)", n)
	}
}
