package registry

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lunchbot/eventkit/internal/backoff"
	"github.com/lunchbot/eventkit/internal/cache"
	"github.com/lunchbot/eventkit/internal/flight"
	"github.com/lunchbot/eventkit/internal/redact"
)

const contentType = "application/vnd.schemaregistry.v1+json"

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

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

	ids      *cache.Cache[int, string]          // id → schema text
	lookups  *cache.Cache[lookupKey, lookupVal] // (subject, schema) → id, version
	idCalls  flight.Group[lookupVal]            // lookups and registrations in flight
	getCalls flight.Group[string]               // schema fetches in flight

	requests, retries, hits, misses atomic.Uint64
}

type lookupKey struct {
	subject string
	schema  [32]byte // SHA-256 of the schema text
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
		ids:            cache.New[int, string](orDefault(cfg.CacheSize, DefaultCacheSize), nil),
		lookups:        cache.New[lookupKey, lookupVal](orDefault(cfg.CacheSize, DefaultCacheSize), nil),
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

func (cfg Config) tlsConfig() (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		t = cfg.TLSConfig.Clone()
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("registry: CA file: %w", err)
		}
		pool := t.RootCAs
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil {
				pool = x509.NewCertPool()
			}
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("registry: CA file %s holds no PEM certificate", cfg.CAFile)
		}
		t.RootCAs = pool
	}
	if cfg.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			// The error names the files, never the key material.
			return nil, fmt.Errorf("registry: client certificate: %w", err)
		}
		t.Certificates = append(t.Certificates, cert)
	}
	return t, nil
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

// attempt is one try of a call against one URL. Its round tripper records
// what happened on the wire, which srclient's errors do not tell (it drops
// the HTTP status of an answer and mixes network errors with decoding
// errors).
type attempt struct {
	c       *HTTPClient
	ctx     context.Context
	baseURL string

	netErr     error  // the transport failed
	apiErr     *Error // the registry answered non-2xx
	tooLarge   bool
	retryAfter time.Duration
}

// RoundTrip sends req with the attempt's context and the client's
// credentials.
func (a *attempt) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(a.ctx)
	if a.c.auth != nil {
		r.Header.Set("Authorization", *a.c.auth)
	}
	r.Header.Set("Accept", contentType+", application/json")
	if r.Body != nil && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("User-Agent", "eventkit-registry")
	a.c.requests.Add(1)
	resp, err := a.c.base.RoundTrip(r)
	if err != nil {
		a.netErr = err
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		a.apiErr = a.c.answerError(resp.StatusCode, body)
		a.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	if resp.ContentLength > a.c.maxResponse {
		resp.Body.Close()
		a.tooLarge = true
		return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrResponseTooLarge, resp.ContentLength, a.c.maxResponse)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: a.c.maxResponse, a: a}
	return resp, nil
}

// limitedBody fails a read past the limit with ErrResponseTooLarge.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	a    *attempt
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			l.a.tooLarge = true
			return 0, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, l.a.c.maxResponse)
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if err != nil && err != io.EOF {
		// The connection broke mid-answer: a network error, retried.
		l.a.netErr = err
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// httpClient returns an http.Client whose requests go through the attempt.
// It follows no redirect: the credentials are for the registry's hosts only.
func (a *attempt) httpClient() *http.Client {
	return &http.Client{
		Transport:     a,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends one request (the body is sent whole, on every attempt) and
// decodes a 2xx JSON answer into out (when out is not nil).
func (a *attempt) do(method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(a.ctx, method, a.baseURL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if a.apiErr != nil {
		return a.apiErr
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A redirect not followed.
		a.apiErr = &Error{StatusCode: resp.StatusCode, Message: "redirect to " + resp.Header.Get("Location") + " not followed"}
		return a.apiErr
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	return nil
}

// answerError builds the error of a non-2xx answer.
func (c *HTTPClient) answerError(status int, body []byte) *Error {
	e := &Error{StatusCode: status}
	var payload struct {
		Code    int    `json:"error_code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &payload) == nil {
		e.Code, e.Message = payload.Code, payload.Message
	} else {
		e.Message = strings.TrimSpace(string(body))
	}
	if len(e.Message) > 1024 {
		e.Message = e.Message[:1024] + "..."
	}
	switch status {
	case http.StatusUnauthorized:
		e.hint = c.hint.unauthorized
	case http.StatusForbidden:
		e.hint = c.hint.forbidden
	}
	return e
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// call runs one registry operation: fn is tried against the URLs, with
// failover and backoff, until it succeeds, fails for good, the attempts are
// spent or ctx is done.
func (c *HTTPClient) call(ctx context.Context, op string, fn func(a *attempt) error) error {
	var last error
	failed := 0
	for i := 0; i < c.maxAttempts; i++ {
		if err := ctx.Err(); err != nil {
			return c.ctxError(op, err, last)
		}
		idx := int(c.pref.Load()) % len(c.urls)
		actx, cancel := context.WithTimeout(ctx, c.requestTimeout)
		a := &attempt{c: c, ctx: actx, baseURL: c.urls[idx]}
		if i > 0 {
			c.retries.Add(1)
		}
		err := try(fn, a)
		timedOut := actx.Err() != nil
		cancel()
		if err == nil {
			return nil
		}
		switch {
		case ctx.Err() != nil:
			return c.ctxError(op, ctx.Err(), err)
		case a.apiErr != nil && !a.apiErr.retryable():
			return fmt.Errorf("registry: %s: %w", op, a.apiErr)
		case a.tooLarge:
			return fmt.Errorf("registry: %s at %s: %w", op, a.baseURL, ErrResponseTooLarge)
		case a.netErr != nil && permanentTLS(a.netErr):
			// A certificate the client does not trust stays untrusted.
			return fmt.Errorf("registry: %s at %s: %w", op, a.baseURL, a.netErr)
		case a.apiErr != nil:
			last = fmt.Errorf("%s: %w", a.baseURL, a.apiErr)
		case timedOut:
			// Not wrapped: the caller's context is live, and the error must
			// not match context.DeadlineExceeded.
			last = fmt.Errorf("%s: no answer within %v (Config.RequestTimeout)", a.baseURL, c.requestTimeout)
		case a.netErr != nil:
			last = fmt.Errorf("%s: %w", a.baseURL, a.netErr)
		default:
			// A 2xx answer that does not decode, or a request that cannot be
			// built: retrying will not help.
			if !errors.Is(err, ErrBadResponse) {
				err = fmt.Errorf("%w: %v", ErrBadResponse, err)
			}
			return fmt.Errorf("registry: %s at %s: %w", op, a.baseURL, err)
		}
		// Fail over: the next attempt goes to the next URL, and so do the
		// following calls.
		c.pref.CompareAndSwap(uint32(idx), uint32((idx+1)%len(c.urls)))
		failed++
		if i+1 == c.maxAttempts {
			break
		}
		if failed%len(c.urls) == 0 {
			// Every URL failed once more: back off before the next round.
			d := c.backoff(failed/len(c.urls), a.retryAfter)
			c.log.DebugContext(ctx, "registry: retrying", "op", op, "err", last, "backoff", d)
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return c.ctxError(op, ctx.Err(), last)
			case <-t.C:
			}
		} else {
			c.log.DebugContext(ctx, "registry: failing over", "op", op, "err", last, "next", c.urls[(idx+1)%len(c.urls)])
		}
	}
	return fmt.Errorf("registry: %s: %w after %d attempts: %w", op, ErrUnreachable, c.maxAttempts, last)
}

// try runs one attempt, turning a panic into ErrBadResponse: srclient
// dereferences what it decoded without checking it (a "null" answer to GET
// /schemas/ids/{id} panics in GetSchema), and a registry's answer must never
// crash the service.
func try(fn func(a *attempt) error, a *attempt) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: the answer broke its decoder (%v)", ErrBadResponse, r)
		}
	}()
	return fn(a)
}

// permanentTLS reports whether err is a TLS failure that retrying cannot
// fix: an untrusted or invalid certificate.
func permanentTLS(err error) bool {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &cerr)
}

// backoff returns the pause before retry round n (1, 2, ...): the jittered
// exponential pause of package backoff, and at least the Retry-After the
// registry asked for (capped at MaxBackoff too).
func (c *HTTPClient) backoff(n int, retryAfter time.Duration) time.Duration {
	d := backoff.Policy{Min: c.minBackoff, Max: c.maxBackoff}.Delay(n)
	if retryAfter > d {
		d = min(retryAfter, c.maxBackoff)
	}
	return d
}

func (c *HTTPClient) ctxError(op string, ctxErr, last error) error {
	if last != nil {
		return fmt.Errorf("registry: %s: %w (last error: %v)", op, ctxErr, last)
	}
	return fmt.Errorf("registry: %s: %w", op, ctxErr)
}
