package avrojson

import (
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// The rules of schema.RulesOf, which the generated Validate checks too,
// checked with the same avrobin functions when the encoder validates
// (Options.Validate) and the value is not a schema's default.

// checkConst refuses a string, enum, boolean, int or long v of the right
// JSON type that differs from the const of field f.
func (e *encoder) checkConst(s *schema.Schema, v *jvalue, def bool, f *schema.Field) error {
	if !e.validate || def {
		return nil
	}
	var err error
	switch c := schema.RulesOf(s, f).Const.(type) {
	case nil:
	case string:
		if v.s != c {
			err = avrobin.NotConst(c, v.s)
		}
	case bool:
		if v.b != c {
			err = avrobin.NotConst(c, v.b)
		}
	case float64:
		if n, nerr := integer(v.s, 64); nerr == nil && n != int64(c) {
			err = avrobin.NotConst(int64(c), n)
		}
	}
	if err != nil {
		return breaksRule(err)
	}
	return nil
}

// checkString checks a string's const and, where the rules want it set,
// that it is not empty.
func (e *encoder) checkString(s *schema.Schema, v *jvalue, def bool, f *schema.Field) error {
	if err := e.checkConst(s, v, def, f); err != nil || !e.validate || def {
		return err
	}
	if schema.RulesOf(s, f).Required {
		if err := avrobin.CheckRequiredString(v.s); err != nil {
			return breaksRule(err)
		}
	}
	return nil
}
