package sdktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
)

// The conformance table: REST calls with the answers a Confluent-compatible
// registry gives. It runs against Registry and against the real registry
// (axonops-schema-registry, through internal/itest), so that the fake keeps
// answering as the real one does.

const (
	confA = `{"type":"record","name":"A","namespace":"conf","fields":[{"name":"a","type":"int"}]}`
	// confAws is confA with other white space and key order.
	confAws = "{ \"name\": \"A\", \"type\": \"record\", \"namespace\": \"conf\",\n  \"fields\": [ {\"type\": \"int\", \"name\": \"a\"} ] }"
	// confB adds an optional field: BACKWARD compatible with confA.
	confB = `{"type":"record","name":"A","namespace":"conf","fields":[{"name":"a","type":"int"},{"name":"note","type":["null","string"],"default":null}]}`
	// confC changes a's type: incompatible with both.
	confC = `{"type":"record","name":"A","namespace":"conf","fields":[{"name":"a","type":"string"}]}`
	// confT2 adds a required field to confA (only NONE accepts it); confT3
	// adds an optional one to confT2: BACKWARD against confT2 only.
	confT2 = `{"type":"record","name":"A","namespace":"conf","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}`
	confT3 = `{"type":"record","name":"A","namespace":"conf","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long","default":0}]}`
	// confR is registered with and without a reference to confA, which it
	// does not use.
	confR = `{"type":"record","name":"R","namespace":"conf","fields":[{"name":"r","type":"int"}]}`
	// confU uses conf.A, which only a reference defines; confU2 adds an
	// optional field (BACKWARD compatible), confU3 makes the field an int
	// (incompatible with the conf.A record of the reference).
	confU  = `{"type":"record","name":"U","namespace":"conf","fields":[{"name":"a","type":"conf.A"}]}`
	confU2 = `{"type":"record","name":"U","namespace":"conf","fields":[{"name":"a","type":"conf.A"},{"name":"n","type":["null","conf.A"],"default":null}]}`
	confU3 = `{"type":"record","name":"U","namespace":"conf","fields":[{"name":"a","type":"int"}]}`
)

// confStep is one call and what must come back.
type confStep struct {
	name   string
	method string
	// path, with {p} replaced by the run's subject prefix and {id:X} by
	// the id captured as X.
	path string
	// body is marshalled to JSON, then {p} and {id:X} replaced; raw, when
	// set, is sent as is.
	body any
	raw  string
	// status and code (the error_code; 0 for none) of the answer.
	status, code int
	// id: the answer's "id" is the one captured as id, or is captured as id
	// when none is yet. notID: it differs from the one captured as notID.
	id, notID string
	// want holds fields the JSON answer must have, with {p} and {id:X}
	// replaced in string values.
	want map[string]any
	// check, when set, checks the decoded answer further; expand replaces
	// the placeholders of a string.
	check func(t *testing.T, answer any, expand func(string) string)
}

func schemaBody(s string) map[string]string { return map[string]string{"schema": s} }

func level(l string) map[string]string { return map[string]string{"compatibility": l} }

// ref is a schema reference; subject may hold {p}.
type ref struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// toA is a reference to confA as version 1 of {p}s1.
var toA = ref{"conf.A", "{p}s1", 1}

func schemaRefs(s string, refs ...ref) map[string]any {
	return map[string]any{"schema": s, "references": refs}
}

// referencesAre checks an answer's references; with none, that the answer
// has no "references" field, as Confluent's registry omits it.
func referencesAre(want ...ref) func(*testing.T, any, func(string) string) {
	return func(t *testing.T, answer any, expand func(string) string) {
		t.Helper()
		m, _ := answer.(map[string]any)
		raw, present := m["references"]
		if len(want) == 0 {
			if present {
				t.Errorf("references %v, want none and no field", raw)
			}
			return
		}
		var wantAny []any
		for _, r := range want {
			wantAny = append(wantAny, map[string]any{"name": r.Name, "subject": expand(r.Subject), "version": float64(r.Version)})
		}
		if !cmp.Equal(raw, wantAny) {
			t.Errorf("references %v, want %v", raw, wantAny)
		}
	}
}

// isCompatible checks a compatibility answer; verbose asks for messages
// when incompatible.
func isCompatible(want, messages bool) func(*testing.T, any, func(string) string) {
	return func(t *testing.T, answer any, _ func(string) string) {
		t.Helper()
		m, _ := answer.(map[string]any)
		if got, ok := m["is_compatible"].(bool); !ok || got != want {
			t.Errorf("is_compatible = %v, want %v", m["is_compatible"], want)
		}
		msgs, _ := m["messages"].([]any)
		if messages && len(msgs) == 0 {
			t.Errorf("no messages in %v", m)
		}
		if !messages && len(msgs) > 0 {
			t.Errorf("messages without verbose, or for a compatible schema: %v", m)
		}
	}
}

func versionsAre(want ...float64) func(*testing.T, any, func(string) string) {
	return func(t *testing.T, answer any, _ func(string) string) {
		t.Helper()
		got, _ := answer.([]any)
		var nums []float64
		for _, v := range got {
			f, _ := v.(float64)
			nums = append(nums, f)
		}
		if !cmp.Equal(nums, want) {
			t.Errorf("versions %v, want %v", answer, want)
		}
	}
}

func containsSubjects(subjects ...string) func(*testing.T, any, func(string) string) {
	return func(t *testing.T, answer any, expand func(string) string) {
		t.Helper()
		got, _ := answer.([]any)
		for _, s := range subjects {
			s = expand(s)
			found := false
			for _, g := range got {
				found = found || g == s
			}
			if !found {
				t.Errorf("GET /subjects lacks %s", s)
			}
		}
	}
}

func hasLevel(t *testing.T, answer any, _ func(string) string) {
	t.Helper()
	m, _ := answer.(map[string]any)
	if s, _ := m["compatibilityLevel"].(string); s == "" {
		t.Errorf("no compatibilityLevel in %v", answer)
	}
}

var confSteps = []confStep{
	// An unknown subject.
	{name: "versions of an unknown subject", method: "GET", path: "/subjects/{p}s1/versions", status: 404, code: 40401},
	{name: "a version of an unknown subject", method: "GET", path: "/subjects/{p}s1/versions/1", status: 404, code: 40401},
	{name: "latest of an unknown subject", method: "GET", path: "/subjects/{p}s1/versions/latest", status: 404, code: 40401},
	{name: "lookup under an unknown subject", method: "POST", path: "/subjects/{p}s1", body: schemaBody(confA), status: 404, code: 40401},
	{name: "no subject level", method: "GET", path: "/config/{p}s1", status: 404, code: 40408},
	{name: "subject level defaulting to global", method: "GET", path: "/config/{p}s1?defaultToGlobal=true", status: 200, check: hasLevel},
	{name: "compatible with an unknown subject (latest)", method: "POST", path: "/compatibility/subjects/{p}s1/versions/latest?verbose=true", body: schemaBody(confA), status: 200, check: isCompatible(true, false)},
	{name: "compatible with an unknown subject (all)", method: "POST", path: "/compatibility/subjects/{p}s1/versions?verbose=true", body: schemaBody(confA), status: 200, check: isCompatible(true, false)},
	{name: "a version of an unknown subject to check against", method: "POST", path: "/compatibility/subjects/{p}s1/versions/1", body: schemaBody(confA), status: 404, code: 40402},

	// Levels.
	{name: "set a subject level", method: "PUT", path: "/config/{p}s1", body: level("BACKWARD"), status: 200, want: map[string]any{"compatibility": "BACKWARD"}},
	{name: "read it", method: "GET", path: "/config/{p}s1", status: 200, want: map[string]any{"compatibilityLevel": "BACKWARD"}},
	{name: "an unknown level", method: "PUT", path: "/config/{p}s1", body: level("BOGUS"), status: 422, code: 42203},
	{name: "the level is unchanged", method: "GET", path: "/config/{p}s1", status: 200, want: map[string]any{"compatibilityLevel": "BACKWARD"}},
	{name: "the global level", method: "GET", path: "/config", status: 200, check: hasLevel},

	// Registering, ids.
	{name: "register", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(confA), status: 200, id: "A"},
	{name: "register again: the same id", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(confA), status: 200, id: "A"},
	{name: "white space and key order do not matter", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(confAws), status: 200, id: "A"},
	{name: "one version", method: "GET", path: "/subjects/{p}s1/versions", status: 200, check: versionsAre(1)},
	{name: "the same schema under another subject: the same id", method: "POST", path: "/subjects/{p}s2/versions", body: schemaBody(confA), status: 200, id: "A"},
	{name: "lookup", method: "POST", path: "/subjects/{p}s1", body: schemaBody(confA), status: 200, id: "A", want: map[string]any{"subject": "{p}s1", "version": float64(1)}},
	{name: "lookup, other layout", method: "POST", path: "/subjects/{p}s1", body: schemaBody(confAws), status: 200, id: "A", want: map[string]any{"version": float64(1)}},
	{name: "lookup of a schema not registered", method: "POST", path: "/subjects/{p}s1", body: schemaBody(confB), status: 404, code: 40403},
	{name: "register a compatible version", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(confB), status: 200, id: "B", notID: "A"},
	{name: "two versions", method: "GET", path: "/subjects/{p}s1/versions", status: 200, check: versionsAre(1, 2)},
	{name: "version 2", method: "GET", path: "/subjects/{p}s1/versions/2", status: 200, id: "B", want: map[string]any{"subject": "{p}s1", "version": float64(2), "schema": confB}},
	{name: "version 1", method: "GET", path: "/subjects/{p}s1/versions/1", status: 200, id: "A", want: map[string]any{"version": float64(1), "schema": confA}},
	{name: "latest", method: "GET", path: "/subjects/{p}s1/versions/latest", status: 200, id: "B", want: map[string]any{"version": float64(2)}},
	{name: "-1 is latest", method: "GET", path: "/subjects/{p}s1/versions/-1", status: 200, id: "B", want: map[string]any{"version": float64(2)}},
	{name: "a version past the last", method: "GET", path: "/subjects/{p}s1/versions/3", status: 404, code: 40402},
	{name: "a version that is not a number", method: "GET", path: "/subjects/{p}s1/versions/abc", status: 422, code: 42202},
	{name: "version 0", method: "GET", path: "/subjects/{p}s1/versions/0", status: 422, code: 42202},
	{name: "schema by id, as first registered", method: "GET", path: "/schemas/ids/{id:A}", status: 200, want: map[string]any{"schema": confA}},
	{name: "an unknown id", method: "GET", path: "/schemas/ids/2147480000", status: 404, code: 40403},
	{name: "subjects", method: "GET", path: "/subjects", status: 200, check: containsSubjects("{p}s1", "{p}s2")},

	// Incompatible and invalid schemas.
	{name: "register an incompatible schema", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(confC), status: 409, code: 409},
	{name: "still two versions", method: "GET", path: "/subjects/{p}s1/versions", status: 200, check: versionsAre(1, 2)},
	{name: "check against latest, verbose", method: "POST", path: "/compatibility/subjects/{p}s1/versions/latest?verbose=true", body: schemaBody(confC), status: 200, check: isCompatible(false, true)},
	{name: "check against latest, terse", method: "POST", path: "/compatibility/subjects/{p}s1/versions/latest", body: schemaBody(confC), status: 200, check: isCompatible(false, false)},
	{name: "check against version 1", method: "POST", path: "/compatibility/subjects/{p}s1/versions/1?verbose=true", body: schemaBody(confC), status: 200, check: isCompatible(false, true)},
	{name: "check against every version", method: "POST", path: "/compatibility/subjects/{p}s1/versions?verbose=true", body: schemaBody(confC), status: 200, check: isCompatible(false, true)},
	{name: "check against a missing version", method: "POST", path: "/compatibility/subjects/{p}s1/versions/9", body: schemaBody(confC), status: 404, code: 40402},
	{name: "a compatible schema checks compatible", method: "POST", path: "/compatibility/subjects/{p}s1/versions/latest?verbose=true", body: schemaBody(confA), status: 200, check: isCompatible(true, false)},
	{name: "register an invalid schema", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(`{"type":"record"}`), status: 422, code: 42201},
	{name: "register a schema that is not JSON", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(`{`), status: 422, code: 42201},
	{name: "register an unknown type", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(`"Nope"`), status: 422, code: 42201},
	{name: "register nothing", method: "POST", path: "/subjects/{p}s1/versions", body: map[string]string{}, status: 422, code: 42201},
	{name: "a body that is not JSON", method: "POST", path: "/subjects/{p}s1/versions", raw: `{"schema":`, status: 400, code: 42201},
	{name: "look up an invalid schema", method: "POST", path: "/subjects/{p}s1", body: schemaBody(`{`), status: 422, code: 42201},
	{name: "still two versions after the invalid ones", method: "GET", path: "/subjects/{p}s1/versions", status: 200, check: versionsAre(1, 2)},
	{name: "level NONE accepts anything", method: "PUT", path: "/config/{p}s1", body: level("NONE"), status: 200},
	{name: "register the incompatible schema at NONE", method: "POST", path: "/subjects/{p}s1/versions", body: schemaBody(confC), status: 200, id: "C", notID: "B"},

	// Transitive levels: against every version, or the latest only.
	{name: "NONE to set up a broken history", method: "PUT", path: "/config/{p}s3", body: level("NONE"), status: 200},
	{name: "history version 1", method: "POST", path: "/subjects/{p}s3/versions", body: schemaBody(confA), status: 200, id: "A"},
	{name: "history version 2 (required field added)", method: "POST", path: "/subjects/{p}s3/versions", body: schemaBody(confT2), status: 200, id: "T2"},
	{name: "BACKWARD_TRANSITIVE", method: "PUT", path: "/config/{p}s3", body: level("BACKWARD_TRANSITIVE"), status: 200, want: map[string]any{"compatibility": "BACKWARD_TRANSITIVE"}},
	{name: "transitive: checked against every version", method: "POST", path: "/compatibility/subjects/{p}s3/versions?verbose=true", body: schemaBody(confT3), status: 200, check: isCompatible(false, true)},
	{name: "transitive: against latest only", method: "POST", path: "/compatibility/subjects/{p}s3/versions/latest?verbose=true", body: schemaBody(confT3), status: 200, check: isCompatible(true, false)},
	{name: "transitive: register refused", method: "POST", path: "/subjects/{p}s3/versions", body: schemaBody(confT3), status: 409, code: 409},
	{name: "a schema already registered is accepted whatever the level", method: "POST", path: "/subjects/{p}s3/versions", body: schemaBody(confT2), status: 200, id: "T2"},
	{name: "BACKWARD", method: "PUT", path: "/config/{p}s3", body: level("BACKWARD"), status: 200},
	{name: "BACKWARD: against the latest, accepted", method: "POST", path: "/subjects/{p}s3/versions", body: schemaBody(confT3), status: 200, id: "T3"},
	{name: "three versions", method: "GET", path: "/subjects/{p}s3/versions", status: 200, check: versionsAre(1, 2, 3)},

	// References: stored with the schema, which they make another schema,
	// and returned with it. Where axonops-schema-registry (v0.2.1) differs
	// from Confluent's registry there is no row, and the fake follows
	// Confluent (its own tests, in sdk/registry/registrytest, check that):
	// a lookup or compatibility request with a reference to a missing
	// subject or version is a 422 (42201) there, as the schema does not
	// parse; axonops answers 500, or 404 with 40401 naming the looked-up
	// subject, or 404 with 40402. axonops also takes version -1 in a
	// reference, which the fake refuses as a version that does not exist.
	{name: "a schema without references", method: "POST", path: "/subjects/{p}r1/versions", body: schemaBody(confR), status: 200, id: "R"},
	{name: "the same text with a reference: another schema", method: "POST", path: "/subjects/{p}r1/versions", body: schemaRefs(confR, toA), status: 200, id: "RA", notID: "R"},
	{name: "with the reference again: the same id", method: "POST", path: "/subjects/{p}r1/versions", body: schemaRefs(confR, toA), status: 200, id: "RA"},
	{name: "with the reference under another subject: the same id", method: "POST", path: "/subjects/{p}r2/versions", body: schemaRefs(confR, toA), status: 200, id: "RA"},
	{name: "two versions with references or not", method: "GET", path: "/subjects/{p}r1/versions", status: 200, check: versionsAre(1, 2)},
	{name: "the version with the reference", method: "GET", path: "/subjects/{p}r1/versions/2", status: 200, id: "RA", want: map[string]any{"schema": confR}, check: referencesAre(toA)},
	{name: "the version without: no references field", method: "GET", path: "/subjects/{p}r1/versions/1", status: 200, id: "R", check: referencesAre()},
	{name: "by id, with the reference", method: "GET", path: "/schemas/ids/{id:RA}", status: 200, want: map[string]any{"schema": confR}, check: referencesAre(toA)},
	{name: "by id, without", method: "GET", path: "/schemas/ids/{id:R}", status: 200, check: referencesAre()},
	{name: "lookup with the reference", method: "POST", path: "/subjects/{p}r1", body: schemaRefs(confR, toA), status: 200, id: "RA", want: map[string]any{"version": float64(2)}, check: referencesAre(toA)},
	{name: "lookup without", method: "POST", path: "/subjects/{p}r1", body: schemaBody(confR), status: 200, id: "R", want: map[string]any{"version": float64(1)}, check: referencesAre()},
	{name: "a reference to a version that does not exist", method: "POST", path: "/subjects/{p}r1/versions", body: schemaRefs(confR, ref{"conf.A", "{p}s1", 9}), status: 422, code: 42201},
	{name: "a reference to version 0", method: "POST", path: "/subjects/{p}r1/versions", body: schemaRefs(confR, ref{"conf.A", "{p}s1", 0}), status: 422, code: 42201},
	{name: "a reference to a subject that does not exist", method: "POST", path: "/subjects/{p}r1/versions", body: schemaRefs(confR, ref{"conf.A", "{p}none", 1}), status: 422, code: 42201},
	{name: "still two versions after the missing references", method: "GET", path: "/subjects/{p}r1/versions", status: 200, check: versionsAre(1, 2)},
	{name: "compatibility with a reference", method: "POST", path: "/compatibility/subjects/{p}r1/versions/latest?verbose=true", body: schemaRefs(confR, toA), status: 200, check: isCompatible(true, false)},
	// A schema that uses the type a reference defines, compared with its
	// versions resolved. Without the reference Confluent's registry refuses
	// it (42201: the type is unknown), as the fake does
	// (TestRegistryResolvesReferences); axonops v0.2.1 registers it.
	{name: "a type of a reference used with it", method: "POST", path: "/subjects/{p}u1/versions", body: schemaRefs(confU, toA), status: 200, id: "U"},
	{name: "lookup of the schema that uses it", method: "POST", path: "/subjects/{p}u1", body: schemaRefs(confU, toA), status: 200, id: "U", want: map[string]any{"version": float64(1)}, check: referencesAre(toA)},
	{name: "a compatible version using the referenced type", method: "POST", path: "/compatibility/subjects/{p}u1/versions?verbose=true", body: schemaRefs(confU2, toA), status: 200, check: isCompatible(true, false)},
	{name: "an incompatible version: against the resolved one", method: "POST", path: "/compatibility/subjects/{p}u1/versions?verbose=true", body: schemaBody(confU3), status: 200, check: isCompatible(false, true)},
	{name: "the compatible version registered", method: "POST", path: "/subjects/{p}u1/versions", body: schemaRefs(confU2, toA), status: 200, notID: "U"},

	{name: "an unknown route", method: "GET", path: "/no/such/route", status: 404},
}

var confPlaceholder = regexp.MustCompile(`\{id:([A-Za-z0-9]+)\}`)

// runConformance runs the table against the registry at base.
func runConformance(t *testing.T, base string) {
	prefix := fmt.Sprintf("conf%d-", time.Now().UnixNano())
	ids := map[string]float64{}
	expand := func(s string) string {
		s = strings.ReplaceAll(s, "{p}", prefix)
		return confPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
			return strconv.Itoa(int(ids[confPlaceholder.FindStringSubmatch(m)[1]]))
		})
	}
	for i, st := range confSteps {
		var body io.Reader
		switch {
		case st.raw != "":
			body = strings.NewReader(st.raw)
		case st.body != nil:
			b, _ := json.Marshal(st.body)
			body = strings.NewReader(expand(string(b)))
		}
		req, err := http.NewRequest(st.method, base+expand(st.path), body)
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, st.name, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		label := fmt.Sprintf("step %d (%s): %s %s", i, st.name, st.method, st.path)
		if resp.StatusCode != st.status {
			t.Errorf("%s: status %d, want %d; answer %s", label, resp.StatusCode, st.status, data)
			continue
		}
		var answer any
		if st.status == 404 && st.code == 0 {
			continue // the body of an unknown route differs between servers
		}
		if err := json.Unmarshal(data, &answer); err != nil {
			t.Errorf("%s: answer is not JSON: %s", label, data)
			continue
		}
		obj, _ := answer.(map[string]any)
		if code, _ := obj["error_code"].(float64); int(code) != st.code {
			t.Errorf("%s: error_code %v, want %d; answer %s", label, obj["error_code"], st.code, data)
		}
		if st.code != 0 {
			if msg, _ := obj["message"].(string); msg == "" {
				t.Errorf("%s: error without a message: %s", label, data)
			}
		}
		if st.id != "" || st.notID != "" {
			id, ok := obj["id"].(float64)
			if !ok || id <= 0 {
				t.Errorf("%s: no id in %s", label, data)
				continue
			}
			if st.id != "" {
				if want, seen := ids[st.id]; seen && id != want {
					t.Errorf("%s: id %v, want %v (the id of %s)", label, id, want, st.id)
				} else if !seen {
					ids[st.id] = id
				}
			}
			if other, seen := ids[st.notID]; st.notID != "" && seen && id == other {
				t.Errorf("%s: id %v, want one other than %s's", label, id, st.notID)
			}
		}
		for k, v := range st.want {
			if s, ok := v.(string); ok {
				v = expand(s)
			}
			if !cmp.Equal(obj[k], v) {
				t.Errorf("%s: %s = %v, want %v", label, k, obj[k], v)
			}
		}
		if st.check != nil {
			st.check(t, answer, expand)
		}
	}
}

func TestConformanceFake(t *testing.T) {
	runConformance(t, NewRegistry(t).URL())
}

// TestConformanceReal runs the table against the real registry, so that a
// difference between the fake and the real one shows.
func TestConformanceReal(t *testing.T) {
	runConformance(t, itest.Registry(t))
}
