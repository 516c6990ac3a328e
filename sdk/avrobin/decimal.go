package avrobin

import (
	"fmt"
	"math/big"
)

// Decimals are *big.Rat. The Avro encoding is the two's-complement,
// big-endian unscaled integer (the value times 10^scale): on bytes, as short
// as it can be, the way hamba/avro and Python's avro write it (a negative
// value gets one more byte than Java's minimal form when its magnitude is a
// power of 256 over 2, say -128); on a fixed, sign-extended to the size.
// A value with more digits after the point than the scale, or more digits in
// all than the precision, is ErrDecimal: nothing is rounded.

var pow10Cache = func() []*big.Int {
	c := make([]*big.Int, 40)
	ten := big.NewInt(10)
	c[0] = big.NewInt(1)
	for i := 1; i < len(c); i++ {
		c[i] = new(big.Int).Mul(c[i-1], ten)
	}
	return c
}()

// pow10 returns 10^n; the result must not be modified.
func pow10(n int) *big.Int {
	if n < len(pow10Cache) {
		return pow10Cache[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// unscaled returns v*10^scale, which must be an integer of at most
// precision digits.
func unscaled(v *big.Rat, precision, scale int) (*big.Int, error) {
	if v == nil {
		return nil, ErrUnset
	}
	n := new(big.Int).Mul(v.Num(), pow10(scale))
	if !v.IsInt() {
		var rem big.Int
		n.QuoRem(n, v.Denom(), &rem)
		if rem.Sign() != 0 {
			return nil, fmt.Errorf("%w: %s has more than %d digits after the point", ErrDecimal, v.RatString(), scale)
		}
	}
	if n.CmpAbs(pow10(precision)) >= 0 {
		return nil, fmt.Errorf("%w: %s has more than %d digits", ErrDecimal, v.FloatString(scale), precision)
	}
	return n, nil
}

// CheckDecimal returns an error matching ErrDecimal (or ErrUnset for nil)
// when v is not representable at precision and scale.
func CheckDecimal(v *big.Rat, precision, scale int) error {
	_, err := unscaled(v, precision, scale)
	return err
}

// appendTwos appends the two's-complement big-endian form of n in size bytes
// (0: as few as hamba/avro writes), or returns false when it does not fit.
func appendTwos(dst []byte, n *big.Int, size int) ([]byte, bool) {
	mag := n.Bytes() // big-endian |n|
	neg := n.Sign() < 0
	need := len(mag)
	switch {
	case n.Sign() == 0:
		need = 1
	case !neg && mag[0]&0x80 != 0:
		need++
	case neg:
		need = n.BitLen()/8 + 1
	}
	if size == 0 {
		size = need
	}
	if need > size {
		return dst, false
	}
	start := len(dst)
	for i := len(mag); i < size; i++ {
		dst = append(dst, 0)
	}
	dst = append(dst, mag...)
	if neg {
		// Negate in place: invert, then add one.
		b := dst[start:]
		for i := range b {
			b[i] = ^b[i]
		}
		for i := len(b) - 1; i >= 0; i-- {
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	}
	return dst, true
}

// AppendDecimal appends v as an Avro decimal on bytes.
func AppendDecimal(dst []byte, v *big.Rat, precision, scale int) ([]byte, error) {
	n, err := unscaled(v, precision, scale)
	if err != nil {
		return dst, err
	}
	var buf [32]byte
	b, _ := appendTwos(buf[:0], n, 0)
	return AppendBytes(dst, b), nil
}

// AppendFixedDecimal appends v as an Avro decimal on a fixed of size bytes.
func AppendFixedDecimal(dst []byte, v *big.Rat, size, precision, scale int) ([]byte, error) {
	n, err := unscaled(v, precision, scale)
	if err != nil {
		return dst, err
	}
	out, ok := appendTwos(dst, n, size)
	if !ok {
		return dst, fmt.Errorf("%w: %s does not fit %d bytes", ErrDecimal, v.FloatString(scale), size)
	}
	return out, nil
}

// ratFromTwos returns the two's-complement big-endian integer b over
// 10^scale.
func ratFromTwos(b []byte, scale int) *big.Rat {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return new(big.Rat).SetFrac(n, pow10(scale))
}

// maxDecimalLen is the most bytes the Reader accepts for a decimal on bytes
// of the precision: a little more than any such value needs (10^p takes
// p*log2(10)/8 < p/2 bytes), so that hostile input cannot make it compute
// with huge numbers.
func maxDecimalLen(precision int) int { return precision/2 + 8 }

// ReadDecimal reads an Avro decimal on bytes. Its value is not checked
// against the precision (Validate does); its length is (ErrDecimal).
func (r *Reader) ReadDecimal(precision, scale int) (*big.Rat, error) {
	start := r.off
	b, err := r.ReadBytesView()
	if err != nil {
		return nil, err
	}
	if len(b) > maxDecimalLen(precision) {
		r.off = start
		return nil, fmt.Errorf("%w: %d bytes for a precision of %d", ErrDecimal, len(b), precision)
	}
	return ratFromTwos(b, scale), nil
}

// ReadFixedDecimal reads an Avro decimal on a fixed of size bytes.
func (r *Reader) ReadFixedDecimal(size, scale int) (*big.Rat, error) {
	b, err := r.ReadFixedView(size)
	if err != nil {
		return nil, err
	}
	return ratFromTwos(b, scale), nil
}

// MustParseRat returns the rational number s (as big.Rat.SetString reads
// it: "1.25", "-3/4"); it panics when s is not one. Generated constructors
// use it for schema defaults.
func MustParseRat(s string) *big.Rat {
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("avrobin: not a number: " + s)
	}
	return v
}
