package compat

import (
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// subject says where in the schema the checker is, for people.
func (c *checker) subject() string {
	var b strings.Builder
	fields := 0
	for _, s := range c.where {
		switch s.kind {
		case segField:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
			fields++
		case segItems:
			b.WriteString("[]")
		case segValues:
			b.WriteString("{}")
		}
	}
	switch {
	case fields > 0:
		return "field " + b.String()
	case b.Len() > 0:
		return "the top-level " + b.String()
	}
	return "the top-level schema"
}

// describe names a type for people: "long (timestamp-micros)", "record
// lunchbot.Foo", "union [null, string]".
func describe(s *schema.Schema) string {
	switch {
	case s.Kind == schema.Union:
		parts := make([]string, len(s.Branches))
		for i, b := range s.Branches {
			parts[i] = describe(b)
		}
		return "union [" + strings.Join(parts, ", ") + "]"
	case s.Kind.IsNamed():
		return s.Kind.String() + " " + s.Name
	case s.Kind == schema.Array:
		return "array of " + describe(s.Items)
	case s.Kind == schema.Map:
		return "map of " + describe(s.Values)
	case s.Logical != "":
		return s.Kind.String() + " (" + s.Logical + ")"
	}
	return s.Kind.String()
}

// upper is a kind as Java's messages spell it ("LONG").
func upper(k schema.Kind) string { return strings.ToUpper(k.String()) }

// plural picks one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
