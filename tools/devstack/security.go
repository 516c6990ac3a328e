package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// saslUser is one account of the broker, read from -kafka-sasl-users.
type saslUser struct {
	mechanism, user, pass string
}

// saslMechanisms are the mechanisms kfake implements.
var saslMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// readSASLUsers reads a -kafka-sasl-users file: one account per line,
// "MECHANISM USER PASSWORD" separated by single spaces (the password is the
// rest of the line), blank lines and lines starting with # ignored. The
// accounts are in a file rather than on the command line so that no
// password shows in the process list. Errors never quote a password.
func readSASLUsers(path string) ([]saslUser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-kafka-sasl-users: %w", err)
	}
	defer f.Close()
	var out []saslUser
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		parts := strings.SplitN(line, " ", 3)
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return nil, fmt.Errorf("-kafka-sasl-users %s line %d: want MECHANISM USER PASSWORD", path, n)
		}
		mech := strings.ToUpper(parts[0])
		ok := false
		for _, m := range saslMechanisms {
			ok = ok || m == mech
		}
		if !ok {
			return nil, fmt.Errorf("-kafka-sasl-users %s line %d: mechanism %q: want one of %s", path, n, parts[0], strings.Join(saslMechanisms, ", "))
		}
		out = append(out, saslUser{mechanism: mech, user: parts[1], pass: parts[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("-kafka-sasl-users %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-kafka-sasl-users %s: no account", path)
	}
	return out, nil
}

// kafkaSecurity is how the broker authenticates and encrypts: TLS with a
// certificate of the caller's, SASL with accounts of the caller's, or both.
type kafkaSecurity struct {
	cert  *tls.Certificate
	users []saslUser
}

// loadKafkaSecurity reads the TLS key pair and the SASL accounts the flags
// name.
func loadKafkaSecurity(cfg *config) (kafkaSecurity, error) {
	var s kafkaSecurity
	if (cfg.kafkaTLSCert == "") != (cfg.kafkaTLSKey == "") {
		return s, errors.New("-kafka-tls-cert and -kafka-tls-key go together")
	}
	if cfg.kafkaTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.kafkaTLSCert, cfg.kafkaTLSKey)
		if err != nil {
			return s, fmt.Errorf("kafka TLS key pair: %w", err)
		}
		s.cert = &cert
	}
	if cfg.kafkaSASLUsers != "" {
		users, err := readSASLUsers(cfg.kafkaSASLUsers)
		if err != nil {
			return s, err
		}
		s.users = users
	}
	return s, nil
}

// protocol is the Kafka security.protocol clients must use.
func (s kafkaSecurity) protocol() string {
	switch {
	case s.cert != nil && len(s.users) > 0:
		return "SASL_SSL"
	case s.cert != nil:
		return "SSL"
	case len(s.users) > 0:
		return "SASL_PLAINTEXT"
	}
	return "PLAINTEXT"
}

// clusterOpts are kfake's options for s.
func (s kafkaSecurity) clusterOpts() []kfake.Opt {
	var opts []kfake.Opt
	if s.cert != nil {
		opts = append(opts, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{*s.cert}, MinVersion: tls.VersionTLS12}))
	}
	if len(s.users) > 0 {
		opts = append(opts, kfake.EnableSASL())
		for _, u := range s.users {
			opts = append(opts, kfake.Superuser(u.mechanism, u.user, u.pass))
		}
	}
	return opts
}

// clientOpts are the options devstack's own readiness client needs to talk
// to the broker: TLS without verification (it dials 127.0.0.1, which the
// caller's certificate need not name) and the first SASL account.
func (s kafkaSecurity) clientOpts() []kgo.Opt {
	var opts []kgo.Opt
	if s.cert != nil {
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{InsecureSkipVerify: true})) //nolint:gosec // a local readiness probe
	}
	if len(s.users) > 0 {
		u := s.users[0]
		var m sasl.Mechanism
		switch u.mechanism {
		case "PLAIN":
			m = plain.Auth{User: u.user, Pass: u.pass}.AsMechanism()
		case "SCRAM-SHA-256":
			m = scram.Auth{User: u.user, Pass: u.pass}.AsSha256Mechanism()
		default:
			m = scram.Auth{User: u.user, Pass: u.pass}.AsSha512Mechanism()
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts
}
