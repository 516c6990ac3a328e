package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// runEventctl runs eventctl in process with the given environment and
// returns its exit status, stdout and stderr.
func runEventctl(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

// regEvent is one event of a test manifest.
type regEvent struct {
	typ, topic, file, schema string
	compatibility            contract.Compatibility // empty: the manifest's default, BACKWARD_TRANSITIVE
}

func (e regEvent) subject() string { return e.topic + "-value" }

var regSeq atomic.Int64

// regTopic returns a topic name no other test (nor a -count run) of this
// process uses: the tests share one registry.
func regTopic(t *testing.T, what string) string {
	name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")
	return fmt.Sprintf("%s.%s.%d-%d", strings.ToLower(name), what, time.Now().UnixNano()%1e9, regSeq.Add(1))
}

// regManifest writes a manifest and its schema files in dir and returns the
// manifest's path.
func regManifest(t *testing.T, dir string, events ...regEvent) string {
	t.Helper()
	type ev struct {
		Type          string `json:"type"`
		Schema        string `json:"schema"`
		Topic         string `json:"topic"`
		Compatibility string `json:"compatibility,omitempty"`
	}
	m := struct {
		Defaults map[string]string `json:"defaults"`
		Events   []ev              `json:"events"`
	}{Defaults: map[string]string{"compatibility": "BACKWARD_TRANSITIVE"}}
	for _, e := range events {
		compatWriteFile(t, filepath.Join(dir, e.file), e.schema)
		m.Events = append(m.Events, ev{e.typ, e.file, e.topic, string(e.compatibility)})
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return compatWriteFile(t, filepath.Join(dir, "manifest.json"), string(b))
}

func regClient(t *testing.T, url string) *registry.HTTPClient {
	t.Helper()
	c, err := registry.New(registry.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func regVersions(t *testing.T, c registry.Client, subject string) []int {
	t.Helper()
	vs, err := c.Versions(context.Background(), subject)
	if errors.Is(err, registry.ErrSubjectNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// regOwnLevel is the level set on the subject itself, "" for none.
func regOwnLevel(t *testing.T, url, subject string) contract.Compatibility {
	t.Helper()
	l, _, err := regClient(t, url).SubjectCompatibility(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var regLine = regexp.MustCompile(`^(\S+): (registered|unchanged|level set|would register|would set level|refused): (?:version (\d+), id (\d+)|next version), level (\S+)`)

// regLines parses register's text output into subject → "action v id".
func regLines(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "  ") || line == "" {
			continue
		}
		m := regLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected line %q in\n%s", line, out)
		}
		got[m[1]] = strings.TrimSpace(m[2] + " " + m[3] + " " + m[4])
	}
	return got
}

const (
	regOrderV1 = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]}`
	// v2 adds an optional field: BACKWARD compatible.
	regOrderV2 = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}`
	// Incompatible with v1: id narrowed, and a required field added.
	regOrderBad = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"int"},{"name":"reason","type":"string"}]}`
	regTaskV1   = `{"type":"record","name":"Task","namespace":"shop","fields":[{"name":"kind","type":"string"}]}`
)

func TestRegister(t *testing.T) {
	url := itest.Registry(t)
	c := regClient(t, url)
	dir := t.TempDir()
	order := regEvent{typ: "order.placed", topic: regTopic(t, "orders"), file: "order.avsc", schema: regOrderV1}
	task := regEvent{typ: "task.due", topic: regTopic(t, "tasks"), file: "task.avsc", schema: regTaskV1, compatibility: contract.Full}
	m := regManifest(t, dir, order, task)
	vars := map[string]string{}

	// A dry run says what it would do and changes nothing.
	code, out, errOut := runEventctl(t, vars, "register", "--manifest", m, "--registry", url, "--dry-run")
	if code != exitOK {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	want := map[string]string{order.subject(): "would register", task.subject(): "would register"}
	if diff := cmp.Diff(want, regLines(t, out)); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if !strings.Contains(out, "(would set; now the registry's global") {
		t.Errorf("dry run does not say the level would be set:\n%s", out)
	}
	for _, s := range []string{order.subject(), task.subject()} {
		if vs := regVersions(t, c, s); vs != nil {
			t.Errorf("dry run registered %s: versions %v", s, vs)
		}
		if l := regOwnLevel(t, url, s); l != "" {
			t.Errorf("dry run set the level of %s to %s", s, l)
		}
	}

	// The first run registers both and sets their levels.
	code, out, errOut = runEventctl(t, vars, "register", "--manifest", m, "--registry", url)
	if code != exitOK {
		t.Fatalf("register: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("first run:\n%s%s", out, errOut)
	got := regLines(t, out)
	for _, e := range []regEvent{order, task} {
		sv, err := c.SchemaByVersion(context.Background(), e.subject(), registry.Latest)
		if err != nil {
			t.Fatalf("%s: %v", e.subject(), err)
		}
		if w := fmt.Sprintf("registered %d %d", sv.Version, sv.ID); got[e.subject()] != w || sv.Version != 1 {
			t.Errorf("%s: printed %q, the registry holds version %d id %d", e.subject(), got[e.subject()], sv.Version, sv.ID)
		}
		if sv.Text != e.schema {
			t.Errorf("%s: registered %s, want the compacted file %s", e.subject(), sv.Text, e.schema)
		}
		wantLevel := e.compatibility
		if wantLevel == "" {
			wantLevel = contract.BackwardTransitive
		}
		if l := regOwnLevel(t, url, e.subject()); l != wantLevel {
			t.Errorf("%s: level %q, want %s", e.subject(), l, wantLevel)
		}
	}

	// The second run changes nothing and says so.
	code, out, errOut = runEventctl(t, vars, "register", "--manifest", m, "--registry", url)
	if code != exitOK {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	for s, line := range regLines(t, out) {
		if !strings.HasPrefix(line, "unchanged 1 ") {
			t.Errorf("second run: %s: %q, want unchanged version 1", s, line)
		}
	}
	if !strings.Contains(errOut, "unchanged, nothing to do") {
		t.Errorf("second run summary: %q", errOut)
	}
	code, out, _ = runEventctl(t, vars, "register", "--manifest", m, "--registry", url, "--format", "json")
	var rep registerReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	if rep.Changed || !rep.OK || len(rep.Subjects) != 2 || rep.Subjects[0].SchemaAction != actUnchanged || rep.Subjects[0].LevelAction != actUnchanged || rep.Subjects[0].ID == 0 {
		t.Errorf("json of an idempotent run: %s", out)
	}

	// An incompatible change is refused with eventctl's and the registry's
	// reasons, in a dry run too, and nothing is registered.
	compatWriteFile(t, filepath.Join(dir, order.file), regOrderBad)
	for _, dry := range []bool{true, false} {
		args := []string{"register", "--manifest", m, "--registry", url}
		if dry {
			args = append(args, "--dry-run")
		}
		code, out, errOut = runEventctl(t, vars, args...)
		if code != exitProblems {
			t.Fatalf("incompatible (dry run %v): exit %d\n%s%s", dry, code, out, errOut)
		}
		if got := regLines(t, out)[order.subject()]; got != "refused" {
			t.Errorf("incompatible: %q, want refused\n%s", got, out)
		}
		for _, w := range []string{"/fields/0/type: TYPE_MISMATCH: field id", "/fields/1: READER_FIELD_MISSING_DEFAULT_VALUE: field reason", "\n  registry: "} {
			if !strings.Contains(out, w) {
				t.Errorf("incompatible: output lacks %q:\n%s", w, out)
			}
		}
		if !strings.Contains(errOut, "nothing changed") {
			t.Errorf("incompatible summary: %q", errOut)
		}
	}
	t.Logf("incompatible change:\n%s%s", out, errOut)
	if vs := regVersions(t, c, order.subject()); !cmp.Equal(vs, []int{1}) {
		t.Errorf("after the refusal %s has versions %v, want [1]", order.subject(), vs)
	}

	// A compatible change is registered as version 2.
	compatWriteFile(t, filepath.Join(dir, order.file), regOrderV2)
	code, out, errOut = runEventctl(t, vars, "register", "--manifest", m, "--registry", url)
	if code != exitOK {
		t.Fatalf("compatible change: exit %d\n%s%s", code, out, errOut)
	}
	if got := regLines(t, out)[order.subject()]; !strings.HasPrefix(got, "registered 2 ") {
		t.Errorf("compatible change: %q, want registered version 2", got)
	}
	if got := regLines(t, out)[task.subject()]; !strings.HasPrefix(got, "unchanged 1 ") {
		t.Errorf("untouched subject: %q, want unchanged", got)
	}

	// A level changed in the registry is set back to the manifest's.
	if err := c.SetCompatibility(context.Background(), task.subject(), contract.None); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runEventctl(t, vars, "register", "--manifest", m, "--registry", url)
	if code != exitOK || !strings.HasPrefix(regLines(t, out)[task.subject()], "level set 1 ") {
		t.Errorf("level drift: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "(set; was NONE)") {
		t.Errorf("level drift: output does not say what the level was:\n%s", out)
	}
	if l := regOwnLevel(t, url, task.subject()); l != contract.Full {
		t.Errorf("level after the run: %s, want FULL", l)
	}
}

func TestRegisterBadInput(t *testing.T) {
	dir := t.TempDir()
	m := regManifest(t, dir, regEvent{typ: "a", topic: "t", file: "a.avsc", schema: regOrderV1})
	// Nothing listens on port 1.
	code, _, errOut := runEventctl(t, nil, "register", "--manifest", m, "--registry", "http://127.0.0.1:1")
	if code != exitBadInput || !strings.Contains(errOut, "unreachable") || !strings.Contains(errOut, "is the registry running") {
		t.Errorf("unreachable: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runEventctl(t, nil, "register", "--manifest", filepath.Join(dir, "none.json"), "--registry", "http://127.0.0.1:1"); code != exitBadInput || !strings.Contains(errOut, "none.json") {
		t.Errorf("missing manifest: exit %d, %q", code, errOut)
	}
	if code, _, _ := runEventctl(t, nil, "register", "--manifest", m, "--format", "xml"); code != exitBadInput {
		t.Errorf("bad format: exit %d", code)
	}
	if code, _, _ := runEventctl(t, nil, "register", "--manifest", m, "--registry", "ftp://x"); code != exitBadInput {
		t.Errorf("bad URL: exit %d", code)
	}
	if code, _, _ := runEventctl(t, nil, "register", "extra"); code != exitBadInput {
		t.Errorf("extra argument: exit %d", code)
	}
}
