package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/wire"
)

func TestAppendHeaderLayout(t *testing.T) {
	for _, id := range []uint32{0, 1, 255, 256, 0x01020304, 1<<31 + 7, ^uint32(0)} {
		got := wire.AppendHeader([]byte("prefix"), id)
		want := append([]byte("prefix"), 0)
		want = binary.BigEndian.AppendUint32(want, id)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("AppendHeader(%d) (-want +got):\n%s", id, diff)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, body := range [][]byte{nil, {0}, []byte("avro body bytes")} {
		msg := append(wire.AppendHeader(nil, 0xdeadbeef), body...)
		id, gotBody, err := wire.Parse(msg)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if id != 0xdeadbeef {
			t.Errorf("id = %#x, want 0xdeadbeef", id)
		}
		if !bytes.Equal(gotBody, body) {
			t.Errorf("body = %q, want %q", gotBody, body)
		}
		if len(body) > 0 && &gotBody[0] != &msg[wire.HeaderSize] {
			t.Errorf("body is a copy, want a sub-slice of the message")
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want error
	}{
		{"nil", nil, wire.ErrTooShort},
		{"empty", []byte{}, wire.ErrTooShort},
		{"four bytes", []byte{0, 0, 0, 1}, wire.ErrTooShort},
		{"json", []byte(`{"cafe_id":1}`), wire.ErrBadMagic},
		{"magic 1", []byte{1, 0, 0, 0, 1, 2}, wire.ErrBadMagic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := wire.Parse(tt.msg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.msg, err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 0, 0, 1, 2, 3})
	f.Add([]byte{1, 0, 0, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, msg []byte) {
		id, body, err := wire.Parse(msg)
		switch {
		case len(msg) < wire.HeaderSize:
			if !errors.Is(err, wire.ErrTooShort) {
				t.Fatalf("short message: err = %v", err)
			}
			return
		case msg[0] != 0:
			if !errors.Is(err, wire.ErrBadMagic) {
				t.Fatalf("bad magic: err = %v", err)
			}
			return
		case err != nil:
			t.Fatalf("valid header: %v", err)
		}
		// Re-framing what Parse returned gives back the message.
		again := append(wire.AppendHeader(nil, id), body...)
		if !bytes.Equal(again, msg) {
			t.Fatalf("AppendHeader(Parse(msg)) = %x, want %x", again, msg)
		}
	})
}

func BenchmarkAppendHeaderParse(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = wire.AppendHeader(buf[:0], uint32(i))
		buf = append(buf, 2, 4, 6)
		if _, _, err := wire.Parse(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleParse() {
	msg := wire.AppendHeader(nil, 42)
	msg = append(msg, 0x02) // the Avro body: a long 1
	id, body, err := wire.Parse(msg)
	fmt.Println(id, body, err) //nolint:staticcheck // QF1010: the body's bytes are what it shows
	// Output: 42 [2] <nil>
}
