package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/compat/history"
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

const compatUsage = `usage:
  eventctl compat check [--level LEVEL] --old V1.avsc [--old V2.avsc ...] --new NEW.avsc
  eventctl compat check [--manifest avro/manifest.json] [--against REF] [--level LEVEL]
                        [--registry URL | --registry-from-env] [--registry-verdict] [--git=false]

Checks schemas with the rules the Confluent Schema Registry applies (Apache
Avro's schema resolution) and reports every incompatibility, one per line.

With --new, checks NEW.avsc against the --old files (oldest first) at LEVEL
(default BACKWARD, the registry's default).

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
registry that cannot be read (unreachable, refused credentials).

Flags:
`

// compatFileList is a repeatable string flag.
type compatFileList []string

func (s *compatFileList) String() string     { return strings.Join(*s, ",") }
func (s *compatFileList) Set(v string) error { *s = append(*s, v); return nil }

func runCompat(ctx context.Context, env *environment, args []string) int {
	if len(args) > 0 && args[0] == "check" {
		return runCompatCheck(ctx, env, args[1:])
	}
	w := env.stderr
	code := exitBadInput
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		w, code = env.stdout, exitOK
	} else if len(args) > 0 {
		fmt.Fprintf(env.stderr, "eventctl compat: unknown subcommand %q\n", args[0])
	}
	fmt.Fprint(w, compatUsage)
	return code
}

// compatOptions are the flags of "compat check".
type compatOptions struct {
	level           string
	olds            compatFileList
	newFile         string
	manifest        string
	against         string
	format          string
	git             bool
	registry        string
	registryFromEnv bool
	registryVerdict bool
}

func runCompatCheck(ctx context.Context, env *environment, args []string) int {
	var o compatOptions
	fs := flag.NewFlagSet("eventctl compat check", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), compatUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.level, "level", "", "compatibility `LEVEL` (explicit files: default BACKWARD; repository: overrides the manifest)")
	fs.Var(&o.olds, "old", "a previous version's `FILE`, oldest first; repeat for each version")
	fs.StringVar(&o.newFile, "new", "", "the new schema `FILE`; without it, the manifest's schemas are checked against git")
	fs.StringVar(&o.manifest, "manifest", "avro/manifest.json", "the manifest `FILE` (repository mode)")
	fs.StringVar(&o.against, "against", "", "git `REF` whose history counts as registered (default: merge base of HEAD with main, or origin/main)")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text, json or github")
	fs.BoolVar(&o.git, "git", true, "check against the git history (repository mode); --git=false with a registry checks against the registry only")
	fs.StringVar(&o.registry, "registry", "", "also check against the versions registered in the schema registry at `URL`")
	fs.BoolVar(&o.registryFromEnv, "registry-from-env", false, "like --registry, with the URL from "+registry.EnvURL)
	fs.BoolVar(&o.registryVerdict, "registry-verdict", false, "with a registry: also ask its own verdict and report a disagreement")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadInput
	}
	if fs.NArg() > 0 {
		return fail(env, "compat check", fmt.Errorf("unexpected argument %q (schema files go in --old and --new)", fs.Arg(0)))
	}
	var write func(io.Writer, *compatReport)
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

	var rep *compatReport
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
		rep, err = compatCheckFiles(level, o.olds, o.newFile)
	case len(o.olds) > 0:
		return fail(env, "compat check", errors.New("--old needs --new"))
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

// compatReport is what "compat check" found; its JSON form is the json
// format, documented in compatUsage.
type compatReport struct {
	Compatible bool                  `json:"compatible"`
	Schemas    []*compatSchemaReport `json:"schemas"`
}

type compatSchemaReport struct {
	File       string                 `json:"file"`
	EventType  string                 `json:"event_type,omitempty"`
	Subject    string                 `json:"subject,omitempty"`
	Level      contract.Compatibility `json:"level"`
	Source     string                 `json:"source"`
	Note       string                 `json:"note,omitempty"`
	Compatible bool                   `json:"compatible"`
	Previous   []compatVersionRef     `json:"previous"`
	Registered *compatVersionRef      `json:"registered,omitempty"`
	Skipped    []compatSkippedRef     `json:"skipped,omitempty"`
	Problems   []compatProblemReport  `json:"problems"`
	// RegistryVerdict is the registry's own answer (--registry-verdict);
	// Disagreement says how it differs from eventctl's, empty when they
	// agree.
	RegistryVerdict *registryVerdict `json:"registry_verdict,omitempty"`
	Disagreement    string           `json:"disagreement,omitempty"`
}

// registryVerdict is the registry's answer to "may this schema be
// registered under the subject now?" (registry.Client.CheckCompatibilityAll).
type registryVerdict struct {
	Compatible bool     `json:"compatible"`
	Messages   []string `json:"messages,omitempty"`
}

type compatVersionRef struct {
	Version int    `json:"version"`
	Ref     string `json:"ref,omitempty"`
	ID      int    `json:"id,omitempty"`
	File    string `json:"file,omitempty"`
}

// label names a version for people: "version 2 at abc1234", "registered
// version 2 (id 7)" or a file.
func (v compatVersionRef) label() string {
	if v.File != "" && v.Ref == "" {
		return v.File
	}
	if v.ID > 0 {
		return fmt.Sprintf("registered version %d (id %d)", v.Version, v.ID)
	}
	s := fmt.Sprintf("version %d", v.Version)
	if v.Ref != "" {
		s += " at " + v.Ref
	}
	return s
}

type compatSkippedRef struct {
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

type compatProblemReport struct {
	File        string                   `json:"file"`
	Location    string                   `json:"location"`
	Kind        compat.Kind              `json:"kind"`
	Message     string                   `json:"message"`
	AvroMessage string                   `json:"avro_message"`
	Level       contract.Compatibility   `json:"level"`
	Direction   compat.Direction         `json:"direction"`
	Against     compatVersionRef         `json:"against"`
	Causes      []compat.Incompatibility `json:"causes,omitempty"`
}

// check runs compat.Check for one schema and fills in the report.
func (s *compatSchemaReport) check(previous []compatVersionRef, schemas []*schema.Parsed, next *schema.Parsed) error {
	s.Previous = previous
	res, err := compat.Check(s.Level, schemas, next)
	if err != nil {
		return err
	}
	s.Compatible = res.Compatible
	for _, p := range res.Problems {
		s.Problems = append(s.Problems, compatProblemReport{
			File: s.File, Location: p.Location, Kind: p.Kind, Message: p.Message, AvroMessage: p.AvroMessage,
			Level: s.Level, Direction: p.Direction, Against: previous[p.Version], Causes: p.Causes,
		})
	}
	return nil
}

func compatNewSchemaReport(file string, level contract.Compatibility, source string) *compatSchemaReport {
	return &compatSchemaReport{File: file, Level: level, Source: source, Compatible: true,
		Previous: []compatVersionRef{}, Problems: []compatProblemReport{}}
}

// compatReadSchemaFile reads and parses one schema file.
func compatReadSchemaFile(path string) (*schema.Parsed, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := schema.Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// compatCheckFiles is the explicit-files mode.
func compatCheckFiles(level contract.Compatibility, olds []string, newFile string) (*compatReport, error) {
	next, err := compatReadSchemaFile(newFile)
	if err != nil {
		return nil, err
	}
	var previous []compatVersionRef
	var schemas []*schema.Parsed
	for i, f := range olds {
		p, err := compatReadSchemaFile(f)
		if err != nil {
			return nil, err
		}
		previous = append(previous, compatVersionRef{Version: i + 1, File: f})
		schemas = append(schemas, p)
	}
	s := compatNewSchemaReport(newFile, level, "files given with --old")
	if len(olds) == 0 {
		s.Note = "no --old version given: nothing to check"
	}
	if err := s.check(previous, schemas, next); err != nil {
		return nil, err
	}
	return &compatReport{Compatible: s.Compatible, Schemas: []*compatSchemaReport{s}}, nil
}

// compatSource is one place previous versions come from.
type compatSource struct {
	src history.Source
	// verdict is set for a registry whose own verdict is asked.
	verdict registry.Client
}

// compatSources opens the sources the options name: the git history
// (unless --git=false) and a schema registry (--registry or
// --registry-from-env).
func compatSources(ctx context.Context, env *environment, o compatOptions) ([]compatSource, error) {
	var out []compatSource
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
		out = append(out, compatSource{src: g})
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
		cfg, err := registryConfig(url)
		if err != nil {
			return nil, err
		}
		client, err := registry.New(cfg)
		if err != nil {
			return nil, err
		}
		s := compatSource{src: history.NewRegistry(client, registryLabel(cfg))}
		if o.registryVerdict {
			s.verdict = client
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("--git=false leaves nothing to check against; name a registry with --registry URL or --registry-from-env")
	}
	return out, nil
}

// compatCheckRepository is the repository mode.
func compatCheckRepository(ctx context.Context, env *environment, o compatOptions, override contract.Compatibility) (*compatReport, error) {
	m, err := manifest.Load(o.manifest)
	if err != nil {
		return nil, err
	}
	sources, err := compatSources(ctx, env, o)
	if err != nil {
		return nil, err
	}
	rep := &compatReport{Compatible: true}
	for _, cs := range sources {
		for _, e := range m.Events {
			s, err := compatCheckEvent(ctx, cs, e, override)
			if err != nil {
				return nil, err
			}
			rep.Schemas = append(rep.Schemas, s)
			rep.Compatible = rep.Compatible && s.Compatible
		}
	}
	return rep, nil
}

// compatCheckEvent checks one event's schema against one source.
func compatCheckEvent(ctx context.Context, cs compatSource, e *manifest.Event, override contract.Compatibility) (*compatSchemaReport, error) {
	vs, err := cs.src.Previous(ctx, history.Schema{File: e.SchemaFile, Subject: e.Subject})
	if err != nil {
		if errors.Is(err, registry.ErrUnreachable) {
			err = fmt.Errorf("%w (is the registry running, and is the URL right?)", err)
		}
		return nil, err
	}
	var notes []string
	level := e.Compatibility
	if vs.Level != "" {
		level = vs.Level
		if vs.Level != e.Compatibility {
			notes = append(notes, fmt.Sprintf("the registry applies %s to subject %s, the manifest says %s (eventctl register sets the manifest's level)", vs.Level, e.Subject, e.Compatibility))
		}
	}
	if override != "" {
		level = override
	}
	s := compatNewSchemaReport(e.SchemaFile, level, vs.Where)
	s.EventType, s.Subject = e.Type, e.Subject
	for _, sk := range vs.Skipped {
		s.Skipped = append(s.Skipped, compatSkippedRef(sk))
	}
	previous := make([]compatVersionRef, len(vs.Versions))
	schemas := make([]*schema.Parsed, len(vs.Versions))
	for i, v := range vs.Versions {
		previous[i] = compatVersionRef{Version: v.Number, Ref: v.Ref, ID: v.ID}
		schemas[i] = v.Schema
	}
	switch r := vs.Registered; {
	case r != nil:
		// The registry accepts a schema it holds whatever the level, so
		// there is nothing to check.
		s.Registered = &compatVersionRef{Version: r.Number, Ref: r.Ref, ID: r.ID}
		notes = append(notes, fmt.Sprintf("already registered as version %d (%s): registering it again changes nothing, so there is nothing to check", r.Number, r.Ref))
		previous, schemas = previous[:0], schemas[:0]
	case len(vs.Versions) == 0:
		notes = append(notes, "new schema (no previous version): nothing to check")
	case level == contract.None:
		notes = append(notes, "level NONE: nothing to check")
	}
	if err := s.check(previous, schemas, e.Schema); err != nil {
		return nil, err
	}
	if cs.verdict != nil {
		switch {
		case vs.Registered != nil:
			// Registering it again changes nothing: no verdict to ask.
		case override != "" && override != vs.Level:
			notes = append(notes, fmt.Sprintf("registry verdict not asked: --level %s differs from the registry's level %s", override, vs.Level))
		default:
			ok, reasons, err := cs.verdict.CheckCompatibilityAll(ctx, e.Subject, e.Schema.Compact())
			if err != nil {
				return nil, fmt.Errorf("%w: asking the registry's verdict on subject %q: %w", history.ErrSource, e.Subject, err)
			}
			v := registryVerdict{Compatible: ok, Messages: reasons}
			s.RegistryVerdict = &v
			switch {
			case v.Compatible && !s.Compatible:
				s.Disagreement = "the registry finds the schema compatible; eventctl does not (its problems stand: please report the case)"
			case !v.Compatible && s.Compatible:
				s.Disagreement = "the registry finds the schema incompatible; eventctl does not (the registry would refuse it): " + strings.Join(v.Messages, "; ")
				s.Compatible = false
			}
		}
	}
	s.Note = strings.Join(notes, "; ")
	return s, nil
}

func writeCompatText(w io.Writer, rep *compatReport) {
	for _, s := range rep.Schemas {
		for _, p := range s.Problems {
			fmt.Fprintf(w, "%s:%s: %s: %s (%s, against %s)\n", p.File, p.Location, p.Kind, p.Message, p.Level, p.Against.label())
		}
		if s.Disagreement != "" {
			fmt.Fprintf(w, "%s: REGISTRY_DISAGREES: %s (%s, %s)\n", s.File, s.Disagreement, s.Level, s.Source)
		}
	}
}

// writeCompatNotes writes what was checked, and what was not, for people.
func writeCompatNotes(w io.Writer, rep *compatReport) {
	bad := 0
	for _, s := range rep.Schemas {
		if s.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", s.File, s.Note)
		}
		for _, sk := range s.Skipped {
			fmt.Fprintf(w, "%s: skipped the version at %s: %s\n", s.File, sk.Ref, sk.Reason)
		}
		if !s.Compatible {
			bad++
		}
	}
	var sources []string
	for _, s := range rep.Schemas {
		if !slices.Contains(sources, s.Source) {
			sources = append(sources, s.Source)
		}
	}
	source := ""
	if len(sources) > 0 {
		source = " against " + strings.Join(sources, " and ")
	}
	fmt.Fprintf(w, "eventctl compat: %d %s checked%s: %d incompatible\n", len(rep.Schemas), compatPlural(len(rep.Schemas), "schema", "schemas"), source, bad)
}

func writeCompatJSON(w io.Writer, rep *compatReport) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
}

// writeCompatGitHub writes GitHub Actions workflow commands: an error per
// problem, a notice per note, a warning per skipped version.
func writeCompatGitHub(w io.Writer, rep *compatReport) {
	for _, s := range rep.Schemas {
		if s.Note != "" {
			fmt.Fprintf(w, "::notice file=%s::%s\n", compatGhProperty(s.File), compatGhData(s.Note))
		}
		for _, sk := range s.Skipped {
			fmt.Fprintf(w, "::warning file=%s::%s\n", compatGhProperty(s.File), compatGhData("skipped the version at "+sk.Ref+": "+sk.Reason))
		}
		for _, p := range s.Problems {
			title := fmt.Sprintf("%s at %s (%s, against %s)", p.Kind, p.Location, p.Level, p.Against.label())
			fmt.Fprintf(w, "::error file=%s,title=%s::%s\n", compatGhProperty(p.File), compatGhProperty(title), compatGhData(p.Message))
		}
		if s.Disagreement != "" {
			fmt.Fprintf(w, "::error file=%s,title=%s::%s\n", compatGhProperty(s.File), compatGhProperty("the registry disagrees ("+s.Source+")"), compatGhData(s.Disagreement))
		}
	}
}

// compatGhData escapes the message of a workflow command.
func compatGhData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// compatGhProperty escapes a property value of a workflow command.
func compatGhProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

func compatPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
