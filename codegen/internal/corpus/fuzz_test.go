package corpus

import (
	"errors"
	"reflect"
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// FuzzDecodeCorpus decodes arbitrary input as the corpus type its first
// byte picks. Any input gives a value or a *avrobin.DecodeError, never a
// panic; a value decoded encodes again (unless a decimal has more digits
// than its precision, which the reader leaves to Validate) to no more
// bytes, and decodes to the same value.
func FuzzDecodeCorpus(f *testing.F) {
	g := newGen(7, "fuzz")
	for i, ev := range corpusEvents() {
		root := parsed(f, ev).Root
		for range 3 {
			v := newLike(ev)
			if err := v.UnmarshalAvro((&blockEncoder{rng: g.rng}).encode(nil, root, g.next(root))); err != nil {
				f.Fatal(err)
			}
			b, err := v.AppendAvro([]byte{byte(i)})
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	events := corpusEvents()
	roots := make([]*schema.Schema, len(events))
	for i, ev := range events {
		roots[i] = parsed(f, ev).Root
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		which := int(data[0]) % len(events)
		ev, root := events[which], roots[which]
		in := data[1:]
		v := newLike(ev)
		if err := v.UnmarshalAvro(in); err != nil {
			var de *avrobin.DecodeError
			if !errors.As(err, &de) || de.Offset < 0 || de.Offset > len(in) {
				t.Fatalf("error %v is not a *avrobin.DecodeError within the input", err)
			}
			return
		}
		out, err := v.AppendAvro(nil)
		if err != nil {
			if !errors.Is(err, avrobin.ErrDecimal) {
				t.Fatalf("%T decoded from %x does not encode: %v", v, in, err)
			}
			return
		}
		if len(out) > len(in) {
			t.Fatalf("%T: %d bytes decoded, %d encoded", v, len(in), len(out))
		}
		again := newLike(ev)
		if err := again.UnmarshalAvro(out); err != nil {
			t.Fatalf("%T: %x does not decode: %v", v, out, err)
		}
		if diff := normDiff(goNorm(root, reflect.ValueOf(v)), goNorm(root, reflect.ValueOf(again))); diff != "" {
			t.Fatalf("%T: re-decoded value differs:\n%s", v, diff)
		}
	})
}
