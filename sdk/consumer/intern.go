package consumer

import (
	"maps"
	"sync/atomic"
)

// interned turns header values that repeat from message to message (the
// producers' names in ce_source, the event types in ce_type) into strings
// without a copy per message: the first copy of each of up to maxInterned
// values is kept and handed out again. Workers read it concurrently, so
// the table is replaced, never changed.
type interned struct {
	table atomic.Pointer[map[string]string]
}

// maxInterned bounds the values kept: past it, a value is copied each time,
// as it would be without the table.
const maxInterned = 64

// text returns b as a string.
func (in *interned) text(b []byte) string {
	t := in.table.Load()
	if t != nil {
		if s, ok := (*t)[string(b)]; ok { // no copy: the compiler looks the bytes up
			return s
		}
		if len(*t) >= maxInterned {
			return string(b)
		}
	}
	s := string(b)
	next := make(map[string]string, 1)
	if t != nil {
		next = maps.Clone(*t)
	}
	next[s] = s
	// Lost to another worker's value: this one goes in at its next turn.
	in.table.CompareAndSwap(t, &next)
	return s
}
