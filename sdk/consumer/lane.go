package consumer

import "hash/maphash"

// laneKey names a shared lane: a seeded hash of its topic and key (per-key
// order), or of its topic and partition (per-partition order). A hash
// rather than the key itself, so that naming a message's lane costs no
// string. Two names that hash alike (one chance in 2^64 per pair) share a
// lane: their messages wait for each other, which still keeps each one's
// order; only their concurrency is lost.
type laneKey uint64

// laneOf returns the key of m's lane under ordering o, and whether m has an
// order to keep (else it goes in a lane of its own). The lock is held.
func (s *scheduler) laneOf(m *inflight, o Ordering) (laneKey, bool) {
	p := m.part
	if !p.hashed {
		p.topicHash, p.hashed = maphash.String(s.seed, p.topic), true
	}
	switch o {
	case OrderKey:
		if len(m.km.Key) == 0 {
			return 0, false // no key, no order to keep
		}
		return laneKey(p.topicHash ^ maphash.Bytes(s.seed, m.km.Key)), true
	case OrderPartition:
		return laneKey(p.topicHash ^ uint64(uint32(p.id))), true
	}
	return 0, false
}

// lane is a queue of messages that must be handled in order.
type lane struct {
	key laneKey
	// q[head:] are the queued messages, oldest first. The slice is taken
	// from the front and compacted when it would grow with half of it
	// taken, so that a lane that never empties does not keep reallocating.
	q    []*inflight
	head int
	// frontSeq is the poll sequence of q[head], which orders the ready
	// queue, kept here so that ordering it reads no message.
	frontSeq uint64
	busy     bool // a worker handles one of its units
	inReady  bool // it is in the ready queue, at index at
	at       int
	shared   bool // registered in the scheduler's lanes (else it belongs to one message)
}

// len returns the number of queued messages.
func (l *lane) len() int { return len(l.q) - l.head }

// front returns the oldest queued message; the lane is not empty.
func (l *lane) front() *inflight { return l.q[l.head] }

// push queues m last.
func (l *lane) push(m *inflight) {
	if len(l.q) == cap(l.q) && l.head > 0 && l.head >= len(l.q)/2 {
		n := copy(l.q, l.q[l.head:])
		clear(l.q[n:])
		l.q, l.head = l.q[:n], 0
	}
	if l.len() == 0 {
		l.frontSeq = m.seq
	}
	l.q = append(l.q, m)
}

// pop takes the oldest queued message out; the lane is not empty.
func (l *lane) pop() *inflight {
	m := l.q[l.head]
	l.q[l.head] = nil
	l.head++
	if l.head == len(l.q) {
		l.q, l.head = l.q[:0], 0
	} else {
		l.frontSeq = l.q[l.head].seq
	}
	return m
}

// filter keeps the queued messages for which keep is true, in order.
func (l *lane) filter(keep func(*inflight) bool) {
	q := l.q[:0]
	for _, m := range l.q[l.head:] {
		if keep(m) {
			q = append(q, m)
		}
	}
	clear(l.q[len(q):])
	l.q, l.head = q, 0
	if len(q) > 0 {
		l.frontSeq = q[0].seq
	}
}

// laneQueue holds the ready lanes, the one whose head message was polled
// first on top: the oldest waiting message is handed out first, which
// keeps each partition's commit point (its lowest unfinished offset)
// moving, and no key waits behind keys polled after it. It is a binary
// heap by the head's poll sequence; every lane in it has a head.
type laneQueue struct{ h []*lane }

func (r *laneQueue) len() int       { return len(r.h) }
func (r *laneQueue) at(i int) *lane { return r.h[i] }

// push adds l.
func (r *laneQueue) push(l *lane) {
	l.at = len(r.h)
	r.h = append(r.h, l)
	r.up(l.at)
}

// pop takes the top lane out.
func (r *laneQueue) pop() *lane {
	l := r.h[0]
	r.cut(0)
	return l
}

// remove takes l, which is in the queue, out.
func (r *laneQueue) remove(l *lane) { r.cut(l.at) }

// cut takes the lane at i out and restores the order.
func (r *laneQueue) cut(i int) {
	l, n := r.h[i], len(r.h)-1
	if i != n {
		r.swap(i, n)
	}
	r.h[n] = nil
	r.h = r.h[:n]
	if i != n && !r.down(i) {
		r.up(i)
	}
	l.at = -1
}

// keep leaves the lanes for which ok is true and restores the order, after
// the lanes' heads changed.
func (r *laneQueue) keep(ok func(*lane) bool) {
	kept := r.h[:0]
	for _, l := range r.h {
		if ok(l) {
			l.at = len(kept)
			kept = append(kept, l)
		} else {
			l.at = -1
		}
	}
	clear(r.h[len(kept):])
	r.h = kept
	for i := len(r.h)/2 - 1; i >= 0; i-- {
		r.down(i)
	}
}

func (r *laneQueue) less(i, j int) bool { return r.h[i].frontSeq < r.h[j].frontSeq }

func (r *laneQueue) swap(i, j int) {
	r.h[i], r.h[j] = r.h[j], r.h[i]
	r.h[i].at, r.h[j].at = i, j
}

func (r *laneQueue) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !r.less(i, parent) {
			return
		}
		r.swap(i, parent)
		i = parent
	}
}

// down moves the lane at i down to its place and reports whether it moved.
func (r *laneQueue) down(i int) bool {
	start, n := i, len(r.h)
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if right := child + 1; right < n && r.less(right, child) {
			child = right
		}
		if !r.less(child, i) {
			break
		}
		r.swap(i, child)
		i = child
	}
	return i > start
}
