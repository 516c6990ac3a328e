package producer

import (
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

// ticket is a message's opaque: what the delivery handler needs to complete
// it.
type ticket struct {
	ti       *topicInfo
	schemaID int
	eventID  cloudevents.EventID
	key      []byte // the message key, for the logs; in keyBuf when it fits
	w        *waiter
	done     func(Delivery, error)
	// span is the publish's span when it records; start is when the
	// publish began (since epoch), 0 when the duration is not recorded.
	span  trace.Span
	start int64

	keyBuf [24]byte
}

// ticketSlab hands out tickets carved from arrays of ticketChunkSize: one
// allocation per ticketChunkSize messages instead of one per message. A
// ticket is never reused (a chunk is garbage once none of its tickets is
// referenced), so nothing is handed back: a pool would have the delivery
// goroutine return tickets on another CPU than the publisher takes them
// from, which moves them between the CPUs' caches on every message.
type ticketSlab struct {
	cur atomic.Pointer[ticketChunk]
}

type ticketChunk struct {
	next atomic.Int32
	t    [ticketChunkSize]ticket
}

const ticketChunkSize = 256

// get returns a zero ticket.
func (s *ticketSlab) get() *ticket {
	for {
		c := s.cur.Load()
		if c != nil {
			if i := c.next.Add(1) - 1; i < ticketChunkSize {
				return &c.t[i]
			}
		}
		n := new(ticketChunk)
		n.next.Store(1)
		if s.cur.CompareAndSwap(c, n) {
			return &n.t[0]
		}
	}
}
