package events

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hamba/avro/v2"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/sdk/contract"
)

func compactFile(t *testing.T, path string) string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, text); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// references is what a contract's References should be for the shared
// types the manifest says a schema uses.
func references(t *testing.T, uses []*manifest.Type) []contract.Reference {
	var out []contract.Reference
	for _, u := range uses {
		out = append(out, contract.Reference{Name: u.Name, Subject: u.Subject, Schema: compactFile(t, u.SchemaFile), References: references(t, u.Uses)})
	}
	return out
}

// TestContractsMatchManifest checks each contract against the manifest:
// its references are the shared types the schema uses, its canonical form
// and fingerprints the resolved schema's.
func TestContractsMatchManifest(t *testing.T) {
	m, err := manifest.Load("../avro/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	list := Contracts()
	if len(list) != len(m.Events) {
		t.Fatalf("Contracts has %d, the manifest %d events", len(list), len(m.Events))
	}
	for i, e := range m.Events {
		want := contract.Contract{
			Type: e.Type, Name: e.Schema.Root.Name, Topic: e.Topic, Subject: e.Subject,
			Compatibility: e.Compatibility, KeyField: e.KeyField, Schema: compactFile(t, e.SchemaFile),
			References: references(t, e.Uses),
			Canonical:  e.Schema.Canonical(), CRC64: e.Schema.CRC64(), SHA256: e.Schema.SHA256(),
		}
		if diff := cmp.Diff(want, *list[i]); diff != "" {
			t.Errorf("%s: contract (-manifest +generated):\n%s", e.Type, diff)
		}
		if len(want.References) == 0 {
			t.Errorf("%s uses no shared type", e.Type)
		}
	}
	for _, c := range list {
		if c.Topic != "orders" || c.Subject != "orders-"+c.Name {
			t.Errorf("%s: topic %q, subject %q; want orders and TopicRecordNameStrategy", c.Type, c.Topic, c.Subject)
		}
	}
}

// TestEncodingMatchesHamba encodes each event and checks the bytes against
// hamba/avro's encoding of the same value, with the schema resolved from
// its references (parsed into one cache first).
func TestEncodingMatchesHamba(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 30, 0, 123456000, time.UTC)
	eur := func(c int64) Money { return Money{Currency: "EUR", AmountCents: c} }
	refund := eur(450)
	cases := []struct {
		e     contract.Event
		value map[string]any
	}{
		{
			&OrderPlaced{OrderID: "o-1", Cafe: CafeRef{CafeID: 7, Name: "Kaffee"}, Items: []OrderItem{{Name: "flat white", Quantity: 2, Price: eur(350)}}, Total: eur(700), PlacedAt: at},
			map[string]any{"order_id": "o-1", "cafe": map[string]any{"cafe_id": int64(7), "name": "Kaffee"},
				"items": []any{map[string]any{"name": "flat white", "quantity": 2, "price": map[string]any{"currency": "EUR", "amount_cents": int64(350)}}},
				"total": map[string]any{"currency": "EUR", "amount_cents": int64(700)}, "placed_at": at},
		},
		{
			&OrderPaid{OrderID: "o-1", Amount: eur(700), PaidAt: at},
			map[string]any{"order_id": "o-1", "amount": map[string]any{"currency": "EUR", "amount_cents": int64(700)}, "paid_at": at},
		},
		{
			&OrderCancelled{OrderID: "o-1", Cafe: CafeRef{CafeID: 7, Name: "Kaffee"}, Reason: "closed", Refund: &refund, CancelledAt: at},
			map[string]any{"order_id": "o-1", "cafe": map[string]any{"cafe_id": int64(7), "name": "Kaffee"}, "reason": "closed",
				"refund": map[string]any{"com.example.orders.Money": map[string]any{"currency": "EUR", "amount_cents": int64(450)}}, "cancelled_at": at},
		},
	}
	for _, c := range cases {
		ct := c.e.Contract()
		cache := &avro.SchemaCache{}
		for _, r := range ct.Dependencies() {
			if _, err := avro.ParseWithCache(r.Schema, "", cache); err != nil {
				t.Fatalf("%s: reference %s: %v", ct.Type, r.Name, err)
			}
		}
		s, err := avro.ParseWithCache(ct.Schema, "", cache)
		if err != nil {
			t.Fatalf("%s: %v", ct.Type, err)
		}
		want, err := avro.Marshal(s, c.value)
		if err != nil {
			t.Fatalf("%s: hamba: %v", ct.Type, err)
		}
		got, err := c.e.AppendAvro(nil)
		if err != nil {
			t.Fatal(err)
		}
		// hamba reads what the generated code writes as the value...
		var v any
		if err := avro.Unmarshal(s, got, &v); err != nil {
			t.Fatalf("%s: hamba cannot read AppendAvro's %x: %v", ct.Type, got, err)
		}
		if again, err := avro.Marshal(s, v); err != nil || !bytes.Equal(again, want) {
			t.Errorf("%s: hamba read AppendAvro's bytes as another value: %x, want %x (%v)", ct.Type, again, want, err)
		}
		// ...and the generated code reads what hamba writes.
		fresh := newOf(ct)
		if err := fresh.UnmarshalAvro(want); err != nil {
			t.Fatalf("%s: UnmarshalAvro of hamba's bytes: %v", ct.Type, err)
		}
		if diff := cmp.Diff(c.e, fresh); diff != "" {
			t.Errorf("%s: decoded hamba's bytes (-want +got):\n%s", ct.Type, diff)
		}
		if err := c.e.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", ct.Type, err)
		}
	}
}

// newOf returns a new event of the contract's type.
func newOf(c *contract.Contract) contract.Event {
	switch c {
	case OrderPlacedContract:
		return NewOrderPlaced()
	case OrderPaidContract:
		return NewOrderPaid()
	}
	return NewOrderCancelled()
}
