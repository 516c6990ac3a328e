package avrojson

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
)

// The readable forms of the logical types, both ways.

const secondsPerDay = 86400

// formatDate returns "YYYY-MM-DD" for a day number, false outside the years
// 1 to 9999.
func formatDate(days int32) (string, bool) {
	t := time.Unix(int64(days)*secondsPerDay, 0).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

func parseDate(s string) (int32, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, dateError(s)
	}
	return int32(t.Unix() / secondsPerDay), nil
}

// dateError says why s, which time.Parse refused, is not a date: a month or
// a day the calendar does not have ("2026-02-30": February 2026 has 28
// days), or not the form YYYY-MM-DD at all.
func dateError(s string) error {
	if !isDateShape(s) {
		return fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:])
	if m < 1 || m > 12 {
		return fmt.Errorf("date %q: there is no month %02d (months are 01 to 12)", s, m)
	}
	// Day 0 of the next month is the last of this one.
	days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	switch {
	case d == 0:
		return fmt.Errorf("date %q: there is no day 00 (%s %04d has %d days, 01 to %d)", s, time.Month(m), y, days, days)
	case d > days:
		return fmt.Errorf("date %q: %s %04d has %d days", s, time.Month(m), y, days)
	}
	return fmt.Errorf("date %q is not YYYY-MM-DD", s)
}

// isDateShape reports whether s is four digits, '-', two digits, '-', two
// digits.
func isDateShape(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fracDigits is the number of fraction digits of a unit (1e3: 3, ...).
func fracDigits(perSecond int64) int {
	switch perSecond {
	case 1e3:
		return 3
	case 1e6:
		return 6
	}
	return 9
}

func appendFrac(b []byte, frac int64, digits int) []byte {
	s := strconv.FormatInt(frac, 10)
	b = append(b, '.')
	for i := len(s); i < digits; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// formatTimeOfDay returns "HH:MM:SS.fff" (as many fraction digits as the
// unit has) for v units after midnight, false outside one day.
func formatTimeOfDay(v, perSecond int64) (string, bool) {
	if v < 0 || v >= secondsPerDay*perSecond {
		return "", false
	}
	sec, frac := v/perSecond, v%perSecond
	b := make([]byte, 0, 18)
	b = fmt.Appendf(b, "%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	return string(appendFrac(b, frac, fracDigits(perSecond))), true
}

func parseTimeOfDay(s string, perSecond int64) (int64, error) {
	t, err := time.Parse("15:04:05.999999999", s)
	if err != nil {
		return 0, fmt.Errorf("time of day %q is not HH:MM:SS[.fraction]", s)
	}
	ns := int64(t.Nanosecond())
	per := int64(1e9) / perSecond
	if ns%per != 0 {
		return 0, fmt.Errorf("time of day %q has more than the %d fraction digits of its type", s, fracDigits(perSecond))
	}
	sec := int64(t.Hour()*3600 + t.Minute()*60 + t.Second())
	return sec*perSecond + ns/per, nil
}

// timestampUnit returns the units per second of a timestamp logical type and
// whether it is a local one.
func timestampUnit(logical string) (perSecond int64, local, ok bool) {
	switch logical {
	case schema.LogicalTimestampMillis:
		return 1e3, false, true
	case schema.LogicalTimestampMicros:
		return 1e6, false, true
	case schema.LogicalTimestampNanos:
		return 1e9, false, true
	case schema.LogicalLocalTimestampMillis:
		return 1e3, true, true
	case schema.LogicalLocalTimestampMicros:
		return 1e6, true, true
	case schema.LogicalLocalTimestampNanos:
		return 1e9, true, true
	}
	return 0, false, false
}

// formatTimestamp returns the RFC 3339 form of v units since the epoch, in
// UTC with 'Z' (or without a zone for a local timestamp), with the unit's
// fraction digits; false outside the years 1 to 9999.
func formatTimestamp(v, perSecond int64, local bool) (string, bool) {
	sec, frac := v/perSecond, v%perSecond
	if frac < 0 {
		sec--
		frac += perSecond
	}
	t := time.Unix(sec, 0).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return "", false
	}
	b := make([]byte, 0, 32)
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	b = appendFrac(b, frac, fracDigits(perSecond))
	if !local {
		b = append(b, 'Z')
	}
	return string(b), true
}

func parseTimestamp(s string, perSecond int64, local bool, logical string) (int64, error) {
	var t time.Time
	var err error
	if local {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
		if err != nil {
			if _, zerr := time.Parse(time.RFC3339Nano, s); zerr == nil {
				return 0, fmt.Errorf("%s %q has a time zone; a local timestamp has none: drop it", logical, s)
			}
			return 0, fmt.Errorf("%s %q is not YYYY-MM-DDTHH:MM:SS[.fraction] (no time zone)", logical, s)
		}
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			if _, lerr := time.Parse("2006-01-02T15:04:05.999999999", s); lerr == nil {
				return 0, fmt.Errorf("%s %q has no time zone: add Z for UTC or an offset like +02:00", logical, s)
			}
			return 0, fmt.Errorf("%s %q is not an RFC 3339 timestamp like 2026-11-27T11:45:00Z", logical, s)
		}
	}
	ns := int64(t.Nanosecond())
	per := int64(1e9) / perSecond
	if ns%per != 0 {
		return 0, fmt.Errorf("%s %q has more than its %d fraction digits", logical, s, fracDigits(perSecond))
	}
	v := new(big.Int).Mul(big.NewInt(t.Unix()), big.NewInt(perSecond))
	v.Add(v, big.NewInt(ns/per))
	if !v.IsInt64() {
		return 0, fmt.Errorf("%s %q is out of range (a 64-bit count of %s since 1970)", logical, s, unitName(perSecond))
	}
	return v.Int64(), nil
}

func unitName(perSecond int64) string {
	switch perSecond {
	case 1e3:
		return "milliseconds"
	case 1e6:
		return "microseconds"
	}
	return "nanoseconds"
}

// formatUUID writes 16 bytes as 8-4-4-4-12 lower-case hex.
func formatUUID(b []byte) string {
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(out[:])
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseUUID reads the 8-4-4-4-12 hex form.
func parseUUID(s string) ([16]byte, bool) {
	var out [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return out, false
	}
	j := 0
	for i := 0; i < 36; {
		if s[i] == '-' {
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return out, false
		}
		out[j] = hi<<4 | lo
		j++
		i += 2
	}
	return out, true
}

// appendDuration writes the 12 bytes of a duration as an object.
func appendDuration(dst []byte, b []byte) []byte {
	dst = append(dst, `{"months":`...)
	dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b[0:])), 10)
	dst = append(dst, `,"days":`...)
	dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b[4:])), 10)
	dst = append(dst, `,"milliseconds":`...)
	dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b[8:])), 10)
	return append(dst, '}')
}

// twos returns the big-endian two's complement integer b (0 when empty).
func twos(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

// appendTwos appends the shortest big-endian two's complement form of n, or
// its form in exactly size bytes when size > 0; false when n needs more.
func appendTwos(dst []byte, n *big.Int, size int) ([]byte, bool) {
	neg := n.Sign() < 0
	var k int
	if neg {
		k = new(big.Int).Not(n).BitLen()/8 + 1
	} else {
		k = n.BitLen()/8 + 1
	}
	if size <= 0 {
		size = k
	} else if k > size {
		return dst, false
	}
	m, pad := n, byte(0)
	if neg {
		m, pad = new(big.Int).Add(n, new(big.Int).Lsh(big.NewInt(1), uint(8*size))), 0xff
	}
	raw := m.Bytes()
	for i := len(raw); i < size; i++ {
		dst = append(dst, pad)
	}
	return append(dst, raw...), true
}

// appendDecimal writes the decimal whose unscaled value is the two's
// complement b as a JSON string, with scale fraction digits.
func appendDecimal(dst []byte, b []byte, scale int) []byte {
	n := twos(b)
	digits := n.String()
	neg := false
	if digits[0] == '-' {
		neg, digits = true, digits[1:]
	}
	dst = append(dst, '"')
	if neg {
		dst = append(dst, '-')
	}
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		dst = append(dst, digits[:len(digits)-scale]...)
		dst = append(dst, '.')
		dst = append(dst, digits[len(digits)-scale:]...)
	} else {
		dst = append(dst, digits...)
	}
	return append(dst, '"')
}

// notDecimalError is text that is not a decimal number.
type notDecimalError struct{ text string }

func (e *notDecimalError) Error() string {
	return fmt.Sprintf("%q is not a decimal number like \"-12.34\"", e.text)
}

// parseDecimal reads a decimal number (an optional '-', digits, an optional
// fraction, and, when exp is allowed, an exponent) and returns its unscaled
// value at scale, refusing more digits than precision or scale allow.
func parseDecimal(text string, precision, scale int, exp bool) (*big.Int, error) {
	s := text
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	mant, e := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if !exp {
			return nil, &notDecimalError{text}
		}
		v, err := strconv.Atoi(s[i+1:])
		if err != nil || v > 1e6 || v < -1e6 {
			return nil, fmt.Errorf("%q has an exponent out of range", text)
		}
		mant, e = s[:i], v
	}
	intPart, frac, hasPoint := strings.Cut(mant, ".")
	if intPart == "" || (hasPoint && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return nil, &notDecimalError{text}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	e -= len(frac)
	// value = digits * 10^e; unscaled = digits * 10^(e+scale).
	shift := e + scale
	if shift < 0 {
		cut := -shift
		if cut > len(digits) {
			cut = len(digits)
		}
		if strings.Trim(digits[len(digits)-cut:], "0") != "" {
			return nil, fmt.Errorf("%s has more than the %d fraction digit(s) of decimal(%d,%d)", text, scale, precision, scale)
		}
		digits = digits[:len(digits)-cut]
	} else if digits != "" {
		if len(digits)+shift > precision {
			return nil, fmt.Errorf("%s has more than the %d digit(s) of decimal(%d,%d)", text, precision, precision, scale)
		}
		digits += strings.Repeat("0", shift)
	}
	if len(digits) > precision {
		return nil, fmt.Errorf("%s has more than the %d digit(s) of decimal(%d,%d)", text, precision, precision, scale)
	}
	n := new(big.Int)
	if digits != "" {
		n.SetString(digits, 10)
	}
	if neg {
		n.Neg(n)
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
