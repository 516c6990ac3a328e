package avrojson

import (
	"fmt"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// fieldIndex maps the field names of record s to their positions, built
// once per record per Encode call.
func (e *encoder) fieldIndex(s *schema.Schema) map[string]int {
	if m, ok := e.fields[s]; ok {
		return m
	}
	if e.fields == nil {
		e.fields = map[*schema.Schema]map[string]int{}
	}
	m := make(map[string]int, len(s.Fields))
	for i, f := range s.Fields {
		m[f.Name] = i
	}
	e.fields[s] = m
	return m
}

// defaultOf returns the parsed default of field f, parsed once per Encode
// call.
func (e *encoder) defaultOf(f *schema.Field) (*jvalue, error) {
	if v, ok := e.defaults[f]; ok {
		return v, nil
	}
	v, err := parseJSON(f.Default)
	if err != nil {
		return nil, invalid("the schema's default for this field is not JSON: %v", err)
	}
	if e.defaults == nil {
		e.defaults = map[*schema.Field]*jvalue{}
	}
	e.defaults[f] = v
	return v, nil
}

// record encodes a JSON object as record s: its fields in schema order, a
// missing one from its default.
func (e *encoder) record(dst []byte, s *schema.Schema, v *jvalue, depth int, def bool) ([]byte, error) {
	if v.kind != jObject {
		return dst, e.mismatch(s, v)
	}
	index := e.fieldIndex(s)
	vals := make([]*jvalue, len(s.Fields))
	for _, m := range v.obj {
		i, ok := index[m.key]
		if !ok {
			names := make([]string, len(s.Fields))
			for j, f := range s.Fields {
				names[j] = f.Name
			}
			return dst, within(invalid("unknown field: %s has the fields %s", s.Name, list(names)), stepField, m.key)
		}
		if vals[i] != nil {
			return dst, within(invalid("field given twice"), stepField, m.key)
		}
		vals[i] = m.val
	}
	for i, f := range s.Fields {
		fv, fdef := vals[i], def
		if fv == nil {
			if !f.HasDefault() {
				hint := ""
				if _, ok := f.Type.IsNullable(); ok {
					hint = fmt.Sprintf(`; it may be null but has no default: write %q: null`, f.Name)
				}
				return dst, within(invalid("missing required field of type %s%s", e.typeName(f.Type), hint).because(avrobin.ErrUnset), stepField, f.Name)
			}
			var err error
			if fv, err = e.defaultOf(f); err != nil {
				return dst, within(err, stepField, f.Name)
			}
			fdef = true
		}
		var err error
		if dst, err = e.value(dst, f.Type, fv, depth+1, fdef, f); err != nil {
			return dst, within(err, stepField, f.Name)
		}
	}
	return dst, nil
}
