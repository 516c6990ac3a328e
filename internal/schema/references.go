package schema

import (
	"encoding/json"
	"strings"
)

// Reference is a schema whose named types another schema uses by name: a
// schema reference of the schema registry, with the text it names.
type Reference struct {
	// Name is the reference's name, by the registry's convention for Avro
	// the full name of the named type the referenced schema defines
	// ("com.example.Money"). It names the reference in errors; it is not
	// checked against the text, as the registry does not check it either.
	Name string
	// Text is the referenced schema.
	Text string
}

// ParseWithReferences parses an Avro schema whose named types may be
// defined by the schemas refs holds instead of the text itself: the
// schemas its registry references name and, in turn, those they reference,
// dependencies first (each may use the named types of those before it),
// each once. This is how Apache Avro Java's parser, and so the Confluent
// Schema Registry, reads a schema with references: each reference is
// parsed first, into the names the next ones and the schema may use. A
// named type the schema defines again, even identically, is an error, as it
// is there.
//
// The result is the resolved schema: Root holds the named types of the
// references where the text uses them, so that its Parsing Canonical Form
// and fingerprints are those of a schema that defined them itself (what data
// written with it is), not of its text alone. Text and Compact are the
// text's own, what is registered with the references beside it; References
// says which of refs the text uses.
//
// The rules and errors are Parse's; a problem within a reference has a
// Where that begins with `reference "NAME"`.
func ParseWithReferences(text string, refs []Reference) (*Parsed, error) {
	p := &parser{names: map[string]*Schema{}, origin: map[*Schema]int{}, used: map[int]bool{}}
	for i, r := range refs {
		p.current = i
		if _, err := p.parseText(r.Text, "reference "+stringQuote(r.Name)); err != nil {
			return nil, err
		}
	}
	p.current = -1
	root, err := p.parseText(text, "")
	if err != nil {
		return nil, err
	}
	if err := p.checkDefaults(); err != nil {
		return nil, err
	}
	// hamba/avro parses the text too, only to refuse what it refuses: it is
	// the backstop for anything the checks above miss. Its model is not
	// kept; everything works on this package's.
	if _, err := hambaParse(text, refs); err != nil {
		return nil, &Error{Problem: strings.TrimPrefix(err.Error(), "avro: ")}
	}
	out := &Parsed{Root: root, text: text, canonical: Canonical(root)}
	for i, r := range refs {
		if p.used[i] {
			out.uses = append(out.uses, r)
		}
	}
	return out, nil
}

// parseText parses one schema text into the parser's names; where, when not
// empty, locates the text's problems (a reference's).
func (p *parser) parseText(text, where string) (*Schema, error) {
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, bad(where, "not JSON: %v", err)
	}
	return p.parse(raw, "", where)
}

// References returns the references given to ParseWithReferences whose
// named types the schema's text itself names, in the order given: those to
// register the schema with. A reference only others use is not among them.
func (p *Parsed) References() []Reference { return p.uses }

// stringQuote quotes s as JSON does, for locations.
func stringQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
