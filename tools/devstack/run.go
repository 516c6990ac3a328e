package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// errPortTaken marks a port another process already listens on.
var errPortTaken = errors.New("port already in use")

// config is what "run" is told by its flags.
type config struct {
	kafkaPort        int
	brokers          int
	registryPort     int
	dataDir          string
	manifest         string
	partitions       int
	registryBin      string
	compatibility    string
	logLevel         string
	readyFile        string
	exitOnStdinClose bool
	timeout          time.Duration
	registryStorage  string
	pgDir            string
	pgBin            string
	kafkaTLSCert     string
	kafkaTLSKey      string
	kafkaSASLUsers   string

	// moveLeaders receives a value each time the broker's partition
	// leaders are to move (SIGUSR1 in runMain); nil never does.
	moveLeaders <-chan os.Signal
}

// maxBrokers bounds -brokers.
const maxBrokers = 16

// The line run prints after moving partition leaders on SIGUSR1 begins
// with one of these: "leaders moved: 9 partitions", or "leaders not moved:
// " and the reason.
const (
	leadersMovedPrefix    = "leaders moved:"
	leadersNotMovedPrefix = "leaders not moved:"
)

// kafkaPorts is the port of each broker: -kafka-port and the following
// ones, or all 0 (free ports) when -kafka-port is 0.
func (c *config) kafkaPorts() []int {
	ports := make([]int, c.brokers)
	if c.kafkaPort != 0 {
		for i := range ports {
			ports[i] = c.kafkaPort + i
		}
	}
	return ports
}

// kafkaDir is where the broker persists its state, or "" for memory only.
func (c *config) kafkaDir() string {
	if c.dataDir == "" {
		return ""
	}
	return filepath.Join(c.dataDir, "kafka")
}

// registerRunFlags defines the flags of "run" (and of "up", which passes them
// on) in fs.
func registerRunFlags(fs *flag.FlagSet) *config {
	c := &config{}
	fs.IntVar(&c.kafkaPort, "kafka-port", 9092, "Kafka broker port on 127.0.0.1 (0 picks a free one)")
	fs.IntVar(&c.brokers, "brokers", 1, "number of Kafka brokers: with -kafka-port P they listen on P, P+1, …; with 0 on free ports. SIGUSR1 moves every partition's leader to another broker")
	fs.IntVar(&c.registryPort, "registry-port", 8081, "schema registry port on 127.0.0.1 (0 picks a free one)")
	fs.StringVar(&c.dataDir, "data", "", "directory for state kept across restarts: DIR/kafka (topics, records, offsets) and, with -registry-storage postgres, DIR/registry-postgres (default: nothing kept)")
	fs.StringVar(&c.manifest, "manifest", "", "avro/manifest.json whose topics are created at start (default: none)")
	fs.IntVar(&c.partitions, "partitions", 3, "partitions of created and auto-created topics")
	fs.StringVar(&c.registryBin, "registry-bin", "", "schema registry binary (default: schema-registry beside this binary)")
	fs.StringVar(&c.compatibility, "compatibility", "BACKWARD", "registry's global compatibility level")
	fs.StringVar(&c.logLevel, "log-level", "warn", "broker log level: none, error, warn, info, debug")
	fs.StringVar(&c.readyFile, "ready-file", "", "when ready, write KAFKA_BROKER_URL=… and SCHEMA_REGISTRY_URL=… lines to this file (removed at stop)")
	fs.BoolVar(&c.exitOnStdinClose, "exit-on-stdin-close", false, "stop when standard input reaches EOF (lets a parent process that dies take the stack with it)")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "how long to wait for each server to answer")
	fs.StringVar(&c.registryStorage, "registry-storage", "memory", "where the registry keeps schemas: memory, or postgres (a PostgreSQL cluster devstack runs; kept in -pg-dir)")
	fs.StringVar(&c.pgDir, "pg-dir", "", "PostgreSQL cluster directory for -registry-storage postgres (default: DIR/registry-postgres with -data, else a temporary one removed at stop)")
	fs.StringVar(&c.pgBin, "pg-bin", "", "directory of initdb, postgres, pg_isready and createdb (default: newest /usr/lib/postgresql/*/bin, else PATH)")
	fs.StringVar(&c.kafkaTLSCert, "kafka-tls-cert", "", "PEM certificate (chain) the broker serves TLS with; with -kafka-tls-key, clients must use security.protocol SSL (or SASL_SSL)")
	fs.StringVar(&c.kafkaTLSKey, "kafka-tls-key", "", "PEM private key of -kafka-tls-cert")
	fs.StringVar(&c.kafkaSASLUsers, "kafka-sasl-users", "", "file of SASL accounts the broker requires, one \"MECHANISM USER PASSWORD\" per line (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512); clients must use SASL_PLAINTEXT (or SASL_SSL)")
	return c
}

func (c *config) validate() error {
	if c.kafkaPort < 0 || c.kafkaPort > 65535 {
		return fmt.Errorf("-kafka-port %d: not a port", c.kafkaPort)
	}
	if c.registryPort < 0 || c.registryPort > 65535 {
		return fmt.Errorf("-registry-port %d: not a port", c.registryPort)
	}
	if c.brokers < 1 || c.brokers > maxBrokers {
		return fmt.Errorf("-brokers %d: want 1 to %d", c.brokers, maxBrokers)
	}
	if c.kafkaPort != 0 && c.kafkaPort+c.brokers-1 > 65535 {
		return fmt.Errorf("-kafka-port %d with -brokers %d: the last broker's port %d is not a port", c.kafkaPort, c.brokers, c.kafkaPort+c.brokers-1)
	}
	if c.kafkaPort != 0 && c.registryPort >= c.kafkaPort && c.registryPort < c.kafkaPort+c.brokers {
		if c.brokers == 1 {
			return fmt.Errorf("-kafka-port and -registry-port are both %d", c.kafkaPort)
		}
		return fmt.Errorf("-registry-port %d is one of the brokers' ports %d-%d", c.registryPort, c.kafkaPort, c.kafkaPort+c.brokers-1)
	}
	if c.partitions < 1 {
		return fmt.Errorf("-partitions %d: need at least 1", c.partitions)
	}
	if _, ok := kafkaLogLevels[strings.ToLower(c.logLevel)]; !ok {
		return fmt.Errorf("-log-level %q: want none, error, warn, info or debug", c.logLevel)
	}
	if c.timeout <= 0 {
		return fmt.Errorf("-timeout %v: must be positive", c.timeout)
	}
	switch c.registryStorage {
	case "memory":
		if c.pgDir != "" || c.pgBin != "" {
			return errors.New("-pg-dir and -pg-bin need -registry-storage postgres")
		}
	case "postgres":
		if c.pgDir == "" && c.dataDir != "" {
			c.pgDir = filepath.Join(c.dataDir, "registry-postgres")
		}
	default:
		return fmt.Errorf("-registry-storage %q: want memory or postgres", c.registryStorage)
	}
	return nil
}

func runMain(args []string) int {
	fs := flag.NewFlagSet("devstack run", flag.ContinueOnError)
	cfg := registerRunFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "devstack run: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(os.Stderr, "devstack run: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Caught from the start (SIGUSR1 would otherwise end the process) and
	// acted on once the stack is ready.
	moveLeaders := make(chan os.Signal, 1)
	signal.Notify(moveLeaders, syscall.SIGUSR1)
	defer signal.Stop(moveLeaders)
	cfg.moveLeaders = moveLeaders
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if cfg.exitOnStdinClose {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel(errors.New("standard input closed"))
		}()
	}

	if err := run(ctx, cfg, log, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "devstack: %v\n", err)
		return 1
	}
	return 0
}

// run starts the broker and the registry, reports them on out once both
// answer, and keeps them up until ctx is done or the registry dies.
func run(ctx context.Context, cfg *config, log *slog.Logger, out io.Writer) (err error) {
	// Refuse a taken fixed port before starting anything, so the message
	// names the port instead of a half-started stack's noise.
	for _, port := range cfg.kafkaPorts() {
		if port != 0 {
			if err := checkPortFree("kafka broker", "-kafka-port", port); err != nil {
				return err
			}
		}
	}
	if cfg.registryPort != 0 {
		if err := checkPortFree("schema registry", "-registry-port", cfg.registryPort); err != nil {
			return err
		}
	}
	regBin, err := registryBinary(cfg.registryBin)
	if err != nil {
		return err
	}
	var topics []string
	if cfg.manifest != "" {
		if topics, err = manifestTopics(cfg.manifest); err != nil {
			return err
		}
	}

	sec, err := loadKafkaSecurity(cfg)
	if err != nil {
		return err
	}
	broker, err := startKafka(ctx, cfg, topics, sec, log)
	if err != nil {
		return err
	}
	defer func() {
		broker.close()
		log.Info("kafka broker stopped", "addr", broker.addr)
	}()

	var pg *postgresProc
	if cfg.registryStorage == "postgres" {
		if pg, err = startPostgres(ctx, cfg, log); err != nil {
			return err
		}
		defer func() {
			if stopErr := pg.stop(30 * time.Second); stopErr != nil && err == nil {
				err = stopErr
			}
			log.Info("postgresql stopped", "dir", pg.dir)
		}()
	}

	reg, err := startRegistry(ctx, cfg, regBin, pg, log)
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := reg.stop(10 * time.Second); stopErr != nil && err == nil {
			err = stopErr
		}
		log.Info("schema registry stopped", "url", reg.url)
	}()

	storage := "in memory"
	if cfg.dataDir != "" {
		storage = "persisted in " + cfg.kafkaDir()
	}
	regStorage := "memory"
	if pg != nil {
		regStorage = "postgresql in " + pg.dir
	}
	fmt.Fprintf(out, "devstack ready (Ctrl-C or SIGTERM stops it)\n")
	fmt.Fprintf(out, "  kafka broker:    %s (%s; data %s; %d partitions per topic; auto-creation on)\n", broker.addr, sec.protocol(), storage, cfg.partitions)
	fmt.Fprintf(out, "  schema registry: %s (storage: %s; compatibility %s)\n", reg.url, regStorage, strings.ToUpper(cfg.compatibility))
	vars := []string{
		"KAFKA_BROKER_URL=" + broker.addr,
		"SCHEMA_REGISTRY_URL=" + reg.url,
		"DEVSTACK_PID=" + strconv.Itoa(os.Getpid()),
		"REGISTRY_PID=" + strconv.Itoa(reg.cmd.Process.Pid),
	}
	if p := sec.protocol(); p != "PLAINTEXT" {
		vars = append(vars, "KAFKA_SECURITY_PROTOCOL="+p)
	}
	if pg != nil {
		vars = append(vars, "POSTGRES_PID="+strconv.Itoa(pg.cmd.Process.Pid))
	}
	fmt.Fprintln(out, strings.Join(vars, " "))

	if cfg.readyFile != "" {
		content := strings.Join(vars, "\n") + "\n"
		if err := writeFileAtomic(cfg.readyFile, []byte(content)); err != nil {
			return fmt.Errorf("writing -ready-file: %w", err)
		}
		defer os.Remove(cfg.readyFile)
	}

	var pgDone <-chan struct{}
	if pg != nil {
		pgDone = pg.done
	}
	for {
		select {
		case <-pgDone:
			return fmt.Errorf("postgres exited unexpectedly (%v); last output:\n%s", pg.waitErr, pg.tail.String())
		case <-ctx.Done():
			cause := context.Cause(ctx)
			if errors.Is(cause, context.Canceled) {
				cause = errors.New("signal")
			}
			log.Info("stopping", "reason", cause.Error())
			return nil
		case <-reg.done:
			return fmt.Errorf("schema registry exited unexpectedly (%v); last output:\n%s", reg.waitErr, reg.tail.String())
		case <-cfg.moveLeaders:
			// One line, whatever happens, so that a controlling process
			// waiting for it learns the outcome.
			n, err := broker.moveLeaders(ctx, cfg.timeout)
			if err != nil {
				fmt.Fprintf(out, "%s %v\n", leadersNotMovedPrefix, err)
			} else {
				fmt.Fprintf(out, "%s %d partitions\n", leadersMovedPrefix, n)
			}
		}
	}
}

// checkPortFree reports errPortTaken, with a message that says what to do,
// when something already listens on 127.0.0.1:port.
func checkPortFree(what, flagName string, port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%s: 127.0.0.1:%d is taken by another process (%w); stop it (another devstack? try make dev-down) or choose %s (0 picks a free port)",
				what, port, errPortTaken, flagName)
		}
		return fmt.Errorf("%s: cannot listen on 127.0.0.1:%d: %w", what, port, err)
	}
	return ln.Close()
}

// freePort asks the kernel for a port that is free on 127.0.0.1 right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it,
// so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
