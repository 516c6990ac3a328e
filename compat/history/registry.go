package history

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/lunchbot/eventkit/internal/resolved"
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
// s.Subject, oldest first (each parsed with the schemas its references
// name), and the level the registry applies to the subject. A subject the registry does not know is new: no previous
// version. When the schema in s.File is already registered under the
// subject (the registry's lookup finds it), Registered is set to its
// version (which Versions holds too): for a schema with references, looked
// up with references to the versions of its shared types that hold their
// files' schemas (References; Unregistered names those the registry does
// not hold so, and then the schema is not registered as it is). A
// registered version this project's parser refuses is listed in Skipped
// with the reason. Errors (an
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
		local, err := r.local(ctx, s, &vs)
		if err != nil {
			return fail(err)
		}
		if local != nil {
			_, v, err := r.client.LookupID(ctx, s.Subject, local.Compact(), vs.References...)
			switch {
			case err == nil:
				registeredAs = v
			case errors.Is(err, registry.ErrSchemaNotFound), errors.Is(err, registry.ErrSubjectNotFound):
			default:
				return fail(err)
			}
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
		p, err := resolved.Parse(ctx, r.client, sv)
		if err != nil {
			if !errors.Is(err, schema.ErrInvalid) {
				return fail(err)
			}
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

// local parses the schema file of s with its shared types' files, and finds
// the registry references it would be registered with (vs.References), or
// the shared types the registry lacks (vs.Unregistered: then it returns
// nil, as the schema cannot be registered as it is).
func (r *Registry) local(ctx context.Context, s Schema, vs *Versions) (*schema.Parsed, error) {
	text, err := os.ReadFile(s.File)
	if err != nil {
		return nil, err
	}
	var refs []schema.Reference
	for _, d := range Dependencies(s.References) {
		dt, err := os.ReadFile(d.File)
		if err != nil {
			return nil, err
		}
		refs = append(refs, schema.Reference{Name: d.Name, Text: string(dt)})
	}
	local, err := schema.ParseWithReferences(string(text), refs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	vs.References, err = r.versionsOf(ctx, s.References, &vs.Unregistered)
	if err != nil || len(vs.Unregistered) > 0 {
		return nil, err
	}
	return local, nil
}

// versionsOf returns the registry references to refs: the version of each
// subject that holds the shared type's file as it is (compacted, with its
// own references), adding to missing the names of those not registered so.
func (r *Registry) versionsOf(ctx context.Context, refs []Reference, missing *[]string) ([]registry.Reference, error) {
	var out []registry.Reference
	for _, ref := range refs {
		own, err := r.versionsOf(ctx, ref.References, missing)
		if err != nil {
			return nil, err
		}
		text, err := os.ReadFile(ref.File)
		if err != nil {
			return nil, err
		}
		_, v, err := r.client.LookupID(ctx, ref.Subject, compact(text), own...)
		switch {
		case errors.Is(err, registry.ErrSchemaNotFound), errors.Is(err, registry.ErrSubjectNotFound), errors.Is(err, registry.ErrInvalidSchema):
			*missing = append(*missing, ref.Name)
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, registry.Reference{Name: ref.Name, Subject: ref.Subject, Version: v})
	}
	return out, nil
}
