package serde

import "testing"

func TestCacheEvictsTheEntryNotUsedSinceTheHandPassed(t *testing.T) {
	c := newCache[int, string](3)
	c.put(1, "a")
	c.put(2, "b")
	c.put(3, "c")
	c.get(1) // 1 gets a second chance
	c.get(3)
	c.put(4, "d") // the hand skips 1, evicts 2
	if _, ok := c.get(2); ok {
		t.Errorf("2 was not evicted")
	}
	for _, k := range []int{1, 3, 4} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%d was evicted", k)
		}
	}
	if n := c.len(); n != 3 {
		t.Errorf("len = %d, want 3", n)
	}
	// Everything used: the hand goes round once and evicts where it started.
	c.put(5, "e")
	if n := c.len(); n != 3 {
		t.Errorf("len = %d after another put, want 3", n)
	}
	if v, ok := c.get(5); !ok || v != "e" {
		t.Errorf("get(5) = %q, %v", v, ok)
	}
	c.put(5, "f")
	if v, _ := c.get(5); v != "f" {
		t.Errorf("put on an existing key did not replace: %q", v)
	}
}
