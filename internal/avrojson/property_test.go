package avrojson_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/lunchbot/eventkit/internal/avrojson"
	"github.com/lunchbot/eventkit/internal/schema"
)

// kitchenSink has every type and logical type, with unions whose branches
// plain JSON tells apart, so both styles round-trip.
const kitchenSink = `{"type":"record","name":"Sink","namespace":"t","fields":[
 {"name":"n","type":"null"},
 {"name":"b","type":"boolean"},
 {"name":"i","type":"int"},
 {"name":"l","type":"long"},
 {"name":"f","type":"float"},
 {"name":"d","type":"double"},
 {"name":"by","type":"bytes"},
 {"name":"s","type":"string"},
 {"name":"fx","type":{"type":"fixed","name":"F3","size":3}},
 {"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
 {"name":"arr","type":{"type":"array","items":{"type":"record","name":"Item","fields":[
   {"name":"sku","type":"string"},
   {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}}},
 {"name":"m","type":{"type":"map","values":["null","long"]}},
 {"name":"date","type":{"type":"int","logicalType":"date"}},
 {"name":"tms","type":{"type":"int","logicalType":"time-millis"}},
 {"name":"tus","type":{"type":"long","logicalType":"time-micros"}},
 {"name":"tsms","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"tsus","type":{"type":"long","logicalType":"timestamp-micros"}},
 {"name":"tsns","type":{"type":"long","logicalType":"timestamp-nanos"}},
 {"name":"ltsms","type":{"type":"long","logicalType":"local-timestamp-millis"}},
 {"name":"ltsus","type":{"type":"long","logicalType":"local-timestamp-micros"}},
 {"name":"ltsns","type":{"type":"long","logicalType":"local-timestamp-nanos"}},
 {"name":"decf","type":{"type":"fixed","name":"Money","size":5,"logicalType":"decimal","precision":11,"scale":3}},
 {"name":"dec0","type":{"type":"bytes","logicalType":"decimal","precision":30}},
 {"name":"uuid","type":{"type":"string","logicalType":"uuid"}},
 {"name":"uuidf","type":{"type":"fixed","name":"U16","size":16,"logicalType":"uuid"}},
 {"name":"dur","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}},
 {"name":"ou","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
 {"name":"orec","type":["null","Item"]},
 {"name":"oarr","type":["null",{"type":"array","items":"int"}]},
 {"name":"mixed","type":["null","boolean","double","string",{"type":"array","items":"string"},"Item"]},
 {"name":"list","type":{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}}]}`

// ambiguous has unions that plain JSON cannot tell apart: it round-trips in
// the Avro JSON style only.
const ambiguous = `{"type":"record","name":"Amb","fields":[
 {"name":"num","type":["int","long","float","double"]},
 {"name":"txt","type":["string",{"type":"enum","name":"E","symbols":["A","B"]},"bytes",{"type":"fixed","name":"F1","size":1}]},
 {"name":"obj","type":[{"type":"record","name":"P","fields":[{"name":"x","type":["null","int"],"default":null}]},{"type":"map","values":"int"}]},
 {"name":"nested","type":{"type":"map","values":[{"type":"map","values":"string"},"null"]}},
 {"name":"dec","type":["null",{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}]}]}`

// gen appends a random canonical Avro encoding of a value of s.
type gen struct {
	r *rand.Rand
	// finite leaves out NaN and the infinities (for Apache Avro Java
	// 1.8.2, whose JsonDecoder cannot read them back).
	finite bool
}

func (g *gen) varint(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

func (g *gen) long() int64 {
	switch g.r.IntN(4) {
	case 0:
		return g.r.Int64N(200) - 100
	case 1:
		return []int64{math.MinInt64, math.MaxInt64, 0, -1, math.MinInt32, math.MaxInt32}[g.r.IntN(6)]
	}
	return int64(g.r.Uint64())
}

func (g *gen) int32() int32 {
	if g.r.IntN(2) == 0 {
		return int32(g.r.IntN(200) - 100)
	}
	return int32(g.r.Uint32())
}

func (g *gen) str() string {
	const pieces = "ab\"\\\n\t\x00\x1f/~é€😀 "
	var b []byte
	for n := g.r.IntN(8); n > 0; n-- {
		r, size := utf8.DecodeRuneInString(pieces[g.r.IntN(len(pieces)):])
		if r == utf8.RuneError {
			_ = size
			r = 'x'
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

func (g *gen) raw(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

// unscaled returns a random integer of at most digits decimal digits.
func (g *gen) unscaled(digits int) *big.Int {
	n := new(big.Int)
	k := g.r.IntN(digits + 1)
	for i := 0; i < k; i++ {
		n.Mul(n, big.NewInt(10))
		n.Add(n, big.NewInt(int64(g.r.IntN(10))))
	}
	if g.r.IntN(2) == 0 {
		n.Neg(n)
	}
	return n
}

func twosBytes(n *big.Int, size int) []byte {
	var k int
	if n.Sign() < 0 {
		k = new(big.Int).Not(n).BitLen()/8 + 1
	} else {
		k = n.BitLen()/8 + 1
	}
	if size == 0 {
		size = k
	}
	m := new(big.Int).Set(n)
	if n.Sign() < 0 {
		m.Add(m, new(big.Int).Lsh(big.NewInt(1), uint(8*size)))
	}
	out := make([]byte, size)
	m.FillBytes(out)
	return out
}

func (g *gen) value(dst []byte, s *schema.Schema, depth int) []byte {
	switch s.Kind {
	case schema.Null:
		return dst
	case schema.Boolean:
		return append(dst, byte(g.r.IntN(2)))
	case schema.Int:
		v := g.int32()
		if s.Logical != "" && g.r.IntN(3) > 0 {
			v = int32(g.r.IntN(86400000)) // a time of day, a date up to 2206
		}
		return g.varint(dst, int64(v))
	case schema.Long:
		v := g.long()
		if s.Logical != "" && g.r.IntN(3) > 0 {
			v = g.r.Int64N(1<<62) - 1<<61
		}
		return g.varint(dst, v)
	case schema.Float:
		f := math.Float32frombits(g.r.Uint32())
		if g.r.IntN(2) == 0 {
			f = float32(g.r.NormFloat64())
		}
		if math.IsNaN(float64(f)) {
			f = math.Float32frombits(0x7fc00000)
		}
		if g.finite && (math.IsNaN(float64(f)) || math.IsInf(float64(f), 0)) {
			f = 1
		}
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
	case schema.Double:
		f := math.Float64frombits(g.r.Uint64())
		if g.r.IntN(2) == 0 {
			f = g.r.NormFloat64() * 1e6
		}
		if math.IsNaN(f) {
			f = math.Float64frombits(0x7ff8000000000000)
		}
		if g.finite && (math.IsNaN(f) || math.IsInf(f, 0)) {
			f = 1
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
	case schema.Bytes:
		var b []byte
		if s.Logical == schema.LogicalDecimal {
			b = twosBytes(g.unscaled(s.Precision), 0)
		} else {
			b = g.raw(g.r.IntN(6))
		}
		return append(g.varint(dst, int64(len(b))), b...)
	case schema.String:
		v := g.str()
		if s.Logical == schema.LogicalUUID {
			v = formatUUIDForTest(g.raw(16))
		}
		return append(g.varint(dst, int64(len(v))), v...)
	case schema.Fixed:
		if s.Logical == schema.LogicalDecimal {
			return append(dst, twosBytes(g.unscaled(s.Precision), s.Size)...)
		}
		return append(dst, g.raw(s.Size)...)
	case schema.Enum:
		return g.varint(dst, int64(g.r.IntN(len(s.Symbols))))
	case schema.Record:
		for _, f := range s.Fields {
			dst = g.value(dst, f.Type, depth+1)
		}
		return dst
	case schema.Array:
		n := g.r.IntN(4)
		if depth > 6 {
			n = 0
		}
		if n > 0 {
			dst = g.varint(dst, int64(n))
			for i := 0; i < n; i++ {
				dst = g.value(dst, s.Items, depth+1)
			}
		}
		return append(dst, 0)
	case schema.Map:
		n := g.r.IntN(4)
		if depth > 6 {
			n = 0
		}
		if n > 0 {
			dst = g.varint(dst, int64(n))
			for i := 0; i < n; i++ {
				k := g.str() + "#" + strconv.Itoa(i) // distinct keys
				dst = append(g.varint(dst, int64(len(k))), k...)
				dst = g.value(dst, s.Values, depth+1)
			}
		}
		return append(dst, 0)
	case schema.Union:
		i := g.r.IntN(len(s.Branches))
		if ni, ok := s.IsNullable(); ok && depth > 6 {
			i = ni
		}
		return g.value(g.varint(dst, int64(i)), s.Branches[i], depth+1)
	}
	panic("unknown kind")
}

func formatUUIDForTest(b []byte) string {
	const h = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, h[c>>4], h[c&0xf])
	}
	return string(out)
}

// TestRoundTripRandomValues: for random values written canonically,
// Encode(Decode(b)) == b in both styles (and in the Avro JSON style for
// unions plain JSON cannot tell apart).
func TestRoundTripRandomValues(t *testing.T) {
	for _, c := range []struct {
		name   string
		schema string
		styles []avrojson.Style
	}{
		{"kitchen sink", kitchenSink, []avrojson.Style{avrojson.Plain, avrojson.AvroJSON}},
		{"ambiguous unions", ambiguous, []avrojson.Style{avrojson.AvroJSON}},
	} {
		s := parse(t, c.schema)
		g := &gen{r: rand.New(rand.NewPCG(1, uint64(len(c.name))))}
		n := 3000
		if testing.Short() {
			n = 300
		}
		for i := 0; i < n; i++ {
			b := g.value(nil, s, 0)
			for _, style := range c.styles {
				opts := avrojson.Options{Style: style}
				js, err := avrojson.Decode(s, b, opts)
				if err != nil {
					t.Fatalf("%s #%d %v: Decode(%x): %v", c.name, i, style, b, err)
				}
				back, err := avrojson.Encode(s, js, opts)
				if err != nil {
					t.Fatalf("%s #%d %v: Encode(%s): %v", c.name, i, style, js, err)
				}
				if !bytes.Equal(back, b) {
					t.Fatalf("%s #%d %v: round trip differs\n json %s\n in   %x\n out  %x", c.name, i, style, js, b, back)
				}
			}
		}
	}
}
