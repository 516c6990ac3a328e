package consumer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/producer"
)

// TestGroupChurnMembersJoinLeaveAndCrash runs a group of consumer
// processes (16 workers each, per-key order, handlers of a few
// milliseconds, and one event in 499 whose handler takes 1.5s, ignoring its
// context, longer than the 500ms ShutdownGrace) while a producer publishes
// 10,000 events of 500 keys to 6 partitions at a steady pace: one member at
// first, two more added, one of them stopped with SIGTERM, the other
// killed with SIGKILL, and one more added. All members are processes, so
// that graceful stops and the crash go through the same exits as a
// service's. At the end:
//   - every acknowledged event was handled;
//   - each member handled each key's events one at a time, in offset order
//     within each of its tenures of the partition;
//   - no call returned after its partition's revocation unless it took
//     longer than ShutdownGrace: revocations wait for the calls in flight,
//     up to ShutdownGrace;
//   - every event handled more than once is explained: a call outlasted
//     ShutdownGrace at a revocation (the new owner handled the message
//     again), or the killed member handled it after its last commit (its
//     unfinished window). Graceful stops and cooperative rebalances wait
//     for the revoked partitions' calls and commit them, so they add none.
func TestGroupChurnMembersJoinLeaveAndCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts consumer processes")
	}
	const partitions, keys, total = 6, 500, 10_000
	e := newEnv(t)
	topic := e.useTopic("churn", partitions)
	const group = "g-churn"
	dir := t.TempDir()
	member := func(name string) *child {
		spec := e.childSpec(group, name, filepath.Join(dir, name))
		// A few calls outlast the revocations' wait.
		spec.ShutdownGrace, spec.SlowSleep = 500*time.Millisecond, 1500*time.Millisecond
		return startChild(t, spec)
	}
	pub := startPublisher(t, e.producer(), total, keys, time.Millisecond)
	step := func(what string) { t.Logf("%s (%d events acknowledged)", what, pub.count()) }
	holds := func(c *child) bool { return len(assigned(c.records(t))) > 0 }

	a := member("a")
	waitFor(t, "2,000 events acknowledged", func() bool { return pub.count() >= 2000 }, a)
	step("starting b and c")
	b, c := member("b"), member("c")
	waitFor(t, "partitions for b and c", func() bool { return holds(b) && holds(c) }, a, b, c)
	waitFor(t, "4,000 events acknowledged", func() bool { return pub.count() >= 4000 }, a, b, c)
	step("stopping b with SIGTERM")
	b.stop(t)
	waitFor(t, "6,000 events acknowledged and partitions for c", func() bool { return pub.count() >= 6000 && holds(c) }, a, c)
	step("killing c with SIGKILL")
	c.kill(t)
	waitFor(t, "7,000 events acknowledged", func() bool { return pub.count() >= 7000 }, a)
	step("starting d")
	d := member("d")
	acked := pub.wait(t)
	step("published everything")

	members := []*child{a, b, c, d}
	journals := map[string][]record{}
	handledAll := func() bool {
		seen := map[pos]bool{}
		for _, m := range members {
			journals[m.name] = m.records(t)
			for p := range ended(journals[m.name]) {
				seen[p] = true
			}
		}
		for p := range acked {
			if !seen[p] {
				return false
			}
		}
		return true
	}
	waitFor(t, "every acknowledged event handled", handledAll, a, d)
	e.waitCommitted(group, topic)
	step("stopping a and d with SIGTERM")
	a.stop(t)
	d.stop(t)

	calls := map[pos][]handling{}
	for _, m := range members {
		journals[m.name] = m.records(t)
		checkKeyOrder(t, m.name, journals[m.name])
		handlingsOf(m.name, journals[m.name], calls)
	}
	var missing []pos
	for p := range acked {
		if len(calls[p]) == 0 {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d acknowledged events never handled, e.g. %v", len(missing), missing[:min(len(missing), 10)])
	}
	grace := a.spec.ShutdownGrace
	dup := explainDuplicates(calls, c.name, grace)
	inFlight, endedC := 0, ended(journals[c.name])
	for _, r := range journals[c.name] {
		if r.kind == recBegin && endedC[r.pos()] == 0 {
			inFlight++
		}
	}
	for _, m := range members {
		t.Logf("%s handled %d events; its partitions: %s", m.name, len(ended(journals[m.name])), partitionMoves(journals[m.name]))
	}
	t.Logf("%d events acknowledged (%d publishes failed), %d handled; %d duplicates: %d handled by the killed member c after its last commit, %d by calls that outlasted ShutdownGrace at a revocation, %d unexplained; c had %d calls in flight when killed (delivered again, not duplicates)",
		len(acked), pub.failures(), len(calls), dup.total, dup.ofKilled, dup.ofLate, len(dup.unexplained), inFlight)
	if len(dup.unwaited) > 0 {
		t.Errorf("%d handler calls returned after their partition's revocation though they took less than ShutdownGrace (%v): the revocation did not wait for them, e.g. %v",
			len(dup.unwaited), grace, dup.unwaited[:min(len(dup.unwaited), 10)])
	}
	if len(dup.unexplained) > 0 {
		t.Errorf("%d events handled more than once with no crash or late call to explain it, e.g. %v", len(dup.unexplained), dup.unexplained[:min(len(dup.unexplained), 10)])
	}
}

// duplicates counts the messages handled more than once and says why.
type duplicates struct {
	total    int // calls beyond the first of each message
	ofLate   int // after a call that outlasted ShutdownGrace at a revocation
	ofKilled int // after a call of the killed member in its last tenure
	// unexplained lists those with neither cause; unwaited the calls that
	// returned after their partition's revocation though they took less
	// than ShutdownGrace.
	unexplained, unwaited []string
}

// explainDuplicates sorts out the calls of the messages handled more than
// once, killed naming the member that was killed.
func explainDuplicates(calls map[pos][]handling, killed string, grace time.Duration) duplicates {
	var d duplicates
	for p, hs := range calls {
		for _, h := range hs {
			if h.late && h.took < grace {
				d.unwaited = append(d.unwaited, fmt.Sprintf("%v: %+v", p, h))
			}
		}
		if len(hs) < 2 {
			continue
		}
		d.total += len(hs) - 1
		switch {
		case anyHandling(hs, func(h handling) bool { return h.late && h.took >= grace }):
			d.ofLate += len(hs) - 1
		case anyHandling(hs, func(h handling) bool { return h.member == killed && h.unclosed }):
			d.ofKilled += len(hs) - 1
		default:
			d.unexplained = append(d.unexplained, fmt.Sprintf("%v: %+v", p, hs))
		}
	}
	return d
}

// partitionMoves lists the assignments (+p) and revocations (-p) of a
// member's journal.
func partitionMoves(recs []record) string {
	var moves []string
	for _, r := range recs {
		switch r.kind {
		case recAssign:
			moves = append(moves, fmt.Sprintf("+%d", r.part))
		case recRevoke:
			moves = append(moves, fmt.Sprintf("-%d", r.part))
		}
	}
	return strings.Join(moves, " ")
}

// handling is one call of a member's handler that returned.
type handling struct {
	member string
	// late says it returned after its partition was revoked: it outlasted
	// the revocation's wait, and the message's next owner handles it
	// again.
	late bool
	// took is how long the call took.
	took time.Duration
	// unclosed says the tenure it began in never ended with a revocation:
	// the member was killed owning the partition.
	unclosed bool
}

// handlingsOf adds the calls a member's journal shows returned to calls.
func handlingsOf(member string, recs []record, calls map[pos][]handling) {
	type tenure struct {
		part int32
		n    int
	}
	current := map[int32]int{}
	revoked := map[tenure]bool{}
	type call struct {
		in    tenure
		began time.Duration
	}
	running := map[pos]call{}
	type ret struct {
		p pos
		call
		h handling
	}
	var returned []ret
	for _, r := range recs {
		switch r.kind {
		case recAssign:
			current[r.part]++
		case recRevoke:
			revoked[tenure{r.part, current[r.part]}] = true
		case recBegin:
			running[r.pos()] = call{tenure{r.part, current[r.part]}, r.at}
		case recEnd:
			c := running[r.pos()]
			returned = append(returned, ret{r.pos(), c, handling{member: member, late: revoked[c.in], took: r.at - c.began}})
		}
	}
	for _, r := range returned {
		r.h.unclosed = !revoked[r.in]
		calls[r.p] = append(calls[r.p], r.h)
	}
}

func anyHandling(hs []handling, f func(handling) bool) bool {
	for _, h := range hs {
		if f(h) {
			return true
		}
	}
	return false
}

// assigned returns the partitions a member's journal shows it holds.
func assigned(recs []record) map[int32]bool {
	out := map[int32]bool{}
	for _, r := range recs {
		switch r.kind {
		case recAssign:
			out[r.part] = true
		case recRevoke:
			delete(out, r.part)
		}
	}
	return out
}

// slowEvery is how often the publisher publishes an event whose handler
// call is slow (prime, so that slow events fall on many keys).
const slowEvery = 499

// publisher publishes test events at a steady pace in the background and
// records where each acknowledged one went.
type publisher struct {
	mu     sync.Mutex
	acked  map[pos]bool
	failed int
	n      atomic.Int64 // acknowledged so far
	done   chan struct{}
}

// startPublisher publishes total events of keys keys, one every interval
// (on average).
func startPublisher(t *testing.T, p *producer.Producer, total, keys int, interval time.Duration) *publisher {
	pub := &publisher{acked: map[pos]bool{}, done: make(chan struct{})}
	go func() {
		defer close(pub.done)
		var reports sync.WaitGroup
		start := time.Now()
		for i := 0; i < total; i++ {
			if ahead := time.Until(start.Add(time.Duration(i) * interval)); ahead > 0 {
				time.Sleep(ahead)
			}
			reports.Add(1)
			// Each key's events in pairs, one after the other, so that
			// handling them out of order or at once would show.
			ev := &testEvent{ID: int64(i/2%keys) + 1, Name: fmt.Sprintf("e%d", i)}
			if i%slowEvery == slowEvery-1 {
				ev.Name = slowName
			}
			err := p.PublishAsync(context.Background(), ev, func(d producer.Delivery, err error) {
				defer reports.Done()
				pub.record(d, err)
			})
			if err != nil {
				reports.Done()
				pub.record(producer.Delivery{}, err)
			}
		}
		reports.Wait()
	}()
	t.Cleanup(func() { <-pub.done })
	return pub
}

func (pub *publisher) record(d producer.Delivery, err error) {
	pub.mu.Lock()
	defer pub.mu.Unlock()
	if err != nil {
		pub.failed++
		return
	}
	pub.acked[pos{d.Partition, d.Offset}] = true
	pub.n.Add(1)
}

func (pub *publisher) count() int64 { return pub.n.Load() }

func (pub *publisher) failures() int {
	pub.mu.Lock()
	defer pub.mu.Unlock()
	return pub.failed
}

// wait waits until every event is published and returns the acknowledged
// ones.
func (pub *publisher) wait(t *testing.T) map[pos]bool {
	t.Helper()
	select {
	case <-pub.done:
	case <-time.After(2 * waitLimit):
		t.Fatal("the publisher did not finish")
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	return pub.acked
}
