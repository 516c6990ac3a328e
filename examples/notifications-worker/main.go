// Command notifications-worker is the lunch-ordering bot's notifications
// worker, as an example of the SDK's consumer: it consumes deadline.passed
// events from lunch-bot.deadlines and tells the cafe's users that ordering
// for the day is closed (here: a log record), once per cafe and day even
// when an event is delivered twice.
//
// For each event it handles it prints one JSON line on standard output with
// the Kafka topic, partition and offset, the schema id, the CloudEvents
// headers, what it did ("notified", or "duplicate" for a cafe and day it
// already notified) and the event's fields.
//
// It handles up to -concurrency events at once (the SDK keeps each cafe's
// events in order, since they are keyed by cafe id), because telling users
// means calling a chat service: -notify-latency simulates that call's time.
//
// Usage:
//
//	notifications-worker [-concurrency N] [-notify-latency D] [-max N] [-idle-timeout D]
//
// Configuration comes from the environment: KAFKA_BROKER_URL (default
// localhost:9092) and the other KAFKA_* variables of package
// sdk/kafkaconfig, SCHEMA_REGISTRY_URL (default http://localhost:8081) and
// its credentials (sdk/registry), KAFKA_GROUP_ID (default "notifications"),
// LOG_LEVEL and LOG_FORMAT. It runs until SIGINT or SIGTERM, then finishes
// the event in flight, commits its offsets and exits 0. -max and
// -idle-timeout stop it earlier, for demos. Exit status: 0 after a clean
// stop, 1 on a failure, 2 on bad flags or environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/sdk/consumer"
)

// name is the program's name: its default consumer client id and the
// "service" attribute of its logs.
const name = "notifications-worker"

// DefaultGroupID is the consumer group when KAFKA_GROUP_ID is unset.
const DefaultGroupID = "notifications"

// config is what the worker is told by its flags and environment.
type config struct {
	// Consumer is how to reach Kafka and the registry, and the group.
	Consumer consumer.Config
	// Limits stop the worker early (for demos and tests).
	Limits service.Limits
	// Telemetry is where the metrics and the health endpoints go.
	Telemetry service.TelemetryConfig
	// Notifier tells users; default: a log record per notification, after
	// NotifyLatency.
	Notifier Notifier
	// NotifyLatency is how long the default notifier takes, to simulate a
	// chat service.
	NotifyLatency time.Duration
}

// DefaultConcurrency is the default of -concurrency: a notification waits on
// a chat service, so many are sent at once.
const DefaultConcurrency = 16

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain runs the worker as main would, and returns its exit status.
func realMain(args []string, stdout, stderr io.Writer) int {
	log, err := service.Logger(stderr, os.Getenv, name)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	cfg.Consumer.Logger = log
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, stdout); err != nil {
		log.Error("stopped on error", slog.Any("error", err))
		return 1
	}
	return 0
}

// parseConfig reads the flags in args and the environment.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [-concurrency N] [-notify-latency D] [-max N] [-idle-timeout D]\n\n"+
			"Consumes deadline.passed from lunch-bot.deadlines and notifies each cafe's users once.\n"+
			"Environment: KAFKA_BROKER_URL, KAFKA_*, SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_*, KAFKA_GROUP_ID (default %s), LOG_LEVEL, LOG_FORMAT.\n\nFlags:\n", name, DefaultGroupID)
		fs.PrintDefaults()
	}
	concurrency := fs.Int("concurrency", DefaultConcurrency, "handle up to `N` events at once (each cafe's in order)")
	fs.DurationVar(&cfg.NotifyLatency, "notify-latency", 0, "simulate a chat service that takes this long per notification")
	fs.IntVar(&cfg.Limits.Max, "max", 0, "stop after handling `N` events (0: no limit)")
	cfg.Telemetry.AddFlags(fs, os.Getenv)
	fs.DurationVar(&cfg.Limits.IdleTimeout, "idle-timeout", 0, "stop after this long without an event; with -max, stopping this way is a failure (0: never)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := cfg.Limits.Validate(); err != nil {
		return config{}, err
	}
	if *concurrency < 1 || cfg.NotifyLatency < 0 {
		return config{}, fmt.Errorf("-concurrency must be at least 1 and -notify-latency at least 0")
	}
	cc, err := consumer.ConfigFromEnv()
	if err != nil {
		return config{}, err
	}
	cfg.Consumer = cc
	if cfg.Consumer.GroupID == "" {
		cfg.Consumer.GroupID = DefaultGroupID
	}
	cfg.Consumer.Name = name
	cfg.Consumer.Concurrency = *concurrency
	return cfg, nil
}
