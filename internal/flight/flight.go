// Package flight collapses concurrent calls for the same thing into one, for
// callers that each bring their own context: the registry client's cache
// misses and the deserializer's plan building.
package flight

import (
	"context"
	"errors"

	"golang.org/x/sync/singleflight"
)

// Group runs one call per key at a time, as singleflight.Group does, with
// two differences that callers with contexts need: a caller whose context
// ends stops waiting (the call goes on for the others), and when the shared
// call failed only because the context of the caller that led it ended, a
// caller whose context is still live runs it again instead of inheriting
// that failure. The zero Group is ready to use.
type Group[T any] struct {
	g singleflight.Group
}

// Do runs fn for key once for all concurrent callers and returns its
// result. fn gets the context of the caller that leads the call. When ctx
// ends first, Do returns ctx.Err().
func (g *Group[T]) Do(ctx context.Context, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	for {
		ch := g.g.DoChan(key, func() (any, error) { return fn(ctx) })
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case r := <-ch:
			if r.Err != nil {
				if ctx.Err() == nil && (errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, context.DeadlineExceeded)) {
					continue
				}
				return zero, r.Err
			}
			return r.Val.(T), nil
		}
	}
}
