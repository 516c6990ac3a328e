package avrojson

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// The readable forms of the logical types, both ways.

const secondsPerDay = 86400

// formatDate returns the text of a day number: "YYYY-MM-DD", with a sign
// and more digits for a year beyond 0 to 9999 (avrobin.Date's String).
func formatDate(days int32) string { return avrobin.DateFromDays(days).String() }

// parseDate reads a date's text: what formatDate writes, and says why a
// date of that form is none ("2026-02-30": February 2026 has 28 days).
func parseDate(s string) (int32, error) {
	d, err := avrobin.ParseDate(s)
	if err != nil {
		var de *avrobin.DateError
		if errors.As(err, &de) {
			return 0, invalid("date %q: %s", s, de.Reason).because(de)
		}
		return 0, invalid("date %q is not YYYY-MM-DD", s)
	}
	days, _ := d.Days()
	return days, nil
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

// formatTimeOfDay returns "HH:MM:SS.fff" (as many fraction digits as the
// unit has) for v units after midnight, false outside one day.
func formatTimeOfDay(v, perSecond int64) (string, bool) {
	if v < 0 || v >= secondsPerDay*perSecond {
		return "", false
	}
	return avrobin.TimeOfDayText(time.Duration(v*(int64(time.Second)/perSecond)), fracDigits(perSecond)), true
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

// timestampType is a timestamp logical type as avrojson needs it: its
// unit and the avrobin functions of generated code for it, so that JSON
// input is counted and checked as Go values are.
type timestampType struct {
	perSec int64
	local  bool
	// count is avrobin's TimestampMicros and the like: the count of a time,
	// or why it has none.
	count func(time.Time) (int64, error)
	// checkSet is avrobin's CheckRequiredTimestampMicros and the like.
	checkSet func(time.Time) error
}

var timestampTypes = map[string]*timestampType{
	schema.LogicalTimestampMillis:      {1e3, false, avrobin.TimestampMillis, avrobin.CheckRequiredTimestampMillis},
	schema.LogicalTimestampMicros:      {1e6, false, avrobin.TimestampMicros, avrobin.CheckRequiredTimestampMicros},
	schema.LogicalTimestampNanos:       {1e9, false, avrobin.TimestampNanos, avrobin.CheckRequiredTimestampNanos},
	schema.LogicalLocalTimestampMillis: {1e3, true, avrobin.LocalTimestampMillis, avrobin.CheckRequiredLocalTimestampMillis},
	schema.LogicalLocalTimestampMicros: {1e6, true, avrobin.LocalTimestampMicros, avrobin.CheckRequiredLocalTimestampMicros},
	schema.LogicalLocalTimestampNanos:  {1e9, true, avrobin.LocalTimestampNanos, avrobin.CheckRequiredLocalTimestampNanos},
}

// timeOf returns the time of count v (a local timestamp's wall clock, in
// UTC), as generated code decodes it.
func (tt *timestampType) timeOf(v int64) time.Time {
	return time.Unix(v/tt.perSec, v%tt.perSec*(1e9/tt.perSec)).UTC()
}

// formatTimestamp returns the RFC 3339 text of v units since the epoch, in
// UTC with 'Z' (or without a zone for a local timestamp), with the unit's
// fraction digits; a year beyond 0 to 9999 is expanded, as
// avrobin.AppendTimeText writes it.
func formatTimestamp(v int64, tt *timestampType) string {
	return string(avrobin.AppendTimeText(nil, tt.timeOf(v), fracDigits(tt.perSec), tt.local))
}

// parseTimestamp reads what formatTimestamp writes (an offset other than Z
// too, and fewer fraction digits) and returns the time (a local
// timestamp's wall clock, in UTC).
func parseTimestamp(s string, tt *timestampType, logical string) (time.Time, error) {
	text, years := s, 0
	if s != "" && (s[0] == '+' || s[0] == '-') {
		var ok bool
		if text, years, ok = unexpandYear(s); !ok {
			text = "" // not a timestamp: time.Parse says so below
		}
	}
	layout := time.RFC3339Nano
	if tt.local {
		layout = "2006-01-02T15:04:05.999999999"
	}
	t, err := time.Parse(layout, text)
	switch {
	case err == nil:
	case tt.local:
		if _, zerr := time.Parse(time.RFC3339Nano, text); zerr == nil {
			return t, fmt.Errorf("%s %q has a time zone; a local timestamp has none: drop it", logical, s)
		}
		return t, fmt.Errorf("%s %q is not YYYY-MM-DDTHH:MM:SS[.fraction] (no time zone)", logical, s)
	default:
		if _, lerr := time.Parse("2006-01-02T15:04:05.999999999", text); lerr == nil {
			return t, fmt.Errorf("%s %q has no time zone: add Z for UTC or an offset like +02:00", logical, s)
		}
		return t, fmt.Errorf("%s %q is not an RFC 3339 timestamp like 2026-11-27T11:45:00Z", logical, s)
	}
	if ns, per := int64(t.Nanosecond()), 1e9/tt.perSec; ns%per != 0 {
		return t, fmt.Errorf("%s %q has more than its %d fraction digits", logical, s, fracDigits(tt.perSec))
	}
	return t.AddDate(years, 0, 0), nil
}

// unexpandYear returns s, a timestamp whose year is expanded ("+12345-",
// "-0044-"), with a four-digit year in its stead that has the same place
// in the 400-year cycle of the Gregorian calendar (so the same calendar),
// and the years to add back.
func unexpandYear(s string) (string, int, bool) {
	end := strings.IndexByte(s[1:], '-') + 1
	if end < 5 || end > 12 || !allDigits(s[1:end]) {
		return "", 0, false
	}
	y, _ := strconv.Atoi(s[1:end])
	if s[0] == '-' {
		y = -y
	}
	y0 := 2000 + (y%400+400)%400
	return strconv.Itoa(y0) + s[end:], y - y0, true
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
