package schema

import (
	"encoding/json"
	"math"
)

// setLogical records the logical type when the specification defines it for
// the underlying type; an unknown or misplaced logical type is ignored, as the
// specification requires, and stays in Props.
func (p *parser) setLogical(s *Schema, logical string, obj map[string]json.RawMessage) {
	if logical == "" {
		return
	}
	ok := false
	switch logical {
	case LogicalDate, LogicalTimeMillis:
		ok = s.Kind == Int
	case LogicalTimeMicros, LogicalTimestampMillis, LogicalTimestampMicros, LogicalTimestampNanos,
		LogicalLocalTimestampMillis, LogicalLocalTimestampMicros, LogicalLocalTimestampNanos:
		ok = s.Kind == Long
	case LogicalUUID:
		ok = s.Kind == String || (s.Kind == Fixed && s.Size == 16)
	case LogicalDuration:
		ok = s.Kind == Fixed && s.Size == 12
	case LogicalDecimal:
		_ = json.Unmarshal(obj["precision"], &s.Precision)
		_ = json.Unmarshal(obj["scale"], &s.Scale)
		ok = (s.Kind == Bytes || s.Kind == Fixed) && s.Precision > 0 && s.Scale >= 0 && s.Scale <= s.Precision
		if ok && s.Kind == Fixed {
			// The largest precision a fixed of this size can hold.
			maxDigits := int(math.Floor(math.Log10(math.Pow(2, float64(8*s.Size-1)) - 1)))
			ok = s.Precision <= maxDigits
		}
		if !ok {
			s.Precision, s.Scale = 0, 0
		}
	}
	if !ok {
		if s.Props == nil {
			s.Props = map[string]any{}
		}
		s.Props["logicalType"] = logical
		return
	}
	s.Logical = logical
}
