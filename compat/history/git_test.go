package history

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/schema"
)

// repo is a temporary git repository for tests.
type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *repo) git(args ...string) string {
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

func (r *repo) write(name, text string) {
	r.t.Helper()
	path := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit writes files (name, text pairs) and commits them; it returns the
// abbreviated commit hash.
func (r *repo) commit(msg string, files ...string) string {
	r.t.Helper()
	for i := 0; i+1 < len(files); i += 2 {
		r.write(files[i], files[i+1])
		r.git("add", files[i])
	}
	r.git("commit", "-q", "-m", msg)
	return r.git("rev-parse", "--short=7", "HEAD")
}

func record(fields string) string {
	return `{"type":"record","name":"R","fields":[` + fields + `]}`
}

type got struct {
	Number int
	Ref    string
	Fields int
}

func summarize(vs Versions) []got {
	out := []got{}
	for _, v := range vs.Versions {
		out = append(out, got{v.Number, v.Ref, len(v.Schema.Root.Fields)})
	}
	return out
}

func TestGitHistory(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	c1 := r.commit("v1", "avro/x.avsc", record(`{"name":"a","type":"int"}`))
	// Layout only: the same version.
	r.commit("reformat", "avro/x.avsc", record(`{"name":"a",  "type":"int"}`)+"\n")
	c3 := r.commit("v2", "avro/x.avsc", record(`{"name":"a","type":"int"},{"name":"b","type":"int","default":0}`))
	c4 := r.commit("broken", "avro/x.avsc", `{"type":"record"`)
	c5 := r.commit("v3", "avro/x.avsc", record(`{"name":"a","type":"int"},{"name":"b","type":"int","default":0},{"name":"c","type":"int","default":0}`))
	r.commit("other file", "README", "hello")

	// A branch with its own changes: they are not "registered".
	r.git("checkout", "-q", "-b", "feature")
	r.commit("feature change", "avro/x.avsc", record(`{"name":"z","type":"int"}`))

	g, err := OpenGit(ctx, r.dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if commit, label := g.Ref(); label != "merge base of HEAD and main" || commit == "" {
		t.Errorf("Ref() = %q, %q", commit, label)
	}
	vs, err := g.Previous(ctx, Schema{File: filepath.Join(r.dir, "avro", "x.avsc")})
	if err != nil {
		t.Fatal(err)
	}
	want := []got{{1, c1, 1}, {2, c3, 2}, {3, c5, 3}}
	if diff := cmp.Diff(want, summarize(vs)); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if len(vs.Skipped) != 1 || vs.Skipped[0].Ref != c4 || !strings.Contains(vs.Skipped[0].Reason, "does not parse") {
		t.Errorf("skipped = %+v, want the broken commit %s", vs.Skipped, c4)
	}

	// Against an older reference.
	g, err = OpenGit(ctx, r.dir, c3)
	if err != nil {
		t.Fatal(err)
	}
	vs, err = g.Previous(ctx, Schema{File: filepath.Join(r.dir, "avro", "x.avsc")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]got{{1, c1, 1}, {2, c3, 2}}, summarize(vs)); diff != "" {
		t.Errorf("versions up to %s (-want +got):\n%s", c3, diff)
	}
}

func TestGitNewFile(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	r.commit("init", "README", "x")
	r.git("checkout", "-q", "-b", "feature")
	r.commit("add schema", "avro/new.avsc", record(`{"name":"a","type":"int"}`))
	g, err := OpenGit(ctx, r.dir, "")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := g.Previous(ctx, Schema{File: filepath.Join(r.dir, "avro", "new.avsc")})
	if err != nil || len(vs.Versions) != 0 {
		t.Errorf("new file: %+v, %v", vs, err)
	}
}

func TestGitFollowsRenames(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	c1 := r.commit("v1", "old.avsc", record(`{"name":"a","type":"int"},{"name":"pad","type":"string","doc":"keeps the rename detectable"}`))
	if err := os.Mkdir(filepath.Join(r.dir, "avro"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("mv", "old.avsc", "avro/new.avsc")
	r.commit("rename")
	c3 := r.commit("v2", "avro/new.avsc", record(`{"name":"a","type":"int"},{"name":"pad","type":"string","doc":"keeps the rename detectable"},{"name":"b","type":"int","default":1}`))
	g, err := OpenGit(ctx, r.dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := g.Previous(ctx, Schema{File: filepath.Join(r.dir, "avro", "new.avsc")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]got{{1, c1, 2}, {2, c3, 3}}, summarize(vs)); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
}

func TestGitFallsBackToOriginMain(t *testing.T) {
	ctx := context.Background()
	upstream := newRepo(t)
	c1 := upstream.commit("v1", "x.avsc", record(`{"name":"a","type":"int"}`))
	clone := &repo{t: t, dir: t.TempDir()}
	clone.git("clone", "-q", upstream.dir, ".")
	clone.git("checkout", "-q", "-b", "feature")
	clone.git("branch", "-D", "main")
	g, err := OpenGit(ctx, clone.dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, label := g.Ref(); label != "merge base of HEAD and origin/main" {
		t.Errorf("label = %q", label)
	}
	vs, err := g.Previous(ctx, Schema{File: filepath.Join(clone.dir, "x.avsc")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]got{{1, c1, 1}}, summarize(vs)); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
}

func TestGitErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := OpenGit(ctx, t.TempDir(), ""); !errors.Is(err, ErrSource) {
		t.Errorf("not a repository: %v", err)
	}
	r := newRepo(t)
	r.commit("init", "README", "x")
	if _, err := OpenGit(ctx, r.dir, "no-such-ref"); !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "no-such-ref") {
		t.Errorf("bad reference: %v", err)
	}
	r.git("checkout", "-q", "-b", "feature")
	r.git("branch", "-D", "main")
	if _, err := OpenGit(ctx, r.dir, ""); !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "--against") {
		t.Errorf("no main branch: %v", err)
	}
	g, err := OpenGit(ctx, r.dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "x.avsc")
	if err := os.WriteFile(outside, []byte(record(``)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Previous(ctx, Schema{File: outside}); !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "outside") {
		t.Errorf("file outside the repository: %v", err)
	}
	// A path that does not exist is an error, not a new schema.
	if _, err := g.Previous(ctx, Schema{File: filepath.Join(r.dir, "avro", "typo.avsc")}); !errors.Is(err, ErrSource) {
		t.Errorf("missing file: %v", err)
	}
}

// The interface is what a registry source implements.
var _ Source = (*Git)(nil)

// Versions parse with the project's parser.
func TestGitVersionsAreParsed(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	text := record(`{"name":"a","type":"int"}`)
	r.commit("v1", "x.avsc", text)
	g, err := OpenGit(ctx, r.dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := g.Previous(ctx, Schema{File: filepath.Join(r.dir, "x.avsc")})
	if err != nil || len(vs.Versions) != 1 {
		t.Fatalf("%+v, %v", vs, err)
	}
	if got, want := vs.Versions[0].Schema.Canonical(), schema.MustParse(text).Canonical(); got != want {
		t.Errorf("canonical %s, want %s", got, want)
	}
}
