package registry_test

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

const (
	refMoney = `{"type":"record","name":"Money","namespace":"t","fields":[{"name":"cents","type":"long"}]}`
	refCafe  = `{"type":"record","name":"CafeRef","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"deposit","type":"t.Money"}]}`
	refOrder = `{"type":"record","name":"Order","namespace":"t","fields":[{"name":"cafe","type":"t.CafeRef"},{"name":"total","type":"t.Money"}]}`
)

var (
	toMoney = registry.Reference{Name: "t.Money", Subject: "t.Money", Version: 1}
	toCafe  = registry.Reference{Name: "t.CafeRef", Subject: "t.CafeRef", Version: 1}
)

// registerRefs registers Money, CafeRef (which references Money) and Order
// (both) through the client, and returns Order's id.
func registerRefs(t *testing.T, c *registry.HTTPClient) int {
	t.Helper()
	ctx := ctx(t)
	if _, err := c.Register(ctx, "t.Money", refMoney); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register(ctx, "t.CafeRef", refCafe, toMoney); err != nil {
		t.Fatal(err)
	}
	id, err := c.Register(ctx, "orders-value", refOrder, toCafe, toMoney)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestReferencesRegisteredLookedUpAndReturned(t *testing.T) {
	fake := registrytest.NewServer(t)
	c := newClient(t, fastConfig(fake.URL()))
	ctx := ctx(t)
	id := registerRefs(t, c)
	refs := []registry.Reference{toCafe, toMoney}

	// A fresh client: nothing cached.
	c = newClient(t, fastConfig(fake.URL()))
	got, version, err := c.LookupID(ctx, "orders-value", refOrder, refs...)
	if err != nil || got != id || version != 1 {
		t.Fatalf("LookupID with the references = %d, %d, %v; want %d, 1", got, version, err, id)
	}
	// The same text without its references is another schema.
	if _, _, err := c.LookupID(ctx, "orders-value", refOrder); !errors.Is(err, registry.ErrSchemaNotFound) {
		t.Errorf("LookupID without the references: err = %v, want ErrSchemaNotFound", err)
	}
	byID, err := c.SchemaByID(ctx, id)
	if err != nil || byID.Text != refOrder || !cmp.Equal(byID.References, refs) {
		t.Errorf("SchemaByID = %+v, %v; want the text and %v", byID, err, refs)
	}
	v, err := c.SchemaByVersion(ctx, "t.CafeRef", 1)
	if err != nil || v.Text != refCafe || !cmp.Equal(v.References, []registry.Reference{toMoney}) {
		t.Errorf("SchemaByVersion(t.CafeRef, 1) = %+v, %v", v, err)
	}
	// A reference to a version that does not exist makes the schema
	// invalid, on every request that carries it.
	bad := registry.Reference{Name: "t.Money", Subject: "t.Money", Version: 7}
	if _, err := c.Register(ctx, "orders-value", refOrder, bad); !errors.Is(err, registry.ErrInvalidSchema) {
		t.Errorf("Register with a missing reference: err = %v, want ErrInvalidSchema", err)
	}
	if _, _, err := c.CheckCompatibilityAll(ctx, "orders-value", refOrder, bad); !errors.Is(err, registry.ErrInvalidSchema) {
		t.Errorf("CheckCompatibilityAll with a missing reference: err = %v, want ErrInvalidSchema", err)
	}
	if ok, _, err := c.CheckCompatibility(ctx, "orders-value", refOrder, refs...); err != nil || !ok {
		t.Errorf("CheckCompatibility with the references = %v, %v", ok, err)
	}
}

func TestResolveReferences(t *testing.T) {
	fake := registrytest.NewServer(t)
	c := newClient(t, fastConfig(fake.URL()))
	ctx := ctx(t)
	id := registerRefs(t, c)
	c = newClient(t, fastConfig(fake.URL()))
	s, err := c.SchemaByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := registry.ResolveReferences(ctx, c, s.References)
	if err != nil {
		t.Fatal(err)
	}
	// Dependencies first, each once: Money (through CafeRef), CafeRef; the
	// second reference to Money adds nothing.
	var texts, names []string
	for _, r := range got {
		texts, names = append(texts, r.Text), append(names, r.Name)
	}
	if !cmp.Equal(texts, []string{refMoney, refCafe}) || !cmp.Equal(names, []string{"t.Money", "t.CafeRef"}) {
		t.Errorf("ResolveReferences = %v %v, want Money then CafeRef", names, texts)
	}
	// The versions are cached: resolving again asks nothing.
	before := fake.Requests()
	if _, err := registry.ResolveReferences(ctx, c, s.References); err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests() - before; n != 0 {
		t.Errorf("resolving again made %d requests, want 0", n)
	}
	if _, err := registry.ResolveReferences(ctx, c, []registry.Reference{{Name: "x", Subject: "nope", Version: 1}}); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Errorf("a reference to a subject that does not exist: err = %v", err)
	}
}

// A registry that answers with a reference cycle is a bad response, not an
// endless walk.
func TestResolveReferencesCycle(t *testing.T) {
	fake := registrytest.NewServer(t)
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		_, _ = io.WriteString(w, `{"subject":"a","id":1,"version":1,"schema":"{}","references":[{"name":"a","subject":"a","version":1}]}`)
		return true
	})
	c := newClient(t, fastConfig(fake.URL()))
	_, err := registry.ResolveReferences(ctx(t), c, []registry.Reference{{Name: "a", Subject: "a", Version: 1}})
	if !errors.Is(err, registry.ErrBadResponse) {
		t.Errorf("err = %v, want ErrBadResponse", err)
	}
}
