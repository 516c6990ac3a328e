// Package redact keeps secrets out of what the SDK prints: log lines,
// errors, and the fmt and slog forms of configuration values.
//
// A type that holds a secret implements String without it and hands every
// other form to this package, so that all of them treat the verbs alike:
//
//	func (c Config) String() string                 { ... without secrets ... }
//	func (c Config) GoString() string               { return c.String() }
//	func (c Config) Format(f fmt.State, verb rune)  { redact.Format(f, verb, c.String()) }
package redact

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Text replaces a secret wherever it would be printed.
const Text = "[redacted]"

// Format writes s for every verb, quoted for %q, so that no verb, not even a
// wrong one, makes fmt print a value's fields raw.
func Format(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// Secret is a string that never shows itself: fmt (every verb), slog and
// encoding text and JSON print Text in its place. Convert it with string(s)
// where the value is really needed. Package kafkaconfig exports it as
// kafkaconfig.Secret.
type Secret string

// String returns Text.
func (Secret) String() string { return Text }

// GoString returns Text, for %#v.
func (Secret) GoString() string { return Text }

// Format prints Text for every verb (quoted for %q).
func (Secret) Format(f fmt.State, verb rune) { Format(f, verb, Text) }

// LogValue makes slog print Text.
func (Secret) LogValue() slog.Value { return slog.StringValue(Text) }

// MarshalText makes encoding/json and other text encoders print Text.
func (Secret) MarshalText() ([]byte, error) { return []byte(Text), nil }

// Scrub replaces every occurrence of each secret in s by Text.
func Scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Text)
		}
	}
	return s
}

// Error returns err unchanged when its text holds none of the secrets, and
// otherwise an error with the secrets replaced that still unwraps to err (so
// errors.Is and errors.As keep working).
func Error(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := Scrub(msg, secrets)
	if clean == msg {
		return err
	}
	return &scrubbed{msg: clean, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// IsSensitive reports whether a librdkafka property holds a secret: any
// property whose name mentions a password, a secret, a private key, JAAS, a
// token or a credential, and the PEM contents of a client key.
func IsSensitive(property string) bool {
	p := strings.ToLower(property)
	for _, w := range []string{"password", "secret", "jaas", "token", "private", "ssl.key.pem", "ssl_key", "credential"} {
		if strings.Contains(p, w) {
			return true
		}
	}
	return false
}

// Properties returns the values of the sensitive properties of a client
// configuration (see IsSensitive), as text: what Scrub must remove from
// anything the client prints.
func Properties[V any](props map[string]V) []string {
	var out []string
	for k, v := range props {
		if !IsSensitive(k) {
			continue
		}
		var s string
		switch v := any(v).(type) {
		case Secret:
			s = string(v)
		case string:
			s = v
		default:
			s = fmt.Sprint(v)
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
