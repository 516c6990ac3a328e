package codegen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// generateOne returns the source generated for one schema: its own file.
func generateOne(t *testing.T, schema string) string {
	t.Helper()
	for _, f := range generateAll(t, schema) {
		if f.Name == "a.gen.go" {
			return string(f.Source)
		}
	}
	t.Fatal("no a.gen.go")
	return ""
}

// TestRecordConstants checks that the type's name in errors and each
// field's "const" are a constant each, declared once and used instead of
// the literal in every method and the constructor; that an enum's const is
// its symbol; and that a field that would take the name of the type name's
// constant takes another.
func TestRecordConstants(t *testing.T) {
	src := generateOne(t, `{"type":"record","name":"R","namespace":"x","fields":[
		{"name":"kind","type":"string","default":"k","const":"k"},
		{"name":"version","type":"int","const":2},
		{"name":"type_name","type":"string","const":"tn"},
		{"name":"level","type":{"type":"enum","name":"E","symbols":["A","B"]},"const":"B"}]}`)
	file, err := parser.ParseFile(token.NewFileSet(), "a.gen.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	literals := map[string]int{} // in function bodies
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Values) == 1 && strings.HasPrefix(vs.Names[0].Name, "r") { // not the enum's symbols
					consts[vs.Names[0].Name] = vs.Values[0].(*ast.BasicLit).Value
				}
			}
		case *ast.FuncDecl:
			ast.Inspect(d.Body, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok {
					literals[lit.Value]++
				}
				return true
			})
		}
	}
	want := map[string]string{"rTypeName": `"gen.R"`, "rKind": `"k"`, "rVersion": "2", "rTypeNameConst": `"tn"`}
	if diff := cmp.Diff(want, consts); diff != "" {
		t.Errorf("constants (-want +got):\n%s", diff)
	}
	for _, lit := range []string{`"gen.R"`, `"k"`, `"tn"`} {
		if n := literals[lit]; n != 0 {
			t.Errorf("%s is written out %d times in functions", lit, n)
		}
	}
	for _, use := range []string{"Kind: rKind,", "Version: rVersion,", "r.ReadKnownString(rKind)", "x.Level != EB", "avrobin.NotConst(rVersion, x.Version)",
		`avrobin.Invalid(rTypeName, "", avrobin.ErrUnset)`} {
		if !strings.Contains(strings.Join(strings.Fields(src), " "), use) {
			t.Errorf("the source does not have %q", use)
		}
	}
}
