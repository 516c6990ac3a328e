package registry_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func TestMain(m *testing.M) { itest.Main(m) }

// uniqueSubject keeps tests apart on the shared registry.
func uniqueSubject(t *testing.T) string {
	return fmt.Sprintf("itest-registry-%s-%d-value", t.Name(), time.Now().UnixNano())
}

func TestIntegrationRoundTrips(t *testing.T) {
	c := newClient(t, registry.Config{URLs: []string{itest.Registry(t)}})
	ctx := ctx(t)
	subject := uniqueSubject(t)

	if _, _, err := c.LookupID(ctx, subject, schemaV1); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Fatalf("LookupID on a new subject: err = %v, want ErrSubjectNotFound", err)
	}
	id1, err := c.Register(ctx, subject, schemaV1)
	if err != nil {
		t.Fatalf("Register v1: %v", err)
	}
	if again, err := c.Register(ctx, subject, schemaV1); err != nil || again != id1 {
		t.Fatalf("Register v1 again = %d, %v; want %d", again, err, id1)
	}
	if _, _, err := c.LookupID(ctx, subject, schemaV2); !errors.Is(err, registry.ErrSchemaNotFound) {
		t.Fatalf("LookupID of an unregistered schema: err = %v, want ErrSchemaNotFound", err)
	}
	if err := c.SetCompatibility(ctx, subject, contract.Backward); err != nil {
		t.Fatalf("SetCompatibility: %v", err)
	}
	if level, err := c.Compatibility(ctx, subject); err != nil || level != contract.Backward {
		t.Fatalf("Compatibility = %q, %v", level, err)
	}

	ok, reasons, err := c.CheckCompatibility(ctx, subject, schemaV2)
	if err != nil || !ok {
		t.Fatalf("CheckCompatibility v2 = %v, %v, %v; want compatible", ok, reasons, err)
	}
	// a: int -> string cannot read v1 data.
	const broken = `{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"string"}]}`
	ok, reasons, err = c.CheckCompatibility(ctx, subject, broken)
	if err != nil || ok || len(reasons) == 0 {
		t.Fatalf("CheckCompatibility broken = %v, %q, %v; want incompatible with reasons", ok, reasons, err)
	}
	t.Logf("registry's reasons: %q", reasons)
	if _, err := c.Register(ctx, subject, broken); !errors.Is(err, registry.ErrIncompatible) {
		t.Fatalf("Register broken: err = %v, want ErrIncompatible", err)
	}

	id2, err := c.Register(ctx, subject, schemaV2)
	if err != nil {
		t.Fatalf("Register v2: %v", err)
	}
	id, version, err := c.LookupID(ctx, subject, schemaV2)
	if err != nil || id != id2 || version != 2 {
		t.Fatalf("LookupID v2 = %d, %d, %v; want %d, 2", id, version, err, id2)
	}
	versions, err := c.Versions(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 2}, versions); diff != "" {
		t.Errorf("Versions (-want +got):\n%s", diff)
	}
	latest, err := c.SchemaByVersion(ctx, subject, registry.Latest)
	if err != nil || latest.ID != id2 || latest.Version != 2 || latest.Subject != subject {
		t.Fatalf("SchemaByVersion latest = %+v, %v", latest, err)
	}
	first, err := c.SchemaByVersion(ctx, subject, 1)
	if err != nil || first.ID != id1 {
		t.Fatalf("SchemaByVersion 1 = %+v, %v", first, err)
	}
	if _, err := c.SchemaByVersion(ctx, subject, 9); !errors.Is(err, registry.ErrVersionNotFound) {
		t.Errorf("SchemaByVersion 9: err = %v, want ErrVersionNotFound", err)
	}
	// A fresh client (empty caches) gets the schema by id from the registry.
	fresh := newClient(t, registry.Config{URLs: []string{itest.Registry(t)}})
	byID, err := fresh.SchemaByID(ctx, id1)
	if err != nil || byID.Text == "" {
		t.Fatalf("SchemaByID(%d) = %+v, %v", id1, byID, err)
	}
	if _, err := fresh.SchemaByID(ctx, 1<<30); !errors.Is(err, registry.ErrSchemaNotFound) {
		t.Errorf("SchemaByID of an unknown id: err = %v, want ErrSchemaNotFound", err)
	}
	if _, err := fresh.Versions(ctx, subject+"-nope"); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Errorf("Versions of an unknown subject: err = %v, want ErrSubjectNotFound", err)
	}
}

func TestIntegrationFailoverToTheRealRegistry(t *testing.T) {
	c := newClient(t, fastConfig(closedURL(t), itest.Registry(t)))
	subject := uniqueSubject(t)
	if _, err := c.Register(ctx(t), subject, schemaV1); err != nil {
		t.Fatalf("Register through failover: %v", err)
	}
	if st := c.Stats(); st.Retries != 1 {
		t.Errorf("Stats = %+v, want 1 retry (the dead URL)", st)
	}
}

// TestIntegrationSubjectLevelAndCheckAll checks SubjectCompatibility and
// CheckCompatibilityAll against the real registry, and what it answers for
// a subject it does not know.
func TestIntegrationSubjectLevelAndCheckAll(t *testing.T) {
	c := newClient(t, registry.Config{URLs: []string{itest.Registry(t)}})
	ctx := ctx(t)
	subject := uniqueSubject(t)

	// A subject the registry does not know: no level of its own, and every
	// schema acceptable (axonops answers is_compatible=true for both check
	// endpoints).
	if level, set, err := c.SubjectCompatibility(ctx, subject); err != nil || set || level != "" {
		t.Fatalf("SubjectCompatibility of an unknown subject = %q, %v, %v; want unset", level, set, err)
	}
	if ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, schemaV1); err != nil || !ok || reasons != nil {
		t.Fatalf("CheckCompatibilityAll on an unknown subject = %v, %q, %v; want compatible", ok, reasons, err)
	}
	if ok, reasons, err := c.CheckCompatibility(ctx, subject, schemaV1); err != nil || !ok || reasons != nil {
		t.Fatalf("CheckCompatibility on an unknown subject = %v, %q, %v; want compatible", ok, reasons, err)
	}

	// v1 {a: int}, then at NONE v2 {a: int, b: string} (b without default).
	if _, err := c.Register(ctx, subject, schemaV1); err != nil {
		t.Fatal(err)
	}
	if level, set, err := c.SubjectCompatibility(ctx, subject); err != nil || set {
		t.Fatalf("SubjectCompatibility with no level of its own = %q, %v, %v; want unset", level, set, err)
	}
	if err := c.SetCompatibility(ctx, subject, contract.None); err != nil {
		t.Fatal(err)
	}
	const v2 = `{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}`
	if _, err := c.Register(ctx, subject, v2); err != nil {
		t.Fatal(err)
	}
	// v3 {b: string} reads v2's data but not v1's (b has no default).
	const v3 = `{"type":"record","name":"R","namespace":"t","fields":[{"name":"b","type":"string"}]}`

	if err := c.SetCompatibility(ctx, subject, contract.BackwardTransitive); err != nil {
		t.Fatal(err)
	}
	if level, set, err := c.SubjectCompatibility(ctx, subject); err != nil || !set || level != contract.BackwardTransitive {
		t.Fatalf("SubjectCompatibility = %q, %v, %v; want BACKWARD_TRANSITIVE, set", level, set, err)
	}
	// At BACKWARD_TRANSITIVE the latest version alone accepts v3; all the
	// versions do not, and neither does registering.
	if ok, reasons, err := c.CheckCompatibility(ctx, subject, v3); err != nil || !ok {
		t.Errorf("CheckCompatibility (latest) v3 = %v, %q, %v; want compatible", ok, reasons, err)
	}
	ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, v3)
	if err != nil || ok || len(reasons) == 0 {
		t.Fatalf("CheckCompatibilityAll v3 = %v, %q, %v; want incompatible with reasons", ok, reasons, err)
	}
	t.Logf("registry's reasons: %q", reasons)
	if _, err := c.Register(ctx, subject, v3); !errors.Is(err, registry.ErrIncompatible) {
		t.Errorf("Register v3 at BACKWARD_TRANSITIVE: err = %v, want ErrIncompatible", err)
	}
	// At BACKWARD the level compares with the latest version only.
	if err := c.SetCompatibility(ctx, subject, contract.Backward); err != nil {
		t.Fatal(err)
	}
	if ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, v3); err != nil || !ok {
		t.Errorf("CheckCompatibilityAll v3 at BACKWARD = %v, %q, %v; want compatible", ok, reasons, err)
	}
	if _, _, err := c.CheckCompatibilityAll(ctx, subject, `{"type":"record"`); !errors.Is(err, registry.ErrInvalidSchema) {
		t.Errorf("CheckCompatibilityAll of an invalid schema: err = %v, want ErrInvalidSchema", err)
	}
}
