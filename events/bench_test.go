package events

// Benchmarks of the deadline event against hamba/avro and against a
// hand-written floor. Compare with benchstat:
//
//	go test -run='^$' -bench=. -benchmem -count=10 ./events/ > bench.txt
//	benchstat -col /impl bench.txt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/lunchbot/eventkit/sdk/avrobin"
)

func benchDeadline() *DeadlinePassed {
	d := NewDeadlinePassed()
	d.CafeID = 1042
	d.Date = avrobin.Date{Year: 2026, Month: time.November, Day: 27}
	d.Timestamp = time.Date(2026, 11, 27, 11, 30, 0, 123456000, time.UTC)
	return d
}

// hambaDeadline is the struct hamba/avro encodes the event from (a date is
// a time.Time there).
type hambaDeadline struct {
	Type      string    `avro:"type"`
	CafeID    int64     `avro:"cafe_id"`
	Date      time.Time `avro:"date"`
	Timestamp time.Time `avro:"timestamp"`
}

// handAppend is a hand-written encoder of the event: what one would write
// without a generator (encoding/binary's varints are Avro's zig-zag ones).
func handAppend(dst []byte, d *DeadlinePassed) []byte {
	dst = binary.AppendVarint(dst, int64(len(d.Type)))
	dst = append(dst, d.Type...)
	dst = binary.AppendVarint(dst, d.CafeID)
	days, _ := d.Date.Days()
	dst = binary.AppendVarint(dst, int64(days))
	return binary.AppendVarint(dst, d.Timestamp.UnixMicro())
}

var errHand = errors.New("bad input")

// handDecode is a hand-written decoder of the event, with the bounds
// checks it needs not to panic; intern reuses the const "type" rather than
// allocate a copy, as the generated decoder does.
func handDecode(src []byte, d *DeadlinePassed, intern bool) error {
	n, k := binary.Varint(src)
	if k <= 0 || n < 0 || n > int64(len(src)-k) {
		return errHand
	}
	src = src[k:]
	if s := src[:n]; intern && string(s) == "deadline.passed" {
		d.Type = "deadline.passed"
	} else {
		d.Type = string(s)
	}
	src = src[n:]
	if d.CafeID, k = binary.Varint(src); k <= 0 {
		return errHand
	}
	src = src[k:]
	days, k := binary.Varint(src)
	if k <= 0 || days < math.MinInt32 || days > math.MaxInt32 {
		return errHand
	}
	src = src[k:]
	d.Date = avrobin.DateFromDays(int32(days))
	us, k := binary.Varint(src)
	if k <= 0 || k != len(src) {
		return errHand
	}
	d.Timestamp = time.UnixMicro(us).UTC()
	return nil
}

func TestHandCodecsAgree(t *testing.T) {
	d := benchDeadline()
	want, err := d.AppendAvro(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := handAppend(nil, d); !bytes.Equal(got, want) {
		t.Fatalf("handAppend = %x, want %x", got, want)
	}
	for _, intern := range []bool{false, true} {
		var back DeadlinePassed
		if err := handDecode(want, &back, intern); err != nil || back.Type != d.Type || back.CafeID != d.CafeID ||
			back.Date != d.Date || !back.Timestamp.Equal(d.Timestamp) {
			t.Fatalf("handDecode = %+v, %v", back, err)
		}
	}
}

func BenchmarkDeadlineEncode(b *testing.B) {
	d := benchDeadline()
	schema := avro.MustParse(d.Contract().Schema)
	h := hambaDeadline{Type: d.Type, CafeID: d.CafeID, Date: d.Date.Time(), Timestamp: d.Timestamp}
	buf := make([]byte, 0, 64)
	b.Run("impl=generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if buf, err = d.AppendAvro(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = handAppend(buf[:0], d)
		}
	})
	b.Run("impl=hamba-marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := avro.Marshal(schema, h); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=hamba-encoder", func(b *testing.B) {
		var out bytes.Buffer
		enc := avro.NewEncoderForSchema(schema, &out)
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			if err := enc.Encode(h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDeadlineDecode(b *testing.B) {
	d := benchDeadline()
	schema := avro.MustParse(d.Contract().Schema)
	in, err := d.AppendAvro(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=generated", func(b *testing.B) {
		var v DeadlinePassed
		b.ReportAllocs()
		for b.Loop() {
			if err := v.UnmarshalAvro(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=hand", func(b *testing.B) {
		var v DeadlinePassed
		b.ReportAllocs()
		for b.Loop() {
			if err := handDecode(in, &v, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=hand-interned", func(b *testing.B) {
		var v DeadlinePassed
		b.ReportAllocs()
		for b.Loop() {
			if err := handDecode(in, &v, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=hamba-unmarshal", func(b *testing.B) {
		var v hambaDeadline
		b.ReportAllocs()
		for b.Loop() {
			if err := avro.Unmarshal(schema, in, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
