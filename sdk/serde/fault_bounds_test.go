package serde_test

import (
	"context"
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// allocLimit is what one decode of a hostile message of a few bytes may
// allocate: far below any of the sizes the messages claim (2^20 to 2^62
// bytes or items), above what the decoders legitimately need (avrojson's
// output for its MaxZeroSizeItems nulls is 320 KiB).
const allocLimit = 1 << 20

// bytesPerRun returns the bytes f allocates per call, averaged over runs
// (runtime.ReadMemStats' TotalAlloc, process-wide: the test runs nothing
// else meanwhile).
func bytesPerRun(runs int, f func()) uint64 {
	f() // warm caches and pools up
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// long appends Avro's zig-zag varint of n.
func long(b []byte, n int64) []byte { return binary.AppendVarint(b, n) }

// hostileSchema has every kind of length prefix Avro has.
const hostileSchema = `{"type":"record","name":"H","namespace":"t","fields":[
	{"name":"s","type":"string"},
	{"name":"b","type":"bytes"},
	{"name":"a","type":{"type":"array","items":"long"}},
	{"name":"m","type":{"type":"map","values":"string"}},
	{"name":"n","type":{"type":"array","items":"null"}},
	{"name":"e","type":{"type":"array","items":{"type":"record","name":"E","fields":[]}}}]}`

// hostileReader is hostileSchema with a field more, so that resolving
// hostileSchema to it is not the identity.
const hostileReader = `{"type":"record","name":"H","namespace":"t","fields":[
	{"name":"s","type":"string"},
	{"name":"b","type":"bytes"},
	{"name":"a","type":{"type":"array","items":"long"}},
	{"name":"m","type":{"type":"map","values":"string"}},
	{"name":"n","type":{"type":"array","items":"null"}},
	{"name":"e","type":{"type":"array","items":{"type":"record","name":"E","fields":[]}}},
	{"name":"x","type":"int","default":7}]}`

// hostileInputs are short values of hostileSchema whose length prefixes
// claim far more than they hold.
func hostileInputs() map[string][]byte {
	empty := func() []byte { return long(nil, 0) } // s = ""
	return map[string][]byte{
		"string 2^62":                  append(long(nil, 1<<62), "abc"...),
		"string 2^31":                  append(long(nil, 1<<31), "abc"...),
		"negative string length":       long(nil, -5),
		"bytes 2^40":                   append(long(empty(), 1<<40), 1, 2, 3),
		"array 2^30 longs":             long(long(long(empty(), 0), 1<<30), 2),
		"array block -2^30, size 2^40": long(long(long(long(empty(), 0), -(1<<30)), 1<<40), 2),
		"map 2^30 entries":             long(long(long(long(empty(), 0), 0), 1<<30), 2),
		"array 2^30 nulls":             long(long(long(long(long(empty(), 0), 0), 0), 1<<30), 0),
		"array 2^62 nulls in blocks":   long(long(long(long(long(long(long(empty(), 0), 0), 0), 1<<62), 1<<62), 1<<62), 0),
		"array 2^30 empty records":     long(long(long(long(long(long(empty(), 0), 0), 0), 0), 1<<30), 0),
	}
}

// TestFaultBoundsHostileLengthPrefixes decodes hostile messages with every
// decoder a consumer's bytes go through: the generated events' decoders,
// serde.Deserializer (fast path and resolution), schema.Resolver's
// Transcode and avrojson's Decode. Each fails (or decodes what little is
// there) and allocates at most allocLimit per message, whatever the length
// prefixes claim.
func TestFaultBoundsHostileLengthPrefixes(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, name string, f func() error) {
		t.Helper()
		var err error
		n := bytesPerRun(20, func() { err = f() })
		t.Logf("%-40s %8d B/op  %v", name, n, err)
		if n > allocLimit {
			t.Errorf("%s: %d bytes allocated per decode, want at most %d", name, n, allocLimit)
		}
	}

	t.Run("generated events", func(t *testing.T) {
		// deadline.passed: type string, cafe_id long, date int, timestamp
		// long; daily_task: type string, timestamp long.
		for name, in := range map[string][]byte{
			"string 2^62":   append(long(nil, 1<<62), "deadline.passed"...),
			"string 2^31":   append(long(nil, 1<<31), "x"...),
			"string -1":     long(nil, -1),
			"string 2^24":   append(long(nil, 1<<24), make([]byte, 100)...),
			"overlong long": {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		} {
			check(t, "DeadlinePassed "+name, func() error { var d events.DeadlinePassed; return d.UnmarshalAvro(in) })
			check(t, "DailyTask "+name, func() error { var d events.DailyTask; return d.UnmarshalAvro(in) })
		}
	})

	t.Run("serde", func(t *testing.T) {
		d := serde.NewDeserializer(fuzzRegistry(), serde.DeserializerConfig{})
		for name, body := range map[string][]byte{
			"string 2^62": append(long(nil, 1<<62), "deadline.passed"...),
			"string 2^31": append(long(nil, 1<<31), "x"...),
		} {
			for _, id := range []int{fuzzIDDeadline, fuzzIDNewer} {
				msg := append(wire.AppendHeader(nil, uint32(id)), body...)
				check(t, "Decode "+name+" id "+string(rune('0'+id)), func() error {
					var e events.DeadlinePassed
					_, err := d.Decode(ctx, msg, &e)
					return err
				})
			}
			// The older writer starts with cafe_id, a long: a date and a
			// timestamp follow, no length prefix; use the daily task's.
			msg := append(wire.AppendHeader(nil, fuzzIDDaily), body...)
			check(t, "Decode daily_task "+name, func() error {
				var e events.DailyTask
				_, err := d.Decode(ctx, msg, &e)
				return err
			})
		}
	})

	w, r := schema.MustParse(hostileSchema), schema.MustParse(hostileReader)
	res, err := schema.NewResolver(w, r)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range hostileInputs() {
		t.Run("resolver", func(t *testing.T) {
			buf := make([]byte, 0, 512)
			check(t, "Transcode "+name, func() error { _, err := res.Transcode(buf[:0], in); return err })
		})
		t.Run("avrojson", func(t *testing.T) {
			for _, style := range []avrojson.Style{avrojson.Plain, avrojson.AvroJSON} {
				check(t, "avrojson "+style.String()+" "+name, func() error {
					_, err := avrojson.Decode(w.Root, in, avrojson.Options{Style: style})
					return err
				})
			}
		})
	}
}

var _ contract.Event = (*events.DailyTask)(nil)
