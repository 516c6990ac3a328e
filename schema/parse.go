package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hamba/avro/v2"
)

// ErrInvalid is matched (errors.Is) by every error Parse returns for a text
// that is not a valid Avro schema.
var ErrInvalid = errors.New("invalid avro schema")

// Parsed is a parsed schema: its model, the text it came from, its Parsing
// Canonical Form and fingerprints.
type Parsed struct {
	// Root is the top-level schema.
	Root      *Schema
	text      string
	canonical string
	h         avro.Schema
}

// Parse parses an Avro schema in JSON form. Every named type is defined in
// the text itself (there are no external references). Errors match
// ErrInvalid.
func Parse(text string) (*Parsed, error) {
	// A cache of our own: hamba's default cache is global and would mix the
	// named types of two versions of the same schema.
	h, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.TrimPrefix(err.Error(), "avro: "))
	}
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	p := &parser{names: map[string]*Schema{}}
	root, err := p.parse(raw, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &Parsed{Root: root, text: text, canonical: Canonical(root), h: h}, nil
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

// parser turns the JSON of a schema hamba/avro has accepted into the model.
type parser struct {
	names map[string]*Schema
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

func (p *parser) parse(raw json.RawMessage, namespace string) (*Schema, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("empty schema")
	}
	switch raw[0] {
	case '"':
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return nil, err
		}
		return p.byName(name, namespace)
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		u := &Schema{Kind: Union}
		for _, it := range items {
			b, err := p.parse(it, namespace)
			if err != nil {
				return nil, err
			}
			u.Branches = append(u.Branches, b)
		}
		return u, nil
	case '{':
		return p.parseObject(raw, namespace)
	}
	return nil, fmt.Errorf("unexpected schema %.40s", raw)
}

func (p *parser) byName(name, namespace string) (*Schema, error) {
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
	return nil, fmt.Errorf("unknown type %q", name)
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

func (p *parser) parseObject(raw json.RawMessage, namespace string) (*Schema, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	typRaw := bytes.TrimSpace(obj["type"])
	if len(typRaw) > 0 && typRaw[0] != '"' {
		// {"type": {...}} or {"type": [...]}: a wrapped schema.
		return p.parse(typRaw, namespace)
	}
	typ := str(obj, "type")
	s := &Schema{Props: props(obj)}
	logical := str(obj, "logicalType")

	if k, ok := primitiveKinds[typ]; ok {
		s.Kind = k
		p.setLogical(s, logical, obj)
		return s, nil
	}
	switch typ {
	case "record", "error", "enum", "fixed":
		ns := str(obj, "namespace")
		if _, has := obj["namespace"]; !has {
			ns = namespace
		}
		s.Name = fullName(str(obj, "name"), ns)
		ns = Namespace(s.Name)
		var aliases []string
		_ = json.Unmarshal(obj["aliases"], &aliases)
		for _, a := range aliases {
			s.Aliases = append(s.Aliases, fullName(a, ns))
		}
		s.Doc = str(obj, "doc")
		if _, dup := p.names[s.Name]; dup {
			return nil, fmt.Errorf("type %q defined twice", s.Name)
		}
		p.names[s.Name] = s
		switch typ {
		case "record", "error":
			s.Kind = Record
			var fields []map[string]json.RawMessage
			if err := json.Unmarshal(obj["fields"], &fields); err != nil {
				return nil, fmt.Errorf("record %s: fields: %v", s.Name, err)
			}
			for _, fo := range fields {
				f := &Field{Name: str(fo, "name"), Doc: str(fo, "doc"), Order: str(fo, "order"), Props: props(fo)}
				if f.Order == "" {
					f.Order = "ascending"
				}
				_ = json.Unmarshal(fo["aliases"], &f.Aliases)
				if d, ok := fo["default"]; ok {
					f.Default = append(json.RawMessage(nil), bytes.TrimSpace(d)...)
				}
				t, err := p.parse(fo["type"], ns)
				if err != nil {
					return nil, fmt.Errorf("record %s: field %s: %v", s.Name, f.Name, err)
				}
				f.Type = t
				s.Fields = append(s.Fields, f)
			}
		case "enum":
			s.Kind = Enum
			_ = json.Unmarshal(obj["symbols"], &s.Symbols)
			s.Default = str(obj, "default")
		case "fixed":
			s.Kind = Fixed
			_ = json.Unmarshal(obj["size"], &s.Size)
			p.setLogical(s, logical, obj)
		}
		return s, nil
	case "array":
		s.Kind = Array
		items, err := p.parse(obj["items"], namespace)
		if err != nil {
			return nil, fmt.Errorf("array items: %v", err)
		}
		s.Items = items
		return s, nil
	case "map":
		s.Kind = Map
		values, err := p.parse(obj["values"], namespace)
		if err != nil {
			return nil, fmt.Errorf("map values: %v", err)
		}
		s.Values = values
		return s, nil
	}
	// A reference to a named type written as {"type": "Name"}.
	return p.byName(typ, namespace)
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
