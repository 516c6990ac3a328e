package avrobin

import (
	"math"
	"time"
)

// Timestamps are time.Time. "timestamp-*" is an instant: the encoding counts
// units from 1970-01-01T00:00:00Z and decoding returns a time in time.UTC.
// "local-timestamp-*" is a wall-clock reading without a zone: the encoding
// takes t's wall clock in t's own location as if it were UTC, and decoding
// returns that wall clock in time.UTC. Fractions below the unit are
// truncated toward the past (as Java, Python and hamba/avro do). A time
// whose count does not fit an int64 is ErrTimeRange. The zero time.Time
// encodes (as year 1), but it stands for a time nobody set: Validate
// refuses it where the schema gives no default (CheckRequiredTimestampMicros
// and the like, in timecheck.go).

// unixUnits returns sec*perSec + nsec/(1e9/perSec), rounded toward the
// past, or false when it overflows int64. nsec is in [0, 1e9).
func unixUnits(sec int64, nsec int, perSec int64) (int64, bool) {
	frac := int64(nsec) / (1e9 / perSec)
	if sec < 0 && frac > 0 {
		// Keep both terms of the same sign, so that the extremes of the
		// range (math.MinInt64 itself) stay representable.
		sec++
		frac -= perSec
	}
	if sec > math.MaxInt64/perSec || sec < math.MinInt64/perSec {
		return 0, false
	}
	v := sec * perSec
	if frac >= 0 && v > math.MaxInt64-frac || frac < 0 && v < math.MinInt64-frac {
		return 0, false
	}
	return v + frac, true
}

// TimestampMillis returns t as milliseconds from the Unix epoch.
func TimestampMillis(t time.Time) (int64, error) { return timestampMillis.count(t) }

// TimestampMicros returns t as microseconds from the Unix epoch.
func TimestampMicros(t time.Time) (int64, error) { return timestampMicros.count(t) }

// TimestampNanos returns t as nanoseconds from the Unix epoch.
func TimestampNanos(t time.Time) (int64, error) { return timestampNanos.count(t) }

// LocalTimestampMillis returns t's wall clock as milliseconds from
// 1970-01-01T00:00:00 (the wall clock of the epoch).
func LocalTimestampMillis(t time.Time) (int64, error) { return localTimestampMillis.count(t) }

// LocalTimestampMicros returns t's wall clock as microseconds from
// 1970-01-01T00:00:00.
func LocalTimestampMicros(t time.Time) (int64, error) { return localTimestampMicros.count(t) }

// LocalTimestampNanos returns t's wall clock as nanoseconds from
// 1970-01-01T00:00:00.
func LocalTimestampNanos(t time.Time) (int64, error) { return localTimestampNanos.count(t) }

// wall returns t's wall clock, in seconds from the epoch's wall clock.
func wall(t time.Time) int64 {
	_, offset := t.Zone()
	return t.Unix() + int64(offset)
}

// The Append functions call unixUnits themselves, with a constant unit, so
// that its divisions are by constants.

// AppendTimestampMillis appends t as an Avro timestamp-millis.
func AppendTimestampMillis(dst []byte, t time.Time) ([]byte, error) {
	v, ok := unixUnits(t.Unix(), t.Nanosecond(), 1e3)
	if !ok {
		return dst, timestampMillis.outOfRange(t)
	}
	return AppendLong(dst, v), nil
}

// AppendTimestampMicros appends t as an Avro timestamp-micros.
func AppendTimestampMicros(dst []byte, t time.Time) ([]byte, error) {
	v, ok := unixUnits(t.Unix(), t.Nanosecond(), 1e6)
	if !ok {
		return dst, timestampMicros.outOfRange(t)
	}
	return AppendLong(dst, v), nil
}

// AppendTimestampNanos appends t as an Avro timestamp-nanos.
func AppendTimestampNanos(dst []byte, t time.Time) ([]byte, error) {
	v, ok := unixUnits(t.Unix(), t.Nanosecond(), 1e9)
	if !ok {
		return dst, timestampNanos.outOfRange(t)
	}
	return AppendLong(dst, v), nil
}

// AppendLocalTimestampMillis appends t's wall clock as an Avro
// local-timestamp-millis.
func AppendLocalTimestampMillis(dst []byte, t time.Time) ([]byte, error) {
	v, ok := unixUnits(wall(t), t.Nanosecond(), 1e3)
	if !ok {
		return dst, localTimestampMillis.outOfRange(t)
	}
	return AppendLong(dst, v), nil
}

// AppendLocalTimestampMicros appends t's wall clock as an Avro
// local-timestamp-micros.
func AppendLocalTimestampMicros(dst []byte, t time.Time) ([]byte, error) {
	v, ok := unixUnits(wall(t), t.Nanosecond(), 1e6)
	if !ok {
		return dst, localTimestampMicros.outOfRange(t)
	}
	return AppendLong(dst, v), nil
}

// AppendLocalTimestampNanos appends t's wall clock as an Avro
// local-timestamp-nanos.
func AppendLocalTimestampNanos(dst []byte, t time.Time) ([]byte, error) {
	v, ok := unixUnits(wall(t), t.Nanosecond(), 1e9)
	if !ok {
		return dst, localTimestampNanos.outOfRange(t)
	}
	return AppendLong(dst, v), nil
}

// ReadTimestampMillis reads an Avro timestamp-millis (or
// local-timestamp-millis), as a time in time.UTC.
func (r *Reader) ReadTimestampMillis() (time.Time, error) {
	v, err := r.ReadLong()
	return time.UnixMilli(v).UTC(), err
}

// ReadTimestampMicros reads an Avro timestamp-micros (or
// local-timestamp-micros), as a time in time.UTC.
func (r *Reader) ReadTimestampMicros() (time.Time, error) {
	u, n, err := uvarint(r.buf[r.off:], 10)
	if err != nil {
		return time.Time{}, err
	}
	r.off += n
	return time.UnixMicro(int64(u>>1) ^ -int64(u&1)).UTC(), nil
}

// ReadTimestampNanos reads an Avro timestamp-nanos (or
// local-timestamp-nanos), as a time in time.UTC.
func (r *Reader) ReadTimestampNanos() (time.Time, error) {
	v, err := r.ReadLong()
	return time.Unix(0, v).UTC(), err
}

// Times of day ("time-millis", "time-micros") are time.Duration since
// midnight. Encoding truncates toward zero to the unit; Validate (through
// CheckTimeOfDay) wants them in [0, 24h).

// AppendTimeMillis appends d as an Avro time-millis (an int), or returns
// ErrTimeRange when d in milliseconds does not fit an int.
func AppendTimeMillis(dst []byte, d time.Duration) ([]byte, error) {
	ms := d.Milliseconds()
	if ms < math.MinInt32 || ms > math.MaxInt32 {
		return dst, ErrTimeRange
	}
	return AppendLong(dst, ms), nil
}

// AppendTimeMicros appends d as an Avro time-micros (a long).
func AppendTimeMicros(dst []byte, d time.Duration) []byte {
	return AppendLong(dst, d.Microseconds())
}

// ReadTimeMillis reads an Avro time-millis.
func (r *Reader) ReadTimeMillis() (time.Duration, error) {
	v, err := r.ReadInt()
	return time.Duration(v) * time.Millisecond, err
}

// ReadTimeMicros reads an Avro time-micros. A value beyond what a
// time.Duration holds (about 292 years) is ErrTimeRange.
func (r *Reader) ReadTimeMicros() (time.Duration, error) {
	start := r.off
	v, err := r.ReadLong()
	if err != nil {
		return 0, err
	}
	if v > math.MaxInt64/int64(time.Microsecond) || v < math.MinInt64/int64(time.Microsecond) {
		r.off = start
		return 0, ErrTimeRange
	}
	return time.Duration(v) * time.Microsecond, nil
}
