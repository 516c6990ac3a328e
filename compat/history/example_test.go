package history_test

import (
	"context"
	"fmt"

	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/manifest"
	"github.com/lunchbot/eventkit/schema"
)

// Check every schema of the manifest against its versions on the main
// branch, as "eventctl compat check" does.
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
