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
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

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
	// Events in manifest order.
	Events []*Event
}

// GoOptions are the code generator's settings.
type GoOptions struct {
	// Package is the Go package name of the generated code.
	Package string `json:"package"`
	// Output is the directory it is written to, relative to the manifest.
	Output string `json:"output"`
}

// Event is one event of the manifest.
type Event struct {
	// Type is the event type, e.g. "deadline.passed".
	Type string
	// SchemaFile is the path of the .avsc file, relative to the working
	// directory (the manifest's directory joined with its "schema").
	SchemaFile string
	// Topic is the Kafka topic.
	Topic string
	// Subject is the registry subject, derived from the strategy unless the
	// manifest names it.
	Subject         string
	SubjectStrategy contract.SubjectStrategy
	// KeyField is the name of the top-level field that keys messages.
	KeyField string
	// Compatibility is the subject's compatibility level.
	Compatibility contract.Compatibility
	// Schema is the parsed schema file; its Text is the file's content.
	Schema *schema.Parsed
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
	seenType := map[string]bool{}
	seenSubject := map[string]string{}
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
		e := &Event{Type: fe.Type, Topic: fe.Topic, KeyField: fe.Key, SchemaFile: filepath.Join(dir, fe.Schema)}
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
		text, err := readFile(e.SchemaFile)
		if err != nil {
			return nil, bad(fmt.Sprintf("schema file %s: %s", e.SchemaFile, errText(err)), err)
		}
		p, err := schema.Parse(string(text))
		if err != nil {
			return nil, &Error{File: e.SchemaFile, Problem: err.Error(), Err: err}
		}
		if p.Root.Kind != schema.Record {
			return nil, &Error{File: e.SchemaFile, Problem: "the top-level schema of an event must be a record, not " + p.Root.Kind.String()}
		}
		e.Schema = p
		if fe.Subject != "" {
			e.Subject = fe.Subject
		} else if e.Subject, err = e.SubjectStrategy.Subject(e.Topic, p.Root.Name); err != nil {
			return nil, bad(err.Error(), err)
		}
		if other, dup := seenSubject[e.Subject]; dup {
			return nil, bad(fmt.Sprintf("subject %q is also used by event %q", e.Subject, other), nil)
		}
		seenSubject[e.Subject] = e.Type
		if e.KeyField != "" {
			if err := checkKey(p.Root, e.KeyField); err != nil {
				return nil, bad(err.Error(), err)
			}
		}
		m.Events = append(m.Events, e)
	}
	return m, nil
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
