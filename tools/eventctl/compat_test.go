package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// runCompatCmd runs eventctl in process and returns its exit status, stdout
// and stderr.
func runCompatCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

func compatWriteFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func compatRecord(fields string) string {
	return `{"type":"record","name":"Order","namespace":"shop","fields":[` + fields + `]}`
}

// Three versions: v2 added the required b, which v3 keeps, so v3 passes
// BACKWARD (against v2) and fails BACKWARD_TRANSITIVE (v3 cannot read v1's
// events, which lack b).
var (
	compatV1 = compatRecord(`{"name":"a","type":"int"}`)
	compatV2 = compatRecord(`{"name":"a","type":"int"},{"name":"b","type":"string"}`)
	compatV3 = compatRecord(`{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long","default":0}`)
)

func TestCompatCheckFiles(t *testing.T) {
	dir := t.TempDir()
	v1 := compatWriteFile(t, filepath.Join(dir, "v1.avsc"), compatV1)
	v2 := compatWriteFile(t, filepath.Join(dir, "v2.avsc"), compatV2)
	v3 := compatWriteFile(t, filepath.Join(dir, "v3.avsc"), compatV3)

	code, out, _ := runCompatCmd(t, "compat", "check", "--level", "BACKWARD", "--old", v1, "--old", v2, "--new", v3)
	if code != exitOK || out != "" {
		t.Errorf("BACKWARD: exit %d, output %q", code, out)
	}
	code, out, errOut := runCompatCmd(t, "compat", "check", "--level", "BACKWARD_TRANSITIVE", "--old", v1, "--old", v2, "--new", v3)
	if code != exitProblems {
		t.Errorf("BACKWARD_TRANSITIVE: exit %d, want %d", code, exitProblems)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one line, got %q", out)
	}
	prefix := v3 + ":/fields/1: READER_FIELD_MISSING_DEFAULT_VALUE: field b: the new schema has this field but the old schema does not"
	suffix := "(BACKWARD_TRANSITIVE, against " + v1 + ")"
	if !strings.HasPrefix(lines[0], prefix) || !strings.HasSuffix(lines[0], suffix) {
		t.Errorf("line\n%s\nwant prefix\n%s\nand suffix\n%s", lines[0], prefix, suffix)
	}
	if !strings.Contains(errOut, "1 incompatible") {
		t.Errorf("summary: %q", errOut)
	}
	// The level defaults to BACKWARD and is case-insensitive.
	if code, _, _ := runCompatCmd(t, "compat", "check", "--old", v1, "--old", v2, "--new", v3); code != exitOK {
		t.Errorf("default level: exit %d", code)
	}
	if code, _, _ := runCompatCmd(t, "compat", "check", "--level", "forward_transitive", "--old", v3, "--new", v1); code != exitProblems {
		t.Errorf("forward_transitive: exit %d", code)
	}
	// NONE checks nothing.
	if code, _, _ := runCompatCmd(t, "compat", "check", "--level", "NONE", "--old", v3, "--new", v1); code != exitOK {
		t.Errorf("NONE: exit %d", code)
	}
}

// TestCompatCheckFilesWithReferences: schemas that use a shared type they
// do not define check with --ref naming its file; a change that breaks
// through the shared type's fields is found; without --ref the schema does
// not parse, and says which name is missing.
func TestCompatCheckFilesWithReferences(t *testing.T) {
	dir := t.TempDir()
	money := compatWriteFile(t, filepath.Join(dir, "money.avsc"),
		`{"type":"record","name":"Money","namespace":"shared","fields":[{"name":"cents","type":"long"}]}`)
	v1 := compatWriteFile(t, filepath.Join(dir, "v1.avsc"), compatRecord(`{"name":"a","type":"int"}`))
	ok := compatWriteFile(t, filepath.Join(dir, "ok.avsc"),
		compatRecord(`{"name":"a","type":"int"},{"name":"price","type":["null","shared.Money"],"default":null}`))
	bad := compatWriteFile(t, filepath.Join(dir, "bad.avsc"),
		compatRecord(`{"name":"a","type":"int"},{"name":"price","type":"shared.Money"}`))

	if code, out, errOut := runCompatCmd(t, "compat", "check", "--ref", money, "--old", v1, "--new", ok); code != exitOK || out != "" {
		t.Errorf("optional shared field: exit %d, output %q %q", code, out, errOut)
	}
	code, out, _ := runCompatCmd(t, "compat", "check", "--ref", money, "--old", v1, "--new", bad)
	if code != exitProblems || !strings.Contains(out, bad+":/fields/1: READER_FIELD_MISSING_DEFAULT_VALUE: field price") {
		t.Errorf("required shared field: exit %d, output %q", code, out)
	}
	// The old version may use the shared type too.
	if code, out, _ := runCompatCmd(t, "compat", "check", "--ref", money, "--old", ok, "--new", bad); code != exitProblems || out == "" {
		t.Errorf("old and new with references: exit %d, output %q", code, out)
	}
	code, _, errOut := runCompatCmd(t, "compat", "check", "--old", v1, "--new", ok)
	if code != exitBadInput || !strings.Contains(errOut, "shared.Money") {
		t.Errorf("without --ref: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCompatCmd(t, "compat", "check", "--ref", money); code != exitBadInput || !strings.Contains(errOut, "--ref is for explicit files") {
		t.Errorf("--ref without --new: exit %d, stderr %q", code, errOut)
	}
}

func TestCompatCheckBadInput(t *testing.T) {
	dir := t.TempDir()
	good := compatWriteFile(t, filepath.Join(dir, "good.avsc"), compatV1)
	bad := compatWriteFile(t, filepath.Join(dir, "bad.avsc"), `{"type":"record","name":"X","fields":[{"name":"a","type":"nosuchtype"}]}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown level", []string{"--level", "SIDEWAYS", "--old", good, "--new", good}, "unknown compatibility level"},
		{"missing file", []string{"--old", filepath.Join(dir, "nope.avsc"), "--new", good}, "nope.avsc"},
		{"unparseable old", []string{"--old", bad, "--new", good}, "bad.avsc"},
		{"unparseable new", []string{"--old", good, "--new", bad}, "invalid avro schema"},
		{"old without new", []string{"--old", good}, "--old needs --new"},
		{"unknown format", []string{"--format", "xml", "--old", good, "--new", good}, "unknown format"},
		{"stray argument", []string{"--new", good, good}, "unexpected argument"},
		{"against with files", []string{"--against", "main", "--new", good}, "--against"},
		{"missing manifest", []string{"--manifest", filepath.Join(dir, "none.json")}, "none.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCompatCmd(t, append([]string{"compat", "check"}, tt.args...)...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, exitBadInput, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
		})
	}
	if code, _, _ := runCompatCmd(t, "compat", "nosuch"); code != exitBadInput {
		t.Errorf("unknown subcommand: exit %d", code)
	}
	if code, out, _ := runCompatCmd(t, "compat", "--help"); code != exitOK || !strings.Contains(out, "eventctl compat check") {
		t.Errorf("help: exit %d, %q", code, out)
	}
}

func TestCompatCheckFormats(t *testing.T) {
	dir := t.TempDir()
	v1 := compatWriteFile(t, filepath.Join(dir, "v1.avsc"), compatV1)
	v2 := compatWriteFile(t, filepath.Join(dir, "v2.avsc"), compatV2)

	t.Run("json", func(t *testing.T) {
		code, out, errOut := runCompatCmd(t, "compat", "check", "--format", "json", "--level", "FULL", "--old", v1, "--new", v2)
		if code != exitProblems {
			t.Fatalf("exit %d; stderr %q", code, errOut)
		}
		if errOut != "" {
			t.Errorf("json mode wrote to stderr: %q", errOut)
		}
		var rep struct {
			Compatible bool `json:"compatible"`
			Schemas    []struct {
				File       string `json:"file"`
				Level      string `json:"level"`
				Compatible bool   `json:"compatible"`
				Previous   []struct {
					Version int    `json:"version"`
					File    string `json:"file"`
				} `json:"previous"`
				Problems []struct {
					File        string `json:"file"`
					Location    string `json:"location"`
					Kind        string `json:"kind"`
					Message     string `json:"message"`
					AvroMessage string `json:"avro_message"`
					Level       string `json:"level"`
					Direction   string `json:"direction"`
					Against     struct {
						Version int    `json:"version"`
						File    string `json:"file"`
					} `json:"against"`
				} `json:"problems"`
			} `json:"schemas"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if rep.Compatible || len(rep.Schemas) != 1 || rep.Schemas[0].Compatible || len(rep.Schemas[0].Problems) != 1 {
			t.Fatalf("report: %+v", rep)
		}
		s := rep.Schemas[0]
		p := s.Problems[0]
		if p.Message == "" {
			t.Error("empty message")
		}
		p.Message = ""
		got := []string{s.File, s.Level, p.File, p.Location, p.Kind, p.AvroMessage, p.Level, p.Direction, p.Against.File}
		want := []string{v2, "FULL", v2, "/fields/1", "READER_FIELD_MISSING_DEFAULT_VALUE", "b", "FULL", "new-reads-old", v1}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
	})

	t.Run("github", func(t *testing.T) {
		code, out, _ := runCompatCmd(t, "compat", "check", "--format", "github", "--old", v1, "--new", v2)
		if code != exitProblems {
			t.Fatalf("exit %d", code)
		}
		want := "::error file=" + v2 + ",title=READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1 (BACKWARD%2C against " + v1 + ")::field b: the new schema has this field"
		if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
			t.Errorf("got\n%s\nwant one line starting\n%s", out, want)
		}
	})
}

// compatGitRepo is a temporary repository for the repository mode.
type compatGitRepo struct {
	t   *testing.T
	dir string
}

func (r *compatGitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *compatGitRepo) commit(msg string, files ...string) string {
	r.t.Helper()
	for i := 0; i+1 < len(files); i += 2 {
		compatWriteFile(r.t, filepath.Join(r.dir, files[i]), files[i+1])
		r.git("add", files[i])
	}
	r.git("commit", "-q", "-m", msg)
	return r.git("rev-parse", "--short=7", "HEAD")
}

const compatManifest = `{
  "defaults": {"compatibility": "BACKWARD_TRANSITIVE"},
  "events": [
    {"type": "order.placed", "schema": "order.avsc", "topic": "shop.orders"},
    {"type": "order.cancelled", "schema": "cancelled.avsc", "topic": "shop.cancellations"}
  ]
}`

func TestCompatCheckRepository(t *testing.T) {
	r := &compatGitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	c1 := r.commit("v1", "avro/manifest.json", compatManifest, "avro/order.avsc", compatV1)
	r.commit("v2", "avro/order.avsc", compatV2)
	r.commit("v2 reformatted", "avro/order.avsc", strings.ReplaceAll(compatV2, ",", ", "))
	// Work on a branch: its commits are not registered versions.
	r.git("checkout", "-q", "-b", "feature")
	r.commit("feature work in progress", "avro/order.avsc", compatRecord(`{"name":"zzz","type":"int"}`))
	compatWriteFile(t, filepath.Join(r.dir, "avro", "order.avsc"), compatV3)
	compatWriteFile(t, filepath.Join(r.dir, "avro", "cancelled.avsc"), compatRecord(`{"name":"id","type":"long"}`))
	manifestPath := filepath.Join(r.dir, "avro", "manifest.json")
	orderFile := filepath.Join(r.dir, "avro", "order.avsc")

	code, out, errOut := runCompatCmd(t, "compat", "check", "--manifest", manifestPath)
	if code != exitProblems {
		t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, exitProblems, out, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one problem line, got %q", out)
	}
	prefix := orderFile + ":/fields/1: READER_FIELD_MISSING_DEFAULT_VALUE: field b:"
	suffix := "(BACKWARD_TRANSITIVE, against version 1 at " + c1 + ")"
	if !strings.HasPrefix(lines[0], prefix) || !strings.HasSuffix(lines[0], suffix) {
		t.Errorf("line\n%s\nwant prefix\n%s\nand suffix\n%s", lines[0], prefix, suffix)
	}
	if !strings.Contains(errOut, "cancelled.avsc: new schema") || !strings.Contains(errOut, "merge base of HEAD and main") {
		t.Errorf("notes: %q", errOut)
	}

	// The plain level compares with the latest version only, and passes.
	if code, out, errOut := runCompatCmd(t, "compat", "check", "--manifest", manifestPath, "--level", "BACKWARD"); code != exitOK {
		t.Errorf("BACKWARD: exit %d; %q %q", code, out, errOut)
	}

	// The versions: v1 and v2 (its reformatting counted once).
	code, out, _ = runCompatCmd(t, "compat", "check", "--manifest", manifestPath, "--format", "json")
	if code != exitProblems {
		t.Fatalf("json: exit %d", code)
	}
	var rep struct {
		Schemas []struct {
			Note     string `json:"note"`
			Previous []struct {
				Version int    `json:"version"`
				Ref     string `json:"ref"`
			} `json:"previous"`
		} `json:"schemas"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Schemas) != 2 {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if n := len(rep.Schemas[0].Previous); n != 2 || rep.Schemas[0].Previous[0].Ref != c1 {
		t.Errorf("previous versions: %+v", rep.Schemas[0].Previous)
	}
	if len(rep.Schemas[1].Previous) != 0 || rep.Schemas[1].Note == "" {
		t.Errorf("new schema: %+v", rep.Schemas[1])
	}

	// Against the first commit, v3 is checked against v1 only.
	code, _, _ = runCompatCmd(t, "compat", "check", "--manifest", manifestPath, "--against", c1, "--level", "BACKWARD")
	if code != exitProblems {
		t.Errorf("against %s: exit %d", c1, code)
	}

	// Bad references and directories outside git are bad input.
	if code, _, errOut := runCompatCmd(t, "compat", "check", "--manifest", manifestPath, "--against", "no-such-ref"); code != exitBadInput || !strings.Contains(errOut, "no-such-ref") {
		t.Errorf("bad ref: exit %d, %q", code, errOut)
	}
	outside := t.TempDir()
	compatWriteFile(t, filepath.Join(outside, "avro", "order.avsc"), compatV1)
	compatWriteFile(t, filepath.Join(outside, "avro", "cancelled.avsc"), compatV1)
	m := compatWriteFile(t, filepath.Join(outside, "avro", "manifest.json"), compatManifest)
	if code, _, errOut := runCompatCmd(t, "compat", "check", "--manifest", m); code != exitBadInput || !strings.Contains(errOut, "not in a git repository") {
		t.Errorf("not a repository: exit %d, %q", code, errOut)
	}
	// An unparseable schema in the working tree is bad input.
	compatWriteFile(t, orderFile, `{"type":`)
	if code, _, _ := runCompatCmd(t, "compat", "check", "--manifest", manifestPath); code != exitBadInput {
		t.Errorf("unparseable schema: exit %d", code)
	}
}

// TestCompatCheckRegistry checks the registry mode against the real schema
// registry: versions registered under each subject, at the level the
// registry applies to it.
func TestCompatCheckRegistry(t *testing.T) {
	url := itest.Registry(t)
	c := regClient(t, url)
	ctx := context.Background()
	dir := t.TempDir()
	order := regEvent{typ: "order.placed", topic: regTopic(t, "orders"), file: "order.avsc", schema: compatV3}
	fresh := regEvent{typ: "order.cancelled", topic: regTopic(t, "cancellations"), file: "cancelled.avsc", schema: compatV1}
	m := regManifest(t, dir, order, fresh)
	orderFile := filepath.Join(dir, order.file)

	// v1 then v2, which adds the required b: the subject accepted it at
	// level NONE. At BACKWARD v3 passes (against v2); at
	// BACKWARD_TRANSITIVE it fails against v1, whose events lack b.
	if err := c.SetCompatibility(ctx, order.subject(), contract.None); err != nil {
		t.Fatal(err)
	}
	ids := map[int]int{}
	for i, text := range []string{compatV1, compatV2} {
		id, err := c.Register(ctx, order.subject(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids[i+1] = id
	}
	check := func(vars map[string]string, args ...string) (int, string, string) {
		t.Helper()
		return runEventctl(t, vars, append([]string{"compat", "check", "--manifest", m, "--git=false"}, args...)...)
	}

	if err := c.SetCompatibility(ctx, order.subject(), contract.Backward); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := check(nil, "--registry", url)
	if code != exitOK || out != "" {
		t.Errorf("registry level BACKWARD: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "the registry applies BACKWARD to subject "+order.subject()+", the manifest says BACKWARD_TRANSITIVE") {
		t.Errorf("no note of the level difference: %q", errOut)
	}
	if !regexp.MustCompile(`cancelled\.avsc: .*new schema \(no previous version\): nothing to check`).MatchString(errOut) {
		t.Errorf("no note of the new subject: %q", errOut)
	}

	if err := c.SetCompatibility(ctx, order.subject(), contract.BackwardTransitive); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = check(nil, "--registry", url)
	if code != exitProblems {
		t.Fatalf("registry level BACKWARD_TRANSITIVE: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("incompatible against the registry:\n%s%s", out, errOut)
	want := fmt.Sprintf("%s:/fields/1: READER_FIELD_MISSING_DEFAULT_VALUE: field b:", orderFile)
	suffix := fmt.Sprintf("(BACKWARD_TRANSITIVE, against registered version 1 (id %d))\n", ids[1])
	if !strings.HasPrefix(out, want) || !strings.HasSuffix(out, suffix) || strings.Count(out, "\n") != 1 {
		t.Errorf("got\n%s\nwant one line starting %q and ending %q", out, want, suffix)
	}
	// The environment names the registry with --registry-from-env.
	if code2, out2, _ := check(map[string]string{registry.EnvURL: url}, "--registry-from-env"); code2 != code || out2 != out {
		t.Errorf("--registry-from-env: exit %d\n%s", code2, out2)
	}
	// --level overrides the registry's level.
	if code, out, _ := check(nil, "--registry", url, "--level", "BACKWARD"); code != exitOK {
		t.Errorf("--level BACKWARD: exit %d\n%s", code, out)
	}

	// The registry's own verdict agrees; the JSON carries it.
	code, out, _ = check(nil, "--registry", url, "--registry-verdict", "--format", "json")
	var rep policy.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitProblems || len(rep.Schemas) != 2 {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	s := rep.Schemas[0]
	if s.RegistryVerdict == nil || s.RegistryVerdict.Compatible || len(s.RegistryVerdict.Messages) == 0 || s.Disagreement != "" {
		t.Errorf("registry verdict: %+v, disagreement %q", s.RegistryVerdict, s.Disagreement)
	}
	if s.Level != contract.BackwardTransitive || s.Source != "registry "+url || len(s.Previous) != 2 || s.Previous[1].ID != ids[2] {
		t.Errorf("schema report: level %s, source %q, previous %+v", s.Level, s.Source, s.Previous)
	}

	// A schema already registered passes whatever the level: registering
	// it again changes nothing. v2 would not pass BACKWARD_TRANSITIVE (it
	// was registered at NONE).
	compatWriteFile(t, orderFile, compatV2)
	code, out, errOut = check(nil, "--registry", url)
	if code != exitOK || !strings.Contains(errOut, fmt.Sprintf("already registered as version 2 (id %d): registering it again changes nothing", ids[2])) {
		t.Errorf("registered schema: exit %d\n%s%s", code, out, errOut)
	}
}

// TestCompatCheckGitAndRegistry checks both sources in one run.
func TestCompatCheckGitAndRegistry(t *testing.T) {
	url := itest.Registry(t)
	c := regClient(t, url)
	r := &compatGitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	order := regEvent{typ: "order.placed", topic: regTopic(t, "orders"), file: "order.avsc", schema: compatV1}
	m := regManifest(t, r.dir, order)
	r.git("add", ".")
	r.commit("v1")
	if _, err := c.Register(context.Background(), order.subject(), compatV1); err != nil {
		t.Fatal(err)
	}
	compatWriteFile(t, filepath.Join(r.dir, order.file), compatV2)

	code, out, errOut := runEventctl(t, nil, "compat", "check", "--manifest", m, "--registry", url, "--format", "json")
	var rep policy.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitProblems {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errOut)
	}
	var sources []string
	for _, s := range rep.Schemas {
		sources = append(sources, strings.Fields(s.Source)[0])
		if s.Compatible || len(s.Problems) != 1 || s.Problems[0].Kind != "READER_FIELD_MISSING_DEFAULT_VALUE" {
			t.Errorf("%s: compatible %v, problems %+v", s.Source, s.Compatible, s.Problems)
		}
	}
	if diff := cmp.Diff([]string{"git", "registry"}, sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}

	// The summary counts the schema once, though both sources checked it.
	_, _, errOut = runEventctl(t, nil, "compat", "check", "--manifest", m, "--registry", url)
	summary := regexp.MustCompile(`eventctl compat: 1 schema checked against git history .* and registry ` + regexp.QuoteMeta(url) + `: 1 incompatible\n$`)
	if !summary.MatchString(errOut) {
		t.Errorf("summary: %q", errOut)
	}
}

func TestCompatCheckRegistryBadInput(t *testing.T) {
	dir := t.TempDir()
	m := regManifest(t, dir, regEvent{typ: "a", topic: "t", file: "a.avsc", schema: compatV1})
	f := filepath.Join(dir, "a.avsc")
	for _, tc := range []struct {
		name   string
		vars   map[string]string
		args   []string
		wantIn string
	}{
		{"unreachable", nil, []string{"--manifest", m, "--git=false", "--registry", "http://127.0.0.1:1"}, "unreachable"},
		{"no env", nil, []string{"--manifest", m, "--git=false", "--registry-from-env"}, "SCHEMA_REGISTRY_URL is not set"},
		{"both", map[string]string{registry.EnvURL: "http://x"}, []string{"--manifest", m, "--registry", "http://x", "--registry-from-env"}, "give one"},
		{"verdict without registry", nil, []string{"--manifest", m, "--registry-verdict"}, "needs a registry"},
		{"nothing to check against", nil, []string{"--manifest", m, "--git=false"}, "nothing to check against"},
		{"registry with files", nil, []string{"--old", f, "--new", f, "--registry", "http://x"}, "repository mode"},
		{"bad URL", nil, []string{"--manifest", m, "--git=false", "--registry", "ftp://x"}, "invalid URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runEventctl(t, tc.vars, append([]string{"compat", "check"}, tc.args...)...)
			if code != exitBadInput || !strings.Contains(errOut, tc.wantIn) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, exitBadInput, tc.wantIn)
			}
		})
	}
}
