package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lunchbot/eventkit/internal/backoff"
)

// call runs one registry operation: fn is tried against the URLs, with
// failover and backoff, until it succeeds, fails for good, the attempts are
// spent or ctx is done.
func (c *HTTPClient) call(ctx context.Context, op string, fn func(a *attempt) error) error {
	var last error
	failed := 0
	for i := 0; i < c.maxAttempts; i++ {
		if err := ctx.Err(); err != nil {
			return c.ctxError(op, err, last)
		}
		idx := int(c.pref.Load()) % len(c.urls)
		actx, cancel := context.WithTimeout(ctx, c.requestTimeout)
		a := &attempt{c: c, ctx: actx, baseURL: c.urls[idx]}
		if i > 0 {
			c.retries.Add(1)
		}
		err := try(fn, a)
		timedOut := actx.Err() != nil
		cancel()
		if err == nil {
			return nil
		}
		switch {
		case ctx.Err() != nil:
			return c.ctxError(op, ctx.Err(), err)
		case a.apiErr != nil && !a.apiErr.retryable():
			return fmt.Errorf("registry: %s: %w", op, a.apiErr)
		case a.tooLarge:
			return fmt.Errorf("registry: %s at %s: %w", op, a.baseURL, ErrResponseTooLarge)
		case a.netErr != nil && permanentTLS(a.netErr):
			// A certificate the client does not trust stays untrusted.
			return fmt.Errorf("registry: %s at %s: %w", op, a.baseURL, a.netErr)
		case a.apiErr != nil:
			last = fmt.Errorf("%s: %w", a.baseURL, a.apiErr)
		case timedOut:
			// Not wrapped: the caller's context is live, and the error must
			// not match context.DeadlineExceeded.
			last = fmt.Errorf("%s: no answer within %v (Config.RequestTimeout)", a.baseURL, c.requestTimeout)
		case a.netErr != nil:
			last = fmt.Errorf("%s: %w", a.baseURL, a.netErr)
		default:
			// A 2xx answer that does not decode, or a request that cannot be
			// built: retrying will not help.
			if !errors.Is(err, ErrBadResponse) {
				err = fmt.Errorf("%w: %w", ErrBadResponse, err)
			}
			return fmt.Errorf("registry: %s at %s: %w", op, a.baseURL, err)
		}
		// Fail over: the next attempt goes to the next URL, and so do the
		// following calls.
		c.pref.CompareAndSwap(uint32(idx), uint32((idx+1)%len(c.urls)))
		failed++
		if i+1 == c.maxAttempts {
			break
		}
		if failed%len(c.urls) == 0 {
			// Every URL failed once more: back off before the next round.
			d := c.backoff(failed/len(c.urls), a.retryAfter)
			c.log.DebugContext(ctx, "registry: retrying", "op", op, "err", last, "backoff", d)
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return c.ctxError(op, ctx.Err(), last)
			case <-t.C:
			}
		} else {
			c.log.DebugContext(ctx, "registry: failing over", "op", op, "err", last, "next", c.urls[(idx+1)%len(c.urls)])
		}
	}
	return fmt.Errorf("registry: %s: %w after %d attempts: %w", op, ErrUnreachable, c.maxAttempts, last)
}

// try runs one attempt, turning a panic into ErrBadResponse: srclient
// dereferences what it decoded without checking it (a "null" answer to GET
// /schemas/ids/{id} panics in GetSchema), and a registry's answer must never
// crash the service.
func try(fn func(a *attempt) error, a *attempt) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: the answer broke its decoder (%v)", ErrBadResponse, r)
		}
	}()
	return fn(a)
}

// backoff returns the pause before retry round n (1, 2, ...): the jittered
// exponential pause of package backoff, and at least the Retry-After the
// registry asked for (capped at MaxBackoff too).
func (c *HTTPClient) backoff(n int, retryAfter time.Duration) time.Duration {
	d := backoff.Policy{Min: c.minBackoff, Max: c.maxBackoff}.Delay(n)
	if retryAfter > d {
		d = min(retryAfter, c.maxBackoff)
	}
	return d
}

func (c *HTTPClient) ctxError(op string, ctxErr, last error) error {
	if last != nil {
		// Not wrapped: the call failed for the context, not for the last
		// attempt's reason (which may match ErrUnreachable).
		return fmt.Errorf("registry: %s: %w (last error: %v)", op, ctxErr, last) //nolint:errorlint // see above
	}
	return fmt.Errorf("registry: %s: %w", op, ctxErr)
}
