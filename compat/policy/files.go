package policy

import (
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// File is a schema file and its parsed schema.
type File struct {
	Path   string
	Schema *schema.Parsed
}

// CheckFiles checks next against previous (oldest first) at level: the
// explicit files of "eventctl compat check --old ... --new ...", whose
// words the report's source and note use. The versions are numbered from 1
// and named by their files.
func CheckFiles(level contract.Compatibility, previous []File, next File) (*Report, error) {
	var refs []VersionRef
	var schemas []*schema.Parsed
	for i, f := range previous {
		refs = append(refs, VersionRef{Version: i + 1, File: f.Path})
		schemas = append(schemas, f.Schema)
	}
	s := newSchemaReport(next.Path, level, "files given with --old")
	if len(previous) == 0 {
		s.Note = "no --old version given: nothing to check"
	}
	if err := s.check(refs, schemas, next.Schema, nil); err != nil {
		return nil, err
	}
	return &Report{Compatible: s.Compatible, Schemas: []*SchemaReport{s}}, nil
}
