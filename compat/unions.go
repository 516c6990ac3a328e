package compat

import (
	"fmt"
	"strconv"

	"github.com/lunchbot/eventkit/internal/schema"
)

// unionReadsUnion checks that every branch of the writer's union is
// readable by the reader's union.
func (c *checker) unionReadsUnion(r, w *schema.Schema) []Incompatibility {
	var out []Incompatibility
	for i, wb := range w.Branches {
		c.push(strconv.Itoa(i), segment{kind: segBranch, name: strconv.Itoa(i)})
		if probs := c.get("", segment{}, r, wb); len(probs) > 0 {
			out = append(out, c.missingBranch(r, wb, i, c.pointer(), closest(c, r, wb)))
		}
		c.pop()
	}
	return out
}

// readsWriterUnion checks that a reader that is not a union reads every
// branch of the writer's union.
func (c *checker) readsWriterUnion(r, w *schema.Schema) []Incompatibility {
	var out []Incompatibility
	for i, wb := range w.Branches {
		out = append(out, c.get(strconv.Itoa(i), segment{kind: segBranch, name: strconv.Itoa(i), writerUnion: w}, r, wb)...)
	}
	return out
}

// readerUnionReads checks that some branch of the reader's union reads the
// writer's type, which is not a union.
func (c *checker) readerUnionReads(r, w *schema.Schema) []Incompatibility {
	for i, rb := range r.Branches {
		if len(c.get(strconv.Itoa(i), segment{kind: segBranch, name: strconv.Itoa(i)}, rb, w)) == 0 {
			return nil
		}
	}
	return []Incompatibility{c.missingBranch(r, w, -1, c.pointer(), closest(c, r, w))}
}

// closest returns the problems of the reader union's branch that comes
// closest to reading w: one of the same kind, with a matching name for a
// named type. Its result is already memoized by the union search.
func closest(c *checker, r, w *schema.Schema) []Incompatibility {
	if r.Kind != schema.Union {
		return nil
	}
	for _, rb := range r.Branches {
		if rb.Kind != w.Kind || (rb.Kind.IsNamed() && !nameEquals(rb, w)) {
			continue
		}
		if o, ok := c.memo[pair{rb, w}]; ok && o.done {
			return append([]Incompatibility(nil), dedupe(o.probs)...)
		}
	}
	return nil
}

// missingBranch is the problem of a writer type (writerBranch of its union,
// -1 for none) that no branch of the reader's union r reads; causes are those
// of the closest branch.
func (c *checker) missingBranch(r, w *schema.Schema, writerBranch int, loc string, causes []Incompatibility) Incompatibility {
	what := fmt.Sprintf("%s writes %s", c.roles.writer, describe(w))
	if writerBranch >= 0 {
		what = fmt.Sprintf("branch %d of the union in %s is %s", writerBranch, c.roles.writer, describe(w))
	}
	because := ""
	if len(causes) > 0 {
		because = fmt.Sprintf(" The closest branch fails because: %s", causes[0].Message)
		if len(causes) > 1 {
			because += fmt.Sprintf(" (and %d more)", len(causes)-1)
		}
	}
	return Incompatibility{
		Kind:        MissingUnionBranch,
		Location:    loc,
		AvroMessage: "reader union lacking writer type: " + upper(w.Kind),
		Message: fmt.Sprintf("%s: %s, which no branch of the union in %s (%s) can read: %s.%s",
			c.subject(), what, c.roles.reader, describe(r), c.roles.effect, because),
		Causes: causes,
	}
}
