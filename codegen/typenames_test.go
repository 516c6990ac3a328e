package codegen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// namingSchemas are schemas whose names clash in Go: short names in
// several namespaces (within a schema and across schemas), names that are
// identifiers generated for other types, fields and symbols with one Go
// name, Go keywords and predeclared identifiers.
var namingSchemas = []string{
	`{"type":"record","name":"Clash","namespace":"x","fields":[
		{"name":"geo","type":{"type":"record","name":"Address","namespace":"com.example.geo","fields":[{"name":"line","type":"string"}]}},
		{"name":"ship","type":{"type":"record","name":"Address","namespace":"com.example.shipping","fields":[{"name":"line","type":"string"}]}},
		{"name":"both","type":["com.example.geo.Address","com.example.shipping.Address"]},
		{"name":"ax","type":{"type":"enum","name":"a.x.Id","symbols":["A"]}},
		{"name":"bx","type":{"type":"fixed","name":"b.x.Id","size":2}},
		{"name":"y","type":{"type":"record","name":"y.Id","fields":[]}},
		{"name":"bare","type":{"type":"record","name":"Address","namespace":"","fields":[]}},
		{"name":"item","type":{"type":"record","name":"a.Item","fields":[]}},
		{"name":"foo_bar","type":{"type":"record","name":"FooBar","fields":[]}},
		{"name":"foo_bar2","type":{"type":"record","name":"foo_bar","fields":[]}},
		{"name":"ids","type":[{"type":"fixed","name":"a.Key","size":16,"logicalType":"uuid"},{"type":"fixed","name":"b.Key","size":12,"logicalType":"duration"}]}]}`,
	`{"type":"record","name":"Other","namespace":"x","fields":[{"name":"item","type":{"type":"record","name":"b.Item","fields":[]}}]}`,
	`{"type":"record","name":"Foo","namespace":"h","fields":[
		{"name":"n","type":{"type":"record","name":"NewFoo","fields":[]}},
		{"name":"c","type":{"type":"record","name":"FooContract","fields":[]}},
		{"name":"s","type":{"type":"enum","name":"Suit","symbols":["SPADES","A_B","aB"]}},
		{"name":"t","type":{"type":"record","name":"SuitSpades","fields":[]}},
		{"name":"p","type":{"type":"record","name":"Contracts","fields":[]}},
		{"name":"q","type":{"type":"enum","name":"ParseSuit","symbols":["X"]}},
		{"name":"pay","type":["string","long"]},
		{"name":"r","type":{"type":"record","name":"FooPay","fields":[]}},
		{"name":"validate","type":"int"},{"name":"contract","type":"int"},{"name":"x_y","type":"int"},{"name":"xY","type":"int"},
		{"name":"a","type":["int","boolean"]},{"name":"a_int","type":["string","bytes"]},
		{"name":"kind","type":"string","const":"k"},{"name":"type_name","type":"string","const":"t"},
		{"name":"rec_a","type":{"type":"record","name":"A","fields":[{"name":"b_c","type":["string","long"]}]}},
		{"name":"rec_ab","type":{"type":"record","name":"a_b","fields":[{"name":"c","type":["string","long"]}]}}]}`,
	`{"type":"record","name":"type","namespace":"k","fields":[
		{"name":"func","type":"int"},{"name":"interface","type":"string"},{"name":"map","type":{"type":"map","values":"long"}},
		{"name":"chan","type":["null","string"]},{"name":"range","type":{"type":"array","items":"int"}},{"name":"nil","type":"boolean"},
		{"name":"string","type":"string"},{"name":"error","type":["int","string"]},{"name":"len","type":"long"},
		{"name":"bool","type":{"type":"enum","name":"bool","symbols":["true","false","nil","iota"]}},
		{"name":"byte","type":{"type":"fixed","name":"byte","size":1}},
		{"name":"any","type":{"type":"record","name":"any","fields":[{"name":"go","type":"int"},{"name":"select","type":["null","any"]}]}}]}`,
}

// generatedDecls returns the package-level identifiers of the generated
// files, each with its doc comment on one line, and the struct fields of
// each type.
func generatedDecls(t *testing.T, files []File) (decls map[string]string, fields map[string][]string) {
	t.Helper()
	decls, fields = map[string]string{}, map[string][]string{}
	for _, f := range files {
		file, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Source, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					decls[d.Name.Name] = d.Doc.Text()
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						decls[spec.Name.Name] = strings.Join(strings.Fields(d.Doc.Text()), " ")
						if st, ok := spec.Type.(*ast.StructType); ok {
							for _, fl := range st.Fields.List {
								fields[spec.Name.Name] = append(fields[spec.Name.Name], fl.Names[0].Name)
							}
						}
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							if n.Name != "_" {
								decls[n.Name] = ""
							}
						}
					}
				}
			}
		}
	}
	return decls, fields
}

// TestClashingNamesTakeDistinctGoNames checks the Go names of types,
// fields, symbols and unions whose names clash, and the docs that say why.
func TestClashingNamesTakeDistinctGoNames(t *testing.T) {
	decls, fields := generatedDecls(t, generateAll(t, namingSchemas...))
	for _, id := range []string{
		"GeoAddress", "ShippingAddress", "AXID", "BXID", "YID", "Address", "AItem", "BItem", "FooBar", "FooBarRecord",
		"ClashIds", "ClashIdsAKey", "ClashIdsBKey",
		"Foo", "NewFoo", "FooContract", "NewFooRecord", "FooContractRecord", "Suit", "SuitSpades", "SuitAB", "SuitABSymbol",
		"SuitSpadesRecord", "ContractsRecord", "Contracts", "ParseSuit", "ParseSuitEnum", "FooPay", "FooPayString", "FooPayRecord",
		"FooA", "FooAInt", "FooAIntUnion", "FooAIntUnionString", "fooKind", "fooTypeName", "fooTypeNameConst",
		"A", "ABC", "ABRecord", "ABRecordC",
		"Type", "Bool", "BoolTrue", "BoolNil", "BoolIota", "Byte", "Any", "TypeError", "TypeErrorInt",
	} {
		if _, ok := decls[id]; !ok {
			t.Errorf("no identifier %s", id)
		}
	}
	for _, id := range []string{"Item", "Id", "ID", "AB"} {
		if _, ok := decls[id]; ok {
			t.Errorf("identifier %s, which should have been qualified", id)
		}
	}
	for typ, want := range map[string]string{
		"GeoAddress":      "GeoAddress is the Avro record com.example.geo.Address. Its Go name begins with the end of its namespace, geo, as other named types are Address in Go too: Address, com.example.shipping.Address.",
		"AXID":            "AXID is the Avro enum a.x.Id. Its Go name begins with the end of its namespace, a.x, as other named types are ID in Go too: b.x.Id, y.Id.",
		"BXID":            "BXID is the Avro fixed b.x.Id, of 2 bytes. Its Go name begins",
		"FooBarRecord":    "FooBarRecord is the Avro record x.foo_bar. Its Go name is not FooBar, as FooBar is the Go name of record x.FooBar.",
		"NewFooRecord":    "NewFooRecord is the Avro record h.NewFoo. Its Go name is not NewFoo, as NewFoo is generated for record h.Foo.",
		"ContractsRecord": "ContractsRecord is the Avro record h.Contracts. Its Go name is not Contracts, as Contracts is the package's Contracts function.",
		"ABRecord":        "ABRecord is the Avro record h.a_b. Its Go name is not AB, as ABC, which it would generate, is also generated for record h.A.",
		"Address":         "Address is the Avro record Address.",
	} {
		if got := decls[typ]; !strings.HasPrefix(got, want) {
			t.Errorf("doc of %s:\n%s\nwant it to begin\n%s", typ, got, want)
		}
	}
	wantFields := []string{"N", "C", "S", "T", "P", "Q", "Pay", "R", "ValidateField", "ContractField", "XY", "XYField",
		"A", "AInt", "Kind", "TypeName", "RecA", "RecAb"}
	if diff := cmp.Diff(wantFields, fields["Foo"]); diff != "" {
		t.Errorf("fields of Foo (-want +got):\n%s", diff)
	}
	wantFields = []string{"Func", "Interface", "Map", "Chan", "Range", "Nil", "String", "Error", "Len", "Bool", "Byte", "Any"}
	if diff := cmp.Diff(wantFields, fields["Type"]); diff != "" {
		t.Errorf("fields of Type (-want +got):\n%s", diff)
	}
}

// TestTypeNamesAgreeWithGenerate checks that TypeNames gives the names Generate
// gives the types, and that they do not depend on the order of the
// manifest's events.
func TestTypeNamesAgreeWithGenerate(t *testing.T) {
	m, err := parseManifest(t, namingSchemas...)
	if err != nil {
		t.Fatal(err)
	}
	names, err := TypeNames(m)
	if err != nil {
		t.Fatal(err)
	}
	decls, _ := generatedDecls(t, generateAll(t, namingSchemas...))
	for full, name := range names {
		if doc := decls[name]; !strings.Contains(doc, " is the Avro ") || !strings.Contains(doc, " "+full+".") && !strings.Contains(doc, " "+full+",") {
			t.Errorf("%s: TypeNames says %s, whose doc is %q", full, name, doc)
		}
	}
	reversed := append([]string{}, namingSchemas...)
	sort.Sort(sort.Reverse(sort.StringSlice(reversed)))
	m2, err := parseManifest(t, reversed...)
	if err != nil {
		t.Fatal(err)
	}
	names2, err := TypeNames(m2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(names, names2); diff != "" {
		t.Errorf("names differ with the events in another order (-first +second):\n%s", diff)
	}
}

func TestNamespaceSuffixes(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want map[string]string
	}{
		{[]string{"com.example.geo.Address", "com.example.shipping.Address"}, map[string]string{"com.example.geo.Address": "geo", "com.example.shipping.Address": "shipping"}},
		{[]string{"a.x.Id", "b.x.Id", "y.Id"}, map[string]string{"a.x.Id": "a.x", "b.x.Id": "b.x", "y.Id": "y"}},
		{[]string{"x.Id", "a.x.Id"}, map[string]string{"x.Id": "x", "a.x.Id": "a.x"}},
		{[]string{"Id", "geo.Id"}, map[string]string{"Id": "", "geo.Id": "geo"}},
		{[]string{"x.foo_bar", "x.FooBar"}, map[string]string{"x.foo_bar": "", "x.FooBar": ""}},
		{[]string{"x.foo_bar", "x.FooBar", "y.FooBar"}, map[string]string{"x.foo_bar": "x", "x.FooBar": "x", "y.FooBar": "y"}},
	} {
		if diff := cmp.Diff(tt.want, namespaceSuffixes(tt.in)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.in, diff)
		}
	}
}
