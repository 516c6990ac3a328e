package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/lunchbot/eventkit/codegen"
	"github.com/lunchbot/eventkit/codegen/manifest"
)

func init() {
	register(command{
		name:    "generate",
		summary: "generate the Go types of the event contracts (make generate)",
		run:     runGenerate,
	})
}

// runGenerate generates the Go code of a manifest's events. With -check it
// writes nothing and exits 1 naming the files that are stale.
func runGenerate(_ context.Context, env *environment, args []string) int {
	fs := flag.NewFlagSet("eventctl generate", flag.ContinueOnError)
	manifestPath := fs.String("manifest", "avro/manifest.json", "the manifest `file`")
	out := fs.String("out", "", "the output `directory` (default: the manifest's go.output, relative to the manifest)")
	check := fs.Bool("check", false, "write nothing; exit 1 and name the files that differ from what would be generated")
	help := commandHelp{
		usage: "eventctl generate [-manifest file] [-out directory] [-check]",
		about: "Generates a Go file per schema of the manifest, writing all of them or none.",
	}
	if code, ok := parseFlags(env, fs, args, 0, help); !ok {
		return code
	}
	m, err := manifest.Load(*manifestPath)
	if err != nil {
		return fail(env, "generate", err)
	}
	dir := *out
	if dir == "" {
		if m.Go.Output == "" {
			return fail(env, "generate", fmt.Errorf(`%s: no "go": {"output": ...} directory; pass -out`, *manifestPath))
		}
		dir = filepath.Join(filepath.Dir(*manifestPath), m.Go.Output)
	}
	files, err := codegen.Generate(m)
	if err != nil {
		return fail(env, "generate", err)
	}
	if *check {
		stale, err := codegen.Stale(dir, files)
		if err != nil {
			return fail(env, "generate", err)
		}
		if len(stale) == 0 {
			return exitOK
		}
		fmt.Fprintf(env.stderr, "eventctl generate: %d generated file(s) out of date; run \"make generate\":\n", len(stale))
		for _, name := range stale {
			fmt.Fprintf(env.stderr, "  %s\n", filepath.Join(dir, name))
		}
		return exitProblems
	}
	if err := codegen.WriteFiles(dir, files); err != nil {
		return fail(env, "generate", err)
	}
	return exitOK
}
