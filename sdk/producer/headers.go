package producer

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// The headers the producer puts on every message, in the CloudEvents Kafka
// protocol binding's binary mode (https://github.com/cloudevents/spec,
// kafka-protocol-binding.md): the CloudEvents attributes as "ce_"-prefixed
// headers, the data content type as "content-type", the event itself as the
// message value, and the W3C trace context as "traceparent".
const (
	// HeaderSpecVersion holds the CloudEvents version, "1.0".
	HeaderSpecVersion = "ce_specversion"
	// HeaderID holds the event id, a UUIDv7 in its 36-character text form,
	// unique per Publish call. Consumers may use it to deduplicate
	// redelivered messages.
	HeaderID = "ce_id"
	// HeaderSource holds the producer's name (Config.Name).
	HeaderSource = "ce_source"
	// HeaderType holds the event type, contract.Contract.Type
	// ("deadline.passed").
	HeaderType = "ce_type"
	// HeaderDataSchema holds the URL of the writer schema in the registry,
	// "<registry URL>/schemas/ids/<id>". It is set only when the producer
	// knows the registry's URL; the id is always in the value's wire-format
	// prefix.
	HeaderDataSchema = "ce_dataschema"
	// HeaderContentType holds ContentType.
	HeaderContentType = "content-type"
	// HeaderTraceparent holds the W3C trace context of the publishing call,
	// when its context carries one (see WithTraceparent).
	HeaderTraceparent = "traceparent"
)

// SpecVersion is the CloudEvents version of the headers.
const SpecVersion = "1.0"

// ContentType is the content type of the message value: Avro binary in the
// Confluent wire format (the magic byte 0, the 4-byte big-endian schema id,
// then the Avro body).
const ContentType = "application/avro"

// EventID identifies one published event: a UUIDv7 (RFC 9562), whose first
// 48 bits are the Unix time in milliseconds and whose other 74 bits are
// random (from a ChaCha8 generator the Go runtime seeds from the operating
// system).
type EventID [16]byte

// String returns the id in the 36-character form
// "xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx"; the zero id gives "".
func (id EventID) String() string {
	if id == (EventID{}) {
		return ""
	}
	var b [36]byte
	return string(id.appendText(b[:0]))
}

// Time returns the millisecond timestamp of a UUIDv7.
func (id EventID) Time() time.Time {
	ms := int64(id[0])<<40 | int64(id[1])<<32 | int64(id[2])<<24 | int64(id[3])<<16 | int64(id[4])<<8 | int64(id[5])
	return time.UnixMilli(ms).UTC()
}

// appendText appends the 36-character form to dst.
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
var ErrBadEventID = errors.New("producer: malformed event id")

// ParseEventID parses the 36-character text form of a UUID (any version).
func ParseEventID(s string) (EventID, error) {
	var id EventID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return EventID{}, fmt.Errorf("%w: %q", ErrBadEventID, s)
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i-- // skip the dash: the loop adds 2
			continue
		}
		hi, lo := unhex(s[i]), unhex(s[i+1])
		if hi < 0 || lo < 0 {
			return EventID{}, fmt.Errorf("%w: %q", ErrBadEventID, s)
		}
		id[j] = byte(hi<<4 | lo)
		j++
	}
	return id, nil
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
	r := rand.Uint64()
	binary.BigEndian.PutUint64(id[8:], r)
	r2 := rand.Uint32()
	id[6], id[7] = byte(r2>>8), byte(r2)
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // variant 10
	return id
}

// nowMillis returns the Unix time in milliseconds, as time.Now().UnixMilli()
// does, at about half the cost: it reads only the monotonic clock and adds
// it to the wall time read at most a second before, so a change of the
// system clock shows within a second.
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

// traceKey is the context key of the traceparent.
type traceKey struct{}

// WithTraceparent returns a context carrying the W3C traceparent tp
// ("00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>"); Publish sends it
// as the "traceparent" header. An invalid tp is ignored, as the W3C Trace
// Context specification asks (ctx is returned unchanged).
//
// This is the SDK's OpenTelemetry-free way to propagate a trace; a service
// using OpenTelemetry can instead set Config.Traceparent to read the span
// of the context. The consumer puts the traceparent of each message it
// handles in the handler's context this way, so a handler that publishes
// continues the trace.
func WithTraceparent(ctx context.Context, tp string) context.Context {
	if !ValidTraceparent(tp) {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, tp)
}

// TraceparentFrom returns the traceparent WithTraceparent put in ctx, or "".
func TraceparentFrom(ctx context.Context) string {
	tp, _ := ctx.Value(traceKey{}).(string)
	return tp
}

// ValidTraceparent reports whether tp is a well-formed W3C traceparent of
// version 00 (or a later version, of which the first 55 characters are read
// as version 00's): lower-case hex fields, trace id and parent id not all
// zeros.
func ValidTraceparent(tp string) bool {
	if len(tp) < 55 || (len(tp) > 55 && (tp[:2] == "00" || tp[55] != '-')) {
		return false
	}
	if tp[2] != '-' || tp[35] != '-' || tp[52] != '-' || tp[:2] == "ff" {
		return false
	}
	hexOK := func(s string) (nonZero bool, ok bool) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= '0' && c <= '9':
				nonZero = nonZero || c != '0'
			case c >= 'a' && c <= 'f':
				nonZero = true
			default:
				return false, false
			}
		}
		return nonZero, true
	}
	if _, ok := hexOK(tp[:2]); !ok {
		return false
	}
	if nz, ok := hexOK(tp[3:35]); !ok || !nz {
		return false
	}
	if nz, ok := hexOK(tp[36:52]); !ok || !nz {
		return false
	}
	_, ok := hexOK(tp[53:55])
	return ok
}
