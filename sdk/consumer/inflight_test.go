package consumer

import "testing"

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
