package avrobin

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Date is a calendar date without a time zone: the Go type of the Avro
// logical type "date", which is encoded as the number of days from
// 1970-01-01 (an int).
//
// The zero Date (year 0, month 0, day 0) is not a valid date: it stands for
// a date nobody set, and Validate and AppendAvro reject it (with an error
// matching both ErrDate and ErrUnset) like any other invalid date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// The range of Avro dates: int32 days from 1970-01-01, about 5.8 million
// years either way.
var (
	MinDate = DateFromDays(math.MinInt32)
	MaxDate = DateFromDays(math.MaxInt32)
)

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// The calendar arithmetic is Neri and Schneider's ("Euclidean affine
// functions and their application to calendar algorithms", 2022): unsigned
// divisions by constants only. Day counts are shifted by nsS 400-year cycles
// so that every int32 count is non-negative.
const (
	nsS = 14700
	nsK = 719468 + 146097*nsS // 1970-01-01 in shifted days
	nsL = 400 * nsS           // the shift in years
)

// DateFromDays returns the date days after 1970-01-01 (before, when
// negative).
func DateFromDays(days int32) Date {
	n := uint64(int64(days) + nsK)
	n1 := 4*n + 3
	c := n1 / 146097
	nc := n1 % 146097 / 4
	p2 := 2939745 * (4*nc + 3)
	z := p2 >> 32
	ny := p2 & 0xffffffff / 2939745 / 4
	y := 100*c + z
	n3 := 2141*ny + 197913
	m := n3 >> 16
	d := n3 & 0xffff / 2141
	if ny >= 306 { // January or February: of the next year
		y++
		m -= 12
	}
	return Date{Year: int(int64(y) - nsL), Month: time.Month(m), Day: int(d) + 1}
}

// Days returns the number of days from 1970-01-01 to d, or a *DateError
// (matching ErrDate) when d is not a calendar date or out of the range of
// an Avro date.
func (d Date) Days() (int32, error) {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 28 && d.Day > daysIn(d.Month, d.Year) ||
		d.Year < MinDate.Year || d.Year > MaxDate.Year {
		return 0, d.invalid()
	}
	y := uint64(int64(d.Year) + nsL)
	m := uint64(d.Month)
	if m <= 2 { // January and February count as months 13 and 14 of the year before
		y--
		m += 12
	}
	c := y / 100
	n := 1461*y/4 - c + c/4 + (979*m-2919)/32 + uint64(d.Day-1)
	days := int64(n) - nsK
	if days < math.MinInt32 || days > math.MaxInt32 {
		return 0, d.invalid()
	}
	return int32(days), nil
}

// DateError is the reason a Date is no Avro date. It matches ErrDate, and
// for the zero Date, which stands for a date nobody set, ErrUnset too.
type DateError struct {
	Date Date
	// Reason says what is wrong, without the date: "February 2026 has 28
	// days".
	Reason string
}

func (e *DateError) Error() string {
	if e.Date == (Date{}) {
		return e.Reason
	}
	return e.Date.String() + ": " + e.Reason
}

// Is reports whether target is ErrDate, or ErrUnset for the zero Date.
func (e *DateError) Is(target error) bool {
	return target == ErrDate || target == ErrUnset && e.Date == (Date{})
}

// invalid returns the reason d, which Days refused, is no Avro date.
func (d Date) invalid() error {
	span := "a date is from " + MinDate.String() + " to " + MaxDate.String()
	var why string
	switch days := daysIn(d.Month, d.Year); {
	case d == Date{}:
		why = "not set (the zero Date); " + span
	case d.Month < 1 || d.Month > 12:
		why = "there is no month " + string(appendPadded(nil, int(d.Month), 2)) + " (months are 01 to 12)"
	case d.Day < 1:
		why = "there is no day " + string(appendPadded(nil, d.Day, 2)) + " (" + d.monthText() + " has " + strconv.Itoa(days) + " days, 01 to " + strconv.Itoa(days) + ")"
	case d.Day > days:
		why = d.monthText() + " has " + strconv.Itoa(days) + " days"
	default:
		why = "out of range: " + span
	}
	return &DateError{Date: d, Reason: why}
}

// monthText returns "February 2026" for a date in February 2026 (and
// "February 12345", "March -0044").
func (d Date) monthText() string {
	if d.Year > 9999 {
		return d.Month.String() + " " + strconv.Itoa(d.Year)
	}
	return d.Month.String() + " " + string(appendYear(nil, d.Year))
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// IsValid reports whether d is a calendar date in the range of Avro dates.
func (d Date) IsValid() bool {
	_, err := d.Days()
	return err == nil
}

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return d.In(time.UTC) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	}
	return cmpInt(d.Day, e.Day)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String returns d as "2006-01-02". Years outside 0 to 9999 get a sign and
// as many digits as they need ("+12345-01-01", "-0044-03-15").
func (d Date) String() string {
	return string(d.AppendText(nil))
}

// AppendText appends d as String formats it.
func (d Date) AppendText(dst []byte) []byte {
	dst = appendYear(dst, d.Year)
	dst = append(dst, '-')
	dst = appendPadded(dst, int(d.Month), 2)
	dst = append(dst, '-')
	return appendPadded(dst, d.Day, 2)
}

// appendYear appends y with at least four digits, and a sign when it is
// outside 0 to 9999.
func appendYear(dst []byte, y int) []byte {
	switch {
	case y < 0:
		dst = append(dst, '-')
		y = -y
	case y > 9999:
		dst = append(dst, '+')
	}
	return appendPadded(dst, y, 4)
}

func appendPadded(dst []byte, v, width int) []byte {
	if v < 0 {
		// Only an invalid Date has a negative month or day.
		return strconv.AppendInt(dst, int64(v), 10)
	}
	var buf [24]byte
	b := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(b); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, b...)
}

// MarshalText implements encoding.TextMarshaler, as String formats d.
func (d Date) MarshalText() ([]byte, error) { return d.AppendText(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler, as ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

var errDateSyntax = errors.New(`want "YYYY-MM-DD"`)

// ParseDate parses a date as String formats it: "2006-01-02", with an
// optional sign and more digits for the year. The date must be valid: a
// *DateError (errors.As) says why one is not.
func ParseDate(s string) (Date, error) {
	fail := func(err error) (Date, error) { return Date{}, fmt.Errorf("avrobin: parsing date %q: %w", s, err) }
	if len(s) < 10 {
		return fail(errDateSyntax)
	}
	ys, ms, ds := s[:len(s)-6], s[len(s)-5:len(s)-3], s[len(s)-2:]
	if s[len(s)-6] != '-' || s[len(s)-3] != '-' {
		return fail(errDateSyntax)
	}
	digits := ys
	if ys[0] == '+' || ys[0] == '-' {
		digits = ys[1:]
	}
	if len(digits) < 4 || !allDigits(digits) || !allDigits(ms) || !allDigits(ds) {
		return fail(errDateSyntax)
	}
	y, err := strconv.Atoi(ys)
	if err != nil {
		return fail(errDateSyntax)
	}
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	date := Date{Year: y, Month: time.Month(m), Day: d}
	if _, err := date.Days(); err != nil {
		return Date{}, fmt.Errorf("avrobin: parsing date: %w", err)
	}
	return date, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// AppendDate appends an Avro date (int days from 1970-01-01), or returns
// ErrDate when d is not a valid date.
func AppendDate(dst []byte, d Date) ([]byte, error) {
	days, err := d.Days()
	if err != nil {
		return dst, err
	}
	return AppendLong(dst, int64(days)), nil
}

// ReadDate reads an Avro date.
func (r *Reader) ReadDate() (Date, error) {
	days, err := r.ReadInt()
	if err != nil {
		return Date{}, err
	}
	return DateFromDays(days), nil
}

// CheckDate returns a *DateError, matching ErrDate, when d is not a valid
// date; for the zero Date it matches ErrUnset too.
func CheckDate(d Date) error {
	_, err := d.Days()
	return err
}
