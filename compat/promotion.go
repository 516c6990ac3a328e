package compat

import (
	"fmt"

	"github.com/lunchbot/eventkit/internal/schema"
)

// promotes reports whether Avro reads a value written as w as a reader's r,
// of another kind: int to long, float or double, long to float or double,
// float to double, string and bytes as each other.
func promotes(w, r schema.Kind) bool {
	switch r {
	case schema.Long:
		return w == schema.Int
	case schema.Float:
		return w == schema.Int || w == schema.Long
	case schema.Double:
		return w == schema.Int || w == schema.Long || w == schema.Float
	case schema.Bytes:
		return w == schema.String
	case schema.String:
		return w == schema.Bytes
	}
	return false
}

// typeMismatch is the problem of a writer type the reader's cannot read,
// not even by promotion.
func (c *checker) typeMismatch(r, w *schema.Schema) Incompatibility {
	why := ""
	if promotable(r.Kind) && promotable(w.Kind) {
		why = fmt.Sprintf(" Avro cannot read %s as %s: it only widens int to long, float or double, long to float or double and float to double, and converts between string and bytes.", w.Kind, r.Kind)
	}
	writes := describe(w)
	if n := len(c.where); n > 0 && c.where[n-1].writerUnion != nil {
		u := c.where[n-1].writerUnion
		writes = fmt.Sprintf("%s (branch %s of its %s)", writes, c.where[n-1].name, describe(u))
		why += fmt.Sprintf(" A reader that is not a union must read every branch of the writer's union; make it a union with a %s branch too.", describe(w))
	}
	return Incompatibility{
		Kind:        TypeMismatch,
		Location:    c.pointer(),
		AvroMessage: fmt.Sprintf("reader type: %s not compatible with writer type: %s", upper(r.Kind), upper(w.Kind)),
		Message: fmt.Sprintf("%s: %s reads it as %s, but %s writes %s: %s.%s",
			c.subject(), c.roles.reader, describe(r), c.roles.writer, writes, c.roles.effect, why),
	}
}

// promotable reports whether k takes part in Avro's promotions.
func promotable(k schema.Kind) bool {
	switch k {
	case schema.Int, schema.Long, schema.Float, schema.Double, schema.String, schema.Bytes:
		return true
	}
	return false
}
