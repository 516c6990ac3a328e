package corpus

import (
	"hash/fnv"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// gen makes random norm values of any schema, deterministic for its seed,
// with the edges often: empty and large strings, bytes, arrays and maps;
// NaN, ±Inf, -0 and the extremes of floats; the extremes of ints and
// longs; dates, times and timestamps at the ends of their ranges; every
// branch of every union (a branch not made yet is picked more often); and
// now and then a value that recurses deep (within deepLimit).
type gen struct {
	rng *rand.Rand
	// pyRange keeps dates and timestamps within Python's years 1 to 9999.
	pyRange bool
	// singleKeyMaps makes maps of at most one key, whose encoding does not
	// depend on an encoder's order of keys.
	singleKeyMaps bool

	// Of the value being made: budget is the records, items and entries
	// it may still have; deep, that it recurses until depth limit;
	// bigString, bigBytes, bigCount, that its next string, bytes or array
	// or map near the top is large (one per value, or the values would be
	// large all).
	budget                        int
	deep                          bool
	limit                         int
	bigString, bigBytes, bigCount bool
	// seen marks the branches of each union made so far.
	seen map[*schema.Schema][]bool
}

const (
	// shallowLimit ends the recursion of most values; deepLimit that of
	// the deep ones, nested well beyond what a test of a few levels
	// exercises but within the reach of every implementation the tests use
	// (Python's recursion stops at a thousand frames).
	shallowLimit = 6
	deepLimit    = 120
	// valueBudget bounds the size of one value: records, items, entries.
	valueBudget = 3000
)

// newGen returns a generator seeded with seed and name (a test's and its
// subject's).
func newGen(seed uint64, name string) *gen {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &gen{rng: rand.New(rand.NewPCG(seed, h.Sum64()))}
}

// next returns a new random value of the record root.
func (g *gen) next(root *schema.Schema) any {
	g.budget = valueBudget
	g.deep = g.chance(0.05)
	g.bigString, g.bigBytes, g.bigCount = g.chance(0.05), g.chance(0.05), g.chance(0.05)
	g.limit = shallowLimit
	if g.deep {
		g.limit = deepLimit
	}
	return g.value(root, nil, 0)
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

var (
	edgeInts  = []int64{0, 1, -1, 63, -64, math.MaxInt32, math.MinInt32}
	edgeLongs = []int64{0, 1, -1, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64}
	edgeStrs  = []string{"", "a", "deadline.passed", "Zürich", "東京の弁当", "🍱🥗", "\u0000nul", "\uFFFD", "\U0010FFFF", "quote\"back\\slash", strings.Repeat("long ", 40)}
	edgeFloat = []float64{0, math.Copysign(0, -1), 1, -1.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32}
	edgeDbl   = []float64{0, math.Copysign(0, -1), 1, -1.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1}
	// Days of dates: the ends of int32, of Python's years 1 to 9999, the
	// epoch and the day before.
	edgeDays   = []int32{math.MinInt32, math.MaxInt32, 0, -1, -719162, 2932896}
	edgePyDays = []int32{-719162, 2932896, 0, -1}
)

func (g *gen) long() int64 {
	if g.chance(0.3) {
		return edgeLongs[g.rng.IntN(len(edgeLongs))]
	}
	return g.rng.Int64() >> g.rng.IntN(64)
}

// str returns a random string: an edge case, a short random one, or
// a large one (up to about 64 KiB) when the value is to have one. A
// required string is not empty.
func (g *gen) str(required bool) string {
	for {
		var s string
		switch {
		case g.bigString:
			g.bigString = false
			s = strings.Repeat(g.runes(1+g.rng.IntN(8)), 1000+g.rng.IntN(4000))
		case g.chance(0.4):
			s = edgeStrs[g.rng.IntN(len(edgeStrs))]
		default:
			s = g.runes(g.rng.IntN(12))
		}
		if s != "" || !required {
			return s
		}
	}
}

// runes returns n random runes of ASCII, Latin and other scripts, CJK and
// emoji.
func (g *gen) runes(n int) string {
	var b strings.Builder
	for range n {
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
	return b.String()
}

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return b
}

// byteString returns random bytes: empty, short, or large (up to 64 KiB)
// when the value is to have them.
func (g *gen) byteString() []byte {
	switch {
	case g.bigBytes:
		g.bigBytes = false
		return g.bytes(1 << (10 + g.rng.IntN(7)))
	case g.chance(0.1):
		return []byte{}
	}
	return g.bytes(g.rng.IntN(10))
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

// timeOfDay returns a random time of day in units of unit, midnight and the
// last unit of the day sometimes.
func (g *gen) timeOfDay(unit time.Duration) time.Duration {
	n := int64(24 * time.Hour / unit)
	switch p := g.rng.Float64(); {
	case p < 0.05:
		return 0
	case p < 0.10:
		return time.Duration(n-1) * unit
	}
	return time.Duration(g.rng.Int64N(n)) * unit
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

// date returns a random date.
func (g *gen) date() avrobin.Date {
	var days int32
	switch {
	case g.pyRange && g.chance(0.1):
		days = edgePyDays[g.rng.IntN(len(edgePyDays))]
	case g.pyRange:
		days = int32(-719162 + g.rng.IntN(2932896+719162+1))
	case g.chance(0.1):
		days = edgeDays[g.rng.IntN(len(edgeDays))]
	case g.chance(0.7):
		days = int32(g.rng.IntN(200*365) - 50*365)
	default:
		days = int32(g.rng.Uint32())
	}
	y, m, d := time.Unix(int64(days)*86400, 0).UTC().Date()
	return avrobin.Date{Year: y, Month: m, Day: d}
}

// value returns a random value of s at nesting depth; f is the field whose
// value it is, if any.
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
			return g.date()
		case schema.LogicalTimeMillis:
			return g.timeOfDay(time.Millisecond)
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
			return g.timeOfDay(time.Microsecond)
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
		return g.byteString()
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
		g.budget--
		m := map[string]any{}
		for _, fl := range s.Fields {
			m[fl.Name] = g.value(fl.Type, fl, depth+1)
		}
		return m
	case schema.Array:
		out := make([]any, g.count(depth, false))
		for i := range out {
			out[i] = g.value(s.Items, nil, depth+1)
		}
		return out
	case schema.Map:
		out := map[string]any{}
		for range g.count(depth, true) {
			k := g.str(false)
			if _, dup := out[k]; dup {
				k += strconv.Itoa(len(out)) // as many entries as counted
			}
			out[k] = g.value(s.Values, nil, depth+1)
		}
		return out
	case schema.Union:
		i := g.branch(s, depth)
		return unionVal{Index: i, Value: g.value(s.Branches[i], nil, depth+1)}
	}
	panic("no value for " + s.Kind.String())
}

// branch picks a branch of union u at depth: one not made yet more often,
// one that recurses while a deep value is not deep enough, one that ends
// the recursion once the value is deep enough or large enough.
func (g *gen) branch(u *schema.Schema, depth int) int {
	if g.seen == nil {
		g.seen = map[*schema.Schema][]bool{}
	}
	seen := g.seen[u]
	if seen == nil {
		seen = make([]bool, len(u.Branches))
		g.seen[u] = seen
	}
	ending := func(b *schema.Schema) bool {
		return b.Kind != schema.Record && b.Kind != schema.Array && b.Kind != schema.Map
	}
	var pick []int
	switch {
	case depth > g.limit || g.budget <= 0:
		for i, b := range u.Branches {
			if ending(b) {
				pick = append(pick, i)
			}
		}
	case g.deep && g.chance(0.9):
		for i, b := range u.Branches {
			if b.Kind == schema.Record {
				pick = append(pick, i)
			}
		}
	case g.chance(0.5):
		for i := range u.Branches {
			if !seen[i] {
				pick = append(pick, i)
			}
		}
	}
	i := g.rng.IntN(len(u.Branches))
	if len(pick) > 0 {
		i = pick[g.rng.IntN(len(pick))]
	}
	seen[i] = true
	return i
}

// count returns the number of items of an array or entries of a map at
// depth: often none or a few, hundreds near the top when the value is to
// have a large one; one in a deep value (so that it does not grow as a
// tree); none beyond the depth limit or the budget.
func (g *gen) count(depth int, isMap bool) int {
	n := 0
	switch {
	case depth > g.limit || g.budget <= 0:
	case g.deep:
		n = 1
	case depth <= 2 && g.bigCount && g.chance(0.3): // not always the first
		g.bigCount = false
		n = 100 + g.rng.IntN(400)
	default:
		for n < 6 && g.chance(0.6-0.08*float64(depth)) {
			n++
		}
	}
	if isMap && g.singleKeyMaps {
		n = min(n, 1)
	}
	n = min(n, max(g.budget, 0))
	g.budget -= n
	return n
}
