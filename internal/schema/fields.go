package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// pendingDefault is a field default, checked by checkDefaults once the
// whole schema is parsed.
type pendingDefault struct {
	where string
	f     *Field
}

// orders are the values of a field's "order".
var orders = map[string]bool{"ascending": true, "descending": true, "ignore": true}

// parseFields reads the fields of record s, whose namespace is ns.
func (p *parser) parseFields(obj map[string]json.RawMessage, s *Schema, ns, here string) error {
	fieldsRaw, has := obj["fields"]
	if !has {
		return bad(here, `a record needs "fields" (an array, possibly empty)`)
	}
	var fields []json.RawMessage
	if err := json.Unmarshal(fieldsRaw, &fields); err != nil {
		return bad(here, `"fields" must be an array of fields, not %s`, jsonKind(fieldsRaw))
	}
	seen := map[string]int{}
	for i, raw := range fields {
		fw := at(here, fmt.Sprintf("field %d", i))
		var fo map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fo); err != nil {
			return bad(fw, "a field must be an object, not %s", jsonKind(raw))
		}
		name, hasName, err := stringAttr(fo, "name", fw)
		if err != nil {
			return err
		}
		if !hasName {
			return bad(fw, `a field needs a "name"`)
		}
		fw = at(here, fmt.Sprintf("field %q", name))
		if !validName(name) {
			return bad(fw, "invalid field name %q: %s", name, nameRule)
		}
		if j, dup := seen[name]; dup {
			return bad(fw, "field name %q is used twice (fields %d and %d)", name, j, i)
		}
		seen[name] = i
		f := &Field{Name: name, Order: "ascending", Props: props(fo)}
		if f.Doc, _, err = stringAttr(fo, "doc", fw); err != nil {
			return err
		}
		if order, has, err := stringAttr(fo, "order", fw); err != nil {
			return err
		} else if has {
			if !orders[order] {
				return bad(fw, `invalid order %q (want "ascending", "descending" or "ignore")`, order)
			}
			f.Order = order
		}
		if f.Aliases, err = stringList(fo, "aliases", fw); err != nil {
			return err
		}
		for _, a := range f.Aliases {
			if !validName(a) {
				return bad(fw, "invalid alias %q: %s", a, nameRule)
			}
		}
		typRaw, has := fo["type"]
		if !has {
			return bad(fw, `a field needs a "type"`)
		}
		t, err := p.parse(typRaw, ns, fw)
		if err != nil {
			return err
		}
		f.Type = t
		if d, ok := fo["default"]; ok {
			f.Default = append(json.RawMessage(nil), bytes.TrimSpace(d)...)
			p.defaults = append(p.defaults, pendingDefault{where: fw, f: f})
		}
		s.Fields = append(s.Fields, f)
	}
	return nil
}
