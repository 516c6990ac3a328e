package serde

import (
	"sync"
	"sync/atomic"
)

// cache is a size-bounded map safe for concurrent use whose hits take only
// a read lock and allocate nothing. When full, it evicts with the CLOCK
// algorithm (an approximation of least-recently-used): an entry read since
// the hand last passed it gets a second chance.
type cache[K comparable, V any] struct {
	mu    sync.RWMutex
	items map[K]*cacheEntry[K, V]
	ring  []*cacheEntry[K, V]
	hand  int

	// onEvict, when set, is called with each evicted key, after the lock is
	// released.
	onEvict func(K)
}

type cacheEntry[K comparable, V any] struct {
	key  K
	val  V
	used atomic.Bool
}

func newCache[K comparable, V any](size int) *cache[K, V] {
	if size < 1 {
		size = 1
	}
	return &cache[K, V]{items: make(map[K]*cacheEntry[K, V], size), ring: make([]*cacheEntry[K, V], 0, size)}
}

func (c *cache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	e, ok := c.items[k]
	var v V
	if ok {
		v = e.val
		if !e.used.Load() {
			e.used.Store(true)
		}
	}
	c.mu.RUnlock()
	return v, ok
}

func (c *cache[K, V]) put(k K, v V) {
	if evicted, ok := c.insert(k, v); ok && c.onEvict != nil {
		c.onEvict(evicted)
	}
}

// insert adds or replaces k's entry and returns the key it evicted, if any.
func (c *cache[K, V]) insert(k K, v V) (evicted K, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.val = v
		return evicted, false
	}
	e := &cacheEntry[K, V]{key: k, val: v}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, e)
		c.items[k] = e
		return evicted, false
	}
	for {
		old := c.ring[c.hand]
		if old.used.Load() {
			old.used.Store(false)
			c.hand = (c.hand + 1) % len(c.ring)
			continue
		}
		delete(c.items, old.key)
		c.ring[c.hand] = e
		c.items[k] = e
		c.hand = (c.hand + 1) % len(c.ring)
		return old.key, true
	}
}

// contains reports whether k has an entry, without marking it used.
func (c *cache[K, V]) contains(k K) bool {
	c.mu.RLock()
	_, ok := c.items[k]
	c.mu.RUnlock()
	return ok
}

func (c *cache[K, V]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.items)
}
