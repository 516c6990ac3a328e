package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func init() {
	register(command{
		name:    "compat",
		summary: "check schema compatibility as the Confluent Schema Registry would",
		run:     runCompat,
	})
}

var compatHelp = commandHelp{
	usage: `eventctl compat check [--level LEVEL] [--ref SHARED.avsc ...] --old V1.avsc [--old V2.avsc ...] --new NEW.avsc
eventctl compat check [--manifest avro/manifest.json] [--against REF] [--level LEVEL]
                      [--registry URL | --registry-from-env] [--registry-verdict] [--git=false]`,
	about: compatAbout,
}

const compatAbout = `
Checks schemas with the rules the Confluent Schema Registry applies (Apache
Avro's schema resolution) and reports every incompatibility, one per line.

With --new, checks NEW.avsc against the --old files (oldest first) at LEVEL
(default BACKWARD, the registry's default). Named types that the schemas
use but do not define (schema references) come from the --ref files,
dependencies first, as the registry reads a schema with its references.

Without --new, checks every schema of the manifest at its manifest level
against its previous versions in git: those on the main branch, i.e. the
file's history up to REF (default: the merge base of HEAD with main, or with
origin/main). Plain levels compare with the version at REF; *_TRANSITIVE
levels with every version in the file's history up to REF (renames followed,
identical consecutive versions once). A schema not at REF is new: nothing to
check. --level overrides the manifest's levels.

With --registry URL (or --registry-from-env, which reads the URL from
SCHEMA_REGISTRY_URL), also checks every schema of the manifest against the
versions registered under its subject, at the level the registry applies to
that subject (its own, else the registry's global level; --level overrides
it). A subject the registry does not know is new: nothing to check. A schema
already registered under its subject is checked against the versions before
it (registering it again changes nothing). Credentials and TLS come from the
SCHEMA_REGISTRY_USERNAME/PASSWORD, _TOKEN, _CA_FILE, _CERT_FILE and _KEY_FILE
variables. With --registry-verdict, the registry's own check is asked too
(POST /compatibility/subjects/{subject}/versions?verbose=true) and a
disagreement with eventctl's is reported; the schema is then incompatible
when either says so. --git=false skips the git history (registry only).

Levels: BACKWARD (the new schema reads data written with the latest previous
one), FORWARD (the latest previous reads the new), FULL (both), their
*_TRANSITIVE forms (against every previous version), NONE.

Formats (--format):
  text    FILE:LOCATION: KIND: MESSAGE (LEVEL, against VERSION), one line per
          problem on stdout; notes and a summary on stderr.
  github  GitHub Actions workflow commands (::error file=...,title=...::...).
  json    one object: {"compatible": bool, "schemas": [{"file", "event_type",
          "subject", "level", "source", "note", "compatible",
          "previous": [{"version", "ref", "id", "file"}],
          "registered": {"version", "ref", "id"},
          "registry_verdict": {"compatible", "messages"},
          "disagreement",
          "skipped": [{"ref", "reason"}],
          "problems": [{"file", "location", "kind", "message", "avro_message",
                        "level", "direction", "against": {"version", "ref", "file"},
                        "causes": [...]}]}]}
          where direction is "new-reads-old" or "old-reads-new" and kind is an
          Apache Avro incompatibility type (TYPE_MISMATCH, ...).

Exit status: 0 compatible, 1 incompatible, 2 bad input (unparseable schema,
unknown level, missing file, not a git repository or unknown reference) or a
registry that cannot be read (unreachable, refused credentials).`

// compatFileList is a repeatable string flag.
type compatFileList []string

func (s *compatFileList) String() string     { return strings.Join(*s, ",") }
func (s *compatFileList) Set(v string) error { *s = append(*s, v); return nil }

func runCompat(ctx context.Context, env *environment, args []string) int {
	switch {
	case len(args) > 0 && args[0] == "check":
		return runCompatCheck(ctx, env, args[1:])
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help"):
		compatHelp.printHelp(env.stdout, newCompatFlags(&compatOptions{}))
		return exitOK
	case len(args) > 0:
		return unknownSubcommand(env, "compat", args[0], []string{"check"}, compatHelp)
	}
	return unknownSubcommand(env, "compat", "", nil, compatHelp)
}

// compatOptions are the flags of "compat check".
type compatOptions struct {
	level           string
	olds            compatFileList
	refs            compatFileList
	newFile         string
	manifest        string
	against         string
	format          string
	git             bool
	registry        string
	registryFromEnv bool
	registryVerdict bool
}

// newCompatFlags defines the flags of "compat check" into o.
func newCompatFlags(o *compatOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("eventctl compat check", flag.ContinueOnError)
	fs.StringVar(&o.level, "level", "", "compatibility `LEVEL` (explicit files: default BACKWARD; repository: overrides the manifest)")
	fs.Var(&o.olds, "old", "a previous version's `FILE`, oldest first; repeat for each version")
	fs.Var(&o.refs, "ref", "with --new: a `FILE` defining named types the schemas reference, dependencies first; repeat for each")
	fs.StringVar(&o.newFile, "new", "", "the new schema `FILE`; without it, the manifest's schemas are checked against git")
	fs.StringVar(&o.manifest, "manifest", "avro/manifest.json", "the manifest `FILE` (repository mode)")
	fs.StringVar(&o.against, "against", "", "git `REF` whose history counts as registered (default: merge base of HEAD with main, or origin/main)")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text, json or github")
	fs.BoolVar(&o.git, "git", true, "check against the git history (repository mode); --git=false with a registry checks against the registry only")
	fs.StringVar(&o.registry, "registry", "", "also check against the versions registered in the schema registry at `URL`")
	fs.BoolVar(&o.registryFromEnv, "registry-from-env", false, "like --registry, with the URL from "+registry.EnvURL)
	fs.BoolVar(&o.registryVerdict, "registry-verdict", false, "with a registry: also ask its own verdict and report a disagreement")
	return fs
}

func runCompatCheck(ctx context.Context, env *environment, args []string) int {
	var o compatOptions
	fs := newCompatFlags(&o)
	if code, ok := parseFlags(env, fs, args, -1, compatHelp); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return fail(env, "compat check", fmt.Errorf("unexpected argument %q (schema files go in --old and --new)", fs.Arg(0)))
	}
	var write func(io.Writer, *policy.Report)
	switch o.format {
	case "text":
		write = writeCompatText
	case "json":
		write = writeCompatJSON
	case "github":
		write = writeCompatGitHub
	default:
		return fail(env, "compat check", fmt.Errorf("unknown format %q (want text, json or github)", o.format))
	}
	var level contract.Compatibility
	if o.level != "" {
		l, err := contract.ParseCompatibility(strings.ToUpper(o.level))
		if err != nil {
			return fail(env, "compat check", err)
		}
		level = l
	}

	var rep *policy.Report
	var err error
	switch {
	case o.newFile != "":
		if o.registry != "" || o.registryFromEnv {
			return fail(env, "compat check", errors.New("--registry is for repository mode (the manifest's subjects); with --new, name the previous versions with --old"))
		}
		if o.against != "" {
			return fail(env, "compat check", errors.New("--against is for repository mode; with --new, name the previous versions with --old"))
		}
		if level == "" {
			level = contract.Backward
		}
		rep, err = compatCheckFiles(level, o.refs, o.olds, o.newFile)
	case len(o.olds) > 0:
		return fail(env, "compat check", errors.New("--old needs --new"))
	case len(o.refs) > 0:
		return fail(env, "compat check", errors.New("--ref is for explicit files (--new); repository mode takes shared types from the manifest"))
	default:
		rep, err = compatCheckRepository(ctx, env, o, level)
	}
	if err != nil {
		return fail(env, "compat check", err)
	}
	write(env.stdout, rep)
	if o.format == "text" {
		writeCompatNotes(env.stderr, rep)
	}
	if !rep.Compatible {
		return exitProblems
	}
	return exitOK
}

// compatReadSchemaFile reads and parses one schema file, whose named types
// may be those of refs.
func compatReadSchemaFile(path string, refs []schema.Reference) (policy.File, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return policy.File{}, err
	}
	p, err := schema.ParseWithReferences(string(text), refs)
	if err != nil {
		return policy.File{}, fmt.Errorf("%s: %w", path, err)
	}
	return policy.File{Path: path, Schema: p}, nil
}

// compatCheckFiles is the explicit-files mode.
func compatCheckFiles(level contract.Compatibility, refFiles, olds []string, newFile string) (*policy.Report, error) {
	var refs []schema.Reference
	for _, f := range refFiles {
		text, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		refs = append(refs, schema.Reference{Name: f, Text: string(text)})
	}
	next, err := compatReadSchemaFile(newFile, refs)
	if err != nil {
		return nil, err
	}
	var previous []policy.File
	for _, f := range olds {
		p, err := compatReadSchemaFile(f, refs)
		if err != nil {
			return nil, err
		}
		previous = append(previous, p)
	}
	return policy.CheckFiles(level, previous, next)
}

// compatSources opens the sources the options name: the git history
// (unless --git=false) and a schema registry (--registry or
// --registry-from-env).
func compatSources(ctx context.Context, env *environment, o compatOptions) ([]policy.Source, error) {
	var out []policy.Source
	if o.registry != "" && o.registryFromEnv {
		return nil, errors.New("--registry and --registry-from-env both name the registry; give one")
	}
	if o.registryVerdict && o.registry == "" && !o.registryFromEnv {
		return nil, errors.New("--registry-verdict needs a registry (--registry URL or --registry-from-env)")
	}
	if o.git {
		g, err := history.OpenGit(ctx, filepath.Dir(o.manifest), o.against)
		if err != nil {
			return nil, err
		}
		out = append(out, policy.Source{Versions: g})
	} else if o.against != "" {
		return nil, errors.New("--against names a git reference; it cannot go with --git=false")
	}
	if o.registry != "" || o.registryFromEnv {
		url := o.registry
		if o.registryFromEnv {
			if url = env.getenv(registry.EnvURL); url == "" {
				return nil, fmt.Errorf("--registry-from-env: %s is not set", registry.EnvURL)
			}
		}
		cfg := registryConfig(env, url)
		client, err := registry.New(cfg)
		if err != nil {
			return nil, err
		}
		s := policy.Source{Versions: history.NewRegistry(client, registryLabel(cfg))}
		if o.registryVerdict {
			s.Verdict = client
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("--git=false leaves nothing to check against; name a registry with --registry URL or --registry-from-env")
	}
	return out, nil
}

// compatCheckRepository is the repository mode: the manifest's schemas
// against the sources the options name.
func compatCheckRepository(ctx context.Context, env *environment, o compatOptions, override contract.Compatibility) (*policy.Report, error) {
	m, err := manifest.Load(o.manifest)
	if err != nil {
		return nil, err
	}
	sources, err := compatSources(ctx, env, o)
	if err != nil {
		return nil, err
	}
	rep, err := policy.Check(ctx, compatSchemas(m), sources, override)
	if errors.Is(err, registry.ErrUnreachable) {
		err = fmt.Errorf("%w (is the registry running, and is the URL right?)", err)
	}
	return rep, err
}

// compatSchemas returns the manifest's schemas to check: the shared types,
// each against its own subject's versions, then the events, each resolved
// with the shared types it uses (so that a change to a shared type is also
// checked in every event that uses it, at the event's level).
func compatSchemas(m *manifest.Manifest) []policy.Schema {
	var out []policy.Schema
	for _, t := range m.Types {
		out = append(out, policy.Schema{File: t.SchemaFile, SharedType: t.Name, Subject: t.Subject, Level: t.Compatibility,
			Parsed: t.Schema, References: historyRefs(t.Uses)})
	}
	for _, e := range m.Events {
		out = append(out, policy.Schema{File: e.SchemaFile, EventType: e.Type, Subject: e.Subject, Level: e.Compatibility,
			Parsed: e.Schema, References: historyRefs(e.Uses)})
	}
	return out
}

// historyRefs returns the shared types a schema uses, as compat/history
// takes them.
func historyRefs(uses []*manifest.Type) []history.Reference {
	var out []history.Reference
	for _, t := range uses {
		out = append(out, history.Reference{Name: t.Name, File: t.SchemaFile, Subject: t.Subject, References: historyRefs(t.Uses)})
	}
	return out
}
