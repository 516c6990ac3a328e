package avrobin

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// MaxZeroWidthItems caps the number of items of an array or map whose items
// take no bytes (arrays of null, of empty records): nothing in the input
// bounds their count, so the Reader does.
const MaxZeroWidthItems = 1 << 20

// MaxDepth caps how deep a recursive value (a linked list, a tree) may nest,
// when decoding, encoding and validating, so that hostile input or a cyclic
// value fails with ErrTooDeep instead of exhausting the stack.
const MaxDepth = 1000

// Reader reads Avro binary values from a byte slice. It checks every length
// against the bytes left before allocating, never panics, and returns the
// reasons of this package (ErrTruncated, ErrOverflow, ...) as errors; a
// failed read leaves the offset where it was.
//
// The zero Reader reads nothing; NewReader makes one over a slice.
type Reader struct {
	buf   []byte
	off   int
	depth int
}

// NewReader returns a Reader over src. It does not copy src; values read from
// it (strings, bytes) are copies.
func NewReader(src []byte) Reader { return Reader{buf: src} }

// Len returns the number of bytes left.
func (r *Reader) Len() int { return len(r.buf) - r.off }

// Offset returns the number of bytes read.
func (r *Reader) Offset() int { return r.off }

// ReadBoolean reads a boolean: one byte, 0 or 1 (anything else is
// ErrBoolean).
func (r *Reader) ReadBoolean() (bool, error) {
	if r.off >= len(r.buf) {
		return false, ErrTruncated
	}
	switch r.buf[r.off] {
	case 0:
		r.off++
		return false, nil
	case 1:
		r.off++
		return true, nil
	}
	return false, ErrBoolean
}

// ReadInt reads an int: a zig-zag varint of at most 5 bytes whose value fits
// 32 bits.
func (r *Reader) ReadInt() (int32, error) {
	if r.off < len(r.buf) {
		if b := r.buf[r.off]; b < 0x80 {
			r.off++
			return int32(b>>1) ^ -int32(b&1), nil
		}
	}
	u, n, err := uvarint(r.buf[r.off:], 5)
	if err != nil {
		return 0, err
	}
	if u > math.MaxUint32 {
		return 0, ErrOverflow
	}
	r.off += n
	return int32(u>>1) ^ -int32(u&1), nil
}

// ReadLong reads a long: a zig-zag varint of at most 10 bytes.
func (r *Reader) ReadLong() (int64, error) {
	if r.off < len(r.buf) {
		if b := r.buf[r.off]; b < 0x80 {
			r.off++
			return int64(b>>1) ^ -int64(b&1), nil
		}
	}
	u, n, err := uvarint(r.buf[r.off:], 10)
	if err != nil {
		return 0, err
	}
	r.off += n
	return int64(u>>1) ^ -int64(u&1), nil
}

// uvarint decodes a varint of at most maxLen bytes (5 or 10) from the start
// of buf and returns it with its length; a 10-byte varint whose last byte
// has more than one bit overflows 64 bits.
func uvarint(buf []byte, maxLen int) (uint64, int, error) {
	var u uint64
	var shift uint
	for i, b := range buf {
		if i == maxLen {
			return 0, 0, ErrOverflow
		}
		if b < 0x80 {
			if i == 9 && b > 1 {
				return 0, 0, ErrOverflow
			}
			return u | uint64(b)<<shift, i + 1, nil
		}
		u |= uint64(b&0x7f) << shift
		shift += 7
	}
	if len(buf) >= maxLen {
		return 0, 0, ErrOverflow
	}
	return 0, 0, ErrTruncated
}

// ReadFloat reads a float: 4 bytes, little-endian.
func (r *Reader) ReadFloat() (float32, error) {
	if r.Len() < 4 {
		return 0, ErrTruncated
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(r.buf[r.off:]))
	r.off += 4
	return v, nil
}

// ReadDouble reads a double: 8 bytes, little-endian.
func (r *Reader) ReadDouble() (float64, error) {
	if r.Len() < 8 {
		return 0, ErrTruncated
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.buf[r.off:]))
	r.off += 8
	return v, nil
}

// readLen reads a length prefix and checks it against the bytes left.
func (r *Reader) readLen() (int, error) {
	if r.off < len(r.buf) {
		// The common case: a length under 64, in one byte.
		if b := r.buf[r.off]; b < 0x80 && b&1 == 0 && int(b>>1) < len(r.buf)-r.off {
			r.off++
			return int(b >> 1), nil
		}
	}
	start := r.off
	n, err := r.ReadLong()
	if err != nil {
		return 0, err
	}
	if n < 0 || n > int64(r.Len()) {
		r.off = start
		if n > 0 {
			return 0, ErrTruncated
		}
		return 0, ErrLength
	}
	return int(n), nil
}

// ReadBytesView reads bytes and returns them without copying: the result
// aliases the Reader's input.
func (r *Reader) ReadBytesView() ([]byte, error) {
	n, err := r.readLen()
	if err != nil {
		return nil, err
	}
	b := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return b, nil
}

// ReadBytes reads bytes and returns a copy (empty, not nil, for none).
func (r *Reader) ReadBytes() ([]byte, error) {
	b, err := r.ReadBytesView()
	if err != nil {
		return nil, err
	}
	return append([]byte{}, b...), nil
}

// ReadString reads a string; one that is not valid UTF-8 is ErrInvalidUTF8.
func (r *Reader) ReadString() (string, error) {
	b, err := r.readStringView()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// ReadKnownString is ReadString, but returns known itself, without
// allocating, when the string read equals it. Generated code uses it for
// fields whose value the schema fixes ("const").
func (r *Reader) ReadKnownString(known string) (string, error) {
	if r.off < len(r.buf) && len(known) < 64 {
		// The common case, in one pass: a short string equal to known.
		if b := r.buf[r.off]; int(b) == len(known)<<1 {
			if end := r.off + 1 + len(known); end <= len(r.buf) && string(r.buf[r.off+1:end]) == known {
				r.off = end
				return known, nil
			}
		}
	}
	return r.readKnownString(known)
}

func (r *Reader) readKnownString(known string) (string, error) {
	start := r.off
	b, err := r.ReadBytesView()
	if err != nil {
		return "", err
	}
	if string(b) == known {
		return known, nil // known is valid UTF-8: it comes from the schema
	}
	if !utf8.Valid(b) {
		r.off = start
		return "", ErrInvalidUTF8
	}
	return string(b), nil
}

func (r *Reader) readStringView() ([]byte, error) {
	start := r.off
	b, err := r.ReadBytesView()
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		r.off = start
		return nil, ErrInvalidUTF8
	}
	return b, nil
}

// ReadFixedView reads a fixed of n bytes and returns it without copying.
func (r *Reader) ReadFixedView(n int) ([]byte, error) {
	if n < 0 || r.Len() < n {
		return nil, ErrTruncated
	}
	b := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return b, nil
}

// ReadFixed reads a fixed of len(dst) bytes into dst.
func (r *Reader) ReadFixed(dst []byte) error {
	if r.Len() < len(dst) {
		return ErrTruncated
	}
	r.off += copy(dst, r.buf[r.off:])
	return nil
}

// ReadIndex reads a union branch index or enum symbol index: a long that
// must be in [0, n).
func (r *Reader) ReadIndex(n int) (int, error) {
	start := r.off
	i, err := r.ReadLong()
	if err != nil {
		return 0, err
	}
	if i < 0 || i >= int64(n) {
		r.off = start
		return 0, ErrIndex
	}
	return int(i), nil
}

// ReadEnum reads the symbol index of an enum E with n symbols.
func ReadEnum[E ~int32](r *Reader, n int) (E, error) {
	i, err := r.ReadIndex(n)
	return E(i), err
}

// ReadBlockLen reads the header of the next block of an array or map and
// returns its item count, 0 at the end. have is the number of items read so
// far; itemMin the fewest bytes an item takes (a map entry takes at least one
// for its key).
//
// A negative count is followed by the block's size in bytes (Java and
// hamba/avro write those); the size is checked against the bytes left. The
// count is checked before anything is allocated: when itemMin > 0 it is at
// most Len()/itemMin (so preallocating it is safe); when itemMin is 0 the
// total is at most MaxZeroWidthItems.
func (r *Reader) ReadBlockLen(have, itemMin int) (int, error) {
	start := r.off
	n, err := r.ReadLong()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == math.MinInt64 {
			r.off = start
			return 0, ErrLength
		}
		n = -n
		size, err := r.ReadLong()
		if err != nil {
			r.off = start
			return 0, err
		}
		if size < 0 || size > int64(r.Len()) {
			r.off = start
			return 0, ErrLength
		}
	}
	switch {
	case itemMin > 0 && n > int64(r.Len()/itemMin):
		r.off = start
		return 0, ErrLength
	case itemMin <= 0 && n > int64(MaxZeroWidthItems-have):
		r.off = start
		return 0, ErrTooManyItems
	}
	return int(n), nil
}

// Enter notes that decoding descends into a recursive value; it fails with
// ErrTooDeep beyond MaxDepth. Leave undoes it.
func (r *Reader) Enter() error {
	if r.depth >= MaxDepth {
		return ErrTooDeep
	}
	r.depth++
	return nil
}

// Leave notes that decoding of a recursive value entered with Enter is done.
func (r *Reader) Leave() { r.depth-- }
