// Package lunchbot is the lunch-ordering bot's publishing API: one call per
// event, with the event built from its few arguments and stamped with the
// current time, over the typed producer.
//
//	pub, err := lunchbot.NewFromEnv(ctx, "lunch-api")
//	...
//	defer pub.Close(ctx)
//	d, err := pub.PublishDeadlinePassed(ctx, cafeID, avrobin.DateOf(day))
//
// A Publisher is created with the contracts of both events, so that it
// fails at start when the registry lacks one of their subjects.
package lunchbot

import (
	"context"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// Publisher publishes the bot's events. It is safe for concurrent use.
type Publisher struct {
	p *producer.Producer
}

// New creates a Publisher over a producer configured by cfg (see
// producer.Config), warmed up with both events' contracts.
func New(ctx context.Context, cfg producer.Config) (*Publisher, error) {
	p, err := producer.New(ctx, cfg, events.Contracts()...)
	if err != nil {
		return nil, err
	}
	return &Publisher{p: p}, nil
}

// NewFromEnv creates a Publisher configured from the environment
// (KAFKA_BROKER_URL, SCHEMA_REGISTRY_URL, ...: see producer.ConfigFromEnv),
// named name (the ce_source of its events).
func NewFromEnv(ctx context.Context, name string) (*Publisher, error) {
	cfg, err := producer.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	cfg.Name = name
	return New(ctx, cfg)
}

// Wrap returns a Publisher over an existing producer; Close closes it.
func Wrap(p *producer.Producer) *Publisher { return &Publisher{p: p} }

// Producer returns the underlying producer, to publish other events.
func (pub *Publisher) Producer() *producer.Producer { return pub.p }

// now is the events' timestamp: the current time in UTC at the schema's
// microsecond precision, so that a consumer reads back the same value.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// DeadlinePassed returns the deadline.passed event of cafeID's deadline for
// date, timestamped now.
func DeadlinePassed(cafeID int64, date avrobin.Date) *events.DeadlinePassed {
	e := events.NewDeadlinePassed()
	e.CafeID = cafeID
	e.Date = date
	e.Timestamp = now()
	return e
}

// DailyTask returns the daily_task event of the task taskType (e.g.
// "generate_recommendations"), timestamped now.
func DailyTask(taskType string) *events.DailyTask {
	e := events.NewDailyTask()
	e.Type = taskType
	e.Timestamp = now()
	return e
}

// PublishDeadlinePassed publishes that cafeID's ordering deadline for date
// has passed, on lunch-bot.deadlines keyed by cafeID, and waits for Kafka's
// acknowledgement. An invalid date (one that does not exist) is refused
// before anything is sent, with an error matching producer.ErrInvalidEvent.
// See producer.Publish for the context's role.
func (pub *Publisher) PublishDeadlinePassed(ctx context.Context, cafeID int64, date avrobin.Date) (producer.Delivery, error) {
	return pub.p.Publish(ctx, DeadlinePassed(cafeID, date))
}

// PublishDeadlinePassedAsync is PublishDeadlinePassed without the wait:
// done gets the outcome (see producer.PublishAsync).
func (pub *Publisher) PublishDeadlinePassedAsync(ctx context.Context, cafeID int64, date avrobin.Date, done func(producer.Delivery, error)) error {
	return pub.p.PublishAsync(ctx, DeadlinePassed(cafeID, date), done)
}

// PublishDailyTask publishes that the daily task taskType is due, on
// lunch-bot.daily-tasks, and waits for Kafka's acknowledgement. An empty
// taskType is refused before anything is sent.
func (pub *Publisher) PublishDailyTask(ctx context.Context, taskType string) (producer.Delivery, error) {
	return pub.p.Publish(ctx, DailyTask(taskType))
}

// PublishDailyTaskAsync is PublishDailyTask without the wait: done gets the
// outcome (see producer.PublishAsync).
func (pub *Publisher) PublishDailyTaskAsync(ctx context.Context, taskType string, done func(producer.Delivery, error)) error {
	return pub.p.PublishAsync(ctx, DailyTask(taskType), done)
}

// Close flushes and closes the producer (see producer.Close).
func (pub *Publisher) Close(ctx context.Context) (undelivered int, err error) {
	return pub.p.Close(ctx)
}
