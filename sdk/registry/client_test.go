package registry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
	text, err := c.SchemaByID(ctx, id1)
	if err != nil || text != schemaV1 {
		t.Fatalf("SchemaByID(%d) = %q, %v", id1, text, err)
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

func TestCachesAnswerWithoutRequests(t *testing.T) {
	fake := registrytest.NewServer(t)
	id := fake.Register("s-value", schemaV1)
	c := newClient(t, fastConfig(fake.URL()))
	ctx := ctx(t)
	for i := 0; i < 3; i++ {
		if got, _, err := c.LookupID(ctx, "s-value", schemaV1); err != nil || got != id {
			t.Fatalf("LookupID = %d, %v", got, err)
		}
		// The lookup answer carried the schema: no request for the id.
		if got, err := c.SchemaByID(ctx, id); err != nil || got != schemaV1 {
			t.Fatalf("SchemaByID = %q, %v", got, err)
		}
		if got, err := c.Register(ctx, "s-value", schemaV1); err != nil || got != id {
			t.Fatalf("Register = %d, %v", got, err)
		}
	}
	if n := fake.Requests(); n != 1 {
		t.Errorf("the fake got %d requests, want 1", n)
	}
	st := c.Stats()
	if st.Requests != 1 || st.CacheMisses != 1 || st.CacheHits != 8 {
		t.Errorf("Stats = %+v, want 1 request, 1 miss, 8 hits", st)
	}
}

func TestCacheIsBounded(t *testing.T) {
	fake := registrytest.NewServer(t)
	var ids []int
	for i := 0; i < 3; i++ {
		ids = append(ids, fake.Register(fmt.Sprintf("s%d", i), fmt.Sprintf(`{"type":"fixed","name":"F%d","size":1}`, i)))
	}
	cfg := fastConfig(fake.URL())
	cfg.CacheSize = 2
	c := newClient(t, cfg)
	ctx := ctx(t)
	get := func(id int) {
		t.Helper()
		if _, err := c.SchemaByID(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	get(ids[0])
	get(ids[1])
	get(ids[0]) // hit; ids[1] is now the least recently used
	get(ids[2]) // evicts ids[1]
	if n := fake.Requests(); n != 3 {
		t.Fatalf("after 0,1,0,2: %d requests, want 3", n)
	}
	get(ids[0]) // still cached
	get(ids[2]) // still cached
	if n := fake.Requests(); n != 3 {
		t.Fatalf("cached ids fetched again: %d requests, want 3", n)
	}
	get(ids[1]) // evicted: fetched again
	if n := fake.Requests(); n != 4 {
		t.Fatalf("evicted id: %d requests, want 4", n)
	}
}

// countingServer answers each request with the next status of statuses
// (then 200 with body) and records the request bodies.
type countingServer struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	bodies   []string
	hits     atomic.Int64
}

func newCountingServer(t *testing.T, body string, statuses ...int) *countingServer {
	s := &countingServer{statuses: statuses}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		status := http.StatusOK
		if len(s.statuses) > 0 {
			status, s.statuses = s.statuses[0], s.statuses[1:]
		}
		s.mu.Unlock()
		if status != http.StatusOK {
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			registrytest.WriteError(w, status, status*100+1, "injected "+http.StatusText(status))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestRetriesAndBackoff(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		hits     int64
		want     error // nil: success
	}{
		{"5xx retried then succeeds", []int{500, 503, 502}, 4, nil},
		{"429 retried", []int{429}, 2, nil},
		{"408 retried", []int{408}, 2, nil},
		{"5xx until the attempts are spent", []int{503, 503, 503, 503, 503}, 4, registry.ErrUnreachable},
		{"401 not retried", []int{401}, 1, registry.ErrUnauthorized},
		{"403 not retried", []int{403}, 1, registry.ErrUnauthorized},
		{"404 not retried", []int{404}, 1, nil}, // see below: error code 40401
		{"422 not retried", []int{422}, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, `{"schema":"\"int\""}`, tt.statuses...)
			c := newClient(t, fastConfig(srv.URL))
			text, err := c.SchemaByID(ctx(t), 5)
			if got := srv.hits.Load(); got != tt.hits {
				t.Errorf("server hits = %d, want %d", got, tt.hits)
			}
			if st := c.Stats(); int64(st.Requests) != tt.hits || int64(st.Retries) != tt.hits-1 {
				t.Errorf("Stats = %+v, want %d requests and %d retries", st, tt.hits, tt.hits-1)
			}
			switch {
			case tt.statuses[0] == 404 || tt.statuses[0] == 422:
				var re *registry.Error
				if !errors.As(err, &re) || re.StatusCode != tt.statuses[0] || re.Code != tt.statuses[0]*100+1 {
					t.Fatalf("err = %v, want a *registry.Error with status %d", err, tt.statuses[0])
				}
			case tt.want != nil:
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				var re *registry.Error
				if !errors.As(err, &re) || re.StatusCode != tt.statuses[len(tt.statuses)-1] {
					t.Fatalf("err = %v, want it to carry the last *registry.Error", err)
				}
			default:
				if err != nil || text != `"int"` {
					t.Fatalf("SchemaByID = %q, %v", text, err)
				}
			}
		})
	}
}

func TestErrorCodesMapToSentinels(t *testing.T) {
	for code, want := range map[int]error{
		40401: registry.ErrSubjectNotFound,
		40402: registry.ErrVersionNotFound,
		40403: registry.ErrSchemaNotFound,
		42201: registry.ErrInvalidSchema,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			registrytest.WriteError(w, code/100, code, "injected")
		}))
		c := newClient(t, fastConfig(srv.URL))
		_, _, err := c.LookupID(ctx(t), "s", schemaV1)
		if !errors.Is(err, want) {
			t.Errorf("error code %d: err = %v, want %v", code, err, want)
		}
		srv.Close()
	}
}

func TestRetriedPOSTCarriesItsBody(t *testing.T) {
	srv := newCountingServer(t, `{"id": 12}`, 503, 500)
	c := newClient(t, fastConfig(srv.URL))
	id, err := c.Register(ctx(t), "s-value", schemaV2)
	if err != nil || id != 12 {
		t.Fatalf("Register = %d, %v", id, err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.bodies) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(srv.bodies))
	}
	if !strings.Contains(srv.bodies[0], `"schema"`) {
		t.Fatalf("first body %q lacks the schema", srv.bodies[0])
	}
	for i, b := range srv.bodies[1:] {
		if b != srv.bodies[0] {
			t.Errorf("retry %d sent body %q, want %q", i+1, b, srv.bodies[0])
		}
	}
}

func TestRetriedLookupCarriesItsBody(t *testing.T) {
	// LookupID goes through srclient: its retries must carry the body too.
	srv := newCountingServer(t, `{"subject":"s","id":3,"version":1,"schema":"\"int\""}`, 502)
	c := newClient(t, fastConfig(srv.URL))
	if id, v, err := c.LookupID(ctx(t), "s", schemaV1); err != nil || id != 3 || v != 1 {
		t.Fatalf("LookupID = %d, %d, %v", id, v, err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.bodies) != 2 || srv.bodies[0] == "" || srv.bodies[1] != srv.bodies[0] {
		t.Fatalf("bodies = %q, want two equal non-empty bodies", srv.bodies)
	}
}

// closedURL returns the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

func TestFailoverOnNetworkError(t *testing.T) {
	fake := registrytest.NewServer(t)
	id := fake.Register("s", schemaV1)
	c := newClient(t, fastConfig(closedURL(t), fake.URL()))
	ctx := ctx(t)
	if text, err := c.SchemaByID(ctx, id); err != nil || text != schemaV1 {
		t.Fatalf("SchemaByID = %q, %v", text, err)
	}
	// The next call goes straight to the URL that answered.
	if _, err := c.Versions(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests(); n != 2 {
		t.Errorf("the live registry got %d requests, want 2", n)
	}
	if st := c.Stats(); st.Requests != 3 || st.Retries != 1 {
		t.Errorf("Stats = %+v, want 3 requests (one refused) and 1 retry", st)
	}
}

func TestFailoverOn5xx(t *testing.T) {
	bad := newCountingServer(t, "", 503, 503, 503, 503)
	fake := registrytest.NewServer(t)
	id := fake.Register("s", schemaV1)
	c := newClient(t, fastConfig(bad.URL, fake.URL()))
	if _, err := c.SchemaByID(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if bad.hits.Load() != 1 || fake.Requests() != 1 {
		t.Errorf("hits: failing %d, live %d; want 1 and 1", bad.hits.Load(), fake.Requests())
	}
}

// failingTransport fails the first n requests with a dial error.
type failingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused (injected)")}
	}
	return f.next.RoundTrip(r)
}

func TestDialErrorsRetried(t *testing.T) {
	fake := registrytest.NewServer(t)
	id := fake.Register("s", schemaV1)
	ft := &failingTransport{next: http.DefaultTransport}
	ft.n.Store(2)
	cfg := fastConfig(fake.URL())
	cfg.Transport = ft
	c := newClient(t, cfg)
	if _, err := c.SchemaByID(ctx(t), id); err != nil {
		t.Fatalf("SchemaByID after two dial errors: %v", err)
	}
	if st := c.Stats(); st.Requests != 3 || st.Retries != 2 {
		t.Errorf("Stats = %+v, want 3 requests and 2 retries", st)
	}
}

func TestUnreachable(t *testing.T) {
	// A name that cannot resolve (RFC 2606 .invalid) and a closed port: DNS
	// and dial errors, retried until the attempts are spent.
	cfg := fastConfig("http://registry.invalid:8081", closedURL(t))
	cfg.MaxAttempts = 5
	c := newClient(t, cfg)
	_, err := c.SchemaByID(ctx(t), 1)
	if !errors.Is(err, registry.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("err = %v, want it to carry the network error", err)
	}
	if st := c.Stats(); st.Requests != 5 {
		t.Errorf("Stats = %+v, want 5 requests", st)
	}
}

func TestContextDeadlineAgainstSlowServer(t *testing.T) {
	release := make(chan struct{})
	var released atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { released.Store(true); close(release) })
	c := newClient(t, fastConfig(srv.URL))
	calls := map[string]func(context.Context) error{
		"SchemaByID": func(ctx context.Context) error { _, err := c.SchemaByID(ctx, 1); return err },
		"LookupID":   func(ctx context.Context) error { _, _, err := c.LookupID(ctx, "s", schemaV1); return err },
		"Register":   func(ctx context.Context) error { _, err := c.Register(ctx, "s", schemaV1); return err },
		"Versions":   func(ctx context.Context) error { _, err := c.Versions(ctx, "s"); return err },
		"CheckCompatibility": func(ctx context.Context) error {
			_, _, err := c.CheckCompatibility(ctx, "s", schemaV1)
			return err
		},
		"Compatibility": func(ctx context.Context) error { _, err := c.Compatibility(ctx, "s"); return err },
		"SubjectCompatibility": func(ctx context.Context) error {
			_, _, err := c.SubjectCompatibility(ctx, "s")
			return err
		},
		"CheckCompatibilityAll": func(ctx context.Context) error {
			_, _, err := c.CheckCompatibilityAll(ctx, "s", schemaV1)
			return err
		},
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := call(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want context.DeadlineExceeded", name, err)
		}
		if released.Load() {
			t.Fatalf("%s returned only after the server answered", name)
		}
	}
}

func TestRequestTimeoutIsRetried(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			<-r.Context().Done() // the first attempt hangs until the client gives up
			return
		}
		io.WriteString(w, `{"schema":"\"long\""}`)
	}))
	t.Cleanup(srv.Close)
	cfg := fastConfig(srv.URL)
	cfg.RequestTimeout = 50 * time.Millisecond
	c := newClient(t, cfg)
	if text, err := c.SchemaByID(ctx(t), 1); err != nil || text != `"long"` {
		t.Fatalf("SchemaByID = %q, %v", text, err)
	}
	if hits.Load() != 2 {
		t.Errorf("hits = %d, want 2", hits.Load())
	}
}

func TestConcurrentMissesCollapsed(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		if r.Method == http.MethodPost {
			io.WriteString(w, `{"subject":"s","id":4,"version":2,"schema":"\"int\""}`)
			return
		}
		io.WriteString(w, `{"schema":"\"int\""}`)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig(srv.URL))
	ctx := ctx(t)

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	var started sync.WaitGroup
	started.Add(2 * n)
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			started.Done()
			if s, err := c.SchemaByID(ctx, 4); err != nil || s != `"int"` {
				errs <- fmt.Errorf("SchemaByID = %q, %v", s, err)
			}
		}()
		go func() {
			defer wg.Done()
			started.Done()
			if id, v, err := c.LookupID(ctx, "s", schemaV1); err != nil || id != 4 || v != 2 {
				errs <- fmt.Errorf("LookupID = %d, %d, %v", id, v, err)
			}
		}()
	}
	started.Wait()
	// Give the goroutines time to join the two requests in flight; the
	// assertion below holds whatever the timing (late callers hit the
	// cache), this only makes the test meaningful.
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("server hits = %d, want 2 (one per key)", got)
	}
}

func TestLeaderGivingUpDoesNotFailOthers(t *testing.T) {
	first := make(chan struct{})
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			close(first)
			<-r.Context().Done()
			return
		}
		io.WriteString(w, `{"schema":"\"int\""}`)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig(srv.URL))
	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() { _, err := c.SchemaByID(leaderCtx, 9); leaderErr <- err }()
	<-first
	followerErr := make(chan error, 1)
	go func() { _, err := c.SchemaByID(ctx(t), 9); followerErr <- err }()
	time.Sleep(20 * time.Millisecond) // let the follower join the flight
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: err = %v, want context.Canceled", err)
	}
	if err := <-followerErr; err != nil {
		t.Errorf("follower: err = %v, want success", err)
	}
}

func TestOversizedResponseRefused(t *testing.T) {
	big := `{"schema":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, chunked := range []bool{false, true} {
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			if chunked {
				// No Content-Length: the limit applies while reading.
				for i := 0; i < len(big); i += 4096 {
					io.WriteString(w, big[i:min(i+4096, len(big))])
					w.(http.Flusher).Flush()
				}
				return
			}
			w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			io.WriteString(w, big)
		}))
		cfg := fastConfig(srv.URL)
		cfg.MaxResponseBytes = 1 << 20
		c := newClient(t, cfg)
		_, err := c.SchemaByID(ctx(t), 1)
		if !errors.Is(err, registry.ErrResponseTooLarge) {
			t.Errorf("chunked=%v: err = %v, want ErrResponseTooLarge", chunked, err)
		}
		if hits.Load() != 1 {
			t.Errorf("chunked=%v: %d requests, want 1 (not retried)", chunked, hits.Load())
		}
		srv.Close()
	}
}

func TestMalformedAnswerNotRetried(t *testing.T) {
	srv := newCountingServer(t, `<html>proxy error</html>`)
	c := newClient(t, fastConfig(srv.URL))
	if _, err := c.SchemaByID(ctx(t), 1); !errors.Is(err, registry.ErrBadResponse) {
		t.Errorf("err = %v, want ErrBadResponse", err)
	}
	if _, err := c.Register(ctx(t), "s", schemaV1); !errors.Is(err, registry.ErrBadResponse) {
		t.Errorf("err = %v, want ErrBadResponse", err)
	}
	if srv.hits.Load() != 2 {
		t.Errorf("%d requests, want 2", srv.hits.Load())
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var leaked atomic.Value
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
		io.WriteString(w, `{"schema":"\"int\""}`)
	}))
	t.Cleanup(elsewhere.Close)
	srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/schemas/ids/1", http.StatusFound))
	t.Cleanup(srv.Close)
	cfg := fastConfig(srv.URL)
	cfg.Username, cfg.Password = "svc", "s3cret-password"
	c := newClient(t, cfg)
	var re *registry.Error
	if _, err := c.SchemaByID(ctx(t), 1); !errors.As(err, &re) || re.StatusCode != http.StatusFound {
		t.Errorf("err = %v, want a *registry.Error with status 302", err)
	}
	if v := leaked.Load(); v != nil {
		t.Errorf("the redirect target received Authorization %q", v)
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
