package registrytest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

// recorder is a Check that keeps what it was asked and answers what its
// fields say.
type recorder struct {
	calls   []registrytest.CheckInput
	reasons map[string][]string // schema text → reasons
	invalid map[string]bool     // schema texts that are not valid
}

func (r *recorder) check(in registrytest.CheckInput) ([]string, error) {
	r.calls = append(r.calls, in)
	if r.invalid[in.Schema.Text] {
		return nil, errors.New("no good")
	}
	return r.reasons[in.Schema.Text], nil
}

// last returns the last call, and forgets the calls.
func (r *recorder) last(t *testing.T) registrytest.CheckInput {
	t.Helper()
	if len(r.calls) == 0 {
		t.Fatal("the check was not called")
	}
	in := r.calls[len(r.calls)-1]
	r.calls = nil
	return in
}

// TestCheckGetsLevelVersionsAndReferencedTexts follows a chain of
// references, T → M → A, and checks what the Check is handed: the level,
// the previous versions and every referenced text, the ones referenced in
// turn first.
func TestCheckGetsLevelVersionsAndReferencedTexts(t *testing.T) {
	rec := &recorder{}
	srv := registrytest.NewServer(t, registrytest.WithCheck(rec.check))
	register(t, srv, "a", schemaA, nil)
	if diff := cmp.Diff(registrytest.CheckInput{Subject: "a", Level: contract.Backward,
		Schema: registrytest.Resolved{Schema: registrytest.Schema{Text: schemaA}}}, rec.last(t)); diff != "" {
		t.Errorf("a new subject (-want +got):\n%s", diff)
	}

	toA := registrytest.Reference{Name: "t.A", Subject: "a", Version: 1}
	register(t, srv, "m", schemaM, refs(toA))
	wantM := registrytest.Resolved{Schema: registrytest.Schema{Text: schemaM, References: refs(toA)},
		Referenced: []registrytest.Referenced{{Reference: toA, Text: schemaA}}}
	if diff := cmp.Diff(wantM, rec.last(t).Schema); diff != "" {
		t.Errorf("a schema with a reference (-want +got):\n%s", diff)
	}

	srv.SetCompatibility("t", contract.FullTransitive)
	toM := registrytest.Reference{Name: "t.M", Subject: "m", Version: 1}
	idT := register(t, srv, "t", schemaT, refs(toM))
	wantT := registrytest.Resolved{Schema: registrytest.Schema{Text: schemaT, References: refs(toM)},
		Referenced: []registrytest.Referenced{{Reference: toA, Text: schemaA}, {Reference: toM, Text: schemaM}}}
	if diff := cmp.Diff(wantT, rec.last(t).Schema); diff != "" {
		t.Errorf("references of references (-want +got):\n%s", diff)
	}

	// The next version is checked against the previous ones, with their
	// referenced texts.
	const next = `{"type":"record","name":"T","namespace":"t","fields":[{"name":"x","type":"long"}]}`
	register(t, srv, "t", next, nil)
	want := registrytest.CheckInput{Subject: "t", Level: contract.FullTransitive,
		Previous: []registrytest.Version{{Version: 1, ID: idT, Resolved: wantT}},
		Schema:   registrytest.Resolved{Schema: registrytest.Schema{Text: next}}}
	if diff := cmp.Diff(want, rec.last(t)); diff != "" {
		t.Errorf("a second version (-want +got):\n%s", diff)
	}

	// A compatibility request hands over the versions it names.
	for _, c := range []struct {
		path     string
		versions []int
	}{
		{"/compatibility/subjects/t/versions", []int{1, 2}},
		{"/compatibility/subjects/t/versions/latest", []int{2}},
		{"/compatibility/subjects/t/versions/1", []int{1}},
		{"/compatibility/subjects/new/versions", nil},
	} {
		if status, m := object(t, srv, "POST", c.path, body(schemaT, refs(toM))); status != 200 || m["is_compatible"] != true {
			t.Errorf("%s: %d %v", c.path, status, m)
		}
		in := rec.last(t)
		var got []int
		for _, v := range in.Previous {
			got = append(got, v.Version)
		}
		if !cmp.Equal(got, c.versions) || in.ValidateOnly || !cmp.Equal(in.Schema, wantT) {
			t.Errorf("%s: versions %v (want %v), ValidateOnly %v, schema %+v", c.path, got, c.versions, in.ValidateOnly, in.Schema)
		}
	}
}

func TestCheckVerdicts(t *testing.T) {
	const bad, invalid = schemaM, schemaT
	rec := &recorder{reasons: map[string][]string{bad: {"field m: no", "type changed"}}, invalid: map[string]bool{invalid: true}}
	srv := registrytest.NewServer(t, registrytest.WithCheck(rec.check))
	register(t, srv, "s", schemaA, nil)

	status, m := object(t, srv, "POST", "/subjects/s/versions", body(bad, nil))
	wantError(t, "register, incompatible", status, m, 409, registry.CodeIncompatible)
	if msg, _ := m["message"].(string); !strings.Contains(msg, "field m: no, type changed") {
		t.Errorf("409 message %q lacks the reasons", msg)
	}
	status, m = object(t, srv, "POST", "/compatibility/subjects/s/versions?verbose=true", body(bad, nil))
	if status != 200 || m["is_compatible"] != false || !cmp.Equal(m["messages"], []any{"field m: no", "type changed"}) {
		t.Errorf("compatibility, verbose: %d %v", status, m)
	}
	status, m = object(t, srv, "POST", "/compatibility/subjects/s/versions", body(bad, nil))
	if _, has := m["messages"]; status != 200 || m["is_compatible"] != false || has {
		t.Errorf("compatibility, terse: %d %v", status, m)
	}

	// An error from the check is an invalid schema, wherever it is sent.
	for _, path := range []string{"/subjects/s/versions", "/subjects/s", "/compatibility/subjects/s/versions", "/compatibility/subjects/s/versions/9"} {
		status, m := object(t, srv, "POST", path, body(invalid, nil))
		wantError(t, path+", invalid", status, m, 422, registry.CodeInvalidSchema)
	}
	if _, _, err := srv.RegisterSchema("s", registrytest.Schema{Text: invalid}); !errors.Is(err, registry.ErrInvalidSchema) {
		t.Errorf("RegisterSchema, invalid: %v", err)
	}
	if _, _, err := srv.RegisterSchema("s", registrytest.Schema{Text: bad}); !errors.Is(err, registry.ErrIncompatible) {
		t.Errorf("RegisterSchema, incompatible: %v", err)
	}
	rec.calls = nil
	status, m = object(t, srv, "POST", "/compatibility/subjects/s/versions/9", body(schemaA, nil))
	wantError(t, "a version that does not exist", status, m, 404, registry.CodeVersionNotFound)
	if in := rec.last(t); !in.ValidateOnly {
		t.Errorf("a version that does not exist: the check was asked for a verdict, not validation")
	}

	// A lookup that finds nothing only validates; one that finds the
	// schema, or a registration of a schema the subject holds, asks
	// nothing.
	status, m = object(t, srv, "POST", "/subjects/s", body(bad, nil))
	wantError(t, "lookup of a schema not there", status, m, 404, registry.CodeSchemaNotFound)
	if in := rec.last(t); !in.ValidateOnly || in.Previous != nil {
		t.Errorf("lookup: ValidateOnly %v, Previous %v; want validation only", in.ValidateOnly, in.Previous)
	}
	object(t, srv, "POST", "/subjects/s", body(schemaA, nil))
	register(t, srv, "s", schemaA, nil)
	if len(rec.calls) != 0 {
		t.Errorf("the check was asked about a schema the subject holds: %+v", rec.calls)
	}
}

// TestSetVerdict: without a Check the fake answers what SetVerdict says,
// compatible by default, and SetVerdict replaces a Check.
func TestSetVerdict(t *testing.T) {
	rec := &recorder{invalid: map[string]bool{schemaM: true}}
	srv := registrytest.NewServer(t, registrytest.WithCheck(rec.check))
	srv.SetVerdict(func(subject, schema string) []string {
		if subject == "s" && schema == schemaT {
			return []string{"no T here"}
		}
		return nil
	})
	register(t, srv, "s", schemaM, nil) // the Check would call it invalid
	status, m := object(t, srv, "POST", "/subjects/s/versions", body(schemaT, nil))
	wantError(t, "refused by the verdict", status, m, 409, registry.CodeIncompatible)
	status, m = object(t, srv, "POST", "/compatibility/subjects/new/versions?verbose=true", body(schemaT, nil))
	if status != 200 || m["is_compatible"] != true {
		t.Errorf("another subject: %d %v", status, m)
	}
	srv.SetVerdict(nil)
	register(t, srv, "s", schemaT, nil)
	if len(rec.calls) != 0 {
		t.Errorf("the replaced Check was called: %+v", rec.calls)
	}
}
