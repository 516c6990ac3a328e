package corpus

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/lunchbot/eventkit/internal/schema"
)

// blockEncoder is an Avro encoder of norm values of its own, which writes
// arrays and maps in random blocks, some with a negative count and a byte
// size, as Java and hamba/avro write them.
type blockEncoder struct {
	rng *rand.Rand
	// canonical: the encoding the generated code writes instead, the one
	// a value has: arrays and maps in one block, map keys in increasing
	// order, decimals on bytes in as few bytes as hamba/avro writes.
	canonical bool
}

func zigzag(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

func (e *blockEncoder) encode(dst []byte, s *schema.Schema, v any) []byte {
	switch s.Kind {
	case schema.Null:
		return dst
	case schema.Boolean:
		if v.(bool) {
			return append(dst, 1)
		}
		return append(dst, 0)
	case schema.Int, schema.Long:
		return zigzag(dst, rawLong(s, v))
	case schema.Float:
		return binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(v.(float64))))
	case schema.Double:
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.(float64)))
	case schema.Bytes, schema.String:
		b := rawBytes(s, v)
		if e.canonical && s.Logical == schema.LogicalDecimal {
			b = hambaDecimal(unscaled(s, v.(*big.Rat)))
		}
		return append(zigzag(dst, int64(len(b))), b...)
	case schema.Fixed:
		return append(dst, rawBytes(s, v)...)
	case schema.Enum:
		return zigzag(dst, int64(slices.Index(s.Symbols, v.(string))))
	case schema.Record:
		m := v.(map[string]any)
		for _, f := range s.Fields {
			dst = e.encode(dst, f.Type, m[f.Name])
		}
		return dst
	case schema.Array:
		items := v.([]any)
		return e.blocks(dst, len(items), func(dst []byte, i int) []byte { return e.encode(dst, s.Items, items[i]) })
	case schema.Map:
		m := v.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		if e.canonical {
			sort.Strings(keys)
		}
		return e.blocks(dst, len(keys), func(dst []byte, i int) []byte {
			dst = append(zigzag(dst, int64(len(keys[i]))), keys[i]...)
			return e.encode(dst, s.Values, m[keys[i]])
		})
	case schema.Union:
		u := v.(unionVal)
		return e.encode(zigzag(dst, int64(u.Index)), s.Branches[u.Index], u.Value)
	}
	panic("cannot encode " + s.Kind.String())
}

func (e *blockEncoder) blocks(dst []byte, n int, item func([]byte, int) []byte) []byte {
	if e.canonical {
		if n > 0 {
			dst = zigzag(dst, int64(n))
		}
		for i := range n {
			dst = item(dst, i)
		}
		return append(dst, 0)
	}
	for i := 0; i < n; {
		size := 1 + e.rng.IntN(n-i)
		var block []byte
		for j := i; j < i+size; j++ {
			block = item(block, j)
		}
		if e.rng.IntN(2) == 0 {
			dst = zigzag(zigzag(dst, -int64(size)), int64(len(block)))
		} else {
			dst = zigzag(dst, int64(size))
		}
		dst = append(dst, block...)
		i += size
	}
	return append(dst, 0)
}

// hambaDecimal returns the bytes of the unscaled decimal n as hamba/avro
// writes them: the fewest that hold a non-negative n with a clear sign
// bit, and a negative n in one byte more than its bit length's bytes.
func hambaDecimal(n *big.Int) []byte {
	size := len(n.Bytes())
	switch {
	case n.Sign() == 0:
		size = 1
	case n.Sign() < 0:
		size = n.BitLen()/8 + 1
	case n.Bytes()[0]&0x80 != 0:
		size++
	}
	return twos(n, size)
}
