package consumer

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// scheduler hands the polled messages to the workers, one unit of work at
// a time, keeping the order the configuration asks for: messages of one
// lane (a key, or a partition) are handled one unit after the other, in
// offset order; lanes run concurrently. It counts what is in flight for
// backpressure and tracks each partition's offsets (partition.offs), all
// under one lock.
type scheduler struct {
	mu     sync.Mutex
	work   sync.Cond // a lane became ready, or the scheduler stopped
	linger sync.Cond // more messages came, or a batch's linger time passed
	idle   sync.Cond // a unit finished

	ready laneQueue
	lanes map[laneKey]*lane
	seed  maphash.Seed // of the lane keys

	// count and bytes are the messages (and their key and value bytes)
	// polled and not done: queued in lanes or being handled. They change
	// under the lock and are read without it (load).
	count, bytes atomic.Int64
	// seq numbers the messages in the order they are added.
	seq     uint64
	stopped bool

	// sleeping is the number of workers waiting for a ready lane; waking
	// is set from a signal to one of them, or from starting one, until it
	// is there (see wake).
	sleeping int
	waking   bool
	// workers are started as the work needs them (spawn), up to
	// maxWorkers: with quick handlers a few do all the work, however high
	// Concurrency is.
	workers, maxWorkers int
	spawn               func()
	// pace decides how many workers run (see wake).
	pace pace

	// lowLoad, when set, is closed once count and bytes are down to
	// lowCount and lowBytes (or the scheduler stopped): the poll loop
	// waits on it (waitLoad) instead of being woken by every unit done.
	lowLoad            chan struct{}
	lowCount, lowBytes int

	// freeLanes are shared lanes that emptied, kept for reuse: with many
	// keys most messages find no lane of their key and need one.
	freeLanes []*lane
	// free are the records of messages done, kept for reuse; spare are
	// those handed to the adding goroutine (newInflight), which takes them
	// without the lock.
	free, spare []*inflight
}

// maxFreeLanes bounds freeLanes.
const maxFreeLanes = 1024

func newScheduler() *scheduler {
	s := &scheduler{lanes: map[laneKey]*lane{}, seed: maphash.MakeSeed(), pace: newPace()}
	s.work.L, s.linger.L, s.idle.L = &s.mu, &s.mu, &s.mu
	return s
}

// add queues m (from newInflight, or a record of its own) in its lane
// under ordering o: shared with the other messages of its key or
// partition, or its own when it has no order to keep.
func (s *scheduler) add(m *inflight, o Ordering) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &m.own
	if key, ordered := s.laneOf(m, o); ordered {
		if l = s.lanes[key]; l == nil {
			l = s.newLane(key)
			s.lanes[key] = l
		}
	}
	m.lane = l
	s.seq++
	m.seq = s.seq
	l.push(m)
	m.part.offs.add(m.offset())
	m.part.queued++
	s.count.Add(1)
	s.bytes.Add(int64(m.bytes))
	s.makeReady(l)
	s.wake()
	s.linger.Broadcast()
	s.refillSpare()
}

// makeReady puts l in the ready queue when it has work and no worker.
func (s *scheduler) makeReady(l *lane) {
	if !l.busy && !l.inReady && l.len() > 0 {
		l.inReady = true
		s.ready.push(l)
	}
}

// newLane returns an empty shared lane for key, reusing a free one.
func (s *scheduler) newLane(key laneKey) *lane {
	if n := len(s.freeLanes); n > 0 {
		l := s.freeLanes[n-1]
		s.freeLanes[n-1] = nil
		s.freeLanes = s.freeLanes[:n-1]
		l.key = key
		return l
	}
	return &lane{key: key, shared: true}
}

// deleteLane forgets the empty shared lane l, keeping it for reuse.
func (s *scheduler) deleteLane(l *lane) {
	delete(s.lanes, l.key)
	if len(s.freeLanes) < maxFreeLanes {
		*l = lane{q: l.q[:0], shared: true}
		s.freeLanes = append(s.freeLanes, l)
	}
}

// startWorkers has the scheduler start workers with spawn, which runs
// under the lock and makes a goroutine that calls arrive, then next until
// it returns nil: up to most of them, one now and the others when a ready
// lane needs one and none is sleeping.
func (s *scheduler) startWorkers(most int, spawn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxWorkers, s.spawn = most, spawn
	s.workers++
	s.waking = true
	spawn()
}

// arrive is take, for a worker just started: the wake that started it is
// spent.
func (s *scheduler) arrive() []*inflight {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waking = false
	return s.takeLocked(nil)
}

// take waits for a unit of work and returns it: one message, or a batch
// for a batch handler (up to its size, waiting up to its linger time for
// more); nil once the scheduler stopped.
func (s *scheduler) take() []*inflight {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.takeLocked(nil)
}

// next gives a worker's unit back, as done does, and takes its next one,
// as take does, in one hold of the lock and in unit's slice. took is how
// long the unit took its worker, or unmeasured.
func (s *scheduler) next(unit []*inflight, took time.Duration) []*inflight {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pace.measured(took)
	s.doneLocked(unit)
	clear(unit)
	return s.takeLocked(unit[:0])
}

// takeLocked is take, with the lock held; the unit goes into unit (empty),
// so that a worker reuses one slice.
func (s *scheduler) takeLocked(unit []*inflight) []*inflight {
	for (s.ready.len() == 0 || s.enoughRunning()) && !s.stopped {
		if s.ready.len() > 0 {
			s.armStall() // as wake does when it holds a wake back
		}
		s.sleeping++
		s.work.Wait()
		s.sleeping--
		s.waking = false
	}
	if s.stopped {
		return nil
	}
	l := s.ready.pop()
	l.inReady = false
	l.busy = true
	m := l.pop()
	m.part.queued--
	m.part.running++
	unit = append(unit, m)
	if m.h != nil && m.h.batch != nil {
		unit = s.gather(unit, m.h, l)
	}
	s.pace.took(unit) // after gathering: a worker waiting for a batch is not running
	s.wake()
	return unit
}

// gather fills a batch for handler h, whose first message came from lane
// first: more of first's messages while they are h's, then the heads of
// other ready lanes that are h's, until the batch is full or its linger
// time has passed.
func (s *scheduler) gather(unit []*inflight, h *Handler, first *lane) []*inflight {
	size, linger := h.batch.Size, h.batch.Linger
	var deadline time.Time
	var timer *time.Timer
	for {
		unit = s.drainLane(unit, h, first, size)
		var more []*lane
		for i := 0; i < s.ready.len() && len(unit)+len(more) < size; i++ {
			if l := s.ready.at(i); l.front().h == h {
				more = append(more, l)
			}
		}
		for _, l := range more {
			if len(unit) >= size {
				break // the lanes not drained stay ready
			}
			s.ready.remove(l)
			l.inReady = false
			l.busy = true
			unit = s.drainLane(unit, h, l, size)
		}
		if len(unit) >= size || linger <= 0 || s.stopped {
			break
		}
		if deadline.IsZero() {
			deadline = time.Now().Add(linger)
			timer = time.AfterFunc(linger, func() {
				s.mu.Lock()
				s.linger.Broadcast()
				s.mu.Unlock()
			})
		}
		if !time.Now().Before(deadline) {
			break
		}
		s.linger.Wait()
	}
	if timer != nil {
		timer.Stop()
	}
	return unit
}

// drainLane moves l's leading messages for h into unit, up to size.
func (s *scheduler) drainLane(unit []*inflight, h *Handler, l *lane, size int) []*inflight {
	for len(unit) < size && l.len() > 0 && l.front().h == h {
		m := l.pop()
		m.part.queued--
		m.part.running++
		unit = append(unit, m)
	}
	return unit
}

// done takes the messages of a unit back from their worker, marks those
// whose finished field is set done, and frees their lanes. The unit's
// records are reused: the caller drops them.
func (s *scheduler) done(unit []*inflight) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doneLocked(unit)
	s.wake()
}

// doneLocked is done, with the lock held, without waking a worker for the
// lanes it makes ready (next's caller takes one itself).
func (s *scheduler) doneLocked(unit []*inflight) {
	s.pace.gaveBack(unit)
	var bytes int64
	for _, m := range unit {
		m.part.running--
		if m.finished && !m.part.released {
			m.part.offs.finish(m.offset())
		}
		bytes += int64(m.bytes)
	}
	s.count.Add(-int64(len(unit)))
	s.bytes.Add(-bytes)
	for _, m := range unit {
		l := m.lane
		if !l.busy {
			continue // a lane seen before in this unit
		}
		l.busy = false
		s.makeReady(l)
		if l.len() == 0 && l.shared {
			s.deleteLane(l)
		}
	}
	for _, m := range unit {
		s.release(m)
	}
	s.idle.Broadcast()
	s.checkLowLoad()
}

// drop removes the queued messages of the partitions (which were revoked:
// their new owner reads them again) and returns how many it removed.
func (s *scheduler) drop(revoked func(*partition) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	keep := func(l *lane) {
		l.filter(func(m *inflight) bool {
			if !revoked(m.part) {
				return true
			}
			m.part.queued--
			s.count.Add(-1)
			s.bytes.Add(-int64(m.bytes))
			n++
			return false
		})
	}
	for i := 0; i < s.ready.len(); i++ {
		keep(s.ready.at(i))
	}
	for _, l := range s.lanes {
		if !l.inReady {
			keep(l)
		}
	}
	// The emptied lanes leave the ready queue; the others' heads may have
	// changed, so the queue is rebuilt rather than fixed one by one (its
	// order needs every lane to have a head).
	s.ready.keep(func(l *lane) bool {
		if l.len() > 0 {
			return true
		}
		l.inReady = false
		if l.shared && !l.busy {
			delete(s.lanes, l.key)
		}
		return false
	})
	for k, l := range s.lanes {
		if l.len() == 0 && !l.busy && !l.inReady {
			delete(s.lanes, k)
		}
	}
	return n
}

// wait blocks until cond holds (checked under the lock after every unit
// done) or until the deadline; it reports whether cond held.
func (s *scheduler) wait(deadline time.Time, cond func() bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	timer := time.AfterFunc(time.Until(deadline), func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	for !cond() {
		if !time.Now().Before(deadline) {
			return false
		}
		s.idle.Wait()
	}
	return true
}

// waitLoad blocks until at most count messages and bytes bytes are in
// flight, the scheduler stopped, or the deadline passed. One waiter at a
// time (the poll loop).
func (s *scheduler) waitLoad(deadline time.Time, count, bytes int) {
	s.mu.Lock()
	if s.stopped || s.loadAtMost(count, bytes) {
		s.mu.Unlock()
		return
	}
	low := make(chan struct{})
	s.lowLoad, s.lowCount, s.lowBytes = low, count, bytes
	s.mu.Unlock()
	timer := time.NewTimer(time.Until(deadline))
	select {
	case <-low:
	case <-timer.C:
	}
	timer.Stop()
	s.mu.Lock()
	if s.lowLoad == low {
		s.lowLoad = nil
	}
	s.mu.Unlock()
}

// checkLowLoad wakes the waitLoad waiter when the load came down to its
// mark or the scheduler stopped.
func (s *scheduler) checkLowLoad() {
	if s.lowLoad != nil && (s.stopped || s.loadAtMost(s.lowCount, s.lowBytes)) {
		close(s.lowLoad)
		s.lowLoad = nil
	}
}

// stop makes take return nil from now on: the workers finish their units
// and end.
func (s *scheduler) stop() {
	s.mu.Lock()
	s.stopped = true
	s.pace.stop()
	s.work.Broadcast()
	s.linger.Broadcast()
	s.checkLowLoad()
	s.mu.Unlock()
}

// load returns what is in flight, without the lock: the poll loop asks
// before every poll. Only the poll goroutine adds, so what it reads is
// never below what it added.
func (s *scheduler) load() (count, bytes int) {
	return int(s.count.Load()), int(s.bytes.Load())
}

// loadAtMost reports whether at most count messages and bytes bytes are in
// flight.
func (s *scheduler) loadAtMost(count, bytes int) bool {
	return s.count.Load() <= int64(count) && s.bytes.Load() <= int64(bytes)
}

// locked runs fn under the scheduler's lock (which guards the partitions'
// offsets).
func (s *scheduler) locked(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// finishNow records a message that is done as soon as it is polled
// (skipped).
func (s *scheduler) finishNow(p *partition, offset int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.offs.add(offset)
	p.offs.finish(offset)
}
