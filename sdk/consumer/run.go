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
	kc *kafka.Consumer
	// fwd produces to the retry topics and the dead-letter topics; nil
	// with neither.
	fwd   *kafka.Producer
	sched *scheduler
	// parts are the assigned partitions; written on the poll goroutine
	// under the scheduler's lock, read there without it.
	parts map[partKey]*partition
	// waits are the partitions paused until a retry is due.
	waits []*partition
	// loadPaused says the partitions are paused for backpressure.
	loadPaused bool
	commitMu   sync.Mutex // serializes commits
	// texts are the header values the handlers' Messages share.
	texts      interned
	conn       *kafkaclient.ConnLog
	stats      runStats
	statsDirty bool // a partition was assigned, revoked, paused or resumed
	// ctx is Run's context: its end stops polling and retries. hctx is the
	// handlers' context: it ends ShutdownGrace later.
	ctx, hctx context.Context
}

// Run subscribes to the handlers' topics (and the retry topics) and
// consumes until ctx ends; it then lets the handler calls in flight finish
// (their context ends ShutdownGrace later), commits the finished offsets
// and leaves the group. It returns nil after such a shutdown, and an error
// when the client cannot be created or fails fatally. Run may be called
// once.
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
	conn := kafkaclient.NewConnLog(c.log, c.secrets)
	loops.Add(1)
	go func() {
		defer loops.Done()
		kafkaclient.ForwardLogs(c.log, kc.Logs(), c.secrets, conn)
	}()
	if !c.cfg.Kafka.SkipConnectCheck {
		drain := func() {
			for range 100 {
				ev := kc.Poll(0)
				if ev == nil {
					return
				}
				if e, ok := ev.(kafka.Error); ok {
					conn.Record(e)
				}
			}
		}
		if err := kafkaclient.CheckReachable(ctx, kc, c.cfg.Kafka, c.secrets, conn, drain); err != nil {
			_ = kc.Close()
			loops.Wait()
			if ctx.Err() != nil && !conn.Refused() {
				return nil // stopped before it started
			}
			return fmt.Errorf("consumer: %w", err)
		}
	}
	r := &run{Consumer: c, kc: kc, ctx: ctx, sched: newScheduler(), parts: map[partKey]*partition{}, conn: conn}
	if !c.cfg.DisableDeadLetter || len(c.cfg.RetryTopics) > 0 {
		pm, err := c.cfg.forwardConfig()
		if err == nil {
			r.fwd, err = kafka.NewProducer(&pm)
		}
		if err != nil {
			_ = kc.Close()
			loops.Wait()
			return redact.Error(fmt.Errorf("%w: dead-letter producer: %w", ErrConfig, err), c.secrets)
		}
		fwdLog := c.log.With(slog.String("client", "dead-letter"))
		fwdConn := kafkaclient.NewConnLog(fwdLog, c.secrets)
		loops.Add(2)
		go func() {
			defer loops.Done()
			kafkaclient.ForwardLogs(fwdLog, r.fwd.Logs(), c.secrets, fwdConn)
		}()
		go func() {
			defer loops.Done()
			for ev := range r.fwd.Events() {
				if e, ok := ev.(kafka.Error); ok {
					if fwdConn.Record(e) {
						continue
					}
					fwdLog.Warn("dead-letter producer error", slog.String("error", redact.Scrub(e.Error(), c.secrets)))
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
	c.current.Store(r)
	defer c.current.Store(nil)
	regs, err := c.ins.observeAll(r, c.reg)
	if err != nil {
		c.log.Warn("cannot observe the consumer's gauges", slog.Any("error", err))
	}
	defer func() {
		for _, reg := range regs {
			_ = reg.Unregister()
		}
	}()

	// Once ctx ends no more work is handed out: a message whose handler
	// was abandoned keeps its lane's later messages waiting, as their order
	// asks.
	stopDispatch := context.AfterFunc(ctx, r.sched.stop)
	defer stopDispatch()
	var workers sync.WaitGroup
	r.startWorkers(&workers)
	stopCommits := r.commitEvery(c.cfg.CommitInterval)
	defer func() {
		r.sched.stop()
		workers.Wait()
		if cerr := r.close(stopCommits, &loops); err == nil {
			err = cerr
		}
	}()

	topics := c.subscriptions()
	if err := kc.SubscribeTopics(topics, r.rebalance); err != nil {
		return fmt.Errorf("consumer: subscribing to %v: %w", topics, err)
	}
	c.log.Info("consumer started", slog.Any("topics", topics), slog.Int("concurrency", c.cfg.Concurrency),
		slog.String("ordering", c.cfg.Ordering.String()))
	for ctx.Err() == nil {
		r.balanceLoad()
		timeout := r.resumeDue(time.Now())
		r.publishStats()
		switch ev := kc.Poll(int(timeout.Milliseconds())).(type) {
		case *kafka.Message:
			conn.Healthy()
			r.accept(ev)
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
			if conn.Record(ev) {
				continue
			}
			c.log.Warn("kafka client error", slog.String("error", redact.Scrub(ev.Error(), c.secrets)), slog.String("code", ev.Code().String()))
		}
	}
	c.log.Info("consumer stopping", slog.String("cause", context.Cause(ctx).Error()))
	return nil
}

// maxPollWait bounds one Poll, so that the loop notices its context's end,
// due retries and backpressure.
const maxPollWait = 100 * time.Millisecond

// loadWait is how long the poll loop waits, without polling, for the
// workers to bring a full load down to half before it pauses the
// partitions (see balanceLoad).
const loadWait = time.Second

// startWorkers has the scheduler start up to Concurrency workers as the
// work needs them, counted in wg.
func (r *run) startWorkers(wg *sync.WaitGroup) {
	r.sched.startWorkers(r.cfg.Concurrency, func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work()
		}()
	})
}

// work is a worker: it handles units of work until the scheduler stops,
// timing one in unitSample for the scheduler's estimate of how long units
// take (see scheduler.wake).
func (r *run) work() {
	n := 0
	for unit := r.sched.arrive(); unit != nil; n++ {
		took := unmeasured
		if n%unitSample == 0 {
			start := time.Now()
			r.handle(unit)
			took = time.Since(start)
		} else {
			r.handle(unit)
		}
		unit = r.sched.next(unit, took)
	}
}

// unitSample is how often a worker times a unit: a sample is enough for an
// average, and the clock is read twice per timed unit.
const unitSample = 8

// balanceLoad pauses the assigned partitions when what is in flight reached
// MaxInFlight or MaxInFlightBytes and the workers did not bring it back
// under half within loadWait, and resumes them when both are back under
// half.
func (r *run) balanceLoad() {
	count, bytes := r.sched.load()
	if !r.loadPaused && (count >= r.cfg.MaxInFlight || bytes >= r.cfg.MaxInFlightBytes) {
		// The workers get up to loadWait to bring the load down before the
		// partitions are paused: librdkafka drops a paused partition's
		// prefetched messages, and after the resume it fetches again only
		// on its broker thread's next round, up to a second later. Pausing
		// for a burst the workers clear in less would cost more than it
		// saves.
		r.sched.waitLoad(time.Now().Add(loadWait), r.cfg.MaxInFlight/2, r.cfg.MaxInFlightBytes/2)
		count, bytes = r.sched.load()
	}
	full := count >= r.cfg.MaxInFlight || bytes >= r.cfg.MaxInFlightBytes
	switch {
	case full:
		// Partitions assigned since the last pause are paused too.
		var tps []kafka.TopicPartition
		for _, p := range r.parts {
			if !p.loadPaused && !p.revoked {
				p.loadPaused = true
				if !p.waiting {
					tps = append(tps, p.tp())
				}
			}
		}
		if len(tps) > 0 {
			if !r.loadPaused {
				r.log.Debug("in-flight limit reached; pausing the partitions", slog.Int("in_flight", count), slog.Int("in_flight_bytes", bytes))
			}
			r.pause(tps)
		}
		r.loadPaused = true
	case r.loadPaused && count <= r.cfg.MaxInFlight/2 && bytes <= r.cfg.MaxInFlightBytes/2:
		var tps []kafka.TopicPartition
		for _, p := range r.parts {
			if p.loadPaused {
				p.loadPaused = false
				if !p.waiting && !p.revoked {
					tps = append(tps, p.tp())
				}
			}
		}
		r.resume(tps)
		r.loadPaused = false
	}
}

func (r *run) pause(tps []kafka.TopicPartition) {
	r.statsDirty = true
	if err := r.kc.Pause(tps); err != nil {
		r.log.Warn("cannot pause partitions", slog.Any("error", err))
	}
}

func (r *run) resume(tps []kafka.TopicPartition) {
	r.statsDirty = true
	if len(tps) == 0 {
		return
	}
	if err := r.kc.Resume(tps); err != nil {
		r.log.Warn("cannot resume partitions", slog.Any("error", err))
	}
}

// authFailure reports whether err says the broker refused the credentials:
// librdkafka's ErrAuthentication, or a SASL handshake the broker ended by
// closing the connection (which librdkafka reports as a transport failure
// whose text starts the SASL part with "SASL authentication error").
func authFailure(err kafka.Error) bool {
	return err.Code() == kafka.ErrAuthentication || strings.Contains(err.Error(), "SASL authentication error")
}

// close stops the commit rounds, commits the finished offsets and closes
// the clients, waiting for that up to CloseTimeout: with the brokers gone
// librdkafka's last commit waits for the group coordinator until the
// session times out.
func (r *run) close(stopCommits func(), loops *sync.WaitGroup) error {
	done := make(chan error, 1)
	go func() {
		stopCommits()
		err := r.shutdown()
		loops.Wait()
		done <- err
	}()
	t := time.NewTimer(r.cfg.CloseTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		r.log.Error("consumer stopped without committing or leaving its group: the brokers did not answer; what was not committed is delivered again",
			slog.Duration("close_timeout", r.cfg.CloseTimeout))
		return fmt.Errorf("%w after %v: the brokers did not answer; what was not committed is delivered again", ErrCloseTimeout, r.cfg.CloseTimeout)
	}
}

// shutdown commits the finished offsets and closes the clients.
func (r *run) shutdown() error {
	var errs []error
	if err := r.commit(nil); err != nil {
		r.log.Error("committing offsets at shutdown", slog.Any("error", err))
		errs = append(errs, fmt.Errorf("consumer: committing offsets: %w", err))
	}
	r.recordLag()
	if err := r.kc.Close(); err != nil {
		errs = append(errs, fmt.Errorf("consumer: closing: %w", err))
	}
	if r.fwd != nil {
		if n := r.fwd.Flush(10_000); n > 0 {
			r.log.Error("dead-letter producer closed with messages queued", slog.Int("queued", n))
		}
		r.fwd.Close()
	}
	r.log.Info("consumer stopped")
	return errors.Join(errs...)
}
