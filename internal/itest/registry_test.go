package itest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// registryDo sends a request with the registry's content type and decodes a
// JSON answer into out, returning the status code.
func registryDo(t *testing.T, method, u string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	client := &http.Client{Timeout: waitLimit}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, u, err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %s: decoding %q: %v", method, u, resp.Status, data, err)
		}
	}
	return resp.StatusCode
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
	return v
}

func TestRegistryRegistersAndServesSchemaByID(t *testing.T) {
	reg := Registry(t)
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	avsc, err := os.ReadFile(filepath.Join(root, "avro", "deadline_passed.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	subject := Topic(t, "lunch-bot.deadlines") + "-value"
	versionsURL := reg + "/subjects/" + url.PathEscape(subject) + "/versions"

	var first, second struct {
		ID int `json:"id"`
	}
	if code := registryDo(t, http.MethodPost, versionsURL, map[string]string{"schema": string(avsc)}, &first); code != http.StatusOK {
		t.Fatalf("register: status %d", code)
	}
	if first.ID <= 0 {
		t.Fatalf("register returned id %d", first.ID)
	}
	if code := registryDo(t, http.MethodPost, versionsURL, map[string]string{"schema": string(avsc)}, &second); code != http.StatusOK {
		t.Fatalf("register again: status %d", code)
	}
	if second.ID != first.ID {
		t.Errorf("registering the same schema again gave id %d, first gave %d", second.ID, first.ID)
	}

	var byID struct {
		Schema string `json:"schema"`
	}
	if code := registryDo(t, http.MethodGet, reg+"/schemas/ids/"+strconv.Itoa(first.ID), nil, &byID); code != http.StatusOK {
		t.Fatalf("GET /schemas/ids/%d: status %d", first.ID, code)
	}
	if diff := cmp.Diff(decodeJSON(t, string(avsc)), decodeJSON(t, byID.Schema)); diff != "" {
		t.Errorf("schema read back by id differs from the registered one (-registered +read):\n%s", diff)
	}

	var versions []int
	if code := registryDo(t, http.MethodGet, versionsURL, nil, &versions); code != http.StatusOK {
		t.Fatalf("GET versions: status %d", code)
	}
	if diff := cmp.Diff([]int{1}, versions); diff != "" {
		t.Errorf("versions of %s (-want +got):\n%s", subject, diff)
	}

	var missing struct {
		ErrorCode int `json:"error_code"`
	}
	unknown := first.ID + 1_000_000
	if code := registryDo(t, http.MethodGet, reg+"/schemas/ids/"+strconv.Itoa(unknown), nil, &missing); code != http.StatusNotFound || missing.ErrorCode != 40403 {
		t.Errorf("GET /schemas/ids/%d: status %d, error_code %d; want 404 and 40403 (schema not found)", unknown, code, missing.ErrorCode)
	}
}

// registerSchema registers schema under subject and returns its id.
func registerSchema(t *testing.T, reg, subject, schema string) int {
	t.Helper()
	var resp struct {
		ID int `json:"id"`
	}
	u := reg + "/subjects/" + url.PathEscape(subject) + "/versions"
	if code := registryDo(t, http.MethodPost, u, map[string]string{"schema": schema}, &resp); code != http.StatusOK || resp.ID <= 0 {
		t.Fatalf("POST %s: status %d, id %d", u, code, resp.ID)
	}
	return resp.ID
}

// schemaByID returns the status of GET /schemas/ids/{id} and the schema.
func schemaByID(t *testing.T, reg string, id int) (int, string) {
	t.Helper()
	var resp struct {
		Schema string `json:"schema"`
	}
	code := registryDo(t, http.MethodGet, reg+"/schemas/ids/"+strconv.Itoa(id), nil, &resp)
	return code, resp.Schema
}

const smallSchema = `{"type":"record","name":"Ping","namespace":"itest","fields":[{"name":"n","type":"long"}]}`

// The control for the restart tests that keep data: without a data
// directory the restarted broker has lost the topic, and a registry on
// memory storage has lost its schemas.
func TestRestartInMemoryLosesEverything(t *testing.T) {
	s := Start(t, Options{InMemory: true})
	topic := Topic(t, "itest.restart-mem")
	produce(t, s.BrokerAddr, topic, []record{{Key: "k", Value: "v"}})
	if _, ok := metadataTopics(t, s.BrokerAddr)[topic]; !ok {
		t.Fatalf("topic %s missing right after producing to it", topic)
	}
	id := registerSchema(t, s.RegistryURL, topic+"-value", smallSchema)
	s.Restart()
	if n, ok := metadataTopics(t, s.BrokerAddr)[topic]; ok {
		t.Errorf("in-memory broker still has topic %s (%d partitions) after Restart", topic, n)
	}
	if code, schema := schemaByID(t, s.RegistryURL, id); code != http.StatusNotFound {
		t.Errorf("memory registry after Restart: GET /schemas/ids/%d status %d (%q); want 404", id, code, schema)
	}
}

func TestRestartKeepsRegistrySchemasInPostgres(t *testing.T) {
	s := Start(t, Options{RegistryPostgres: true})
	subject := Topic(t, "itest.pg") + "-value"
	id := registerSchema(t, s.RegistryURL, subject, smallSchema)
	s.Restart()
	code, schema := schemaByID(t, s.RegistryURL, id)
	if code != http.StatusOK {
		t.Fatalf("after Restart: GET /schemas/ids/%d status %d; want 200", id, code)
	}
	if diff := cmp.Diff(decodeJSON(t, smallSchema), decodeJSON(t, schema)); diff != "" {
		t.Errorf("schema %d after Restart (-registered +read):\n%s", id, diff)
	}
	if again := registerSchema(t, s.RegistryURL, subject, smallSchema); again != id {
		t.Errorf("registering the same schema after Restart gave id %d; before it was %d", again, id)
	}
}
