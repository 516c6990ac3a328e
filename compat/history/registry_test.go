package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// subjectFor returns a subject no other test of this process uses (the
// tests share one registry).
func subjectFor(t *testing.T) string {
	return fmt.Sprintf("%s-%d-value", t.Name(), time.Now().UnixNano())
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.avsc")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRegistryPrevious reads versions from the real schema registry.
func TestRegistryPrevious(t *testing.T) {
	ctx := context.Background()
	url := itest.Registry(t)
	client, err := registry.New(registry.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	src := NewRegistry(client, url)
	subject := subjectFor(t)
	v1 := record(`{"name":"a","type":"int"}`)
	v2 := record(`{"name":"a","type":"int"},{"name":"b","type":"string","default":""}`)
	v3 := record(`{"name":"a","type":"int"},{"name":"b","type":"string","default":""},{"name":"c","type":"long","default":0}`)

	// A subject the registry does not know: nothing before, the global
	// level.
	vs, err := src.Previous(ctx, Schema{File: writeFile(t, v1), Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Versions) != 0 || vs.Registered != nil || vs.Level == "" || vs.Where != "registry "+url {
		t.Errorf("unknown subject: %+v", vs)
	}

	id1, err := client.Register(ctx, subject, v1)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := client.Register(ctx, subject, v2)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SetCompatibility(ctx, subject, contract.ForwardTransitive); err != nil {
		t.Fatal(err)
	}

	vs, err = src.Previous(ctx, Schema{File: writeFile(t, v3), Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	want := []got{{1, fmt.Sprintf("id %d", id1), 1}, {2, fmt.Sprintf("id %d", id2), 2}}
	if diff := cmp.Diff(want, summarize(vs)); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if vs.Versions[1].ID != id2 || vs.Level != contract.ForwardTransitive || vs.Registered != nil || len(vs.Skipped) != 0 {
		t.Errorf("versions: %+v", vs)
	}

	// The schema of the file, laid out differently, is already version 2.
	vs, err = src.Previous(ctx, Schema{File: writeFile(t, "{\n  "+v2[1:]), Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	if vs.Registered == nil || vs.Registered.Number != 2 || vs.Registered.ID != id2 || len(vs.Versions) != 2 {
		t.Errorf("registered: %+v", vs)
	}
}

// TestRegistryPreviousSkipsWhatDoesNotParse registers a schema the
// registry accepts and Avro Java (and this project) refuses: a field named
// with "nAme" (the registry's Avro library reads attribute names without
// regard to case).
func TestRegistryPreviousSkipsWhatDoesNotParse(t *testing.T) {
	ctx := context.Background()
	url := itest.Registry(t)
	client, err := registry.New(registry.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	subject := subjectFor(t)
	if err := client.SetCompatibility(ctx, subject, contract.None); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Register(ctx, subject, record(`{"nAme":"a","type":"int"}`)); err != nil {
		t.Skipf("the registry refuses the nameless field now (%v): nothing to skip", err)
	}
	ok := record(`{"name":"a","type":"int"}`)
	if _, err := client.Register(ctx, subject, ok); err != nil {
		t.Fatal(err)
	}
	vs, err := NewRegistry(client, url).Previous(ctx, Schema{File: writeFile(t, ok), Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Skipped) != 1 || vs.Skipped[0].Ref[:9] != "version 1" || len(vs.Versions) != 1 || vs.Versions[0].Number != 2 || vs.Registered == nil {
		t.Errorf("got %+v", vs)
	}
	t.Logf("skipped: %+v", vs.Skipped)
}

func TestRegistryPreviousErrors(t *testing.T) {
	ctx := context.Background()
	client, err := registry.New(registry.Config{URLs: []string{"http://127.0.0.1:1"}, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewRegistry(client, "http://127.0.0.1:1").Previous(ctx, Schema{File: writeFile(t, record("")), Subject: "s"})
	if !errors.Is(err, ErrSource) || !errors.Is(err, registry.ErrUnreachable) {
		t.Errorf("unreachable: %v", err)
	}
}
