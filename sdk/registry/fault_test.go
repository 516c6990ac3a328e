package registry_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/internal/race"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// slack is what a loaded machine may add to a bounded wait.
const slack = 30 * time.Second

// faultSetup registers schemaV1 on the real registry and returns its id, a
// fault proxy in front of the registry, and a client of the proxy with
// fast retries (cfg adjusts it).
func faultSetup(t *testing.T, adjust func(*registry.Config)) (int, *itest.FaultProxy, *registry.HTTPClient) {
	t.Helper()
	upstream := newClient(t, registry.Config{URLs: []string{itest.Registry(t)}})
	id, err := upstream.Register(ctx(t), uniqueSubject(t), schemaV1)
	if err != nil {
		t.Fatal(err)
	}
	proxy := itest.NewFaultProxy(t, itest.Registry(t), nil)
	cfg := registry.Config{URLs: []string{proxy.URL}, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}
	if adjust != nil {
		adjust(&cfg)
	}
	return id, proxy, newClient(t, cfg)
}

// TestFaultSlowRegistryNeverOutlivesTheDeadline holds every request for a
// minute: a call returns when the caller's context ends (within slack),
// with context.DeadlineExceeded, whatever the request timeout and retries
// would allow.
func TestFaultSlowRegistryNeverOutlivesTheDeadline(t *testing.T) {
	id, proxy, c := faultSetup(t, func(c *registry.Config) { c.RequestTimeout = time.Hour })
	proxy.Set(itest.Fault{Delay: time.Minute})
	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, err := c.SchemaByID(ctx, id)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if took > deadline+slack {
		t.Errorf("returned after %v, past the %v deadline", took, deadline)
	}
	t.Logf("slow registry: returned after %v with %v", took.Round(time.Millisecond), err)

	// A request timeout shorter than the delay: each attempt gives up, is
	// retried, and the call fails as unreachable, well before the delay.
	_, proxy, c = faultSetup(t, func(c *registry.Config) { c.RequestTimeout = 200 * time.Millisecond; c.MaxAttempts = 3 })
	proxy.Set(itest.Fault{Delay: time.Minute})
	start = time.Now()
	_, err = c.SchemaByID(context.Background(), id)
	if !errors.Is(err, registry.ErrUnreachable) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrUnreachable (and no context error: the caller's context is live)", err)
	}
	if n := proxy.Requests(); n != 3 {
		t.Errorf("%d requests, want 3 (MaxAttempts)", n)
	}
	t.Logf("request timeout 200ms, 3 attempts: gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestFault5xxRetried answers 503, 500 and 502 once each, then forwards:
// the call succeeds on the fourth request. Answering 500 forever fails as
// unreachable after MaxAttempts requests.
func TestFault5xxRetried(t *testing.T) {
	id, proxy, c := faultSetup(t, nil)
	for _, status := range []int{503, 500, 502} {
		proxy.Set(itest.Fault{Status: status, Body: []byte(`{"error_code":50001,"message":"busy"}`), Times: 1})
		if _, err := c.Versions(ctx(t), "no-such-subject-"+t.Name()); !errors.Is(err, registry.ErrSubjectNotFound) {
			t.Fatalf("after a %d: err = %v, want the real registry's ErrSubjectNotFound", status, err)
		}
	}
	if n, f := proxy.Requests(), proxy.Faulted(); n != 6 || f != 3 {
		t.Errorf("%d requests of which %d faulted, want 6 and 3", n, f)
	}
	if s := c.Stats(); s.Retries != 3 {
		t.Errorf("stats %+v, want 3 retries", s)
	}
	if _, err := c.SchemaByID(ctx(t), id); err != nil {
		t.Fatal(err)
	}

	_, proxy, c = faultSetup(t, nil)
	proxy.Set(itest.Fault{Status: http.StatusInternalServerError, Body: []byte(`{"error_code":50001,"message":"down"}`)})
	_, err := c.SchemaByID(ctx(t), id)
	var re *registry.Error
	if !errors.Is(err, registry.ErrUnreachable) || !errors.As(err, &re) || re.StatusCode != 500 {
		t.Errorf("err = %v, want ErrUnreachable wrapping the 500 answer", err)
	}
	if n := proxy.Requests(); n != registry.DefaultMaxAttempts {
		t.Errorf("%d requests, want %d (DefaultMaxAttempts)", n, registry.DefaultMaxAttempts)
	}
}

// TestFault401And403NotRetried: the registry's refusals are not retried,
// and the error says what to do.
func TestFault401And403NotRetried(t *testing.T) {
	for _, tt := range []struct {
		status int
		cfg    func(*registry.Config)
		says   string
	}{
		{401, nil, "no credentials were sent"},
		{401, func(c *registry.Config) { c.Username, c.Password = "svc", "pw-Q3x" }, `refused basic auth as user "svc"`},
		{401, func(c *registry.Config) { c.Token = "tok-Q3x" }, "refused the bearer token"},
		{403, func(c *registry.Config) { c.Username, c.Password = "svc", "pw-Q3x" }, `user "svc" lacks the permission`},
		{403, func(c *registry.Config) { c.Token = "tok-Q3x" }, "bearer token lacks the permission"},
	} {
		id, proxy, c := faultSetup(t, tt.cfg)
		proxy.Set(itest.Fault{Status: tt.status, Body: []byte(`{"error_code":` + strconv.Itoa(tt.status) + `01,"message":"nope"}`)})
		_, err := c.SchemaByID(ctx(t), id)
		if !errors.Is(err, registry.ErrUnauthorized) || errors.Is(err, registry.ErrUnreachable) {
			t.Errorf("%d: err = %v, want ErrUnauthorized", tt.status, err)
		}
		if err != nil && !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%d: err = %q, want it to say %q", tt.status, err, tt.says)
		}
		if err != nil && strings.Contains(err.Error(), "Q3x") {
			t.Errorf("%d: the error shows the secret: %v", tt.status, err)
		}
		if n := proxy.Requests(); n != 1 {
			t.Errorf("%d: %d requests, want 1 (not retried)", tt.status, n)
		}
	}
}

// TestFaultMalformedAnswers: 2xx answers that are not what the API says
// fail with ErrBadResponse at once (not retried, no panic).
func TestFaultMalformedAnswers(t *testing.T) {
	for _, body := range []string{
		`<html>gateway</html>`,
		`{"schema":`,
		`{"schema":123}`,
		`{"schema":""}`,
		`null`,
		"\x00\xff\xfe",
		`[]`,
	} {
		id, proxy, c := faultSetup(t, nil)
		proxy.Set(itest.Fault{Status: 200, Body: []byte(body)})
		_, err := c.SchemaByID(ctx(t), id)
		if !errors.Is(err, registry.ErrBadResponse) {
			t.Errorf("answer %q: err = %v, want ErrBadResponse", body, err)
		}
		if n := proxy.Requests(); n != 1 {
			t.Errorf("answer %q: %d requests, want 1", body, n)
		}
	}
}

// TestFaultHugeAnswersBounded: a 2xx answer of 1 GiB without a
// Content-Length, one declaring 1 TiB, and a 500 answer of 1 GiB are
// refused with ErrResponseTooLarge (or retried as a 500 whose body is read
// up to 64 KiB), and the client allocates a bounded amount meanwhile: at
// most a few times MaxResponseBytes, not what the server offers (checked
// without the race detector, which allocates too).
func TestFaultHugeAnswersBounded(t *testing.T) {
	const offered = 1 << 30
	for _, tt := range []struct {
		name  string
		fault itest.Fault
		want  error
	}{
		{"endless 200", itest.Fault{Stream: offered}, registry.ErrResponseTooLarge},
		{"declared 1 TiB", itest.Fault{Status: 200, ContentLength: 1 << 40, Body: []byte(`{"schema":"x"}`)}, registry.ErrResponseTooLarge},
		{"endless 500", itest.Fault{Status: 500, Stream: offered}, registry.ErrUnreachable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id, proxy, c := faultSetup(t, nil)
			proxy.Set(tt.fault)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := c.SchemaByID(ctx(t), id)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			// The proxy runs in this process too; it allocates nothing per
			// byte it streams.
			if limit := uint64(4 * registry.DefaultMaxResponseBytes); alloc > limit && !race.Enabled {
				t.Errorf("allocated %d MiB while the server offered %d MiB; want at most %d MiB", alloc>>20, int64(offered)>>20, limit>>20)
			}
			t.Logf("%s: %d requests, %d MiB streamed by the proxy, %d MiB allocated: %v",
				tt.name, proxy.Requests(), proxy.StreamedBytes()>>20, alloc>>20, err)
		})
	}
}
