package bench

// The floor: encoders and decoders of the three records written by hand, as
// an expert would write them for one schema with no generator and no
// library: encoding/binary's varints (Avro's zig-zag longs), a sticky error
// instead of a check per field, and only the checks that keep a decoder
// from panicking or allocating without bound on bad input. The decoders do
// what the generated ones do with what they read: copy strings out of the
// input, intern a "const" string, build dates and UTC times, reject
// trailing bytes.

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/tools/bench/benchevents"
)

var errHand = errors.New("hand-written decoder: malformed input")

func handAppendDeadline(dst []byte, d *events.DeadlinePassed) []byte {
	dst = binary.AppendVarint(dst, int64(len(d.Type)))
	dst = append(dst, d.Type...)
	dst = binary.AppendVarint(dst, d.CafeID)
	days, _ := d.Date.Days()
	dst = binary.AppendVarint(dst, int64(days))
	return binary.AppendVarint(dst, d.Timestamp.UnixMicro())
}

func handAppendDaily(dst []byte, d *events.DailyTask) []byte {
	dst = binary.AppendVarint(dst, int64(len(d.Type)))
	dst = append(dst, d.Type...)
	return binary.AppendVarint(dst, d.Timestamp.UnixMicro())
}

func handAppendString(dst []byte, s string) []byte {
	dst = binary.AppendVarint(dst, int64(len(s)))
	return append(dst, s...)
}

// handAppendOrder writes map entries in Go's map order: Avro does not ask
// for sorted keys (the generated encoder sorts them, for deterministic
// bytes).
func handAppendOrder(dst []byte, o *benchevents.OrderPlaced) []byte {
	dst = handAppendString(dst, o.OrderID)
	dst = binary.AppendVarint(dst, o.CafeID)
	dst = binary.AppendVarint(dst, o.UserID)
	dst = handAppendString(dst, o.UserName)
	dst = handAppendString(dst, o.Office)
	dst = binary.AppendVarint(dst, int64(o.Floor))
	dst = handAppendString(dst, o.Channel)
	dst = handAppendString(dst, o.ChannelID)
	dst = binary.AppendVarint(dst, int64(o.Status))
	days, _ := o.DeliveryDate.Days()
	dst = binary.AppendVarint(dst, int64(days))
	dst = binary.AppendVarint(dst, o.PlacedAt.UnixMicro())
	dst = binary.AppendVarint(dst, o.UpdatedAt.UnixMicro())
	if len(o.Items) > 0 {
		dst = binary.AppendVarint(dst, int64(len(o.Items)))
		for i := range o.Items {
			it := &o.Items[i]
			dst = handAppendString(dst, it.Sku)
			dst = binary.AppendVarint(dst, int64(it.Quantity))
			dst = binary.AppendVarint(dst, it.PriceCents)
		}
	}
	dst = append(dst, 0)
	if len(o.DishNames) > 0 {
		dst = binary.AppendVarint(dst, int64(len(o.DishNames)))
		for _, s := range o.DishNames {
			dst = handAppendString(dst, s)
		}
	}
	dst = append(dst, 0)
	if len(o.Labels) > 0 {
		dst = binary.AppendVarint(dst, int64(len(o.Labels)))
		for k, v := range o.Labels {
			dst = handAppendString(dst, k)
			dst = handAppendString(dst, v)
		}
	}
	dst = append(dst, 0)
	dst = binary.AppendVarint(dst, o.TotalCents)
	dst = binary.AppendVarint(dst, o.DiscountCents)
	dst = handAppendString(dst, o.Currency)
	if o.Paid {
		dst = append(dst, 1)
	} else {
		dst = append(dst, 0)
	}
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(o.Tip))
	if o.Note == nil {
		dst = append(dst, 0)
	} else {
		dst = append(dst, 2)
		dst = handAppendString(dst, *o.Note)
	}
	return binary.AppendVarint(dst, int64(o.Version))
}

// hr is the hand-written decoders' reader: a slice and a sticky error.
type hr struct {
	b   []byte
	bad bool
}

func (r *hr) long() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *hr) int() int32 {
	v := r.long()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.bad = true
		return 0
	}
	return int32(v)
}

func (r *hr) view() []byte {
	n := r.long()
	if n < 0 || n > int64(len(r.b)) {
		r.bad = true
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *hr) str() string { return string(r.view()) }

func (r *hr) bool() bool {
	if len(r.b) == 0 || r.b[0] > 1 {
		r.bad = true
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *hr) double() float64 {
	if len(r.b) < 8 {
		r.bad = true
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// block reads a block count (skipping the byte size of a negative one) and
// bounds it by the bytes left, each item taking at least minSize.
func (r *hr) block(minSize int) int {
	n := r.long()
	if n < 0 {
		n = -n
		if size := r.long(); size < 0 || size > int64(len(r.b)) {
			r.bad = true
		}
	}
	if n < 0 || n > int64(len(r.b)/minSize) {
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *hr) done() error {
	if r.bad || len(r.b) != 0 {
		return errHand
	}
	return nil
}

func handDecodeDeadline(src []byte, d *events.DeadlinePassed) error {
	r := hr{b: src}
	if s := r.view(); string(s) == "deadline.passed" {
		d.Type = "deadline.passed"
	} else {
		d.Type = string(s)
	}
	d.CafeID = r.long()
	d.Date = avrobin.DateFromDays(r.int())
	d.Timestamp = time.UnixMicro(r.long()).UTC()
	return r.done()
}

func handDecodeDaily(src []byte, d *events.DailyTask) error {
	r := hr{b: src}
	d.Type = r.str()
	d.Timestamp = time.UnixMicro(r.long()).UTC()
	return r.done()
}

func handDecodeOrder(src []byte, o *benchevents.OrderPlaced) error {
	r := hr{b: src}
	o.OrderID = r.str()
	o.CafeID = r.long()
	o.UserID = r.long()
	o.UserName = r.str()
	o.Office = r.str()
	o.Floor = r.int()
	o.Channel = r.str()
	o.ChannelID = r.str()
	if s := r.long(); s >= 0 && s < 4 {
		o.Status = benchevents.OrderStatus(s)
	} else {
		r.bad = true
	}
	o.DeliveryDate = avrobin.DateFromDays(r.int())
	o.PlacedAt = time.UnixMicro(r.long()).UTC()
	o.UpdatedAt = time.UnixMicro(r.long()).UTC()
	o.Items = []benchevents.OrderItem{}
	for n := r.block(3); n > 0 && !r.bad; n = r.block(3) {
		o.Items = slices.Grow(o.Items, n)
		for range n {
			o.Items = append(o.Items, benchevents.OrderItem{Sku: r.str(), Quantity: r.int(), PriceCents: r.long()})
		}
	}
	o.DishNames = []string{}
	for n := r.block(1); n > 0 && !r.bad; n = r.block(1) {
		o.DishNames = slices.Grow(o.DishNames, n)
		for range n {
			o.DishNames = append(o.DishNames, r.str())
		}
	}
	n := r.block(2)
	o.Labels = make(map[string]string, n)
	for ; n > 0 && !r.bad; n = r.block(2) {
		for range n {
			k := r.str()
			o.Labels[k] = r.str()
		}
	}
	o.TotalCents = r.long()
	o.DiscountCents = r.long()
	o.Currency = r.str()
	o.Paid = r.bool()
	o.Tip = r.double()
	switch r.long() {
	case 0:
		o.Note = nil
	case 1:
		s := r.str()
		o.Note = &s
	default:
		r.bad = true
	}
	o.Version = r.int()
	return r.done()
}
