package avrobin

import (
	"errors"
	"math"
	"time"
)

// timeType is a timestamp logical type, as its checks and their errors
// need it.
type timeType struct {
	name   string
	perSec int64
	digits int // of a fraction of a second, in its text
	local  bool
}

var (
	timestampMillis      = &timeType{"timestamp-millis", 1e3, 3, false}
	timestampMicros      = &timeType{"timestamp-micros", 1e6, 6, false}
	timestampNanos       = &timeType{"timestamp-nanos", 1e9, 9, false}
	localTimestampMillis = &timeType{"local-timestamp-millis", 1e3, 3, true}
	localTimestampMicros = &timeType{"local-timestamp-micros", 1e6, 6, true}
	localTimestampNanos  = &timeType{"local-timestamp-nanos", 1e9, 9, true}
)

// count returns t as a count of tt's units from the epoch (from the
// epoch's wall clock, of t's wall clock, for a local timestamp).
func (tt *timeType) count(t time.Time) (int64, error) {
	sec := t.Unix()
	if tt.local {
		sec = wall(t)
	}
	v, ok := unixUnits(sec, t.Nanosecond(), tt.perSec)
	if !ok {
		return 0, tt.outOfRange(t)
	}
	return v, nil
}

// check returns the reason t is no value of tt; with set, the zero
// time.Time is one too.
func (tt *timeType) check(t time.Time, set bool) error {
	if set && t.IsZero() {
		return &timeError{reason: ErrUnset, typ: tt}
	}
	_, err := tt.count(t)
	return err
}

func (tt *timeType) outOfRange(t time.Time) error {
	return &timeError{reason: ErrTimeRange, typ: tt, t: t}
}

// text returns t as tt's values are written in plain JSON.
func (tt *timeType) text(t time.Time) string {
	return string(AppendTimeText(nil, t, tt.digits, tt.local))
}

// bound returns the time of count n of tt's units.
func (tt *timeType) bound(n int64) time.Time {
	return time.Unix(n/tt.perSec, n%tt.perSec*(1e9/tt.perSec)).UTC()
}

// timeError is the reason a timestamp is refused, ErrUnset or
// ErrTimeRange, with the range of its type.
type timeError struct {
	reason error
	typ    *timeType
	t      time.Time
}

func (e *timeError) Error() string {
	tt := e.typ
	span := "a " + tt.name + " is from " + tt.text(tt.bound(math.MinInt64)) + " to " + tt.text(tt.bound(math.MaxInt64))
	if errors.Is(e.reason, ErrUnset) {
		return "not set (" + tt.text(time.Time{}) + " is the zero time.Time); " + span
	}
	return tt.text(e.t) + " is out of range: " + span
}

func (e *timeError) Unwrap() error { return e.reason }

// CheckTimestampMillis returns an error matching ErrTimeRange, which says
// the range, when t does not fit a timestamp-millis; the other Check
// functions of timestamps do the same for their types.
func CheckTimestampMillis(t time.Time) error { return timestampMillis.check(t, false) }

// CheckTimestampMicros checks that t fits a timestamp-micros.
func CheckTimestampMicros(t time.Time) error { return timestampMicros.check(t, false) }

// CheckTimestampNanos checks that t fits a timestamp-nanos.
func CheckTimestampNanos(t time.Time) error { return timestampNanos.check(t, false) }

// CheckLocalTimestampMillis checks that t's wall clock fits a
// local-timestamp-millis.
func CheckLocalTimestampMillis(t time.Time) error { return localTimestampMillis.check(t, false) }

// CheckLocalTimestampMicros checks that t's wall clock fits a
// local-timestamp-micros.
func CheckLocalTimestampMicros(t time.Time) error { return localTimestampMicros.check(t, false) }

// CheckLocalTimestampNanos checks that t's wall clock fits a
// local-timestamp-nanos.
func CheckLocalTimestampNanos(t time.Time) error { return localTimestampNanos.check(t, false) }

// CheckRequiredTimestampMillis is CheckTimestampMillis that also refuses
// the zero time.Time, which stands for a time nobody set, with an error
// matching ErrUnset: Validate calls it wherever the schema gives the value
// no default. The other CheckRequired functions of timestamps do the same
// for their types.
func CheckRequiredTimestampMillis(t time.Time) error { return timestampMillis.check(t, true) }

// CheckRequiredTimestampMicros checks that t is set and fits a
// timestamp-micros.
func CheckRequiredTimestampMicros(t time.Time) error { return timestampMicros.check(t, true) }

// CheckRequiredTimestampNanos checks that t is set and fits a
// timestamp-nanos.
func CheckRequiredTimestampNanos(t time.Time) error { return timestampNanos.check(t, true) }

// CheckRequiredLocalTimestampMillis checks that t is set and its wall clock
// fits a local-timestamp-millis.
func CheckRequiredLocalTimestampMillis(t time.Time) error {
	return localTimestampMillis.check(t, true)
}

// CheckRequiredLocalTimestampMicros checks that t is set and its wall clock
// fits a local-timestamp-micros.
func CheckRequiredLocalTimestampMicros(t time.Time) error {
	return localTimestampMicros.check(t, true)
}

// CheckRequiredLocalTimestampNanos checks that t is set and its wall clock
// fits a local-timestamp-nanos.
func CheckRequiredLocalTimestampNanos(t time.Time) error {
	return localTimestampNanos.check(t, true)
}

// CheckTimeOfDay returns an error matching ErrTimeRange, which says the
// range, when d is not in [0, 24h).
func CheckTimeOfDay(d time.Duration) error {
	if d < 0 || d >= 24*time.Hour {
		return &timeOfDayError{d}
	}
	return nil
}

type timeOfDayError struct{ d time.Duration }

func (e *timeOfDayError) Error() string {
	return e.d.String() + " is out of range: a time of day is from 0s up to 24h, 24h excluded"
}

func (e *timeOfDayError) Unwrap() error { return ErrTimeRange }
