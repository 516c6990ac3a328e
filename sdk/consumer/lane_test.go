package consumer

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLaneOf: under OrderKey a key has one lane across the partitions of
// its topic and another in another topic, and a message without a key has
// none to share; under OrderPartition each partition has its own; under
// OrderNone nothing is shared.
func TestLaneOf(t *testing.T) {
	s := newScheduler()
	t0, t1, u0 := testPartition("t", 0), testPartition("t", 1), testPartition("u", 0)
	key := func(p *partition, k string, o Ordering) (laneKey, bool) {
		return s.laneOf(testInflight(p, 0, k, nil), o)
	}
	a0, ok := key(t0, "a", OrderKey)
	if !ok {
		t.Fatal("a keyed message has no order to keep")
	}
	if a1, _ := key(t1, "a", OrderKey); a1 != a0 {
		t.Error("key a has two lanes in topic t")
	}
	if b0, _ := key(t0, "b", OrderKey); b0 == a0 {
		t.Error("keys a and b share a lane")
	}
	if ua, _ := key(u0, "a", OrderKey); ua == a0 {
		t.Error("key a shares a lane across topics")
	}
	if _, ok := key(t0, "", OrderKey); ok {
		t.Error("a message without a key has an order to keep")
	}
	p0, _ := key(t0, "a", OrderPartition)
	if p0b, _ := key(t0, "b", OrderPartition); p0b != p0 {
		t.Error("partition t/0 has two lanes")
	}
	if p1, _ := key(t1, "a", OrderPartition); p1 == p0 {
		t.Error("partitions t/0 and t/1 share a lane")
	}
	if _, ok := key(t0, "a", OrderNone); ok {
		t.Error("OrderNone keeps an order")
	}
}

// TestLaneQueueOrder: messages come out of a lane in the order they went
// in, however pushes and pops interleave (the slice is compacted as it
// goes), and filter keeps the order of what it keeps.
func TestLaneQueueOrder(t *testing.T) {
	var l lane
	p := testPartition("t", 0)
	var want []int64
	next := int64(0)
	for range 5000 {
		if rand.IntN(3) != 0 || l.len() == 0 {
			m := testInflight(p, next, "k", nil)
			m.seq = uint64(next)
			l.push(m)
			want = append(want, next)
			next++
			continue
		}
		m := l.pop()
		if m.offset() != want[0] {
			t.Fatalf("popped %d, want %d", m.offset(), want[0])
		}
		want = want[1:]
		if l.len() > 0 && l.frontSeq != l.front().seq {
			t.Fatalf("front sequence %d, front message's %d", l.frontSeq, l.front().seq)
		}
	}
	if l.len() != len(want) || cap(l.q) > 4*max(len(want), 16) {
		t.Fatalf("%d queued (want %d), capacity %d", l.len(), len(want), cap(l.q))
	}
	l.filter(func(m *inflight) bool { return m.offset()%2 == 0 })
	var kept []int64
	for l.len() > 0 {
		kept = append(kept, l.pop().offset())
	}
	even := slices.DeleteFunc(want, func(o int64) bool { return o%2 != 0 })
	if !slices.Equal(kept, even) {
		t.Fatalf("filter kept %v, want %v", kept, even)
	}
}

// TestLaneQueueHeap: the ready queue hands out lanes by their head's poll
// sequence, oldest first, through pushes, pops, removals and keep.
func TestLaneQueueHeap(t *testing.T) {
	var q laneQueue
	p := testPartition("t", 0)
	lanes := map[uint64]*lane{}
	for round := range 50 {
		for range 20 {
			seq := rand.Uint64N(1 << 40)
			if lanes[seq] != nil {
				continue
			}
			l := &lane{}
			m := testInflight(p, 0, "k", nil)
			m.seq = seq
			l.push(m)
			q.push(l)
			lanes[seq] = l
		}
		for seq, l := range lanes { // a few removals, anywhere in the heap
			if rand.IntN(5) == 0 {
				q.remove(l)
				delete(lanes, seq)
			}
		}
		if round%10 == 0 {
			q.keep(func(l *lane) bool {
				if l.frontSeq%3 == 0 {
					delete(lanes, l.frontSeq)
					return false
				}
				return true
			})
		}
		for i, l := range q.h {
			if l.at != i {
				t.Fatalf("lane at %d thinks it is at %d", i, l.at)
			}
		}
		for range 5 {
			if q.len() == 0 {
				break
			}
			top := q.pop()
			for seq := range lanes {
				if seq < top.frontSeq {
					t.Fatalf("popped %d with %d still queued", top.frontSeq, seq)
				}
			}
			delete(lanes, top.frontSeq)
		}
	}
	if q.len() != len(lanes) {
		t.Fatalf("%d lanes queued, want %d", q.len(), len(lanes))
	}
}
