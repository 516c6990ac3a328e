package schema

import (
	"strconv"
	"strings"
)

// Canonical returns the Parsing Canonical Form of s, as the Avro
// specification defines it: full names, only the attributes that matter for
// reading data (type, name, fields, symbols, items, values, size) in that
// order, no white space, and each named type spelled out only where it is
// first used. Logical types, docs, aliases and defaults are stripped.
func Canonical(s *Schema) string {
	var b strings.Builder
	writeCanonical(&b, s, map[*Schema]bool{})
	return b.String()
}

func writeCanonical(b *strings.Builder, s *Schema, seen map[*Schema]bool) {
	if s.Kind.IsPrimitive() {
		b.WriteString(strconv.Quote(s.Kind.String()))
		return
	}
	if s.Kind.IsNamed() {
		if seen[s] {
			b.WriteString(strconv.Quote(s.Name))
			return
		}
		seen[s] = true
	}
	switch s.Kind {
	case Union:
		b.WriteByte('[')
		for i, br := range s.Branches {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, br, seen)
		}
		b.WriteByte(']')
	case Record:
		b.WriteString(`{"name":` + strconv.Quote(s.Name) + `,"type":"record","fields":[`)
		for i, f := range s.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"name":` + strconv.Quote(f.Name) + `,"type":`)
			writeCanonical(b, f.Type, seen)
			b.WriteByte('}')
		}
		b.WriteString(`]}`)
	case Enum:
		b.WriteString(`{"name":` + strconv.Quote(s.Name) + `,"type":"enum","symbols":[`)
		for i, sym := range s.Symbols {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(sym))
		}
		b.WriteString(`]}`)
	case Fixed:
		b.WriteString(`{"name":` + strconv.Quote(s.Name) + `,"type":"fixed","size":` + strconv.Itoa(s.Size) + `}`)
	case Array:
		b.WriteString(`{"type":"array","items":`)
		writeCanonical(b, s.Items, seen)
		b.WriteByte('}')
	case Map:
		b.WriteString(`{"type":"map","values":`)
		writeCanonical(b, s.Values, seen)
		b.WriteByte('}')
	}
}
