package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/events/lunchbot"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// closeTimeout bounds the flush of undelivered events at the end.
const closeTimeout = 30 * time.Second

// run publishes as cfg says (once, or on schedule until ctx ends) and
// prints a JSON line per event on stdout. It returns nil after a clean
// stop.
func run(ctx context.Context, cfg config, stdout io.Writer) (err error) {
	if cfg.Producer.Logger == nil {
		cfg.Producer.Logger = slog.Default()
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.sleep == nil {
		cfg.sleep = sleep
	}
	tel, err := cfg.Telemetry.Start(cfg.Producer.Logger)
	if err != nil {
		return err
	}
	defer func() {
		if terr := tel.Finish(); terr != nil {
			cfg.Producer.Logger.Warn("telemetry", slog.Any("error", terr))
		}
	}()
	cfg.Producer.MeterProvider = tel.MeterProvider
	// New fails here, not at the first deadline, when the registry lacks
	// the events' subjects.
	pub, err := lunchbot.New(ctx, cfg.Producer)
	if err != nil {
		return err
	}
	tel.SetReady(func() bool { return true }) // warmed up: every subject has its schema id
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
		defer cancel()
		if n, cerr := pub.Close(cctx); cerr != nil && err == nil {
			err = fmt.Errorf("closing the producer (%d events undelivered): %w", n, cerr)
		}
	}()
	p := &publisher{pub: pub, out: service.NewPrinter(stdout), log: cfg.Producer.Logger, name: cfg.Producer.Name}
	if cfg.Once {
		return p.once(ctx, cfg)
	}
	return p.watch(ctx, cfg)
}

// publisher publishes and reports.
type publisher struct {
	pub  *lunchbot.Publisher
	out  *service.Printer
	log  *slog.Logger
	name string
}

// once publishes every deadline for cfg.Date (today by default) and every
// task, now.
func (p *publisher) once(ctx context.Context, cfg config) error {
	date := cfg.Date
	if date == (avrobin.Date{}) {
		date = avrobin.DateOf(cfg.now().In(cfg.Location))
	}
	total, done := len(cfg.Deadlines)+len(cfg.Tasks), 0
	interrupted := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after %d of %d events were published: %w", done, total, err)
		}
		return err
	}
	for _, e := range cfg.Deadlines {
		if err := p.publish(ctx, lunchbot.DeadlinePassed(e.CafeID, date)); err != nil {
			return interrupted(err)
		}
		done++
	}
	for _, e := range cfg.Tasks {
		if err := p.publish(ctx, lunchbot.DailyTask(e.Task)); err != nil {
			return interrupted(err)
		}
		done++
	}
	return nil
}

// watch publishes each deadline and task every day at its time, until ctx
// ends. A failed publish is logged and the schedule goes on.
func (p *publisher) watch(ctx context.Context, cfg config) error {
	s := schedule{loc: cfg.Location, entries: append(append([]entry(nil), cfg.Deadlines...), cfg.Tasks...)}
	last := cfg.now()
	p.log.Info("publishing on schedule", slog.String("tz", cfg.Location.String()),
		slog.Int("cafes", len(cfg.Deadlines)), slog.Int("tasks", len(cfg.Tasks)))
	for {
		at, due := s.next(last)
		p.log.Debug("next", slog.Time("at", at), slog.Int("events", len(due)))
		for {
			wait := at.Sub(cfg.now())
			if wait <= 0 {
				break
			}
			// In steps, so that a wall clock that jumps (a suspended
			// machine) is noticed within a minute.
			if err := cfg.sleep(ctx, min(wait, time.Minute)); err != nil {
				p.log.Info("stopping", slog.String("cause", context.Cause(ctx).Error()))
				return nil
			}
		}
		stamp := at.UTC().Truncate(time.Microsecond)
		for _, e := range due {
			var ev contract.Event
			if e.Task != "" {
				t := lunchbot.DailyTask(e.Task)
				t.Timestamp = stamp
				ev = t
			} else {
				// The day of the deadline, in the cafes' time zone; the
				// timestamp is when it passed, not when this woke up.
				d := lunchbot.DeadlinePassed(e.CafeID, avrobin.DateOf(at.In(cfg.Location)))
				d.Timestamp = stamp
				ev = d
			}
			if err := p.publish(ctx, ev); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				// The producer already retried until its delivery
				// timeout; a real service would record the miss.
				p.log.Error("event lost", slog.Any("error", err))
			}
		}
		last = at
	}
}

// publish publishes ev, waits for Kafka's acknowledgement and prints the
// JSON line.
func (p *publisher) publish(ctx context.Context, ev contract.Event) error {
	d, err := p.pub.Producer().Publish(ctx, ev)
	if err != nil {
		return fmt.Errorf("publishing %s: %w", ev.Contract().Type, err)
	}
	rec := service.Record{
		Topic: d.Topic, Partition: d.Partition, Offset: d.Offset, SchemaID: d.SchemaID,
		Key: string(ev.AppendKey(nil)), EventID: d.EventID, EventType: ev.Contract().Type,
		Source: p.name, Action: "published",
	}
	switch e := ev.(type) {
	case *events.DeadlinePassed:
		rec.Event = service.DeadlinePassed(e)
		p.log.Info("published deadline.passed", slog.Int64("cafe_id", e.CafeID), slog.String("date", e.Date.String()),
			slog.Int("partition", int(d.Partition)), slog.Int64("offset", d.Offset))
	case *events.DailyTask:
		rec.Event = service.DailyTask(e)
		p.log.Info("published daily_task", slog.String("task", e.Type),
			slog.Int("partition", int(d.Partition)), slog.Int64("offset", d.Offset))
	}
	if err := p.out.Print(rec); err != nil {
		p.log.Warn("printing the event", slog.Any("error", err))
	}
	return nil
}

// sleep waits d or until ctx ends, when it returns ctx's error.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// schedule is the daily times of the entries, in loc.
type schedule struct {
	loc     *time.Location
	entries []entry
}

// next returns the first time strictly after `after` at which entries are
// due, and those entries (in the schedule's order).
func (s schedule) next(after time.Time) (time.Time, []entry) {
	var (
		first time.Time
		due   []entry
	)
	for _, e := range s.entries {
		t := e.At.after(after, s.loc)
		switch {
		case first.IsZero() || t.Before(first):
			first, due = t, []entry{e}
		case t.Equal(first):
			due = append(due, e)
		}
	}
	return first, due
}

// after returns the first time strictly after t at which the clock in loc
// shows c. A time a DST change skips is normalized as time.Date does.
func (c clock) after(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	for i := 0; ; i++ {
		at := time.Date(y, m, d+i, c.Hour, c.Minute, 0, 0, loc)
		if at.After(t) {
			return at
		}
	}
}
