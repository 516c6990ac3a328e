package redact

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

type holder struct{ pw string }

func (h holder) String() string                { return "holder{pw: " + Text + "}" }
func (h holder) GoString() string              { return h.String() }
func (h holder) Format(f fmt.State, verb rune) { Format(f, verb, h.String()) }

func TestFormatEveryVerb(t *testing.T) {
	h := holder{pw: "pw-Zk1"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d", "%t", "%10v"} {
		if got := fmt.Sprintf(verb, h); got != h.String() || strings.Contains(got, "pw-Zk1") {
			t.Errorf("%s: %q, want %q", verb, got, h.String())
		}
	}
	if got, want := fmt.Sprintf("%q", h), `"holder{pw: [redacted]}"`; got != want {
		t.Errorf("%%q: %s, want %s", got, want)
	}
}

func TestSecret(t *testing.T) {
	s := Secret("pw-Zk1")
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "s", s)
	j, _ := json.Marshal(map[string]Secret{"s": s})
	out := fmt.Sprintf("%v %+v %#v %s %q %x %d", s, s, s, s, s, s, s) + b.String() + string(j)
	if strings.Contains(out, "pw-Zk1") || !strings.Contains(out, Text) {
		t.Errorf("secret shows or no redaction mark: %s", out)
	}
	if string(s) != "pw-Zk1" {
		t.Error("the conversion to string lost the value")
	}
}

func TestScrubAndError(t *testing.T) {
	if got := Scrub("user u pw pw1 and pw1 again", []string{"", "pw1"}); got != "user u pw [redacted] and [redacted] again" {
		t.Errorf("Scrub = %q", got)
	}
	base := fmt.Errorf("connecting with pw1: %w", fs.ErrPermission)
	err := Error(base, []string{"pw1"})
	if strings.Contains(err.Error(), "pw1") || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Error = %v (Is ErrPermission: %t)", err, errors.Is(err, fs.ErrPermission))
	}
	if clean := errors.New("nothing secret"); Error(clean, []string{"pw1"}) != clean { //nolint:errorlint // the very same error value is the point
		t.Error("an error without secrets was wrapped")
	}
	if Error(nil, nil) != nil {
		t.Error("Error(nil) is not nil")
	}
}

func TestIsSensitive(t *testing.T) {
	for _, p := range []string{"sasl.password", "ssl.key.password", "sasl.oauthbearer.client.secret", "sasl.jaas.config", "ssl.key.pem", "sasl.oauthbearer.token.endpoint.url.credentials", "SASL.PASSWORD"} {
		if !IsSensitive(p) {
			t.Errorf("IsSensitive(%q) = false", p)
		}
	}
	for _, p := range []string{"bootstrap.servers", "acks", "sasl.username", "ssl.ca.location", "linger.ms"} {
		if IsSensitive(p) {
			t.Errorf("IsSensitive(%q) = true", p)
		}
	}
}

func TestProperties(t *testing.T) {
	got := Properties(map[string]any{
		"sasl.password": "a", "sasl.oauthbearer.client.secret": Secret("b"), "ssl.key.password": 42,
		"linger.ms": "not-secret", "sasl.jaas.config": "",
	})
	slices.Sort(got)
	if want := []string{"42", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Properties = %q, want %q", got, want)
	}
}
