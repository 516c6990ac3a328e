package resolved_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lunchbot/eventkit/internal/resolved"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/registry/registrytest"
)

const (
	money = `{"type":"record","name":"Money","namespace":"r","fields":[{"name":"cents","type":"long"}]}`
	paid  = `{"type":"record","name":"Paid","namespace":"r","fields":[{"name":"amount","type":"r.Money"}]}`
)

func TestParse(t *testing.T) {
	fake := registrytest.NewServer(t)
	fake.Register("r.Money", money)
	c, err := registry.New(registry.Config{URLs: []string{fake.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ref := registry.Reference{Name: "r.Money", Subject: "r.Money", Version: 1}
	p, err := resolved.Parse(ctx, c, registry.Schema{Text: paid, References: []registry.Reference{ref}})
	if err != nil || p.Root.Fields[0].Type.Name != "r.Money" || p.Text() != paid {
		t.Fatalf("Parse = %v, %v; want Paid with the referenced Money", p, err)
	}
	// A reference the registry does not have: its error, not an invalid
	// schema.
	_, err = resolved.Parse(ctx, c, registry.Schema{Text: paid, References: []registry.Reference{{Name: "r.Money", Subject: "nope", Version: 1}}})
	if !errors.Is(err, registry.ErrSubjectNotFound) || errors.Is(err, schema.ErrInvalid) {
		t.Errorf("a missing reference: err = %v, want the registry's ErrSubjectNotFound", err)
	}
	// Without its reference the schema does not parse.
	if _, err := resolved.Parse(ctx, c, registry.Schema{Text: paid}); !errors.Is(err, schema.ErrInvalid) {
		t.Errorf("without the reference: err = %v, want schema.ErrInvalid", err)
	}
}
