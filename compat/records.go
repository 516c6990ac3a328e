package compat

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// lookupWriterField is Java's lookupWriterField: the writer field named like
// the reader field or like one of its aliases; more than one is an error.
func lookupWriterField(w *schema.Schema, rf *schema.Field) (found *schema.Field, matches []string) {
	byName := func(name string) *schema.Field {
		for _, f := range w.Fields {
			if f.Name == name {
				return f
			}
		}
		return nil
	}
	if f := byName(rf.Name); f != nil {
		found = f
		matches = append(matches, f.Name)
	}
	seen := map[string]bool{}
	for _, a := range rf.Aliases {
		if seen[a] { // Java keeps aliases in a set
			continue
		}
		seen[a] = true
		if f := byName(a); f != nil {
			found = f
			matches = append(matches, f.Name)
		}
	}
	return found, matches
}

// checkFields compares each reader field with the writer field it reads,
// or finds it a default.
func (c *checker) checkFields(r, w *schema.Schema) []Incompatibility {
	var out []Incompatibility
	c.push("fields", segment{})
	defer c.pop()
	for i, rf := range r.Fields {
		c.push(strconv.Itoa(i), segment{kind: segField, name: rf.Name})
		wf, matches := lookupWriterField(w, rf)
		switch {
		case len(matches) > 1:
			out = append(out, Incompatibility{
				Kind:     AmbiguousField,
				Location: c.pointer(),
				AvroMessage: fmt.Sprintf("Reader record field %s matches multiple fields in writer record schema %s",
					rf.Name, w.Name),
				Message: fmt.Sprintf("%s: in %s, the field's name and aliases match %d fields of %s (%s); Apache Avro cannot tell which to read, so the registry rejects the pair: %s. Remove the aliases that name other fields.",
					c.subject(), c.roles.reader, len(matches), c.roles.writer, strings.Join(matches, ", "), c.roles.effect),
			})
		case wf == nil && !rf.HasDefault():
			if rf.Type.Kind == schema.Enum && rf.Type.Default != "" {
				// Java compares the enum with the writer's record itself, which
				// always fails as a type mismatch.
				out = append(out, c.enumFieldWithoutDefault(rf, w))
				break
			}
			out = append(out, Incompatibility{
				Kind:        ReaderFieldMissingDefaultValue,
				Location:    c.pointer(),
				AvroMessage: rf.Name,
				Message: fmt.Sprintf("%s: %s has this field but %s does not, and it has no default: %s. %s",
					c.subject(), c.roles.reader, c.roles.writer, c.roles.effect, c.roles.missingFieldHint),
			})
		case wf != nil:
			out = append(out, c.get("type", segment{}, rf.Type, wf.Type)...)
		}
		c.pop()
	}
	return out
}

// enumFieldWithoutDefault is the problem Java reports for a reader field of
// an enum type with a default symbol but no field default, which the writer
// lacks.
func (c *checker) enumFieldWithoutDefault(rf *schema.Field, w *schema.Schema) Incompatibility {
	c.push("type", segment{})
	defer c.pop()
	return Incompatibility{
		Kind:        TypeMismatch,
		Location:    c.pointer(),
		AvroMessage: "reader type: ENUM not compatible with writer type: RECORD",
		Message: fmt.Sprintf("%s: %s has this field but %s does not, and it has no default; the enum's own default symbol does not stand in for a missing field (Avro reports this as a type mismatch between enum %s and record %s): %s. %s",
			c.subject(), c.roles.reader, c.roles.writer, rf.Type.Name, w.Name, c.roles.effect, c.roles.missingFieldHint),
	}
}
