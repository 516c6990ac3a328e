package registry_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

const schemaV1 = `{"type":"record","name":"R","namespace":"t","fields":[{"name":"a","type":"int"}]}`

const schemaV2 = `{
  "type": "record", "name": "R", "namespace": "t",
  "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}]
}`

// fastConfig returns a Config for urls with backoffs short enough for
// tests.
func fastConfig(urls ...string) registry.Config {
	return registry.Config{URLs: urls, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func newClient(t *testing.T, cfg registry.Config) *registry.HTTPClient {
	t.Helper()
	c, err := registry.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestRoundTripsAgainstFake(t *testing.T) {
	fake := registrytest.NewServer(t)
	c := newClient(t, fastConfig(fake.URL()))
	ctx := ctx(t)
	const subject = "lunch-bot.deadlines-value"

	if _, _, err := c.LookupID(ctx, subject, schemaV1); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Fatalf("LookupID before Register: err = %v, want ErrSubjectNotFound", err)
	}
	id1, err := c.Register(ctx, subject, schemaV1)
	if err != nil {
		t.Fatalf("Register v1: %v", err)
	}
	if _, _, err := c.LookupID(ctx, subject, schemaV2); !errors.Is(err, registry.ErrSchemaNotFound) {
		t.Fatalf("LookupID of v2 before it is registered: err = %v, want ErrSchemaNotFound", err)
	}
	id2, err := c.Register(ctx, subject, schemaV2)
	if err != nil {
		t.Fatalf("Register v2: %v", err)
	}
	if id1 == id2 {
		t.Fatalf("v1 and v2 got the same id %d", id1)
	}
	id, version, err := c.LookupID(ctx, subject, schemaV2)
	if err != nil || id != id2 || version != 2 {
		t.Fatalf("LookupID v2 = %d, %d, %v; want %d, 2", id, version, err, id2)
	}
	byID, err := c.SchemaByID(ctx, id1)
	if err != nil || byID.Text != schemaV1 || byID.ID != id1 || byID.References != nil {
		t.Fatalf("SchemaByID(%d) = %+v, %v", id1, byID, err)
	}
	if _, err := c.SchemaByID(ctx, 999); !errors.Is(err, registry.ErrSchemaNotFound) {
		t.Fatalf("SchemaByID(999): err = %v, want ErrSchemaNotFound", err)
	}
	versions, err := c.Versions(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 2}, versions); diff != "" {
		t.Errorf("Versions (-want +got):\n%s", diff)
	}
	if _, err := c.Versions(ctx, "nope"); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Errorf("Versions(nope): err = %v, want ErrSubjectNotFound", err)
	}
	s, err := c.SchemaByVersion(ctx, subject, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(registry.Schema{Subject: subject, ID: id1, Version: 1, Text: schemaV1}, s); diff != "" {
		t.Errorf("SchemaByVersion 1 (-want +got):\n%s", diff)
	}
	latest, err := c.SchemaByVersion(ctx, subject, registry.Latest)
	if err != nil || latest.ID != id2 || latest.Version != 2 {
		t.Errorf("SchemaByVersion latest = %+v, %v", latest, err)
	}
	if _, err := c.SchemaByVersion(ctx, subject, 7); !errors.Is(err, registry.ErrVersionNotFound) {
		t.Errorf("SchemaByVersion 7: err = %v, want ErrVersionNotFound", err)
	}

	level, err := c.Compatibility(ctx, subject)
	if err != nil || level != contract.Backward {
		t.Errorf("Compatibility = %q, %v; want the global BACKWARD", level, err)
	}
	if err := c.SetCompatibility(ctx, subject, contract.FullTransitive); err != nil {
		t.Fatal(err)
	}
	if level, err := c.Compatibility(ctx, subject); err != nil || level != contract.FullTransitive {
		t.Errorf("Compatibility after Set = %q, %v", level, err)
	}
	if err := c.SetCompatibility(ctx, subject, "SIDEWAYS"); err == nil {
		t.Errorf("SetCompatibility(SIDEWAYS) succeeded")
	}

	ok, reasons, err := c.CheckCompatibility(ctx, subject, schemaV2)
	if err != nil || !ok || reasons != nil {
		t.Errorf("CheckCompatibility = %v, %v, %v; want compatible", ok, reasons, err)
	}
	fake.SetVerdict(func(string, string) []string { return []string{"field b: no default", "type changed"} })
	ok, reasons, err = c.CheckCompatibility(ctx, subject, schemaV2)
	if err != nil || ok {
		t.Fatalf("CheckCompatibility = %v, %v; want incompatible", ok, err)
	}
	if diff := cmp.Diff([]string{"field b: no default", "type changed"}, reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if _, err := c.Register(ctx, "other-value", schemaV2); !errors.Is(err, registry.ErrIncompatible) {
		t.Errorf("Register refused by the registry: err = %v, want ErrIncompatible", err)
	}
	// The fake, as axonops-schema-registry, answers compatible for a
	// subject it does not know; a registry answering 40401 fails the call.
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		registrytest.WriteError(w, http.StatusNotFound, registry.CodeSubjectNotFound, "Subject 'nope' not found.")
		return true
	})
	if _, _, err := c.CheckCompatibility(ctx, "nope", schemaV1); !errors.Is(err, registry.ErrSubjectNotFound) {
		t.Errorf("CheckCompatibility(nope): err = %v, want ErrSubjectNotFound", err)
	}
}

func TestSubjectCompatibilityAgainstFake(t *testing.T) {
	fake := registrytest.NewServer(t)
	c := newClient(t, fastConfig(fake.URL()))
	ctx := ctx(t)
	const subject = "lunch-bot.deadlines-value"

	// Unknown subject, then a subject with no level of its own: both
	// inherit the global level.
	for _, what := range []string{"unknown subject", "no level of its own"} {
		if level, set, err := c.SubjectCompatibility(ctx, subject); err != nil || set || level != "" {
			t.Errorf("%s: SubjectCompatibility = %q, %v, %v; want unset", what, level, set, err)
		}
		fake.Register(subject, schemaV1)
	}
	if err := c.SetCompatibility(ctx, subject, contract.ForwardTransitive); err != nil {
		t.Fatal(err)
	}
	if level, set, err := c.SubjectCompatibility(ctx, subject); err != nil || !set || level != contract.ForwardTransitive {
		t.Errorf("SubjectCompatibility after Set = %q, %v, %v; want FORWARD_TRANSITIVE, set", level, set, err)
	}

	// A 404 that is not about the subject's level is an error, not "unset".
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		http.NotFound(w, r)
		return true
	})
	if _, set, err := c.SubjectCompatibility(ctx, subject); err == nil || set {
		t.Errorf("plain 404: set %v, err %v; want an error", set, err)
	}
	// A level the SDK does not know is a malformed answer.
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"compatibilityLevel":"SIDEWAYS"}`)
		return true
	})
	if _, _, err := c.SubjectCompatibility(ctx, subject); !errors.Is(err, registry.ErrBadResponse) {
		t.Errorf("unknown level: err = %v, want ErrBadResponse", err)
	}
	// Some registries answer "compatibility" rather than
	// "compatibilityLevel".
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"compatibility":"NONE"}`)
		return true
	})
	if level, set, err := c.SubjectCompatibility(ctx, subject); err != nil || !set || level != contract.None {
		t.Errorf(`{"compatibility":"NONE"}: SubjectCompatibility = %q, %v, %v`, level, set, err)
	}
}

func TestCheckCompatibilityAllAgainstFake(t *testing.T) {
	fake := registrytest.NewServer(t)
	c := newClient(t, fastConfig(fake.URL()))
	ctx := ctx(t)
	const subject = "lunch-bot.daily-tasks-value"

	// A subject the registry does not know accepts every schema, whether
	// the registry answers so (the fake, as axonops-schema-registry) or
	// with 404 (40401).
	if ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, schemaV1); err != nil || !ok || reasons != nil {
		t.Errorf("unknown subject: CheckCompatibilityAll = %v, %v, %v; want compatible", ok, reasons, err)
	}
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		registrytest.WriteError(w, http.StatusNotFound, registry.CodeSubjectNotFound, "Subject '"+subject+"' not found.")
		return true
	})
	if ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, schemaV1); err != nil || !ok || reasons != nil {
		t.Errorf("unknown subject, 40401: CheckCompatibilityAll = %v, %v, %v; want compatible", ok, reasons, err)
	}
	fake.Register(subject, schemaV1)
	var paths []string
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		paths = append(paths, r.Method+" "+r.URL.RequestURI())
		return false
	})
	if ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, schemaV2); err != nil || !ok || reasons != nil {
		t.Errorf("CheckCompatibilityAll = %v, %v, %v; want compatible", ok, reasons, err)
	}
	fake.SetVerdict(func(s, schema string) []string {
		if s == subject && schema == schemaV2 {
			return []string{"against version 1: field b: no default"}
		}
		return nil
	})
	ok, reasons, err := c.CheckCompatibilityAll(ctx, subject, schemaV2)
	if err != nil || ok {
		t.Fatalf("CheckCompatibilityAll = %v, %v; want incompatible", ok, err)
	}
	if diff := cmp.Diff([]string{"against version 1: field b: no default"}, reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	want := []string{
		"POST /compatibility/subjects/" + subject + "/versions?verbose=true",
		"POST /compatibility/subjects/" + subject + "/versions?verbose=true",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}

	// An invalid schema is the registry's 422, not a verdict.
	fake.SetIntercept(nil)
	if _, _, err := c.CheckCompatibilityAll(ctx, subject, `{"type":`); !errors.Is(err, registry.ErrInvalidSchema) {
		t.Errorf("invalid schema: err = %v, want ErrInvalidSchema", err)
	}
	// An answer without is_compatible is malformed.
	fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"messages":[]}`)
		return true
	})
	if _, _, err := c.CheckCompatibilityAll(ctx, subject, schemaV2); !errors.Is(err, registry.ErrBadResponse) {
		t.Errorf("no is_compatible: err = %v, want ErrBadResponse", err)
	}
}

// TestNewCallsShareTheRequestPath checks that SubjectCompatibility and
// CheckCompatibilityAll send the credentials, retry a 503 and bound the
// answer's size as the other calls do.
func TestNewCallsShareTheRequestPath(t *testing.T) {
	calls := map[string]func(c *registry.HTTPClient) error{
		"SubjectCompatibility": func(c *registry.HTTPClient) error {
			_, _, err := c.SubjectCompatibility(context.Background(), "s")
			return err
		},
		"CheckCompatibilityAll": func(c *registry.HTTPClient) error {
			_, _, err := c.CheckCompatibilityAll(context.Background(), "s", schemaV1)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			fake := registrytest.NewServer(t)
			fake.Register("s", schemaV1)
			var hits atomic.Int64
			var auth atomic.Value
			fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				auth.Store(r.Header.Get("Authorization"))
				if hits.Add(1) == 1 {
					registrytest.WriteError(w, http.StatusServiceUnavailable, 50003, "busy")
					return true
				}
				return false
			})
			cfg := fastConfig(fake.URL())
			cfg.Token = "t0ken"
			c := newClient(t, cfg)
			if err := call(c); err != nil {
				t.Fatalf("err = %v", err)
			}
			if st := c.Stats(); st.Requests != 2 || st.Retries != 1 {
				t.Errorf("Stats = %+v, want 2 requests, 1 retry", st)
			}
			if got := auth.Load(); got != "Bearer t0ken" {
				t.Errorf("Authorization = %q", got)
			}

			fake.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"compatibilityLevel":"NONE","is_compatible":true,"pad":"`+strings.Repeat("x", 4096)+`"}`)
				return true
			})
			cfg.MaxResponseBytes = 1024
			if err := call(newClient(t, cfg)); !errors.Is(err, registry.ErrResponseTooLarge) {
				t.Errorf("large answer: err = %v, want ErrResponseTooLarge", err)
			}
		})
	}
}
