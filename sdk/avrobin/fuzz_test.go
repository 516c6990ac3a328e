package avrobin

import (
	"errors"
	"testing"
)

// FuzzReader runs a program of reads over arbitrary input: the first byte
// picks the reads, the rest is the input. Any input must give values or
// errors, never a panic; a failed read must leave the offset alone; what is
// read must be bounded by the input.
func FuzzReader(f *testing.F) {
	f.Add([]byte{0x00, 0x02, 'h', 'i'})
	f.Add([]byte{0x13, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x04, 0x01})
	f.Add(append([]byte{0x27}, AppendLong(nil, -(1<<40))...))
	f.Add(append([]byte{0x3b}, AppendString(nil, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")...))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		prog, in := data[0], data[1:]
		r := NewReader(in)
		for step := 0; step < 64 && r.Len() > 0; step++ {
			op := (int(prog) + step*7) % 16
			before := r.Offset()
			var err error
			switch op {
			case 0:
				var v int64
				if v, err = r.ReadLong(); err == nil && len(AppendLong(nil, v)) > r.Offset()-before {
					t.Fatalf("long %d from %d bytes", v, r.Offset()-before)
				}
			case 1:
				_, err = r.ReadInt()
			case 2:
				_, err = r.ReadBoolean()
			case 3:
				_, err = r.ReadFloat()
			case 4:
				_, err = r.ReadDouble()
			case 5:
				var b []byte
				if b, err = r.ReadBytes(); err == nil && len(b) > len(in) {
					t.Fatalf("%d bytes from %d", len(b), len(in))
				}
			case 6:
				var s string
				if s, err = r.ReadString(); err == nil && len(s) > len(in) {
					t.Fatalf("%d-byte string from %d", len(s), len(in))
				}
			case 7:
				_, err = r.ReadIndex(int(prog%5) + 1)
			case 8:
				var n int
				itemMin := int(prog % 3)
				if n, err = r.ReadBlockLen(0, itemMin); err == nil {
					if itemMin > 0 && n*itemMin > r.Len() || n > MaxZeroWidthItems {
						t.Fatalf("block of %d items of %d bytes with %d left", n, itemMin, r.Len())
					}
				}
			case 9:
				_, err = r.ReadDate()
			case 10:
				_, err = r.ReadTimestampMicros()
			case 11:
				_, err = r.ReadUUID()
			case 12:
				_, err = r.ReadDecimal(int(prog%40)+1, int(prog%7))
			case 13:
				_, err = r.ReadFixedDecimal(int(prog%17), int(prog%5))
			case 14:
				_, err = r.ReadDuration()
			case 15:
				_, err = r.ReadTimeMicros()
			}
			if r.Offset() > len(in) || r.Offset() < before {
				t.Fatalf("op %d moved the offset from %d to %d of %d", op, before, r.Offset(), len(in))
			}
			if err != nil {
				if r.Offset() != before {
					t.Fatalf("failed op %d moved the offset from %d to %d", op, before, r.Offset())
				}
				if errors.Is(err, ErrMalformed) {
					t.Fatalf("bare reader error should not be wrapped: %v", err)
				}
				return
			}
		}
	})
}
