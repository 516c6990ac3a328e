package avrobin

import (
	"encoding/binary"
	"math"
	"slices"
)

// AppendBoolean appends an Avro boolean: one byte, 0 or 1.
func AppendBoolean(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendInt appends an Avro int: a zig-zag varint.
func AppendInt(dst []byte, v int32) []byte { return AppendLong(dst, int64(v)) }

// AppendLong appends an Avro long: a zig-zag varint.
func AppendLong(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

// AppendFloat appends an Avro float: IEEE 754 binary32, little-endian.
func AppendFloat(dst []byte, v float32) []byte {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
}

// AppendDouble appends an Avro double: IEEE 754 binary64, little-endian.
func AppendDouble(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// AppendBytes appends Avro bytes: the length as a long, then the bytes.
func AppendBytes(dst []byte, v []byte) []byte {
	return append(AppendLong(dst, int64(len(v))), v...)
}

// AppendString appends an Avro string: the length as a long, then the
// bytes. It does not check that s is valid UTF-8 (Validate does).
func AppendString(dst []byte, s string) []byte {
	return append(AppendLong(dst, int64(len(s))), s...)
}

// AppendEnum appends the index of enum value v of an enum with n symbols,
// or returns an error when v is out of range.
func AppendEnum[E ~int32](dst []byte, v E, n int) ([]byte, error) {
	if v < 0 || int(v) >= n {
		return dst, EnumError(int64(v), n)
	}
	return AppendLong(dst, int64(v)), nil
}

// SortedKeys returns the keys of m in increasing order. Maps are encoded in
// key order, so that a value always has the same encoding. It allocates the
// slice; AppendSortedKeys need not.
func SortedKeys[M ~map[string]V, V any](m M) []string {
	return AppendSortedKeys(make([]string, 0, len(m)), m)
}

// SortedKeysBuffer is the size of the array generated encoders sort map
// keys in: maps of up to this many entries encode without allocating.
const SortedKeysBuffer = 16

// AppendSortedKeys appends the keys of m to dst in increasing order and
// returns the extended slice. Generated encoders pass a slice of an array on
// their stack, so that the keys of a map of up to SortedKeysBuffer entries
// are sorted without allocating:
//
//	var keys [avrobin.SortedKeysBuffer]string
//	for _, k := range avrobin.AppendSortedKeys(keys[:0], m) {
func AppendSortedKeys[M ~map[string]V, V any](dst []string, m M) []string {
	start := len(dst)
	for k := range m {
		dst = append(dst, k)
	}
	if len(dst)-start > 1 {
		slices.Sort(dst[start:])
	}
	return dst
}

// Ptr returns a pointer to a copy of v. Generated constructors use it for
// the defaults of optional fields.
func Ptr[T any](v T) *T { return &v }
