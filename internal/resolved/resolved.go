// Package resolved parses a schema as a registry holds it: with the
// schemas its references name, fetched by subject and version. It joins
// sdk/registry, which knows no parser, and internal/schema, which knows no
// registry, for the deserializer, compat's registry source and the console
// tools.
package resolved

import (
	"context"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Parse parses s with the schemas its references name and, in turn, theirs
// (registry.ResolveReferences, cached as c caches versions). Its error is
// the registry's when a referenced schema cannot be fetched, and matches
// schema.ErrInvalid when the schemas do not parse.
func Parse(ctx context.Context, c registry.Client, s registry.Schema) (*schema.Parsed, error) {
	var refs []schema.Reference
	if len(s.References) > 0 {
		resolved, err := registry.ResolveReferences(ctx, c, s.References)
		if err != nil {
			return nil, err
		}
		refs = make([]schema.Reference, len(resolved))
		for i, r := range resolved {
			refs[i] = schema.Reference{Name: r.Name, Text: r.Text}
		}
	}
	return schema.ParseWithReferences(s.Text, refs)
}
