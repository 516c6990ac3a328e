package codegen

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/codegen/manifest"
)

// TestContractsFile checks that the package's contracts file comes last and
// lists the events' contract variables in manifest order.
func TestContractsFile(t *testing.T) {
	m, err := parseManifest(t, `{"type":"record","name":"Zed","fields":[]}`, `{"type":"record","name":"Alpha","fields":[]}`)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(m)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"a.gen.go", "b.gen.go", "contracts.gen.go"}, names); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	src := string(files[2].Source)
	want := "func Contracts() []*contract.Contract {\n\treturn []*contract.Contract{\n\t\tZedContract,\n\t\tAlphaContract,\n\t}\n}\n"
	if !strings.HasPrefix(src, Header+"\n// Source: manifest.json\n") || !strings.HasSuffix(src, want) {
		t.Errorf("contracts.gen.go:\n%s", src)
	}
}

// TestContractsNameIsReserved checks that a schema's file may not take the
// name of the contracts file, and that a named type Contracts takes another
// Go name than the package's function.
func TestContractsNameIsReserved(t *testing.T) {
	generate := func(file, schema string) error {
		t.Helper()
		m, err := manifest.Parse("dir/manifest.json",
			[]byte(`{"go": {"package": "gen"}, "events": [{"type": "e", "schema": "`+file+`", "topic": "t"}]}`),
			func(string) ([]byte, error) { return []byte(schema), nil })
		if err != nil {
			t.Fatal(err)
		}
		_, err = Generate(m)
		return err
	}
	var ge *Error
	err := generate("contracts.avsc", `{"type":"record","name":"R","fields":[]}`)
	if !errors.As(err, &ge) || ge.File != "dir/contracts.avsc" || !strings.Contains(ge.Problem, "generates contracts.gen.go, the file of the package's Contracts function") {
		t.Errorf("a schema file contracts.avsc: %v", err)
	}
	src := generateOne(t, `{"type":"record","name":"R","fields":[{"name":"c","type":{"type":"record","name":"Contracts","fields":[]}}]}`)
	if want := "type R struct {\n\tC ContractsRecord `avro:\"c\"`\n}"; !strings.Contains(src, want) {
		t.Errorf("a record named Contracts: the source lacks %q:\n%s", want, src)
	}
}
