package avrobin

import "time"

// AppendTimeText appends t as RFC 3339 text with digits fraction digits (0
// to 9, truncated): in UTC with "Z", or, when local, t's wall clock without
// a zone. A year outside 0 to 9999 is written as Date's String writes it,
// with a sign and as many digits as it needs ("+294247-01-10T04:00:54Z"),
// as ISO 8601 writes expanded years, so that every Avro timestamp has a
// text; time.Parse reads only the four-digit years.
func AppendTimeText(dst []byte, t time.Time, digits int, local bool) []byte {
	if !local {
		t = t.UTC()
	}
	dst = DateOf(t).AppendText(dst)
	h, m, s := t.Clock()
	dst = append(dst, 'T')
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, s, 2)
	if digits > 0 {
		digits = min(digits, 9)
		frac := t.Nanosecond()
		for range 9 - digits {
			frac /= 10
		}
		dst = append(dst, '.')
		dst = appendPadded(dst, frac, digits)
	}
	if !local {
		dst = append(dst, 'Z')
	}
	return dst
}
