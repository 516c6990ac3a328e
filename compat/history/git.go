package history

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lunchbot/eventkit/internal/schema"
)

// Git reads previous versions of schema files from a git repository: the
// versions a file had in the commits that touched it, up to and including a
// reference (by default the merge base of HEAD with the main branch), with
// renames followed.
//
// The idea is that what is on the main branch has been registered; the
// version in the working tree is the one being checked.
type Git struct {
	root    string // the repository's top level
	ref     string // the resolved commit
	label   string // how the reference was named
	shallow bool
}

// OpenGit opens the repository that contains dir ("" for the current
// directory). Relative schema paths given to Previous are relative to the
// working directory, as the manifest gives them. against names the reference whose history counts as
// registered; "" means the merge base of HEAD with "main", or with
// "origin/main" when there is no local main branch. Errors match ErrSource.
func OpenGit(ctx context.Context, dir, against string) (*Git, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSource, err)
	}
	g := &Git{}
	top, err := g.git(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not in a git repository: %w", ErrSource, abs, err)
	}
	g.root = strings.TrimSpace(string(top))
	if out, err := g.git(ctx, g.root, "rev-parse", "--is-shallow-repository"); err == nil {
		g.shallow = strings.TrimSpace(string(out)) == "true"
	}
	if against != "" {
		out, err := g.git(ctx, g.root, "rev-parse", "--verify", "--end-of-options", against+"^{commit}")
		if err != nil {
			return nil, fmt.Errorf("%w: unknown git reference %q: %w", ErrSource, against, err)
		}
		g.ref, g.label = strings.TrimSpace(string(out)), against
		return g, nil
	}
	var errs []error
	for _, main := range []string{"main", "origin/main"} {
		out, err := g.git(ctx, g.root, "merge-base", "HEAD", main)
		if err == nil {
			g.ref = strings.TrimSpace(string(out))
			g.label = "merge base of HEAD and " + main
			return g, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", main, err))
	}
	return nil, fmt.Errorf("%w: cannot find where HEAD left the main branch (%w); name the reference with --against", ErrSource, errors.Join(errs...))
}

// Ref returns the commit the history is read up to, abbreviated, and how it
// was named.
func (g *Git) Ref() (commit, label string) { return short(g.ref), g.label }

// Previous implements Source: the versions of s.File in the commits up to
// the reference that touched it, oldest first, with identical consecutive
// versions (up to white space) kept once. A file absent at the reference is
// new: it has no previous version.
//
// For a schema with references, a version is the schema resolved with its
// shared types as they were at a commit: every commit that touched the
// schema's file or one of theirs makes one (so a change to a shared type is
// a new version of each schema that uses it), parsed with the shared types'
// files of that commit that exist then. A version that parses without them
// (it defined the types itself then) is taken so.
func (g *Git) Previous(ctx context.Context, s Schema) (Versions, error) {
	vs := Versions{Where: fmt.Sprintf("git history up to %s (%s)", g.label, short(g.ref))}
	if g.shallow {
		vs.Where += "; the clone is shallow, so older versions may be missing (fetch the full history, e.g. actions/checkout with fetch-depth: 0)"
	}
	deps := Dependencies(s.References)
	files := make([]string, 0, 1+len(deps))
	files = append(files, s.File)
	for _, d := range deps {
		files = append(files, d.File)
	}
	logs := make([]map[string]string, len(files)) // per file: commit → its name there
	var revs [][]rev
	for i, f := range files {
		path, err := filepath.Abs(f)
		if err != nil {
			return vs, fmt.Errorf("%w: %w", ErrSource, err)
		}
		// The files being checked must exist: a wrong path would otherwise
		// look like a new schema and pass unchecked.
		if _, err := os.Stat(path); err != nil {
			return vs, fmt.Errorf("%w: %w", ErrSource, err)
		}
		rel, err := g.relative(path)
		if err != nil {
			return vs, err
		}
		// Is the file there at the reference? If not, it is new.
		if _, err := g.git(ctx, g.root, "cat-file", "-e", g.ref+":"+rel); err != nil {
			if i == 0 {
				return vs, nil
			}
			continue
		}
		fr, err := g.fileLog(ctx, rel)
		if err != nil {
			return vs, err
		}
		revs = append(revs, fr)
		logs[i] = map[string]string{}
		for _, r := range fr {
			logs[i][r.commit] = r.name
		}
	}
	commits, err := g.oldestFirst(ctx, revs)
	if err != nil {
		return vs, err
	}
	names := make([]string, len(files))
	var last string
	for _, c := range commits {
		for i := range files {
			if n := logs[i][c]; n != "" {
				names[i] = n
			}
		}
		if names[0] == "" || logs[0][c] == "" && !touched(logs[1:], c) {
			continue // before the schema's file, or a commit that touched it without naming it (a merge)
		}
		text, err := g.git(ctx, g.root, "show", c+":"+names[0])
		if err != nil {
			continue // the commit deleted the file
		}
		key := compact(text)
		var refs []schema.Reference
		for i, d := range deps {
			if names[i+1] == "" {
				continue
			}
			if dt, err := g.git(ctx, g.root, "show", c+":"+names[i+1]); err == nil {
				refs = append(refs, schema.Reference{Name: d.Name, Text: string(dt)})
				key += "\x00" + compact(dt)
			}
		}
		if key == last {
			continue
		}
		last = key
		p, err := schema.ParseWithReferences(string(text), refs)
		if err != nil && len(refs) > 0 {
			if alone, aerr := schema.Parse(string(text)); aerr == nil {
				p, err = alone, nil
			}
		}
		if err != nil {
			vs.Skipped = append(vs.Skipped, Skipped{Ref: short(c), Reason: fmt.Sprintf("%s does not parse, so it cannot have been registered: %v", names[0], err)})
			continue
		}
		vs.Versions = append(vs.Versions, Version{Number: len(vs.Versions) + 1, Ref: short(c), Schema: p})
	}
	return vs, nil
}

// touched reports whether one of the logs names a file at commit c.
func touched(logs []map[string]string, c string) bool {
	for _, l := range logs {
		if l[c] != "" {
			return true
		}
	}
	return false
}

// rev is a commit that touched a file, and the file's name there (empty
// for a merge that touched it without naming it).
type rev struct{ commit, name string }

// fileLog returns the commits up to the reference that touched the file
// rel, newest first, renames followed.
func (g *Git) fileLog(ctx context.Context, rel string) ([]rev, error) {
	out, err := g.git(ctx, g.root, "log", "--follow", "--format=commit %H", "--name-only", g.ref, "--", rel)
	if err != nil {
		return nil, fmt.Errorf("%w: git log of %s: %w", ErrSource, rel, err)
	}
	var revs []rev
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "commit "):
			revs = append(revs, rev{commit: strings.TrimPrefix(line, "commit ")})
		case len(revs) > 0 && revs[len(revs)-1].name == "":
			revs[len(revs)-1].name = line
		}
	}
	return revs, nil
}

// oldestFirst returns the commits of the files' logs (each newest first),
// each once, oldest first: one log reversed, or several in the order of
// the history up to the reference.
func (g *Git) oldestFirst(ctx context.Context, logs [][]rev) ([]string, error) {
	var out []string
	if len(logs) == 1 {
		for i := len(logs[0]) - 1; i >= 0; i-- {
			out = append(out, logs[0][i].commit)
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, l := range logs {
		for _, r := range l {
			want[r.commit] = true
		}
	}
	list, err := g.git(ctx, g.root, "rev-list", "--topo-order", "--reverse", g.ref)
	if err != nil {
		return nil, fmt.Errorf("%w: git rev-list: %w", ErrSource, err)
	}
	for _, c := range strings.Fields(string(list)) {
		if want[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

func (g *Git) relative(path string) (string, error) {
	root, err := filepath.EvalSymlinks(g.root)
	if err != nil {
		root = g.root
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	rel, err := filepath.Rel(root, filepath.Join(dir, filepath.Base(path)))
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%w: %s is outside the git repository at %s", ErrSource, path, g.root)
	}
	return filepath.ToSlash(rel), nil
}

func (g *Git) git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("git %s: %w", args[0], err)
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return out, nil
}

func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}

// compact is the text without insignificant white space, so that versions
// differing only in layout count as one.
func compact(text []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, text) != nil {
		return string(text)
	}
	return b.String()
}
