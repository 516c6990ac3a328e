package cloudevents

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// EventID identifies one published event: a UUIDv7 (RFC 9562), whose first
// 48 bits are the Unix time in milliseconds and whose other 74 bits are
// random (from a ChaCha8 generator the Go runtime seeds from the operating
// system). The zero EventID means "none".
//
// It is an array, so it compares with == and keys a map without an
// allocation: what a handler that deduplicates needs.
type EventID [16]byte

// NewEventID returns a fresh UUIDv7 for the current time.
func NewEventID() EventID { return newEventID(nowMillis()) }

// IsZero reports whether id is the zero EventID.
func (id EventID) IsZero() bool { return id == EventID{} }

// String returns the id in the 36-character form
// "xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx"; the zero id gives "".
func (id EventID) String() string {
	if id.IsZero() {
		return ""
	}
	var b [36]byte
	return string(id.appendText(b[:0]))
}

// AppendText appends the 36-character form to b (encoding.TextAppender).
// It never fails.
func (id EventID) AppendText(b []byte) ([]byte, error) { return id.appendText(b), nil }

// MarshalText returns String's form (encoding.TextMarshaler), so that
// encoding/json writes an EventID as a string, "" for the zero id.
func (id EventID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses the 36-character form (encoding.TextUnmarshaler);
// "" gives the zero id. It makes no copy of b: a consumer parses each
// message's ce_id header with it.
func (id *EventID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = EventID{}
		return nil
	}
	v, ok := parseEventID(b)
	if !ok {
		return fmt.Errorf("%w: %q", ErrBadEventID, b)
	}
	*id = v
	return nil
}

// Time returns the millisecond timestamp of a UUIDv7.
func (id EventID) Time() time.Time {
	ms := int64(id[0])<<40 | int64(id[1])<<32 | int64(id[2])<<24 | int64(id[3])<<16 | int64(id[4])<<8 | int64(id[5])
	return time.UnixMilli(ms).UTC()
}

func (id EventID) appendText(dst []byte) []byte {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return append(dst, b[:]...)
}

// ErrBadEventID is matched by ParseEventID's error.
var ErrBadEventID = errors.New("cloudevents: malformed event id")

// ParseEventID parses the 36-character text form of a UUID (any version,
// either case).
func ParseEventID(s string) (EventID, error) {
	id, ok := parseEventID(s)
	if !ok {
		return EventID{}, fmt.Errorf("%w: %q", ErrBadEventID, s)
	}
	return id, nil
}

// parseEventID is ParseEventID over a string or bytes, reporting only
// whether the text is well formed: the error, which keeps the text, is the
// callers', so that parsing copies nothing.
func parseEventID[T string | []byte](s T) (EventID, bool) {
	var id EventID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return EventID{}, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i-- // skip the dash: the loop adds 2
			continue
		}
		hi, lo := unhex(s[i]), unhex(s[i+1])
		if hi < 0 || lo < 0 {
			return EventID{}, false
		}
		id[j] = byte(hi<<4 | lo)
		j++
	}
	return id, true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// newEventID returns a fresh UUIDv7 for the Unix time unixMilli.
func newEventID(unixMilli int64) EventID {
	var id EventID
	ms := uint64(unixMilli)
	id[0], id[1], id[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	id[3], id[4], id[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	// The random bits come from math/rand/v2's global generator: ChaCha8,
	// seeded by the runtime from the operating system's entropy, per
	// thread, without a lock or a system call.
	binary.BigEndian.PutUint64(id[8:], rand.Uint64())
	r2 := rand.Uint32()
	id[6], id[7] = byte(r2>>8), byte(r2)
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // variant 10
	return id
}

// nowMillis returns the Unix time in milliseconds, as time.Now().UnixMilli()
// does, more cheaply: it reads only the monotonic clock and adds it to the
// wall time read at most a second before, so a change of the system clock
// shows within a second.
func nowMillis() int64 {
	if a := clockAnchor.Load(); a != nil {
		if d := time.Since(a.mono); d >= 0 && d < time.Second {
			return (a.wallNanos + int64(d)) / int64(time.Millisecond)
		}
	}
	now := time.Now()
	clockAnchor.Store(&anchor{mono: now, wallNanos: now.UnixNano()})
	return now.UnixMilli()
}

// anchor pairs a reading of the monotonic clock with the wall time then.
type anchor struct {
	mono      time.Time
	wallNanos int64
}

var clockAnchor atomic.Pointer[anchor]
