package registrytest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Reference names a schema that another one uses, as the registry's API
// writes it: the name the referencing schema uses (for Avro, the full name
// of a named type) and the subject and version that hold it.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Schema is a schema as registered: its text and its references.
type Schema struct {
	Text       string
	References []Reference
}

// Resolved is a schema with the schemas its references name.
type Resolved struct {
	Schema
	// Referenced holds the schemas the references name and, in turn, those
	// they reference, each once, each before the schemas that use it (the
	// order to define them in).
	Referenced []Referenced
}

// Referenced is a schema a reference names.
type Referenced struct {
	// Reference is the reference that named it.
	Reference
	// Text is the referenced schema's text.
	Text string
}

// identity is what makes two schemas the same schema: the same JSON, white
// space and the order of object keys aside, and the same references, in
// the same order.
func identity(s Schema) string {
	var b strings.Builder
	b.WriteString(normalJSON(s.Text))
	for _, r := range s.References {
		b.WriteString("\x00" + r.Name + "\x00" + r.Subject + "\x00" + strconv.Itoa(r.Version))
	}
	return b.String()
}

// normalJSON is text re-encoded with no white space and object keys sorted
// (numbers kept as written); text itself when it is not JSON.
func normalJSON(text string) string {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil || d.More() {
		return text
	}
	out, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		return text
	}
	return string(out)
}
