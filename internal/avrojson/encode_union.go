package avrojson

import (
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// branchByName returns the branch a wrapper key names: a full name, a type
// name, or the unambiguous short name of a named type; -1 for none.
func branchByName(s *schema.Schema, key string) int {
	short := -1
	for i, b := range s.Branches {
		if branchName(b) == key {
			return i
		}
		if b.Kind.IsNamed() && schema.ShortName(b.Name) == key {
			if short != -1 {
				short = -2
			} else {
				short = i
			}
		}
	}
	if short < 0 {
		return -1
	}
	return short
}

// branch encodes v as branch i of union s, or appends nothing on error.
func (e *encoder) branch(dst []byte, s *schema.Schema, i int, v *jvalue, depth int, def bool) ([]byte, error) {
	n := len(dst)
	dst = appendVarint(dst, int64(i))
	out, err := e.value(dst, s.Branches[i], v, depth+1, def, nil)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

// union picks the branch of union s for v: a default's first branch, null,
// a wrapped value ({"branch name": value}) or the first branch a bare value
// fits, the wrapped form tried first in the Avro JSON style. A value that
// fits a branch but breaks a rule of Validate (an unset timestamp) is
// refused, as the Go value of that branch would be, not tried as the next.
func (e *encoder) union(dst []byte, s *schema.Schema, v *jvalue, depth int, def bool) ([]byte, error) {
	if def {
		// A default is a value of the first branch, never wrapped.
		return e.branch(dst, s, 0, v, depth, true)
	}
	if v.kind == jNull {
		if ni, ok := s.IsNullable(); ok {
			return appendVarint(dst, int64(ni)), nil
		}
	}
	wrapped := -1
	if v.kind == jObject && len(v.obj) == 1 {
		wrapped = branchByName(s, v.obj[0].key)
	}
	var wrapErr error
	tryWrapped := func() ([]byte, bool) {
		if wrapped < 0 {
			return dst, false
		}
		out, err := e.branch(dst, s, wrapped, v.obj[0].val, depth, false)
		if err != nil {
			wrapErr = within(err, stepBranch, v.obj[0].key)
			return dst, false
		}
		return out, true
	}
	if e.style == AvroJSON {
		if out, ok := tryWrapped(); ok || brokeRule(wrapErr) {
			return out, wrapErr
		}
	}
	var only error
	nonNull := 0
	for i, b := range s.Branches {
		if b.Kind == schema.Null {
			continue
		}
		nonNull++
		out, err := e.branch(dst, s, i, v, depth, false)
		if err == nil || brokeRule(err) {
			return out, err
		}
		only = err
	}
	if e.style == Plain {
		if out, ok := tryWrapped(); ok || brokeRule(wrapErr) {
			return out, wrapErr
		}
	}
	switch {
	case wrapErr != nil:
		return dst, wrapErr
	case nonNull == 1 && v.kind != jNull:
		return dst, only
	}
	err := invalid("got %s, which fits none of the union's branches %s (to pick one, write {\"branch name\": value})", v.describe(), describeUnion(s))
	if v.kind == jNull {
		err = err.because(avrobin.ErrUnset) // as a nil union in Go
	}
	return dst, err
}
