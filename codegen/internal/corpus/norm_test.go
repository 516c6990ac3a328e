package corpus

// The tests compare values in a model of their own ("norm"), independent of
// the generated types, of hamba/avro's and of Python's:
//
//	null nil, boolean bool, int and long int64, float and double float64,
//	bytes and fixed []byte, string string, enum its symbol, record
//	map[string]any by field name, array []any, map map[string]any,
//	union unionVal (branch index and value);
//	date avrobin.Date, time-millis and time-micros time.Duration,
//	timestamps time.Time in UTC (local ones: the wall clock, in UTC),
//	decimal *big.Rat, uuid its lower-case text, duration avrobin.Duration.
//
// Random values are made in this model, then encoded by hamba/avro, by
// Python's avro, and by a small encoder of this file that splits arrays and
// maps into random blocks; the generated code decodes them.

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// unionVal is a union value: the branch and its value.
type unionVal struct {
	Index int
	Value any
}

// corpusEvents returns one value of every event type of the corpus.
func corpusEvents() []contract.Event {
	return []contract.Event{new(Primitives), new(Logical), new(Collections), new(Unions),
		new(Recursive), new(Defaults), new(SharedA), new(SharedB)}
}

// construct returns the value New<Type> returns for the type of ev.
func construct(ev contract.Event) contract.Event {
	switch ev.(type) {
	case *Primitives:
		return NewPrimitives()
	case *Logical:
		return NewLogical()
	case *Collections:
		return NewCollections()
	case *Unions:
		return NewUnions()
	case *Recursive:
		return NewRecursive()
	case *Defaults:
		return NewDefaults()
	case *SharedA:
		return NewSharedA()
	case *SharedB:
		return NewSharedB()
	}
	panic(fmt.Sprintf("no constructor for %T", ev))
}

// newLike returns a new zero value of the type of ev.
func newLike(ev contract.Event) contract.Event {
	return reflect.New(reflect.TypeOf(ev).Elem()).Interface().(contract.Event)
}

func parsed(t testing.TB, ev contract.Event) *schema.Parsed {
	t.Helper()
	p, err := schema.Parse(ev.Contract().Schema)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// hasCollections reports whether s has an array or a map anywhere: hamba
// writes those in blocks with byte sizes, so its bytes differ from ours.
func hasCollections(s *schema.Schema) bool {
	found := false
	schema.Walk(s, func(n *schema.Schema) bool {
		found = found || n.Kind == schema.Array || n.Kind == schema.Map
		return true
	})
	return found
}

// normOpts compare norm values: NaN equals NaN, rationals by value, times
// by instant, nil and empty slices and maps alike.
var normOpts = cmp.Options{
	cmpopts.EquateNaNs(),
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b *big.Rat) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.Cmp(b) == 0
	}),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

// gen makes random norm values.
type gen struct {
	rng *rand.Rand
	// pyRange keeps dates and timestamps within Python's years 1 to 9999.
	pyRange bool
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

var (
	edgeInts  = []int64{0, 1, -1, 63, -64, math.MaxInt32, math.MinInt32}
	edgeLongs = []int64{0, 1, -1, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64}
	edgeStrs  = []string{"", "a", "deadline.passed", "Zürich", "東京の弁当", "🍱🥗", "\u0000nul", "\uFFFD", "\U0010FFFF", "quote\"back\\slash", strings.Repeat("long ", 40)}
	edgeFloat = []float64{0, math.Copysign(0, -1), 1, -1.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat32, math.SmallestNonzeroFloat32}
	edgeDbl   = []float64{0, math.Copysign(0, -1), 1, -1.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1}
)

func (g *gen) long() int64 {
	if g.chance(0.3) {
		return edgeLongs[g.rng.IntN(len(edgeLongs))]
	}
	return g.rng.Int64() >> g.rng.IntN(64)
}

func (g *gen) str(required bool) string {
	for {
		var s string
		switch {
		case g.chance(0.4):
			s = edgeStrs[g.rng.IntN(len(edgeStrs))]
		default:
			var b strings.Builder
			for range g.rng.IntN(12) {
				var r rune
				switch g.rng.IntN(4) {
				case 0:
					r = rune(0x20 + g.rng.IntN(0x5f))
				case 1:
					r = rune(0xa0 + g.rng.IntN(0x700))
				case 2:
					r = rune(0x3000 + g.rng.IntN(0x5000))
				default:
					r = rune(0x1f300 + g.rng.IntN(0x300))
				}
				b.WriteRune(r)
			}
			s = b.String()
		}
		if s != "" || !required {
			return s
		}
	}
}

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return b
}

// instant returns a random timestamp of the unit: anywhere in the int64
// range of the unit, often within Python's years 1 to 9999, sometimes an
// extreme.
func (g *gen) instant(perSec int64) time.Time {
	var v int64
	switch {
	case g.pyRange:
		// 0001-01-01 to 9999-12-31, the edges sometimes.
		lo, hi := int64(-62135596800), int64(253402300799)
		switch p := g.rng.Float64(); {
		case p < 0.05:
			v = lo * perSec
		case p < 0.10:
			v = hi*perSec + perSec - 1
		default:
			v = (lo+g.rng.Int64N(hi-lo))*perSec + g.rng.Int64N(perSec)
		}
	case g.chance(0.1):
		v = []int64{math.MinInt64, math.MaxInt64, 0, -1}[g.rng.IntN(4)]
	case g.chance(0.6):
		// 1900..2200, roughly.
		v = (g.rng.Int64N(300*365*86400) - 70*365*86400) * perSec
		v += g.rng.Int64N(perSec)
	default:
		v = g.rng.Int64()
	}
	switch perSec {
	case 1e3:
		return time.UnixMilli(v).UTC()
	case 1e6:
		return time.UnixMicro(v).UTC()
	}
	return time.Unix(0, v).UTC()
}

// decimal returns a random value of at most precision digits at scale.
func (g *gen) decimal(precision, scale int) *big.Rat {
	digits := g.rng.IntN(precision + 1)
	n := new(big.Int)
	for range digits {
		n.Mul(n, big.NewInt(10))
		n.Add(n, big.NewInt(int64(g.rng.IntN(10))))
	}
	if g.chance(0.1) { // the largest magnitude
		n.Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
		n.Sub(n, big.NewInt(1))
	}
	if g.chance(0.5) {
		n.Neg(n)
	}
	return new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
}

func uuidText(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// value returns a random value of s at nesting depth.
func (g *gen) value(s *schema.Schema, f *schema.Field, depth int) any {
	if f != nil {
		if c, ok := f.Props["const"]; ok {
			if n, ok := c.(float64); ok {
				return int64(n)
			}
			return c
		}
	}
	switch s.Kind {
	case schema.Null:
		return nil
	case schema.Boolean:
		return g.chance(0.5)
	case schema.Int:
		switch s.Logical {
		case schema.LogicalDate:
			var days int32
			switch {
			case g.pyRange:
				days = int32(-719162 + g.rng.IntN(2932896+719162+1))
			case g.chance(0.1):
				days = []int32{math.MinInt32, math.MaxInt32, 0, -1, -719162, 2932896}[g.rng.IntN(6)]
			case g.chance(0.7):
				days = int32(g.rng.IntN(200*365) - 50*365)
			default:
				days = int32(g.rng.Uint32())
			}
			y, m, d := time.Unix(int64(days)*86400, 0).UTC().Date()
			return avrobin.Date{Year: y, Month: m, Day: d}
		case schema.LogicalTimeMillis:
			return time.Duration(g.rng.Int64N(86400_000)) * time.Millisecond
		}
		if g.chance(0.3) {
			return edgeInts[g.rng.IntN(len(edgeInts))]
		}
		return int64(int32(g.rng.Uint32()) >> g.rng.IntN(32))
	case schema.Long:
		switch s.Logical {
		case "":
			return g.long()
		case schema.LogicalTimeMicros:
			return time.Duration(g.rng.Int64N(86400_000_000)) * time.Microsecond
		case schema.LogicalTimestampMillis, schema.LogicalLocalTimestampMillis:
			return g.instant(1e3)
		case schema.LogicalTimestampMicros, schema.LogicalLocalTimestampMicros:
			return g.instant(1e6)
		default:
			return g.instant(1e9)
		}
	case schema.Float:
		if g.chance(0.3) {
			return float64(float32(edgeFloat[g.rng.IntN(len(edgeFloat))]))
		}
		return float64(math.Float32frombits(g.rng.Uint32()))
	case schema.Double:
		if g.chance(0.3) {
			return edgeDbl[g.rng.IntN(len(edgeDbl))]
		}
		return math.Float64frombits(g.rng.Uint64())
	case schema.Bytes:
		if s.Logical == schema.LogicalDecimal {
			return g.decimal(s.Precision, s.Scale)
		}
		return g.bytes(g.rng.IntN(10))
	case schema.String:
		if s.Logical == schema.LogicalUUID {
			return uuidText(g.bytes(16))
		}
		return g.str(f != nil && !f.HasDefault())
	case schema.Fixed:
		switch s.Logical {
		case schema.LogicalUUID:
			return uuidText(g.bytes(16))
		case schema.LogicalDuration:
			return avrobin.Duration{Months: g.rng.Uint32(), Days: g.rng.Uint32(), Milliseconds: g.rng.Uint32()}
		case schema.LogicalDecimal:
			return g.decimal(s.Precision, s.Scale)
		}
		return g.bytes(s.Size)
	case schema.Enum:
		return s.Symbols[g.rng.IntN(len(s.Symbols))]
	case schema.Record:
		m := map[string]any{}
		for _, fl := range s.Fields {
			m[fl.Name] = g.value(fl.Type, fl, depth+1)
		}
		return m
	case schema.Array:
		n := g.count(depth)
		out := make([]any, n)
		for i := range out {
			out[i] = g.value(s.Items, nil, depth+1)
		}
		return out
	case schema.Map:
		out := map[string]any{}
		for range g.count(depth) {
			out[g.str(false)] = g.value(s.Values, nil, depth+1)
		}
		return out
	case schema.Union:
		i := g.rng.IntN(len(s.Branches))
		if depth > 6 {
			// Deep in a recursive value: prefer a branch that ends it.
			for j, b := range s.Branches {
				if b.Kind != schema.Record {
					i = j
					break
				}
			}
		}
		return unionVal{Index: i, Value: g.value(s.Branches[i], nil, depth+1)}
	}
	panic("no value for " + s.Kind.String())
}

func (g *gen) count(depth int) int {
	if depth > 6 {
		return 0
	}
	n := 0
	for n < 6 && g.chance(0.6-0.08*float64(depth)) {
		n++
	}
	return n
}

// blockEncoder is an Avro encoder of norm values of its own, which writes
// arrays and maps in random blocks, some with a negative count and a byte
// size, as Java and hamba/avro write them.
type blockEncoder struct {
	rng *rand.Rand
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

// rawLong returns the Avro int or long of a norm value, converting logical
// types with the time package only.
func rawLong(s *schema.Schema, v any) int64 {
	switch s.Logical {
	case schema.LogicalDate:
		d := v.(avrobin.Date)
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
	case schema.LogicalTimeMillis:
		return v.(time.Duration).Milliseconds()
	case schema.LogicalTimeMicros:
		return v.(time.Duration).Microseconds()
	case schema.LogicalTimestampMillis, schema.LogicalLocalTimestampMillis:
		return v.(time.Time).UnixMilli()
	case schema.LogicalTimestampMicros, schema.LogicalLocalTimestampMicros:
		return v.(time.Time).UnixMicro()
	case schema.LogicalTimestampNanos, schema.LogicalLocalTimestampNanos:
		return v.(time.Time).UnixNano()
	}
	return v.(int64)
}

// rawBytes returns the Avro bytes, string or fixed content of a norm value.
func rawBytes(s *schema.Schema, v any) []byte {
	switch s.Logical {
	case schema.LogicalDecimal:
		r := v.(*big.Rat)
		n := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.Scale)), nil))
		n.Quo(n, r.Denom())
		size := s.Size
		if s.Kind == schema.Bytes {
			size = (n.BitLen()+1+7)/8 + 1 // not minimal: readers must not care
		}
		if n.Sign() < 0 {
			n.Add(n, new(big.Int).Lsh(big.NewInt(1), uint(size*8)))
		}
		return n.FillBytes(make([]byte, size))
	case schema.LogicalUUID:
		if s.Kind == schema.String {
			return []byte(v.(string))
		}
		b, err := hex.DecodeString(strings.ReplaceAll(v.(string), "-", ""))
		if err != nil {
			panic(err)
		}
		return b
	case schema.LogicalDuration:
		d := v.(avrobin.Duration)
		b := binary.LittleEndian.AppendUint32(nil, d.Months)
		b = binary.LittleEndian.AppendUint32(b, d.Days)
		return binary.LittleEndian.AppendUint32(b, d.Milliseconds)
	}
	if s.Kind == schema.String {
		return []byte(v.(string))
	}
	return v.([]byte)
}

// equalBytes is bytes.Equal, named for the reader of a failing test.
func equalBytes(a, b []byte) bool { return bytes.Equal(a, b) }
