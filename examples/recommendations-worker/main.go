// Command recommendations-worker is the lunch-ordering bot's
// recommendations worker, as an example of the SDK's consumer: it consumes
// daily_task events from lunch-bot.daily-tasks, runs the task it owns,
// "generate_recommendations" (here: a log record), and ignores the others,
// which other workers own.
//
// For each event it prints one JSON line on standard output with the Kafka
// topic, partition and offset, the schema id, the CloudEvents headers, what
// it did ("ran" or "ignored") and the event's fields.
//
// Usage:
//
//	recommendations-worker [-max N] [-idle-timeout D]
//
// Configuration comes from the environment: KAFKA_BROKER_URL (default
// localhost:9092) and the other KAFKA_* variables of package
// sdk/kafkaconfig, SCHEMA_REGISTRY_URL (default http://localhost:8081) and
// its credentials (sdk/registry), KAFKA_GROUP_ID (default "recommendations"),
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

	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/sdk/consumer"
)

// name is the program's name: its default consumer client id and the
// "service" attribute of its logs.
const name = "recommendations-worker"

// DefaultGroupID is the consumer group when KAFKA_GROUP_ID is unset.
const DefaultGroupID = "recommendations"

// config is what the worker is told by its flags and environment.
type config struct {
	// Consumer is how to reach Kafka and the registry, and the group.
	Consumer consumer.Config
	// Limits stop the worker early (for demos and tests).
	Limits service.Limits
	// Telemetry is where the metrics and the health endpoints go.
	Telemetry service.TelemetryConfig
	// Recommender generates the recommendations; default: a log record.
	Recommender Recommender
}

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
		fmt.Fprintf(stderr, "usage: %s [-max N] [-idle-timeout D]\n\n"+
			"Consumes daily_task from lunch-bot.daily-tasks and runs generate_recommendations.\n"+
			"Environment: KAFKA_BROKER_URL, KAFKA_*, SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_*, KAFKA_GROUP_ID (default %s), LOG_LEVEL, LOG_FORMAT.\n\nFlags:\n", name, DefaultGroupID)
		fs.PrintDefaults()
	}
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
	cc, err := consumer.ConfigFromEnv()
	if err != nil {
		return config{}, err
	}
	cfg.Consumer = cc
	if cfg.Consumer.GroupID == "" {
		cfg.Consumer.GroupID = DefaultGroupID
	}
	cfg.Consumer.Name = name
	return cfg, nil
}
