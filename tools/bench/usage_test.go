package bench

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// usage is a process's clock, CPU time (user and system, all its threads:
// Go's and librdkafka's) and Go allocations at one moment.
type usage struct {
	at             time.Time
	user, sys      time.Duration
	mallocs, bytes uint64
}

// readUsage returns this process's usage now. It stops the world for a
// moment (runtime.ReadMemStats): call it outside the work it measures.
func readUsage() (usage, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}, err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return usage{
		at:      time.Now(),
		user:    time.Duration(ru.Utime.Nano()),
		sys:     time.Duration(ru.Stime.Nano()),
		mallocs: ms.Mallocs,
		bytes:   ms.TotalAlloc,
	}, nil
}

// cost is what some messages took: the time, the CPU time and the Go
// allocations between two usages, added up over batches.
type cost struct {
	Msgs           int
	Elapsed        time.Duration
	User, Sys      time.Duration
	Mallocs, Bytes uint64
}

// costOf is what msgs messages took from from to to.
func costOf(msgs int, from, to usage) cost {
	return cost{
		Msgs:    msgs,
		Elapsed: to.at.Sub(from.at),
		User:    to.user - from.user,
		Sys:     to.sys - from.sys,
		Mallocs: to.mallocs - from.mallocs,
		Bytes:   to.bytes - from.bytes,
	}
}

// add adds o to c.
func (c *cost) add(o cost) {
	c.Msgs += o.Msgs
	c.Elapsed += o.Elapsed
	c.User += o.User
	c.Sys += o.Sys
	c.Mallocs += o.Mallocs
	c.Bytes += o.Bytes
}

// perMsg returns v per message of c.
func (c cost) perMsg(v float64) float64 { return v / float64(max(c.Msgs, 1)) }

// rate returns c's messages per second.
func (c cost) rate() float64 {
	if c.Elapsed <= 0 {
		return 0
	}
	return float64(c.Msgs) / c.Elapsed.Seconds()
}

// measure runs f and returns what its msgs messages cost.
func measure(msgs int, f func() error) (cost, error) {
	from, err := readUsage()
	if err != nil {
		return cost{}, err
	}
	if err := f(); err != nil {
		return cost{}, err
	}
	to, err := readUsage()
	if err != nil {
		return cost{}, err
	}
	return costOf(msgs, from, to), nil
}

// measured returns batch, adding what each call costs to total.
func measured(total *cost, batch func(from, n int) error) func(from, n int) error {
	return func(from, n int) error {
		c, err := measure(n, func() error { return batch(from, n) })
		total.add(c)
		return err
	}
}

// reportCost reports c as prefix+"msgs/s", prefix+"ns/msg" (the time per
// message), prefix+"cpu-ns/msg" (user and system CPU time per message),
// prefix+"sys-ns/msg" (of which the system's), prefix+"allocs/msg" and
// prefix+"B/msg" (Go allocations per message).
func reportCost(b *testing.B, prefix string, c cost) {
	b.ReportMetric(c.rate(), prefix+"msgs/s")
	b.ReportMetric(c.perMsg(float64(c.Elapsed.Nanoseconds())), prefix+"ns/msg")
	b.ReportMetric(c.perMsg(float64((c.User + c.Sys).Nanoseconds())), prefix+"cpu-ns/msg")
	b.ReportMetric(c.perMsg(float64(c.Sys.Nanoseconds())), prefix+"sys-ns/msg")
	b.ReportMetric(c.perMsg(float64(c.Mallocs)), prefix+"allocs/msg")
	b.ReportMetric(c.perMsg(float64(c.Bytes)), prefix+"B/msg")
}
