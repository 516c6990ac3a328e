package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/compat/history"
	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/internal/schema"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func init() {
	register(command{
		name:    "register",
		summary: "register the manifest's schemas and set their subjects' compatibility levels",
		run:     runRegister,
	})
}

var registerHelp = commandHelp{
	usage: "eventctl register [--manifest avro/manifest.json] [--registry URL] [--dry-run] [--format text|json]",
	about: registerAbout,
}

const registerAbout = `
Registers every schema of the manifest under its subject, as generated code
embeds it (the schema file without insignificant white space), and sets each
subject's compatibility level to the manifest's (PUT /config/{subject}). It
is idempotent: what is already there is left alone and reported "unchanged".

Shared types (the manifest's "types") are registered first, in manifest
order, each under its own subject; a schema that uses them is registered
with schema references (name, subject, version) to the versions holding
them, so a new version of a shared type makes a new version of each schema
that uses it. The output lists the subjects in that order (with --dry-run
too).

Nothing is changed unless every schema may be registered: first each new
schema is checked against every version registered under its subject at the
manifest's level, by eventctl (every problem explained, a shared type's
changes in each schema that uses it too) and, when the subject's level is
already the manifest's and the shared types it uses are registered as they
are, by the registry too (its reasons shown). Then each subject's level is
set, then each new schema registered.

The registry is --registry URL, else SCHEMA_REGISTRY_URL, else
http://localhost:8081. Credentials and TLS come from SCHEMA_REGISTRY_USERNAME
and SCHEMA_REGISTRY_PASSWORD, or SCHEMA_REGISTRY_TOKEN, and
SCHEMA_REGISTRY_CA_FILE, SCHEMA_REGISTRY_CERT_FILE, SCHEMA_REGISTRY_KEY_FILE.

Output (--format):
  text  one line per subject on stdout:
          SUBJECT: ACTION: version V, id I, level LEVEL[ (LEVEL ACTION)]
        where ACTION is registered, unchanged, level set, would register,
        would set level or refused; then the problems of a refused schema,
        and a summary on stderr.
  json  {"registry", "dry_run", "changed", "ok",
         "subjects": [{"subject", "event_type" or "shared_type", "file", "action",
                       "uses", "references": [{"name", "subject", "version"}],
                       "schema_action", "version", "id",
                       "level", "previous_level", "level_inherited", "level_action",
                       "problems": [...], "registry_reasons": [...]}]}
        where schema_action is registered, unchanged, would-register or
        refused, and level_action set, unchanged or would-set. version and
        id are 0 when not known yet (a dry run of a new schema).

Exit status: 0 done (or nothing to do), 1 a schema is incompatible with its
subject (nothing changed), 2 bad input or a registry that cannot be used
(unreachable, refused credentials).`

type registerOptions struct {
	manifest string
	registry string
	dryRun   bool
	format   string
}

// registerSubject is what register did, or would do, for one subject. Its
// JSON is the json format.
type registerSubject struct {
	Subject    string `json:"subject"`
	EventType  string `json:"event_type,omitempty"`
	SharedType string `json:"shared_type,omitempty"`
	File       string `json:"file"`
	// Uses are the shared types the schema references, by full name;
	// References the registry references it was registered with.
	Uses           []string               `json:"uses,omitempty"`
	References     []registry.Reference   `json:"references,omitempty"`
	Action         string                 `json:"action"`
	SchemaAction   string                 `json:"schema_action"`
	Version        int                    `json:"version"`
	ID             int                    `json:"id"`
	Level          contract.Compatibility `json:"level"`
	PreviousLevel  contract.Compatibility `json:"previous_level,omitempty"`
	LevelInherited bool                   `json:"level_inherited,omitempty"`
	LevelAction    string                 `json:"level_action"`
	Problems       []policy.Problem       `json:"problems,omitempty"`
	RegistryReason []string               `json:"registry_reasons,omitempty"`
	Notes          []string               `json:"notes,omitempty"`

	reg      *manifest.Registered
	previous []history.Version
}

type registerReport struct {
	Registry string             `json:"registry"`
	DryRun   bool               `json:"dry_run"`
	Changed  bool               `json:"changed"`
	OK       bool               `json:"ok"`
	Subjects []*registerSubject `json:"subjects"`
}

// Schema and level actions.
const (
	actRegistered    = "registered"
	actUnchanged     = "unchanged"
	actWouldRegister = "would-register"
	actRefused       = "refused"
	actSet           = "set"
	actWouldSet      = "would-set"
)

func runRegister(ctx context.Context, env *environment, args []string) int {
	var o registerOptions
	fs := flag.NewFlagSet("eventctl register", flag.ContinueOnError)
	fs.StringVar(&o.manifest, "manifest", "avro/manifest.json", "the manifest `FILE`")
	fs.StringVar(&o.registry, "registry", "", "the schema registry `URL` (default: "+registry.EnvURL+", else "+registry.DefaultURL+")")
	fs.BoolVar(&o.dryRun, "dry-run", false, "say what would be done; change nothing")
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: text or json")
	if code, ok := parseFlags(env, fs, args, 0, registerHelp); !ok {
		return code
	}
	if o.format != "text" && o.format != "json" {
		return fail(env, "register", fmt.Errorf("unknown format %q (want text or json)", o.format))
	}
	m, err := manifest.Load(o.manifest)
	if err != nil {
		return fail(env, "register", err)
	}
	cfg := registryConfig(env, o.registry)
	client, err := registry.New(cfg)
	if err != nil {
		return fail(env, "register", err)
	}
	rep := &registerReport{Registry: registryLabel(cfg), DryRun: o.dryRun, OK: true, Subjects: []*registerSubject{}}
	r := &registrar{client: client, src: history.NewRegistry(client, rep.Registry)}
	// Shared types first, in manifest order (each after those it uses):
	// the schemas that reference them are registered with their versions.
	var plans []*registerSubject
	for _, t := range m.Types {
		plans = append(plans, &registerSubject{SharedType: t.Name, reg: &t.Registered})
	}
	for _, e := range m.Events {
		plans = append(plans, &registerSubject{EventType: e.Type, reg: &e.Registered})
	}
	for _, s := range plans {
		err := r.plan(ctx, s)
		if err != nil {
			return fail(env, "register", registerError(err))
		}
		rep.Subjects = append(rep.Subjects, s)
		if s.SchemaAction == actRefused {
			rep.OK = false
		}
	}
	if rep.OK && !o.dryRun {
		for _, s := range rep.Subjects {
			err := r.apply(ctx, s)
			if s.SchemaAction == actRegistered || s.LevelAction == actSet {
				rep.Changed = true
			}
			if s.SchemaAction == actRefused {
				// The registry refused what the checks let through (its
				// level was changed just before): stop there.
				rep.OK = false
				break
			}
			if err != nil {
				writeRegister(env, o.format, rep)
				return fail(env, "register", registerError(err))
			}
		}
	}
	for _, s := range rep.Subjects {
		s.Action = s.action()
	}
	writeRegister(env, o.format, rep)
	if !rep.OK {
		return exitProblems
	}
	return exitOK
}

func registerError(err error) error {
	if errors.Is(err, registry.ErrUnreachable) {
		return fmt.Errorf("%w (is the registry running, and is the URL right? --registry or %s)", err, registry.EnvURL)
	}
	return err
}

type registrar struct {
	client registry.Client
	src    *history.Registry
}

// plan finds out, without changing anything, what registering s.reg takes,
// and whether its schema may be registered.
func (r *registrar) plan(ctx context.Context, s *registerSubject) error {
	e := s.reg
	s.Subject, s.File, s.Level = e.Subject, e.SchemaFile, e.Compatibility
	for _, t := range e.Uses {
		s.Uses = append(s.Uses, t.Name)
	}
	vs, err := r.src.Previous(ctx, history.Schema{File: e.SchemaFile, Subject: e.Subject, References: historyRefs(e.Uses)})
	if err != nil {
		return err
	}
	own, set, err := r.client.SubjectCompatibility(ctx, e.Subject)
	if err != nil {
		return fmt.Errorf("reading the compatibility level of subject %q: %w", e.Subject, err)
	}
	s.PreviousLevel, s.LevelInherited = own, !set
	if !set {
		s.PreviousLevel = vs.Level
	}
	s.LevelAction = actUnchanged
	if !set || own != e.Compatibility {
		s.LevelAction = actWouldSet
	}
	if vs.Registered != nil {
		s.SchemaAction, s.Version, s.ID, s.References = actUnchanged, vs.Registered.Number, vs.Registered.ID, vs.References
		return nil
	}
	s.SchemaAction, s.previous = actWouldRegister, vs.Versions
	if len(vs.Skipped) > 0 {
		// A registered version eventctl cannot parse cannot be checked
		// here; the registry will check against it.
		for _, sk := range vs.Skipped {
			s.Notes = append(s.Notes, "not checked by eventctl against "+sk.Ref+": "+sk.Reason)
		}
	}
	previous := make([]*schema.Parsed, len(vs.Versions))
	for i, v := range vs.Versions {
		previous[i] = v.Schema
	}
	res, err := compat.Check(e.Compatibility, previous, e.Schema)
	if err != nil {
		return err
	}
	s.Problems = policy.Problems(e.SchemaFile, e.Compatibility, policy.Refs(vs.Versions), res)
	policy.MarkShared(s.Problems, res, previous, e.Schema, policy.SharedFiles(historyRefs(e.Uses)))
	registryOK := true
	switch {
	case len(vs.Versions) == 0:
	case vs.Level != e.Compatibility:
		s.Notes = append(s.Notes, fmt.Sprintf("the registry's verdict is asked when registering, after the level is set to %s (it is %s now)", e.Compatibility, vs.Level))
	case len(vs.Unregistered) > 0:
		s.Notes = append(s.Notes, fmt.Sprintf("the registry's verdict is asked when registering, after %s (registered first)", strings.Join(vs.Unregistered, ", ")))
	default:
		// The registry's own verdict, at the level it will apply.
		ok, reasons, err := r.client.CheckCompatibilityAll(ctx, e.Subject, e.Schema.Compact(), vs.References...)
		if err != nil {
			return fmt.Errorf("asking the registry whether subject %q accepts the schema: %w", e.Subject, err)
		}
		registryOK = ok
		s.RegistryReason = append(s.RegistryReason, reasons...)
	}
	if !res.Compatible || !registryOK {
		s.SchemaAction = actRefused
	}
	return nil
}

// apply sets the subject's level and registers the schema as planned, with
// references to the versions its shared types have now (registered before
// it).
func (r *registrar) apply(ctx context.Context, s *registerSubject) error {
	if s.LevelAction == actWouldSet {
		if err := r.client.SetCompatibility(ctx, s.Subject, s.Level); err != nil {
			return fmt.Errorf("setting the compatibility level of subject %q: %w", s.Subject, err)
		}
		s.LevelAction = actSet
	}
	if s.SchemaAction != actWouldRegister {
		return nil
	}
	refs, err := r.references(ctx, s.reg.Uses)
	if err != nil {
		return fmt.Errorf("the shared types of %s: %w", s.File, err)
	}
	text := s.reg.Schema.Compact()
	id, err := r.client.Register(ctx, s.Subject, text, refs...)
	var re *registry.Error
	if errors.Is(err, registry.ErrIncompatible) && errors.As(err, &re) {
		s.SchemaAction = actRefused
		s.RegistryReason = append(s.RegistryReason, re.Message)
		return nil
	}
	if err != nil {
		return fmt.Errorf("registering the schema of %s under subject %q: %w", s.File, s.Subject, err)
	}
	_, version, err := r.client.LookupID(ctx, s.Subject, text, refs...)
	if err != nil {
		return fmt.Errorf("looking up the version just registered under subject %q: %w", s.Subject, err)
	}
	s.SchemaAction, s.ID, s.Version, s.References = actRegistered, id, version, refs
	return nil
}

// references returns the registry references to the shared types uses:
// the version of each one's subject that holds its schema (with its own
// references).
func (r *registrar) references(ctx context.Context, uses []*manifest.Type) ([]registry.Reference, error) {
	var out []registry.Reference
	for _, t := range uses {
		own, err := r.references(ctx, t.Uses)
		if err != nil {
			return nil, err
		}
		_, version, err := r.client.LookupID(ctx, t.Subject, t.Schema.Compact(), own...)
		if err != nil {
			return nil, fmt.Errorf("%s under subject %q: %w", t.Name, t.Subject, err)
		}
		out = append(out, registry.Reference{Name: t.Name, Subject: t.Subject, Version: version})
	}
	return out, nil
}

// action is the one-word summary of what happened to the subject.
func (s *registerSubject) action() string {
	switch {
	case s.SchemaAction == actRefused:
		return "refused"
	case s.SchemaAction == actRegistered:
		return "registered"
	case s.SchemaAction == actWouldRegister:
		return "would register"
	case s.LevelAction == actSet:
		return "level set"
	case s.LevelAction == actWouldSet:
		return "would set level"
	}
	return "unchanged"
}

func writeRegister(env *environment, format string, rep *registerReport) {
	if format == "json" {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return
	}
	w := env.stdout
	registered, levels, unchanged, refused := 0, 0, 0, 0
	for _, s := range rep.Subjects {
		if s.Action == "" {
			s.Action = s.action()
		}
		fmt.Fprintf(w, "%s: %s: %s, level %s%s\n", s.Subject, s.Action, s.versionText(), s.Level, s.levelText())
		if len(s.Uses) > 0 {
			fmt.Fprintf(w, "  references %s (registered before it)\n", strings.Join(s.Uses, ", "))
		}
		writeRegisterProblems(w, s)
		switch {
		case s.SchemaAction == actRefused:
			refused++
		case s.SchemaAction == actRegistered || s.SchemaAction == actWouldRegister:
			registered++
		case s.LevelAction == actUnchanged:
			unchanged++
		}
		if s.LevelAction == actSet || s.LevelAction == actWouldSet {
			levels++
		}
	}
	verb := ""
	if rep.DryRun {
		verb = "would be "
	}
	switch {
	case refused > 0 && !rep.Changed:
		fmt.Fprintf(env.stderr, "eventctl register: %d of %d %s refused at %s: nothing changed\n", refused, len(rep.Subjects), compatPlural(len(rep.Subjects), "schema", "schemas"), rep.Registry)
	case refused > 0:
		fmt.Fprintf(env.stderr, "eventctl register: the registry %s refused a schema; stopped after the changes listed above\n", rep.Registry)
	case registered == 0 && levels == 0:
		fmt.Fprintf(env.stderr, "eventctl register: %d %s at %s: unchanged, nothing to do\n", len(rep.Subjects), compatPlural(len(rep.Subjects), "subject", "subjects"), rep.Registry)
	default:
		fmt.Fprintf(env.stderr, "eventctl register: %d %s at %s: %d %s %sregistered, %d %s %sset, %d unchanged\n",
			len(rep.Subjects), compatPlural(len(rep.Subjects), "subject", "subjects"), rep.Registry,
			registered, compatPlural(registered, "schema", "schemas"), verb, levels, compatPlural(levels, "level", "levels"), verb, unchanged)
	}
}

func (s *registerSubject) versionText() string {
	if s.Version == 0 {
		return "next version"
	}
	return fmt.Sprintf("version %d, id %d", s.Version, s.ID)
}

func (s *registerSubject) levelText() string {
	was := string(s.PreviousLevel)
	if s.LevelInherited {
		was = "the registry's global " + was
	}
	switch s.LevelAction {
	case actSet:
		return " (set; was " + was + ")"
	case actWouldSet:
		return " (would set; now " + was + ")"
	}
	return ""
}

func writeRegisterProblems(w io.Writer, s *registerSubject) {
	for _, p := range s.Problems {
		fmt.Fprintf(w, "  %s:%s: %s: %s (%s, against %s)%s\n", p.File, p.Location, p.Kind, p.Message, p.Level, p.Against.Label(), p.In())
	}
	for _, m := range s.RegistryReason {
		fmt.Fprintf(w, "  registry: %s\n", strings.TrimSpace(m))
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// registryConfig is the registry configuration of the environment (the
// SCHEMA_REGISTRY_* variables, see registry.ConfigFromEnv) with the URL
// replaced by rawURL when it is not empty.
func registryConfig(env *environment, rawURL string) registry.Config {
	cfg := envRegistryConfig(env, rawURL)
	// A command line waits less than a service would for a registry that
	// does not answer.
	cfg.MaxAttempts = 3
	cfg.MaxBackoff = 500 * time.Millisecond
	return cfg
}

// envRegistryConfig is the registry configuration of the environment (as
// registry.ConfigFromEnv reads it, but through env.getenv, so that
// .devstack/env counts and tests can set it), with urls, when not empty,
// instead of SCHEMA_REGISTRY_URL. registry.New validates it.
func envRegistryConfig(env *environment, urls string) registry.Config {
	var cfg registry.Config
	if urls == "" {
		urls = env.getenv(registry.EnvURL)
	}
	for _, u := range strings.Split(urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.URLs = append(cfg.URLs, u)
		}
	}
	cfg.Username = env.getenv(registry.EnvUsername)
	cfg.Password = env.getenv(registry.EnvPassword)
	cfg.Token = env.getenv(registry.EnvToken)
	cfg.CAFile = env.getenv(registry.EnvCAFile)
	cfg.CertFile = env.getenv(registry.EnvCertFile)
	cfg.KeyFile = env.getenv(registry.EnvKeyFile)
	return cfg
}

// registryLabel names the registry of cfg for people.
func registryLabel(cfg registry.Config) string {
	if len(cfg.URLs) == 0 {
		return registry.DefaultURL
	}
	return strings.Join(cfg.URLs, ",")
}
