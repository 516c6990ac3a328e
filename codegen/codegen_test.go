package codegen

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/codegen/manifest"
)

// parseManifest builds a manifest from a schema per file name.
func parseManifest(t *testing.T, schemas ...string) (*manifest.Manifest, error) {
	t.Helper()
	var events []string
	files := map[string]string{}
	for i, s := range schemas {
		name := string(rune('a'+i)) + ".avsc"
		files[filepath.Join("dir", name)] = s
		events = append(events, `{"type": "e`+name+`", "schema": "`+name+`", "topic": "t`+name+`"}`)
	}
	m := `{"go": {"package": "gen", "output": "out"}, "events": [` + strings.Join(events, ",") + `]}`
	return manifest.Parse("dir/manifest.json", []byte(m), func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	})
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name    string
		schemas []string
		file    string
		problem string
	}{
		{"default of the wrong type", []string{`{"type":"record","name":"R","fields":[
			{"name":"d","type":{"type":"string","logicalType":"uuid"},"default":"not a uuid"}]}`},
			"dir/a.avsc", "field d: default"},
		{"one name, two definitions", []string{`{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"record","name":"a.Item","fields":[]}}]}`,
			`{"type":"record","name":"S","fields":[{"name":"x","type":{"type":"record","name":"a.Item","fields":[{"name":"n","type":"int"}]}}]}`},
			"dir/b.avsc", "name clash: record a.Item differs from the record a.Item of a.avsc"},
		{"a record of two events", []string{`{"type":"record","name":"R","fields":[]}`, `{"type":"record","name":"R","fields":[]}`},
			"dir/b.avsc", "record R is also the record of another event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseManifest(t, tt.schemas...)
			if err != nil {
				t.Fatal(err)
			}
			files, err := Generate(m)
			var ge *Error
			if !errors.As(err, &ge) || files != nil {
				t.Fatalf("Generate = %d files, %v; want an *Error", len(files), err)
			}
			if ge.File != tt.file || !strings.Contains(ge.Problem, tt.problem) {
				t.Errorf("error %q in %s; want %q in %s", ge.Problem, ge.File, tt.problem, tt.file)
			}
		})
	}
}

// TestGeneratedShapesCompile generates code for shapes the corpus lacks
// (records that contain each other by value, union branches of every
// logical type, unions in unions' arrays, consts of every kind, UUIDs in
// arrays and maps, whose Validate has nothing to check) into a package
// inside the module and builds and vets it.
func TestGeneratedShapesCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	buildAndVet(t, generateAll(t, `{"type":"record","name":"Shapes","namespace":"x","fields":[
		{"name":"uuids","type":{"type":"array","items":{"type":"string","logicalType":"uuid"}}},
		{"name":"uuid_map","type":{"type":"map","values":{"type":"string","logicalType":"uuid"}}},
		{"name":"uuid_grid","type":{"type":"array","items":{"type":"array","items":{"type":"string","logicalType":"uuid"}}}},
		{"name":"uuid_lists","type":{"type":"map","values":{"type":"array","items":{"type":"string","logicalType":"uuid"}}}},
		{"name":"maybe_uuids","type":{"type":"array","items":["null",{"type":"string","logicalType":"uuid"}]}},
		{"name":"raw_uuids","type":{"type":"array","items":{"type":"fixed","name":"RawID","size":16,"logicalType":"uuid"}}},
		{"name":"p","type":{"type":"record","name":"P","fields":[{"name":"q","type":{"type":"record","name":"Q","fields":[{"name":"p","type":"P"}]}}]}},
		{"name":"logical","type":[{"type":"int","logicalType":"time-millis"},{"type":"long","logicalType":"local-timestamp-nanos"},
			{"type":"fixed","name":"Dec","size":6,"logicalType":"decimal","precision":10,"scale":2},
			{"type":"fixed","name":"Id","size":16,"logicalType":"uuid"},{"type":"fixed","name":"Span","size":12,"logicalType":"duration"},
			{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}]},
		{"name":"nested","type":["null",{"type":"array","items":["int",{"type":"map","values":["null","P"]}]}]},
		{"name":"d","type":["null","Dec"],"default":null},
		{"name":"optrec","type":["P","null"]},
		{"name":"unknown_logical","type":{"type":"long","logicalType":"my-own"},"default":3},
		{"name":"type_name","type":"string","const":"tn"},{"name":"version","type":"int","const":2},{"name":"flag","type":"boolean","const":true},
		{"name":"lvl","type":{"type":"enum","name":"Lvl","symbols":["A","B"]},"default":"B","const":"B"}]}`,
		`{"type":"record","name":"Other","namespace":"x","fields":[{"name":"shape","type":
			{"type":"record","name":"P","fields":[{"name":"q","type":{"type":"record","name":"Q","fields":[{"name":"p","type":"P"}]}}]}}]}`))
}

// TestClashingNamesCompile builds and vets the code of namingSchemas.
func TestClashingNamesCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	buildAndVet(t, generateAll(t, namingSchemas...))
}

// generateAll returns the files generated for a schema per file name.
func generateAll(t *testing.T, schemas ...string) []File {
	t.Helper()
	m, err := parseManifest(t, schemas...)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(m)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// buildAndVet writes files into a package inside the module, builds and
// vets it, and removes it.
func buildAndVet(t *testing.T, files []File) {
	t.Helper()
	dir, err := os.MkdirTemp("internal", "shapes")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"build", "./" + dir}, {"vet", "./" + dir}} {
		cmd := exec.Command("go", args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("go %s: %v\n%s", args[0], err, out.Bytes())
		}
	}
	if stale, err := Stale(dir, files); err != nil || stale != nil {
		t.Errorf("Stale after WriteFiles = %v, %v", stale, err)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	m, err := manifest.Load("testdata/corpus/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Generate(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		m, _ := manifest.Load("testdata/corpus/manifest.json")
		b, err := Generate(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("a second Generate gave %d files, the first %d", len(b), len(a))
		}
		for i := range a {
			if a[i].Name != b[i].Name || !bytes.Equal(a[i].Source, b[i].Source) {
				t.Fatalf("a second Generate differs in %s:\n%s", a[i].Name, cmp.Diff(string(a[i].Source), string(b[i].Source)))
			}
		}
	}
	if stale, err := Stale("internal/corpus", a); err != nil || stale != nil {
		t.Errorf("internal/corpus is stale: %v, %v (run make generate)", stale, err)
	}
}
