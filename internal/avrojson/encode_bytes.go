package avrojson

import (
	"encoding/binary"
	"errors"
	"math/big"
	"strconv"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// bytes encodes a bytes value: a decimal's text or number, or a string of
// characters U+0000 to U+00FF.
func (e *encoder) bytes(dst []byte, s *schema.Schema, v *jvalue, def bool) ([]byte, error) {
	if s.Logical == schema.LogicalDecimal && (v.kind == jNumber || (v.kind == jString && e.style == Plain && !def)) {
		n, err := parseDecimal(v.s, s.Precision, s.Scale, v.kind == jNumber)
		if err != nil {
			return dst, decimalError(err, v)
		}
		raw, _ := appendTwos(nil, n, 0)
		dst = appendVarint(dst, int64(len(raw)))
		return append(dst, raw...), nil
	}
	if v.kind != jString {
		return dst, e.mismatch(s, v)
	}
	n := len(dst)
	dst = appendVarint(dst, 0) // placeholder, rewritten below
	body := len(dst)
	dst, err := latin1(dst, v.s)
	if err != nil {
		return dst[:n], err
	}
	raw := append([]byte(nil), dst[body:]...)
	if err := checkDecimalBytes(s, raw); err != nil {
		return dst[:n], err
	}
	dst = appendVarint(dst[:n], int64(len(raw)))
	return append(dst, raw...), nil
}

// latin1 appends the bytes a string of characters U+0000 to U+00FF stands
// for.
func latin1(dst []byte, s string) ([]byte, error) {
	i := 0
	for _, r := range s {
		if r > 0xff {
			return dst, invalid("character %U at position %d is beyond U+00FF: bytes are written one character \\u0000-\\u00ff per byte", r, i)
		}
		dst = append(dst, byte(r))
		i++
	}
	return dst, nil
}

// fixed encodes a fixed value: a decimal, a UUID, a duration object, or a
// string of exactly Size characters U+0000 to U+00FF.
func (e *encoder) fixed(dst []byte, s *schema.Schema, v *jvalue, def bool) ([]byte, error) {
	switch {
	case s.Logical == schema.LogicalDecimal && (v.kind == jNumber || (v.kind == jString && e.style == Plain && !def)):
		n, err := parseDecimal(v.s, s.Precision, s.Scale, v.kind == jNumber)
		if err != nil {
			return dst, decimalError(err, v)
		}
		out, ok := appendTwos(dst, n, s.Size)
		if !ok {
			return dst, invalid("%s does not fit the %d bytes of fixed %s", v.s, s.Size, s.Name).because(avrobin.ErrDecimal)
		}
		return out, nil
	case s.Logical == schema.LogicalUUID && v.kind == jString && len(v.s) == 36:
		u, ok := parseUUID(v.s)
		if !ok {
			return dst, invalid("%q is not a UUID (8-4-4-4-12 hex digits)", v.s)
		}
		return append(dst, u[:]...), nil
	case s.Logical == schema.LogicalDuration && v.kind == jObject:
		var parts [3]uint32
		for _, m := range v.obj {
			i := map[string]int{"months": 0, "days": 1, "milliseconds": 2}
			k, ok := i[m.key]
			if !ok {
				return dst, within(invalid("unknown member of a duration (months, days, milliseconds)"), stepField, m.key)
			}
			if m.val.kind != jNumber {
				return dst, within(invalid("expected a count 0..4294967295, got %s", m.val.describe()), stepField, m.key)
			}
			n, err := strconv.ParseUint(m.val.s, 10, 32)
			if err != nil {
				return dst, within(invalid("expected a count 0..4294967295, got %s", m.val.describe()), stepField, m.key)
			}
			parts[k] = uint32(n)
		}
		for _, p := range parts {
			dst = binary.LittleEndian.AppendUint32(dst, p)
		}
		return dst, nil
	case v.kind != jString:
		return dst, e.mismatch(s, v)
	}
	n := len(dst)
	out, err := latin1(dst, v.s)
	if err != nil {
		return dst[:n], err
	}
	if len(out)-n != s.Size {
		return dst[:n], invalid("expected %d bytes for fixed %s, got %d", s.Size, s.Name, len(out)-n)
	}
	if err := checkDecimalBytes(s, out[n:]); err != nil {
		return dst[:n], err
	}
	return out, nil
}

// decimalError says, for a string that is not decimal text, where a
// decimal's bytes are read.
func decimalError(err error, v *jvalue) error {
	var nd *notDecimalError
	if errors.As(err, &nd) && v.kind == jString {
		return invalid("%v (a decimal's bytes, as Avro's JSON encoding writes them, are read in the Avro JSON style)", err)
	}
	return invalid("%v", err).because(avrobin.ErrDecimal)
}

// checkDecimalBytes refuses the bytes of a decimal (given as its bytes, as
// Avro's JSON encoding writes it) whose unscaled value has more digits than
// the precision, as Apache Avro's DecimalConversion does.
func checkDecimalBytes(s *schema.Schema, raw []byte) error {
	if s.Logical != schema.LogicalDecimal {
		return nil
	}
	if len(raw) == 0 {
		return invalid(`a decimal's bytes cannot be empty (zero is "\u0000")`)
	}
	n := twos(raw)
	if d := len(new(big.Int).Abs(n).String()); n.Sign() != 0 && d > s.Precision {
		text := string(appendDecimal(nil, raw, s.Scale))
		return invalid("decimal %s (given as its bytes) has more than the %d digit(s) of decimal(%d,%d)", text[1:len(text)-1], s.Precision, s.Precision, s.Scale).because(avrobin.ErrDecimal)
	}
	return nil
}
