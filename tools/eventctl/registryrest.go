package main

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
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// registryREST makes the two registry calls sdk/registry's Client does not
// offer (yet):
//
//   - GET /config/{subject} without defaultToGlobal: the subject's own
//     level, to tell "set on the subject" from "inherited from the global
//     level" (Client.Compatibility answers the level that applies);
//   - POST /compatibility/subjects/{subject}/versions?verbose=true: the
//     registry's verdict against every version its level compares with
//     (Client.CheckCompatibility asks about the latest version only, which
//     for a *_TRANSITIVE level is not what registering checks).
//
// It sends the credentials and TLS settings of the same registry.Config, to
// its first URL, once (no retries: the SDK client's calls before it have
// shown the registry answers).
type registryREST struct {
	base string
	auth string
	http *http.Client
}

func newRegistryREST(cfg registry.Config) (*registryREST, error) {
	if len(cfg.URLs) == 0 {
		cfg.URLs = []string{registry.DefaultURL}
	}
	r := &registryREST{base: strings.TrimRight(strings.TrimSpace(cfg.URLs[0]), "/")}
	switch {
	case cfg.Token != "":
		r.auth = "Bearer " + cfg.Token
	case cfg.Username != "":
		r.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password))
	}
	rt := cfg.Transport
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.TLSConfig != nil {
			tc = cfg.TLSConfig.Clone()
		}
		if cfg.CAFile != "" {
			pem, err := os.ReadFile(cfg.CAFile)
			if err != nil {
				return nil, fmt.Errorf("registry CA file: %w", err)
			}
			pool, err := x509.SystemCertPool()
			if err != nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("registry CA file %s holds no PEM certificate", cfg.CAFile)
			}
			tc.RootCAs = pool
		}
		if cfg.CertFile != "" {
			cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("registry client certificate: %w", err)
			}
			tc.Certificates = append(tc.Certificates, cert)
		}
		t.TLSClientConfig = tc
		rt = t
	}
	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = registry.DefaultRequestTimeout
	}
	r.http = &http.Client{
		Transport:     rt,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return r, nil
}

// do sends one request and decodes a 2xx JSON answer into out; a non-2xx
// answer is a *registry.Error (matching the registry package's sentinels).
func (r *registryREST) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json, application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	}
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %v", registry.ErrUnreachable, method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%w: reading the answer to %s %s: %v", registry.ErrUnreachable, method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &registry.Error{StatusCode: resp.StatusCode}
		var p struct {
			Code    int    `json:"error_code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &p) == nil {
			e.Code, e.Message = p.Code, p.Message
		} else {
			e.Message = strings.TrimSpace(string(data))
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%w: %s %s: %v", registry.ErrBadResponse, method, path, err)
		}
	}
	return nil
}

// subjectLevel returns the compatibility level set on subject itself; set
// is false when the subject has none (it inherits the global level).
func (r *registryREST) subjectLevel(ctx context.Context, subject string) (level contract.Compatibility, set bool, err error) {
	var out struct {
		Level string `json:"compatibilityLevel"`
		// Some registries answer with "compatibility" instead.
		Compatibility string `json:"compatibility"`
	}
	err = r.do(ctx, http.MethodGet, "/config/"+url.PathEscape(subject), nil, &out)
	var re *registry.Error
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return "", false, nil // 40408 (no subject level) or 40401
	}
	if err != nil {
		return "", false, err
	}
	s := out.Level
	if s == "" {
		s = out.Compatibility
	}
	l, err := contract.ParseCompatibility(s)
	if err != nil {
		return "", false, fmt.Errorf("%w: %v", registry.ErrBadResponse, err)
	}
	return l, true, nil
}

// registryVerdict is the registry's answer to "may this schema be
// registered under the subject now?".
type registryVerdict struct {
	Compatible bool     `json:"compatible"`
	Messages   []string `json:"messages,omitempty"`
}

// verdict asks the registry whether schema may be registered under subject,
// checked against the versions the subject's level compares with. A subject
// the registry does not know accepts anything.
func (r *registryREST) verdict(ctx context.Context, subject, schemaText string) (registryVerdict, error) {
	var out struct {
		IsCompatible *bool    `json:"is_compatible"`
		Messages     []string `json:"messages"`
	}
	err := r.do(ctx, http.MethodPost, "/compatibility/subjects/"+url.PathEscape(subject)+"/versions?verbose=true",
		map[string]string{"schema": schemaText}, &out)
	if errors.Is(err, registry.ErrSubjectNotFound) {
		return registryVerdict{Compatible: true}, nil
	}
	if err != nil {
		return registryVerdict{}, err
	}
	if out.IsCompatible == nil {
		return registryVerdict{}, fmt.Errorf("%w: no is_compatible in the answer", registry.ErrBadResponse)
	}
	return registryVerdict{Compatible: *out.IsCompatible, Messages: out.Messages}, nil
}

// registryConfig is the registry configuration of the environment (the
// SCHEMA_REGISTRY_* variables, see registry.ConfigFromEnv) with the URL
// replaced by rawURL when it is not empty.
func registryConfig(rawURL string) (registry.Config, error) {
	cfg, err := registry.ConfigFromEnv()
	if err != nil {
		return registry.Config{}, err
	}
	if rawURL != "" {
		cfg.URLs = nil
		for _, u := range strings.Split(rawURL, ",") {
			if u = strings.TrimSpace(u); u != "" {
				cfg.URLs = append(cfg.URLs, u)
			}
		}
	}
	// A command line waits less than a service would for a registry that
	// does not answer.
	cfg.MaxAttempts = 3
	cfg.MaxBackoff = 500 * time.Millisecond
	return cfg, nil
}

// registryLabel names the registry of cfg for people.
func registryLabel(cfg registry.Config) string {
	if len(cfg.URLs) == 0 {
		return registry.DefaultURL
	}
	return strings.Join(cfg.URLs, ",")
}
