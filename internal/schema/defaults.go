package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// checkDefaults checks every field default against its field's type, as
// Avro Java does when it parses a schema.
func (p *parser) checkDefaults() error {
	for _, pd := range p.defaults {
		f := pd.f
		if why := validDefault(f.Type, f.Default, true, 0); why != "" {
			if f.Type.Kind == Union && len(f.Type.Branches) > 0 {
				first := f.Type.Branches[0]
				return bad(pd.where, "default %s does not match the union's first branch (%s): %s; the default of a union field is a value of its first branch, so list the branch of the default first (for a null default, \"null\")",
					snippet(f.Default), describeSchema(first), why)
			}
			return bad(pd.where, "default %s is not a valid %s: %s", snippet(f.Default), describeSchema(f.Type), why)
		}
	}
	return nil
}

// describeSchema names a schema for messages.
func describeSchema(s *Schema) string {
	switch {
	case s.Kind.IsNamed():
		return s.Kind.String() + " " + s.Name
	case s.Kind == Array:
		return "array of " + describeSchema(s.Items)
	case s.Kind == Map:
		return "map of " + describeSchema(s.Values)
	case s.Kind == Union:
		parts := make([]string, len(s.Branches))
		for i, b := range s.Branches {
			parts[i] = describeSchema(b)
		}
		return "union [" + strings.Join(parts, ", ") + "]"
	case s.Logical != "":
		return s.Kind.String() + " (" + s.Logical + ")"
	}
	return s.Kind.String()
}

// maxDefaultDepth bounds the nesting of default checks: a record whose
// field defaults to a value of the record itself would otherwise recurse
// without end (Avro Java overflows its stack on such a schema).
const maxDefaultDepth = 64

// validDefault returns why raw is not a value of s as a JSON default, or ""
// when it is. The rules are Avro Java's (Schema.isValidDefault), plus the
// few this project's Avro library adds. top is true for a field's own type
// (Java accepts a numeric string there for float and double).
func validDefault(s *Schema, raw json.RawMessage, top bool, depth int) string {
	if depth > maxDefaultDepth {
		return "the default nests too deeply (a record whose default needs a value of itself?)"
	}
	raw = bytes.TrimSpace(raw)
	kind := jsonKind(raw)
	want := func(what string) string { return fmt.Sprintf("%s is %s, not %s", snippet(raw), kind, what) }
	switch s.Kind {
	case Null:
		if kind != "null" {
			return want("null")
		}
	case Boolean:
		if kind != "a boolean" {
			return want("true or false")
		}
	case Int:
		if _, ok := intLiteral(raw, 31); !ok {
			return fmt.Sprintf("%s is not an integer from -2147483648 to 2147483647", snippet(raw))
		}
	case Long:
		if _, ok := intLiteral(raw, 63); !ok {
			return fmt.Sprintf("%s is not an integer from -2^63 to 2^63-1", snippet(raw))
		}
	case Float, Double:
		if kind == "a string" && top {
			return "a string default for a float or double (such as \"NaN\") is accepted by Avro Java but not by this project's Avro library; write a JSON number"
		}
		if kind != "a number" {
			return want("a number")
		}
	case String:
		if kind != "a string" {
			return want("a string")
		}
	case Bytes, Fixed:
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return want("a string (one character per byte, \\u0000 to \\u00ff)")
		}
		for _, r := range v {
			if r > 0xff {
				return fmt.Sprintf("character %q is above \\u00ff; a bytes or fixed default has one character per byte, \\u0000 to \\u00ff", r)
			}
		}
	case Enum:
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return want("a symbol (a string)")
		}
		for _, sym := range s.Symbols {
			if sym == v {
				return ""
			}
		}
		return fmt.Sprintf("%q is not one of the symbols %v", v, s.Symbols)
	case Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return want("an array")
		}
		for i, it := range items {
			if why := validDefault(s.Items, it, false, depth+1); why != "" {
				return fmt.Sprintf("item %d: %s", i, why)
			}
		}
	case Map:
		var m map[string]json.RawMessage
		if kind != "an object" || json.Unmarshal(raw, &m) != nil {
			return want("an object")
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if why := validDefault(s.Values, m[k], false, depth+1); why != "" {
				return fmt.Sprintf("value %q: %s", k, why)
			}
		}
	case Union:
		if len(s.Branches) == 0 {
			return "an empty union has no values"
		}
		return validDefault(s.Branches[0], raw, false, depth+1)
	case Record:
		var m map[string]json.RawMessage
		if kind != "an object" || json.Unmarshal(raw, &m) != nil {
			return want("an object (a " + s.Name + ")")
		}
		for _, f := range s.Fields {
			v, ok := m[f.Name]
			if !ok {
				if f.Default == nil {
					return fmt.Sprintf("field %q of %s is missing, and has no default", f.Name, s.Name)
				}
				v = f.Default
			}
			if why := validDefault(f.Type, v, false, depth+1); why != "" {
				return fmt.Sprintf("field %q: %s", f.Name, why)
			}
		}
	}
	return ""
}
