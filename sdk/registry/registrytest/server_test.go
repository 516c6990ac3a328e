package registrytest_test

import (
	"net/http"
	"testing"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

// TestWithoutCheck: any JSON text is a schema, and two texts that are the
// same JSON are one schema.
func TestWithoutCheck(t *testing.T) {
	srv := registrytest.NewServer(t)
	id := register(t, srv, "s", `{"type":"object","$schema":"http://json-schema.org/draft-07/schema#"}`, nil)
	if again := register(t, srv, "s", "{ \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n \"type\": \"object\" }", nil); again != id {
		t.Errorf("the same JSON, other key order and white space: id %d, want %d", again, id)
	}
	if other := srv.Register("s", `{"type":"object","$schema":"http://json-schema.org/draft-04/schema#"}`); other == id {
		t.Errorf("another schema got id %d too", id)
	}
	status, m := object(t, srv, "POST", "/subjects/s/versions", body(`{"type":`, nil))
	wantError(t, "not JSON", status, m, 422, registry.CodeInvalidSchema)
	status, m = object(t, srv, "POST", "/subjects/s/versions", map[string]any{"schema": schemaA, "schemaType": "PROTOBUF"})
	wantError(t, "not Avro", status, m, 422, registry.CodeInvalidSchema)
	status, m = object(t, srv, "PUT", "/config/s", map[string]string{"compatibility": "SIDEWAYS"})
	wantError(t, "an unknown level", status, m, 422, 42203)
	status, m = object(t, srv, "DELETE", "/subjects/s", nil)
	wantError(t, "an endpoint the fake lacks", status, m, 404, 404)
}

func TestInterceptAndRequests(t *testing.T) {
	srv := registrytest.NewServer(t)
	srv.Register("s", schemaA) // the Go API makes no request
	srv.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet {
			return false
		}
		registrytest.WriteError(w, http.StatusServiceUnavailable, 50003, "injected")
		return true
	})
	status, m := object(t, srv, "GET", "/subjects/s/versions/1", nil)
	wantError(t, "intercepted", status, m, 503, 50003)
	if status, m := object(t, srv, "POST", "/subjects/s", body(schemaA, nil)); status != 200 || m["version"] != float64(1) {
		t.Errorf("passed on: %d %v", status, m)
	}
	srv.SetIntercept(nil)
	if status, _ := object(t, srv, "GET", "/subjects/s/versions/1", nil); status != 200 {
		t.Errorf("after SetIntercept(nil): %d", status)
	}
	if n := srv.Requests(); n != 3 {
		t.Errorf("Requests() = %d, want 3", n)
	}
}
