package schema

import (
	"errors"
	"fmt"
	"math"

	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// ErrMalformed is matched (errors.Is) by Transcode's error when the input is
// not a valid encoding of one value of the writer schema.
var ErrMalformed = errors.New("schema: malformed avro data")

// maxDepth bounds the nesting of values (recursive schemas) Transcode
// follows, so that no input exhausts the stack. It counts every level (a
// union branch, an item, a field), where avrobin.MaxDepth counts recursive
// records only, hence its own, larger bound.
const maxDepth = 10000

// zeroWidthItems bounds, per Transcode call, the number of array and map
// items whose encoding may take no byte (null, empty records), beyond one
// per input byte: no small input makes Transcode loop for long.
const zeroWidthItems = 1 << 16

// Transcode appends to dst the reader-schema encoding of the one value src
// holds in the writer-schema encoding. On error it returns dst unchanged and
// an error matching ErrMalformed and, where avrobin's Reader found the fault,
// its reason (avrobin.ErrTruncated, avrobin.ErrOverflow, ...).
func (r *Resolver) Transcode(dst, src []byte) ([]byte, error) {
	st := state{r: avrobin.NewReader(src), budget: len(src) + zeroWidthItems}
	out, err := st.run(r.prog, dst)
	if err != nil {
		return dst, err
	}
	if n := st.r.Len(); n != 0 {
		return dst, fmt.Errorf("%w: %d bytes after the value", ErrMalformed, n)
	}
	return out, nil
}

// state is one Transcode call: the writer's bytes are read with avrobin's
// Reader, the varints and lengths of generated decoders; what is written is
// written with avrobin's Append functions, as generated encoders write it.
type state struct {
	r      avrobin.Reader
	depth  int
	budget int // items left for arrays and maps
}

func (st *state) malformed(what string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrMalformed, what, st.r.Offset())
}

// fail wraps a reason of the Reader, which left its offset at the value
// it could not read.
func (st *state) fail(err error) error {
	return fmt.Errorf("%w: %w at byte %d", ErrMalformed, err, st.r.Offset())
}

// blockCount reads the item count of an array or map block (skipping the
// byte size of a negative count) and charges it to the item budget. It is
// not the Reader's ReadBlockLen, whose bound on zero-width items is per
// array: the budget here bounds all the arrays and maps of one value
// together, nested ones included.
func (st *state) blockCount(elemMinWidth int) (int64, error) {
	n, err := st.r.ReadLong()
	if err != nil {
		return 0, st.fail(err)
	}
	if n < 0 {
		if n == math.MinInt64 {
			return 0, st.malformed("block count overflows")
		}
		n = -n
		if size, err := st.r.ReadLong(); err != nil {
			return 0, st.fail(err)
		} else if size < 0 {
			return 0, st.malformed("negative block size")
		}
	}
	if n > int64(st.budget) {
		return 0, st.malformed(fmt.Sprintf("block of %d items exceeds the input", n))
	}
	if elemMinWidth > 0 && n > int64(st.r.Len()/elemMinWidth) {
		return 0, st.malformed(fmt.Sprintf("block of %d items exceeds the input", n))
	}
	st.budget -= int(n)
	return n, nil
}

func (st *state) run(n *node, dst []byte) ([]byte, error) {
	switch n.op {
	case opNull:
		return dst, nil
	case opBool:
		v, err := st.r.ReadBoolean()
		if err != nil {
			return dst, st.fail(err)
		}
		return avrobin.AppendBoolean(dst, v), nil
	case opInt, opIntToLong, opIntToFloat, opIntToDouble:
		v, err := st.r.ReadInt()
		if err != nil {
			return dst, st.fail(err)
		}
		switch n.op {
		case opIntToFloat:
			return avrobin.AppendFloat(dst, float32(v)), nil
		case opIntToDouble:
			return avrobin.AppendDouble(dst, float64(v)), nil
		}
		return avrobin.AppendLong(dst, int64(v)), nil
	case opLong, opLongToFloat, opLongToDouble:
		v, err := st.r.ReadLong()
		if err != nil {
			return dst, st.fail(err)
		}
		switch n.op {
		case opLongToFloat:
			return avrobin.AppendFloat(dst, float32(v)), nil
		case opLongToDouble:
			return avrobin.AppendDouble(dst, float64(v)), nil
		}
		return avrobin.AppendLong(dst, v), nil
	case opFloatToDouble:
		v, err := st.r.ReadFloat()
		if err != nil {
			return dst, st.fail(err)
		}
		return avrobin.AppendDouble(dst, float64(v)), nil
	case opCopy:
		// Copied as they are: a NaN keeps its bits.
		b, err := st.r.ReadFixedView(n.size)
		if err != nil {
			return dst, st.fail(err)
		}
		return append(dst, b...), nil
	case opBytes:
		b, err := st.r.ReadBytesView()
		if err != nil {
			return dst, st.fail(err)
		}
		return avrobin.AppendBytes(dst, b), nil
	case opEnum:
		i, err := st.r.ReadIndex(len(n.enumMap))
		if err != nil {
			return dst, st.fail(err)
		}
		return avrobin.AppendLong(dst, n.enumMap[i]), nil
	case opUnion:
		i, err := st.r.ReadIndex(len(n.branches))
		if err != nil {
			return dst, st.fail(err)
		}
		br := n.branches[i]
		if br.readerIdx >= 0 {
			dst = avrobin.AppendLong(dst, br.readerIdx)
		}
		return st.nested(br.node, dst)
	case opToUnion:
		dst = avrobin.AppendLong(dst, n.to.readerIdx)
		return st.run(n.to.node, dst)
	case opArray, opMap:
		return st.runBlocks(n, dst)
	case opRecord:
		return st.runRecord(n, dst)
	}
	return dst, fmt.Errorf("schema: resolver: unknown op %d", n.op)
}

// nested runs n one level deeper, failing past maxDepth.
func (st *state) nested(n *node, dst []byte) ([]byte, error) {
	if st.depth >= maxDepth {
		return dst, st.malformed(fmt.Sprintf("values nested deeper than %d", maxDepth))
	}
	st.depth++
	out, err := st.run(n, dst)
	st.depth--
	return out, err
}

func (st *state) runBlocks(n *node, dst []byte) ([]byte, error) {
	minWidth := 0
	if n.op == opMap {
		minWidth = 1 // the key's length
	}
	for {
		count, err := st.blockCount(minWidth)
		if err != nil {
			return dst, err
		}
		if count == 0 {
			return append(dst, 0), nil
		}
		dst = avrobin.AppendLong(dst, count)
		for ; count > 0; count-- {
			if n.op == opMap {
				k, err := st.r.ReadBytesView()
				if err != nil {
					return dst, st.fail(err)
				}
				dst = avrobin.AppendBytes(dst, k)
			}
			if dst, err = st.nested(n.elem, dst); err != nil {
				return dst, err
			}
		}
	}
}

func (st *state) runRecord(n *node, dst []byte) ([]byte, error) {
	var err error
	if n.stream {
		for i := range n.steps {
			s := &n.steps[i]
			if s.node == nil {
				if err := st.skip(s.skip); err != nil {
					return dst, err
				}
				continue
			}
			for _, d := range s.pre {
				dst = append(dst, d...)
			}
			if dst, err = st.nested(s.node, dst); err != nil {
				return dst, err
			}
		}
		for _, d := range n.tail {
			dst = append(dst, d...)
		}
		return dst, nil
	}
	// The reader orders the fields differently: write them in the writer's
	// order after dst, then append them again in the reader's order and
	// move that down over the first copy.
	base := len(dst)
	var small [16][2]int
	spans := small[:0]
	if len(n.steps) > len(small) {
		spans = make([][2]int, 0, len(n.steps))
	}
	for i := range n.steps {
		s := &n.steps[i]
		start := len(dst)
		if s.node == nil {
			err = st.skip(s.skip)
		} else {
			dst, err = st.nested(s.node, dst)
		}
		if err != nil {
			return dst[:base], err
		}
		spans = append(spans, [2]int{start, len(dst)})
	}
	mid := len(dst)
	for j := 0; j < n.nReader; j++ {
		if k := n.source[j]; k >= 0 {
			dst = append(dst, dst[spans[k][0]:spans[k][1]]...)
		} else {
			dst = append(dst, n.defaults[j]...)
		}
	}
	m := copy(dst[base:], dst[mid:])
	return dst[:base+m], nil
}

// skip passes over one value of writer schema s.
func (st *state) skip(s *Schema) error {
	if st.depth >= maxDepth {
		return st.malformed(fmt.Sprintf("values nested deeper than %d", maxDepth))
	}
	st.depth++
	err := st.skipValue(s)
	st.depth--
	return err
}

func (st *state) skipValue(s *Schema) error {
	var err error
	switch s.Kind {
	case Null:
	case Boolean:
		_, err = st.r.ReadBoolean()
	case Int:
		_, err = st.r.ReadInt()
	case Long:
		_, err = st.r.ReadLong()
	case Float:
		_, err = st.r.ReadFixedView(4)
	case Double:
		_, err = st.r.ReadFixedView(8)
	case String, Bytes:
		_, err = st.r.ReadBytesView()
	case Fixed:
		_, err = st.r.ReadFixedView(s.Size)
	case Enum:
		_, err = st.r.ReadIndex(len(s.Symbols))
	case Union:
		i, err := st.r.ReadIndex(len(s.Branches))
		if err != nil {
			return st.fail(err)
		}
		return st.skip(s.Branches[i])
	case Record:
		for _, f := range s.Fields {
			if err := st.skip(f.Type); err != nil {
				return err
			}
		}
	case Array, Map:
		return st.skipBlocks(s)
	default:
		return fmt.Errorf("schema: resolver: cannot skip %s", s.Kind)
	}
	if err != nil {
		return st.fail(err)
	}
	return nil
}

// skipBlocks passes over an array or a map of writer schema s.
func (st *state) skipBlocks(s *Schema) error {
	minWidth := 0
	elem := s.Items
	if s.Kind == Map {
		minWidth, elem = 1, s.Values
	}
	for {
		count, err := st.blockCount(minWidth)
		if err != nil || count == 0 {
			return err
		}
		for ; count > 0; count-- {
			if s.Kind == Map {
				if _, err := st.r.ReadBytesView(); err != nil {
					return st.fail(err)
				}
			}
			if err := st.skip(elem); err != nil {
				return err
			}
		}
	}
}
