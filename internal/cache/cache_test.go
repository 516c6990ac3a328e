package cache

import (
	"sync"
	"testing"
)

func TestEvictsTheEntryNotUsedSinceTheHandPassed(t *testing.T) {
	var evicted []int
	c := New[int, string](3, func(k int) { evicted = append(evicted, k) })
	c.Put(1, "a")
	c.Put(2, "b")
	c.Put(3, "c")
	c.Get(1) // 1 gets a second chance
	c.Get(3)
	c.Put(4, "d") // the hand skips 1, evicts 2
	if _, ok := c.Get(2); ok {
		t.Errorf("2 was not evicted")
	}
	for _, k := range []int{1, 3, 4} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%d was evicted", k)
		}
	}
	if n := c.Len(); n != 3 {
		t.Errorf("Len = %d, want 3", n)
	}
	// Everything used: the hand goes round once and evicts where it started.
	c.Put(5, "e")
	if n := c.Len(); n != 3 {
		t.Errorf("Len = %d after another put, want 3", n)
	}
	if v, ok := c.Get(5); !ok || v != "e" {
		t.Errorf("Get(5) = %q, %v", v, ok)
	}
	c.Put(5, "f")
	if v, _ := c.Get(5); v != "f" {
		t.Errorf("Put on an existing key did not replace: %q", v)
	}
	if len(evicted) != 2 || evicted[0] != 2 {
		t.Errorf("evicted %v, want 2 first, then one more", evicted)
	}
}

func TestContainsDoesNotMarkUsed(t *testing.T) {
	c := New[int, int](2, nil)
	c.Put(1, 1)
	c.Put(2, 2)
	if !c.Contains(1) || c.Contains(3) {
		t.Fatal("Contains is wrong")
	}
	c.Put(3, 3) // 1 was only looked at with Contains: the hand evicts it
	if c.Contains(1) {
		t.Error("Contains gave 1 a second chance")
	}
}

func TestSizeAtLeastOne(t *testing.T) {
	c := New[string, int](0, nil)
	c.Put("a", 1)
	c.Put("b", 2)
	if c.Len() != 1 || !c.Contains("b") {
		t.Errorf("Len = %d, want 1 holding the latest", c.Len())
	}
}

func TestConcurrentUseStaysBounded(t *testing.T) {
	c := New[int, int](64, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				k := (i*7 + g) % 200
				if v, ok := c.Get(k); ok && v != k {
					t.Errorf("Get(%d) = %d", k, v)
					return
				}
				c.Put(k, k)
			}
		}(g)
	}
	wg.Wait()
	if n := c.Len(); n > 64 {
		t.Errorf("Len = %d, over the bound of 64", n)
	}
}
