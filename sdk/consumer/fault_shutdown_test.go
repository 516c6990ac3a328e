package consumer_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// TestFaultShutdownFlushesAndCommits: Close right after 2,000 asynchronous
// publishes flushes them all (every callback reports success before Close
// returns, and the topic holds 2,000 messages); a consumer whose context is
// cancelled mid-stream commits exactly the offsets it finished (the
// periodic commit is off: only the shutdown commit counts), and a consumer
// of the same group started afterwards continues from there, with no gap
// and no message handled twice.
func TestFaultShutdownFlushesAndCommits(t *testing.T) {
	const n = 2000
	e := newEnv(t) // one partition: offsets are the order of handling
	p := e.producer()
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	defer cancel()
	var ok, failed atomic.Int64
	for i := range n {
		if err := p.PublishAsync(ctx, &testEvent{ID: int64(i), Name: fmt.Sprint(i)}, func(_ producer.Delivery, err error) {
			if err != nil {
				failed.Add(1)
			} else {
				ok.Add(1)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	undelivered, err := p.Close(ctx)
	if err != nil || undelivered != 0 {
		t.Fatalf("Close = %d undelivered, %v", undelivered, err)
	}
	if ok.Load() != n || failed.Load() != 0 {
		t.Fatalf("when Close returned: %d delivered, %d failed, want %d and 0", ok.Load(), failed.Load(), n)
	}
	if _, high := e.committed("g-none", e.topic); high[0] != n {
		t.Fatalf("the topic holds %d messages, want %d", high[0], n)
	}

	var mu sync.Mutex
	handled := map[int64]int{} // offset → times handled
	stopAt := make(chan struct{})
	var count atomic.Int64
	h := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		mu.Lock()
		handled[m.Offset]++
		mu.Unlock()
		if count.Add(1) == n/3 {
			close(stopAt)
		}
		return nil
	})
	cfg := e.config("g-shutdown-commit")
	cfg.CommitInterval = time.Hour
	c1, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r1 := start(t, c1)
	recv(t, stopAt, "a third of the messages")
	if err := r1.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	mu.Lock()
	first := len(handled)
	mu.Unlock()
	committed, _ := e.committed("g-shutdown-commit", e.topic)
	t.Logf("first consumer handled %d messages before its context ended; committed offset %d", first, committed[0])
	if committed[0] != int64(first) {
		t.Errorf("committed offset %d after handling offsets 0..%d", committed[0], first-1)
	}

	c2, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r2 := start(t, c2)
	deadline := time.Now().Add(waitLimit)
	for count.Load() < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := r2.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for off := int64(0); off < n; off++ {
		if k := handled[off]; k != 1 {
			t.Errorf("offset %d handled %d times, want once", off, k)
		}
	}
	if committed, _ := e.committed("g-shutdown-commit", e.topic); committed[0] != n {
		t.Errorf("committed offset %d at the end, want %d", committed[0], n)
	}
}
