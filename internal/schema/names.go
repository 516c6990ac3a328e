package schema

import (
	"encoding/json"
	"strings"
)

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

func (p *parser) byName(name, namespace, where string) (*Schema, error) {
	if k, ok := primitiveKinds[name]; ok {
		return &Schema{Kind: k}, nil
	}
	if !strings.Contains(name, ".") && namespace != "" {
		if s, ok := p.names[namespace+"."+name]; ok {
			return p.use(s), nil
		}
	}
	if s, ok := p.names[name]; ok {
		return p.use(s), nil
	}
	switch name {
	case "record", "error", "enum", "fixed", "array", "map":
		return nil, bad(where, "unknown type %q: a %s is written as an object, {\"type\": %q, ...}", name, name, name)
	}
	return nil, bad(where, "unknown type %q: not a primitive type nor a named type defined before this point", name)
}

// use notes that the schema's own text names s, a type of a reference.
func (p *parser) use(s *Schema) *Schema {
	if i, ok := p.origin[s]; ok && p.current < 0 {
		p.used[i] = true
	}
	return s
}

func fullName(name, namespace string) string {
	if strings.Contains(name, ".") || namespace == "" {
		return name
	}
	return namespace + "." + name
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
	if p.current >= 0 {
		p.origin[s] = p.current
	}
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
