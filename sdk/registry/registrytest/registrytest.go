// Package registrytest is an in-process fake of a Confluent-compatible
// schema registry over real HTTP, for unit tests of code that uses
// sdk/registry. It implements the endpoints the SDK calls, with the
// registry's status and error codes, counts requests, and lets a test
// intercept any request to inject faults.
//
// It is not a registry: schemas are compared after JSON compaction (the real
// registry compares parsed schemas), and compatibility checks answer what
// SetVerdict says (compatible by default). Integration tests use the real
// registry (internal/itest).
package registrytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Server is a fake registry listening on a local port.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	nextID    int
	texts     map[int]string // id → schema as registered
	ids       map[string]int // compacted schema → id
	subjects  map[string][]int
	levels    map[string]string
	global    string
	intercept func(w http.ResponseWriter, r *http.Request) bool
	verdict   func(subject, schema string) []string

	requests atomic.Int64
}

// NewServer starts a fake registry, closed when the test ends.
func NewServer(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake registry; Close stops it.
func Start() *Server {
	s := &Server{
		nextID:   1,
		texts:    map[int]string{},
		ids:      map[string]int{},
		subjects: map[string][]int{},
		levels:   map[string]string{},
		global:   "BACKWARD",
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subjects/{subject}", s.lookup)
	mux.HandleFunc("POST /subjects/{subject}/versions", s.register)
	mux.HandleFunc("GET /subjects/{subject}/versions", s.versions)
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}", s.version)
	mux.HandleFunc("GET /schemas/ids/{id}", s.byID)
	mux.HandleFunc("GET /config/{subject}", s.getConfig)
	mux.HandleFunc("PUT /config/{subject}", s.putConfig)
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions", s.compatibility)
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", s.compatibility)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		intercept := s.intercept
		s.mu.Unlock()
		if intercept != nil && intercept(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return s
}

// URL returns the base URL of the fake.
func (s *Server) URL() string { return s.srv.URL }

// Requests returns the number of HTTP requests the fake received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close stops the fake (it is closed at the end of the test anyway).
func (s *Server) Close() { s.srv.Close() }

// SetIntercept installs fn, which sees every request before the fake and
// answers it itself by returning true. Nil removes it.
func (s *Server) SetIntercept(fn func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercept = fn
}

// SetVerdict installs the compatibility check: fn returns the reasons a
// schema may not be registered under subject, none when it may. Default:
// every schema is compatible. The fake gives the same verdict whichever
// versions are asked about; for a subject it does not know, the
// compatibility endpoints answer 404 (error code 40401).
func (s *Server) SetVerdict(fn func(subject, schema string) []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.verdict = fn
}

// Register registers schema under subject as the registry's API would, and
// returns its id.
func (s *Server) Register(subject, schema string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registerLocked(subject, schema)
}

func compact(schema string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(schema)) != nil {
		return schema
	}
	return b.String()
}

func (s *Server) registerLocked(subject, schema string) int {
	key := compact(schema)
	id, ok := s.ids[key]
	if !ok {
		id = s.nextID
		s.nextID++
		s.ids[key] = id
		s.texts[id] = schema
	}
	if !slices.Contains(s.subjects[subject], id) {
		s.subjects[subject] = append(s.subjects[subject], id)
	}
	return id
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes a registry error answer.
func WriteError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"error_code": code, "message": message})
}

func readSchema(w http.ResponseWriter, r *http.Request) (string, bool) {
	var req struct {
		Schema string `json:"schema"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &req); err != nil || req.Schema == "" {
		WriteError(w, http.StatusUnprocessableEntity, 42201, fmt.Sprintf("Invalid schema: %q", body))
		return "", false
	}
	if !json.Valid([]byte(req.Schema)) {
		WriteError(w, http.StatusUnprocessableEntity, 42201, "Invalid schema: not JSON")
		return "", false
	}
	return req.Schema, true
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	schema, ok := readSchema(w, r)
	if !ok {
		return
	}
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	versions, ok := s.subjects[subject]
	if !ok {
		WriteError(w, http.StatusNotFound, 40401, fmt.Sprintf("Subject '%s' not found.", subject))
		return
	}
	id, ok := s.ids[compact(schema)]
	v := slices.Index(versions, id)
	if !ok || v < 0 {
		WriteError(w, http.StatusNotFound, 40403, "Schema not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"subject": subject, "id": id, "version": v + 1, "schema": s.texts[id]})
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	schema, ok := readSchema(w, r)
	if !ok {
		return
	}
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.verdict != nil {
		if reasons := s.verdict(subject, schema); len(reasons) > 0 {
			WriteError(w, http.StatusConflict, 409, fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject %q: %v", subject, reasons))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": s.registerLocked(subject, schema)})
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	ids, ok := s.subjects[subject]
	if !ok {
		WriteError(w, http.StatusNotFound, 40401, fmt.Sprintf("Subject '%s' not found.", subject))
		return
	}
	out := make([]int, len(ids))
	for i := range ids {
		out[i] = i + 1
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	ids, ok := s.subjects[subject]
	if !ok {
		WriteError(w, http.StatusNotFound, 40401, fmt.Sprintf("Subject '%s' not found.", subject))
		return
	}
	v := len(ids)
	if vs := r.PathValue("version"); vs != "latest" && vs != "-1" {
		n, err := strconv.Atoi(vs)
		if err != nil || n < 1 {
			WriteError(w, http.StatusUnprocessableEntity, 42202, "The specified version '"+vs+"' is not a valid version id.")
			return
		}
		if n > len(ids) {
			WriteError(w, http.StatusNotFound, 40402, "Version "+vs+" not found.")
			return
		}
		v = n
	}
	id := ids[v-1]
	writeJSON(w, http.StatusOK, map[string]any{"subject": subject, "id": id, "version": v, "schema": s.texts[id]})
}

func (s *Server) byID(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	text, ok := s.texts[id]
	if err != nil || !ok {
		WriteError(w, http.StatusNotFound, 40403, "Schema "+r.PathValue("id")+" not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schema": text})
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	level, ok := s.levels[subject]
	if !ok {
		if r.URL.Query().Get("defaultToGlobal") != "true" {
			WriteError(w, http.StatusNotFound, 40408, "Subject '"+subject+"' does not have subject-level compatibility configured")
			return
		}
		level = s.global
	}
	writeJSON(w, http.StatusOK, map[string]any{"compatibilityLevel": level})
}

func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Compatibility string `json:"compatibility"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.Compatibility == "" {
		WriteError(w, http.StatusUnprocessableEntity, 42203, "Invalid compatibility level")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.levels[r.PathValue("subject")] = req.Compatibility
	writeJSON(w, http.StatusOK, map[string]any{"compatibility": req.Compatibility})
}

func (s *Server) compatibility(w http.ResponseWriter, r *http.Request) {
	schema, ok := readSchema(w, r)
	if !ok {
		return
	}
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subjects[subject]; !ok {
		WriteError(w, http.StatusNotFound, 40401, "Subject not found")
		return
	}
	var reasons []string
	if s.verdict != nil {
		reasons = s.verdict(subject, schema)
	}
	resp := map[string]any{"is_compatible": len(reasons) == 0}
	if r.URL.Query().Get("verbose") == "true" && len(reasons) > 0 {
		resp["messages"] = reasons
	}
	writeJSON(w, http.StatusOK, resp)
}
