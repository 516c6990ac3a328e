package flight

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentCallersShareOneCall(t *testing.T) {
	var g Group[int]
	var calls atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	var once sync.Once
	fn := func(context.Context) (int, error) {
		calls.Add(1)
		once.Do(func() { close(started) })
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	var joining atomic.Int32
	results := make([]int, 10)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			joining.Add(1)
			v, err := g.Do(context.Background(), "k", fn)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		}(i)
	}
	<-started
	for joining.Load() < int32(len(results)) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // from Add to DoChan: a few instructions
	close(release)
	wg.Wait()
	for i, v := range results {
		if v != 42 {
			t.Errorf("caller %d got %d", i, v)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d calls for 10 concurrent callers, want 1", n)
	}
}

func TestCallerWhoseContextEndsStopsWaiting(t *testing.T) {
	var g Group[int]
	release := make(chan struct{})
	defer close(release)
	go func() {
		_, _ = g.Do(context.Background(), "k", func(context.Context) (int, error) { <-release; return 1, nil })
	}()
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := g.Do(ctx, "k", func(context.Context) (int, error) { return 2, nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

// TestLeaderGivingUpIsNotInherited: the call led by a caller whose context
// ended fails with that context's error; a follower with a live context
// runs the call again with its own.
func TestLeaderGivingUpIsNotInherited(t *testing.T) {
	var g Group[string]
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	inLeader := make(chan struct{})
	fn := func(ctx context.Context) (string, error) {
		if ctx == leaderCtx {
			close(inLeader)
			<-ctx.Done()
			return "", fmt.Errorf("fetching: %w", ctx.Err())
		}
		return "fresh", nil
	}
	leaderDone := make(chan error, 1)
	go func() { _, err := g.Do(leaderCtx, "k", fn); leaderDone <- err }()
	<-inLeader
	followerDone := make(chan string, 1)
	go func() {
		v, err := g.Do(context.Background(), "k", fn)
		if err != nil {
			t.Error(err)
		}
		followerDone <- v
	}()
	time.Sleep(10 * time.Millisecond)
	cancelLeader()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v", err)
	}
	if v := <-followerDone; v != "fresh" {
		t.Errorf("follower got %q, want a fresh call's result", v)
	}
}

func TestErrorsAreShared(t *testing.T) {
	var g Group[int]
	boom := errors.New("boom")
	if _, err := g.Do(context.Background(), "k", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}
