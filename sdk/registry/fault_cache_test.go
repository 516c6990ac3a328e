package registry_test

import (
	"fmt"
	"testing"

	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

// TestFaultLookupCacheIsBounded: the (subject, schema) → id cache holds
// CacheSize entries and evicts one not used lately (the id → schema
// cache is tested by TestCacheIsBounded).
func TestFaultLookupCacheIsBounded(t *testing.T) {
	fake := registrytest.NewServer(t)
	type sub struct{ subject, schema string }
	var subs []sub
	for i := range 3 {
		s := sub{fmt.Sprintf("s%d-value", i), fmt.Sprintf(`{"type":"fixed","name":"L%d","size":1}`, i)}
		fake.Register(s.subject, s.schema)
		subs = append(subs, s)
	}
	cfg := fastConfig(fake.URL())
	cfg.CacheSize = 2
	c := newClient(t, cfg)
	lookup := func(i int) {
		t.Helper()
		if _, _, err := c.LookupID(ctx(t), subs[i].subject, subs[i].schema); err != nil {
			t.Fatal(err)
		}
	}
	base := fake.Requests()
	for _, i := range []int{0, 1, 0, 2} { // 2 evicts 1, the one not used since it came
		lookup(i)
	}
	if n := fake.Requests() - base; n != 3 {
		t.Fatalf("after 0,1,0,2: %d requests, want 3", n)
	}
	lookup(0)
	lookup(2)
	if n := fake.Requests() - base; n != 3 {
		t.Fatalf("cached lookups asked again: %d requests, want 3", n)
	}
	lookup(1)
	if n := fake.Requests() - base; n != 4 {
		t.Fatalf("evicted lookup: %d requests, want 4", n)
	}
	if s := c.Stats(); s.CacheHits != 3 {
		t.Errorf("stats %+v, want 3 hits", s)
	}
}
