package avrobin

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// TestRequiredTimestampsRefuseTheZeroTime: the zero time.Time is "not set"
// for the CheckRequired functions only, with the type's range in the
// message; other times are checked alike by both.
func TestRequiredTimestampsRefuseTheZeroTime(t *testing.T) {
	for _, c := range []struct {
		name          string
		check, unset  func(time.Time) error
		zeroFitsRange bool
		msg           string
	}{
		{"timestamp-millis", CheckTimestampMillis, CheckRequiredTimestampMillis, true,
			"not set (0001-01-01T00:00:00.000Z is the zero time.Time); a timestamp-millis is from -292275055-05-16T16:47:04.192Z to +292278994-08-17T07:12:55.807Z"},
		{"timestamp-micros", CheckTimestampMicros, CheckRequiredTimestampMicros, true,
			"not set (0001-01-01T00:00:00.000000Z is the zero time.Time); a timestamp-micros is from -290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z"},
		{"timestamp-nanos", CheckTimestampNanos, CheckRequiredTimestampNanos, false,
			"not set (0001-01-01T00:00:00.000000000Z is the zero time.Time); a timestamp-nanos is from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z"},
		{"local-timestamp-millis", CheckLocalTimestampMillis, CheckRequiredLocalTimestampMillis, true,
			"not set (0001-01-01T00:00:00.000 is the zero time.Time); a local-timestamp-millis is from -292275055-05-16T16:47:04.192 to +292278994-08-17T07:12:55.807"},
		{"local-timestamp-micros", CheckLocalTimestampMicros, CheckRequiredLocalTimestampMicros, true,
			"not set (0001-01-01T00:00:00.000000 is the zero time.Time); a local-timestamp-micros is from -290308-12-21T19:59:05.224192 to +294247-01-10T04:00:54.775807"},
		{"local-timestamp-nanos", CheckLocalTimestampNanos, CheckRequiredLocalTimestampNanos, false,
			"not set (0001-01-01T00:00:00.000000000 is the zero time.Time); a local-timestamp-nanos is from 1677-09-21T00:12:43.145224192 to 2262-04-11T23:47:16.854775807"},
	} {
		err := c.unset(time.Time{})
		if !errors.Is(err, ErrUnset) || errors.Is(err, ErrTimeRange) || err.Error() != c.msg {
			t.Errorf("%s: CheckRequired(zero) = %v, want ErrUnset:\n%s", c.name, err, c.msg)
		}
		if err := c.check(time.Time{}); (err == nil) != c.zeroFitsRange || errors.Is(err, ErrUnset) {
			t.Errorf("%s: Check(zero) = %v", c.name, err)
		}
		// The instants next to the zero one, and its wall clock in another
		// zone, are set.
		for _, tm := range []time.Time{time.Time{}.Add(time.Millisecond), time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600))} {
			if err, want := c.unset(tm), c.check(tm); fmt.Sprint(err) != fmt.Sprint(want) || errors.Is(err, ErrUnset) {
				t.Errorf("%s: CheckRequired(%v) = %v, Check %v", c.name, tm, err, want)
			}
		}
		now := time.Now()
		if c.unset(now) != nil || c.check(now) != nil {
			t.Errorf("%s: now refused: %v, %v", c.name, c.unset(now), c.check(now))
		}
	}
}

func TestTimestampRangeErrorsSayTheRange(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{CheckTimestampNanos(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)),
			"2300-01-01T00:00:00.000000000Z is out of range: a timestamp-nanos is from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z"},
		{CheckRequiredLocalTimestampMicros(time.Date(300000, 1, 1, 0, 0, 0, 0, time.FixedZone("", -3600))),
			"+300000-01-01T00:00:00.000000 is out of range: a local-timestamp-micros is from -290308-12-21T19:59:05.224192 to +294247-01-10T04:00:54.775807"},
		{func() error {
			_, err := AppendTimestampMicros(nil, time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC))
			return err
		}(), "-300000-01-01T00:00:00.000000Z is out of range: a timestamp-micros is from -290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z"},
	} {
		if !errors.Is(c.err, ErrTimeRange) || c.err.Error() != c.want {
			t.Errorf("%v,\nwant %s", c.err, c.want)
		}
	}
	if err := CheckTimeOfDay(25 * time.Hour); !errors.Is(err, ErrTimeRange) ||
		err.Error() != "25h0m0s is out of range: a time of day is from 0s up to 24h, 24h excluded" {
		t.Errorf("CheckTimeOfDay(25h) = %v", err)
	}
}

func TestAppendTimeText(t *testing.T) {
	for _, c := range []struct {
		t      time.Time
		digits int
		local  bool
		want   string
	}{
		{time.Date(2026, 11, 27, 12, 45, 0, 123456789, time.FixedZone("", 3600)), 6, false, "2026-11-27T11:45:00.123456Z"},
		{time.Date(2026, 11, 27, 12, 45, 0, 123456789, time.FixedZone("", 3600)), 3, true, "2026-11-27T12:45:00.123"},
		{time.Date(2026, 11, 27, 12, 45, 7, 0, time.UTC), 0, false, "2026-11-27T12:45:07Z"},
		{time.Date(2026, 11, 27, 12, 45, 7, 5, time.UTC), 12, false, "2026-11-27T12:45:07.000000005Z"},
		{time.Time{}, 3, false, "0001-01-01T00:00:00.000Z"},
		{time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC), 0, true, "0000-03-01T00:00:00"},
		{time.Date(-44, 3, 15, 9, 0, 0, 0, time.UTC), 0, false, "-0044-03-15T09:00:00Z"},
		{time.UnixMilli(math.MaxInt64), 3, false, "+292278994-08-17T07:12:55.807Z"},
	} {
		if got := string(AppendTimeText([]byte("x"), c.t, c.digits, c.local)); got != "x"+c.want {
			t.Errorf("AppendTimeText(%v, %d, %v) = %s, want x%s", c.t, c.digits, c.local, got, c.want)
		}
	}
}
