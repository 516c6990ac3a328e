// Command deadline-publisher plays the lunch-ordering bot's API service and
// scheduler, as an example of the SDK's producer (through sdk/lunchbot): it
// notices that a cafe's ordering deadline has passed and publishes
// deadline.passed on lunch-bot.deadlines (keyed by the cafe id), and
// publishes the daily tasks on lunch-bot.daily-tasks when they are due.
//
// Usage:
//
//	deadline-publisher -deadlines 1=11:00,2=11:30 [-tasks generate_recommendations=06:00] [-tz Europe/Berlin]
//	deadline-publisher -once -deadlines 1,2,3 [-tasks generate_recommendations] [-date 2025-12-08]
//
// By default it runs until SIGINT or SIGTERM and publishes each cafe's
// deadline.passed every day when the cafe's deadline (a time of day in -tz)
// passes, and each daily task at its time. Times already past when it starts
// wait for the next day: it keeps no state, so it cannot know whether a
// previous run published them. With -once it publishes the deadline.passed of
// every cafe of -deadlines for -date (default today in -tz) and every task of
// -tasks right away, then exits; times are ignored.
//
// For each event published it prints one JSON line on standard output: the
// topic, partition and offset Kafka acknowledged, the schema id, the key, the
// CloudEvents id, type and source, and the event's fields.
//
// Configuration comes from the environment: KAFKA_BROKER_URL (default
// localhost:9092) and the other KAFKA_* variables of package
// sdk/kafkaconfig, SCHEMA_REGISTRY_URL (default http://localhost:8081) and
// its credentials (sdk/registry), LOG_LEVEL and LOG_FORMAT; CAFE_DEADLINES,
// DAILY_TASKS and SCHEDULE_TZ are the defaults of -deadlines, -tasks and
// -tz. The events' schemas must be registered (make register); the
// publisher refuses to start otherwise. Exit status: 0 after a clean stop
// (on schedule: SIGINT or SIGTERM; with -once: every event published), 1 on
// a failure or when a signal interrupts -once before every event was
// published, 2 on bad flags or environment.
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// name is the program's name: the ce_source of its events and the
// "service" attribute of its logs.
const name = "deadline-publisher"

// Environment variables that give the flags their defaults.
const (
	EnvDeadlines = "CAFE_DEADLINES"
	EnvTasks     = "DAILY_TASKS"
	EnvTZ        = "SCHEDULE_TZ"
)

// config is what the publisher is told by its flags and environment.
type config struct {
	// Producer is how to reach Kafka and the registry.
	Producer producer.Config
	// Once publishes everything now instead of on schedule.
	Once bool
	// Date is the day of the deadlines published by Once; the zero Date
	// means today in Location.
	Date avrobin.Date
	// Location is the time zone of the times of day.
	Location *time.Location
	// Deadlines are the cafes and their deadlines; Tasks the daily tasks
	// and their times. The times are unset with Once.
	Deadlines []entry
	Tasks     []entry
	// Telemetry is where the metrics and the health endpoints go.
	Telemetry service.TelemetryConfig

	// now and sleep are the clock, replaced by tests; nil means the real
	// one.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain runs the publisher as main would, and returns its exit status.
func realMain(args []string, stdout, stderr io.Writer) int {
	log, err := service.Logger(stderr, os.Getenv, name)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	cfg, err := parseConfig(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	cfg.Producer.Logger = log
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, stdout); err != nil {
		log.Error("stopped on error", slog.Any("error", err))
		return 1
	}
	return 0
}

// parseConfig reads the flags in args and the environment (the SDK's
// variables from the process environment, this program's through getenv).
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var (
		cfg                  config
		deadlines, tasks, tz string
		date                 string
	)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage:
  %[1]s -deadlines 1=11:00,2=11:30 [-tasks generate_recommendations=06:00] [-tz ZONE]
  %[1]s -once -deadlines 1,2,3 [-tasks generate_recommendations] [-date YYYY-MM-DD]

Publishes deadline.passed when a cafe's ordering deadline passes, and the
daily tasks when due; with -once, publishes them all now and exits.
Environment: KAFKA_BROKER_URL, KAFKA_*, SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_*,
LOG_LEVEL, LOG_FORMAT, and %[2]s, %[3]s, %[4]s (defaults of -deadlines, -tasks, -tz).

Flags:
`, name, EnvDeadlines, EnvTasks, EnvTZ)
		fs.PrintDefaults()
	}
	fs.BoolVar(&cfg.Once, "once", false, "publish every deadline and task now, then exit")
	cfg.Telemetry.AddFlags(fs, getenv)
	fs.StringVar(&deadlines, "deadlines", getenv(EnvDeadlines), "cafes and their ordering deadlines, `CAFE=HH:MM,...` (with -once the times may be left out)")
	fs.StringVar(&tasks, "tasks", getenv(EnvTasks), "daily tasks and their times, `TASK=HH:MM,...` (with -once the times may be left out)")
	fs.StringVar(&tz, "tz", getenv(EnvTZ), "time zone of the times, an IANA `name` such as Europe/Berlin (default: the local one)")
	fs.StringVar(&date, "date", "", "with -once: the ordering day of the deadlines, `YYYY-MM-DD` (default: today in -tz)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	cfg.Location = time.Local
	if tz = strings.TrimSpace(tz); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return config{}, fmt.Errorf("-tz %q: %w", tz, err)
		}
		cfg.Location = loc
	}
	var err error
	if cfg.Deadlines, err = parseEntries(deadlines, true, !cfg.Once); err != nil {
		return config{}, fmt.Errorf("-deadlines: %w", err)
	}
	if cfg.Tasks, err = parseEntries(tasks, false, !cfg.Once); err != nil {
		return config{}, fmt.Errorf("-tasks: %w", err)
	}
	if len(cfg.Deadlines) == 0 && len(cfg.Tasks) == 0 {
		return config{}, fmt.Errorf("nothing to publish: give -deadlines or -tasks (or %s, %s)", EnvDeadlines, EnvTasks)
	}
	if date != "" {
		if !cfg.Once {
			return config{}, errors.New("-date needs -once (on schedule, the day is the one of the deadline)")
		}
		if cfg.Date, err = avrobin.ParseDate(date); err != nil {
			return config{}, fmt.Errorf("-date: %w", err)
		}
	}

	if cfg.Producer, err = producer.ConfigFromEnv(); err != nil {
		return config{}, err
	}
	cfg.Producer.Name = name
	return cfg, nil
}

// entry is a cafe's deadline or a daily task, and its time of day.
type entry struct {
	CafeID int64  // for a deadline
	Task   string // for a task
	At     clock
}

// clock is a time of day.
type clock struct{ Hour, Minute int }

func (c clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// parseEntries parses "NAME[=HH:MM],..." where NAME is a cafe id when cafes
// is set and a task name otherwise; withTime requires the times (without
// it, for -once, they are checked but not needed).
func parseEntries(s string, cafes, withTime bool) ([]entry, error) {
	var out []entry
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, at, hasTime := strings.Cut(item, "=")
		key = strings.TrimSpace(key)
		var e entry
		switch {
		case !hasTime && withTime:
			return nil, fmt.Errorf("%q: no time of day (want %s=HH:MM, or -once)", item, key)
		case hasTime:
			c, err := parseClock(strings.TrimSpace(at))
			if err != nil {
				return nil, fmt.Errorf("%q: %w", item, err)
			}
			e.At = c
		}
		if cafes {
			id, err := strconv.ParseInt(key, 10, 64)
			if err != nil || id <= 0 {
				return nil, fmt.Errorf("%q: the cafe id must be a positive integer", item)
			}
			e.CafeID = id
		} else {
			if key == "" {
				return nil, fmt.Errorf("%q: no task name", item)
			}
			e.Task = key
		}
		if seen[key] {
			return nil, fmt.Errorf("%q listed twice", key)
		}
		seen[key] = true
		out = append(out, e)
	}
	return out, nil
}

// parseClock parses "HH:MM" (24-hour).
func parseClock(s string) (clock, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return clock{}, fmt.Errorf("time of day %q: want HH:MM, 00:00 to 23:59", s)
	}
	return clock{Hour: t.Hour(), Minute: t.Minute()}, nil
}
