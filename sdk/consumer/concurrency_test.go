package consumer_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// publishAsync publishes evs without waiting for each, then waits for all.
func (e *env) publishAsync(p *producer.Producer, evs []*testEvent) {
	e.t.Helper()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for _, ev := range evs {
		wg.Add(1)
		if err := p.PublishAsync(context.Background(), ev, func(_ producer.Delivery, err error) {
			if err != nil {
				failed.Add(1)
			}
			wg.Done()
		}); err != nil {
			e.t.Fatal(err)
		}
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		e.t.Fatalf("%d publishes failed", n)
	}
}

// handled records what a test's handlers saw.
type handled struct {
	mu sync.Mutex
	// byKey lists the partition offsets handled per key, in the order of
	// the calls.
	byKey map[int64][]int64
	// done holds the (partition, offset) pairs handled.
	done map[[2]int64]int
	n    int
}

func newHandled() *handled {
	return &handled{byKey: map[int64][]int64{}, done: map[[2]int64]int{}}
}

func (h *handled) add(e *testEvent, m consumer.Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.byKey[e.ID] = append(h.byKey[e.ID], m.Offset)
	h.done[[2]int64{int64(m.Partition), m.Offset}]++
	h.n++
}

func (h *handled) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// TestConcurrencyKeyOrder handles 3,000 events of 300 keys over 6
// partitions with 32 workers: every event is handled once, each key's
// events one at a time and in offset order, several keys at once, and no
// committed offset ever passes a message that was not handled yet.
func TestConcurrencyKeyOrder(t *testing.T) {
	e := newEnv(t)
	topic := e.useTopic("wide", 6)
	p := e.producer()
	const keys, perKey = 300, 10
	var evs []*testEvent
	for i := 0; i < perKey; i++ {
		for k := 1; k <= keys; k++ {
			evs = append(evs, &testEvent{ID: int64(k), Name: "e"})
		}
	}
	e.publishAsync(p, evs)

	h := newHandled()
	var inKey sync.Map
	var inFlight, maxInFlight atomic.Int64
	handler := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		c, _ := inKey.LoadOrStore(ev.ID, new(atomic.Int32))
		if n := c.(*atomic.Int32).Add(1); n != 1 {
			t.Errorf("key %d: %d calls at once", ev.ID, n)
		}
		n := inFlight.Add(1)
		for old := maxInFlight.Load(); n > old && !maxInFlight.CompareAndSwap(old, n); old = maxInFlight.Load() {
		}
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		h.add(ev, m)
		inFlight.Add(-1)
		c.(*atomic.Int32).Add(-1)
		return nil
	})
	cfg := e.config("g-keyorder")
	cfg.Concurrency = 32
	cfg.CommitInterval = 50 * time.Millisecond
	_, r := e.run(cfg, handler)

	// Check the committed offsets as they move: every offset below a
	// committed one must have been handled when the commit is read.
	violations := 0
	deadline := time.Now().Add(waitLimit)
	for h.count() < len(evs) && time.Now().Before(deadline) {
		committed, _ := e.committed("g-keyorder", topic)
		h.mu.Lock()
		for part, upTo := range committed {
			for off := int64(0); off < upTo; off++ {
				if h.done[[2]int64{int64(part), off}] == 0 {
					violations++
				}
			}
		}
		h.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	e.waitCommitted("g-keyorder", topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if violations > 0 {
		t.Errorf("%d committed offsets passed a message not yet handled", violations)
	}
	if n := h.count(); n != len(evs) {
		t.Fatalf("%d events handled, want %d", n, len(evs))
	}
	for pos, n := range h.done {
		if n != 1 {
			t.Errorf("message %v handled %d times", pos, n)
		}
	}
	for k, offs := range h.byKey {
		if len(offs) != perKey {
			t.Errorf("key %d: %d events, want %d", k, len(offs), perKey)
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] <= offs[i-1] {
				t.Fatalf("key %d handled out of offset order: %v", k, offs)
			}
		}
	}
	if m := maxInFlight.Load(); m < 2 {
		t.Errorf("at most %d handler calls at once with Concurrency 32", m)
	}
	t.Logf("%d events, up to %d handler calls at once", len(evs), maxInFlight.Load())
}

// TestConcurrencyPartitionOrder: with OrderPartition, one call per
// partition at a time, in offset order.
func TestConcurrencyPartitionOrder(t *testing.T) {
	e := newEnv(t)
	e.useTopic("parts", 3)
	p := e.producer()
	var evs []*testEvent
	for i := 0; i < 300; i++ {
		evs = append(evs, &testEvent{ID: int64(i), Name: "e"})
	}
	e.publishAsync(p, evs)
	var mu sync.Mutex
	last := map[int32]int64{}
	busy := map[int32]bool{}
	count := 0
	done := make(chan struct{})
	handler := consumer.Handle(func(_ context.Context, _ *testEvent, m consumer.Message) error {
		mu.Lock()
		if busy[m.Partition] {
			t.Errorf("partition %d: two calls at once", m.Partition)
		}
		if prev, ok := last[m.Partition]; ok && m.Offset <= prev {
			t.Errorf("partition %d: offset %d after %d", m.Partition, m.Offset, prev)
		}
		busy[m.Partition], last[m.Partition] = true, m.Offset
		mu.Unlock()
		time.Sleep(200 * time.Microsecond)
		mu.Lock()
		busy[m.Partition] = false
		count++
		if count == len(evs) {
			close(done)
		}
		mu.Unlock()
		return nil
	})
	cfg := e.config("g-partorder")
	cfg.Concurrency, cfg.Ordering = 8, consumer.OrderPartition
	_, r := e.run(cfg, handler)
	recv(t, done, "every event")
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestBackpressurePausesFetching: with every handler blocked, the consumer
// holds at most MaxInFlight messages and pauses its partitions; when the
// handlers go on, it resumes and handles everything.
func TestBackpressurePausesFetching(t *testing.T) {
	e := newEnv(t)
	e.useTopic("bp", 2)
	p := e.producer()
	var evs []*testEvent
	for i := 0; i < 2000; i++ {
		evs = append(evs, &testEvent{ID: int64(i), Name: "a name of some length to make bytes count"})
	}
	e.publishAsync(p, evs)
	release := make(chan struct{})
	var calls atomic.Int64
	handler := consumer.Handle(func(context.Context, *testEvent, consumer.Message) error {
		<-release
		calls.Add(1)
		return nil
	})
	cfg := e.config("g-backpressure")
	cfg.Concurrency, cfg.MaxInFlight = 4, 40
	c, r := e.run(cfg, handler)
	deadline := time.Now().Add(waitLimit)
	var st consumer.Stats
	for ; time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st = c.Stats(); st.PausedForLoad == st.Assigned && st.Assigned > 0 {
			break
		}
	}
	if st.PausedForLoad == 0 || st.PausedForLoad != st.Assigned {
		t.Fatalf("the partitions were not all paused with the handlers blocked: %+v", st)
	}
	// Held, not fetched on: in flight stays at the limit (a Poll already
	// under way may bring one more batch of a partition).
	time.Sleep(500 * time.Millisecond)
	peak := c.Stats().InFlight
	if peak > cfg.MaxInFlight+cfg.MaxInFlight/2 {
		t.Errorf("%d messages in flight with MaxInFlight %d and the handlers blocked", peak, cfg.MaxInFlight)
	}
	close(release)
	for time.Now().Before(deadline) && calls.Load() < int64(len(evs)) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := calls.Load(); n != int64(len(evs)) {
		t.Fatalf("%d of %d events handled after the handlers went on", n, len(evs))
	}
	if st := c.Stats(); st.PausedForLoad != 0 {
		t.Errorf("partitions still paused after the backlog: %+v", st)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	t.Logf("in flight with the handlers blocked: %d (MaxInFlight %d)", peak, cfg.MaxInFlight)
}

// TestBatchHandler: batches of up to Size events; a BatchError commits the
// events before the failed one, dead-letters that one, and hands the rest
// over again.
func TestBatchHandler(t *testing.T) {
	e := newEnv(t)
	p := e.producer()
	var evs []*testEvent
	for i := 1; i <= 50; i++ {
		name := "ok"
		if i == 17 {
			name = "poison"
		}
		evs = append(evs, &testEvent{ID: int64(i % 5), Name: name})
	}
	e.publish(p, evs...)
	var mu sync.Mutex
	var sizes []int
	seen := map[int64]int{}
	total := 0
	done := make(chan struct{})
	handler := consumer.HandleBatch(consumer.BatchConfig{Size: 8, Linger: 20 * time.Millisecond},
		func(_ context.Context, es []*testEvent, ms []consumer.Message) error {
			mu.Lock()
			defer mu.Unlock()
			sizes = append(sizes, len(es))
			for i, ev := range es {
				if ev.Name == "poison" {
					return consumer.FailedAt(i, consumer.Permanent(errors.New("poison")))
				}
				seen[ms[i].Offset]++
				total++
			}
			if total == 49 {
				close(done)
			}
			return nil
		})
	_, r := e.run(e.config("g-batch"), handler)
	recv(t, done, "every good event")
	e.waitCommitted("g-batch", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	for off, n := range seen {
		if n != 1 {
			t.Errorf("offset %d handled %d times", off, n)
		}
	}
	if len(seen) != 49 {
		t.Errorf("%d good events handled, want 49", len(seen))
	}
	if dl := e.dlqSize(); dl != 1 {
		t.Errorf("%d dead letters, want the poison one", dl)
	}
	big := 0
	for _, n := range sizes {
		if n > 8 {
			t.Errorf("a batch of %d events, over Size 8", n)
		}
		big = max(big, n)
	}
	if big < 2 {
		t.Errorf("batches of at most %d events: %v", big, sizes)
	}
	t.Logf("batch sizes: %v", sizes)
}
