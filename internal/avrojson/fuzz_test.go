package avrojson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
)

// fuzzSchemas are the schemas the fuzz targets pick from with their first
// argument. The first two read back exactly in both styles (kitchen sink)
// or in the Avro JSON style (ambiguous unions).
var fuzzSchemas = func() []*schema.Schema {
	texts := []string{kitchenSink, ambiguous, recordSchema, unionSchema}
	for _, c := range codecCases {
		texts = append(texts, c.schema)
	}
	out := make([]*schema.Schema, len(texts))
	for i, text := range texts {
		out[i] = schema.MustParse(text).Root
	}
	return out
}()

func fuzzSchema(which uint8) (*schema.Schema, int) {
	i := int(which) % len(fuzzSchemas)
	return fuzzSchemas[i], i
}

func addDecodeSeeds(f *testing.F) {
	for i, s := range fuzzSchemas[:2] {
		g := &gen{r: rand.New(rand.NewPCG(7, uint64(i)))}
		for k := 0; k < 5; k++ {
			f.Add(uint8(i), g.value(nil, s, 0))
		}
	}
	for i, c := range codecCases {
		b, _ := hexDecode(c.hex)
		f.Add(uint8(4+i), b)
	}
}

func hexDecode(s string) ([]byte, error) {
	b := make([]byte, len(s)/2)
	for i := range b {
		var v byte
		for _, c := range []byte(s[2*i : 2*i+2]) {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= c - '0'
			case c >= 'a' && c <= 'f':
				v |= c - 'a' + 10
			default:
				return nil, errors.New("bad hex")
			}
		}
		b[i] = v
	}
	return b, nil
}

// FuzzDecode: Decode never panics; what it accepts is valid JSON; Encode of
// that JSON either refuses it as invalid (a value the schema's rules forbid
// but the bytes can hold, such as a decimal beyond its precision) or gives
// bytes that decode to the same JSON.
func FuzzDecode(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		s, _ := fuzzSchema(which)
		for _, style := range []avrojson.Style{avrojson.Plain, avrojson.AvroJSON} {
			opts := avrojson.Options{Style: style}
			js, err := avrojson.Decode(s, data, opts)
			if err != nil {
				if !errors.Is(err, avrojson.ErrMalformed) {
					t.Fatalf("Decode error %v does not match ErrMalformed", err)
				}
				continue
			}
			if !json.Valid(js) {
				t.Fatalf("Decode wrote invalid JSON: %s", js)
			}
			back, err := avrojson.Encode(s, js, opts)
			if err != nil {
				if !errors.Is(err, avrojson.ErrInvalid) {
					t.Fatalf("Encode(%s) error %v does not match ErrInvalid", js, err)
				}
				continue
			}
			again, err := avrojson.Decode(s, back, opts)
			if err != nil {
				t.Fatalf("Decode(Encode(%s)) = %x: %v", js, back, err)
			}
			if style == avrojson.AvroJSON && !bytes.Equal(again, js) {
				t.Fatalf("Decode(Encode(json)) differs:\n json  %s\n again %s", js, again)
			}
		}
	})
}

// FuzzEncode: Encode never panics; its errors match ErrInvalid; what it
// writes decodes, and decoding and encoding again gives the same bytes (in
// the Avro JSON style always, in plain JSON for schemas whose unions plain
// JSON tells apart).
func FuzzEncode(f *testing.F) {
	for i, s := range fuzzSchemas[:2] {
		g := &gen{r: rand.New(rand.NewPCG(8, uint64(i)))}
		for k := 0; k < 3; k++ {
			for _, style := range []avrojson.Style{avrojson.Plain, avrojson.AvroJSON} {
				js, err := avrojson.Decode(s, g.value(nil, s, 0), avrojson.Options{Style: style})
				if err != nil {
					f.Fatal(err)
				}
				f.Add(uint8(i), js)
			}
		}
	}
	for i, c := range codecCases {
		f.Add(uint8(4+i), []byte(c.plain))
		if c.avro != "" {
			f.Add(uint8(4+i), []byte(c.avro))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, js []byte) {
		s, idx := fuzzSchema(which)
		for _, style := range []avrojson.Style{avrojson.Plain, avrojson.AvroJSON} {
			opts := avrojson.Options{Style: style}
			b, err := avrojson.Encode(s, js, opts)
			if err != nil {
				if !errors.Is(err, avrojson.ErrInvalid) {
					t.Fatalf("Encode error %v does not match ErrInvalid", err)
				}
				continue
			}
			for _, out := range []avrojson.Style{avrojson.Plain, avrojson.AvroJSON} {
				if out == avrojson.Plain && idx != 0 {
					continue // plain JSON may pick another union branch
				}
				dec, err := avrojson.Decode(s, b, avrojson.Options{Style: out})
				if err != nil {
					t.Fatalf("Decode(Encode(%q)) = Decode(%x): %v", js, b, err)
				}
				back, err := avrojson.Encode(s, dec, avrojson.Options{Style: out})
				if err != nil {
					t.Fatalf("Encode(%s) of Decode output: %v", dec, err)
				}
				if !bytes.Equal(back, b) {
					t.Fatalf("round trip through %v differs:\n in   %q\n json %s\n b    %x\n back %x", out, js, dec, b, back)
				}
			}
		}
	})
}
