package consumer

import (
	"slices"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// inflight is a polled message from the time it is accepted until it is
// done. The scheduler reuses the records of the messages done (see
// newInflight), so nothing may keep one past the end of its unit: what
// outlives the handling (the handler's Message, log lines, the offsets
// tracker, telemetry spans) holds copies of its fields, never the record.
type inflight struct {
	seq  uint64 // the order it was polled in
	km   *kafka.Message
	part *partition
	lane *lane
	h    *Handler
	// byName is set when h is to be found by the writer schema's name,
	// which was not at hand when the message was polled.
	byName *route
	bytes  int
	// retry is what the headers of a message from a retry topic say.
	retry retryState
	// op is the telemetry of the handling the message is part of: ownOp,
	// or its batch's.
	op    *processOp
	ownOp processOp
	// stallGen, in a unit's first message, is the scheduler's stall
	// generation when the unit was taken (see pace.stuck).
	stallGen uint64
	// finished is set by the worker when the message is done (handled,
	// dead-lettered, sent to a retry topic); a message left unfinished at
	// shutdown is delivered again.
	finished bool
	// own is the lane of a message that has none to share (no order to
	// keep), so that it costs no allocation of its own.
	own lane
	// polled, when set, are the message's headers as polled, kept (in kept
	// when they fit) before its handler saw them: the handler's Message
	// shares km's, and a handler may change its Message, not what the
	// consumer forwards (headers).
	polled []kafka.Header
	kept   [maxKeptHeaders]kafka.Header
}

// maxKeptHeaders is how many headers a record keeps without an
// allocation: the CloudEvents headers and a trace context.
const maxKeptHeaders = 8

// keepHeaders keeps m's headers as polled, before its handler sees them.
func (m *inflight) keepHeaders() {
	if hs := m.km.Headers; len(hs) <= len(m.kept) {
		m.polled = m.kept[:copy(m.kept[:], hs)]
	} else {
		m.polled = slices.Clone(hs)
	}
}

// headers returns m's headers as polled: what the consumer forwards to a
// retry or the dead-letter topic.
func (m *inflight) headers() []kafka.Header {
	if m.polled != nil {
		return m.polled
	}
	return m.km.Headers
}

// maxFreeInflight bounds the records kept for reuse.
const maxFreeInflight = 1024

// newInflight returns a zero record for a message to add, reusing one of a
// message done. Only the goroutine that adds (the poll goroutine) calls
// it, without the lock: add hands it the records done in batches.
func (s *scheduler) newInflight() *inflight {
	n := len(s.spare)
	if n == 0 {
		return &inflight{}
	}
	m := s.spare[n-1]
	s.spare[n-1] = nil
	s.spare = s.spare[:n-1]
	return m
}

// release keeps m, whose unit is done, for reuse; the lock is held. The
// record is cleared so that it holds on to no message.
func (s *scheduler) release(m *inflight) {
	if len(s.free) >= maxFreeInflight {
		return
	}
	q := m.own.q[:0]
	*m = inflight{}
	m.own.q = q
	s.free = append(s.free, m)
}

// refillSpare hands the records released so far to newInflight's side
// when it has none left; the lock is held by the adding goroutine.
func (s *scheduler) refillSpare() {
	if len(s.spare) == 0 && len(s.free) > 0 {
		s.spare, s.free = s.free, s.spare
	}
}
