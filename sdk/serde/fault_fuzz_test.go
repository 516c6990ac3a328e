package serde_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// The schema ids of the fuzzed registry: the generated deadline schema, an
// older and a newer version of it, the daily task, a non-record schema and
// a text that is no schema at all.
const (
	fuzzIDDeadline = 1
	fuzzIDOlder    = 2
	fuzzIDNewer    = 3
	fuzzIDDaily    = 4
	fuzzIDString   = 5
	fuzzIDJunk     = 6
)

func fuzzRegistry() *memRegistry {
	return newMemRegistry(map[int]string{
		fuzzIDDeadline: events.DeadlinePassedContract.Schema,
		fuzzIDOlder:    deadlineOlder,
		fuzzIDNewer:    deadlineNewer,
		fuzzIDDaily:    events.DailyTaskContract.Schema,
		fuzzIDString:   `"string"`,
		fuzzIDJunk:     `not a schema`,
	})
}

// realMessages are wire-format messages as the producer writes them
// (serde.Serializer over the generated events) and as older and newer
// writers write them (hamba/avro with their schemas).
func realMessages(tb testing.TB) [][]byte {
	tb.Helper()
	ctx := context.Background()
	s := serde.NewSerializer(fuzzRegistry(), serde.SerializerConfig{})
	var out [][]byte
	for _, e := range []contract.Event{
		sampleDeadline(),
		&events.DeadlinePassed{Type: "deadline.passed", CafeID: -1 << 40, Date: avrobin.Date{Year: 1970, Month: 1, Day: 1}, Timestamp: time.UnixMicro(0).UTC()},
		&events.DailyTask{Type: "generate_recommendations", Timestamp: time.Date(2025, 11, 28, 6, 0, 0, 0, time.UTC)},
		&events.DailyTask{Type: "Zürich 🍱", Timestamp: time.UnixMicro(-1).UTC()},
	} {
		msg, _, err := s.Append(ctx, nil, e)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, msg)
	}
	in := sampleDeadline()
	out = append(out,
		append(wireHeader(fuzzIDOlder), encodeWith(tb, deadlineOlder, map[string]any{
			"cafe_id": int64(12), "date": in.Date.Time(), "timestamp": in.Timestamp,
		})...),
		append(wireHeader(fuzzIDNewer), encodeWith(tb, deadlineNewer, map[string]any{
			"type": "deadline.passed", "cafe_id": int64(12), "date": in.Date.Time(), "timestamp": in.Timestamp,
			"reason": map[string]any{"string": "kitchen closed"},
		})...),
	)
	return out
}

// decodeErrors are the errors Decode may return for a bad message; anything
// else is a bug.
var decodeErrors = []error{wire.ErrTooShort, wire.ErrBadMagic, registry.ErrSchemaNotFound, serde.ErrSchemaMismatch, serde.ErrDecode}

// FuzzDecodeEvents feeds arbitrary bytes, seeded with real messages, to the
// Deserializer reading the generated events (fast path, resolution from
// older and newer writers, other subjects' ids, non-record schemas). Every
// input decodes or fails with a classified error; no input panics (not
// even one the Deserializer would recover from); a decoded event holds no
// string longer than the message could carry.
func FuzzDecodeEvents(f *testing.F) {
	for _, m := range realMessages(f) {
		f.Add(m)
	}
	// Hostile seeds: a string length of 2^62, a bad magic, a truncation.
	f.Add(append(wireHeader(fuzzIDDeadline), 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))
	f.Add([]byte{1, 0, 0, 0, 1, 2})
	f.Add(wireHeader(fuzzIDNewer)[:3])
	d := serde.NewDeserializer(fuzzRegistry(), serde.DeserializerConfig{})
	ctx := context.Background()
	// The longest default the reader schema may add when resolving.
	const defaults = len("deadline.passed")
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, dst := range []contract.Event{&events.DeadlinePassed{}, &events.DailyTask{}} {
			_, err := d.Decode(ctx, msg, dst)
			if err != nil {
				if strings.Contains(err.Error(), "panicked") {
					t.Fatalf("Decode(%x) into %T: %v", msg, dst, err)
				}
				known := false
				for _, target := range decodeErrors {
					known = known || errors.Is(err, target)
				}
				if !known {
					t.Fatalf("Decode(%x) into %T: unclassified error %v", msg, dst, err)
				}
				continue
			}
			var s string
			switch e := dst.(type) {
			case *events.DeadlinePassed:
				s = e.Type
			case *events.DailyTask:
				s = e.Type
			}
			if len(s) > len(msg)+defaults {
				t.Fatalf("Decode(%x) into %T: a %d-byte string from a %d-byte message", msg, dst, len(s), len(msg))
			}
			if err := dst.Validate(); err == nil {
				if _, err := dst.AppendAvro(nil); err != nil {
					t.Fatalf("Decode(%x) into %T gave %+v, which does not encode: %v", msg, dst, dst, err)
				}
			}
		}
	})
}

// TestFuzzSeedsDecode checks that the fuzz seeds are real: each decodes into
// the event its schema belongs to.
func TestFuzzSeedsDecode(t *testing.T) {
	d := serde.NewDeserializer(fuzzRegistry(), serde.DeserializerConfig{})
	for _, msg := range realMessages(t) {
		id, _, err := wire.Parse(msg)
		if err != nil {
			t.Fatal(err)
		}
		var dst contract.Event = &events.DeadlinePassed{}
		if id == fuzzIDDaily {
			dst = &events.DailyTask{}
		}
		if _, err := d.Decode(context.Background(), msg, dst); err != nil {
			t.Errorf("seed %x (id %d): %v", msg, id, err)
		}
	}
}
