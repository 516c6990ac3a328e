package avrobin

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestDateErrorsSayWhy: each way a Date is no Avro date has its reason,
// and the zero Date is "not set".
func TestDateErrorsSayWhy(t *testing.T) {
	for _, c := range []struct {
		d    Date
		want string
	}{
		{Date{}, "not set (the zero Date); a date is from -5877641-06-23 to +5881580-07-11"},
		{Date{2026, 2, 30}, "2026-02-30: February 2026 has 28 days"},
		{Date{2024, 2, 30}, "2024-02-30: February 2024 has 29 days"},
		{Date{2026, 4, 31}, "2026-04-31: April 2026 has 30 days"},
		{Date{2026, 1, 0}, "2026-01-00: there is no day 00 (January 2026 has 31 days, 01 to 31)"},
		{Date{2026, 13, 1}, "2026-13-01: there is no month 13 (months are 01 to 12)"},
		{Date{2026, 0, 10}, "2026-00-10: there is no month 00 (months are 01 to 12)"},
		{Date{MaxDate.Year, MaxDate.Month, MaxDate.Day + 1}, "+5881580-07-12: out of range: a date is from -5877641-06-23 to +5881580-07-11"},
		{Date{-6000000, 1, 1}, "-6000000-01-01: out of range: a date is from -5877641-06-23 to +5881580-07-11"},
	} {
		err := CheckDate(c.d)
		var de *DateError
		if !errors.Is(err, ErrDate) || !errors.As(err, &de) || de.Date != c.d || err.Error() != c.want {
			t.Errorf("CheckDate(%#v) = %v, want %s", c.d, err, c.want)
		}
		if unset := errors.Is(err, ErrUnset); unset != (c.d == Date{}) {
			t.Errorf("CheckDate(%#v) matches ErrUnset: %v", c.d, unset)
		}
		if _, aerr := AppendDate(nil, c.d); aerr == nil || aerr.Error() != err.Error() {
			t.Errorf("AppendDate(%#v) = %v, CheckDate %v", c.d, aerr, err)
		}
	}
	_, err := ParseDate("2026-02-30")
	var de *DateError
	if !errors.As(err, &de) || de.Reason != "February 2026 has 28 days" || err.Error() != "avrobin: parsing date: 2026-02-30: February 2026 has 28 days" {
		t.Errorf("ParseDate(2026-02-30) = %v", err)
	}
}

func TestNotConst(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{NotConst("deadline.passed", "deadline.passd"), `must be "deadline.passed" (the schema's const), is "deadline.passd"`},
		{NotConst(int64(2), 3), "must be 2 (the schema's const), is 3"},
		{NotConst(true, false), "must be true (the schema's const), is false"},
		{NotConst(time.March, time.May), `must be "March" (the schema's const), is "May"`},
		{NotConst("a", strings.Repeat("é", 40)), `must be "a" (the schema's const), is "` + strings.Repeat("é", 32) + `"...`},
	} {
		if !errors.Is(c.err, ErrNotConst) || c.err.Error() != c.want {
			t.Errorf("%v, want %s", c.err, c.want)
		}
	}
}
