package avrobin

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hamba/avro/v2"
)

var edgeLongs = []int64{0, 1, -1, 63, -64, 64, -65, 127, 128, math.MaxInt32, math.MinInt32,
	math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}

// hambaWrite runs fn on a hamba/avro Writer and returns what it wrote.
func hambaWrite(t *testing.T, fn func(w *avro.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := avro.NewWriter(&buf, 64)
	fn(w)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLongMatchesHambaAndEncodingBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := append([]int64{}, edgeLongs...)
	for range 2000 {
		values = append(values, rng.Int64()>>rng.IntN(64))
	}
	for _, v := range values {
		got := AppendLong(nil, v)
		if want := hambaWrite(t, func(w *avro.Writer) { w.WriteLong(v) }); !bytes.Equal(got, want) {
			t.Fatalf("AppendLong(%d) = %x, hamba writes %x", v, got, want)
		}
		if want := binary.AppendVarint(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("AppendLong(%d) = %x, binary.AppendVarint %x", v, got, want)
		}
		r := NewReader(got)
		back, err := r.ReadLong()
		if err != nil || back != v || r.Len() != 0 {
			t.Fatalf("ReadLong(%x) = %d, %v, %d left; want %d", got, back, err, r.Len(), v)
		}
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			if gi := AppendInt(nil, int32(v)); !bytes.Equal(gi, got) {
				t.Fatalf("AppendInt(%d) = %x, want %x", v, gi, got)
			}
			r := NewReader(got)
			back, err := r.ReadInt()
			if err != nil || int64(back) != v {
				t.Fatalf("ReadInt(%x) = %d, %v; want %d", got, back, err, v)
			}
		} else {
			r := NewReader(got)
			if _, err := r.ReadInt(); !errors.Is(err, ErrOverflow) || r.Offset() != 0 {
				t.Fatalf("ReadInt(%x) of %d: err %v at offset %d, want ErrOverflow at 0", got, v, err, r.Offset())
			}
		}
	}
}

func TestFloatsMatchHamba(t *testing.T) {
	doubles := []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), math.NaN()}
	for _, v := range doubles {
		got := AppendDouble(nil, v)
		if want := hambaWrite(t, func(w *avro.Writer) { w.WriteDouble(v) }); !bytes.Equal(got, want) {
			t.Errorf("AppendDouble(%v) = %x, hamba %x", v, got, want)
		}
		r := NewReader(got)
		back, err := r.ReadDouble()
		if err != nil || math.Float64bits(back) != math.Float64bits(v) {
			t.Errorf("ReadDouble(%x) = %v, %v", got, back, err)
		}
		f := float32(v)
		got = AppendFloat(nil, f)
		if want := hambaWrite(t, func(w *avro.Writer) { w.WriteFloat(f) }); !bytes.Equal(got, want) {
			t.Errorf("AppendFloat(%v) = %x, hamba %x", f, got, want)
		}
		r = NewReader(got)
		backf, err := r.ReadFloat()
		if err != nil || math.Float32bits(backf) != math.Float32bits(f) {
			t.Errorf("ReadFloat(%x) = %v, %v", got, backf, err)
		}
	}
}

func TestStringsBytesBooleans(t *testing.T) {
	for _, s := range []string{"", "a", "deadline.passed", "Zürich — 東京 🍱", strings.Repeat("x", 300)} {
		got := AppendString(nil, s)
		if want := hambaWrite(t, func(w *avro.Writer) { w.WriteString(s) }); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %x, hamba %x", s, got, want)
		}
		r := NewReader(got)
		back, err := r.ReadString()
		if err != nil || back != s || r.Len() != 0 {
			t.Errorf("ReadString = %q, %v", back, err)
		}
		r = NewReader(got)
		if known, err := r.ReadKnownString(s); err != nil || known != s {
			t.Errorf("ReadKnownString = %q, %v", known, err)
		}
		b := AppendBytes(nil, []byte(s))
		if !bytes.Equal(b, got) {
			t.Errorf("AppendBytes differs from AppendString: %x, %x", b, got)
		}
		r = NewReader(b)
		bb, err := r.ReadBytes()
		if err != nil || string(bb) != s || bb == nil {
			t.Errorf("ReadBytes = %q (nil %v), %v", bb, bb == nil, err)
		}
	}
	for _, v := range []bool{false, true} {
		got := AppendBoolean(nil, v)
		if want := hambaWrite(t, func(w *avro.Writer) { w.WriteBool(v) }); !bytes.Equal(got, want) {
			t.Errorf("AppendBoolean(%v) = %x, hamba %x", v, got, want)
		}
		r := NewReader(got)
		if back, err := r.ReadBoolean(); err != nil || back != v {
			t.Errorf("ReadBoolean = %v, %v", back, err)
		}
	}
}

func TestReadBytesCopies(t *testing.T) {
	src := AppendBytes(nil, []byte("abc"))
	r := NewReader(src)
	b, err := r.ReadBytes()
	if err != nil {
		t.Fatal(err)
	}
	src[1] = 'X'
	if string(b) != "abc" {
		t.Errorf("ReadBytes aliases its input: %q", b)
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		read func(r *Reader) error
		want error
	}{
		{"empty long", nil, func(r *Reader) error { _, err := r.ReadLong(); return err }, ErrTruncated},
		{"unterminated long", []byte{0x80, 0x80}, func(r *Reader) error { _, err := r.ReadLong(); return err }, ErrTruncated},
		{"11-byte long", bytes.Repeat([]byte{0x80}, 11), func(r *Reader) error { _, err := r.ReadLong(); return err }, ErrOverflow},
		{"10th byte too big", append(bytes.Repeat([]byte{0xff}, 9), 0x02), func(r *Reader) error { _, err := r.ReadLong(); return err }, ErrOverflow},
		{"6-byte int", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, func(r *Reader) error { _, err := r.ReadInt(); return err }, ErrOverflow},
		{"int beyond 32 bits", []byte{0xff, 0xff, 0xff, 0xff, 0x1f}, func(r *Reader) error { _, err := r.ReadInt(); return err }, ErrOverflow},
		{"short float", []byte{1, 2, 3}, func(r *Reader) error { _, err := r.ReadFloat(); return err }, ErrTruncated},
		{"short double", []byte{1, 2, 3, 4, 5, 6, 7}, func(r *Reader) error { _, err := r.ReadDouble(); return err }, ErrTruncated},
		{"boolean 2", []byte{2}, func(r *Reader) error { _, err := r.ReadBoolean(); return err }, ErrBoolean},
		{"boolean empty", nil, func(r *Reader) error { _, err := r.ReadBoolean(); return err }, ErrTruncated},
		{"negative length", AppendLong(nil, -1), func(r *Reader) error { _, err := r.ReadBytes(); return err }, ErrLength},
		{"length past end", append(AppendLong(nil, 4), 'a', 'b'), func(r *Reader) error { _, err := r.ReadString(); return err }, ErrTruncated},
		{"1 GB string in 6 bytes", AppendLong(nil, 1<<30), func(r *Reader) error { _, err := r.ReadString(); return err }, ErrTruncated},
		{"invalid UTF-8", AppendString(nil, "a\xffb"), func(r *Reader) error { _, err := r.ReadString(); return err }, ErrInvalidUTF8},
		{"surrogate half", AppendString(nil, "\xed\xa0\x80"), func(r *Reader) error { _, err := r.ReadKnownString("x"); return err }, ErrInvalidUTF8},
		{"index negative", AppendLong(nil, -1), func(r *Reader) error { _, err := r.ReadIndex(3); return err }, ErrIndex},
		{"index too big", AppendLong(nil, 3), func(r *Reader) error { _, err := r.ReadIndex(3); return err }, ErrIndex},
		{"short fixed", []byte{1, 2}, func(r *Reader) error { return r.ReadFixed(make([]byte, 3)) }, ErrTruncated},
		{"uuid syntax", AppendString(nil, "not-a-uuid"), func(r *Reader) error { _, err := r.ReadUUID(); return err }, ErrUUIDSyntax},
		{"short duration", make([]byte, 11), func(r *Reader) error { _, err := r.ReadDuration(); return err }, ErrTruncated},
		{"time-micros beyond Duration", AppendLong(nil, math.MaxInt64), func(r *Reader) error { _, err := r.ReadTimeMicros(); return err }, ErrTimeRange},
		{"huge decimal", AppendBytes(nil, make([]byte, 100)), func(r *Reader) error { _, err := r.ReadDecimal(10, 2); return err }, ErrDecimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.in)
			err := tt.read(&r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if r.Offset() != 0 {
				t.Errorf("a failed read moved the offset to %d", r.Offset())
			}
		})
	}
}

func TestReadBlockLen(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	items := []byte("abcdefghij") // room for 10 one-byte items
	tests := []struct {
		name          string
		in            []byte
		have, itemMin int
		want          int
		err           error
	}{
		{"end", AppendLong(nil, 0), 0, 1, 0, nil},
		{"positive count", cat(AppendLong(nil, 3), items), 0, 1, 3, nil},
		{"negative count with size", cat(AppendLong(nil, -3), AppendLong(nil, 3), items), 0, 1, 3, nil},
		{"count beyond input", cat(AppendLong(nil, 11), items), 0, 1, 0, ErrLength},
		{"count beyond input for 2-byte items", cat(AppendLong(nil, 6), items), 0, 2, 0, ErrLength},
		{"1G items in 5 bytes", AppendLong(nil, 1<<30), 0, 1, 0, ErrLength},
		{"size beyond input", cat(AppendLong(nil, -3), AppendLong(nil, 11), items), 0, 1, 0, ErrLength},
		{"negative size", cat(AppendLong(nil, -3), AppendLong(nil, -1), items), 0, 1, 0, ErrLength},
		{"min int64 count", AppendLong(nil, math.MinInt64), 0, 1, 0, ErrLength},
		{"missing size", AppendLong(nil, -3), 0, 1, 0, ErrTruncated},
		{"zero-width items", AppendLong(nil, 1000), 0, 0, 1000, nil},
		{"zero-width items, negative count", cat(AppendLong(nil, -1000), AppendLong(nil, 0)), 0, 0, 1000, nil},
		{"too many zero-width items", AppendLong(nil, MaxZeroWidthItems+1), 0, 0, 0, ErrTooManyItems},
		{"too many zero-width items in all", AppendLong(nil, 2), MaxZeroWidthItems - 1, 0, 0, ErrTooManyItems},
		{"huge zero-width count", AppendLong(nil, math.MaxInt64), 0, 0, 0, ErrTooManyItems},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.in)
			n, err := r.ReadBlockLen(tt.have, tt.itemMin)
			if !errors.Is(err, tt.err) || n != tt.want {
				t.Fatalf("ReadBlockLen = %d, %v; want %d, %v", n, err, tt.want, tt.err)
			}
			if err != nil && r.Offset() != 0 {
				t.Errorf("a failed read moved the offset to %d", r.Offset())
			}
		})
	}
}

func TestDepth(t *testing.T) {
	var r Reader
	for i := range MaxDepth {
		if err := r.Enter(); err != nil {
			t.Fatalf("Enter %d: %v", i, err)
		}
	}
	if err := r.Enter(); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("Enter beyond MaxDepth = %v", err)
	}
	r.Leave()
	if err := r.Enter(); err != nil {
		t.Fatalf("Enter after Leave: %v", err)
	}
}

func TestEnum(t *testing.T) {
	type suit int32
	b, err := AppendEnum(nil, suit(2), 4)
	if err != nil || !bytes.Equal(b, []byte{4}) {
		t.Fatalf("AppendEnum = %x, %v", b, err)
	}
	r := NewReader(b)
	if v, err := ReadEnum[suit](&r, 4); err != nil || v != 2 {
		t.Fatalf("ReadEnum = %v, %v", v, err)
	}
	for _, bad := range []suit{-1, 4} {
		if _, err := AppendEnum(nil, bad, 4); !errors.Is(err, ErrIndex) {
			t.Errorf("AppendEnum(%d) err = %v", bad, err)
		}
	}
}

func TestSortedKeys(t *testing.T) {
	got := SortedKeys(map[string]int{"b": 1, "a": 2, "": 3, "ä": 4})
	if diff := cmp.Diff([]string{"", "a", "b", "ä"}, got); diff != "" {
		t.Error(diff)
	}
}

func TestAppendSortedKeys(t *testing.T) {
	for _, n := range []int{0, 1, 2, SortedKeysBuffer, SortedKeysBuffer + 1, 100} {
		m := map[string]bool{}
		var want []string
		for i := range n {
			k := strings.Repeat("k", i%3) + string(rune('a'+(i*7)%26)) + strings.Repeat("z", i/26)
			if !m[k] {
				m[k] = true
				want = append(want, k)
			}
		}
		slices.Sort(want)
		// What is in dst already stays, unsorted, in front.
		got := AppendSortedKeys([]string{"zz", "aa"}, m)
		if diff := cmp.Diff(append([]string{"zz", "aa"}, want...), got); diff != "" {
			t.Errorf("%d keys (-want +got):\n%s", len(m), diff)
		}
		if diff := cmp.Diff(want, SortedKeys(m), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("SortedKeys of %d keys (-want +got):\n%s", len(m), diff)
		}
		// In a stack array, as generated encoders sort them: no allocation
		// up to its size.
		allocs := testing.AllocsPerRun(20, func() {
			var keys [SortedKeysBuffer]string
			for _, k := range AppendSortedKeys(keys[:0], m) {
				if !m[k] {
					t.Fatalf("key %q not in the map", k)
				}
			}
		})
		if len(m) <= SortedKeysBuffer && allocs != 0 {
			t.Errorf("sorting %d keys in a [%d]string allocates %.0f times, want 0", len(m), SortedKeysBuffer, allocs)
		}
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		b := AppendLong(buf[:0], math.MinInt64)
		b = AppendString(b, "deadline.passed")
		b = AppendDouble(b, 1.5)
		b = AppendUUID(b, UUID{1, 2, 3})
		b, _ = AppendDate(b, Date{2026, 11, 27})
		_ = b
	})
	if allocs != 0 {
		t.Errorf("%v allocs/op", allocs)
	}
}

// TestHugeClaimsAllocateLittle decodes 20-byte inputs that claim a 1 GB
// string and a 1 G-item array and checks that next to nothing is allocated.
func TestHugeClaimsAllocateLittle(t *testing.T) {
	str := append(AppendLong(nil, 1<<30), make([]byte, 15)...)
	arr := append(AppendLong(nil, -(1<<30)), AppendLong(nil, 1<<30)...)
	arr = append(arr, make([]byte, 20-len(arr))...)
	check := func(name string, fn func()) {
		t.Helper()
		var before, after runtimeMem
		before.read()
		for range 10 {
			fn()
		}
		after.read()
		if grew := after.total - before.total; grew > 64<<10 {
			t.Errorf("%s: 10 decodes allocated %d bytes", name, grew)
		}
	}
	check("string", func() {
		r := NewReader(str)
		if _, err := r.ReadString(); !errors.Is(err, ErrTruncated) {
			t.Fatalf("err = %v", err)
		}
	})
	check("array", func() {
		r := NewReader(arr)
		if _, err := r.ReadBlockLen(0, 1); !errors.Is(err, ErrLength) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestReadKnownString(t *testing.T) {
	long := strings.Repeat("k", 100)
	tests := []struct {
		known, in string
		cut       int // bytes cut from the end of the encoding
		err       error
	}{
		{"deadline.passed", "deadline.passed", 0, nil},
		{"deadline.passed", "deadline.missed", 0, nil},
		{"deadline.passed", "", 0, nil},
		{"deadline.passed", "deadline.passed", 1, ErrTruncated},
		{"x", "x\xff", 0, ErrInvalidUTF8},
		{long, long, 0, nil},
		{long, long[:99], 0, nil},
	}
	for _, tt := range tests {
		enc := AppendString(nil, tt.in)
		enc = enc[:len(enc)-tt.cut]
		r := NewReader(enc)
		got, err := r.ReadKnownString(tt.known)
		if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("ReadKnownString(%q) of %q: err %v, want %v", tt.known, tt.in, err, tt.err)
			continue
		}
		if err != nil {
			if r.Offset() != 0 {
				t.Errorf("failed read moved to %d", r.Offset())
			}
			continue
		}
		if got != tt.in || r.Len() != 0 {
			t.Errorf("ReadKnownString(%q) = %q with %d left, want %q", tt.known, got, r.Len(), tt.in)
		}
	}
}
