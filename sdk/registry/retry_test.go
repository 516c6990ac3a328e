package registry_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

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
			s, err := c.SchemaByID(ctx(t), 5)
			text := s.Text
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
	if s, err := c.SchemaByID(ctx, id); err != nil || s.Text != schemaV1 {
		t.Fatalf("SchemaByID = %q, %v", s.Text, err)
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
	if s, err := c.SchemaByID(ctx(t), 1); err != nil || s.Text != `"long"` {
		t.Fatalf("SchemaByID = %q, %v", s.Text, err)
	}
	if hits.Load() != 2 {
		t.Errorf("hits = %d, want 2", hits.Load())
	}
}
