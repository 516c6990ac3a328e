package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrIdle is the cause of a worker's stop when IdleTimeout passed without
// an event. Limits.Err returns an error matching it when that happened
// before Max events.
var ErrIdle = errors.New("no event within the idle timeout")

// errMax is the cause of a stop after Max events.
var errMax = errors.New("handled the maximum number of events")

// Limits stop a worker early, for demos and tests; the zero value never
// stops it (a service runs until SIGINT or SIGTERM).
type Limits struct {
	// Max stops the worker once it has handled this many events; 0 means
	// no limit.
	Max int
	// IdleTimeout stops the worker when this long passed without an event
	// (counted from the start, then from the last event); 0 means never.
	IdleTimeout time.Duration
}

// Validate refuses negative values.
func (l Limits) Validate() error {
	if l.Max < 0 {
		return fmt.Errorf("-max %d: must be 0 (no limit) or more", l.Max)
	}
	if l.IdleTimeout < 0 {
		return fmt.Errorf("-idle-timeout %v: must be 0 (never) or more", l.IdleTimeout)
	}
	return nil
}

// Counter counts a worker's events and ends its context when the Limits
// say so. Create it with Limits.Start.
type Counter struct {
	limits Limits
	cancel context.CancelCauseFunc
	ctx    context.Context

	mu    sync.Mutex
	n     int
	timer *time.Timer
}

// Start returns a context that ends when parent ends, after Max events, or
// after IdleTimeout without one, and the Counter to call Done on. Call
// Stop when the worker has returned.
func (l Limits) Start(parent context.Context) (context.Context, *Counter) {
	ctx, cancel := context.WithCancelCause(parent)
	c := &Counter{limits: l, cancel: cancel, ctx: ctx}
	if l.IdleTimeout > 0 {
		c.timer = time.AfterFunc(l.IdleTimeout, func() { cancel(ErrIdle) })
	}
	return ctx, c
}

// Done records one handled event: it restarts the idle timeout and, at
// Max, ends the context.
func (c *Counter) Done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.limits.Max > 0 && c.n >= c.limits.Max {
		c.cancel(errMax)
		if c.timer != nil {
			c.timer.Stop()
		}
		return
	}
	if c.timer != nil && c.ctx.Err() == nil {
		c.timer.Reset(c.limits.IdleTimeout)
	}
}

// Count returns the number of events recorded.
func (c *Counter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Stop releases the timer and ends the context.
func (c *Counter) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cancel(context.Canceled)
}

// Err says whether the stop was a failure: an error matching ErrIdle when
// the idle timeout ended the context before Max events (with Max set), nil
// otherwise (Max reached, parent ended, or idle without a Max).
func (c *Counter) Err() error {
	if !errors.Is(context.Cause(c.ctx), ErrIdle) || c.limits.Max == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= c.limits.Max {
		return nil
	}
	return fmt.Errorf("stopped after %d of %d events: %w (%v)", c.n, c.limits.Max, ErrIdle, c.limits.IdleTimeout)
}
