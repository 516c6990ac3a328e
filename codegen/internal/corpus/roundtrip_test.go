package corpus

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// iterations of the property tests; -short runs fewer.
func iterations() int {
	if testing.Short() {
		return 50
	}
	return 400
}

// TestRoundTrip decodes random values written by an encoder of the test's
// own (arrays and maps in random blocks, some with byte sizes), checks the
// decoded value, validates it, encodes it (to the value's one encoding:
// one block per array and map, map keys in order), and decodes that again.
func TestRoundTrip(t *testing.T) {
	for _, ev := range corpusEvents() {
		name := reflect.TypeOf(ev).Elem().Name()
		t.Run(name, func(t *testing.T) {
			root := parsed(t, ev).Root
			g := newGen(1, name)
			enc := &blockEncoder{rng: rand.New(rand.NewPCG(2, 3))}
			canonical := &blockEncoder{canonical: true}
			for i := range iterations() {
				want := g.next(root)
				in := enc.encode(nil, root, want)

				v := newLike(ev)
				if err := v.UnmarshalAvro(in); err != nil {
					t.Fatalf("#%d: UnmarshalAvro(%x): %v\nvalue: %#v", i, in, err, want)
				}
				for j := range in {
					in[j] = 0xa5 // the decoded value must not alias its input
				}
				if diff := normDiff(want, goNorm(root, reflect.ValueOf(v))); diff != "" {
					t.Fatalf("#%d: decoded value differs:\n%s", i, diff)
				}
				if err := v.Validate(); err != nil {
					t.Fatalf("#%d: Validate: %v", i, err)
				}
				out, err := v.AppendAvro([]byte("prefix"))
				if err != nil {
					t.Fatalf("#%d: AppendAvro: %v", i, err)
				}
				if !bytes.HasPrefix(out, []byte("prefix")) {
					t.Fatalf("#%d: AppendAvro lost dst", i)
				}
				out = out[len("prefix"):]
				if want := canonical.encode(nil, root, want); !equalBytes(out, want) {
					t.Fatalf("#%d: AppendAvro wrote\n%x\nwant\n%x", i, out, want)
				}
				again := newLike(ev)
				if err := again.UnmarshalAvro(out); err != nil {
					t.Fatalf("#%d: UnmarshalAvro of AppendAvro's %x: %v", i, out, err)
				}
				if diff := normDiff(want, goNorm(root, reflect.ValueOf(again))); diff != "" {
					t.Fatalf("#%d: re-decoded value differs:\n%s", i, diff)
				}
				if out2, err := again.AppendAvro(nil); err != nil || !equalBytes(out, out2) {
					t.Fatalf("#%d: encoding is not deterministic: %x, then %x (%v)", i, out, out2, err)
				}
				checkPrefixesFail(t, ev, out)
			}
		})
	}
}

// checkPrefixesFail checks that every strict prefix of a valid encoding
// fails to decode (the encoding is self-delimiting), as does the encoding
// with a byte more, and that a failed decode leaves the value alone.
func checkPrefixesFail(t *testing.T, ev contract.Event, enc []byte) {
	t.Helper()
	step := 1 + len(enc)/40 // long encodings: a sample of prefixes
	for n := 0; n < len(enc); n += step {
		v := newLike(ev)
		before := reflect.ValueOf(v).Elem().Interface()
		err := v.UnmarshalAvro(enc[:n])
		if err == nil {
			t.Fatalf("prefix %x of %x decoded", enc[:n], enc)
		}
		var de *avrobin.DecodeError
		if !errors.As(err, &de) || !errors.Is(err, avrobin.ErrMalformed) {
			t.Fatalf("prefix error is not a *avrobin.DecodeError: %v", err)
		}
		if !reflect.DeepEqual(before, reflect.ValueOf(v).Elem().Interface()) {
			t.Fatalf("a failed UnmarshalAvro changed the value")
		}
	}
	err := newLike(ev).UnmarshalAvro(append(append([]byte{}, enc...), 0))
	if !errors.Is(err, avrobin.ErrTrailingBytes) {
		t.Fatalf("a trailing byte: err = %v, want ErrTrailingBytes", err)
	}
}

func TestContracts(t *testing.T) {
	want := map[string]contract.Contract{
		"corpus.Primitives": {Type: "corpus.primitives", Name: "corpus.Primitives", Topic: "corpus.primitives",
			Subject: "corpus.primitives-value", Compatibility: contract.Backward, KeyField: "id"},
		"corpus.Recursive": {Type: "corpus.recursive", Name: "corpus.Recursive", Topic: "corpus.recursive",
			Subject: "corpus.Recursive", Compatibility: contract.Backward, KeyField: "id"},
		"corpus.Logical": {Type: "corpus.logical", Name: "corpus.Logical", Topic: "corpus.logical",
			Subject: "corpus.logical-value", Compatibility: contract.FullTransitive},
		"corpus.SharedB": {Type: "corpus.shared_b", Name: "corpus.SharedB", Topic: "corpus.shared",
			Subject: "corpus.shared-b", Compatibility: contract.Backward},
	}
	for _, ev := range corpusEvents() {
		c := ev.Contract()
		if c != ev.Contract() {
			t.Errorf("%s: Contract returns a new pointer each call", c.Name)
		}
		p := parsed(t, ev)
		if c.Canonical != p.Canonical() || c.CRC64 != p.CRC64() || c.SHA256 != p.SHA256() {
			t.Errorf("%s: canonical form or fingerprints differ from the schema's", c.Name)
		}
		if w, ok := want[c.Name]; ok {
			got := *c
			got.Schema, got.Canonical, got.CRC64, got.SHA256 = "", "", 0, [32]byte{}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("%s: contract :\n%s", c.Name, diff)
			}
		}
	}
}

// TestHostileCollectionsAllocateLittle decodes 20-byte inputs whose arrays
// and maps claim 2^30 items (with and without a byte size), of items that
// take bytes and of items that take none, and checks that the decoders fail
// without allocating anything of that size.
func TestHostileCollectionsAllocateLittle(t *testing.T) {
	claim := func(prefix []byte, count int64, size bool) []byte {
		in := append([]byte{}, prefix...)
		if size {
			in = avrobin.AppendLong(avrobin.AppendLong(in, -count), 1<<30)
		} else {
			in = avrobin.AppendLong(in, count)
		}
		return append(in, make([]byte, 20)...)[:20]
	}
	var inputs [][]byte
	for _, size := range []bool{false, true} {
		inputs = append(inputs,
			claim([]byte{0x02}, 1<<30, size),                         // numbers: longs
			claim([]byte{0x02, 0, 0, 0, 0}, 1<<30, size),             // labels: a map
			claim([]byte{0x02, 0, 0, 0, 0, 0, 0, 0}, 1<<30, size),    // nulls: zero-width items
			claim([]byte{0x02, 0, 0, 0, 0, 0, 0, 0, 0}, 1<<30, size), // empties: empty records
		)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 50 {
		for _, in := range inputs {
			if err := new(Collections).UnmarshalAvro(in); err == nil {
				t.Fatalf("%x decoded", in)
			}
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("400 hostile decodes allocated %d bytes", grew)
	}
	// The zero-width claim fails for its count, not for want of bytes.
	err := new(Collections).UnmarshalAvro(claim([]byte{0x02, 0, 0, 0, 0, 0, 0, 0}, 1<<30, false))
	var de *avrobin.DecodeError
	if !errors.As(err, &de) || de.Field != "nulls" || !errors.Is(err, avrobin.ErrTooManyItems) {
		t.Errorf("2^30 nulls: %v", err)
	}
}
