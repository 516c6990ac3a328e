package consumer

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"
)

// offsets tracks one partition's messages from the time they are polled
// until they are done (handled, dead-lettered, sent to a retry topic or
// skipped), so that the consumer commits only up to the lowest unfinished
// offset: a crash never skips a message that was still being handled.
//
// Messages are added in offset order, as they are polled; they finish in
// any order. It is not safe for concurrent use (the scheduler's lock
// guards it).
type offsets struct {
	// pending holds the polled messages not yet trimmed, in offset order:
	// the head is the lowest unfinished one, unless none is unfinished.
	pending []pendingOffset
	head    int   // index of the first live entry in pending
	next    int64 // the offset after the last one added; -1 before the first
	// finishedAbove counts the done entries in pending: what the commit
	// metadata lists, so that a restart skips them.
	finishedAbove int
}

type pendingOffset struct {
	offset int64
	done   bool
}

func newOffsets() *offsets { return &offsets{next: -1} }

// add records a polled message's offset, which is above every offset added
// before.
func (o *offsets) add(offset int64) {
	o.pending = append(o.pending, pendingOffset{offset: offset})
	o.next = offset + 1
}

// finish marks offset done and trims the done entries at the head. It
// reports whether the commit point moved.
func (o *offsets) finish(offset int64) bool {
	live := o.pending[o.head:]
	i, ok := slices.BinarySearchFunc(live, offset, func(p pendingOffset, off int64) int {
		switch {
		case p.offset < off:
			return -1
		case p.offset > off:
			return 1
		}
		return 0
	})
	if !ok || live[i].done {
		return false
	}
	live[i].done = true
	if i != 0 {
		o.finishedAbove++
		return false
	}
	o.head++
	for o.head < len(o.pending) && o.pending[o.head].done {
		o.head++
		o.finishedAbove--
	}
	if o.head == len(o.pending) {
		o.pending, o.head = o.pending[:0], 0
	} else if o.head > 1024 && o.head > len(o.pending)/2 {
		// Compact now and then, so that the slice does not grow for ever.
		n := copy(o.pending, o.pending[o.head:])
		o.pending, o.head = o.pending[:n], 0
	}
	return true
}

// commitPoint returns the offset to commit: the lowest unfinished one, or
// the one after the last added when every message is done; -1 when nothing
// was added.
func (o *offsets) commitPoint() int64 {
	if o.head < len(o.pending) {
		return o.pending[o.head].offset
	}
	return o.next
}

// unfinished returns the number of messages added and not done.
func (o *offsets) unfinished() int { return len(o.pending) - o.head - o.finishedAbove }

// truncate forgets the messages from offset on, which are to be polled
// again (the consumer seeks back to offset): they are neither done nor
// pending any more.
func (o *offsets) truncate(offset int64) {
	live := o.pending[o.head:]
	i, _ := slices.BinarySearchFunc(live, offset, func(p pendingOffset, off int64) int {
		if p.offset < off {
			return -1
		}
		if p.offset > off {
			return 1
		}
		return 0
	})
	for _, p := range live[i:] {
		if p.done {
			o.finishedAbove--
		}
	}
	o.pending = o.pending[:o.head+i]
	o.next = offset
}

// finishedMetadataPrefix starts the commit metadata the consumer writes:
// the offsets above the committed one that were already done.
const finishedMetadataPrefix = "eventkit.done:"

// maxMetadata bounds the commit metadata: brokers refuse more than
// offset.metadata.max.bytes (4096 by default) with the whole commit.
const maxMetadata = 3000

// metadata returns the commit metadata that lists the done offsets above
// the commit point (as varint deltas from it, base64), so that a consumer
// that takes the partition over skips them. Past maxMetadata the list is
// cut: the rest is delivered again, which at-least-once allows.
func (o *offsets) metadata() string {
	if o.finishedAbove == 0 {
		return ""
	}
	base := o.commitPoint()
	var b []byte
	prev := base
	for _, p := range o.pending[o.head:] {
		if !p.done {
			continue
		}
		b = binary.AppendUvarint(b, uint64(p.offset-prev))
		prev = p.offset
		if base64.RawURLEncoding.EncodedLen(len(b))+len(finishedMetadataPrefix) > maxMetadata {
			break
		}
	}
	return finishedMetadataPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// parseFinished returns the offsets a commit's metadata lists as done above
// the committed offset; nil for metadata of another kind or a damaged one.
func parseFinished(committed int64, metadata string) map[int64]bool {
	rest, ok := strings.CutPrefix(metadata, finishedMetadataPrefix)
	if !ok || committed < 0 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil
	}
	out := map[int64]bool{}
	prev := committed
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 || d == 0 || d > 1<<40 {
			return nil
		}
		prev += int64(d)
		out[prev] = true
		b = b[n:]
	}
	return out
}
