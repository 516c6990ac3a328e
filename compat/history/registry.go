package history

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Registry reads previous versions from a schema registry: every version
// registered under the schema's subject, and the compatibility level the
// registry applies to it (the subject's own, else the registry's global
// level).
//
// The idea is that what the registry holds is what producers and consumers
// use; the schema file is the version about to be registered.
type Registry struct {
	client registry.Client
	label  string
}

// NewRegistry returns a Source over client; label names the registry for
// people (its URL, without credentials).
func NewRegistry(client registry.Client, label string) *Registry {
	return &Registry{client: client, label: label}
}

// Previous implements Source. It returns the versions registered under
// s.Subject, oldest first, and the level the registry applies to the
// subject. A subject the registry does not know is new: no previous
// version. When the schema in s.File is already registered under the
// subject (the registry's lookup finds it), Registered is set to its
// version (which Versions holds too). A registered version this project's
// parser refuses is listed in Skipped with the reason. Errors (an
// unreachable registry, refused credentials) match ErrSource.
func (r *Registry) Previous(ctx context.Context, s Schema) (Versions, error) {
	vs := Versions{Where: "registry " + r.label}
	fail := func(err error) (Versions, error) {
		return vs, fmt.Errorf("%w: registry %s, subject %q: %w", ErrSource, r.label, s.Subject, err)
	}
	level, err := r.client.Compatibility(ctx, s.Subject)
	if err != nil {
		return fail(err)
	}
	vs.Level = level
	numbers, err := r.client.Versions(ctx, s.Subject)
	if errors.Is(err, registry.ErrSubjectNotFound) {
		return vs, nil
	}
	if err != nil {
		return fail(err)
	}
	registeredAs := 0
	if s.File != "" {
		text, err := os.ReadFile(s.File)
		if err != nil {
			return fail(err)
		}
		local, err := schema.Parse(string(text))
		if err != nil {
			return fail(fmt.Errorf("%s: %w", s.File, err))
		}
		_, v, err := r.client.LookupID(ctx, s.Subject, local.Compact())
		switch {
		case err == nil:
			registeredAs = v
		case errors.Is(err, registry.ErrSchemaNotFound), errors.Is(err, registry.ErrSubjectNotFound):
		default:
			return fail(err)
		}
	}
	for _, n := range numbers {
		sv, err := r.client.SchemaByVersion(ctx, s.Subject, n)
		if errors.Is(err, registry.ErrVersionNotFound) {
			continue // deleted since the list was read
		}
		if err != nil {
			return fail(err)
		}
		ref := fmt.Sprintf("id %d", sv.ID)
		p, err := schema.Parse(sv.Text)
		if err != nil {
			vs.Skipped = append(vs.Skipped, Skipped{Ref: fmt.Sprintf("version %d (%s)", n, ref),
				Reason: fmt.Sprintf("the registered schema does not parse here, so it cannot be compared (the registry still checks new versions against it): %v", err)})
			continue
		}
		vs.Versions = append(vs.Versions, Version{Number: n, Ref: ref, ID: sv.ID, Schema: p})
		if n == registeredAs {
			v := vs.Versions[len(vs.Versions)-1]
			vs.Registered = &v
		}
	}
	return vs, nil
}
