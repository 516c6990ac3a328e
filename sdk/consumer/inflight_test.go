package consumer

import (
	"bytes"
	"slices"
	"strconv"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// TestSchedulerReusesDoneRecords: the record of a message done comes back
// from newInflight, cleared (it holds on to no message), once an add has
// handed the released records over; a record in flight is not handed out.
func TestSchedulerReusesDoneRecords(t *testing.T) {
	s := newScheduler()
	p := testPartition("t", 0)
	fill := func(m *inflight, off int64) *inflight {
		*m = *testInflight(p, off, "k", &Handler{})
		return m
	}
	first := fill(s.newInflight(), 0)
	s.add(first, OrderKey)
	u := s.take()
	u[0].finished = true
	s.done(u)
	second := fill(s.newInflight(), 1) // nothing handed over yet: a new one
	if second == first {
		t.Fatal("a record came back before an add handed it over")
	}
	s.add(second, OrderKey)
	again := s.newInflight()
	if again != first {
		t.Fatal("the record of the message done was not reused")
	}
	if again.km != nil || again.part != nil || again.h != nil || again.lane != nil || again.finished || again.seq != 0 {
		t.Fatalf("a reused record still holds its message: %+v", again)
	}
	if s.newInflight() == second {
		t.Fatal("the record of a message in flight was handed out")
	}
	if cp := p.offs.commitPoint(); cp != 1 {
		t.Fatalf("commit point %d, want 1", cp)
	}
}

// TestKeepHeaders: the headers a record keeps are the polled ones, whatever
// the handler's Message (which shares them) does to its own, with few
// headers (kept in the record) and with many (copied).
func TestKeepHeaders(t *testing.T) {
	for _, n := range []int{0, 3, maxKeptHeaders, maxKeptHeaders + 5} {
		km := &kafka.Message{}
		for i := range n {
			km.Headers = append(km.Headers, kafka.Header{Key: "k" + strconv.Itoa(i), Value: []byte{byte(i)}})
		}
		polled := slices.Clone(km.Headers)
		m := &inflight{km: km}
		m.keepHeaders()
		msg := messageOf(km, nil, &interned{})
		if len(msg.Headers) != n || (n == 0) != (msg.Headers == nil) {
			t.Fatalf("%d headers: the Message has %d (%v)", n, len(msg.Headers), msg.Headers)
		}
		for i := range msg.Headers {
			msg.Headers[i] = Header{Key: "changed"}
		}
		if got := m.headers(); !slices.EqualFunc(got, polled, func(a, b kafka.Header) bool {
			return a.Key == b.Key && bytes.Equal(a.Value, b.Value)
		}) {
			t.Errorf("%d headers: kept %v, polled %v", n, got, polled)
		}
	}
}
