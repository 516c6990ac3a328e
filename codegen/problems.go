package codegen

import (
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// problem is a way in which a value breaks its schema's contract (for
// Validate) or has no encoding (for AppendAvro): the emitters note each one
// the code they write checks, so that the methods' docs name those only.
type problem uint16

const (
	problemConst problem = 1 << iota
	problemEmpty
	problemUTF8
	problemDate
	problemTime
	problemEnum
	problemUnion
	problemDecimal
	problemNilRecord
	problemDepth
	problemUnset
)

// problemText says each problem in the methods' docs, in this order.
var problemText = []struct {
	p    problem
	text string
}{
	{problemConst, `a field that differs from its "const"`},
	{problemEmpty, "an empty required string"},
	{problemUTF8, "a string that is not UTF-8"},
	{problemDate, "a date that does not exist"},
	{problemUnset, "an unset timestamp"},
	{problemTime, "a time out of range"},
	{problemEnum, "an enum value that is no symbol"},
	{problemUnion, "an unset union"},
	{problemDecimal, "a decimal that is nil or does not fit its precision and scale"},
	{problemNilRecord, "a nil record pointer"},
	{problemDepth, "records nested deeper than avrobin.MaxDepth"},
}

// String lists the problems of p: "a date that does not exist or a time
// out of range", "x, y, or z" (the serial comma, as a problem's text may
// have an "or" of its own); empty for none.
func (p problem) String() string {
	var texts []string
	for _, t := range problemText {
		if p&t.p != 0 {
			texts = append(texts, t.text)
		}
	}
	switch len(texts) {
	case 0, 1:
		return strings.Join(texts, "")
	case 2:
		return texts[0] + " or " + texts[1]
	}
	return strings.Join(texts[:len(texts)-1], ", ") + ", or " + texts[len(texts)-1]
}

// problems returns the problems that the method whose body emit writes can
// report for record s: those of its own fields and of every record they
// hold, whose methods it calls.
func (tm *typeMap) problems(s *schema.Schema, emit func(*fn, slot)) problem {
	var p problem
	seen := map[*schema.Schema]bool{}
	var visit func(r *schema.Schema)
	visit = func(r *schema.Schema) {
		if seen[r] {
			return
		}
		seen[r] = true
		p |= fieldsFn(tm, map[string]bool{}, r, emit).found
		if tm.recursive[r] {
			p |= problemDepth
		}
		for _, n := range refs(r) {
			visit(n)
		}
	}
	visit(s)
	return p
}
