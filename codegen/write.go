package codegen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// generated reports whether the file at path is one the generator wrote: a
// name ending in ".gen.go" and the generated-code header as its first line.
func generated(path string) bool {
	if !strings.HasSuffix(path, Suffix) {
		return false
	}
	b, err := os.ReadFile(path)
	return err == nil && bytes.HasPrefix(b, []byte(Header+"\n"))
}

// previous returns the generated files in dir.
func previous(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && generated(filepath.Join(dir, e.Name())) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Stale returns the names of the files in dir that differ from files: those
// that differ or are missing, and generated files (".gen.go" with the
// header) that files no longer has. Nil means dir is up to date.
func Stale(dir string, files []File) ([]string, error) {
	want := map[string]bool{}
	var stale []string
	for _, f := range files {
		want[f.Name] = true
		have, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err != nil || !bytes.Equal(have, f.Source) {
			stale = append(stale, f.Name)
		}
	}
	prev, err := previous(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range prev {
		if !want[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	return stale, nil
}

// WriteFiles makes dir hold files: it writes each to a temporary file in
// dir, and only when all are written renames them into place and removes
// the generated files that files no longer has. A file whose content is
// unchanged is not rewritten. On error nothing in dir has changed, but for
// the rare failure of a rename or removal midway.
func WriteFiles(dir string, files []File) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	type pending struct{ tmp, name string }
	var todo []pending
	defer func() {
		for _, p := range todo {
			os.Remove(p.tmp) // left over only on error
		}
	}()
	want := map[string]bool{}
	for _, f := range files {
		want[f.Name] = true
		if have, err := os.ReadFile(filepath.Join(dir, f.Name)); err == nil && bytes.Equal(have, f.Source) {
			continue
		}
		tmp, err := os.CreateTemp(dir, "."+f.Name+".*.tmp")
		if err != nil {
			return err
		}
		todo = append(todo, pending{tmp: tmp.Name(), name: f.Name})
		_, werr := tmp.Write(f.Source)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return err
		}
	}
	prev, err := previous(dir)
	if err != nil {
		return err
	}
	for len(todo) > 0 {
		p := todo[0]
		if err := os.Rename(p.tmp, filepath.Join(dir, p.name)); err != nil {
			return err
		}
		todo = todo[1:]
	}
	for _, name := range prev {
		if !want[name] {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}
