package schema_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

func TestTranscodeMalformed(t *testing.T) {
	res, err := schema.NewResolver(schema.MustParse(richWriter), schema.MustParse(richReader))
	if err != nil {
		t.Fatal(err)
	}
	valid := marshal(t, richWriter, richValue)
	inputs := map[string][]byte{
		"empty":            {},
		"trailing byte":    append(append([]byte{}, valid...), 0),
		"overlong varint":  bytes.Repeat([]byte{0xff}, 11),
		"int out of range": {0x80, 0x80, 0x80, 0x80, 0x20},
		"int of 6 bytes":   {0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
		"string too long":  {0x02, 0x02, 0x7e},
		"negative length":  {0x02, 0x02, 0x01},
		"huge block count": {0x02, 0x02, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"min block count":  {0x02, 0x02, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	}
	for i := 1; i < len(valid); i++ {
		inputs[fmt.Sprintf("truncated to %d", i)] = valid[:i]
	}
	for name, in := range inputs {
		dst := []byte("dst")
		out, err := res.Transcode(dst, in)
		if !errors.Is(err, schema.ErrMalformed) {
			t.Errorf("%s: Transcode(%x) err = %v, want ErrMalformed", name, in, err)
		}
		if string(out) != "dst" {
			t.Errorf("%s: Transcode changed dst to %q on error", name, out)
		}
	}
}

// TestTranscodeNamesTheReason checks that Transcode's errors carry the
// reason avrobin's Reader found, as generated decoders report it.
func TestTranscodeNamesTheReason(t *testing.T) {
	res, err := schema.NewResolver(schema.MustParse(richWriter), schema.MustParse(richReader))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		src  []byte
		want error
	}{
		{"truncated", []byte{0x02, 0x02}, avrobin.ErrTruncated},
		{"int of 6 bytes", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, avrobin.ErrOverflow},
		{"negative length", []byte{0x02, 0x02, 0x01}, avrobin.ErrLength},
	} {
		_, err := res.Transcode(nil, tt.src)
		if !errors.Is(err, schema.ErrMalformed) || !errors.Is(err, tt.want) {
			t.Errorf("%s: Transcode(%x) err = %v, want ErrMalformed and %v", tt.name, tt.src, err, tt.want)
		}
	}
}

func TestTranscodeBadIndexes(t *testing.T) {
	tests := []struct {
		name, writer, reader string
		src                  []byte
	}{
		{"enum index", `{"type":"enum","name":"E","symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A"]}`, []byte{0x02}},
		{"negative enum index", `{"type":"enum","name":"E","symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A"]}`, []byte{0x01}},
		{"union index", `["null","int"]`, `["null","int"]`, []byte{0x04}},
		{"boolean byte", `"boolean"`, `"boolean"`, []byte{0x02}},
		{"skipped union index", record(field("g", `["null","int"]`, ""), field("a", `"int"`, "")), record(field("a", `"int"`, "")), []byte{0x06, 0x00}},
		{"zero-width items beyond the budget", `{"type":"array","items":"null"}`, `{"type":"array","items":"null"}`, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := schema.NewResolver(schema.MustParse(tt.writer), schema.MustParse(tt.reader))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := res.Transcode(nil, tt.src); !errors.Is(err, schema.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestTranscodeDeepRecursionIsBounded(t *testing.T) {
	// L -> ["null", L] nested far deeper than the limit: an error, not a
	// stack overflow.
	s := `{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}`
	res, err := schema.NewResolver(schema.MustParse(s), schema.MustParse(s))
	if err != nil {
		t.Fatal(err)
	}
	src := append(bytes.Repeat([]byte{0x02}, 50000), 0x00)
	if _, err := res.Transcode(nil, src); !errors.Is(err, schema.ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	// Within the limit it works.
	src = append(bytes.Repeat([]byte{0x02}, 100), 0x00)
	out, err := res.Transcode(nil, src)
	if err != nil || !bytes.Equal(out, src) {
		t.Fatalf("Transcode = %x, %v; want the input back", out, err)
	}
}

func FuzzTranscode(f *testing.F) {
	f.Add(marshal(f, richWriter, richValue))
	f.Add([]byte{})
	f.Add([]byte{0x02, 0x02, 0x00, 0x03, 0x02, 0x00})
	writer, reader := schema.MustParse(richWriter), schema.MustParse(richReader)
	res, err := schema.NewResolver(writer, reader)
	if err != nil {
		f.Fatal(err)
	}
	hr := hambaParse(f, richReader)
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := res.Transcode([]byte{0xaa}, src)
		if err != nil {
			if !errors.Is(err, schema.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if len(out) != 1 {
				t.Fatalf("dst changed on error: %x", out)
			}
			return
		}
		// What the resolver accepts, an independent reader of the reader
		// schema reads.
		var v any
		if err := hambaAPI().Unmarshal(hr, out[1:], &v); err != nil {
			t.Fatalf("Transcode(%x) = %x, which hamba cannot read: %v", src, out[1:], err)
		}
	})
}

func BenchmarkTranscode(b *testing.B) {
	res, err := schema.NewResolver(schema.MustParse(richWriter), schema.MustParse(richReader))
	if err != nil {
		b.Fatal(err)
	}
	src := marshal(b, richWriter, richValue)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		if buf, err = res.Transcode(buf[:0], src); err != nil {
			b.Fatal(err)
		}
	}
}
