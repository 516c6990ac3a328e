package consumer

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// testInflight makes the inflight of offset off of p, for handler h.
func testInflight(p *partition, off int64, key string, h *Handler) *inflight {
	topic := p.topic
	return &inflight{
		km:    &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: p.id, Offset: kafka.Offset(off)}, Key: []byte(key)},
		part:  p,
		h:     h,
		bytes: len(key),
	}
}

func testPartition(topic string, id int32) *partition {
	return &partition{topic: topic, id: id, offs: newOffsets(), committed: -1}
}

// TestSchedulerKeyOrder runs many workers over messages of a few keys in
// several partitions: no two units of one key run at once, each key's
// messages are handled in offset order, and every message is handled once.
// Half the workers give their units back with done and take anew, the
// others with next, as the consumer's do.
func TestSchedulerKeyOrder(t *testing.T) {
	s := newScheduler()
	h := &Handler{}
	parts := []*partition{testPartition("t", 0), testPartition("t", 1), testPartition("t", 2)}
	const keys, perKey = 40, 50
	var running sync.Map // key → *atomic.Int32
	var mu sync.Mutex
	seen := map[string][]int64{}
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for unit := s.take(); unit != nil; {
				m := unit[0]
				k := string(m.km.Key)
				c, _ := running.LoadOrStore(k, new(atomic.Int32))
				if n := c.(*atomic.Int32).Add(1); n != 1 {
					t.Errorf("key %s: %d units at once", k, n)
				}
				if rand.IntN(4) == 0 {
					time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
				}
				mu.Lock()
				seen[k] = append(seen[k], m.offset())
				mu.Unlock()
				c.(*atomic.Int32).Add(-1)
				m.finished = true
				if w%2 == 0 {
					s.done(unit)
					unit = s.take()
				} else {
					unit = s.next(unit, unmeasured)
				}
			}
		}()
	}
	next := map[*partition]int64{}
	for i := 0; i < perKey; i++ {
		for k := 0; k < keys; k++ {
			p := parts[k%len(parts)]
			key := "k" + strconv.Itoa(k)
			s.add(testInflight(p, next[p], key, h), OrderKey)
			next[p]++
		}
	}
	if !s.wait(time.Now().Add(time.Minute), func() bool { return s.count.Load() == 0 }) {
		t.Fatalf("not every message was handled: %d left", s.count.Load())
	}
	s.stop()
	wg.Wait()
	for k, offs := range seen {
		if len(offs) != perKey {
			t.Errorf("key %s: %d messages handled, want %d", k, len(offs), perKey)
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] <= offs[i-1] {
				t.Fatalf("key %s handled out of order: %v", k, offs)
			}
		}
	}
	for _, p := range parts {
		if got, want := p.offs.commitPoint(), next[p]; got != want {
			t.Errorf("partition %d: commit point %d, want %d", p.id, got, want)
		}
	}
	if len(s.lanes) != 0 {
		t.Errorf("%d lanes left after every message was done", len(s.lanes))
	}
}

// TestSchedulerUnorderedRunsConcurrently: messages with no order to keep
// (OrderNone, or no key) go to as many workers as there are.
func TestSchedulerUnorderedRunsConcurrently(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	h := &Handler{}
	const n = 8
	for i := 0; i < n; i++ {
		s.add(testInflight(p, int64(i), "", h), OrderNone)
	}
	var got []*inflight
	for i := 0; i < n; i++ {
		got = append(got, s.take()...) // none of them blocks the next
	}
	if len(got) != n {
		t.Fatalf("took %d", len(got))
	}
	if p.running != n || p.queued != 0 {
		t.Fatalf("running %d, queued %d", p.running, p.queued)
	}
	// Finished out of order: the commit point waits for the lowest.
	for i := n - 1; i >= 1; i-- {
		got[i].finished = true
		s.done(got[i : i+1])
	}
	if cp := p.offs.commitPoint(); cp != 0 {
		t.Fatalf("commit point %d with offset 0 unfinished", cp)
	}
	got[0].finished = true
	s.done(got[:1])
	if cp := p.offs.commitPoint(); cp != n {
		t.Fatalf("commit point %d, want %d", cp, n)
	}
}

// TestSchedulerUnfinishedHoldsTheCommitPoint: a message given back
// unfinished (abandoned at shutdown) is not counted as done.
func TestSchedulerUnfinishedHoldsTheCommitPoint(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	h := &Handler{}
	for i := 0; i < 3; i++ {
		s.add(testInflight(p, int64(i), "k", h), OrderKey)
	}
	u := s.take()
	u[0].finished = true
	s.done(u)
	u = s.take()
	s.done(u) // offset 1 abandoned
	u = s.take()
	u[0].finished = true
	s.done(u)
	if cp := p.offs.commitPoint(); cp != 1 {
		t.Fatalf("commit point %d, want 1", cp)
	}
	if md := p.offs.metadata(); !parseFinished(1, md)[2] {
		t.Fatalf("metadata %q does not list offset 2 as done", md)
	}
}

// TestSchedulerBatches: a batch handler's unit takes up to Size ready
// messages, from its lane and from other lanes, never one of another
// handler, and lingers for more when not full.
func TestSchedulerBatches(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	b := &Handler{batch: &BatchConfig{Size: 3}}
	single := &Handler{}
	s.add(testInflight(p, 0, "a", b), OrderKey)
	s.add(testInflight(p, 1, "a", b), OrderKey)
	s.add(testInflight(p, 2, "b", single), OrderKey)
	s.add(testInflight(p, 3, "c", b), OrderKey)
	s.add(testInflight(p, 4, "c", b), OrderKey)
	u := s.take()
	if len(u) != 3 || u[0].offset() != 0 || u[1].offset() != 1 || u[2].offset() != 3 {
		t.Fatalf("batch %v, want offsets 0, 1, 3", offsetsOf(u))
	}
	u2 := s.take()
	if len(u2) != 1 || u2[0].offset() != 2 {
		t.Fatalf("next unit %v, want the single handler's offset 2", offsetsOf(u2))
	}
	// Offset 4 waits: its lane (key c) is busy with offset 3.
	done := make(chan []*inflight)
	go func() { done <- s.take() }()
	select {
	case u3 := <-done:
		t.Fatalf("took %v while its key was busy", offsetsOf(u3))
	case <-time.After(50 * time.Millisecond):
	}
	for _, m := range u {
		m.finished = true
	}
	s.done(u)
	if u3 := <-done; len(u3) != 1 || u3[0].offset() != 4 {
		t.Fatalf("then %v, want offset 4", offsetsOf(u3))
	}

	// Linger: a batch that is not full waits for more, up to Linger.
	s2 := newScheduler()
	lb := &Handler{batch: &BatchConfig{Size: 10, Linger: 200 * time.Millisecond}}
	s2.add(testInflight(p, 10, "x", lb), OrderKey)
	go func() {
		time.Sleep(20 * time.Millisecond)
		s2.add(testInflight(p, 11, "y", lb), OrderKey)
	}()
	start := time.Now()
	u4 := s2.take()
	if len(u4) != 2 {
		t.Fatalf("lingering batch %v, want offsets 10 and 11", offsetsOf(u4))
	}
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Logf("the batch came after %v (the linger is 200ms)", waited)
	}
}

// TestSchedulerDropRevoked: the queued messages of a revoked partition
// leave their lanes (uncounted, so not committed past); the others stay.
func TestSchedulerDropRevoked(t *testing.T) {
	s := newScheduler()
	p0, p1 := testPartition("t", 0), testPartition("t", 1)
	h := &Handler{}
	for i := 0; i < 4; i++ {
		s.add(testInflight(p0, int64(i), "k0", h), OrderKey)
		s.add(testInflight(p1, int64(i), "k1", h), OrderKey)
	}
	first := s.take() // p0 offset 0, running
	p0.revoked = true
	if n := s.drop(func(p *partition) bool { return p.revoked }); n != 3 {
		t.Fatalf("dropped %d, want p0's 3 queued", n)
	}
	if count, _ := s.load(); count != 5 {
		t.Fatalf("in flight %d, want p0's running one and p1's 4", count)
	}
	first[0].finished = true
	s.done(first)
	for i := 0; i < 4; i++ {
		u := s.take()
		if u[0].part != p1 {
			t.Fatalf("took a message of the revoked partition: %v", offsetsOf(u))
		}
		u[0].finished = true
		s.done(u)
	}
	if cp := p0.offs.commitPoint(); cp != 1 {
		t.Fatalf("revoked partition's commit point %d, want 1", cp)
	}
}

// TestSchedulerWakeSpreadsWork: messages of as many keys as there are
// sleeping workers reach all of them at once: a worker that wakes passes
// the signal on while lanes are ready (one signal at a time), and each
// unit here waits until every worker holds one.
func TestSchedulerWakeSpreadsWork(t *testing.T) {
	s := newScheduler()
	s.pace.unitTime = time.Millisecond // slow units: every ready lane gets a worker
	p := testPartition("t", 0)
	const workers = 8
	var holding sync.WaitGroup
	holding.Add(workers)
	all := make(chan struct{})
	go func() { holding.Wait(); close(all) }()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for unit := s.take(); unit != nil; unit = s.next(unit, unmeasured) {
				holding.Done()
				<-all
				unit[0].finished = true
			}
		}()
	}
	for sleeping(s) != workers {
		time.Sleep(time.Millisecond) // until every worker sleeps
	}
	for i := range workers {
		s.add(testInflight(p, int64(i), strconv.Itoa(i), &Handler{}), OrderKey)
	}
	select {
	case <-all:
	case <-time.After(time.Minute):
		t.Fatal("the workers did not all get a unit in a minute")
	}
	if !s.wait(time.Now().Add(time.Minute), func() bool { return s.count.Load() == 0 }) {
		t.Fatal("not every message was done")
	}
	s.stop()
	wg.Wait()
}

// TestSchedulerStop: take returns nil once stopped, even with work queued.
func TestSchedulerStop(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	s.add(testInflight(p, 0, "k", &Handler{}), OrderKey)
	s.stop()
	if u := s.take(); u != nil {
		t.Fatalf("took %v after stop", offsetsOf(u))
	}
}

// TestSchedulerWaitLoad: waitLoad returns once the units done bring the
// load down to its mark (not before), at its deadline when they do not,
// and when the scheduler stops.
func TestSchedulerWaitLoad(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	h := &Handler{}
	for i := range 4 {
		s.add(testInflight(p, int64(i), "", h), OrderNone)
	}
	returned := make(chan struct{})
	go func() {
		s.waitLoad(time.Now().Add(time.Hour), 2, 1<<20)
		close(returned)
	}()
	waitForLoadWaiter(t, s) // else waitLoad could start after the dones and return at once
	u := s.take()
	s.done(u) // 3 in flight: above the mark
	select {
	case <-returned:
		t.Fatal("waitLoad returned with 3 in flight and a mark of 2")
	default:
	}
	u = s.take()
	s.done(u)
	select {
	case <-returned:
	case <-time.After(time.Minute):
		t.Fatal("waitLoad did not return in a minute with the load at its mark")
	}

	s.waitLoad(time.Now().Add(time.Millisecond), 0, 0) // returns at the deadline

	stopped := make(chan struct{})
	go func() {
		s.waitLoad(time.Now().Add(time.Hour), 0, 0)
		close(stopped)
	}()
	waitForLoadWaiter(t, s)
	s.stop()
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("waitLoad did not return in a minute after stop")
	}
}

func offsetsOf(u []*inflight) []int64 {
	var out []int64
	for _, m := range u {
		out = append(out, m.offset())
	}
	return out
}

// TestSchedulerBatchLeavesUndrainedLanesReady: a batch that fills up
// before it reaches every ready lane of its handler leaves those lanes
// ready for the next unit (a lane taken but not drained would stay busy,
// its messages never handed out).
func TestSchedulerBatchLeavesUndrainedLanesReady(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	b := &Handler{batch: &BatchConfig{Size: 8, Linger: 20 * time.Millisecond}}
	const n = 50
	for i := 0; i < n; i++ {
		k := strconv.Itoa((i + 1) % 5)
		s.add(testInflight(p, int64(i), k, b), OrderKey)
	}
	handled := 0
	for handled < n {
		got := make(chan []*inflight, 1)
		go func() { got <- s.take() }()
		select {
		case u := <-got:
			if len(u) > 8 {
				t.Fatalf("a batch of %d", len(u))
			}
			for _, m := range u {
				m.finished = true
			}
			handled += len(u)
			s.done(u)
		case <-time.After(10 * time.Second):
			t.Fatalf("no unit after %d of %d messages: %d ready lanes, %d lanes", handled, n, s.ready.len(), len(s.lanes))
		}
	}
	if cp := p.offs.commitPoint(); cp != n || len(s.lanes) != 0 {
		t.Fatalf("commit point %d (want %d), %d lanes left", cp, n, len(s.lanes))
	}
}

// TestSchedulerDropEmptiesReadyLanes: revoking a partition whose messages
// are the only ones of several ready lanes leaves the ready queue sound
// (it once held lanes without a head, which broke its ordering).
func TestSchedulerDropEmptiesReadyLanes(t *testing.T) {
	s := newScheduler()
	p0, p1 := testPartition("t", 0), testPartition("t", 1)
	h := &Handler{}
	for i := 0; i < 6; i++ {
		k := strconv.Itoa(i)
		s.add(testInflight(p0, int64(i), "a"+k, h), OrderKey)
		s.add(testInflight(p1, int64(i), "b"+k, h), OrderKey)
	}
	p0.revoked = true
	if n := s.drop(func(p *partition) bool { return p.revoked }); n != 6 {
		t.Fatalf("dropped %d, want 6", n)
	}
	for i := 0; i < 6; i++ {
		u := s.take()
		if u[0].part != p1 {
			t.Fatalf("took a revoked partition's message")
		}
		u[0].finished = true
		s.done(u)
	}
	if s.ready.len() != 0 || len(s.lanes) != 0 {
		t.Fatalf("%d ready lanes, %d lanes left", s.ready.len(), len(s.lanes))
	}
}

// waitForLoadWaiter waits until a waitLoad is waiting on s.
func waitForLoadWaiter(t *testing.T, s *scheduler) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		waiting := s.lowLoad != nil
		s.mu.Unlock()
		if waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no waitLoad waiting after a minute")
		}
	}
}

// sleeping returns the number of workers waiting for work.
func sleeping(s *scheduler) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sleeping
}
