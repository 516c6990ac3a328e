package sdktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Registry is an in-process schema registry over real HTTP: the subset of
// the Confluent Schema Registry REST API the SDK and eventctl use, with the
// registry's status codes, error codes and compatibility rules.
//
//	POST /subjects/{subject}/versions                  register (409 when incompatible)
//	POST /subjects/{subject}                           look a schema up
//	GET  /schemas/ids/{id}                             a schema by id
//	GET  /subjects                                     the subjects
//	GET  /subjects/{subject}/versions                  a subject's versions
//	GET  /subjects/{subject}/versions/{version}        one version, or "latest"
//	GET  /config, PUT /config                          the global level
//	GET  /config/{subject}, PUT /config/{subject}      a subject's level (?defaultToGlobal=true)
//	POST /compatibility/subjects/{subject}/versions[/{version}|/latest]
//
// Schemas are parsed by the project's parser (schema.Parse, as strict as
// Avro Java) and new versions are checked with compat.Check at the
// subject's level (its own, else the global level), against the latest
// version or, for *_TRANSITIVE levels, every version: an incompatible
// schema is refused with 409 and the reasons, an invalid one with 422 and
// error code 42201. Ids are registry-wide and stable: the same schema gets
// the same id under every subject, and registering a schema a subject
// already holds returns its id without a check. Two schema texts are the
// same schema when they are the same JSON (white space and the order of
// object keys aside), as the Confluent registry compares them (docs count;
// axonops-schema-registry ignores docs).
//
// Only Avro is supported, without references; DELETE, modes, contexts and
// the other endpoints answer 404. It is safe for concurrent use: requests
// are served one at a time.
type Registry struct {
	srv      *httptest.Server
	requests atomic.Int64

	mu       sync.Mutex
	global   contract.Compatibility
	levels   map[string]contract.Compatibility
	subjects map[string][]int // subject → ids of its versions (version n at n-1)
	schemas  map[int]*stored  // id → schema
	ids      map[string]int   // identity → id
	nextID   int
}

type stored struct {
	text   string
	parsed *schema.Parsed
}

// NewRegistry starts a registry whose global level is BACKWARD (the
// Confluent default), stopped when t ends.
func NewRegistry(t testing.TB) *Registry {
	r := &Registry{
		global:   contract.Backward,
		levels:   map[string]contract.Compatibility{},
		subjects: map[string][]int{},
		schemas:  map[int]*stored{},
		ids:      map[string]int{},
		nextID:   1,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subjects/{subject}/versions", r.register)
	mux.HandleFunc("POST /subjects/{subject}", r.lookup)
	mux.HandleFunc("GET /schemas/ids/{id}", r.byID)
	mux.HandleFunc("GET /subjects", r.listSubjects)
	mux.HandleFunc("GET /subjects/{subject}/versions", r.versions)
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}", r.version)
	mux.HandleFunc("GET /config", r.getConfig)
	mux.HandleFunc("PUT /config", r.putConfig)
	mux.HandleFunc("GET /config/{subject}", r.getConfig)
	mux.HandleFunc("PUT /config/{subject}", r.putConfig)
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions", r.compatibility)
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", r.compatibility)
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusNotFound, http.StatusNotFound, "HTTP 404 Not Found")
	})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		mux.ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// URL returns the registry's base URL.
func (r *Registry) URL() string { return r.srv.URL }

// Requests returns the number of HTTP requests the registry has received.
func (r *Registry) Requests() int64 { return r.requests.Load() }

// Close stops the registry (it stops when the test ends anyway).
func (r *Registry) Close() { r.srv.Close() }

// SetGlobalCompatibility sets the level of subjects that have none of their
// own.
func (r *Registry) SetGlobalCompatibility(level contract.Compatibility) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.global = level
}

// SetCompatibility sets subject's own level, as PUT /config/{subject} does.
func (r *Registry) SetCompatibility(subject string, level contract.Compatibility) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.levels[subject] = level
}

// Register registers schema under subject as POST
// /subjects/{subject}/versions does and returns its id and version. It
// fails with an error matching registry.ErrInvalidSchema or
// registry.ErrIncompatible.
func (r *Registry) Register(subject, schemaText string) (id, version int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, version, apiErr := r.registerLocked(subject, schemaText)
	if apiErr != nil {
		return 0, 0, apiErr
	}
	return id, version, nil
}

// Versions returns the ids of subject's versions, oldest first.
func (r *Registry) Versions(subject string) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.subjects[subject]...)
}

// identity is what makes two schema texts the same schema: the same JSON,
// white space and the order of object keys aside.
func identity(text string) string {
	var v any
	if json.Unmarshal([]byte(text), &v) != nil {
		return text
	}
	b, _ := json.Marshal(v) // maps marshal with sorted keys
	return string(b)
}

// levelLocked is the level that applies to subject.
func (r *Registry) levelLocked(subject string) contract.Compatibility {
	if l, ok := r.levels[subject]; ok {
		return l
	}
	return r.global
}

func invalid(err error) *registry.Error {
	return &registry.Error{StatusCode: http.StatusUnprocessableEntity, Code: registry.CodeInvalidSchema, Message: "Invalid schema: " + err.Error()}
}

// registerLocked registers schemaText under subject.
func (r *Registry) registerLocked(subject, schemaText string) (id, version int, apiErr *registry.Error) {
	key := identity(schemaText)
	if id, ok := r.ids[key]; ok {
		for i, vid := range r.subjects[subject] {
			if vid == id {
				return id, i + 1, nil // already there: no check, as the registry does
			}
		}
	}
	p, err := schema.Parse(schemaText)
	if err != nil {
		return 0, 0, invalid(err)
	}
	level := r.levelLocked(subject)
	if reasons := r.checkLocked(level, p, r.subjects[subject], 1); len(reasons) > 0 {
		return 0, 0, &registry.Error{StatusCode: http.StatusConflict, Code: registry.CodeIncompatible,
			Message: fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject %q, details: [%s]", subject, strings.Join(reasons, ", "))}
	}
	id, ok := r.ids[key]
	if !ok {
		id = r.nextID
		r.nextID++
		r.ids[key] = id
		r.schemas[id] = &stored{text: schemaText, parsed: p}
	}
	r.subjects[subject] = append(r.subjects[subject], id)
	return id, len(r.subjects[subject]), nil
}

// checkLocked returns why p may not follow the versions (ids, oldest
// first, the first being version first) at level, in the Confluent
// registry's verbose style; none when it may.
func (r *Registry) checkLocked(level contract.Compatibility, p *schema.Parsed, ids []int, first int) []string {
	previous := make([]*schema.Parsed, len(ids))
	for i, id := range ids {
		previous[i] = r.schemas[id].parsed
	}
	res, err := compat.Check(level, previous, p)
	if err != nil {
		return []string{fmt.Sprintf("{errorType:'UNKNOWN', description:'%v'}", err)}
	}
	if res.Compatible {
		return nil
	}
	var out []string
	for _, prob := range res.Problems {
		out = append(out, fmt.Sprintf("{errorType:'%s', description:'%s', location:'%s', oldSchemaVersion:%d, direction:'%s'}",
			prob.Kind, strings.ReplaceAll(prob.Message, "'", "\\'"), prob.Location, first+prob.Version, prob.Direction))
	}
	return append(out, fmt.Sprintf("{compatibility:'%s'}", level))
}

// writeJSON writes a 2xx answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes an error answer as the registry does.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"error_code": code, "message": message})
}

func writeAPIError(w http.ResponseWriter, e *registry.Error) {
	writeError(w, e.StatusCode, e.Code, e.Message)
}

// readSchema decodes a {"schema": ...} body.
func readSchema(w http.ResponseWriter, req *http.Request) (string, bool) {
	var body struct {
		Schema     string            `json:"schema"`
		SchemaType string            `json:"schemaType"`
		References []json.RawMessage `json:"references"`
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
	if err != nil || json.Unmarshal(data, &body) != nil {
		writeError(w, http.StatusBadRequest, registry.CodeInvalidSchema, "Invalid request body")
		return "", false
	}
	switch {
	case body.Schema == "":
		writeError(w, http.StatusUnprocessableEntity, registry.CodeInvalidSchema, "Empty schema")
		return "", false
	case body.SchemaType != "" && body.SchemaType != "AVRO":
		writeError(w, http.StatusUnprocessableEntity, registry.CodeInvalidSchema, "Invalid schema type: "+body.SchemaType+" (this registry knows AVRO only)")
		return "", false
	case len(body.References) > 0:
		writeError(w, http.StatusUnprocessableEntity, registry.CodeInvalidSchema, "Schema references are not supported by this registry")
		return "", false
	}
	return body.Schema, true
}

func subjectNotFound(w http.ResponseWriter, subject string) {
	writeError(w, http.StatusNotFound, registry.CodeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", subject))
}

func (r *Registry) register(w http.ResponseWriter, req *http.Request) {
	text, ok := readSchema(w, req)
	if !ok {
		return
	}
	r.mu.Lock()
	id, _, apiErr := r.registerLocked(req.PathValue("subject"), text)
	r.mu.Unlock()
	if apiErr != nil {
		writeAPIError(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"id": id})
}

func (r *Registry) lookup(w http.ResponseWriter, req *http.Request) {
	text, ok := readSchema(w, req)
	if !ok {
		return
	}
	subject := req.PathValue("subject")
	r.mu.Lock()
	defer r.mu.Unlock()
	ids, ok := r.subjects[subject]
	if !ok {
		subjectNotFound(w, subject)
		return
	}
	if id, ok := r.ids[identity(text)]; ok {
		for i, vid := range ids {
			if vid == id {
				writeJSON(w, http.StatusOK, map[string]any{"subject": subject, "id": id, "version": i + 1, "schema": r.schemas[id].text})
				return
			}
		}
	}
	if _, err := schema.Parse(text); err != nil {
		writeAPIError(w, invalid(err))
		return
	}
	writeError(w, http.StatusNotFound, registry.CodeSchemaNotFound, "Schema not found")
}

func (r *Registry) byID(w http.ResponseWriter, req *http.Request) {
	id, err := strconv.Atoi(req.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusBadRequest, registry.CodeInvalidSchema, "Invalid schema ID")
		return
	}
	r.mu.Lock()
	s, ok := r.schemas[id]
	r.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, registry.CodeSchemaNotFound, "Schema not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"schema": s.text})
}

func (r *Registry) listSubjects(w http.ResponseWriter, _ *http.Request) {
	r.mu.Lock()
	out := make([]string, 0, len(r.subjects))
	for s := range r.subjects {
		out = append(out, s)
	}
	r.mu.Unlock()
	sort.Strings(out)
	writeJSON(w, http.StatusOK, out)
}

func (r *Registry) versions(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	r.mu.Lock()
	ids, ok := r.subjects[subject]
	r.mu.Unlock()
	if !ok {
		subjectNotFound(w, subject)
		return
	}
	out := make([]int, len(ids))
	for i := range ids {
		out[i] = i + 1
	}
	writeJSON(w, http.StatusOK, out)
}

// parseVersion reads a version path segment: a positive number, "latest" or
// -1 (latest, 0 returned).
func parseVersion(w http.ResponseWriter, s string) (int, bool) {
	if s == "latest" || s == "-1" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		writeError(w, http.StatusUnprocessableEntity, 42202, fmt.Sprintf("The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", s))
		return 0, false
	}
	return n, true
}

func (r *Registry) version(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	n, ok := parseVersion(w, req.PathValue("version"))
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ids, ok := r.subjects[subject]
	if !ok {
		subjectNotFound(w, subject)
		return
	}
	if n == 0 {
		n = len(ids)
	}
	if n > len(ids) {
		writeError(w, http.StatusNotFound, registry.CodeVersionNotFound, fmt.Sprintf("Version %d not found.", n))
		return
	}
	id := ids[n-1]
	writeJSON(w, http.StatusOK, map[string]any{"subject": subject, "id": id, "version": n, "schema": r.schemas[id].text})
}

func (r *Registry) getConfig(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	r.mu.Lock()
	defer r.mu.Unlock()
	level := r.global
	if subject != "" {
		l, ok := r.levels[subject]
		switch {
		case ok:
			level = l
		case req.URL.Query().Get("defaultToGlobal") != "true":
			writeError(w, http.StatusNotFound, 40408, fmt.Sprintf("Subject '%s' does not have subject-level compatibility configured", subject))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"compatibilityLevel": string(level)})
}

func (r *Registry) putConfig(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Compatibility string `json:"compatibility"`
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil || json.Unmarshal(data, &body) != nil {
		writeError(w, http.StatusBadRequest, 42203, "Invalid request body")
		return
	}
	level, err := contract.ParseCompatibility(strings.ToUpper(body.Compatibility))
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, 42203, "Invalid compatibility level: "+body.Compatibility)
		return
	}
	r.mu.Lock()
	if subject := req.PathValue("subject"); subject != "" {
		r.levels[subject] = level
	} else {
		r.global = level
	}
	r.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"compatibility": string(level)})
}

// compatibility answers whether a schema may be registered: against the
// versions the subject's level compares with (no version in the path),
// the latest version, or one version (compared with at the subject's
// level, as if it were the only one).
func (r *Registry) compatibility(w http.ResponseWriter, req *http.Request) {
	subject := req.PathValue("subject")
	vs := req.PathValue("version")
	n := -1 // every version the level compares with
	if vs != "" {
		var ok bool
		if n, ok = parseVersion(w, vs); !ok {
			return
		}
	}
	text, ok := readSchema(w, req)
	if !ok {
		return
	}
	p, err := schema.Parse(text)
	if err != nil {
		writeAPIError(w, invalid(err))
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ids, first := r.subjects[subject], 1
	switch {
	case n > 0 && n > len(ids):
		writeError(w, http.StatusNotFound, registry.CodeVersionNotFound, fmt.Sprintf("Version %d not found", n))
		return
	case n > 0:
		ids, first = ids[n-1:n], n
	case n == 0 && len(ids) > 0:
		ids, first = ids[len(ids)-1:], len(ids)
	}
	reasons := r.checkLocked(r.levelLocked(subject), p, ids, first)
	resp := map[string]any{"is_compatible": len(reasons) == 0}
	if req.URL.Query().Get("verbose") == "true" && len(reasons) > 0 {
		resp["messages"] = reasons
	}
	writeJSON(w, http.StatusOK, resp)
}
