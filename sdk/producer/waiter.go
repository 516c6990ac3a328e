package producer

import (
	"sync"
	"sync/atomic"
)

// result is the outcome of one message.
type result struct {
	d   Delivery
	err error
}

// waiter is where a Publish waits for its result. Its state moves from
// waiting to delivered (the delivery handler sent the result) or to
// abandoned (Publish returned without it), whichever comes first.
type waiter struct {
	ch    chan result
	state atomic.Int32
}

// The states of a waiter.
const (
	waiting int32 = iota
	delivered
	abandoned
)

var waiterPool = sync.Pool{New: func() any { return &waiter{ch: make(chan result, 1)} }}
