package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

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
}

// Parse parses an Avro schema in JSON form. Every named type is defined in
// the text itself (there are no external references).
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
func Parse(text string) (*Parsed, error) {
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, &Error{Problem: "not JSON: " + err.Error()}
	}
	p := &parser{names: map[string]*Schema{}}
	root, err := p.parse(raw, "", "")
	if err != nil {
		return nil, err
	}
	if err := p.checkDefaults(); err != nil {
		return nil, err
	}
	// hamba/avro parses the text too, only to refuse what it refuses: it is
	// the backstop for anything the checks above miss. Its model is not
	// kept; everything works on this package's.
	if _, err := hambaParse(text); err != nil {
		return nil, &Error{Problem: strings.TrimPrefix(err.Error(), "avro: ")}
	}
	return &Parsed{Root: root, text: text, canonical: Canonical(root)}, nil
}

// hambaParse is avro.ParseWithCache with a cache of its own (hamba's
// default cache is global and would mix the named types of two versions of
// the same schema) and a panic turned into an error: hamba/avro (archived,
// so unfixed) dereferences nil on some schemas, such as a record field of
// the record's own type with a default, which Parse's own checks refuse
// before hamba sees them.
func hambaParse(text string) (s avro.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("the Avro library failed on this schema: %v", r)
		}
	}()
	return avro.ParseWithCache(text, "", &avro.SchemaCache{})
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

// Text returns the schema text as it was given to Parse.
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
// specification defines it.
func (p *Parsed) Canonical() string { return p.canonical }

// CRC64 returns the CRC-64-AVRO (Rabin) fingerprint of the Parsing
// Canonical Form.
func (p *Parsed) CRC64() uint64 { return CRC64Avro([]byte(p.canonical)) }

// SHA256 returns the SHA-256 fingerprint of the Parsing Canonical Form.
func (p *Parsed) SHA256() [32]byte { return sha256.Sum256([]byte(p.Canonical())) }

// CRC64Avro returns the CRC-64-AVRO (Rabin) fingerprint of b, as the Avro
// specification defines it.
func CRC64Avro(b []byte) uint64 {
	const empty = 0xc15d213aa4d7a795
	var table [256]uint64
	for i := range table {
		fp := uint64(i)
		for j := 0; j < 8; j++ {
			fp = (fp >> 1) ^ (empty & -(fp & 1))
		}
		table[i] = fp
	}
	fp := uint64(empty)
	for _, c := range b {
		fp = (fp >> 8) ^ table[byte(fp)^c]
	}
	return fp
}

// parser turns the JSON of a schema into the model, checking it as it goes.
type parser struct {
	names map[string]*Schema
	// fields with a default, checked once every named type is complete (a
	// default may be a value of a record defined later in the text).
	defaults []pendingDefault
}

type pendingDefault struct {
	where string
	f     *Field
}

var primitiveKinds = map[string]Kind{
	"null": Null, "boolean": Boolean, "int": Int, "long": Long,
	"float": Float, "double": Double, "bytes": Bytes, "string": String,
}

// reserved attributes per kind; the rest go to Props.
var reserved = map[string]bool{
	"type": true, "name": true, "namespace": true, "aliases": true, "doc": true,
	"fields": true, "symbols": true, "default": true, "size": true,
	"items": true, "values": true, "logicalType": true, "precision": true,
	"scale": true, "order": true,
}

// at joins a location and a step: at("record a.R", `field "x"`).
func at(where, step string) string {
	if where == "" {
		return step
	}
	return where + ": " + step
}

func bad(where, format string, args ...any) *Error {
	return &Error{Where: where, Problem: fmt.Sprintf(format, args...)}
}

// jsonKind names the JSON type of a raw value, for messages.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// snippet is raw cut for a message.
func snippet(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		b.Reset()
		b.Write(bytes.TrimSpace(raw))
	}
	s := b.String()
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// validName reports whether s is an Avro name: [A-Za-z_][A-Za-z0-9_]*.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// validFullName reports whether s is names joined by dots; an empty
// namespace is valid.
func validFullName(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !validName(part) {
			return false
		}
	}
	return true
}

const nameRule = "a name is letters, digits and '_' and does not start with a digit"

// stringAttr reads an optional string attribute; ok is false when absent.
func stringAttr(obj map[string]json.RawMessage, key, where string) (s string, ok bool, err error) {
	raw, has := obj[key]
	if !has {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, bad(where, "%q must be a string, not %s", key, jsonKind(raw))
	}
	return s, true, nil
}

// stringList reads an optional array-of-strings attribute.
func stringList(obj map[string]json.RawMessage, key, where string) ([]string, error) {
	raw, has := obj[key]
	if !has {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, bad(where, "%q must be an array of strings, not %s", key, jsonKind(raw))
	}
	out := make([]string, len(items))
	for i, it := range items {
		if err := json.Unmarshal(it, &out[i]); err != nil {
			return nil, bad(where, "%q[%d] must be a string, not %s", key, i, jsonKind(it))
		}
	}
	return out, nil
}

func (p *parser) parse(raw json.RawMessage, namespace, where string) (*Schema, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, bad(where, "no schema")
	}
	switch raw[0] {
	case '"':
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return nil, bad(where, "%v", err)
		}
		return p.byName(name, namespace, where)
	case '[':
		return p.parseUnion(raw, namespace, where)
	case '{':
		return p.parseObject(raw, namespace, where)
	}
	return nil, bad(where, "a schema is a type name, an object or a union (an array), not %s %s", jsonKind(raw), snippet(raw))
}

func (p *parser) byName(name, namespace, where string) (*Schema, error) {
	if k, ok := primitiveKinds[name]; ok {
		return &Schema{Kind: k}, nil
	}
	if !strings.Contains(name, ".") && namespace != "" {
		if s, ok := p.names[namespace+"."+name]; ok {
			return s, nil
		}
	}
	if s, ok := p.names[name]; ok {
		return s, nil
	}
	switch name {
	case "record", "error", "enum", "fixed", "array", "map":
		return nil, bad(where, "unknown type %q: a %s is written as an object, {\"type\": %q, ...}", name, name, name)
	}
	return nil, bad(where, "unknown type %q: not a primitive type nor a named type defined before this point", name)
}

// unionKey is what two branches of a union may not share, as Avro Java
// compares them: the full name of a named type, else the type (logical
// types aside).
func unionKey(s *Schema) string {
	if s.Kind.IsNamed() {
		return s.Name
	}
	return s.Kind.String()
}

func (p *parser) parseUnion(raw json.RawMessage, namespace, where string) (*Schema, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, bad(where, "%v", err)
	}
	u := &Schema{Kind: Union}
	seen := map[string]int{}
	for i, it := range items {
		bw := at(where, fmt.Sprintf("union branch %d", i))
		if t := bytes.TrimSpace(it); len(t) > 0 && t[0] == '[' {
			return nil, bad(bw, "a union cannot hold another union; list the branches in one union")
		}
		b, err := p.parse(it, namespace, bw)
		if err != nil {
			return nil, err
		}
		key := unionKey(b)
		if j, dup := seen[key]; dup {
			if b.Kind.IsNamed() {
				return nil, bad(bw, "the union already holds %s (branch %d); a union holds each named type once", key, j)
			}
			return nil, bad(bw, "the union already holds a %s (branch %d); a union holds at most one %s, whatever the logical types", key, j, key)
		}
		seen[key] = i
		u.Branches = append(u.Branches, b)
	}
	return u, nil
}

func fullName(name, namespace string) string {
	if strings.Contains(name, ".") || namespace == "" {
		return name
	}
	return namespace + "." + name
}

func props(obj map[string]json.RawMessage) map[string]any {
	var out map[string]any
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if reserved[k] {
			continue
		}
		var v any
		if json.Unmarshal(obj[k], &v) != nil {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		out[k] = v
	}
	return out
}

func str(obj map[string]json.RawMessage, key string) string {
	var s string
	_ = json.Unmarshal(obj[key], &s)
	return s
}

func (p *parser) parseObject(raw json.RawMessage, namespace, where string) (*Schema, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, bad(where, "%v", err)
	}
	typRaw, has := obj["type"]
	if !has {
		return nil, bad(where, `a schema object needs a "type"`)
	}
	var typ string
	if err := json.Unmarshal(typRaw, &typ); err != nil {
		return nil, bad(where, `"type" of a schema object must be a type name (a string), not %s; write a union or a nested type directly, without wrapping it in {"type": ...}`, jsonKind(typRaw))
	}
	s := &Schema{Props: props(obj)}
	logical := str(obj, "logicalType")

	if k, ok := primitiveKinds[typ]; ok {
		s.Kind = k
		p.setLogical(s, logical, obj)
		return s, nil
	}
	switch typ {
	case "record", "error", "enum", "fixed":
		return p.parseNamed(obj, typ, s, logical, namespace, where)
	case "array":
		s.Kind = Array
		items, has := obj["items"]
		if !has {
			return nil, bad(where, `an array needs "items"`)
		}
		t, err := p.parse(items, namespace, at(where, "array items"))
		if err != nil {
			return nil, err
		}
		s.Items = t
		return s, nil
	case "map":
		s.Kind = Map
		values, has := obj["values"]
		if !has {
			return nil, bad(where, `a map needs "values"`)
		}
		t, err := p.parse(values, namespace, at(where, "map values"))
		if err != nil {
			return nil, err
		}
		s.Values = t
		return s, nil
	}
	// A reference to a named type written as {"type": "Name"}.
	return p.byName(typ, namespace, where)
}

func (p *parser) parseNamed(obj map[string]json.RawMessage, typ string, s *Schema, logical, namespace, where string) (*Schema, error) {
	name, hasName, err := stringAttr(obj, "name", where)
	if err != nil {
		return nil, err
	}
	if !hasName {
		return nil, bad(where, "a %s needs a \"name\"", typ)
	}
	ns, hasNS, err := stringAttr(obj, "namespace", at(where, typ+" "+name))
	if err != nil {
		return nil, err
	}
	if !hasNS {
		ns = namespace
	}
	s.Name = fullName(name, ns)
	here := at(where, typ+" "+s.Name)
	switch {
	case strings.Contains(name, "."):
		if !validFullName(name) {
			return nil, bad(here, "invalid name %q: a full name is names joined by dots, and %s", name, nameRule)
		}
	case !validName(name):
		return nil, bad(here, "invalid name %q: %s", name, nameRule)
	case hasNS && ns != "" && !validFullName(ns):
		return nil, bad(here, "invalid namespace %q: a namespace is names joined by dots, and %s", ns, nameRule)
	}
	if _, prim := primitiveKinds[s.Name]; prim {
		return nil, bad(here, "a named type may not be named after the primitive type %q", s.Name)
	}
	ns = Namespace(s.Name)
	aliases, err := stringList(obj, "aliases", here)
	if err != nil {
		return nil, err
	}
	for _, a := range aliases {
		if !validFullName(a) {
			return nil, bad(here, "invalid alias %q: %s", a, nameRule)
		}
		s.Aliases = append(s.Aliases, fullName(a, ns))
	}
	if s.Doc, _, err = stringAttr(obj, "doc", here); err != nil {
		return nil, err
	}
	if _, dup := p.names[s.Name]; dup {
		return nil, bad(here, "type %s is defined twice; define it once and refer to it by name afterwards", s.Name)
	}
	p.names[s.Name] = s
	switch typ {
	case "record", "error":
		s.Kind = Record
		return s, p.parseFields(obj, s, ns, here)
	case "enum":
		s.Kind = Enum
		return s, parseSymbols(obj, s, here)
	}
	s.Kind = Fixed
	sizeRaw, has := obj["size"]
	if !has {
		return nil, bad(here, `a fixed needs a "size"`)
	}
	n, ok := intLiteral(sizeRaw, 31)
	if !ok || n < 0 {
		return nil, bad(here, `"size" must be a non-negative integer (at most 2147483647), not %s`, snippet(sizeRaw))
	}
	s.Size = int(n)
	p.setLogical(s, logical, obj)
	return s, nil
}

func parseSymbols(obj map[string]json.RawMessage, s *Schema, here string) error {
	if _, has := obj["symbols"]; !has {
		return bad(here, `an enum needs "symbols"`)
	}
	symbols, err := stringList(obj, "symbols", here)
	if err != nil {
		return err
	}
	if len(symbols) == 0 {
		return bad(here, "an enum needs at least one symbol")
	}
	seen := map[string]bool{}
	for _, sym := range symbols {
		if !validName(sym) {
			return bad(here, "invalid symbol %q: a symbol is a name, and %s", sym, nameRule)
		}
		if seen[sym] {
			return bad(here, "symbol %q is listed twice", sym)
		}
		seen[sym] = true
	}
	s.Symbols = symbols
	def, hasDef, err := stringAttr(obj, "default", here)
	if err != nil {
		return err
	}
	if hasDef && !seen[def] {
		return bad(here, "default %q is not one of the symbols %v", def, symbols)
	}
	s.Default = def
	return nil
}

var orders = map[string]bool{"ascending": true, "descending": true, "ignore": true}

func (p *parser) parseFields(obj map[string]json.RawMessage, s *Schema, ns, here string) error {
	fieldsRaw, has := obj["fields"]
	if !has {
		return bad(here, `a record needs "fields" (an array, possibly empty)`)
	}
	var fields []json.RawMessage
	if err := json.Unmarshal(fieldsRaw, &fields); err != nil {
		return bad(here, `"fields" must be an array of fields, not %s`, jsonKind(fieldsRaw))
	}
	seen := map[string]int{}
	for i, raw := range fields {
		fw := at(here, fmt.Sprintf("field %d", i))
		var fo map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fo); err != nil {
			return bad(fw, "a field must be an object, not %s", jsonKind(raw))
		}
		name, hasName, err := stringAttr(fo, "name", fw)
		if err != nil {
			return err
		}
		if !hasName {
			return bad(fw, `a field needs a "name"`)
		}
		fw = at(here, fmt.Sprintf("field %q", name))
		if !validName(name) {
			return bad(fw, "invalid field name %q: %s", name, nameRule)
		}
		if j, dup := seen[name]; dup {
			return bad(fw, "field name %q is used twice (fields %d and %d)", name, j, i)
		}
		seen[name] = i
		f := &Field{Name: name, Order: "ascending", Props: props(fo)}
		if f.Doc, _, err = stringAttr(fo, "doc", fw); err != nil {
			return err
		}
		if order, has, err := stringAttr(fo, "order", fw); err != nil {
			return err
		} else if has {
			if !orders[order] {
				return bad(fw, `invalid order %q (want "ascending", "descending" or "ignore")`, order)
			}
			f.Order = order
		}
		if f.Aliases, err = stringList(fo, "aliases", fw); err != nil {
			return err
		}
		for _, a := range f.Aliases {
			if !validName(a) {
				return bad(fw, "invalid alias %q: %s", a, nameRule)
			}
		}
		typRaw, has := fo["type"]
		if !has {
			return bad(fw, `a field needs a "type"`)
		}
		t, err := p.parse(typRaw, ns, fw)
		if err != nil {
			return err
		}
		f.Type = t
		if d, ok := fo["default"]; ok {
			f.Default = append(json.RawMessage(nil), bytes.TrimSpace(d)...)
			p.defaults = append(p.defaults, pendingDefault{where: fw, f: f})
		}
		s.Fields = append(s.Fields, f)
	}
	return nil
}

// intLiteral parses raw as a JSON integer literal (no fraction, no
// exponent, as Jackson's isIntegralNumber) of at most bits+1 bits.
func intLiteral(raw json.RawMessage, bits int) (int64, bool) {
	t := string(bytes.TrimSpace(raw))
	if t == "" || strings.ContainsAny(t, ".eE\"") {
		return 0, false
	}
	n, err := strconv.ParseInt(t, 10, bits+1)
	return n, err == nil
}

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

// describe names a schema for messages.
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

// setLogical records the logical type when the specification defines it for
// the underlying type; an unknown or misplaced logical type is ignored, as the
// specification requires, and stays in Props.
func (p *parser) setLogical(s *Schema, logical string, obj map[string]json.RawMessage) {
	if logical == "" {
		return
	}
	ok := false
	switch logical {
	case LogicalDate, LogicalTimeMillis:
		ok = s.Kind == Int
	case LogicalTimeMicros, LogicalTimestampMillis, LogicalTimestampMicros, LogicalTimestampNanos,
		LogicalLocalTimestampMillis, LogicalLocalTimestampMicros, LogicalLocalTimestampNanos:
		ok = s.Kind == Long
	case LogicalUUID:
		ok = s.Kind == String || (s.Kind == Fixed && s.Size == 16)
	case LogicalDuration:
		ok = s.Kind == Fixed && s.Size == 12
	case LogicalDecimal:
		_ = json.Unmarshal(obj["precision"], &s.Precision)
		_ = json.Unmarshal(obj["scale"], &s.Scale)
		ok = (s.Kind == Bytes || s.Kind == Fixed) && s.Precision > 0 && s.Scale >= 0 && s.Scale <= s.Precision
		if ok && s.Kind == Fixed {
			// The largest precision a fixed of this size can hold.
			maxDigits := int(math.Floor(math.Log10(math.Pow(2, float64(8*s.Size-1)) - 1)))
			ok = s.Precision <= maxDigits
		}
		if !ok {
			s.Precision, s.Scale = 0, 0
		}
	}
	if !ok {
		if s.Props == nil {
			s.Props = map[string]any{}
		}
		s.Props["logicalType"] = logical
		return
	}
	s.Logical = logical
}
