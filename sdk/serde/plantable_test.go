package serde

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// nullClient answers every schema id with "null", except incompatibleID
// ("int", which a "null" reader cannot read), and counts the questions.
type nullClient struct {
	registry.Client
	fetches atomic.Int64
}

const incompatibleID = 999

func (c *nullClient) SchemaByID(_ context.Context, id int) (registry.Schema, error) {
	c.fetches.Add(1)
	if id == incompatibleID {
		return registry.Schema{ID: id, Text: `"int"`}, nil
	}
	return registry.Schema{ID: id, Text: `"null"`}, nil
}

func nullReaders(n int) []*idEvent {
	evs := make([]*idEvent, n)
	for i := range evs {
		evs[i] = &idEvent{c: &contract.Contract{Type: fmt.Sprintf("r%d", i), Schema: `"null"`}}
	}
	return evs
}

// checkHotInCache fails when the hot table holds an error plan, a pair
// twice, or a plan the plan cache does not have (the cache's bound would
// not hold).
func checkHotInCache(t *testing.T, d *Deserializer) {
	t.Helper()
	tab := d.hot.Load()
	if tab.n > d.hotCap {
		t.Errorf("%d hot plans, cap %d", tab.n, d.hotCap)
	}
	seen := map[planKey]bool{}
	for _, e := range tab.entries[:tab.n] {
		k := planKey{e.id, e.reader}
		if seen[k] {
			t.Errorf("(%d, %s) is hot twice", e.id, e.reader.Type)
		}
		seen[k] = true
		if e.p.err != nil {
			t.Errorf("(%d, %s) is hot with error %v", e.id, e.reader.Type, e.p.err)
		}
		if !d.plans.Contains(k) {
			t.Errorf("(%d, %s) is hot but no longer in the plan cache", e.id, e.reader.Type)
		}
	}
}

func TestHotPlansAreTheFirstReadableOnes(t *testing.T) {
	ctx := context.Background()
	client := &nullClient{}
	d := NewDeserializer(client, DeserializerConfig{})
	readers := nullReaders(2)
	// 2 readers × 12 ids: more pairs than the hot table holds, with an
	// incompatible id first.
	bad := wire.AppendHeader(nil, incompatibleID)
	for range 3 {
		if _, err := d.Decode(ctx, bad, readers[0]); !errors.Is(err, ErrSchemaMismatch) {
			t.Fatalf("decoding id %d: err = %v, want ErrSchemaMismatch", incompatibleID, err)
		}
	}
	var order []planKey
	for id := 1; id <= 12; id++ {
		for _, r := range readers {
			order = append(order, planKey{id, r.c})
		}
	}
	for range 2 {
		for _, k := range order {
			got, err := d.Decode(ctx, wire.AppendHeader(nil, uint32(k.id)), &idEvent{c: k.reader})
			if err != nil || got != k.id {
				t.Fatalf("Decode of id %d as %s = %d, %v", k.id, k.reader.Type, got, err)
			}
		}
	}
	checkHotInCache(t, d)
	tab := d.hot.Load()
	if tab.n != maxHotPlans {
		t.Fatalf("%d hot plans after %d readable pairs, want %d", tab.n, len(order), maxHotPlans)
	}
	for i, e := range tab.entries[:tab.n] {
		if k := (planKey{e.id, e.reader}); k != order[i] {
			t.Errorf("hot plan %d is (%d, %s), want (%d, %s)", i, e.id, e.reader.Type, order[i].id, order[i].reader.Type)
		}
	}
	if n := client.fetches.Load(); n != 13 {
		t.Errorf("%d schema fetches for 13 ids, want 13", n)
	}
	// Hot or not, a cached plan decodes without allocating.
	for _, k := range []planKey{order[0], order[len(order)-1]} {
		msg, ev := wire.AppendHeader(nil, uint32(k.id)), &idEvent{c: k.reader}
		if a := testing.AllocsPerRun(100, func() { _, _ = d.Decode(ctx, msg, ev) }); a != 0 {
			t.Errorf("Decode of (%d, %s) allocates %.1f times, want 0", k.id, k.reader.Type, a)
		}
	}
}

func TestHotPlansLeaveWithTheirCacheEntry(t *testing.T) {
	ctx := context.Background()
	client := &nullClient{}
	d := NewDeserializer(client, DeserializerConfig{CacheSize: 2})
	r := nullReaders(1)[0]
	for _, id := range []int{1, 2, 3, 1} {
		if _, err := d.Decode(ctx, wire.AppendHeader(nil, uint32(id)), r); err != nil {
			t.Fatal(err)
		}
		checkHotInCache(t, d)
	}
	// 1 was evicted by 3 and came back: it is hot again, with 3.
	for _, id := range []int{1, 3} {
		if d.hot.Load().lookup(id, r.c) == nil {
			t.Errorf("id %d is not hot", id)
		}
	}
	if n := client.fetches.Load(); n != 4 {
		t.Errorf("%d fetches, want 4", n)
	}
}

func TestHotPlansUnderConcurrentEviction(t *testing.T) {
	ctx := context.Background()
	d := NewDeserializer(&nullClient{}, DeserializerConfig{CacheSize: 8})
	readers := nullReaders(3)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				id := (i*7+g*13)%20 + 1
				r := readers[(i+g)%len(readers)]
				if got, err := d.Decode(ctx, wire.AppendHeader(nil, uint32(id)), r); err != nil || got != id {
					t.Errorf("Decode of id %d = %d, %v", id, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	checkHotInCache(t, d)
}
