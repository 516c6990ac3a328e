package avrojson

import (
	"math"
	"time"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// integer encodes an int or a long: a JSON number, or the text of its
// logical type (a date, a time of day, a timestamp). In the plain style a
// date or a timestamp must be its text: a bare number is ambiguous (days
// or a date's digits, seconds or milliseconds) where Avro's JSON encoding
// means a count of the type's unit.
func (e *encoder) integer(dst []byte, s *schema.Schema, v *jvalue, def bool, f *schema.Field) ([]byte, error) {
	tt := timestampTypes[s.Logical]
	bits := 64
	if s.Kind == schema.Int {
		bits = 32
	}
	var n int64
	var err error
	switch {
	case v.kind == jNumber && e.style == Plain && !def && (s.Logical == schema.LogicalDate || tt != nil):
		return dst, e.plainNumber(s, tt, v)
	case v.kind == jNumber:
		if n, err = integer(v.s, bits); err != nil {
			return dst, invalid("%v", err)
		}
		if s.Logical == "" {
			if err := e.checkConst(s, v, def, f); err != nil {
				return dst, err
			}
		}
	case v.kind == jString && s.Logical == schema.LogicalDate:
		d, err := parseDate(v.s)
		if err != nil {
			return dst, err
		}
		return appendVarint(dst, int64(d)), nil
	case v.kind == jString && s.Logical == schema.LogicalTimeMillis:
		if n, err = parseTimeOfDay(v.s, 1e3); err != nil {
			return dst, invalid("%v", err)
		}
	case v.kind == jString && s.Logical == schema.LogicalTimeMicros:
		if n, err = parseTimeOfDay(v.s, 1e6); err != nil {
			return dst, invalid("%v", err)
		}
	case v.kind == jString && tt != nil:
		t, err := parseTimestamp(v.s, tt, s.Logical)
		if err != nil {
			return dst, invalid("%v", err)
		}
		return e.timestamp(dst, s, tt, t, def, f)
	default:
		return dst, e.mismatch(s, v)
	}
	switch {
	case tt != nil:
		return e.timestamp(dst, s, tt, tt.timeOf(n), def, f)
	case s.Logical == schema.LogicalTimeMillis:
		err = e.checkTimeOfDay(n, time.Millisecond, def)
	case s.Logical == schema.LogicalTimeMicros:
		err = e.checkTimeOfDay(n, time.Microsecond, def)
	}
	if err != nil {
		return dst, err
	}
	return appendVarint(dst, n), nil
}

// timestamp encodes time t as a timestamp of type tt with avrobin's count,
// so its range is generated code's, and checks that it is set where the
// rules want it.
func (e *encoder) timestamp(dst []byte, s *schema.Schema, tt *timestampType, t time.Time, def bool, f *schema.Field) ([]byte, error) {
	if e.validate && !def && schema.RulesOf(s, f).Required {
		if err := tt.checkSet(t); err != nil {
			return dst, breaksRule(err)
		}
	}
	n, err := tt.count(t)
	if err != nil {
		return dst, broken(err)
	}
	return appendVarint(dst, n), nil
}

// checkTimeOfDay is Validate's check of a time of day of n units.
func (e *encoder) checkTimeOfDay(n int64, unit time.Duration, def bool) error {
	if !e.validate || def {
		return nil
	}
	d := time.Duration(math.MaxInt64) // beyond what a Duration holds: out of range all the same
	if n <= math.MaxInt64/int64(unit) && n >= math.MinInt64/int64(unit) {
		d = time.Duration(n) * unit
	}
	if err := avrobin.CheckTimeOfDay(d); err != nil {
		return breaksRule(err)
	}
	return nil
}

// plainNumber is the error of a number where the plain style wants the
// text of a date or a timestamp (of type tt).
func (e *encoder) plainNumber(s *schema.Schema, tt *timestampType, v *jvalue) error {
	style := e.avroJSONHint
	if style == "" {
		style = "the avro-json style"
	}
	if tt == nil {
		return invalid(`a date is written as "YYYY-MM-DD", not as the number %s; %s reads Avro's JSON encoding, where a date is days since 1970-01-01`, clip(v.s), style)
	}
	return invalid("a %s is written as an RFC 3339 string like %s, not as the number %s; %s reads Avro's JSON encoding, where it is %s since 1970",
		s.Logical, timestampExample(tt), clip(v.s), style, unitName(tt.perSec))
}
