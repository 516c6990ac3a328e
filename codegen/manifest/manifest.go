// Package manifest reads the manifest that binds each Avro schema of avro/ to
// its Kafka topic, schema-registry subject, key field and compatibility
// level.
//
// The manifest is JSON:
//
//	{
//	  "go": {"package": "events", "output": "../events"},
//	  "defaults": {"compatibility": "BACKWARD_TRANSITIVE", "subject_strategy": "TopicNameStrategy"},
//	  "events": [
//	    {"type": "deadline.passed", "schema": "deadline_passed.avsc",
//	     "topic": "lunch-bot.deadlines", "key": "cafe_id"}
//	  ]
//	}
//
// Paths are relative to the manifest's directory. An event may override the
// defaults with its own "compatibility" and "subject_strategy", or name its
// "subject" outright.
//
// # Shared types
//
// A named type (record, enum or fixed) that several schemas use goes in a
// schema file of its own, listed under "types", and the schemas use it by
// its full name:
//
//	"types": [
//	  {"schema": "money.avsc"},
//	  {"schema": "cafe_ref.avsc", "subject": "orders.CafeRef", "compatibility": "FULL_TRANSITIVE"}
//	],
//
// Each is registered under a subject of its own, and the schemas that use
// it are registered with a schema reference to it (name, subject, version),
// as the Confluent Schema Registry keeps shared types. A type may use those
// listed before it. Its subject is the type's full name
// ("com.example.orders.Money") unless the manifest names one: that is the
// name Confluent's serializers and Maven plugin give a reference's subject
// by default (DefaultReferenceSubjectNameStrategy), so the subjects are the
// ones Confluent's tools look for in a registry they share with this
// project, and the name says what the subject holds. Its compatibility
// level is the default one unless it names its own. An event (or type)
// uses a shared type when its schema names it; eventctl registers the
// shared types first, and a change to one is checked against every schema
// that uses it.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// DefaultCompatibility is the level of an event whose manifest sets none.
const DefaultCompatibility = contract.BackwardTransitive

// Manifest is a loaded manifest with its schemas parsed.
type Manifest struct {
	// Path is the manifest file as given to Load.
	Path string
	// Go says where generated code goes.
	Go GoOptions
	// Types are the shared types, in manifest order (each after those it
	// uses).
	Types []*Type
	// Events in manifest order.
	Events []*Event
}

// Registered is what an event and a shared type have alike: a schema file
// registered under a subject.
type Registered struct {
	// SchemaFile is the path of the .avsc file, relative to the working
	// directory (the manifest's directory joined with its "schema").
	SchemaFile string
	// Subject is the registry subject.
	Subject string
	// Compatibility is the subject's compatibility level.
	Compatibility contract.Compatibility
	// Schema is the parsed schema file, resolved with the shared types it
	// uses; its Text is the file's content.
	Schema *schema.Parsed
	// Uses are the shared types the schema names itself, in manifest order:
	// its schema references.
	Uses []*Type
}

// Type is a shared named type: a schema file whose record, enum or fixed
// other schemas use by its full name.
type Type struct {
	Registered
	// Name is the full name of the type the file defines.
	Name string
}

// GoOptions are the code generator's settings.
type GoOptions struct {
	// Package is the Go package name of the generated code.
	Package string `json:"package"`
	// Output is the directory it is written to, relative to the manifest.
	Output string `json:"output"`
}

// Event is one event of the manifest. Its Subject is derived from the
// strategy unless the manifest names it.
type Event struct {
	Registered
	// Type is the event type, e.g. "deadline.passed".
	Type string
	// Topic is the Kafka topic.
	Topic           string
	SubjectStrategy contract.SubjectStrategy
	// KeyField is the name of the top-level field that keys messages.
	KeyField string
}

// Error is a problem with a manifest or one of its schema files.
type Error struct {
	// File is the file at fault (the manifest or a schema).
	File string
	// Problem says what is wrong.
	Problem string
	// Err is the underlying error, if any.
	Err error
}

func (e *Error) Error() string { return e.File + ": " + e.Problem }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

type fileFormat struct {
	Go       GoOptions `json:"go"`
	Defaults struct {
		Compatibility   string `json:"compatibility"`
		SubjectStrategy string `json:"subject_strategy"`
	} `json:"defaults"`
	Types []struct {
		Schema        string `json:"schema"`
		Subject       string `json:"subject"`
		Compatibility string `json:"compatibility"`
	} `json:"types"`
	Events []struct {
		Type            string `json:"type"`
		Schema          string `json:"schema"`
		Topic           string `json:"topic"`
		Subject         string `json:"subject"`
		SubjectStrategy string `json:"subject_strategy"`
		Key             string `json:"key"`
		Compatibility   string `json:"compatibility"`
	} `json:"events"`
}

// Load reads the manifest at path and parses every schema it names. The
// error, if any, is an *Error naming the file at fault.
func Load(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Problem: "cannot read manifest: " + errText(err), Err: err}
	}
	return Parse(path, data, os.ReadFile)
}

// Parse is Load for a manifest already read; readFile reads the schema files
// (their paths joined to the manifest's directory).
func Parse(path string, data []byte, readFile func(name string) ([]byte, error)) (*Manifest, error) {
	var f fileFormat
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, &Error{File: path, Problem: "not a valid manifest: " + err.Error(), Err: err}
	}
	m := &Manifest{Path: path, Go: f.Go}
	if m.Go.Package == "" {
		m.Go.Package = "events"
	}
	if len(f.Events) == 0 {
		return nil, &Error{File: path, Problem: "no events"}
	}
	defCompat := DefaultCompatibility
	if f.Defaults.Compatibility != "" {
		c, err := contract.ParseCompatibility(f.Defaults.Compatibility)
		if err != nil {
			return nil, &Error{File: path, Problem: "defaults: " + err.Error(), Err: err}
		}
		defCompat = c
	}
	defStrategy := contract.SubjectStrategy(f.Defaults.SubjectStrategy)
	if defStrategy == "" {
		defStrategy = contract.TopicName
	}
	dir := filepath.Dir(path)
	seenSubject := map[string]string{}
	byName := map[string]*Type{}
	var shared []schema.Reference
	for i, ft := range f.Types {
		where := fmt.Sprintf("types[%d]", i)
		bad := func(problem string, err error) error {
			return &Error{File: path, Problem: where + ": " + problem, Err: err}
		}
		if ft.Schema == "" {
			return nil, bad(`missing "schema"`, nil)
		}
		t := &Type{Registered: Registered{SchemaFile: filepath.Join(dir, ft.Schema), Compatibility: defCompat}}
		if ft.Compatibility != "" {
			c, err := contract.ParseCompatibility(ft.Compatibility)
			if err != nil {
				return nil, bad(err.Error(), err)
			}
			t.Compatibility = c
		}
		p, err := parseSchema(readFile, t.SchemaFile, shared, bad)
		if err != nil {
			if strings.Contains(err.Error(), "unknown type") {
				err = &Error{File: t.SchemaFile, Problem: err.Error() + ` (a shared type may use only the types listed before it in "types")`, Err: errors.Unwrap(err)}
			}
			return nil, err
		}
		if !p.Root.Kind.IsNamed() {
			return nil, &Error{File: t.SchemaFile, Problem: "a shared type must be a record, enum or fixed, not " + p.Root.Kind.String()}
		}
		// (A type declared twice, or an event's record that is a shared
		// type, is a type defined twice, which the parser refuses.)
		t.Name, t.Schema, t.Uses = p.Root.Name, p, uses(p, byName)
		t.Subject = ft.Subject
		if t.Subject == "" {
			t.Subject = t.Name
		}
		if other, dup := seenSubject[t.Subject]; dup {
			return nil, bad(fmt.Sprintf("subject %q is also used by %s", t.Subject, other), nil)
		}
		seenSubject[t.Subject] = "type " + t.Name
		byName[t.Name] = t
		shared = append(shared, schema.Reference{Name: t.Name, Text: p.Text()})
		m.Types = append(m.Types, t)
	}
	seenType := map[string]bool{}
	for i, fe := range f.Events {
		where := fmt.Sprintf("events[%d]", i)
		if fe.Type != "" {
			where += fmt.Sprintf(" (%s)", fe.Type)
		}
		bad := func(problem string, err error) error {
			return &Error{File: path, Problem: where + ": " + problem, Err: err}
		}
		switch {
		case fe.Type == "":
			return nil, bad(`missing "type"`, nil)
		case fe.Schema == "":
			return nil, bad(`missing "schema"`, nil)
		case fe.Topic == "":
			return nil, bad(`missing "topic"`, nil)
		case seenType[fe.Type]:
			return nil, bad("event type declared twice", nil)
		}
		seenType[fe.Type] = true
		e := &Event{Type: fe.Type, Topic: fe.Topic, KeyField: fe.Key, Registered: Registered{SchemaFile: filepath.Join(dir, fe.Schema)}}
		e.Compatibility = defCompat
		if fe.Compatibility != "" {
			c, err := contract.ParseCompatibility(fe.Compatibility)
			if err != nil {
				return nil, bad(err.Error(), err)
			}
			e.Compatibility = c
		}
		e.SubjectStrategy = defStrategy
		if fe.SubjectStrategy != "" {
			e.SubjectStrategy = contract.SubjectStrategy(fe.SubjectStrategy)
		}
		p, err := parseSchema(readFile, e.SchemaFile, shared, bad)
		if err != nil {
			return nil, err
		}
		if p.Root.Kind != schema.Record {
			return nil, &Error{File: e.SchemaFile, Problem: "the top-level schema of an event must be a record, not " + p.Root.Kind.String()}
		}
		e.Schema, e.Uses = p, uses(p, byName)
		if fe.Subject != "" {
			e.Subject = fe.Subject
		} else if e.Subject, err = e.SubjectStrategy.Subject(e.Topic, p.Root.Name); err != nil {
			return nil, bad(err.Error(), err)
		}
		if other, dup := seenSubject[e.Subject]; dup {
			return nil, bad(fmt.Sprintf("subject %q is also used by %s", e.Subject, other), nil)
		}
		seenSubject[e.Subject] = fmt.Sprintf("event %q", e.Type)
		if e.KeyField != "" {
			if err := checkKey(p.Root, e.KeyField); err != nil {
				return nil, bad(err.Error(), err)
			}
		}
		m.Events = append(m.Events, e)
	}
	return m, nil
}

// parseSchema reads and parses a schema file with the shared types.
func parseSchema(readFile func(string) ([]byte, error), file string, shared []schema.Reference, bad func(string, error) error) (*schema.Parsed, error) {
	text, err := readFile(file)
	if err != nil {
		return nil, bad(fmt.Sprintf("schema file %s: %s", file, errText(err)), err)
	}
	p, err := schema.ParseWithReferences(string(text), shared)
	if err != nil {
		return nil, &Error{File: file, Problem: err.Error(), Err: err}
	}
	return p, nil
}

// uses returns the shared types p's text names.
func uses(p *schema.Parsed, byName map[string]*Type) []*Type {
	var out []*Type
	for _, r := range p.References() {
		out = append(out, byName[r.Name])
	}
	return out
}

// ErrBadKey is matched by the error for a key field that is missing or not
// of a type that can key a message.
var ErrBadKey = errors.New("bad key field")

func checkKey(root *schema.Schema, name string) error {
	for _, f := range root.Fields {
		if f.Name != name {
			continue
		}
		switch f.Type.Kind {
		case schema.String, schema.Int, schema.Long, schema.Bytes, schema.Enum:
			return nil
		}
		return fmt.Errorf("%w: key field %q is of type %s; a key must be a string, bytes, int, long or enum", ErrBadKey, name, f.Type.Kind)
	}
	return fmt.Errorf("%w: key field %q is not a field of record %s", ErrBadKey, name, root.Name)
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
