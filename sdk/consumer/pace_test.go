package consumer

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestEnoughRunning: quick units are left to the running workers up to
// quickWorkers of them, or while they clear the ready lanes within
// quickUnit; slow or unmeasured units, or no running worker but stuck
// ones, wake one.
func TestEnoughRunning(t *testing.T) {
	for _, tc := range []struct {
		name                        string
		ready, active, stuck, quick int
		unitTime                    time.Duration
		want                        bool
	}{
		{"no running worker", 1, 0, 0, 4, time.Microsecond, false},
		{"slow units", 1, 3, 0, 4, quickUnit, false},
		{"units of a millisecond", 1, 1, 0, 4, time.Millisecond, false},
		{"quick units, as many workers as can run", 100, 4, 0, 4, time.Microsecond, true},
		{"quick units, a short backlog", 5, 1, 0, 4, time.Microsecond, true},
		{"quick units, a long backlog", 50, 1, 0, 4, time.Microsecond, false},
		{"quick units, a long backlog for two", 50, 2, 0, 4, time.Microsecond, false},
		{"quick units, a backlog two clear", 20, 2, 0, 4, time.Microsecond, true},
		{"quick units, the running worker stuck", 1, 1, 1, 1, time.Microsecond, false},
		{"quick units, one of two stuck", 100, 2, 1, 1, time.Microsecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScheduler()
			p := testPartition("t", 0)
			for i := range tc.ready {
				s.add(testInflight(p, int64(i), strconv.Itoa(i), &Handler{}), OrderKey)
			}
			s.pace.active, s.pace.stuck, s.pace.quickWorkers, s.pace.unitTime = tc.active, tc.stuck, tc.quick, tc.unitTime
			if got := s.enoughRunning(); got != tc.want {
				t.Errorf("enoughRunning() = %v with %d ready lanes, %d workers running units of %v (%d stuck, %d quick workers); want %v",
					got, tc.ready, tc.active, tc.unitTime, tc.stuck, tc.quick, tc.want)
			}
		})
	}
}

// TestWakeHeldBackForQuickUnits: a message added while a worker runs quick
// units wakes no sleeping worker, and arms the stall check instead; once
// that check finds no unit finished, the running worker counts as stuck and
// the message wakes a worker.
func TestWakeHeldBackForQuickUnits(t *testing.T) {
	s := newScheduler()
	s.pace.stallWait = time.Hour // checkStall is called by the test
	p := testPartition("t", 0)
	s.mu.Lock()
	s.sleeping = 1 // as if a worker slept
	s.pace.active, s.pace.quickWorkers, s.pace.unitTime = 1, 1, time.Microsecond
	s.mu.Unlock()
	s.add(testInflight(p, 0, "k", &Handler{}), OrderKey)
	s.mu.Lock()
	waking, stalled := s.waking, s.pace.stalled
	s.mu.Unlock()
	if waking || !stalled {
		t.Fatalf("after an add beside a quick running worker: waking %v, stall check armed %v; want false, true", waking, stalled)
	}
	s.checkStall()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.waking || s.pace.stuck != 1 {
		t.Fatalf("after a stall: waking %v, %d workers counted stuck; want a worker woken, 1 stuck", s.waking, s.pace.stuck)
	}
	s.pace.stop()
}

// TestStuckHandlerDoesNotHoldOthersBack: workers have handled quick units
// one at a time, so that the scheduler leaves ready lanes to the running
// worker; then one handler gets stuck. A message of another key is still
// handled while it is stuck: the stall check wakes a sleeping worker for
// it, and the stuck worker is not counted as running until it is done.
func TestStuckHandlerDoesNotHoldOthersBack(t *testing.T) {
	s := newScheduler()
	s.pace.quickWorkers = 1 // as on two cores: the running worker is enough
	p := testPartition("t", 0)
	stuck, release := make(chan struct{}), make(chan struct{})
	handled := make(chan string, 100)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for unit := s.take(); unit != nil; {
				start := time.Now()
				key := string(unit[0].km.Key)
				if key == "stuck" {
					close(stuck)
					<-release
				}
				unit[0].finished = true
				handled <- key
				took := time.Since(start)
				if key != "stuck" {
					took = time.Microsecond // the quick units' time, whatever the machine's load
				}
				unit = s.next(unit, took)
			}
		}()
	}
	var unstick sync.Once
	defer func() {
		unstick.Do(func() { close(release) })
		s.stop()
		wg.Wait()
	}()
	off := int64(0)
	add := func(key string) {
		s.add(testInflight(p, off, key, &Handler{}), OrderKey)
		off++
	}
	for i := range 100 { // one at a time: quick units, measured
		add("q" + strconv.Itoa(i))
		<-handled
	}
	s.mu.Lock()
	unitTime := s.pace.unitTime
	s.mu.Unlock()
	if unitTime >= quickUnit {
		t.Fatalf("unit time %v after 100 quick units; want under %v", unitTime, quickUnit)
	}
	add("stuck")
	<-stuck
	add("other")
	select {
	case key := <-handled:
		if key != "other" {
			t.Fatalf("handled %q; want other", key)
		}
	case <-time.After(30 * time.Second):
		s.mu.Lock()
		t.Logf("%d ready lanes, %d workers sleeping (waking %v), %d running units of %v; stall check armed %v",
			s.ready.len(), s.sleeping, s.waking, s.pace.active, s.pace.unitTime, s.pace.stalled)
		s.mu.Unlock()
		t.Fatal("a message of another key waited for a stuck handler")
	}
	s.mu.Lock()
	stuckWorkers := s.pace.stuck
	s.mu.Unlock()
	if stuckWorkers != 1 {
		t.Errorf("%d workers counted stuck while one handler is; want 1", stuckWorkers)
	}
	unstick.Do(func() { close(release) })
	if key := <-handled; key != "stuck" {
		t.Fatalf("handled %q; want stuck", key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pace.stuck != 0 {
		t.Errorf("%d workers counted stuck after the stuck handler returned; want 0", s.pace.stuck)
	}
}

// TestWorkersStartAsNeeded: startWorkers starts one worker; more start
// only when ready lanes need them, here units that wait for each other, up
// to the maximum and no further.
func TestWorkersStartAsNeeded(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	const most = 8
	var holding sync.WaitGroup
	holding.Add(most)
	all := make(chan struct{})
	go func() { holding.Wait(); close(all) }()
	var wg sync.WaitGroup
	s.startWorkers(most, func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for unit := s.arrive(); unit != nil; unit = s.next(unit, unmeasured) {
				if unit[0].offset() < most {
					holding.Done()
					<-all
				}
				unit[0].finished = true
			}
		}()
	})
	defer func() {
		s.stop()
		wg.Wait()
	}()
	for sleeping(s) != 1 {
		time.Sleep(time.Millisecond) // until the first worker sleeps
	}
	if n := started(s); n != 1 {
		t.Fatalf("%d workers started before any message; want 1", n)
	}
	for i := range 3 * most {
		s.add(testInflight(p, int64(i), strconv.Itoa(i), &Handler{}), OrderKey)
	}
	select {
	case <-all:
	case <-time.After(time.Minute):
		t.Fatalf("%d workers started, not all of the first %d messages handled at once in a minute", started(s), most)
	}
	if !s.wait(time.Now().Add(time.Minute), func() bool { return s.count.Load() == 0 }) {
		t.Fatal("not every message was done")
	}
	if n := started(s); n != most {
		t.Fatalf("%d workers started; want %d", n, most)
	}
}

// started returns the number of workers s started.
func started(s *scheduler) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.workers
}
