package itest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a stack started with Start. The zero value gives a
// broker that persists to a temporary directory (so Restart keeps topics,
// records and committed offsets), a registry that keeps schemas in memory
// (so Restart empties it), free ports, and devstack's defaults.
type Options struct {
	// DataDir is the stack's state directory, kept across Restart: the
	// broker's data in DataDir/kafka and, with RegistryPostgres, the
	// registry's PostgreSQL cluster in DataDir/registry-postgres. Empty
	// means a new temporary directory, removed when the test ends, unless
	// InMemory.
	DataDir string
	// InMemory keeps nothing on disk: Restart then starts an empty broker
	// (and an empty registry, even with RegistryPostgres).
	InMemory bool
	// RegistryPostgres makes the registry keep schemas in a PostgreSQL
	// cluster that devstack runs, so that they survive Restart. It needs
	// PostgreSQL's server programs (Debian's postgresql package); as root
	// they run as the postgres user, who must be able to enter DataDir.
	RegistryPostgres bool
	// Manifest is the path of an avro/manifest.json whose topics are
	// created at start. Empty creates none.
	Manifest string
	// Partitions is the partition count of created and auto-created
	// topics. Zero means devstack's default, 3.
	Partitions int
	// KafkaPort and RegistryPort fix the ports; zero picks free ones.
	// Either way Restart reuses the ports of the first start. With
	// several Brokers, they listen on KafkaPort, KafkaPort+1, …
	KafkaPort, RegistryPort int
	// Brokers is the number of Kafka brokers (devstack's -brokers; zero
	// means one). With two or more, MoveLeaders moves partition leaders
	// between them. Restart of a stack of several brokers needs KafkaPort:
	// free ports picked at the first start are not consecutive.
	Brokers int
	// KafkaTLSCert and KafkaTLSKey name PEM files of the certificate (and
	// its key) the broker serves TLS with: clients then need
	// security.protocol SSL, or SASL_SSL with KafkaSASL. NewCA makes them.
	KafkaTLSCert, KafkaTLSKey string
	// KafkaSASL are the accounts the broker requires: clients then need
	// security.protocol SASL_PLAINTEXT, or SASL_SSL with TLS. kfake
	// implements PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
	KafkaSASL []SASLUser
}

// SASLUser is an account of a broker that requires SASL.
type SASLUser struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism string
	User      string
	Password  string
}

// Stack is a broker and a registry that one test controls: it can stop and
// restart them to test faults. What survives a restart is set by Options.
// Stop, Kill and Restart must not run concurrently.
type Stack struct {
	// BrokerAddr is the broker's bootstrap address, host:port; with
	// several Options.Brokers, all of theirs, comma-separated. It stays the
	// same across Restart.
	BrokerAddr string
	// RegistryURL is the registry's base URL. It stays the same across
	// Restart.
	RegistryURL string
	// DataDir is the stack's state directory, or empty (Options.InMemory).
	DataDir string
	// SecurityProtocol is the security.protocol clients of the broker
	// need: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
	SecurityProtocol string

	t    testing.TB
	opts Options
	bins bins
	log  string // devstack's output, appended across restarts

	mu sync.Mutex
	p  *proc // nil while stopped
}

// Start builds devstack if needed and starts a stack of its own for t,
// stopped when t ends. It fails t when the stack cannot start; in -short
// mode it skips t.
func Start(t testing.TB, opts Options) *Stack {
	t.Helper()
	if testing.Short() {
		t.Skip("itest: starting a Kafka broker and a schema registry; skipped in -short mode")
	}
	b, err := binaries()
	if err != nil {
		t.Fatalf("itest: %v", err)
	}
	s := &Stack{t: t, opts: opts, bins: b, DataDir: opts.DataDir}
	if s.DataDir == "" && !opts.InMemory {
		// Not under t.TempDir(), whose directories are private to us: as
		// root, PostgreSQL runs as the postgres user and must enter it.
		dir, err := os.MkdirTemp("", "itest-stack-")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		if err != nil {
			t.Fatalf("itest: %v", err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		s.DataDir = dir
	}
	s.log = filepath.Join(t.TempDir(), "devstack.log")
	// Registered after the cleanups removing the directories, so it runs
	// before them: the processes stop before their files go.
	t.Cleanup(func() {
		s.mu.Lock()
		p := s.p
		s.mu.Unlock()
		if p != nil && t.Failed() {
			t.Logf("itest: last lines of the stack's output:\n%s", p.tail.Last(40))
		}
		s.Stop()
	})
	if err := s.start(opts.KafkaPort, opts.RegistryPort); err != nil {
		t.Fatalf("itest: %v", err)
	}
	return s
}

func (s *Stack) start(kafkaPort, registryPort int) error {
	args := []string{
		"-kafka-port=" + strconv.Itoa(kafkaPort),
		"-registry-port=" + strconv.Itoa(registryPort),
	}
	if s.DataDir != "" {
		args = append(args, "-data="+s.DataDir)
	}
	if s.opts.Manifest != "" {
		args = append(args, "-manifest="+s.opts.Manifest)
	}
	if s.opts.RegistryPostgres {
		args = append(args, "-registry-storage=postgres")
	}
	if s.opts.Brokers > 1 {
		args = append(args, "-brokers="+strconv.Itoa(s.opts.Brokers))
	}
	if s.opts.Partitions > 0 {
		args = append(args, "-partitions="+strconv.Itoa(s.opts.Partitions))
	}
	if s.opts.KafkaTLSCert != "" || s.opts.KafkaTLSKey != "" {
		args = append(args, "-kafka-tls-cert="+s.opts.KafkaTLSCert, "-kafka-tls-key="+s.opts.KafkaTLSKey)
	}
	if len(s.opts.KafkaSASL) > 0 {
		f, err := s.saslFile()
		if err != nil {
			return err
		}
		args = append(args, "-kafka-sasl-users="+f)
	}
	log, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	p, err := launch(ctx, s.bins, args, log)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.p = p
	s.mu.Unlock()
	if s.BrokerAddr == "" {
		s.BrokerAddr, s.RegistryURL = p.brokerAddr, p.registryURL
		s.SecurityProtocol = p.securityProtocol
	} else if s.BrokerAddr != p.brokerAddr || s.RegistryURL != p.registryURL {
		return fmt.Errorf("restarted stack listens on %s and %s, not on %s and %s",
			p.brokerAddr, p.registryURL, s.BrokerAddr, s.RegistryURL)
	}
	return nil
}

// Stop stops the broker and the registry, letting the broker persist its
// state. It does nothing on a stopped stack. A failure to stop cleanly
// fails the test without stopping it.
func (s *Stack) Stop() {
	s.t.Helper()
	s.mu.Lock()
	p := s.p
	s.p = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	if err := p.stop(); err != nil {
		s.t.Errorf("itest: stopping the stack: %v", err)
	}
}

// Kill stops the stack abruptly, as a crash would: SIGKILL to devstack,
// whose registry dies with it. The broker keeps what it had written to
// DataDir by then. It does nothing on a stopped stack.
func (s *Stack) Kill() {
	s.t.Helper()
	s.mu.Lock()
	p := s.p
	s.p = nil
	s.mu.Unlock()
	if p != nil {
		p.kill()
	}
}

// Restart stops the stack if it runs and starts it again on the same ports
// with the same DataDir. Call it from the goroutine running the test that
// started the stack: a failure to restart stops the test.
func (s *Stack) Restart() {
	s.t.Helper()
	kafkaPort, registryPort, err := s.ports()
	if err != nil {
		s.t.Fatalf("itest: %v", err)
	}
	s.Stop()
	if err := s.start(kafkaPort, registryPort); err != nil {
		s.t.Fatalf("itest: restarting the stack: %v", err)
	}
}

// moveTimeout bounds how long MoveLeaders waits for devstack's answer.
const moveTimeout = time.Minute

// MoveLeaders gives every partition of every topic a new leader, the next
// broker (devstack's SIGUSR1), and returns once devstack has moved them,
// with the number of partitions moved. Clients see what a leader election
// does: NOT_LEADER_OR_FOLLOWER or a fenced epoch, then a metadata refresh.
// It needs Options.Brokers of 2 or more. Call it from the goroutine running
// the test that started the stack: a failure stops the test.
func (s *Stack) MoveLeaders() int {
	s.t.Helper()
	if s.opts.Brokers < 2 {
		s.t.Fatalf("itest: MoveLeaders needs Options.Brokers of 2 or more, the stack has %d", max(s.opts.Brokers, 1))
	}
	s.mu.Lock()
	p := s.p
	s.mu.Unlock()
	if p == nil {
		s.t.Fatal("itest: MoveLeaders on a stopped stack")
	}
	n, err := p.moveLeaders(moveTimeout)
	if err != nil {
		s.t.Fatalf("itest: moving partition leaders: %v", err)
	}
	return n
}

func (s *Stack) ports() (kafka, registry int, err error) {
	addrs := strings.Split(s.BrokerAddr, ",")
	_, kp, err := net.SplitHostPort(addrs[0])
	if err != nil {
		return 0, 0, fmt.Errorf("broker address %q: %w", s.BrokerAddr, err)
	}
	for i, a := range addrs[1:] {
		_, p, err := net.SplitHostPort(a)
		if err != nil {
			return 0, 0, fmt.Errorf("broker address %q: %w", s.BrokerAddr, err)
		}
		first, _ := strconv.Atoi(kp)
		if n, _ := strconv.Atoi(p); n != first+i+1 {
			return 0, 0, fmt.Errorf("the brokers listen on %s, not on consecutive ports, so a restart cannot reuse them with -kafka-port; set Options.KafkaPort to restart a stack of several brokers", s.BrokerAddr)
		}
	}
	u, err := url.Parse(s.RegistryURL)
	if err != nil {
		return 0, 0, fmt.Errorf("registry URL %q: %w", s.RegistryURL, err)
	}
	if kafka, err = strconv.Atoi(kp); err != nil {
		return 0, 0, fmt.Errorf("broker address %q: %w", s.BrokerAddr, err)
	}
	if registry, err = strconv.Atoi(u.Port()); err != nil {
		return 0, 0, fmt.Errorf("registry URL %q: %w", s.RegistryURL, err)
	}
	return kafka, registry, nil
}

// saslFile writes the SASL accounts to a private file devstack reads (not
// on its command line, where the process list would show the passwords).
func (s *Stack) saslFile() (string, error) {
	var b strings.Builder
	for _, u := range s.opts.KafkaSASL {
		if strings.ContainsAny(u.Mechanism+u.User, " \n") || strings.Contains(u.Password, "\n") {
			return "", fmt.Errorf("SASL account %q: no spaces in the mechanism and user, no newline anywhere", u.User)
		}
		fmt.Fprintf(&b, "%s %s %s\n", u.Mechanism, u.User, u.Password)
	}
	path := filepath.Join(s.t.TempDir(), "sasl-users")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return "", err
	}
	return path, nil
}
