package history

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/registry"
)

const (
	hMoney1 = `{"type":"record","name":"Money","namespace":"h","fields":[{"name":"cents","type":"long"}]}`
	hMoney2 = `{"type":"record","name":"Money","namespace":"h","fields":[{"name":"cents","type":"long"},{"name":"note","type":"string","default":""}]}`
	hPaid1  = `{"type":"record","name":"Paid","namespace":"h","fields":[{"name":"amount","type":"h.Money"}]}`
	hPaid2  = `{"type":"record","name":"Paid","namespace":"h","fields":[{"name":"amount","type":"h.Money"},{"name":"tip","type":["null","h.Money"],"default":null}]}`
	// hInline defines Money itself, as the schema did before Money was
	// shared.
	hInline = `{"type":"record","name":"Paid","namespace":"h","fields":[{"name":"amount","type":` + hMoney1 + `}]}`
)

// moneyFields returns, per version, the number of fields of Paid's Money.
func moneyFields(vs Versions) []got {
	out := []got{}
	for _, v := range vs.Versions {
		out = append(out, got{v.Number, v.Ref, len(v.Schema.Root.Fields[0].Type.Fields)})
	}
	return out
}

// TestGitHistoryWithReferences: a commit that changes only the shared type
// is a version of the schema that uses it, resolved with the shared type
// of that commit; a version that defined the type itself parses alone.
func TestGitHistoryWithReferences(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	c1 := r.commit("inline", "avro/paid.avsc", hInline)
	c2 := r.commit("shared", "avro/paid.avsc", hPaid1, "avro/money.avsc", hMoney1)
	c3 := r.commit("money v2", "avro/money.avsc", hMoney2)
	r.commit("other file", "README", "hello")
	c5 := r.commit("paid v2", "avro/paid.avsc", hPaid2)
	g, err := OpenGit(ctx, r.dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	s := Schema{File: filepath.Join(r.dir, "avro", "paid.avsc"), References: []Reference{{Name: "h.Money", File: filepath.Join(r.dir, "avro", "money.avsc"), Subject: "h.Money"}}}
	vs, err := g.Previous(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	// c2 is c1's schema resolved (the same canonical form), yet a commit of
	// its own: the texts differ, as the registry would see them.
	want := []got{{1, c1, 1}, {2, c2, 1}, {3, c3, 2}, {4, c5, 2}}
	if diff := cmp.Diff(want, moneyFields(vs)); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if len(vs.Skipped) != 0 {
		t.Errorf("skipped %+v", vs.Skipped)
	}
	if vs.Versions[3].Schema.Root.Fields[1].Type.Branches[1] != vs.Versions[3].Schema.Root.Fields[0].Type {
		t.Errorf("version 4's two uses of Money are not one type")
	}
	// A shared type's file missing from the working tree is an error, as
	// the schema's own is.
	s.References[0].File = filepath.Join(r.dir, "avro", "nope.avsc")
	if _, err := g.Previous(ctx, s); err == nil {
		t.Error("a missing shared type's file passed")
	}
}

// TestRegistryPreviousWithReferences reads versions registered with
// references from the real registry: each parsed with the schemas its
// references name; the local schema is found registered when its shared
// type is registered as its file has it.
func TestRegistryPreviousWithReferences(t *testing.T) {
	ctx := context.Background()
	url := itest.Registry(t)
	client, err := registry.New(registry.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	src := NewRegistry(client, url)
	moneySubject, paidSubject := subjectFor(t)+".Money", subjectFor(t)
	if _, err := client.Register(ctx, moneySubject, hMoney1); err != nil {
		t.Fatal(err)
	}
	toV1 := registry.Reference{Name: "h.Money", Subject: moneySubject, Version: 1}
	id, err := client.Register(ctx, paidSubject, hPaid1, toV1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	moneyFile, paidFile := filepath.Join(dir, "money.avsc"), filepath.Join(dir, "paid.avsc")
	for f, text := range map[string]string{moneyFile: hMoney1, paidFile: hPaid1} {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := Schema{File: paidFile, Subject: paidSubject, References: []Reference{{Name: "h.Money", File: moneyFile, Subject: moneySubject}}}
	vs, err := src.Previous(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Versions) != 1 || vs.Versions[0].ID != id || len(vs.Versions[0].Schema.Root.Fields[0].Type.Fields) != 1 {
		t.Fatalf("versions %+v, want the one registered, resolved", vs.Versions)
	}
	if vs.Registered == nil || vs.Registered.Number != 1 || !cmp.Equal(vs.References, []registry.Reference{toV1}) || len(vs.Unregistered) != 0 {
		t.Errorf("registered %+v, references %v, unregistered %v; want version 1 with a reference to Money v1", vs.Registered, vs.References, vs.Unregistered)
	}
	// A new version of the shared type, not registered yet: the schema is
	// not registered as it is, and the registry cannot judge it yet.
	if err := os.WriteFile(moneyFile, []byte(hMoney2), 0o644); err != nil {
		t.Fatal(err)
	}
	vs, err = src.Previous(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if vs.Registered != nil || !cmp.Equal(vs.Unregistered, []string{"h.Money"}) || len(vs.Versions) != 1 {
		t.Errorf("with Money changed: registered %+v, unregistered %v, %d versions", vs.Registered, vs.Unregistered, len(vs.Versions))
	}
	if !strings.HasPrefix(vs.Where, "registry ") {
		t.Errorf("where %q", vs.Where)
	}
}
