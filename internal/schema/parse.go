package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hamba/avro/v2"
)

// ErrInvalid is matched (errors.Is) by every error Parse returns for a text
// that is not a valid Avro schema.
var ErrInvalid = errors.New("invalid avro schema")

// Error is a reason Parse refused a schema: what is wrong and where. It
// matches ErrInvalid.
type Error struct {
	// Where locates the problem, outermost first, e.g.
	// `record lunchbot.events.Order: field "items": array items`; empty for
	// the schema as a whole.
	Where string
	// Problem says what is wrong, and when it is not obvious, what to do.
	Problem string
}

// Error returns "invalid avro schema: WHERE: PROBLEM".
func (e *Error) Error() string {
	if e.Where == "" {
		return ErrInvalid.Error() + ": " + e.Problem
	}
	return ErrInvalid.Error() + ": " + e.Where + ": " + e.Problem
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Parsed is a parsed schema: its model, the text it came from, its Parsing
// Canonical Form and fingerprints.
type Parsed struct {
	// Root is the top-level schema.
	Root      *Schema
	text      string
	canonical string
	// uses are the references whose named types the text itself names.
	uses []Reference
}

// Parse parses an Avro schema in JSON form. Every named type is defined in
// the text itself (for a schema that uses the named types of schema
// references, see ParseWithReferences).
//
// Parse refuses what Apache Avro Java (and so the Confluent Schema Registry)
// refuses, reading attribute names exactly as written: a record, enum, fixed
// or field without a valid name (letters, digits and '_', not starting with
// a digit; namespaces are such names joined by dots), a named type defined
// twice or named after a primitive type, duplicate field names, invalid or
// duplicate enum symbols, an enum default that is not one of its symbols, a
// fixed without a non-negative integer size, a union holding another union or
// two branches of the same type (two arrays, two maps, two of one primitive
// type whatever their logical types, or the same named type), an object
// schema whose "type" is not a string, an unknown field order, and a field
// default that is not a value of the field's type (for a union, of its first
// branch). It also refuses the few things Java accepts that this project's
// Avro library does not (an empty enum, a field default naming no enum
// symbol, a bytes default with characters above \u00ff, a string default for
// a float or double field).
//
// Errors match ErrInvalid; an *Error (errors.As) says what is wrong and
// where.
func Parse(text string) (*Parsed, error) { return ParseWithReferences(text, nil) }

// hambaParse is avro.ParseWithCache with a cache of the call's own (hamba's
// default cache is global and would mix the named types of two versions of
// the same schema), into which the references are parsed first, and a
// panic turned into an error: hamba/avro (archived, so unfixed)
// dereferences nil on some schemas, such as a record field of the record's
// own type with a default, which Parse's own checks refuse before hamba
// sees them.
func hambaParse(text string, refs []Reference) (s avro.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("the Avro library failed on this schema: %v", r)
		}
	}()
	cache := &avro.SchemaCache{}
	for _, r := range refs {
		if _, err := avro.ParseWithCache(r.Text, "", cache); err != nil {
			return nil, fmt.Errorf("reference %q: %w", r.Name, err)
		}
	}
	return avro.ParseWithCache(text, "", cache)
}

// MustParse is like Parse but panics on error. It is meant for schemas
// embedded in code, which are checked when the code is generated.
func MustParse(text string) *Parsed {
	p, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return p
}

// Text returns the schema text as it was given to Parse (without the texts
// of its references).
func (p *Parsed) Text() string { return p.text }

// Compact returns the schema text without insignificant white space, as
// json.Compact writes it: what generated code embeds as
// contract.Contract.Schema and what eventctl registers. Docs, defaults and
// every attribute stay.
func (p *Parsed) Compact() string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(p.text)) != nil {
		return p.text // not reached: Parse accepted the text as JSON
	}
	return b.String()
}

// Canonical returns the schema's Parsing Canonical Form, as the Avro
// specification defines it. For a schema with references it is that of the
// resolved schema: the named types of the references are spelled out where
// they are first used, as in a schema that defined them itself, since that
// is what data written with it is.
func (p *Parsed) Canonical() string { return p.canonical }
