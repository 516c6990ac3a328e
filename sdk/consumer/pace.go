package consumer

import (
	"runtime"
	"time"
)

// pace is what the scheduler knows of how quickly units of work are
// handled, to decide how many workers run (wake and enoughRunning). A
// worker is woken for a ready lane unless units are quick and the workers
// already running will get to it soon: with handlers that return at once,
// waking a goroutine per message costs more than the handling, and
// Concurrency 64 would be slower than Concurrency 1. The fields are
// guarded by the scheduler's lock.
type pace struct {
	// active is the number of workers holding a unit; stuck of them held
	// theirs through a stall (see checkStall) and are not counted on to be
	// back soon. gen counts the stalls: a unit taken before the last one
	// is a stuck one.
	active, stuck int
	gen           uint64
	// unitTime is a moving average of the units the workers timed; until
	// they have, units are taken to be quick (the stall check keeps a slow
	// first one from holding the others back).
	unitTime time.Duration
	// quickWorkers is the most workers that run quick units: those that
	// can run at once besides the poll loop.
	quickWorkers int
	// finished counts the units given back.
	finished uint64
	// stall runs checkStall stallWait (stallAfter but in tests) after a
	// wake was held back (stalled); stallMark is finished then.
	stallWait time.Duration
	stall     *time.Timer
	stalled   bool
	stallMark uint64
}

const (
	// quickUnit is the unit time under which units are quick: about what
	// waking a goroutine costs, give or take an order of magnitude. A
	// ready lane is left to the running workers when, at the measured
	// pace, they clear the ready lanes within quickUnit.
	quickUnit = 10 * time.Microsecond
	// stallAfter is the longest a ready lane is left to the running
	// workers while none of them finishes a unit: a handler that turns
	// slow is measured only once it returns, and must not hold back the
	// lanes of others meanwhile.
	stallAfter = time.Millisecond
)

// unmeasured is the duration of a unit its worker did not time.
const unmeasured time.Duration = -1

func newPace() pace {
	return pace{quickWorkers: max(1, runtime.GOMAXPROCS(0)-1), stallWait: stallAfter}
}

// measured folds the duration of a unit (or unmeasured) into unitTime.
func (p *pace) measured(took time.Duration) {
	if took >= 0 {
		p.unitTime += (took - p.unitTime) / 8
	}
}

// took records that a worker took unit.
func (p *pace) took(unit []*inflight) {
	p.active++
	unit[0].stallGen = p.gen
}

// gaveBack records that a worker gave unit back.
func (p *pace) gaveBack(unit []*inflight) {
	p.active--
	p.finished++
	if unit[0].stallGen != p.gen {
		p.stuck--
	}
}

// stop stops the stall check.
func (p *pace) stop() {
	if p.stall != nil {
		p.stall.Stop()
	}
}

// enoughRunning reports whether the running workers are enough for the
// ready lanes: units are quick, and either as many workers run as can at
// once or they clear the ready lanes within quickUnit. The lock is held.
func (s *scheduler) enoughRunning() bool {
	p := &s.pace
	running := p.active - p.stuck
	if running <= 0 || p.unitTime >= quickUnit {
		return false
	}
	return running >= p.quickWorkers || time.Duration(s.ready.len())*p.unitTime <= time.Duration(running)*quickUnit
}

// wake signals one sleeping worker (or starts one, when none sleeps and
// fewer than maxWorkers were started) when a lane is ready, no worker is
// on its way yet and the running ones are not enough; the lock is held.
// The worker that wakes passes the signal on when lanes are still ready
// after it took its unit (takeLocked), so that work spreads to as many
// workers as it needs while a burst of messages wakes them one at a time,
// not one per message, and a worker that gives a unit back and takes the
// next itself wakes no one. A wake held back because enough workers run
// arms the stall check.
func (s *scheduler) wake() {
	if s.ready.len() == 0 || s.waking || s.stopped || (s.sleeping == 0 && s.workers >= s.maxWorkers) {
		return
	}
	if s.enoughRunning() {
		s.armStall()
		return
	}
	s.waking = true
	if s.sleeping > 0 {
		s.work.Signal()
	} else {
		s.workers++
		s.spawn()
	}
}

// armStall makes checkStall run stallWait from now, unless it is due
// already; the lock is held.
func (s *scheduler) armStall() {
	p := &s.pace
	if p.stalled || s.stopped {
		return
	}
	p.stalled, p.stallMark = true, p.finished
	if p.stall == nil {
		p.stall = time.AfterFunc(p.stallWait, s.checkStall)
	} else {
		p.stall.Reset(p.stallWait)
	}
}

// checkStall wakes a worker for the ready lanes when no unit finished since
// the wake was held back: the workers running now are taken to be stuck
// until they give their units back, so that a handler stuck for long does
// not make every lane that comes later wait for the next stall check. The
// unit time is left as measured: once units are slow, a few of them timed
// move the average past quickUnit, and a machine that stalled for a moment
// wakes one worker, not all.
func (s *scheduler) checkStall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pace
	p.stalled = false
	if s.stopped {
		return
	}
	if p.finished == p.stallMark {
		p.gen++
		p.stuck = p.active
	}
	s.wake()
}
