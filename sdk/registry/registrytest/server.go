package registrytest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lunchbot/eventkit/sdk/contract"
)

// Server is a fake registry listening on a local port.
type Server struct {
	srv      *httptest.Server
	requests atomic.Int64

	mu        sync.Mutex
	intercept func(w http.ResponseWriter, r *http.Request) bool
	check     Check // nil: every JSON text is valid and compatible
	global    contract.Compatibility
	levels    map[string]contract.Compatibility
	subjects  map[string][]int // subject → ids of its versions (version n at n-1)
	schemas   map[int]*Resolved
	ids       map[string]int // identity → id
	nextID    int
}

// Option configures a Server.
type Option func(*Server)

// WithCheck makes check decide whether schemas are valid and compatible
// (see Check). SetVerdict replaces it.
func WithCheck(check Check) Option { return func(s *Server) { s.check = check } }

// NewServer starts a fake registry, closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake registry; Close stops it.
func Start(opts ...Option) *Server {
	s := &Server{
		global:   contract.Backward, // the Confluent default
		levels:   map[string]contract.Compatibility{},
		subjects: map[string][]int{},
		schemas:  map[int]*Resolved{},
		ids:      map[string]int{},
		nextID:   1,
	}
	for _, opt := range opts {
		opt(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subjects/{subject}/versions", s.register)
	mux.HandleFunc("POST /subjects/{subject}", s.lookup)
	mux.HandleFunc("GET /schemas/ids/{id}", s.byID)
	mux.HandleFunc("GET /subjects", s.listSubjects)
	mux.HandleFunc("GET /subjects/{subject}/versions", s.versions)
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}", s.version)
	mux.HandleFunc("GET /config", s.getConfig)
	mux.HandleFunc("PUT /config", s.putConfig)
	mux.HandleFunc("GET /config/{subject}", s.getConfig)
	mux.HandleFunc("PUT /config/{subject}", s.putConfig)
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions", s.compatibility)
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", s.compatibility)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		WriteError(w, http.StatusNotFound, http.StatusNotFound, "HTTP 404 Not Found")
	})
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

// SetVerdict replaces the Check with fn: every JSON text is a valid schema,
// and fn returns the reasons a schema may not be registered under subject,
// none when it may. The fake gives the same verdict whichever versions are
// asked about, none included. Nil makes every schema compatible, the
// default without WithCheck.
func (s *Server) SetVerdict(fn func(subject, schema string) []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.check = nil
	if fn != nil {
		s.check = verdictCheck(fn)
	}
}

// SetGlobalCompatibility sets the level of subjects that have none of their
// own, as PUT /config does.
func (s *Server) SetGlobalCompatibility(level contract.Compatibility) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.global = level
}

// SetCompatibility sets subject's own level, as PUT /config/{subject} does.
func (s *Server) SetCompatibility(subject string, level contract.Compatibility) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.levels[subject] = level
}
