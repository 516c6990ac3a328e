// Package cache is the SDK's one bounded cache: the registry client's
// schemas and ids, and the deserializer's writer schemas and decoding
// plans, all keep at most a fixed number of entries in it.
package cache

import (
	"sync"
	"sync/atomic"
)

// Cache is a size-bounded map safe for concurrent use whose hits take only
// a read lock and allocate nothing. When full, it evicts with the CLOCK
// algorithm (an approximation of least-recently-used): an entry read since
// the hand last passed it gets a second chance.
type Cache[K comparable, V any] struct {
	mu    sync.RWMutex
	items map[K]*entry[K, V]
	ring  []*entry[K, V]
	hand  int

	onEvict func(K)
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	used atomic.Bool
}

// New returns a cache of at most size entries (at least 1). onEvict, when
// not nil, is called with each evicted key, after the cache's lock is
// released.
func New[K comparable, V any](size int, onEvict func(K)) *Cache[K, V] {
	size = max(size, 1)
	return &Cache[K, V]{
		items:   make(map[K]*entry[K, V], size),
		ring:    make([]*entry[K, V], 0, size),
		onEvict: onEvict,
	}
}

// Get returns k's value and marks it used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
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

// Put adds or replaces k's value, evicting an entry when the cache is full.
func (c *Cache[K, V]) Put(k K, v V) {
	if evicted, ok := c.insert(k, v); ok && c.onEvict != nil {
		c.onEvict(evicted)
	}
}

// insert adds or replaces k's entry and returns the key it evicted, if any.
func (c *Cache[K, V]) insert(k K, v V) (evicted K, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.val = v
		return evicted, false
	}
	e := &entry[K, V]{key: k, val: v}
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

// Contains reports whether k has an entry, without marking it used.
func (c *Cache[K, V]) Contains(k K) bool {
	c.mu.RLock()
	_, ok := c.items[k]
	c.mu.RUnlock()
	return ok
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.items)
}
