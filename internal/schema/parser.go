package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// parser turns the JSON of a schema into the model, checking it as it goes.
type parser struct {
	names map[string]*Schema
	// fields with a default, checked once every named type is complete (a
	// default may be a value of a record defined later in the text).
	defaults []pendingDefault
	// origin is the index of the reference that defined a named type
	// (absent for the schema's own); current is that of the text being
	// parsed, -1 for the schema's; used marks the references whose types
	// the schema's text names.
	origin  map[*Schema]int
	current int
	used    map[int]bool
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
