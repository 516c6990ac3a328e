package registry

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/lunchbot/eventkit/internal/cache"
	"github.com/lunchbot/eventkit/internal/flight"
	"github.com/lunchbot/eventkit/internal/redact"
)

// HTTPClient is a Client over HTTP. It is safe for concurrent use. Create it
// with New.
type HTTPClient struct {
	urls     []string
	pref     atomic.Uint32 // index in urls of the URL to try first
	base     http.RoundTripper
	auth     *string // the Authorization header value; behind a pointer so that no formatting of the client shows it
	authKind string
	hint     hints

	requestTimeout         time.Duration
	maxAttempts            int
	minBackoff, maxBackoff time.Duration
	maxResponse            int64
	log                    *slog.Logger

	ids      *cache.Cache[int, Schema]          // id → schema text and references
	lookups  *cache.Cache[lookupKey, lookupVal] // (subject, schema, references) → id, version
	versions *cache.Cache[versionKey, Schema]   // (subject, version number) → schema
	idCalls  flight.Group[lookupVal]            // lookups and registrations in flight
	getCalls flight.Group[Schema]               // schema fetches in flight

	requests, retries, hits, misses atomic.Uint64
}

type lookupKey struct {
	subject string
	schema  [32]byte // SHA-256 of the schema text and its references
}

type versionKey struct {
	subject string
	version int
}

type lookupVal struct {
	id, version int // version 0: unknown (learnt by Register)
}

// hints say what to do next on a 401 or 403, without secrets.
type hints struct{ unauthorized, forbidden string }

var _ Client = (*HTTPClient)(nil)

// New returns a client configured by cfg (see Config for the defaults). It
// fails when the configuration is invalid or a certificate file cannot be
// read; it makes no request.
func New(cfg Config) (*HTTPClient, error) {
	urls, err := cfg.baseURLs()
	if err != nil {
		return nil, err
	}
	if err := cfg.validateAuth(); err != nil {
		return nil, err
	}
	c := &HTTPClient{
		urls:           urls,
		base:           cfg.Transport,
		authKind:       cfg.authKind(),
		requestTimeout: orDefault(cfg.RequestTimeout, DefaultRequestTimeout),
		maxAttempts:    orDefault(cfg.MaxAttempts, DefaultMaxAttempts),
		minBackoff:     orDefault(cfg.MinBackoff, DefaultMinBackoff),
		maxBackoff:     orDefault(cfg.MaxBackoff, DefaultMaxBackoff),
		maxResponse:    orDefault(cfg.MaxResponseBytes, DefaultMaxResponseBytes),
		log:            cfg.Logger,
		ids:            cache.New[int, Schema](orDefault(cfg.CacheSize, DefaultCacheSize), nil),
		lookups:        cache.New[lookupKey, lookupVal](orDefault(cfg.CacheSize, DefaultCacheSize), nil),
		versions:       cache.New[versionKey, Schema](orDefault(cfg.CacheSize, DefaultCacheSize), nil),
	}
	if c.maxBackoff < c.minBackoff {
		c.maxBackoff = c.minBackoff
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	switch {
	case cfg.Token != "":
		h := "Bearer " + cfg.Token
		c.auth = &h
		c.hint = hints{
			unauthorized: "the registry refused the bearer token; check that it is current (" + EnvToken + ")",
			forbidden:    "the bearer token lacks the permission for this operation",
		}
	case cfg.Username != "":
		h := "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password))
		c.auth = &h
		c.hint = hints{
			unauthorized: fmt.Sprintf("the registry refused basic auth as user %q; check the user and password (%s, %s)", cfg.Username, EnvUsername, EnvPassword),
			forbidden:    fmt.Sprintf("user %q lacks the permission for this operation", cfg.Username),
		}
	default:
		c.hint = hints{
			unauthorized: fmt.Sprintf("no credentials were sent; set %s and %s, or %s", EnvUsername, EnvPassword, EnvToken),
			forbidden:    "the registry refuses this operation without credentials",
		}
	}
	if c.base == nil {
		tlsCfg, err := cfg.tlsConfig()
		if err != nil {
			return nil, err
		}
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = tlsCfg
		c.base = t
	}
	return c, nil
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// String describes the client without its secrets.
func (c *HTTPClient) String() string {
	return fmt.Sprintf("registry.HTTPClient{URLs: %v, Auth: %s}", c.urls, c.authKind)
}

// GoString is String.
func (c *HTTPClient) GoString() string { return c.String() }

// Format prints String for every verb (%q quotes it).
func (c *HTTPClient) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs the client without its secrets.
func (c *HTTPClient) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("urls", c.urls), slog.String("auth", c.authKind))
}

// Stats counts what a client did since it was created.
type Stats struct {
	// Requests is the number of HTTP requests sent, retries included.
	Requests uint64
	// Retries is the number of requests that repeated a failed one.
	Retries uint64
	// CacheHits and CacheMisses count the lookups of ids and schemas in the
	// client's caches.
	CacheHits   uint64
	CacheMisses uint64
}

// Stats returns the client's counters.
func (c *HTTPClient) Stats() Stats {
	return Stats{
		Requests:    c.requests.Load(),
		Retries:     c.retries.Load(),
		CacheHits:   c.hits.Load(),
		CacheMisses: c.misses.Load(),
	}
}
