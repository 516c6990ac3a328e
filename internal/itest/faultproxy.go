package itest

import (
	"bytes"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what a FaultProxy does to the requests it gets instead of
// forwarding them untouched. The zero Fault forwards.
type Fault struct {
	// Delay holds each request this long (or until the client gives up)
	// before doing the rest.
	Delay time.Duration
	// Reset closes the connection without an answer: a network error.
	Reset bool
	// Status answers with this HTTP status and Body instead of forwarding.
	Status int
	Body   []byte
	// Stream answers Status (default 200) with Stream bytes of a JSON
	// string that never ends (no Content-Length), sent until the client
	// stops reading. The proxy allocates nothing per byte sent, so that a
	// test may measure the client's allocations.
	Stream int64
	// ContentLength, with Status, declares this Content-Length (the body
	// sent is Body whatever it says).
	ContentLength int64
	// Times applies the fault to the next Times requests only, then
	// forwards again; 0 applies it until the next Set.
	Times int
}

func (f Fault) active() bool { return f.Delay > 0 || f.Reset || f.Status != 0 || f.Stream > 0 }

// FaultProxy is an HTTP reverse proxy in front of a real server (a schema
// registry) that injects faults: delays, error statuses, resets, malformed
// or endless answers, and it can demand credentials the server does not.
type FaultProxy struct {
	// URL is the proxy's base URL, to give clients instead of the
	// server's.
	URL string

	srv      *httptest.Server
	rp       *httputil.ReverseProxy
	mu       sync.Mutex
	fault    Fault
	left     int // requests left for a Times fault
	auth     string
	requests atomic.Int64
	faulted  atomic.Int64
	sent     atomic.Int64  // bytes of Stream answers written
	closed   chan struct{} // closed when the test ends: delays end
}

// NewFaultProxy starts a proxy to target (a base URL), stopped when t ends.
// With tlsCfg it serves HTTPS with that configuration (see CA.ServerTLS).
func NewFaultProxy(t testing.TB, target string, tlsCfg *tls.Config) *FaultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("itest: proxy target %q: %v", target, err)
	}
	p := &FaultProxy{rp: httputil.NewSingleHostReverseProxy(u), closed: make(chan struct{})}
	p.rp.ErrorLog = nil
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	if tlsCfg != nil {
		p.srv.TLS = tlsCfg
		p.srv.StartTLS()
	} else {
		p.srv.Start()
	}
	p.URL = p.srv.URL
	t.Cleanup(func() {
		close(p.closed)
		p.srv.CloseClientConnections()
		p.srv.Close()
	})
	return p
}

// Set makes f the proxy's behaviour from the next request on.
func (p *FaultProxy) Set(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault, p.left = f, f.Times
}

// RequireBasic makes the proxy demand HTTP basic authentication with user
// and password (401 otherwise), and strip it before forwarding.
func (p *FaultProxy) RequireBasic(user, password string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// RequireBearer makes the proxy demand a bearer token (401 otherwise), and
// strip it before forwarding.
func (p *FaultProxy) RequireBearer(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.auth = "Bearer " + token
}

// Requests is the number of requests the proxy received.
func (p *FaultProxy) Requests() int64 { return p.requests.Load() }

// Faulted is the number of requests a fault was applied to.
func (p *FaultProxy) Faulted() int64 { return p.faulted.Load() }

// StreamedBytes is the number of bytes of Stream answers written so far.
func (p *FaultProxy) StreamedBytes() int64 { return p.sent.Load() }

func (p *FaultProxy) serve(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	p.mu.Lock()
	f, auth := p.fault, p.auth
	apply := f.active() && (f.Times == 0 || p.left > 0)
	if apply && f.Times > 0 {
		p.left--
	}
	p.mu.Unlock()

	if auth != "" {
		got := r.Header.Get("Authorization")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(auth)) != 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":40101,"message":"Unauthorized"}`))
			return
		}
		r.Header.Del("Authorization")
	}
	if !apply {
		p.rp.ServeHTTP(w, r)
		return
	}
	p.faulted.Add(1)
	if f.Delay > 0 {
		// Read the body first: only then does net/http watch the
		// connection, and end r.Context() when the client goes.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-p.closed:
			t.Stop()
			return
		}
	}
	switch {
	case f.Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case f.Stream > 0:
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		chunk := streamChunk()
		if _, err := w.Write([]byte(`{"schema":"`)); err != nil {
			return
		}
		for n := int64(0); n < f.Stream; {
			k, err := w.Write(chunk)
			n += int64(k)
			p.sent.Add(int64(k))
			if err != nil {
				return
			}
		}
	case f.Status != 0:
		if f.ContentLength > 0 {
			w.Header().Set("Content-Length", itoa(f.ContentLength))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = w.Write(f.Body)
	case f.Delay > 0:
		p.rp.ServeHTTP(w, r)
	}
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

var (
	chunkOnce sync.Once
	chunk     []byte
)

// streamChunk is the 32 KiB block Stream answers repeat.
func streamChunk() []byte {
	chunkOnce.Do(func() { chunk = []byte(strings.Repeat("x", 32<<10)) })
	return chunk
}
