package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/internal/redact"
)

// run is the state of one Run.
type run struct {
	*Consumer
	kc  *kafka.Consumer
	dlq *kafka.Producer
	// ctx is Run's context: its end stops polling and retries. hctx is the
	// handlers' context: it ends ShutdownGrace later.
	ctx, hctx context.Context
}

// Run subscribes to the handlers' topics and consumes until ctx ends; it
// then finishes the message in flight, commits and leaves the group. It
// returns nil after such a shutdown, and an error when the client cannot be
// created or fails fatally. Run may be called once.
func (c *Consumer) Run(ctx context.Context) (err error) {
	if !c.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	cm, err := c.cfg.consumerConfig()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	kc, err := kafka.NewConsumer(&cm)
	if err != nil {
		return redact.Error(fmt.Errorf("%w: librdkafka: %w", ErrConfig, err), c.secrets)
	}
	var loops sync.WaitGroup
	loops.Add(1)
	go func() {
		defer loops.Done()
		kafkaclient.ForwardLogs(c.log, kc.Logs(), c.secrets)
	}()
	r := &run{Consumer: c, kc: kc, ctx: ctx}
	if !c.cfg.DisableDeadLetter {
		pm, err := c.cfg.deadLetterConfig()
		if err == nil {
			r.dlq, err = kafka.NewProducer(&pm)
		}
		if err != nil {
			_ = kc.Close()
			loops.Wait()
			return redact.Error(fmt.Errorf("%w: dead-letter producer: %w", ErrConfig, err), c.secrets)
		}
		loops.Add(2)
		go func() {
			defer loops.Done()
			kafkaclient.ForwardLogs(c.log.With(slog.String("client", "dead-letter")), r.dlq.Logs(), c.secrets)
		}()
		go func() {
			defer loops.Done()
			for ev := range r.dlq.Events() {
				if e, ok := ev.(kafka.Error); ok {
					c.log.Warn("dead-letter producer error", slog.String("error", redact.Scrub(e.Error(), c.secrets)))
				}
			}
		}()
	}

	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	var graceTimer atomic.Pointer[time.Timer]
	stopGrace := context.AfterFunc(ctx, func() { graceTimer.Store(time.AfterFunc(c.cfg.ShutdownGrace, hcancel)) })
	defer func() {
		stopGrace()
		if t := graceTimer.Load(); t != nil {
			t.Stop()
		}
	}()
	r.hctx = hctx

	defer func() {
		if cerr := r.shutdown(); err == nil {
			err = cerr
		}
		loops.Wait()
	}()

	if err := kc.SubscribeTopics(c.topics, nil); err != nil {
		return fmt.Errorf("consumer: subscribing to %v: %w", c.topics, err)
	}
	c.log.Info("consumer started", slog.Any("topics", c.topics))
	for ctx.Err() == nil {
		switch ev := kc.Poll(100).(type) {
		case *kafka.Message:
			r.process(ev)
		case kafka.Error:
			if ev.IsFatal() {
				return fmt.Errorf("consumer: fatal error: %w", redact.Error(ev, c.secrets))
			}
			if authFailure(ev) {
				// Wrong credentials do not heal by retrying: stop, so the
				// service fails visibly instead of idling in its group.
				c.log.Error("the broker refused the credentials", slog.String("error", redact.Scrub(ev.Error(), c.secrets)))
				return fmt.Errorf("consumer: the broker refused the credentials (check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM): %w", redact.Error(ev, c.secrets))
			}
			c.log.Warn("kafka client error", slog.String("error", redact.Scrub(ev.Error(), c.secrets)), slog.String("code", ev.Code().String()))
		}
	}
	c.log.Info("consumer stopping", slog.String("cause", context.Cause(ctx).Error()))
	return nil
}

// authFailure reports whether err says the broker refused the credentials:
// librdkafka's ErrAuthentication, or a SASL handshake the broker ended by
// closing the connection (which librdkafka reports as a transport failure
// whose text starts the SASL part with "SASL authentication error").
func authFailure(err kafka.Error) bool {
	return err.Code() == kafka.ErrAuthentication || strings.Contains(err.Error(), "SASL authentication error")
}

// shutdown commits the stored offsets and closes the clients.
func (r *run) shutdown() error {
	var errs []error
	if _, err := r.kc.Commit(); err != nil {
		var ke kafka.Error
		if !errors.As(err, &ke) || ke.Code() != kafka.ErrNoOffset {
			r.log.Error("committing offsets at shutdown", slog.Any("error", err))
			errs = append(errs, fmt.Errorf("consumer: committing offsets: %w", err))
		}
	}
	if err := r.kc.Close(); err != nil {
		errs = append(errs, fmt.Errorf("consumer: closing: %w", err))
	}
	if r.dlq != nil {
		if n := r.dlq.Flush(10_000); n > 0 {
			r.log.Error("dead-letter producer closed with messages queued", slog.Int("queued", n))
		}
		r.dlq.Close()
	}
	r.log.Info("consumer stopped")
	return errors.Join(errs...)
}
