package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/lunchbot/eventkit/compat/policy"
)

// writeCompatText writes a line per problem and per disagreement with the
// registry: FILE:LOCATION: KIND: MESSAGE (LEVEL, against VERSION).
func writeCompatText(w io.Writer, rep *policy.Report) {
	for _, s := range rep.Schemas {
		for _, p := range s.Problems {
			fmt.Fprintf(w, "%s:%s: %s: %s (%s, against %s)%s\n", p.File, p.Location, p.Kind, p.Message, p.Level, p.Against.Label(), p.In())
		}
		if s.Disagreement != "" {
			fmt.Fprintf(w, "%s: REGISTRY_DISAGREES: %s (%s, %s)\n", s.File, s.Disagreement, s.Level, s.Source)
		}
	}
}

// writeCompatNotes writes what was checked, and what was not, for people,
// and a summary that counts schema files: one checked against git and a
// registry counts once.
func writeCompatNotes(w io.Writer, rep *policy.Report) {
	for _, s := range rep.Schemas {
		if s.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", s.File, s.Note)
		}
		if len(s.References) > 0 {
			fmt.Fprintf(w, "%s: checked with the shared types of %s (%s)\n", s.File, strings.Join(s.References, ", "), s.Source)
		}
		for _, sk := range s.Skipped {
			fmt.Fprintf(w, "%s: skipped the version at %s: %s\n", s.File, sk.Ref, sk.Reason)
		}
	}
	source := ""
	if sources := rep.Sources(); len(sources) > 0 {
		source = " against " + strings.Join(sources, " and ")
	}
	checked, bad := rep.Files()
	fmt.Fprintf(w, "eventctl compat: %d %s checked%s: %d incompatible\n", checked, compatPlural(checked, "schema", "schemas"), source, bad)
}

// writeCompatJSON writes the report as indented JSON.
func writeCompatJSON(w io.Writer, rep *policy.Report) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
}

// writeCompatGitHub writes GitHub Actions workflow commands: an error per
// problem, a notice per note, a warning per skipped version.
func writeCompatGitHub(w io.Writer, rep *policy.Report) {
	for _, s := range rep.Schemas {
		if s.Note != "" {
			fmt.Fprintf(w, "::notice file=%s::%s\n", compatGhProperty(s.File), compatGhData(s.Note))
		}
		for _, sk := range s.Skipped {
			fmt.Fprintf(w, "::warning file=%s::%s\n", compatGhProperty(s.File), compatGhData("skipped the version at "+sk.Ref+": "+sk.Reason))
		}
		for _, p := range s.Problems {
			title := fmt.Sprintf("%s at %s (%s, against %s)%s", p.Kind, p.Location, p.Level, p.Against.Label(), p.In())
			fmt.Fprintf(w, "::error file=%s,title=%s::%s\n", compatGhProperty(p.File), compatGhProperty(title), compatGhData(p.Message))
			if p.SharedFile != "" {
				// The change is in the shared type's file: annotate it too.
				title := fmt.Sprintf("%s in %s, which uses %s (%s, against %s)", p.Kind, p.File, p.SharedType, p.Level, p.Against.Label())
				fmt.Fprintf(w, "::error file=%s,title=%s::%s\n", compatGhProperty(p.SharedFile), compatGhProperty(title), compatGhData(p.Message))
			}
		}
		if s.Disagreement != "" {
			fmt.Fprintf(w, "::error file=%s,title=%s::%s\n", compatGhProperty(s.File), compatGhProperty("the registry disagrees ("+s.Source+")"), compatGhData(s.Disagreement))
		}
	}
}

// compatGhData escapes the message of a workflow command.
func compatGhData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// compatGhProperty escapes a property value of a workflow command.
func compatGhProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// compatPlural picks one or many by n.
func compatPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
