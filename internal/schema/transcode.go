package schema

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrMalformed is matched (errors.Is) by Transcode's error when the input is
// not a valid encoding of one value of the writer schema.
var ErrMalformed = errors.New("schema: malformed avro data")

// maxDepth bounds the nesting of values (recursive schemas) Transcode
// follows, so that no input exhausts the stack.
const maxDepth = 10000

// zeroWidthItems bounds, per Transcode call, the number of array and map
// items whose encoding may take no byte (null, empty records), beyond one
// per input byte: no small input makes Transcode loop for long.
const zeroWidthItems = 1 << 16

// Transcode appends to dst the reader-schema encoding of the one value src
// holds in the writer-schema encoding. On error it returns dst unchanged and
// an error matching ErrMalformed.
func (r *Resolver) Transcode(dst, src []byte) ([]byte, error) {
	st := state{src: src, budget: len(src) + zeroWidthItems}
	out, err := st.run(r.prog, dst)
	if err != nil {
		return dst, err
	}
	if st.pos != len(src) {
		return dst, fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(src)-st.pos)
	}
	return out, nil
}

type state struct {
	src    []byte
	pos    int
	depth  int
	budget int // items left for arrays and maps
}

func (st *state) malformed(what string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrMalformed, what, st.pos)
}

func (st *state) readLong() (int64, error) {
	var u uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if st.pos >= len(st.src) {
			return 0, st.malformed("truncated varint")
		}
		c := st.src[st.pos]
		st.pos++
		if shift == 63 && c > 1 {
			return 0, st.malformed("varint overflows 64 bits")
		}
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), nil
		}
	}
	return 0, st.malformed("varint longer than 10 bytes")
}

func (st *state) readInt() (int64, error) {
	v, err := st.readLong()
	if err == nil && (v < math.MinInt32 || v > math.MaxInt32) {
		return 0, st.malformed("int out of 32-bit range")
	}
	return v, err
}

func (st *state) take(n int) ([]byte, error) {
	if n < 0 || n > len(st.src)-st.pos {
		return nil, st.malformed(fmt.Sprintf("%d bytes wanted, %d left", n, len(st.src)-st.pos))
	}
	b := st.src[st.pos : st.pos+n]
	st.pos += n
	return b, nil
}

func (st *state) readLen() (int, error) {
	n, err := st.readLong()
	if err != nil {
		return 0, err
	}
	if n < 0 || n > int64(len(st.src)-st.pos) {
		return 0, st.malformed(fmt.Sprintf("length %d with %d bytes left", n, len(st.src)-st.pos))
	}
	return int(n), nil
}

func appendLong(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

func appendFloat(dst []byte, f float32) []byte {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(f))
}

func appendDouble(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// blockCount reads the item count of an array or map block (skipping the
// byte size of a negative count) and charges it to the item budget.
func (st *state) blockCount(elemMinWidth int) (int64, error) {
	n, err := st.readLong()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == math.MinInt64 {
			return 0, st.malformed("block count overflows")
		}
		n = -n
		if size, err := st.readLong(); err != nil {
			return 0, err
		} else if size < 0 {
			return 0, st.malformed("negative block size")
		}
	}
	if n > int64(st.budget) {
		return 0, st.malformed(fmt.Sprintf("block of %d items exceeds the input", n))
	}
	if elemMinWidth > 0 && n > int64((len(st.src)-st.pos)/elemMinWidth) {
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
		b, err := st.take(1)
		if err != nil {
			return dst, err
		}
		if b[0] > 1 {
			st.pos--
			return dst, st.malformed(fmt.Sprintf("boolean byte 0x%02x", b[0]))
		}
		return append(dst, b[0]), nil
	case opInt, opIntToLong:
		v, err := st.readInt()
		if err != nil {
			return dst, err
		}
		return appendLong(dst, v), nil
	case opIntToFloat:
		v, err := st.readInt()
		if err != nil {
			return dst, err
		}
		return appendFloat(dst, float32(v)), nil
	case opIntToDouble:
		v, err := st.readInt()
		if err != nil {
			return dst, err
		}
		return appendDouble(dst, float64(v)), nil
	case opLong:
		v, err := st.readLong()
		if err != nil {
			return dst, err
		}
		return appendLong(dst, v), nil
	case opLongToFloat:
		v, err := st.readLong()
		if err != nil {
			return dst, err
		}
		return appendFloat(dst, float32(v)), nil
	case opLongToDouble:
		v, err := st.readLong()
		if err != nil {
			return dst, err
		}
		return appendDouble(dst, float64(v)), nil
	case opFloat:
		b, err := st.take(4)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	case opFloatToDouble:
		b, err := st.take(4)
		if err != nil {
			return dst, err
		}
		return appendDouble(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))), nil
	case opDouble:
		b, err := st.take(8)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	case opBytes:
		l, err := st.readLen()
		if err != nil {
			return dst, err
		}
		dst = appendLong(dst, int64(l))
		b, _ := st.take(l)
		return append(dst, b...), nil
	case opFixed:
		b, err := st.take(n.size)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	case opEnum:
		i, err := st.readInt()
		if err != nil {
			return dst, err
		}
		if i < 0 || i >= int64(len(n.enumMap)) {
			return dst, st.malformed(fmt.Sprintf("enum index %d of %d symbols", i, len(n.enumMap)))
		}
		return appendLong(dst, n.enumMap[i]), nil
	case opUnion:
		i, err := st.readLong()
		if err != nil {
			return dst, err
		}
		if i < 0 || i >= int64(len(n.branches)) {
			return dst, st.malformed(fmt.Sprintf("union index %d of %d branches", i, len(n.branches)))
		}
		br := n.branches[i]
		if br.readerIdx >= 0 {
			dst = appendLong(dst, br.readerIdx)
		}
		return st.nested(br.node, dst)
	case opToUnion:
		dst = appendLong(dst, n.to.readerIdx)
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
		dst = appendLong(dst, count)
		for ; count > 0; count-- {
			if n.op == opMap {
				l, err := st.readLen()
				if err != nil {
					return dst, err
				}
				dst = appendLong(dst, int64(l))
				k, _ := st.take(l)
				dst = append(dst, k...)
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
	switch s.Kind {
	case Null:
		return nil
	case Boolean:
		_, err := st.take(1)
		return err
	case Int:
		_, err := st.readInt()
		return err
	case Long:
		_, err := st.readLong()
		return err
	case Float:
		_, err := st.take(4)
		return err
	case Double:
		_, err := st.take(8)
		return err
	case String, Bytes:
		l, err := st.readLen()
		if err != nil {
			return err
		}
		st.pos += l
		return nil
	case Fixed:
		_, err := st.take(s.Size)
		return err
	case Enum:
		i, err := st.readInt()
		if err == nil && (i < 0 || i >= int64(len(s.Symbols))) {
			return st.malformed(fmt.Sprintf("enum index %d of %d symbols", i, len(s.Symbols)))
		}
		return err
	case Union:
		i, err := st.readLong()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(s.Branches)) {
			return st.malformed(fmt.Sprintf("union index %d of %d branches", i, len(s.Branches)))
		}
		return st.skip(s.Branches[i])
	case Record:
		for _, f := range s.Fields {
			if err := st.skip(f.Type); err != nil {
				return err
			}
		}
		return nil
	case Array, Map:
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
					l, err := st.readLen()
					if err != nil {
						return err
					}
					st.pos += l
				}
				if err := st.skip(elem); err != nil {
					return err
				}
			}
		}
	}
	return fmt.Errorf("schema: resolver: cannot skip %s", s.Kind)
}
