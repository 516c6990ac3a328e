package registrytest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

// answerRefs returns the "references" of an answer, and whether the field
// is there.
func answerRefs(t *testing.T, m map[string]any) ([]registrytest.Reference, bool) {
	t.Helper()
	raw, ok := m["references"]
	if !ok {
		return nil, false
	}
	b, _ := json.Marshal(raw)
	var out []registrytest.Reference
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("references %v: %v", raw, err)
	}
	return out, true
}

func TestReferencesStoredAndReturned(t *testing.T) {
	srv := registrytest.NewServer(t)
	idA := register(t, srv, "base", schemaA, nil)
	toA := refs(registrytest.Reference{Name: "t.A", Subject: "base", Version: 1})

	plain := register(t, srv, "r", schemaM, nil)
	withRef := register(t, srv, "r", schemaM, toA)
	if withRef == plain || withRef == idA {
		t.Fatalf("the same text with a reference got id %d (without: %d, A: %d); want another schema", withRef, plain, idA)
	}
	if again := register(t, srv, "r", schemaM, toA); again != withRef {
		t.Errorf("registering it again: id %d, want %d", again, withRef)
	}
	if other := register(t, srv, "r2", schemaM, toA); other != withRef {
		t.Errorf("under another subject: id %d, want %d", other, withRef)
	}
	if got := srv.Versions("r"); !cmp.Equal(got, []int{plain, withRef}) {
		t.Errorf("Versions(r) = %v, want [%d %d]", got, plain, withRef)
	}

	// Each answer that carries a schema carries its references, and has no
	// "references" field when there are none.
	answers := []struct {
		what, method, path string
		body               any
		want               []registrytest.Reference
		id, version        int
	}{
		{"by id, with", "GET", fmt.Sprintf("/schemas/ids/%d", withRef), nil, toA, 0, 0},
		{"by id, without", "GET", fmt.Sprintf("/schemas/ids/%d", plain), nil, nil, 0, 0},
		{"version 2", "GET", "/subjects/r/versions/2", nil, toA, withRef, 2},
		{"latest", "GET", "/subjects/r/versions/latest", nil, toA, withRef, 2},
		{"version 1", "GET", "/subjects/r/versions/1", nil, nil, plain, 1},
		{"lookup, with", "POST", "/subjects/r", body(schemaM, toA), toA, withRef, 2},
		{"lookup, without", "POST", "/subjects/r", body(schemaM, nil), nil, plain, 1},
	}
	for _, a := range answers {
		status, m := object(t, srv, a.method, a.path, a.body)
		if status != 200 || m["schema"] != schemaM {
			t.Errorf("%s: %d %v", a.what, status, m)
			continue
		}
		got, present := answerRefs(t, m)
		if present != (a.want != nil) || !cmp.Equal(got, a.want) {
			t.Errorf("%s: references %v (present: %v), want %v", a.what, got, present, a.want)
		}
		if a.id != 0 && (m["id"] != float64(a.id) || m["version"] != float64(a.version)) {
			t.Errorf("%s: id %v version %v, want %d and %d", a.what, m["id"], m["version"], a.id, a.version)
		}
	}

	// The Go API registers the same schemas.
	if id, v, err := srv.RegisterSchema("r", registrytest.Schema{Text: schemaM, References: toA}); err != nil || id != withRef || v != 2 {
		t.Errorf("RegisterSchema = %d, %d, %v; want %d, 2", id, v, err, withRef)
	}
}

func TestMissingReferenceRefused(t *testing.T) {
	srv := registrytest.NewServer(t)
	register(t, srv, "base", schemaA, nil)
	register(t, srv, "r", schemaM, nil)
	missing := map[string]registrytest.Reference{
		"unknown subject":       {Name: "t.A", Subject: "nope", Version: 1},
		"version past the last": {Name: "t.A", Subject: "base", Version: 2},
		"version 0":             {Name: "t.A", Subject: "base", Version: 0},
	}
	for what, ref := range missing {
		for _, ep := range []struct{ name, path string }{
			{"register", "/subjects/r/versions"},
			{"lookup", "/subjects/r"},
			{"compatibility", "/compatibility/subjects/r/versions?verbose=true"},
			{"compatibility with latest", "/compatibility/subjects/r/versions/latest"},
		} {
			status, m := object(t, srv, "POST", ep.path, body(schemaM, refs(ref)))
			wantError(t, ep.name+", "+what, status, m, 422, registry.CodeInvalidSchema)
		}
		if _, _, err := srv.RegisterSchema("r", registrytest.Schema{Text: schemaM, References: refs(ref)}); !errors.Is(err, registry.ErrInvalidSchema) {
			t.Errorf("RegisterSchema, %s: err = %v, want ErrInvalidSchema", what, err)
		}
	}
	if got := srv.Versions("r"); len(got) != 1 {
		t.Errorf("Versions(r) = %v after the refused registrations, want one version", got)
	}
}
