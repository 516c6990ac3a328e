package registrytest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

// Schemas of the tests: A, M (which may reference A) and T (which may
// reference M), none using the types it references, so that any parser
// takes them alone.
const (
	schemaA = `{"type":"record","name":"A","namespace":"t","fields":[{"name":"a","type":"int"}]}`
	schemaM = `{"type":"record","name":"M","namespace":"t","fields":[{"name":"m","type":"int"}]}`
	schemaT = `{"type":"record","name":"T","namespace":"t","fields":[{"name":"x","type":"int"}]}`
)

// refs is a "references" list.
func refs(r ...registrytest.Reference) []registrytest.Reference { return r }

// body is a register, lookup or compatibility request.
func body(schema string, references []registrytest.Reference) map[string]any {
	b := map[string]any{"schema": schema}
	if references != nil {
		b["references"] = references
	}
	return b
}

// call sends a request to srv and returns the status and the decoded JSON
// answer; it fails t when the answer is not JSON.
func call(t *testing.T, srv *registrytest.Server, method, path string, reqBody any) (int, any) {
	t.Helper()
	var rd io.Reader
	if reqBody != nil {
		b, err := json.Marshal(reqBody)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var answer any
	if err := json.Unmarshal(data, &answer); err != nil {
		t.Fatalf("%s %s: %d, answer not JSON: %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, answer
}

// object calls and returns the answer as an object.
func object(t *testing.T, srv *registrytest.Server, method, path string, reqBody any) (int, map[string]any) {
	t.Helper()
	status, answer := call(t, srv, method, path, reqBody)
	m, ok := answer.(map[string]any)
	if !ok {
		t.Fatalf("%s %s: %d, answer not an object: %v", method, path, status, answer)
	}
	return status, m
}

// register registers schema over HTTP and returns its id; it fails t when
// the fake refuses it.
func register(t *testing.T, srv *registrytest.Server, subject, schema string, references []registrytest.Reference) int {
	t.Helper()
	status, m := object(t, srv, "POST", "/subjects/"+subject+"/versions", body(schema, references))
	id, _ := m["id"].(float64)
	if status != 200 || id <= 0 {
		t.Fatalf("register %s under %s: %d %v", schema, subject, status, m)
	}
	return int(id)
}

// wantError checks an error answer's status and error code.
func wantError(t *testing.T, what string, status int, m map[string]any, wantStatus, wantCode int) {
	t.Helper()
	if code, _ := m["error_code"].(float64); status != wantStatus || int(code) != wantCode {
		t.Errorf("%s: %d %v, want %d with error code %d", what, status, m, wantStatus, wantCode)
	}
}
