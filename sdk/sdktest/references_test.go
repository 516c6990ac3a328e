package sdktest

import (
	"context"
	"errors"
	"strings"
	"testing"

	orders "github.com/lunchbot/eventkit/examples/orders/events"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// TestRegistryResolvesReferences: the registry parses a schema with the
// schemas its references name, and checks a new version resolved, so that
// a change to a shared type is checked against each schema that uses it.
func TestRegistryResolvesReferences(t *testing.T) {
	reg := NewRegistry(t)
	paid := orders.OrderPaidContract
	money := paid.References[0]
	if _, _, err := reg.Register(money.Subject, money.Schema); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reg.Register(paid.Subject, paid.Schema); !errors.Is(err, registry.ErrInvalidSchema) || !strings.Contains(err.Error(), "com.example.orders.Money") {
		t.Errorf("a schema using a type without its reference: err = %v, want ErrInvalidSchema naming the type", err)
	}
	v1 := registry.Reference{Name: money.Name, Subject: money.Subject, Version: 1}
	if _, _, err := reg.Register(paid.Subject, paid.Schema, v1); err != nil {
		t.Fatalf("with the reference: %v", err)
	}
	// Money v2 (amount_cents a string) passes its own subject at NONE, but
	// order.paid referencing it is another order.paid, which BACKWARD
	// refuses: events written with v1 cannot be read.
	reg.SetCompatibility(money.Subject, contract.None)
	moneyV2 := strings.Replace(money.Schema, `"type":"long"`, `"type":"string"`, 1)
	if _, version, err := reg.Register(money.Subject, moneyV2); err != nil || version != 2 {
		t.Fatalf("Money v2: version %d, %v", version, err)
	}
	v2 := registry.Reference{Name: money.Name, Subject: money.Subject, Version: 2}
	_, _, err := reg.Register(paid.Subject, paid.Schema, v2)
	if !errors.Is(err, registry.ErrIncompatible) || !strings.Contains(err.Error(), "amount_cents") {
		t.Errorf("order.paid with the incompatible Money: err = %v, want ErrIncompatible about amount_cents", err)
	}
	// A compatible change of Money (a field with a default) is accepted in
	// order.paid too.
	moneyV3 := strings.Replace(money.Schema, `]}`, `,{"name":"note","type":"string","default":""}]}`, 1)
	if _, version, err := reg.Register(money.Subject, moneyV3); err != nil || version != 3 {
		t.Fatalf("Money v3: version %d, %v", version, err)
	}
	if _, version, err := reg.Register(paid.Subject, paid.Schema, registry.Reference{Name: money.Name, Subject: money.Subject, Version: 3}); err != nil || version != 2 {
		t.Errorf("order.paid with the compatible Money: version %d, %v", version, err)
	}
}

// TestNewRegistersReferences: New registers the shared types of the
// contracts before them, and the serde works on the registry it made.
func TestNewRegistersReferences(t *testing.T) {
	env := New(t, orders.Contracts(), WithoutKafka())
	ctx := context.Background()
	c := env.RegistryClient()
	for _, subject := range []string{"com.example.orders.Money", "com.example.orders.CafeRef"} {
		if vs, err := c.Versions(ctx, subject); err != nil || len(vs) != 1 {
			t.Errorf("%s: versions %v, %v; want one", subject, vs, err)
		}
	}
	ser := serde.NewSerializer(c, serde.SerializerConfig{})
	if err := ser.Warm(ctx, orders.Contracts()...); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	e := &orders.OrderCancelled{OrderID: "o-9", Cafe: orders.CafeRef{CafeID: 3, Name: "Bar"}, Reason: "closed"}
	msg, _, err := ser.Append(ctx, nil, e)
	if err != nil {
		t.Fatal(err)
	}
	var got orders.OrderCancelled
	if _, err := serde.NewDeserializer(c, serde.DeserializerConfig{}).Decode(ctx, msg, &got); err != nil || got.Cafe != e.Cafe || got.Reason != e.Reason {
		t.Errorf("Decode = %+v, %v", got, err)
	}
}
