package codegen

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lunchbot/eventkit/codegen/manifest"
)

// sharedManifest has shared types Money, a Suit enum, and CafeRef (which
// uses Money); one event uses CafeRef and Suit, one Money, one none; a
// shared Digest fixed is used by no event.
func sharedManifest(t *testing.T) *manifest.Manifest {
	t.Helper()
	files := map[string]string{
		"dir/money.avsc":  `{"type":"record","name":"Money","namespace":"x","fields":[{"name":"cents","type":"long"}]}`,
		"dir/suit.avsc":   `{"type":"enum","name":"Suit","namespace":"x","symbols":["HEARTS","SPADES"]}`,
		"dir/digest.avsc": `{"type":"fixed","name":"Digest","namespace":"x","size":4}`,
		"dir/cafe.avsc":   `{"type":"record","name":"CafeRef","namespace":"x","fields":[{"name":"id","type":"long"},{"name":"deposit","type":"Money"}]}`,
		"dir/visit.avsc":  `{"type":"record","name":"Visit","namespace":"x","fields":[{"name":"cafe","type":"x.CafeRef"},{"name":"suit","type":["null","x.Suit"],"default":null}]}`,
		"dir/paid.avsc":   `{"type":"record","name":"Paid","namespace":"x","fields":[{"name":"amount","type":"x.Money"},{"name":"tips","type":{"type":"array","items":"x.Money"}}]}`,
		"dir/plain.avsc":  `{"type":"record","name":"Plain","namespace":"x","fields":[{"name":"id","type":"string"}]}`,
	}
	m, err := manifest.Parse("dir/manifest.json", []byte(`{"go": {"package": "gen"},
		"types": [{"schema": "money.avsc"}, {"schema": "suit.avsc"}, {"schema": "digest.avsc"}, {"schema": "cafe.avsc", "subject": "cafes"}],
		"events": [
			{"type": "visit", "schema": "visit.avsc", "topic": "t"},
			{"type": "paid", "schema": "paid.avsc", "topic": "t", "subject_strategy": "RecordNameStrategy"},
			{"type": "plain", "schema": "plain.avsc", "topic": "u"}]}`), func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSharedTypesGeneratedOnce: each shared type is one Go type, in the
// file of its schema, which the events' files use; the contracts carry the
// references, nested as the types use each other.
func TestSharedTypesGeneratedOnce(t *testing.T) {
	m := sharedManifest(t)
	files, err := Generate(m)
	if err != nil {
		t.Fatal(err)
	}
	src := map[string]string{}
	var order []string
	for _, f := range files {
		src[f.Name] = string(f.Source)
		order = append(order, f.Name)
	}
	want := []string{"money.gen.go", "suit.gen.go", "digest.gen.go", "cafe.gen.go", "visit.gen.go", "paid.gen.go", "plain.gen.go", "contracts.gen.go"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", order, want)
	}
	for typ, file := range map[string]string{"Money struct": "money.gen.go", "Suit int32": "suit.gen.go", "Digest [4]byte": "digest.gen.go", "CafeRef struct": "cafe.gen.go"} {
		for name, s := range src {
			defines := strings.Contains(s, "\ntype "+typ)
			if defines != (name == file) {
				t.Errorf("%s defines %s: %v (want only in %s)", name, typ, defines, file)
			}
		}
	}
	if !strings.Contains(src["visit.gen.go"], "Cafe CafeRef") || !strings.Contains(src["paid.gen.go"], "Tips   []Money") {
		t.Errorf("the events do not use the shared Go types:\n%s\n%s", src["visit.gen.go"], src["paid.gen.go"])
	}
	// Visit's contract (its name and subject first): Suit, then CafeRef
	// (subject "cafes", with Money within), in manifest order; Paid's:
	// Money (RecordNameStrategy); Plain's: none.
	refs := regexp.MustCompile(`(Name|Subject):\s+"([^"]+)"`)
	names := func(file string) string {
		var out []string
		for _, m := range refs.FindAllStringSubmatch(src[file], -1) {
			out = append(out, m[2])
		}
		return strings.Join(out, " ")
	}
	if got := names("visit.gen.go"); got != "x.Visit t-value x.Suit x.Suit x.CafeRef cafes x.Money x.Money" {
		t.Errorf("visit's contract names %q", got)
	}
	if got := names("paid.gen.go"); got != "x.Paid x.Paid x.Money x.Money" {
		t.Errorf("paid's contract names %q", got)
	}
	if strings.Contains(src["plain.gen.go"], "References") {
		t.Errorf("plain's contract has references:\n%s", src["plain.gen.go"])
	}
}

func TestSharedTypesCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	files, err := Generate(sharedManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	buildAndVet(t, files)
}
