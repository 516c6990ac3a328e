package registry

import (
	"context"
	"fmt"
	"strconv"
)

// Referenced is a schema a reference names, as the registry holds it.
type Referenced struct {
	// Name is the name of the reference that named it.
	Name string
	Schema
}

// MaxReferenced bounds the schemas ResolveReferences fetches for one
// schema, so that a registry answering with endless references cannot
// keep a caller fetching.
const MaxReferenced = 1000

// ResolveReferences fetches the schemas refs name (SchemaByVersion) and, in
// turn, those they reference, each subject's version once, dependencies
// first: the order in which a parser must define their named types before
// the schema that refs belong to (internal/schema's ParseWithReferences
// takes them so), as the Confluent serializers resolve them. A reference
// cycle, which a registry refuses to register, or more than MaxReferenced
// schemas, is an ErrBadResponse. Answers are the client's, cached as it
// caches them.
func ResolveReferences(ctx context.Context, c Client, refs []Reference) ([]Referenced, error) {
	r := resolver{c: c, state: map[versionKey]int{}}
	for _, ref := range refs {
		if err := r.visit(ctx, ref); err != nil {
			return nil, err
		}
	}
	return r.out, nil
}

type resolver struct {
	c     Client
	state map[versionKey]int // 1: being resolved, 2: done
	out   []Referenced
}

func (r *resolver) visit(ctx context.Context, ref Reference) error {
	key := versionKey{subject: ref.Subject, version: ref.Version}
	switch r.state[key] {
	case 1:
		return fmt.Errorf("registry: reference %q: %w: subject %q version %d references itself", ref.Name, ErrBadResponse, ref.Subject, ref.Version)
	case 2:
		return nil
	}
	if len(r.state) >= MaxReferenced {
		return fmt.Errorf("registry: reference %q: %w: more than %d referenced schemas", ref.Name, ErrBadResponse, MaxReferenced)
	}
	r.state[key] = 1
	if ref.Version <= 0 {
		return fmt.Errorf("registry: reference %q names version %s of subject %q: %w", ref.Name, strconv.Itoa(ref.Version), ref.Subject, ErrVersionNotFound)
	}
	s, err := r.c.SchemaByVersion(ctx, ref.Subject, ref.Version)
	if err != nil {
		return fmt.Errorf("registry: reference %q: %w", ref.Name, err)
	}
	for _, dep := range s.References {
		if err := r.visit(ctx, dep); err != nil {
			return err
		}
	}
	r.state[key] = 2
	r.out = append(r.out, Referenced{Name: ref.Name, Schema: s})
	return nil
}
