package sdktest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// sdkClientScenario drives a registry through the SDK's own client and
// checks every answer, sentinel errors included. It runs against Registry
// and against the real registry.
func sdkClientScenario(t *testing.T, url string) {
	ctx := context.Background()
	c, err := registry.New(registry.Config{URLs: []string{url}, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	subject := fmt.Sprintf("sdk%d-value", time.Now().UnixNano())
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	wantErr := func(what string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", what, err, want)
		}
	}

	_, _, err = c.LookupID(ctx, subject, confA)
	wantErr("lookup under an unknown subject", err, registry.ErrSubjectNotFound)
	_, err = c.Versions(ctx, subject)
	wantErr("versions of an unknown subject", err, registry.ErrSubjectNotFound)
	_, err = c.SchemaByVersion(ctx, subject, registry.Latest)
	wantErr("latest of an unknown subject", err, registry.ErrSubjectNotFound)

	if l, set, err := c.SubjectCompatibility(ctx, subject); err != nil || set || l != "" {
		t.Errorf("SubjectCompatibility of an unknown subject = %q, %v, %v; want unset", l, set, err)
	}
	if ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, confA); err != nil || !ok || len(reasons) != 0 {
		t.Errorf("CheckCompatibilityAll on an unknown subject = %v, %v, %v; want compatible", ok, reasons, err)
	}
	must(c.SetCompatibility(ctx, subject, contract.Backward))
	if l, set, err := c.SubjectCompatibility(ctx, subject); err != nil || !set || l != contract.Backward {
		t.Errorf("SubjectCompatibility = %q, %v, %v; want BACKWARD, set", l, set, err)
	}
	l, err := c.Compatibility(ctx, subject)
	must(err)
	if l != contract.Backward {
		t.Errorf("Compatibility = %s, want BACKWARD", l)
	}

	idA, err := c.Register(ctx, subject, confA)
	must(err)
	again, err := c.Register(ctx, subject, confAws)
	must(err)
	if again != idA {
		t.Errorf("re-registering (other layout) gave id %d, want %d", again, idA)
	}
	id, version, err := c.LookupID(ctx, subject, confA)
	must(err)
	if id != idA || version != 1 {
		t.Errorf("LookupID = %d, %d; want %d, 1", id, version, idA)
	}
	_, _, err = c.LookupID(ctx, subject, confB)
	wantErr("lookup of a schema not registered", err, registry.ErrSchemaNotFound)
	byID, err := c.SchemaByID(ctx, idA)
	must(err)
	if byID.Text != confA {
		t.Errorf("SchemaByID = %s, want %s", byID.Text, confA)
	}
	_, err = c.SchemaByID(ctx, 2147480000)
	wantErr("unknown id", err, registry.ErrSchemaNotFound)

	idB, err := c.Register(ctx, subject, confB)
	must(err)
	if idB == idA {
		t.Errorf("a new schema got the id of another")
	}
	versions, err := c.Versions(ctx, subject)
	must(err)
	if !cmp.Equal(versions, []int{1, 2}) {
		t.Errorf("Versions = %v", versions)
	}
	s, err := c.SchemaByVersion(ctx, subject, 2)
	must(err)
	if s.ID != idB || s.Version != 2 || s.Text != confB || s.Subject != subject {
		t.Errorf("SchemaByVersion(2) = %+v", s)
	}
	s, err = c.SchemaByVersion(ctx, subject, registry.Latest)
	must(err)
	if s.Version != 2 || s.ID != idB {
		t.Errorf("SchemaByVersion(Latest) = %+v", s)
	}
	_, err = c.SchemaByVersion(ctx, subject, 3)
	wantErr("a version past the last", err, registry.ErrVersionNotFound)

	ok, reasons, err := c.CheckCompatibility(ctx, subject, confC)
	must(err)
	if ok || len(reasons) == 0 {
		t.Errorf("CheckCompatibility(incompatible) = %v, %v", ok, reasons)
	}
	ok, reasons, err = c.CheckCompatibility(ctx, subject, confA)
	must(err)
	if !ok || len(reasons) != 0 {
		t.Errorf("CheckCompatibility(compatible) = %v, %v", ok, reasons)
	}
	ok, reasons, err = c.CheckCompatibilityAll(ctx, subject, confC)
	must(err)
	if ok || len(reasons) == 0 {
		t.Errorf("CheckCompatibilityAll(incompatible) = %v, %v", ok, reasons)
	}
	_, err = c.Register(ctx, subject, confC)
	wantErr("incompatible", err, registry.ErrIncompatible)
	var re *registry.Error
	if !errors.As(err, &re) || re.StatusCode != 409 || re.Code != registry.CodeIncompatible || re.Message == "" {
		t.Errorf("incompatible: %#v", re)
	}
	_, err = c.Register(ctx, subject, `{"type":"record","name":"X"}`)
	wantErr("invalid", err, registry.ErrInvalidSchema)
	if !errors.As(err, &re) || re.StatusCode != 422 || re.Code != registry.CodeInvalidSchema {
		t.Errorf("invalid: %#v", re)
	}
	if versions, _ := c.Versions(ctx, subject); len(versions) != 2 {
		t.Errorf("refused schemas were registered: %v", versions)
	}
}

func TestSDKClientFake(t *testing.T) { sdkClientScenario(t, NewRegistry(t).URL()) }

func TestSDKClientReal(t *testing.T) { sdkClientScenario(t, itest.Registry(t)) }

// TestNewRegistersContracts checks the registry New sets up: every
// contract's schema under its subject, at its level.
func TestNewRegistersContracts(t *testing.T) {
	env := New(t, events.Contracts(), WithoutKafka())
	if env.Cluster != nil || env.BootstrapServers != "" {
		t.Errorf("WithoutKafka started a cluster")
	}
	c := env.RegistryClient()
	ctx := context.Background()
	if len(env.Contracts) == 0 {
		t.Fatal("no default contracts")
	}
	for _, k := range env.Contracts {
		id, version, err := c.LookupID(ctx, k.Subject, k.Schema)
		if err != nil || version != 1 {
			t.Errorf("%s: LookupID: %d, %d, %v", k.Subject, id, version, err)
			continue
		}
		byID, err := c.SchemaByID(ctx, id)
		if err != nil || byID.Text != k.Schema {
			t.Errorf("%s: SchemaByID(%d) = %q, %v", k.Subject, id, byID.Text, err)
		}
		if l, err := c.Compatibility(ctx, k.Subject); err != nil || l != k.Compatibility {
			t.Errorf("%s: level %s, %v; want %s", k.Subject, l, err, k.Compatibility)
		}
	}
	var topics []string
	for _, k := range env.Contracts {
		topics = append(topics, k.Topic, k.Topic+".dlq")
	}
	if diff := cmp.Diff(topics, env.Topics); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
}

func TestNewWithContracts(t *testing.T) {
	k := &contract.Contract{Type: "a.b", Name: "conf.A", Topic: "t.a", Subject: "t.a-value", Compatibility: contract.FullTransitive, Schema: confA}
	env := New(t, []*contract.Contract{k}, WithoutKafka(), WithGlobalCompatibility(contract.None), WithTopics("extra", "t.a"))
	if diff := cmp.Diff([]string{"t.a", "t.a.dlq", "extra"}, env.Topics); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
	c := env.RegistryClient()
	if l, _ := c.Compatibility(context.Background(), "t.a-value"); l != contract.FullTransitive {
		t.Errorf("subject level %s", l)
	}
	if l, _ := c.Compatibility(context.Background(), "other"); l != contract.None {
		t.Errorf("global level %s", l)
	}
	if _, err := c.Register(context.Background(), "t.a-value", confC); !errors.Is(err, registry.ErrIncompatible) {
		t.Errorf("FULL_TRANSITIVE accepted an incompatible schema: %v", err)
	}
}

// TestRegistryConcurrent registers from many goroutines (run with -race):
// identical schemas get one id, and every version lands once.
func TestRegistryConcurrent(t *testing.T) {
	r := NewRegistry(t)
	r.SetGlobalCompatibility(contract.None)
	c, err := registry.New(registry.Config{URLs: []string{r.URL()}, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	const workers, schemas = 8, 5
	text := func(i int) string {
		return fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"a","type":"int"}]}`, i)
	}
	ids := make([][]int, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < schemas; i++ {
				subject := fmt.Sprintf("s%d", (w+i)%3)
				id, err := c.Register(context.Background(), subject, text(i))
				if err != nil {
					t.Error(err)
					return
				}
				ids[w] = append(ids[w], id)
				if _, err := c.SchemaByID(context.Background(), id); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for w := 1; w < workers; w++ {
		if !cmp.Equal(ids[w], ids[0]) {
			t.Errorf("worker %d got ids %v, worker 0 %v", w, ids[w], ids[0])
		}
	}
	seen := map[int]bool{}
	for _, id := range ids[0] {
		if seen[id] {
			t.Errorf("two schemas share id %d: %v", id, ids[0])
		}
		seen[id] = true
	}
	for s := 0; s < 3; s++ {
		versions := r.Versions(fmt.Sprintf("s%d", s))
		distinct := map[int]bool{}
		for _, id := range versions {
			if distinct[id] {
				t.Errorf("subject s%d holds id %d twice: %v", s, id, versions)
			}
			distinct[id] = true
		}
		if len(versions) != schemas {
			t.Errorf("subject s%d has %d versions, want %d", s, len(versions), schemas)
		}
	}
}

func TestRegistryGoAPI(t *testing.T) {
	r := NewRegistry(t)
	id, v, err := r.Register("s", confA)
	if err != nil || v != 1 || id <= 0 {
		t.Fatalf("Register = %d, %d, %v", id, v, err)
	}
	if _, _, err := r.Register("s", confC); !errors.Is(err, registry.ErrIncompatible) {
		t.Errorf("incompatible: %v", err)
	}
	if _, _, err := r.Register("s", `{"type":"nope"}`); !errors.Is(err, registry.ErrInvalidSchema) {
		t.Errorf("invalid: %v", err)
	}
	r.SetCompatibility("s", contract.None)
	if _, v, err := r.Register("s", confC); err != nil || v != 2 {
		t.Errorf("at NONE: %d, %v", v, err)
	}
	if got := r.Versions("s"); len(got) != 2 || got[0] != id {
		t.Errorf("Versions = %v", got)
	}
	if r.Requests() != 0 {
		t.Errorf("the Go API made %d HTTP requests", r.Requests())
	}
}
