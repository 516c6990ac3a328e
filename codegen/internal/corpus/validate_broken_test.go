package corpus

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/avrobin"
)

// breakable is a place in a value of a generated type that can be made
// invalid: its path in errors, the reason Validate gives once it is
// broken, whether AppendAvro fails too (and why, when not for the same
// reason), and how to break it.
type breakable struct {
	path      string
	reason    error
	encode    bool
	apply     func()
	encodeWhy error
}

// breakables returns the breakable places of rv, a value of s (the value
// of field f, if any) at path: strings (not UTF-8, or empty for a required
// one), map keys (not UTF-8), decimals (a digit more than their precision)
// and timestamps that must be set (the zero time.Time: all but those of a
// field with a default), where rv can be set (not within a map's values).
// Paths too long for errors to keep whole are left out.
func breakables(s *schema.Schema, rv reflect.Value, f *schema.Field, path string) []breakable {
	if len(path) > 200 {
		return nil
	}
	if f != nil {
		if _, isConst := f.Props["const"]; isConst {
			return nil
		}
	}
	var out []breakable
	switch s.Kind {
	case schema.String:
		if s.Logical == schema.LogicalUUID || !rv.CanSet() {
			return nil
		}
		out = append(out, breakable{path, avrobin.ErrInvalidUTF8, false, func() { rv.SetString(rv.String() + "\xff") }, nil})
		if f != nil && !f.HasDefault() {
			out = append(out, breakable{path, avrobin.ErrEmpty, false, func() { rv.SetString("") }, nil})
		}
	case schema.Bytes, schema.Fixed:
		if s.Logical == schema.LogicalDecimal && rv.CanSet() {
			out = append(out, breakable{path, avrobin.ErrDecimal, true, func() { rv.Set(reflect.ValueOf(tooManyDigits(s.Precision, s.Scale)).Convert(rv.Type())) }, nil})
		}
	case schema.Long:
		if schema.IsTimestamp(s.Logical) && rv.CanSet() && (f == nil || !f.HasDefault()) {
			out = append(out, unsetTimestamp(s, path, func() { rv.Set(reflect.Zero(rv.Type())) }))
		}
	case schema.Record:
		if rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return nil
			}
			rv = rv.Elem()
		}
		for _, fl := range s.Fields {
			p := fl.Name
			if path != "" {
				p = path + "." + fl.Name
			}
			out = append(out, breakables(fl.Type, fieldByTag(rv, fl.Name), fl, p)...)
		}
	case schema.Array:
		for i := range rv.Len() {
			out = append(out, breakables(s.Items, rv.Index(i), nil, avrobin.Index(path, i))...)
		}
	case schema.Map:
		for _, k := range rv.MapKeys() {
			bad := reflect.ValueOf("\xff" + k.String())
			p := avrobin.Key(path, bad.String())
			if len(p) > 200 {
				continue
			}
			out = append(out, breakable{p, avrobin.ErrInvalidUTF8, false, func() {
				v := rv.MapIndex(k)
				rv.SetMapIndex(k, reflect.Value{})
				rv.SetMapIndex(bad, v)
			}, nil})
		}
	case schema.Union:
		out = unionBreakables(s, rv, path)
	}
	return out
}

// unionBreakables is breakables for a union.
func unionBreakables(s *schema.Schema, rv reflect.Value, path string) []breakable {
	if t, _, ok := s.OptionalOf(); ok {
		switch {
		case rv.IsNil():
			return nil
		case t.Kind == schema.Record:
			return breakables(t, rv, nil, path)
		case t.Logical == schema.LogicalDecimal:
			return breakables(t, rv, nil, path) // the *big.Rat itself
		}
		return breakables(t, rv.Elem(), nil, path)
	}
	if len(s.Branches) == 1 {
		return breakables(s.Branches[0], rv, nil, path)
	}
	if rv.IsNil() {
		return nil
	}
	dv := rv.Elem()
	dt := dv.Type()
	if dt.Kind() == reflect.Pointer {
		dt = dt.Elem()
	}
	for _, b := range s.Branches {
		if b.Kind == schema.Null || !branchType(rv.Type().Name(), b, dt) {
			continue
		}
		switch {
		case b.Kind == schema.String && b.Logical == "" && rv.CanSet():
			return []breakable{{path, avrobin.ErrInvalidUTF8, false, func() { rv.Set(reflect.ValueOf(dv.String() + "\xff").Convert(dv.Type())) }, nil}}
		case b.Logical == schema.LogicalDecimal && rv.CanSet():
			return []breakable{{path, avrobin.ErrDecimal, true, func() { rv.Set(reflect.ValueOf(tooManyDigits(b.Precision, b.Scale)).Convert(dv.Type())) }, nil}}
		case schema.IsTimestamp(b.Logical) && rv.CanSet():
			return []breakable{unsetTimestamp(b, path, func() { rv.Set(reflect.Zero(dv.Type())) })}
		}
		return breakables(b, dv, nil, path)
	}
	return nil
}

// unsetTimestamp is the breakable that apply makes the zero time.Time,
// which a timestamp-nanos cannot even encode.
func unsetTimestamp(s *schema.Schema, path string, apply func()) breakable {
	nanos := s.Logical == schema.LogicalTimestampNanos || s.Logical == schema.LogicalLocalTimestampNanos
	return breakable{path, avrobin.ErrUnset, nanos, apply, avrobin.ErrTimeRange}
}

// tooManyDigits returns a decimal of a digit more than a decimal of
// precision and scale holds.
func tooManyDigits(precision, scale int) *big.Rat {
	return new(big.Rat).SetFrac(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil),
		new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
}

// TestValidateFindsBrokenValues breaks one place of random values of every
// event at a time (see breakables) and checks that Validate reports it, by
// its path and reason, and that AppendAvro fails for it exactly when the
// value has no encoding.
func TestValidateFindsBrokenValues(t *testing.T) {
	for _, ev := range corpusEvents() {
		name := reflect.TypeOf(ev).Elem().Name()
		root := parsed(t, ev).Root
		g := newGen(31, name)
		pick := rand.New(rand.NewPCG(32, 33))
		enc := &blockEncoder{rng: rand.New(rand.NewPCG(34, 35))}
		checked := 0
		for i := range iterations() / 4 {
			got := newLike(ev)
			if err := got.UnmarshalAvro(enc.encode(nil, root, g.next(root))); err != nil {
				t.Fatal(err)
			}
			places := breakables(root, reflect.ValueOf(got).Elem(), nil, "")
			if len(places) == 0 {
				continue
			}
			b := places[pick.IntN(len(places))]
			b.apply()
			what := name + " #" + strconv.Itoa(i) + ", " + shorten(b.path) + " broken"
			checkBroken(t, what, "Validate", got.Validate(), "corpus."+name, b)
			_, err := got.AppendAvro(nil)
			if b.encode {
				if b.encodeWhy != nil {
					b.reason = b.encodeWhy
				}
				checkBroken(t, what, "AppendAvro", err, "corpus."+name, b)
			} else if err != nil {
				t.Errorf("%s: AppendAvro: %v", what, err)
			}
			checked++
		}
		if checked == 0 && hasBreakable(root) {
			t.Errorf("%s: no value broken", name)
		}
	}
}

func checkBroken(t *testing.T, what, op string, err error, typ string, b breakable) {
	t.Helper()
	var ve *avrobin.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, b.reason) || ve.Field != b.path || ve.Type != typ {
		t.Errorf("%s: %s = %v, want a *avrobin.ValidationError of %s, field %s: %v", what, op, err, typ, b.path, b.reason)
	}
}

// hasBreakable reports whether s has a string, a decimal or a timestamp
// anywhere.
func hasBreakable(s *schema.Schema) bool {
	found := false
	schema.Walk(s, func(n *schema.Schema) bool {
		found = found || n.Kind == schema.String && n.Logical != schema.LogicalUUID || n.Logical == schema.LogicalDecimal || schema.IsTimestamp(n.Logical)
		return true
	})
	return found
}
