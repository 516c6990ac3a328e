// Package backoff is the SDK's one retry pause: exponential with jitter,
// used by the registry client between rounds of attempts and by the
// consumer between a handler's attempts and while the registry or the
// dead-letter topic is unavailable.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy bounds the pauses.
type Policy struct {
	// Min is the pause after the first failure (before jitter), Max the
	// largest pause. A Max below Min counts as Min.
	Min, Max time.Duration
}

// Delay returns the pause after the n-th consecutive failure (n ≥ 1):
// drawn uniformly from [d/2, d] where d = Min·2^(n-1), capped at Max. The
// jitter keeps many clients that failed together from retrying together.
func (p Policy) Delay(n int) time.Duration {
	hi := max(p.Max, p.Min)
	d := p.Min
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// Sleep pauses for d, or less if ctx ends first; it reports whether ctx is
// still alive.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
