package registry_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

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
