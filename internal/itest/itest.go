// Package itest gives integration tests a real Kafka broker and a real
// schema registry: franz-go's kfake and axonops-schema-registry, run by the
// devstack command of tools/devstack (a Go 1.26 module this module never
// imports; itest builds its binaries and runs them).
//
// Broker and Registry return the addresses of one stack per test binary,
// started lazily on first use on free ports and shared by the package's
// tests. Set EVENTKIT_TEST_KAFKA and EVENTKIT_TEST_REGISTRY to use servers
// that already run (for example those of make dev-up) instead. Start gives a
// test a stack of its own that it may stop and restart (fault tests).
//
// Processes never outlive the test binary: devstack stops (and stops the
// registry) when the test process exits, however it exits, because it
// watches its standard input, a pipe from the test process, and gets a
// parent-death signal. Calling Main from TestMain stops the shared stack in
// order before the process exits.
//
// A test fails with the reason when the stack cannot be built or started.
// In -short mode tests that need a stack are skipped instead, unless the
// environment names running servers.
//
// Use:
//
//	func TestMain(m *testing.M) { itest.Main(m) }
//
//	func TestPublish(t *testing.T) {
//		brokers := itest.Broker(t)    // "127.0.0.1:41234"
//		registry := itest.Registry(t) // "http://127.0.0.1:39871"
//		topic := itest.Topic(t, "lunch-bot.deadlines")
//		subject := topic + "-value"   // TopicNameStrategy
//		...
//	}
//
//	func TestBrokerRestart(t *testing.T) {
//		s := itest.Start(t, itest.Options{RegistryPostgres: true})
//		... produce to s.BrokerAddr, register at s.RegistryURL ...
//		s.Restart() // or s.Kill() then s.Restart(): same ports, same data
//		...
//	}
//
// For fault and security tests: Options.KafkaTLSCert/KafkaTLSKey and
// Options.KafkaSASL start the broker with TLS (certificates from NewCA) or
// SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), Stack.SecurityProtocol says
// what clients need; NewFaultProxy puts a proxy that injects delays, error
// answers, resets, endless answers or an authentication demand in front of
// a registry; GoBuild builds a service to run as a process.
// Options.Brokers starts several brokers, and Stack.MoveLeaders then moves
// every partition's leader to another broker, as an election would:
//
//	s := itest.Start(t, itest.Options{Brokers: 3})
//	... produce and consume through s.BrokerAddr (all three brokers) ...
//	s.MoveLeaders() // returns once devstack confirms
//
// The shared stack creates the topics of avro/manifest.json (3 partitions)
// and auto-creates others. Its registry keeps schemas in memory with the
// global compatibility level BACKWARD; use Topic to keep subjects apart.
// Known gaps of the servers are listed in tools/devstack/README.md.
package itest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// Environment variables that point the harness at servers already running.
const (
	// EnvKafka holds bootstrap servers, e.g. 127.0.0.1:9092.
	EnvKafka = "EVENTKIT_TEST_KAFKA"
	// EnvRegistry holds a registry base URL, e.g. http://127.0.0.1:8081.
	EnvRegistry = "EVENTKIT_TEST_REGISTRY"
)

// startTimeout bounds how long a stack may take to answer once its binaries
// are built.
const startTimeout = 2 * time.Minute

// shared is the stack Broker and Registry start on first use.
var shared struct {
	mu   sync.Mutex
	done bool // a start was attempted; p or err is set
	p    *proc
	err  error
}

// Broker returns the bootstrap servers of a running Kafka broker: the value
// of EVENTKIT_TEST_KAFKA if set, otherwise the shared stack's broker, which
// it starts on first use. It fails t when no broker can be had.
func Broker(t testing.TB) string {
	t.Helper()
	if v := os.Getenv(EnvKafka); v != "" {
		return v
	}
	return sharedStack(t).brokerAddr
}

// Registry returns the base URL of a running schema registry, without a
// trailing slash: the value of EVENTKIT_TEST_REGISTRY if set, otherwise the
// shared stack's registry, which it starts on first use. It fails t when no
// registry can be had.
func Registry(t testing.TB) string {
	t.Helper()
	if v := os.Getenv(EnvRegistry); v != "" {
		return trimSlash(v)
	}
	return sharedStack(t).registryURL
}

// Main runs the tests and then stops the shared stack, if one was started,
// before exiting with the tests' status. Call it from TestMain:
//
//	func TestMain(m *testing.M) { itest.Main(m) }
//
// Without it the shared stack still stops when the test process exits.
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	p := shared.p
	shared.p = nil
	shared.mu.Unlock()
	if p != nil {
		if err := p.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "itest: stopping the shared stack: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		if code != 0 {
			fmt.Fprintf(os.Stderr, "itest: last lines of the shared stack's output:\n%s\n", p.tail.String())
		}
	}
	os.Exit(code)
}

func sharedStack(t testing.TB) *proc {
	t.Helper()
	if testing.Short() {
		t.Skipf("itest: needs Kafka and a schema registry; skipped in -short mode (set %s and %s to use running ones)", EnvKafka, EnvRegistry)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.done {
		shared.done = true
		shared.p, shared.err = startShared()
	}
	if shared.err != nil {
		t.Fatalf("itest: %v", shared.err)
	}
	if shared.p == nil {
		t.Fatal("itest: the shared stack was already stopped (itest.Main has returned)")
	}
	return shared.p
}

func startShared() (*proc, error) {
	bins, err := binaries()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	args := []string{"-kafka-port=0", "-registry-port=0"}
	if m, err := manifestPath(bins.root); err == nil {
		args = append(args, "-manifest="+m)
	}
	return launch(ctx, bins, args, nil)
}

func trimSlash(s string) string {
	for s != "" && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}
