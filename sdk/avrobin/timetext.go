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
	dst = appendClock(dst, h, m, s, t.Nanosecond(), digits)
	if !local {
		dst = append(dst, 'Z')
	}
	return dst
}

// TimeOfDayText returns the time of day d (a time-millis or time-micros,
// since midnight) as "15:04:05" and digits fraction digits (0 to 9,
// truncated): the text eventctl prints for it. A d outside [0, 24h), which
// no valid value is, is time.Duration's String, so that it still shows.
func TimeOfDayText(d time.Duration, digits int) string {
	if d < 0 || d >= 24*time.Hour {
		return d.String()
	}
	return string(appendClock(make([]byte, 0, 18), int(d/time.Hour), int(d/time.Minute%60), int(d/time.Second%60), int(d%time.Second), digits))
}

// appendClock appends "15:04:05" and digits fraction digits of ns.
func appendClock(dst []byte, h, m, s, ns, digits int) []byte {
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, s, 2)
	if digits > 0 {
		digits = min(digits, 9)
		for range 9 - digits {
			ns /= 10
		}
		dst = append(dst, '.')
		dst = appendPadded(dst, ns, digits)
	}
	return dst
}
