package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/sdk/consumer"
)

// TaskGenerateRecommendations is the daily task this worker owns.
const TaskGenerateRecommendations = "generate_recommendations"

// Actions printed in the JSON lines.
const (
	actionRan     = "ran"
	actionIgnored = "ignored"
)

// Recommender generates the day's lunch recommendations.
type Recommender interface {
	GenerateRecommendations(ctx context.Context, scheduled time.Time) error
}

// logRecommender generates with a log record; the bot would compute and
// store its users' recommendations here.
type logRecommender struct{ log *slog.Logger }

func (r logRecommender) GenerateRecommendations(ctx context.Context, scheduled time.Time) error {
	r.log.InfoContext(ctx, "generating recommendations", slog.Time("scheduled", scheduled))
	return nil
}

// run consumes daily_task events until ctx ends or cfg.Limits stop it,
// running generate_recommendations and ignoring other tasks, and prints a
// JSON line per event on stdout. It returns nil after a clean stop.
func run(ctx context.Context, cfg config, stdout io.Writer) error {
	log := cfg.Consumer.Logger
	if log == nil {
		log = slog.Default()
		cfg.Consumer.Logger = log
	}
	w := &worker{recommender: cfg.Recommender, out: service.NewPrinter(stdout), log: log}
	if w.recommender == nil {
		w.recommender = logRecommender{log: log}
	}
	ctx, counter := cfg.Limits.Start(ctx)
	defer counter.Stop()
	w.counter = counter

	tel, err := cfg.Telemetry.Start(log)
	if err != nil {
		return err
	}
	defer func() {
		if terr := tel.Finish(); terr != nil {
			log.Warn("telemetry", slog.Any("error", terr))
		}
	}()
	cfg.Consumer.MeterProvider = tel.MeterProvider
	c, err := consumer.New(cfg.Consumer, consumer.Handle(w.handle))
	if err != nil {
		return err
	}
	// Ready while it holds partitions to consume.
	tel.SetReady(func() bool { return c.Stats().Assigned > 0 })
	if err := c.Run(ctx); err != nil {
		return err
	}
	log.Info("stopped", slog.Int("events", counter.Count()))
	return counter.Err()
}

// worker is the state of one run.
type worker struct {
	recommender Recommender
	out         *service.Printer
	log         *slog.Logger
	counter     *service.Counter
}

// handle runs the task of e if this worker owns it. The Recommender's
// error is returned, so the consumer retries and finally dead-letters the
// event; generating twice for a redelivered task must therefore be
// harmless.
func (w *worker) handle(ctx context.Context, e *events.DailyTask, m consumer.Message) error {
	action := actionIgnored
	if e.Type == TaskGenerateRecommendations {
		if err := w.recommender.GenerateRecommendations(ctx, e.Timestamp); err != nil {
			return fmt.Errorf("%s scheduled at %v: %w", e.Type, e.Timestamp, err)
		}
		action = actionRan
	} else {
		w.log.DebugContext(ctx, "ignoring a task another worker owns", slog.String("task", e.Type))
	}
	if err := w.out.Print(service.Record{
		Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, SchemaID: m.SchemaID,
		Key: string(m.Key), EventID: m.EventID, EventType: m.EventType, Source: m.Source,
		Action: action, Event: service.DailyTask(e),
	}); err != nil {
		w.log.WarnContext(ctx, "printing the event", slog.Any("error", err))
	}
	w.counter.Done()
	return nil
}
