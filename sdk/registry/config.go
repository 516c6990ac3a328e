package registry

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/internal/redact"
)

// The environment variables ConfigFromEnv reads.
const (
	// EnvURL holds the registry URL, or several separated by commas
	// (default http://localhost:8081).
	EnvURL = "SCHEMA_REGISTRY_URL"
	// EnvUsername and EnvPassword hold basic-auth credentials.
	EnvUsername = "SCHEMA_REGISTRY_USERNAME"
	EnvPassword = "SCHEMA_REGISTRY_PASSWORD"
	// EnvToken holds a bearer token (exclusive with basic auth).
	EnvToken = "SCHEMA_REGISTRY_TOKEN"
	// EnvCAFile names a PEM file of CA certificates to trust, in addition
	// to the system's.
	EnvCAFile = "SCHEMA_REGISTRY_CA_FILE"
	// EnvCertFile and EnvKeyFile name the PEM client certificate and key
	// for mutual TLS.
	EnvCertFile = "SCHEMA_REGISTRY_CERT_FILE"
	EnvKeyFile  = "SCHEMA_REGISTRY_KEY_FILE"
)

// The defaults of Config's zero fields.
const (
	DefaultURL              = "http://localhost:8081"
	DefaultRequestTimeout   = 10 * time.Second
	DefaultMaxAttempts      = 4
	DefaultMinBackoff       = 100 * time.Millisecond
	DefaultMaxBackoff       = 2 * time.Second
	DefaultCacheSize        = 1000
	DefaultMaxResponseBytes = 16 << 20
)

// Config configures an HTTPClient. The zero value is valid: it talks to
// http://localhost:8081 without authentication. Every zero field takes the
// default its comment names.
//
// Formatting a Config (fmt's %v, %+v, %#v, or log/slog) never shows the
// password or the token.
type Config struct {
	// URLs are the registry's base URLs (scheme, host, optional path
	// prefix; no credentials). A call goes to the URL that last answered
	// and fails over to the next on a network error or a 5xx answer.
	// Default: DefaultURL.
	URLs []string

	// Username and Password enable HTTP basic authentication.
	Username string
	Password string `json:"-"`
	// Token enables bearer authentication. Set either Token or
	// Username/Password, not both.
	Token string `json:"-"`

	// CAFile names a PEM file of CA certificates trusted in addition to the
	// system's. CertFile and KeyFile name a PEM client certificate and its
	// key, for registries that require mutual TLS.
	CAFile   string
	CertFile string
	KeyFile  string
	// TLSConfig, when set, is the base TLS configuration (cloned); CAFile,
	// CertFile and KeyFile add to it. Default: TLS 1.2 or newer, the
	// system's CAs.
	TLSConfig *tls.Config

	// Transport is the base round tripper every request goes through,
	// after the client has set the context, the credentials and the
	// headers. Wrap http.DefaultTransport (or a clone) to observe or count
	// requests. It excludes the TLS fields above (New fails when both are
	// set): configure TLS on the Transport. Default: a clone of
	// http.DefaultTransport with the TLS settings above.
	Transport http.RoundTripper

	// RequestTimeout bounds each HTTP attempt; the context's deadline
	// bounds the whole call, retries included. Default:
	// DefaultRequestTimeout (10s).
	RequestTimeout time.Duration
	// MaxAttempts is the number of attempts per call, across all URLs; 1
	// disables retries. Default: DefaultMaxAttempts (4).
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the pause before a retry: it doubles
	// from MinBackoff up to MaxBackoff, with full jitter; a Retry-After
	// answer header (in seconds) raises it, up to MaxBackoff. Defaults:
	// 100ms and 2s.
	MinBackoff time.Duration
	MaxBackoff time.Duration

	// CacheSize is the number of entries of each cache (id → schema,
	// (subject, schema, references) → id and (subject, version) → schema);
	// when one is full, an entry not used lately is
	// evicted (CLOCK, an approximation of least-recently-used).
	// Default: DefaultCacheSize (1000).
	CacheSize int
	// MaxResponseBytes bounds the size of a registry answer; a larger one
	// fails with ErrResponseTooLarge. Default: DefaultMaxResponseBytes
	// (16 MiB).
	MaxResponseBytes int64

	// Logger receives a debug record per retry. Default: slog.Default().
	Logger *slog.Logger
}

// ConfigFromEnv returns the Config the environment describes:
//
//	SCHEMA_REGISTRY_URL        registry URL(s), comma-separated (default http://localhost:8081)
//	SCHEMA_REGISTRY_USERNAME   basic-auth user
//	SCHEMA_REGISTRY_PASSWORD   basic-auth password
//	SCHEMA_REGISTRY_TOKEN      bearer token (instead of basic auth)
//	SCHEMA_REGISTRY_CA_FILE    PEM CA certificates to trust besides the system's
//	SCHEMA_REGISTRY_CERT_FILE  PEM client certificate (mutual TLS)
//	SCHEMA_REGISTRY_KEY_FILE   PEM client key (mutual TLS)
//
// The other fields keep their defaults. The Config is validated as New
// validates it.
func ConfigFromEnv() (Config, error) {
	var c Config
	if v := strings.TrimSpace(os.Getenv(EnvURL)); v != "" {
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimSpace(u); u != "" {
				c.URLs = append(c.URLs, u)
			}
		}
	}
	c.Username = os.Getenv(EnvUsername)
	c.Password = os.Getenv(EnvPassword)
	c.Token = os.Getenv(EnvToken)
	c.CAFile = os.Getenv(EnvCAFile)
	c.CertFile = os.Getenv(EnvCertFile)
	c.KeyFile = os.Getenv(EnvKeyFile)
	if _, err := c.baseURLs(); err != nil {
		return Config{}, err
	}
	if err := c.validateAuth(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// baseURLs validates and normalises the URLs.
func (c Config) baseURLs() ([]string, error) {
	in := c.URLs
	if len(in) == 0 {
		in = []string{DefaultURL}
	}
	out := make([]string, 0, len(in))
	for _, raw := range in {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			// url.Parse's error quotes the input, which may hold a password.
			return nil, fmt.Errorf("registry: invalid URL %q", redactURL(raw))
		}
		if u.User != nil {
			return nil, fmt.Errorf("registry: URL %s carries credentials; set them in Config.Username/Password or %s/%s instead", u.Redacted(), EnvUsername, EnvPassword)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("registry: invalid URL %q: want http(s)://host[:port][/path]", u.Redacted())
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("registry: invalid URL %q: no query or fragment allowed", u.Redacted())
		}
		out = append(out, strings.TrimRight(u.String(), "/"))
	}
	return out, nil
}

func (c Config) validateAuth() error {
	if c.Token != "" && (c.Username != "" || c.Password != "") {
		return errors.New("registry: both a bearer token and basic-auth credentials are set; set one")
	}
	if (c.Username == "") != (c.Password == "") {
		return fmt.Errorf("registry: basic auth needs both a username and a password (%s, %s)", EnvUsername, EnvPassword)
	}
	if c.Transport != nil && (c.CAFile != "" || c.CertFile != "" || c.TLSConfig != nil) {
		return errors.New("registry: Config.Transport is set together with TLS settings, which it would ignore; configure TLS on the Transport")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return fmt.Errorf("registry: a client certificate needs both a certificate and a key file (%s, %s)", EnvCertFile, EnvKeyFile)
	}
	return nil
}

// redactURL hides the password of a URL that may not parse.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if at := strings.LastIndexByte(raw, '@'); at >= 0 {
		if i := strings.Index(raw, "://"); i >= 0 && i < at {
			return raw[:i+3] + "[redacted]" + raw[at:]
		}
		return "[redacted]" + raw[at:]
	}
	return raw
}

func (c Config) authKind() string {
	switch {
	case c.Token != "":
		return "bearer token"
	case c.Username != "":
		return fmt.Sprintf("basic auth as %q", c.Username)
	}
	return "none"
}

// String describes the configuration without its secrets.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("registry.Config{URLs: [")
	for i, u := range c.URLs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(redactURL(u))
	}
	fmt.Fprintf(&b, "], Auth: %s", c.authKind())
	if c.Password != "" {
		b.WriteString(", Password: [redacted]")
	}
	if c.Token != "" {
		b.WriteString(", Token: [redacted]")
	}
	if c.CAFile != "" {
		fmt.Fprintf(&b, ", CAFile: %q", c.CAFile)
	}
	if c.CertFile != "" {
		fmt.Fprintf(&b, ", CertFile: %q, KeyFile: %q", c.CertFile, c.KeyFile)
	}
	if c.TLSConfig != nil {
		b.WriteString(", TLSConfig: set")
	}
	if c.Transport != nil {
		b.WriteString(", Transport: set")
	}
	fmt.Fprintf(&b, ", RequestTimeout: %v, MaxAttempts: %d, MinBackoff: %v, MaxBackoff: %v, CacheSize: %d, MaxResponseBytes: %d}",
		c.RequestTimeout, c.MaxAttempts, c.MinBackoff, c.MaxBackoff, c.CacheSize, c.MaxResponseBytes)
	return b.String()
}

// GoString is String: %#v shows no secret either.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb (%q quotes it): without it, verbs
// that are not for strings (%d, %t, ...) would print the fields, password
// and token included.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs the configuration without its secrets.
func (c Config) LogValue() slog.Value {
	urls := make([]string, len(c.URLs))
	for i, u := range c.URLs {
		urls[i] = redactURL(u)
	}
	return slog.GroupValue(
		slog.Any("urls", urls),
		slog.String("auth", c.authKind()),
		slog.String("ca_file", c.CAFile),
		slog.String("cert_file", c.CertFile),
	)
}
