package registry_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

const (
	secretPassword = "pw-0f9a8b7c6d5e-secret"
	secretToken    = "tok-1a2b3c4d5e6f-secret"
)

func TestSecretsNeverShown(t *testing.T) {
	basic := registry.Config{URLs: []string{"https://sr.example:8081"}, Username: "svc-lunch", Password: secretPassword}
	bearer := registry.Config{URLs: []string{"https://sr.example:8081"}, Token: secretToken}
	client, err := registry.New(basic)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, v := range []any{basic, &basic, bearer, &bearer, client} {
		fmt.Fprintf(&out, "%v\n%+v\n%#v\n%s\n", v, v, v, v)
	}
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	logger.Info("config", "basic", basic, "bearer", bearer, "client", client)
	slog.New(slog.NewTextHandler(&out, nil)).Info("config", "basic", &basic, "client", client)
	// A Config with a TLSConfig does not marshal (its func fields); these do,
	// and must not show the secrets.
	if b, err := json.Marshal(basic); err == nil { //nolint:staticcheck // SA1026: see above
		out.Write(b)
	}
	if b, err := json.Marshal(bearer); err == nil { //nolint:staticcheck // SA1026: see above
		out.Write(b)
	}
	s := out.String()
	for _, secret := range []string{secretPassword, secretToken} {
		if strings.Contains(s, secret) {
			t.Errorf("a secret appears in the formatted configuration:\n%s", s)
		}
	}
	// What is not secret is shown.
	for _, want := range []string{"svc-lunch", "https://sr.example:8081", "bearer token"} {
		if !strings.Contains(s, want) {
			t.Errorf("formatted configuration lacks %q:\n%s", want, s)
		}
	}
}

func TestAuthHeadersAndUnauthorizedHints(t *testing.T) {
	var got atomic.Value
	reject := atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		if reject.Load() {
			registrytest.WriteError(w, http.StatusUnauthorized, 40101, "Unauthorized")
			return
		}
		io.WriteString(w, `{"schema":"\"int\""}`)
	}))
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		cfg        registry.Config
		header     string
		hintWants  string
		noneSecret string
	}{
		{"basic", registry.Config{Username: "svc-lunch", Password: secretPassword},
			"Basic " + basicToken("svc-lunch", secretPassword), `basic auth as user "svc-lunch"`, secretPassword},
		{"bearer", registry.Config{Token: secretToken}, "Bearer " + secretToken, registry.EnvToken, secretToken},
		{"none", registry.Config{}, "", "no credentials were sent", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.URLs = []string{srv.URL}
			c := newClient(t, cfg)
			reject.Store(false)
			if _, err := c.SchemaByID(ctx(t), 1); err != nil {
				t.Fatal(err)
			}
			if h, _ := got.Load().(string); h != tt.header {
				t.Errorf("Authorization = %q, want %q", h, tt.header)
			}
			reject.Store(true)
			_, err := c.SchemaByID(ctx(t), 2)
			if !errors.Is(err, registry.ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
			var re *registry.Error
			if !errors.As(err, &re) || re.StatusCode != 401 || re.Code != 40101 {
				t.Errorf("err = %v, want a *registry.Error 401/40101", err)
			}
			if !strings.Contains(err.Error(), tt.hintWants) {
				t.Errorf("err = %q, want it to say %q", err, tt.hintWants)
			}
			if tt.noneSecret != "" && strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), tt.noneSecret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

func basicToken(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", http.NoBody)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(registry.EnvURL, " https://a.example:8081/ , http://b.example:8081/prefix ")
	t.Setenv(registry.EnvUsername, "svc")
	t.Setenv(registry.EnvPassword, secretPassword)
	t.Setenv(registry.EnvToken, "")
	t.Setenv(registry.EnvCAFile, "/etc/ca.pem")
	t.Setenv(registry.EnvCertFile, "/etc/c.pem")
	t.Setenv(registry.EnvKeyFile, "/etc/k.pem")
	cfg, err := registry.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	want := registry.Config{
		URLs:     []string{"https://a.example:8081/", "http://b.example:8081/prefix"},
		Username: "svc", Password: secretPassword,
		CAFile: "/etc/ca.pem", CertFile: "/etc/c.pem", KeyFile: "/etc/k.pem",
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("ConfigFromEnv (-want +got):\n%s", diff)
	}
}

func TestConfigFromEnvDefaultsAndErrors(t *testing.T) {
	for _, k := range []string{registry.EnvURL, registry.EnvUsername, registry.EnvPassword, registry.EnvToken, registry.EnvCAFile, registry.EnvCertFile, registry.EnvKeyFile} {
		t.Setenv(k, "")
	}
	cfg, err := registry.ConfigFromEnv()
	if err != nil || len(cfg.URLs) != 0 {
		t.Fatalf("ConfigFromEnv with nothing set = %v, %v", cfg, err)
	}
	c, err := registry.New(cfg)
	if err != nil || !strings.Contains(c.String(), registry.DefaultURL) {
		t.Fatalf("New(empty) = %v, %v; want the default URL", c, err)
	}

	bad := map[string]map[string]string{
		"token and basic":         {registry.EnvToken: secretToken, registry.EnvUsername: "u", registry.EnvPassword: secretPassword},
		"user without password":   {registry.EnvUsername: "u"},
		"cert without key":        {registry.EnvCertFile: "/c.pem"},
		"credentials in the URL":  {registry.EnvURL: "https://u:" + secretPassword + "@sr.example"},
		"not http":                {registry.EnvURL: "ftp://sr.example"},
		"no host":                 {registry.EnvURL: "http://"},
		"unparseable with secret": {registry.EnvURL: "http://u:" + secretPassword + "@sr example:port"},
	}
	for name, env := range bad {
		t.Run(name, func(t *testing.T) {
			for k, v := range env {
				t.Setenv(k, v)
			}
			_, err := registry.ConfigFromEnv()
			if err == nil {
				t.Fatal("ConfigFromEnv succeeded")
			}
			if strings.Contains(err.Error(), secretPassword) || strings.Contains(err.Error(), secretToken) {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

// testPKI is a CA with a server certificate for 127.0.0.1 and a client
// certificate, written as PEM files.
type testPKI struct {
	pool                      *x509.CertPool
	server                    tls.Certificate
	caFile, certFile, keyFile string
	otherCAFile               string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	writePEM := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	serial := int64(1)
	newCA := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		key := newKey()
		serial++
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		return cert, key, der
	}
	ca, caKey, caDER := newCA("test CA")
	_, _, otherDER := newCA("other CA")
	leaf := func(usage x509.ExtKeyUsage, ip net.IP) (tls.Certificate, []byte, *ecdsa.PrivateKey) {
		key := newKey()
		serial++
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		if ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der, key
	}
	server, _, _ := leaf(x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	_, clientDER, clientKey := leaf(x509.ExtKeyUsageClientAuth, nil)
	keyDER, err := x509.MarshalECPrivateKey(clientKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return testPKI{
		pool:        pool,
		server:      server,
		caFile:      writePEM("ca.pem", "CERTIFICATE", caDER),
		otherCAFile: writePEM("other-ca.pem", "CERTIFICATE", otherDER),
		certFile:    writePEM("client.pem", "CERTIFICATE", clientDER),
		keyFile:     writePEM("client-key.pem", "EC PRIVATE KEY", keyDER),
	}
}

func TestTLSWithCustomCAAndClientCertificate(t *testing.T) {
	pki := newTestPKI(t)
	fake := registrytest.NewServer(t)
	id := fake.Register("s", schemaV1)
	// A TLS front for the fake that requires a client certificate of the CA.
	proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(fake.URL() + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	proxy.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool}
	proxy.StartTLS()
	t.Cleanup(proxy.Close)

	cfg := fastConfig(proxy.URL)
	cfg.CAFile, cfg.CertFile, cfg.KeyFile = pki.caFile, pki.certFile, pki.keyFile
	c := newClient(t, cfg)
	if s, err := c.SchemaByID(ctx(t), id); err != nil || s.Text != schemaV1 {
		t.Fatalf("over mutual TLS: SchemaByID = %q, %v", s.Text, err)
	}

	// A CA the server's certificate does not chain to: refused, not retried.
	cfg = fastConfig(proxy.URL)
	cfg.CAFile, cfg.CertFile, cfg.KeyFile = pki.otherCAFile, pki.certFile, pki.keyFile
	c = newClient(t, cfg)
	_, err := c.SchemaByID(ctx(t), id)
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		t.Errorf("untrusted server: err = %v, want a certificate verification error", err)
	}
	if st := c.Stats(); st.Requests != 1 {
		t.Errorf("untrusted server: %d requests, want 1", st.Requests)
	}

	// No client certificate: the server refuses the handshake.
	cfg = fastConfig(proxy.URL)
	cfg.CAFile = pki.caFile
	cfg.MaxAttempts = 1
	c = newClient(t, cfg)
	if _, err := c.SchemaByID(ctx(t), id); err == nil {
		t.Errorf("without a client certificate: SchemaByID succeeded")
	}
}

func TestTLSFilesErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	for name, cfg := range map[string]registry.Config{
		"missing CA file":   {CAFile: filepath.Join(dir, "nope.pem")},
		"CA file not PEM":   {CAFile: notPEM},
		"missing cert pair": {CertFile: notPEM, KeyFile: notPEM},
		"transport and TLS": {CAFile: notPEM, Transport: http.DefaultTransport},
	} {
		if _, err := registry.New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
