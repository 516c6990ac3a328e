// Command corpusgen writes the generated part of the code generator's test
// corpus: the schemas of codegen/testdata/corpus/gen (every primitive and
// logical type, an enum and a fixed, each in every shape; records that
// recurse; names that clash in Go; Go's keywords and predeclared
// identifiers as names; aliases), the corpus's manifest.json (the events of
// the hand-written schemas, then these), and
// codegen/internal/corpus/corpusevents_test.go, which lists the events' Go
// types for the corpus's tests. "make generate" runs it before eventctl
// generates the corpus's Go code.
//
// Usage, from the module's root:
//
//	go run ./codegen/internal/corpusgen [-root dir] [-check]
//
// With -check it writes nothing, and exits 1 naming the files that differ
// from what it would write (and stale schemas in gen/).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	root := flag.String("root", ".", "the module's root `directory`")
	check := flag.Bool("check", false, "write nothing; exit 1 naming the files that differ")
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := corpusFiles(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpusgen:", err)
		os.Exit(2)
	}
	stale, err := staleFiles(*root, files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpusgen:", err)
		os.Exit(2)
	}
	if *check {
		if len(stale) > 0 {
			fmt.Fprintf(os.Stderr, "corpusgen: %d file(s) out of date; run \"make generate\":\n  %s\n", len(stale), strings.Join(stale, "\n  "))
			os.Exit(1)
		}
		return
	}
	if err := writeFiles(*root, files); err != nil {
		fmt.Fprintln(os.Stderr, "corpusgen:", err)
		os.Exit(2)
	}
}

// Paths, relative to the module's root.
const (
	corpusDir  = "codegen/testdata/corpus"
	genDir     = corpusDir + "/gen"
	eventsFile = "codegen/internal/corpus/corpusevents_test.go"
)

// generatedSchemas returns the schemas this program writes, by file name in
// gen/, with their events' manifest entries, in manifest order.
func generatedSchemas() (names []string, schemas map[string]obj, entries []obj) {
	schemas = map[string]obj{}
	add := func(file, eventType string, s obj, key string) {
		names = append(names, file)
		schemas[file] = s
		e := obj{{"type", eventType}, {"schema", "gen/" + file}, {"topic", eventType}}
		if key != "" {
			e = e.with("key", key)
		}
		entries = append(entries, e)
	}
	for _, mt := range matrixTypes {
		key := ""
		if mt.key {
			key = "value"
		}
		add("matrix_"+mt.name+".avsc", "corpus.matrix."+mt.name, matrixSchema(mt), key)
	}
	add("recursion.avsc", "corpus.recursion", recursionSchema(), "id")
	add("keywords.avsc", "corpus.keywords", keywordsSchema(), "")
	add("clashes.avsc", "corpus.clashes", clashesSchema(), "")
	add("aliases.avsc", "corpus.aliases", aliasesSchema(), "count")
	return names, schemas, entries
}

// handwritten are the manifest entries of the corpus's hand-written
// schemas, in codegen/testdata/corpus.
var handwritten = []obj{
	{{"type", "corpus.primitives"}, {"schema", "primitives.avsc"}, {"topic", "corpus.primitives"}, {"key", "id"}},
	{{"type", "corpus.logical"}, {"schema", "logical.avsc"}, {"topic", "corpus.logical"}, {"compatibility", "FULL_TRANSITIVE"}},
	{{"type", "corpus.collections"}, {"schema", "collections.avsc"}, {"topic", "corpus.collections"}, {"key", "count"}},
	{{"type", "corpus.unions"}, {"schema", "unions.avsc"}, {"topic", "corpus.unions"}, {"key", "kind"}},
	{{"type", "corpus.recursive"}, {"schema", "recursive.avsc"}, {"topic", "corpus.recursive"}, {"key", "id"}, {"subject_strategy", "RecordNameStrategy"}},
	{{"type", "corpus.defaults"}, {"schema", "defaults.avsc"}, {"topic", "corpus.defaults"}, {"compatibility", "NONE"}},
	{{"type", "corpus.shared_a"}, {"schema", "shared_a.avsc"}, {"topic", "corpus.shared"}, {"subject", "corpus.shared-a"}},
	{{"type", "corpus.shared_b"}, {"schema", "shared_b.avsc"}, {"topic", "corpus.shared"}, {"subject", "corpus.shared-b"}},
}

// corpusFiles returns every file this program writes, by path relative to
// root.
func corpusFiles(root string) (map[string][]byte, error) {
	names, schemas, entries := generatedSchemas()
	files := map[string][]byte{}
	for _, name := range names {
		files[genDir+"/"+name] = render(schemas[name])
	}
	var events []any
	for _, e := range append(append([]obj{}, handwritten...), entries...) {
		events = append(events, e)
	}
	files[corpusDir+"/manifest.json"] = render(obj{
		{"go", obj{{"package", "corpus"}, {"output", "../../internal/corpus"}}},
		{"defaults", obj{{"compatibility", "BACKWARD"}}},
		{"events", events},
	})
	src, err := eventsSource(root, files)
	if err != nil {
		return nil, err
	}
	files[eventsFile] = src
	return files, nil
}

// staleFiles returns the paths of files that differ from the files on
// disk, and the schemas in gen/ that files no longer has.
func staleFiles(root string, files map[string][]byte) ([]string, error) {
	var stale []string
	for path, want := range files {
		have, err := os.ReadFile(filepath.Join(root, path))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err != nil || !bytes.Equal(have, want) {
			stale = append(stale, path)
		}
	}
	extra, err := extraSchemas(root, files)
	if err != nil {
		return nil, err
	}
	stale = append(stale, extra...)
	sort.Strings(stale)
	return stale, nil
}

// extraSchemas returns the .avsc files in gen/ that files does not have.
func extraSchemas(root string, files map[string][]byte) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, genDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var extra []string
	for _, e := range entries {
		path := genDir + "/" + e.Name()
		if _, ok := files[path]; !ok && strings.HasSuffix(e.Name(), ".avsc") {
			extra = append(extra, path)
		}
	}
	return extra, nil
}

// writeFiles writes the files that changed and removes the schemas in gen/
// that files no longer has.
func writeFiles(root string, files map[string][]byte) error {
	if err := os.MkdirAll(filepath.Join(root, genDir), 0o755); err != nil {
		return err
	}
	for path, data := range files {
		full := filepath.Join(root, path)
		if have, err := os.ReadFile(full); err == nil && bytes.Equal(have, data) {
			continue
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return err
		}
	}
	extra, err := extraSchemas(root, files)
	if err != nil {
		return err
	}
	for _, path := range extra {
		if err := os.Remove(filepath.Join(root, path)); err != nil {
			return err
		}
	}
	return nil
}
