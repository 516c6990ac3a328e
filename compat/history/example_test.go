package history_test

import (
	"context"
	"fmt"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// Check every schema of the manifest against its versions on the main
// branch, as "eventctl compat check" does. (Not run: what it prints depends
// on the repository's history; git_test.go checks it on made-up histories.)
func ExampleOpenGit() {
	ctx := context.Background()
	m, err := manifest.Load("avro/manifest.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	var src history.Source
	src, err = history.OpenGit(ctx, "", "") // merge base of HEAD with main
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range m.Events {
		vs, err := src.Previous(ctx, history.Schema{File: e.SchemaFile, Subject: e.Subject})
		if err != nil {
			fmt.Println(err)
			return
		}
		previous := make([]*schema.Parsed, len(vs.Versions))
		for i, v := range vs.Versions {
			previous[i] = v.Schema
		}
		res, err := compat.Check(e.Compatibility, previous, e.Schema)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d previous versions, compatible under %s: %v\n", e.SchemaFile, len(previous), e.Compatibility, res.Compatible)
	}
}

// Check every schema of the manifest against the versions registered under
// its subject, at the level the registry applies to the subject. (Not run:
// it needs a registry; registry_test.go runs it against the real one.)
func ExampleNewRegistry() {
	ctx := context.Background()
	m, err := manifest.Load("avro/manifest.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := registry.ConfigFromEnv() // SCHEMA_REGISTRY_URL and credentials
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := registry.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	var src history.Source = history.NewRegistry(client, "the registry")
	for _, e := range m.Events {
		vs, err := src.Previous(ctx, history.Schema{File: e.SchemaFile, Subject: e.Subject})
		if err != nil {
			fmt.Println(err) // unreachable, refused credentials: matches history.ErrSource
			return
		}
		if vs.Registered != nil {
			fmt.Printf("%s: already registered as version %d\n", e.Subject, vs.Registered.Number)
			continue
		}
		previous := make([]*schema.Parsed, len(vs.Versions))
		for i, v := range vs.Versions {
			previous[i] = v.Schema
		}
		res, err := compat.Check(vs.Level, previous, e.Schema)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d registered versions, compatible under %s: %v\n", e.Subject, len(previous), vs.Level, res.Compatible)
	}
}
