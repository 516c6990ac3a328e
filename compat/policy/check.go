package policy

import (
	"context"
	"fmt"
	"strings"

	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Schema is a schema to check, as the manifest declares it: an event's, or
// a shared type's (SharedType set).
type Schema struct {
	// File is the schema file's path, as reports name it; a registry
	// source reads it to find whether the schema is already registered.
	File       string
	EventType  string
	SharedType string
	Subject    string
	// References are the shared types the schema uses; Parsed is resolved
	// with them.
	References []history.Reference
	// Level is the manifest's compatibility level for the schema.
	Level  contract.Compatibility
	Parsed *schema.Parsed
}

// Source is a place previous versions come from.
type Source struct {
	// Versions gives the previous versions (history.Git, history.Registry).
	Versions history.Source
	// Verdict, when set, is the registry whose own verdict is asked for each
	// schema it does not hold yet (a registry.Client is one).
	Verdict Verdicter
}

// Verdicter asks a schema registry whether it would register a schema under
// a subject now, and if not, why.
type Verdicter interface {
	CheckCompatibilityAll(ctx context.Context, subject, schema string, refs ...registry.Reference) (bool, []string, error)
}

// Check checks every schema against every source, source by source, and
// reports them in that order. The level of a schema is the source's for its
// subject when it has one (a registry), else the manifest's; override, when
// not empty, replaces both. The registry's verdict is not asked when
// override differs from the registry's level: the registry would answer for
// another level.
//
// Its errors are those of the sources (history.ErrSource), of an unknown
// level, and of a registry asked for its verdict.
func Check(ctx context.Context, schemas []Schema, sources []Source, override contract.Compatibility) (*Report, error) {
	rep := &Report{Compatible: true}
	for _, src := range sources {
		for _, sc := range schemas {
			s, err := checkSchema(ctx, src, sc, override)
			if err != nil {
				return nil, err
			}
			rep.Schemas = append(rep.Schemas, s)
			rep.Compatible = rep.Compatible && s.Compatible
		}
	}
	return rep, nil
}

// checkSchema checks one schema against one source.
func checkSchema(ctx context.Context, src Source, sc Schema, override contract.Compatibility) (*SchemaReport, error) {
	vs, err := src.Versions.Previous(ctx, history.Schema{File: sc.File, Subject: sc.Subject, References: sc.References})
	if err != nil {
		return nil, err
	}
	var notes []string
	level := sc.Level
	if vs.Level != "" {
		level = vs.Level
		if vs.Level != sc.Level {
			notes = append(notes, fmt.Sprintf("the registry applies %s to subject %s, the manifest says %s (eventctl register sets the manifest's level)", vs.Level, sc.Subject, sc.Level))
		}
	}
	if override != "" {
		level = override
	}
	s := newSchemaReport(sc.File, level, vs.Where)
	s.EventType, s.SharedType, s.Subject = sc.EventType, sc.SharedType, sc.Subject
	shared := SharedFiles(sc.References)
	for _, d := range history.Dependencies(sc.References) {
		s.References = append(s.References, d.File)
	}
	for _, sk := range vs.Skipped {
		s.Skipped = append(s.Skipped, SkippedRef(sk))
	}
	previous := Refs(vs.Versions)
	schemas := make([]*schema.Parsed, len(vs.Versions))
	for i, v := range vs.Versions {
		schemas[i] = v.Schema
	}
	switch r := vs.Registered; {
	case r != nil:
		// The registry accepts a schema it holds whatever the level, so
		// there is nothing to check.
		s.Registered = &VersionRef{Version: r.Number, Ref: r.Ref, ID: r.ID}
		notes = append(notes, fmt.Sprintf("already registered as version %d (%s): registering it again changes nothing, so there is nothing to check", r.Number, r.Ref))
		previous, schemas = previous[:0], schemas[:0]
	case len(vs.Versions) == 0:
		notes = append(notes, "new schema (no previous version): nothing to check")
	case level == contract.None:
		notes = append(notes, "level NONE: nothing to check")
	}
	if err := s.check(previous, schemas, sc.Parsed, shared); err != nil {
		return nil, err
	}
	if src.Verdict != nil {
		switch {
		case vs.Registered != nil:
			// Registering it again changes nothing: no verdict to ask.
		case override != "" && override != vs.Level:
			notes = append(notes, fmt.Sprintf("registry verdict not asked: --level %s differs from the registry's level %s", override, vs.Level))
		case len(vs.Unregistered) > 0:
			notes = append(notes, fmt.Sprintf("registry verdict not asked: the registry does not hold %s as the schema files have them yet, and judges a schema with references to registered versions only (eventctl register registers the shared types first)", strings.Join(vs.Unregistered, ", ")))
		default:
			if err := s.askVerdict(ctx, src.Verdict, sc, vs.References); err != nil {
				return nil, err
			}
		}
	}
	s.Note = strings.Join(notes, "; ")
	return s, nil
}

// askVerdict sets the registry's verdict on sc beside compat.Check's, and
// the disagreement when they differ. The schema is incompatible when either
// says so; compat.Check's problems stand when only it finds them.
func (s *SchemaReport) askVerdict(ctx context.Context, v Verdicter, sc Schema, refs []registry.Reference) error {
	ok, reasons, err := v.CheckCompatibilityAll(ctx, sc.Subject, sc.Parsed.Compact(), refs...)
	if err != nil {
		return fmt.Errorf("%w: asking the registry's verdict on subject %q: %w", history.ErrSource, sc.Subject, err)
	}
	s.RegistryVerdict = &RegistryVerdict{Compatible: ok, Messages: reasons}
	switch {
	case ok && !s.Compatible:
		s.Disagreement = "the registry finds the schema compatible; eventctl does not (its problems stand: please report the case)"
	case !ok && s.Compatible:
		s.Disagreement = "the registry finds the schema incompatible; eventctl does not (the registry would refuse it): " + strings.Join(reasons, "; ")
		s.Compatible = false
	}
	return nil
}
