package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelayDoublesWithinJitterAndCaps(t *testing.T) {
	p := Policy{Min: 100 * time.Millisecond, Max: time.Second}
	for n, d := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 40: time.Second} {
		lo, hi := d, time.Duration(0)
		for i := 0; i < 2000; i++ {
			got := p.Delay(n)
			if got < d/2 || got > d {
				t.Fatalf("Delay(%d) = %v, outside [%v, %v]", n, got, d/2, d)
			}
			lo, hi = min(lo, got), max(hi, got)
		}
		// Jittered: 2000 draws spread over most of the range.
		if hi-lo < d/4 {
			t.Errorf("Delay(%d) ranged only %v..%v", n, lo, hi)
		}
	}
}

func TestDelayEdgeCases(t *testing.T) {
	if d := (Policy{}).Delay(3); d != 0 {
		t.Errorf("zero policy: %v", d)
	}
	// Max below Min counts as Min.
	if d := (Policy{Min: time.Second, Max: time.Millisecond}).Delay(5); d < 500*time.Millisecond || d > time.Second {
		t.Errorf("Max < Min: %v", d)
	}
}

func TestSleep(t *testing.T) {
	if !Sleep(context.Background(), time.Millisecond) {
		t.Error("Sleep with a live context reported it dead")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, time.Hour) {
		t.Error("Sleep with an ended context reported it alive")
	}
}
