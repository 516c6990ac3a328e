package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
)

// Actions printed in the JSON lines.
const (
	actionNotified  = "notified"
	actionDuplicate = "duplicate"
)

// Notifier tells a cafe's users that ordering for a day is closed.
type Notifier interface {
	NotifyDeadlinePassed(ctx context.Context, cafeID int64, date avrobin.Date) error
}

// logNotifier notifies with a log record, after latency (the time a chat
// service would take); the bot would send its chat messages here.
type logNotifier struct {
	log     *slog.Logger
	latency time.Duration
}

func (n logNotifier) NotifyDeadlinePassed(ctx context.Context, cafeID int64, date avrobin.Date) error {
	if n.latency > 0 {
		t := time.NewTimer(n.latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	n.log.InfoContext(ctx, "ordering closed: notifying the cafe's users",
		slog.Int64("cafe_id", cafeID), slog.String("date", date.String()))
	return nil
}

// run consumes deadline.passed events until ctx ends or cfg.Limits stop
// it, notifying once per cafe and day and printing a JSON line per event
// on stdout. It returns nil after a clean stop.
func run(ctx context.Context, cfg config, stdout io.Writer) error {
	log := cfg.Consumer.Logger
	if log == nil {
		log = slog.Default()
		cfg.Consumer.Logger = log
	}
	w := &worker{
		notifier: cfg.Notifier,
		out:      service.NewPrinter(stdout),
		log:      log,
		seen:     newSeenSet(maxSeen),
	}
	if w.notifier == nil {
		w.notifier = logNotifier{log: log, latency: cfg.NotifyLatency}
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
	notifier Notifier
	out      *service.Printer
	log      *slog.Logger
	seen     *seenSet
	counter  *service.Counter
}

// handle notifies the users of e's cafe, unless this cafe and day were
// already notified: the consumer delivers at least once, and the API
// service may publish a deadline twice. The check and the record need no
// lock between them: the consumer's per-key order never runs two events of
// one cafe at once. A Notifier's error is returned, so the consumer retries
// and finally dead-letters the event.
func (w *worker) handle(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
	action := actionNotified
	if w.seen.has(e.CafeID, e.Date) {
		action = actionDuplicate
		w.log.InfoContext(ctx, "already notified; skipping", slog.Int64("cafe_id", e.CafeID),
			slog.String("date", e.Date.String()), slog.String("event_id", m.EventID.String()))
	} else {
		if err := w.notifier.NotifyDeadlinePassed(ctx, e.CafeID, e.Date); err != nil {
			return fmt.Errorf("notifying cafe %d of %s: %w", e.CafeID, e.Date, err)
		}
		w.seen.add(e.CafeID, e.Date)
	}
	if err := w.out.Print(service.Record{
		Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, SchemaID: m.SchemaID,
		Key: string(m.Key), EventID: m.EventID, EventType: m.EventType, Source: m.Source,
		Action: action, Event: service.DeadlinePassed(e),
	}); err != nil {
		// The users were told; printing is only a report.
		w.log.WarnContext(ctx, "printing the event", slog.Any("error", err))
	}
	w.counter.Done()
	return nil
}

// maxSeen bounds the (cafe, day) pairs remembered.
const maxSeen = 100_000

// seenSet remembers which cafes were notified for which days, in memory: a
// restarted worker may notify again for an event delivered again. (A real
// worker would record this with the notification, in its database.)
type seenSet struct {
	mu  sync.Mutex
	max int
	set map[seenKey]struct{}
}

type seenKey struct {
	cafeID int64
	date   avrobin.Date
}

func newSeenSet(capacity int) *seenSet { return &seenSet{max: capacity, set: map[seenKey]struct{}{}} }

func (s *seenSet) has(cafeID int64, date avrobin.Date) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.set[seenKey{cafeID, date}]
	return ok
}

// add records a pair; when the set is full it forgets the pairs of the
// oldest day it holds first.
func (s *seenSet) add(cafeID int64, date avrobin.Date) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.set) >= s.max {
		var oldest avrobin.Date
		first := true
		for k := range s.set {
			if first || k.date.Compare(oldest) < 0 {
				oldest, first = k.date, false
			}
		}
		for k := range s.set {
			if k.date == oldest {
				delete(s.set, k)
			}
		}
	}
	s.set[seenKey{cafeID, date}] = struct{}{}
}
