package consumer

import "sync/atomic"

// Stats is a snapshot of what a running consumer holds.
type Stats struct {
	// InFlight and InFlightBytes count the messages (and their key and value
	// bytes) polled and not yet done: queued for a worker or being handled.
	InFlight      int
	InFlightBytes int
	// Assigned is the number of partitions assigned to this member.
	Assigned int
	// PausedForLoad is the number of partitions paused because InFlight or
	// InFlightBytes reached their limit; WaitingForRetry the number of
	// retry-topic partitions paused until their next message is due.
	PausedForLoad   int
	WaitingForRetry int
}

// runStats are the partition counts the poll goroutine publishes.
type runStats struct {
	assigned, pausedForLoad, waiting atomic.Int64
}

// Stats returns what the consumer holds now; the zero Stats before Run and
// after it returns.
func (c *Consumer) Stats() Stats {
	r := c.current.Load()
	if r == nil {
		return Stats{}
	}
	count, bytes := r.sched.load()
	return Stats{
		InFlight:        count,
		InFlightBytes:   bytes,
		Assigned:        int(r.stats.assigned.Load()),
		PausedForLoad:   int(r.stats.pausedForLoad.Load()),
		WaitingForRetry: int(r.stats.waiting.Load()),
	}
}

// publishStats counts the partitions for Stats, on the poll goroutine,
// when they changed.
func (r *run) publishStats() {
	if !r.statsDirty {
		return
	}
	r.statsDirty = false
	var load, waiting int64
	for _, p := range r.parts {
		if p.loadPaused {
			load++
		}
		if p.waiting {
			waiting++
		}
	}
	r.stats.assigned.Store(int64(len(r.parts)))
	r.stats.pausedForLoad.Store(load)
	r.stats.waiting.Store(waiting)
}
