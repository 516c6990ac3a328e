// Package policy applies the project's compatibility policy to the schemas
// of a repository: for each schema and each source of its previous versions
// (compat/history's git history or schema registry), it picks the level to
// check at (the registry's level for the subject, else the manifest's, or
// an override), the versions to check against (none for a schema already
// registered, whatever the level), runs compat.Check, and, when asked, sets
// the registry's own verdict beside it; a schema is incompatible when either
// says so. CheckFiles does the same for explicit files.
//
// The result is a Report, which says what was checked, against what, and
// every problem found. Its JSON encoding is the json format of
// "eventctl compat check".
package policy

import (
	"fmt"
	"slices"

	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// Report is what a check found: one SchemaReport per schema and source.
type Report struct {
	// Compatible is true when every schema is compatible with every source.
	Compatible bool            `json:"compatible"`
	Schemas    []*SchemaReport `json:"schemas"`
}

// SchemaReport is the check of one schema against one source.
type SchemaReport struct {
	File       string `json:"file"`
	EventType  string `json:"event_type,omitempty"`
	SharedType string `json:"shared_type,omitempty"`
	Subject    string `json:"subject,omitempty"`
	// References are the files of the shared types the schema was resolved
	// with, dependencies first.
	References []string               `json:"references,omitempty"`
	Level      contract.Compatibility `json:"level"`
	// Source says where the previous versions came from, for people.
	Source string `json:"source"`
	// Note says, for people, what was not checked and why, and where the
	// level came from when the source's and the manifest's differ.
	Note       string       `json:"note,omitempty"`
	Compatible bool         `json:"compatible"`
	Previous   []VersionRef `json:"previous"`
	// Registered is the version the schema already is, when the source
	// holds it: then nothing is checked.
	Registered *VersionRef  `json:"registered,omitempty"`
	Skipped    []SkippedRef `json:"skipped,omitempty"`
	Problems   []Problem    `json:"problems"`
	// RegistryVerdict is the registry's own answer, when it was asked;
	// Disagreement says how it differs from compat.Check's, empty when they
	// agree.
	RegistryVerdict *RegistryVerdict `json:"registry_verdict,omitempty"`
	Disagreement    string           `json:"disagreement,omitempty"`
}

// RegistryVerdict is the registry's answer to "may this schema be
// registered under the subject now?" (registry.Client.CheckCompatibilityAll).
type RegistryVerdict struct {
	Compatible bool     `json:"compatible"`
	Messages   []string `json:"messages,omitempty"`
}

// VersionRef names a previous version: its number and, for git, the commit
// (Ref); for a registry, "id N" and the schema id; for explicit files, the
// file.
type VersionRef struct {
	Version int    `json:"version"`
	Ref     string `json:"ref,omitempty"`
	ID      int    `json:"id,omitempty"`
	File    string `json:"file,omitempty"`
}

// Label names a version for people: "version 2 at abc1234", "registered
// version 2 (id 7)" or a file.
func (v VersionRef) Label() string {
	if v.File != "" && v.Ref == "" {
		return v.File
	}
	if v.ID > 0 {
		return fmt.Sprintf("registered version %d (id %d)", v.Version, v.ID)
	}
	s := fmt.Sprintf("version %d", v.Version)
	if v.Ref != "" {
		s += " at " + v.Ref
	}
	return s
}

// Refs returns the references of versions, in the same order.
func Refs(versions []history.Version) []VersionRef {
	refs := make([]VersionRef, len(versions))
	for i, v := range versions {
		refs[i] = VersionRef{Version: v.Number, Ref: v.Ref, ID: v.ID}
	}
	return refs
}

// SkippedRef is a previous version a source left out, with why.
type SkippedRef struct {
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

// Problem is one incompatibility of a schema file with a previous version.
type Problem struct {
	File        string                   `json:"file"`
	Location    string                   `json:"location"`
	Kind        compat.Kind              `json:"kind"`
	Message     string                   `json:"message"`
	AvroMessage string                   `json:"avro_message"`
	Level       contract.Compatibility   `json:"level"`
	Direction   compat.Direction         `json:"direction"`
	Against     VersionRef               `json:"against"`
	Causes      []compat.Incompatibility `json:"causes,omitempty"`
	// SharedType and SharedFile name the shared type the problem is in and
	// its schema file, when it is in one: File's schema has the problem
	// through the type it uses.
	SharedType string `json:"shared_type,omitempty"`
	SharedFile string `json:"shared_file,omitempty"`
}

// In returns " (in shared type T of FILE)" for a problem in a shared
// type, else "".
func (p Problem) In() string {
	if p.SharedType == "" {
		return ""
	}
	return fmt.Sprintf(" (in shared type %s of %s)", p.SharedType, p.SharedFile)
}

// Problems returns the problems of res, the result of checking file at
// level against previous (the versions given to compat.Check, in order).
func Problems(file string, level contract.Compatibility, previous []VersionRef, res compat.Result) []Problem {
	var out []Problem
	for _, p := range res.Problems {
		out = append(out, Problem{
			File: file, Location: p.Location, Kind: p.Kind, Message: p.Message, AvroMessage: p.AvroMessage,
			Level: level, Direction: p.Direction, Against: previous[p.Version], Causes: p.Causes,
		})
	}
	return out
}

// SharedFiles maps the full name of each shared type of refs (and of those
// they use) to its schema file.
func SharedFiles(refs []history.Reference) map[string]string {
	out := map[string]string{}
	for _, d := range history.Dependencies(refs) {
		out[d.Name] = d.File
	}
	return out
}

// MarkShared sets SharedType and SharedFile of each problem (problems[i] is
// res.Problems[i]) that is in a shared type of shared (full name to file),
// found at its location in the schema that read: next for new-reads-old,
// the previous version it was compared with for old-reads-new.
func MarkShared(problems []Problem, res compat.Result, previous []*schema.Parsed, next *schema.Parsed, shared map[string]string) {
	for i, p := range res.Problems {
		reader := next
		if p.Direction == compat.OldReadsNew {
			reader = previous[p.Version]
		}
		if n := compat.NamedTypeAt(reader.Root, p.Location); n != nil {
			if file, ok := shared[n.Name]; ok {
				problems[i].SharedType, problems[i].SharedFile = n.Name, file
			}
		}
	}
}

// Files counts the distinct schema files of the report, and those that are
// incompatible with at least one source: a file checked against git and a
// registry counts once.
func (r *Report) Files() (checked, incompatible int) {
	var files, bad []string
	for _, s := range r.Schemas {
		if !slices.Contains(files, s.File) {
			files = append(files, s.File)
		}
		if !s.Compatible && !slices.Contains(bad, s.File) {
			bad = append(bad, s.File)
		}
	}
	return len(files), len(bad)
}

// Sources returns the sources of the report, each once, in order.
func (r *Report) Sources() []string {
	var out []string
	for _, s := range r.Schemas {
		if !slices.Contains(out, s.Source) {
			out = append(out, s.Source)
		}
	}
	return out
}

func newSchemaReport(file string, level contract.Compatibility, source string) *SchemaReport {
	return &SchemaReport{File: file, Level: level, Source: source, Compatible: true,
		Previous: []VersionRef{}, Problems: []Problem{}}
}

// check runs compat.Check on the schema against previous and fills in the
// report.
func (s *SchemaReport) check(previous []VersionRef, schemas []*schema.Parsed, next *schema.Parsed, shared map[string]string) error {
	s.Previous = previous
	res, err := compat.Check(s.Level, schemas, next)
	if err != nil {
		return err
	}
	s.Compatible = res.Compatible
	problems := Problems(s.File, s.Level, previous, res)
	MarkShared(problems, res, schemas, next, shared)
	s.Problems = append(s.Problems, problems...)
	return nil
}
