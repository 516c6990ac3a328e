package serde_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

func TestMain(m *testing.M) { itest.Main(m) }

// withSubject returns a copy of c bound to a subject no other test uses.
func withSubject(t *testing.T, c *contract.Contract, tag string) *contract.Contract {
	cp := *c
	cp.Subject = fmt.Sprintf("itest-serde-%s-%s-%d-value", t.Name(), tag, time.Now().UnixNano())
	return &cp
}

// rebound is an event whose contract is replaced.
type reboundV1 struct {
	orderV1
	c *contract.Contract
}

func (r *reboundV1) Contract() *contract.Contract { return r.c }

type reboundV2 struct {
	orderV2
	c *contract.Contract
}

func (r *reboundV2) Contract() *contract.Contract { return r.c }

func TestIntegrationSerializeAndResolveVersions(t *testing.T) {
	client := httpClient(t, itest.Registry(t))
	ctx := testCtx(t)
	v1 := withSubject(t, orderV1Contract, "order")
	v2 := *v1
	v2.Schema, v2.Canonical, v2.CRC64, v2.SHA256 = orderV2Contract.Schema, orderV2Contract.Canonical, orderV2Contract.CRC64, orderV2Contract.SHA256

	s := serde.NewSerializer(client, serde.SerializerConfig{})
	if err := s.Warm(ctx, v1); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Fatalf("Warm before registration: err = %v, want ErrSubjectNotFound", err)
	}
	if err := client.SetCompatibility(ctx, v1.Subject, contract.Backward); err != nil {
		t.Fatal(err)
	}
	id1, err := client.Register(ctx, v1.Subject, v1.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Warm(ctx, v1); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	msgV1, gotID, err := s.Append(ctx, nil, &reboundV1{orderV1{ID: 10, Name: "plov"}, v1})
	if err != nil || gotID != id1 {
		t.Fatalf("Append v1 = %d, %v; want id %d", gotID, err, id1)
	}

	// v2 adds fields with defaults: BACKWARD-compatible, so the registry takes it.
	id2, err := client.Register(ctx, v2.Subject, v2.Schema)
	if err != nil {
		t.Fatalf("Register v2: %v", err)
	}
	msgV2, gotID, err := s.Append(ctx, nil, &reboundV2{orderV2{ID: 11, Name: "lagman", Qty: 4, Note: ptr("extra dill")}, &v2})
	if err != nil || gotID != id2 {
		t.Fatalf("Append v2 = %d, %v; want id %d", gotID, err, id2)
	}

	d := serde.NewDeserializer(httpClient(t, itest.Registry(t)), serde.DeserializerConfig{})
	// Same schema.
	var sameV1 reboundV1
	sameV1.c = v1
	if _, err := d.Decode(ctx, msgV1, &sameV1); err != nil || sameV1.orderV1 != (orderV1{ID: 10, Name: "plov"}) {
		t.Fatalf("v1 read as v1 = %+v, %v", sameV1.orderV1, err)
	}
	// Older writer: the reader's defaults.
	olderAsV2 := reboundV2{c: &v2}
	if _, err := d.Decode(ctx, msgV1, &olderAsV2); err != nil {
		t.Fatalf("v1 read as v2: %v", err)
	}
	if diff := cmp.Diff(orderV2{ID: 10, Name: "plov", Qty: 1}, olderAsV2.orderV2); diff != "" {
		t.Errorf("v1 read as v2 (-want +got):\n%s", diff)
	}
	// Newer writer: its extra fields dropped.
	newerAsV1 := reboundV1{c: v1}
	if _, err := d.Decode(ctx, msgV2, &newerAsV1); err != nil {
		t.Fatalf("v2 read as v1: %v", err)
	}
	if diff := cmp.Diff(orderV1{ID: 11, Name: "lagman"}, newerAsV1.orderV1); diff != "" {
		t.Errorf("v2 read as v1 (-want +got):\n%s", diff)
	}

	// Another subject's schema id, and an id the registry never issued.
	otherC := withSubject(t, otherContract, "other")
	idOther, err := client.Register(ctx, otherC.Subject, otherC.Schema)
	if err != nil {
		t.Fatal(err)
	}
	msgOther := wireOf(t, idOther, &other{ID: 1})
	if _, err := d.Decode(ctx, msgOther, &reboundV1{c: v1}); !errors.Is(err, serde.ErrSchemaMismatch) {
		t.Errorf("another subject's id: err = %v, want ErrSchemaMismatch", err)
	}
	if _, err := d.Decode(ctx, wireOf(t, 1<<30, &other{ID: 1}), &reboundV1{c: v1}); !errors.Is(err, registry.ErrSchemaNotFound) {
		t.Errorf("unknown id: err = %v, want ErrSchemaNotFound", err)
	}
}

func TestIntegrationAutoRegister(t *testing.T) {
	client := httpClient(t, itest.Registry(t))
	ctx := testCtx(t)
	c := withSubject(t, otherContract, "auto")
	s := serde.NewSerializer(client, serde.SerializerConfig{AutoRegister: true})
	msg, id, err := s.Append(ctx, nil, &reboundOther{other{ID: 5}, c})
	if err != nil {
		t.Fatalf("Append with auto-register: %v", err)
	}
	got, _, err := client.LookupID(ctx, c.Subject, c.Schema)
	if err != nil || got != id {
		t.Fatalf("LookupID after auto-register = %d, %v; want %d", got, err, id)
	}
	var back reboundOther
	back.c = c
	if _, err := serde.NewDeserializer(client, serde.DeserializerConfig{}).Decode(ctx, msg, &back); err != nil || back.ID != 5 {
		t.Fatalf("Decode = %+v, %v", back.other, err)
	}
}

type reboundOther struct {
	other
	c *contract.Contract
}

func (r *reboundOther) Contract() *contract.Contract { return r.c }
