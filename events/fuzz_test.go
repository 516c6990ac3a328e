package events

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/avrobin"
)

func deadlineSeeds(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 8 {
		b, err := randomDeadline(rng).AppendAvro(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x08})
}

// FuzzDecodeDeadlinePassed: any input decodes to a value or fails with a
// *avrobin.DecodeError, never panics; a value decoded encodes again, to no
// more bytes than it came from, and decodes to itself.
func FuzzDecodeDeadlinePassed(f *testing.F) {
	deadlineSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var d DeadlinePassed
		err := d.UnmarshalAvro(in)
		if err != nil {
			var de *avrobin.DecodeError
			if !errors.As(err, &de) || !errors.Is(err, avrobin.ErrMalformed) || de.Offset < 0 || de.Offset > len(in) {
				t.Fatalf("error %v is not a *avrobin.DecodeError within the input", err)
			}
			if d != (DeadlinePassed{}) {
				t.Fatalf("a failed decode changed the value: %+v", d)
			}
			return
		}
		if len(d.Type) > len(in) {
			t.Fatalf("a %d-byte string from %d bytes", len(d.Type), len(in))
		}
		out, err := d.AppendAvro(nil)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", d, err)
		}
		if len(out) > len(in) || len(out) == len(in) && !bytes.Equal(out, in) {
			t.Fatalf("%x decoded to %+v, which encodes as %x", in, d, out)
		}
		var again DeadlinePassed
		if err := again.UnmarshalAvro(out); err != nil || again.Type != d.Type || again.CafeID != d.CafeID ||
			again.Date != d.Date || !again.Timestamp.Equal(d.Timestamp) || again.Timestamp.Location() != time.UTC {
			t.Fatalf("%x: %+v, then %+v (%v)", out, d, again, err)
		}
	})
}

// FuzzDecodeDailyTask is FuzzDecodeDeadlinePassed for the daily task.
func FuzzDecodeDailyTask(f *testing.F) {
	for _, typ := range []string{"", "generate_recommendations", "Zürich 🍱"} {
		b, err := (&DailyTask{Type: typ, Timestamp: time.UnixMicro(1_764_240_000_000_000)}).AppendAvro(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var d DailyTask
		if err := d.UnmarshalAvro(in); err != nil {
			if !errors.Is(err, avrobin.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		out, err := d.AppendAvro(nil)
		if err != nil || len(out) > len(in) {
			t.Fatalf("%x decoded to %+v, which encodes as %x (%v)", in, d, out, err)
		}
		var again DailyTask
		if err := again.UnmarshalAvro(out); err != nil || again.Type != d.Type || !again.Timestamp.Equal(d.Timestamp) {
			t.Fatalf("%x: %+v, then %+v (%v)", out, d, again, err)
		}
	})
}
