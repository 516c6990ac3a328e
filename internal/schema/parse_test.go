package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/schema"
)

// rec returns the JSON of a record schema R (no namespace) with the given
// fields.
func rec(fields ...string) string {
	return `{"type":"record","name":"R","fields":[` + strings.Join(fields, ",") + `]}`
}

// fld returns the JSON of a field; def is its default as JSON, "" for none.
func fld(name, typ, def string) string {
	s := `{"name":"` + name + `","type":` + typ
	if def != "" {
		s += `,"default":` + def
	}
	return s + "}"
}

type parseCase struct {
	name string
	text string
	// where and problem: for an invalid schema, the *Error's Where (exact)
	// and a part of its Problem.
	where, problem string
	// java, when set, says why Apache Avro Java 1.8.2 (Debian's
	// libavro-java, which the cross-check runs) decides otherwise.
	java string
}

const (
	enumE  = `{"type":"enum","name":"E","symbols":["A","B"]}`
	fixedF = `{"type":"fixed","name":"F","size":2}`
	recS   = `{"type":"record","name":"S","fields":[{"name":"x","type":"int"},{"name":"y","type":"string","default":"d"}]}`
)

var validSchemas = []parseCase{
	{name: "primitive name", text: `"int"`},
	{name: "primitive object", text: `{"type":"string"}`},
	{name: "logical type", text: `{"type":"long","logicalType":"timestamp-micros"}`},
	{name: "unknown logical type is ignored", text: `{"type":"string","logicalType":"nope"}`},
	{name: "empty record", text: rec()},
	{name: "error record", text: `{"type":"error","name":"Oops","fields":[]}`},
	{name: "names with underscores and digits", text: `{"type":"record","name":"_R9","namespace":"a_1.b2","fields":[{"name":"_f1","type":"int"}]}`},
	{name: "dotted name", text: `{"type":"record","name":"a.b.R","fields":[]}`},
	{name: "empty namespace", text: `{"type":"record","name":"R","namespace":"","fields":[]}`},
	{name: "named after a primitive inside a namespace", text: `{"type":"record","name":"int","namespace":"a","fields":[]}`},
	{name: "recursive record", text: rec(fld("next", `["null","R"]`, "null"))},
	{name: "short name resolved in the namespace", text: `{"type":"record","name":"R","namespace":"n","fields":[{"name":"e","type":` + enumE + `},{"name":"f","type":"E"},{"name":"g","type":"n.E"}]}`},
	{name: "enum with default", text: `{"type":"enum","name":"E","symbols":["A","B"],"default":"B"}`},
	{name: "fixed of size zero", text: `{"type":"fixed","name":"F","size":0}`},
	{name: "aliases", text: `{"type":"record","name":"R","aliases":["Old","x.Older"],"fields":[{"name":"a","type":"int","aliases":["b"]}]}`},
	{name: "orders", text: rec(fld("a", `"int"`, ""), `{"name":"b","type":"int","order":"descending"}`, `{"name":"c","type":"int","order":"ignore"}`)},
	{name: "union of different types", text: `["null","int","long","string",{"type":"array","items":"int"},{"type":"map","values":"int"},` + enumE + `,` + fixedF + `]`},
	{name: "union of two records", text: rec(fld("u", `[`+recS+`,{"type":"record","name":"T","fields":[]}]`, ""))},
	{name: "union of two fixed", text: rec(fld("u", `[`+fixedF+`,{"type":"fixed","name":"G","size":2}]`, ""))},
	{name: "extra attributes", text: rec(`{"name":"a","type":"string","const":"x","java-class":"y"}`)},

	// Defaults.
	{name: "int default bounds", text: rec(fld("a", `"int"`, "2147483647"), fld("b", `"int"`, "-2147483648"))},
	{name: "long default bounds", text: rec(fld("a", `"long"`, "9223372036854775807"), fld("b", `"long"`, "-9223372036854775808"))},
	{name: "float and double defaults", text: rec(fld("a", `"float"`, "1"), fld("b", `"double"`, "1.5e300"), fld("c", `"float"`, "-0.25"))},
	{name: "boolean, string, null defaults", text: rec(fld("a", `"boolean"`, "false"), fld("b", `"string"`, `""`), fld("c", `"null"`, "null"))},
	{name: "bytes and fixed defaults", text: rec(fld("a", `"bytes"`, `"\u00ff\u0000"`), fld("b", fixedF, `"ab"`))},
	{name: "enum default", text: rec(fld("e", enumE, `"B"`))},
	{name: "array default", text: rec(fld("a", `{"type":"array","items":"int"}`, "[1,2,3]"), fld("b", `{"type":"array","items":"int"}`, "[]"))},
	{name: "map default", text: rec(fld("m", `{"type":"map","values":"long"}`, `{"a":1,"b":2}`))},
	{name: "union default of the first branch", text: rec(fld("a", `["null","int"]`, "null"), fld("b", `["int","null"]`, "3"), fld("c", `["string","null"]`, `"x"`))},
	{name: "record default, missing field takes its default", text: rec(fld("s", recS, `{"x":1}`))},
	{name: "default of a logical type", text: rec(fld("t", `{"type":"long","logicalType":"timestamp-micros"}`, "0"))},
	{name: "default of a named type referenced by name", text: rec(fld("e", enumE, `"A"`), fld("e2", `"E"`, `"B"`))},
}

var invalidSchemas = []parseCase{
	{name: "not JSON", text: `{`, problem: "not JSON"},
	{name: "number", text: `5`, problem: "a schema is a type name, an object or a union"},
	{name: "object without type", text: `{}`, problem: `needs a "type"`},
	{name: "wrapped schema", text: `{"type":{"type":"int"}}`, problem: `must be a type name (a string), not an object`},
	{name: "wrapped union", text: `{"type":["int","null"]}`, problem: `must be a type name (a string), not an array`},
	{name: "unknown type name", text: `"Foo"`, problem: `unknown type "Foo"`},
	{name: "unknown type object", text: `{"type":"Foo"}`, problem: `unknown type "Foo"`},

	// Names.
	{name: "record without name", text: `{"type":"record","fields":[]}`, problem: `a record needs a "name"`},
	{name: "record name in the wrong case (found by the fuzzer)", text: `{"type":"record","nAme":"A","fields":[]}`, problem: `a record needs a "name"`},
	{name: "name not a string", text: `{"type":"record","name":5,"fields":[]}`, problem: `"name" must be a string, not a number`},
	{name: "name starting with a digit", text: `{"type":"record","name":"1R","fields":[]}`, where: "record 1R", problem: `invalid name "1R"`},
	{name: "name with a dash", text: `{"type":"enum","name":"my-enum","symbols":["A"]}`, where: "enum my-enum", problem: `invalid name "my-enum"`},
	{name: "empty name", text: `{"type":"fixed","name":"","size":1}`, where: "fixed ", problem: `invalid name ""`},
	{name: "dotted name with an empty part", text: `{"type":"record","name":"a..R","fields":[]}`, where: "record a..R", problem: `invalid name "a..R"`,
		java: "Avro Java 1.8 does not check the namespace part of a dotted name"},
	{name: "namespace starting with a digit", text: `{"type":"record","name":"R","namespace":"1a","fields":[]}`, where: "record 1a.R", problem: `invalid namespace "1a"`,
		java: "Avro Java 1.8 does not check namespaces"},
	{name: "namespace with a dash", text: `{"type":"record","name":"R","namespace":"a.b-c","fields":[]}`, where: "record a.b-c.R", problem: `invalid namespace "a.b-c"`,
		java: "Avro Java 1.8 does not check namespaces"},
	{name: "named after a primitive", text: `{"type":"fixed","name":"int","size":1}`, where: "fixed int", problem: `named after the primitive type "int"`},
	{name: "type defined twice", text: rec(fld("a", recS, ""), fld("b", recS, "")), where: `record R: field "b": record S`, problem: "defined twice"},
	{name: "invalid alias of a named type", text: `{"type":"record","name":"R","aliases":["1x"],"fields":[]}`, where: "record R", problem: `invalid alias "1x"`},
	{name: "aliases not an array", text: `{"type":"record","name":"R","aliases":"x","fields":[]}`, where: "record R", problem: `"aliases" must be an array of strings`},

	// Records and fields.
	{name: "record without fields", text: `{"type":"record","name":"R"}`, where: "record R", problem: `needs "fields"`},
	{name: "fields not an array", text: `{"type":"record","name":"R","fields":{}}`, where: "record R", problem: `"fields" must be an array`},
	{name: "field not an object", text: rec(`5`), where: "record R: field 0", problem: "a field must be an object"},
	{name: "field without name", text: rec(`{"type":"int"}`), where: "record R: field 0", problem: `a field needs a "name"`},
	{name: "field name in the wrong case (found by the fuzzer)", text: rec(`{"nAme":"a","type":"int"}`), where: "record R: field 0", problem: `a field needs a "name"`},
	{name: "invalid field name", text: rec(fld("a b", `"int"`, "")), where: `record R: field "a b"`, problem: `invalid field name "a b"`},
	{name: "field name starting with a digit", text: rec(fld("9a", `"int"`, "")), where: `record R: field "9a"`, problem: `invalid field name "9a"`},
	{name: "duplicate field names", text: rec(fld("a", `"int"`, ""), fld("b", `"int"`, ""), fld("a", `"string"`, "")), where: `record R: field "a"`, problem: `used twice (fields 0 and 2)`},
	{name: "field without type", text: rec(`{"name":"a"}`), where: `record R: field "a"`, problem: `a field needs a "type"`},
	{name: "field of an unknown type", text: rec(fld("a", `"Foo"`, "")), where: `record R: field "a"`, problem: `unknown type "Foo"`},
	{name: "field typed record by name", text: rec(fld("a", `"record"`, "")), where: `record R: field "a"`, problem: `written as an object`},
	{name: "nested record field without name", text: rec(fld("s", `{"type":"record","name":"S","fields":[{"type":"int"}]}`, "")), where: `record R: field "s": record S: field 0`, problem: `a field needs a "name"`},
	{name: "unknown order", text: rec(`{"name":"a","type":"int","order":"up"}`), where: `record R: field "a"`, problem: `invalid order "up"`},
	{name: "doc not a string", text: rec(`{"name":"a","type":"int","doc":5}`), where: `record R: field "a"`, problem: `"doc" must be a string`,
		java: "Avro Java ignores a doc that is not a string; hamba/avro refuses it"},
	{name: "invalid field alias", text: rec(`{"name":"a","type":"int","aliases":["1b"]}`), where: `record R: field "a"`, problem: `invalid alias "1b"`,
		java: "Avro Java does not check field aliases; hamba/avro does"},

	// Enums.
	{name: "enum without symbols", text: `{"type":"enum","name":"E"}`, where: "enum E", problem: `needs "symbols"`},
	{name: "symbols not an array", text: `{"type":"enum","name":"E","symbols":"A"}`, where: "enum E", problem: `"symbols" must be an array of strings`},
	{name: "symbol not a string", text: `{"type":"enum","name":"E","symbols":["A",1]}`, where: "enum E", problem: `"symbols"[1] must be a string`},
	{name: "empty enum", text: `{"type":"enum","name":"E","symbols":[]}`, where: "enum E", problem: "at least one symbol",
		java: "Avro Java accepts an enum without symbols; hamba/avro does not"},
	{name: "invalid symbol", text: `{"type":"enum","name":"E","symbols":["A","1B"]}`, where: "enum E", problem: `invalid symbol "1B"`},
	{name: "duplicate symbol", text: `{"type":"enum","name":"E","symbols":["A","B","A"]}`, where: "enum E", problem: `symbol "A" is listed twice`},
	{name: "enum default not a symbol", text: `{"type":"enum","name":"E","symbols":["A"],"default":"Z"}`, where: "enum E", problem: `default "Z" is not one of the symbols [A]`,
		java: "enum defaults came with Avro 1.9"},
	{name: "enum default not a string", text: `{"type":"enum","name":"E","symbols":["A"],"default":1}`, where: "enum E", problem: `"default" must be a string`,
		java: "enum defaults came with Avro 1.9"},

	// Fixed.
	{name: "fixed without size", text: `{"type":"fixed","name":"F"}`, where: "fixed F", problem: `needs a "size"`},
	{name: "negative size", text: `{"type":"fixed","name":"F","size":-1}`, where: "fixed F", problem: `"size" must be a non-negative integer`},
	{name: "fractional size", text: `{"type":"fixed","name":"F","size":1.0}`, where: "fixed F", problem: `not 1.0`},
	{name: "size as a string", text: `{"type":"fixed","name":"F","size":"1"}`, where: "fixed F", problem: `"size" must be a non-negative integer`},
	{name: "size above int32", text: `{"type":"fixed","name":"F","size":2147483648}`, where: "fixed F", problem: `"size" must be a non-negative integer`},

	// Arrays and maps.
	{name: "array without items", text: `{"type":"array"}`, problem: `an array needs "items"`},
	{name: "map without values", text: `{"type":"map"}`, problem: `a map needs "values"`},
	{name: "bad array items", text: rec(fld("a", `{"type":"array","items":"Foo"}`, "")), where: `record R: field "a": array items`, problem: `unknown type "Foo"`},

	// Unions.
	{name: "nested union", text: `["int",["null","string"]]`, where: "union branch 1", problem: "cannot hold another union"},
	{name: "duplicate primitive in a union", text: `["null","int","null"]`, where: "union branch 2", problem: "already holds a null (branch 0)"},
	{name: "same type with two logical types in a union", text: `["long",{"type":"long","logicalType":"timestamp-millis"}]`, where: "union branch 1", problem: "already holds a long"},
	{name: "two arrays in a union", text: `[{"type":"array","items":"int"},{"type":"array","items":"string"}]`, where: "union branch 1", problem: "already holds a array"},
	{name: "two maps in a union", text: `[{"type":"map","values":"int"},{"type":"map","values":"string"}]`, where: "union branch 1", problem: "already holds a map"},
	{name: "same named type twice in a union", text: rec(fld("u", `[`+enumE+`,"E"]`, "")), where: `record R: field "u": union branch 1`, problem: "already holds E (branch 0)"},

	// Defaults.
	{name: "fraction for int", text: rec(fld("a", `"int"`, "1.5")), where: `record R: field "a"`, problem: "default 1.5 is not a valid int: 1.5 is not an integer",
		java: "Avro Java 1.8 accepts any number for an int; 1.9 and later want an integer in range"},
	{name: "exponent for int", text: rec(fld("a", `"int"`, "1e2")), where: `record R: field "a"`, problem: "1e2 is not an integer",
		java: "Avro Java 1.8 accepts any number for an int; 1.9 and later want an integer in range"},
	{name: "int out of range", text: rec(fld("a", `"int"`, "2147483648")), where: `record R: field "a"`, problem: "from -2147483648 to 2147483647",
		java: "Avro Java 1.8 accepts any number for an int; 1.9 and later want an integer in range"},
	{name: "string for int", text: rec(fld("a", `"int"`, `"1"`)), where: `record R: field "a"`, problem: `"1" is not an integer`},
	{name: "null for int", text: rec(fld("a", `"int"`, "null")), where: `record R: field "a"`, problem: "default null is not a valid int"},
	{name: "long out of range", text: rec(fld("a", `"long"`, "9223372036854775808")), where: `record R: field "a"`, problem: "from -2^63 to 2^63-1",
		java: "Avro Java 1.8 accepts any number for a long"},
	{name: "fraction for long", text: rec(fld("a", `"long"`, "2.0")), where: `record R: field "a"`, problem: "2.0 is not an integer",
		java: "Avro Java 1.8 accepts any number for a long"},
	{name: "boolean for double", text: rec(fld("a", `"double"`, "true")), where: `record R: field "a"`, problem: "true is a boolean, not a number"},
	{name: "NaN string for double", text: rec(fld("a", `"double"`, `"NaN"`)), where: `record R: field "a"`, problem: "not by this project's Avro library",
		java: "Avro Java accepts a numeric string for a float or double field; hamba/avro does not"},
	{name: "number for boolean", text: rec(fld("a", `"boolean"`, "1")), where: `record R: field "a"`, problem: "1 is a number, not true or false"},
	{name: "number for string", text: rec(fld("a", `"string"`, "5")), where: `record R: field "a"`, problem: "5 is a number, not a string"},
	{name: "null for string", text: rec(fld("a", `"string"`, "null")), where: `record R: field "a"`, problem: "null is null, not a string"},
	{name: "bytes default above U+00FF", text: rec(fld("a", `"bytes"`, `"\u0100"`)), where: `record R: field "a"`, problem: `above \u00ff`,
		java: "Avro Java accepts any string for bytes; hamba/avro does not"},
	{name: "number for fixed", text: rec(fld("a", fixedF, `12`)), where: `record R: field "a"`, problem: "12 is a number, not a string"},
	{name: "enum field default not a symbol", text: rec(fld("e", enumE, `"Z"`)), where: `record R: field "e"`, problem: `"Z" is not one of the symbols [A B]`,
		java: "Avro Java accepts any string for an enum field; hamba/avro wants a symbol"},
	{name: "number for enum", text: rec(fld("e", enumE, `0`)), where: `record R: field "e"`, problem: "0 is a number, not a symbol"},
	{name: "bad array item", text: rec(fld("a", `{"type":"array","items":"int"}`, `[1,"x"]`)), where: `record R: field "a"`, problem: "item 1:"},
	{name: "object for array", text: rec(fld("a", `{"type":"array","items":"int"}`, `{}`)), where: `record R: field "a"`, problem: "is an object, not an array"},
	{name: "array for map", text: rec(fld("m", `{"type":"map","values":"int"}`, `[]`)), where: `record R: field "m"`, problem: "is an array, not an object"},
	{name: "bad map value", text: rec(fld("m", `{"type":"map","values":"int"}`, `{"a":1,"b":"x"}`)), where: `record R: field "m"`, problem: `value "b":`},
	{name: "union default of the second branch", text: rec(fld("a", `["null","int"]`, "1")), where: `record R: field "a"`, problem: `does not match the union's first branch (null)`},
	{name: "null default for a union with null second", text: rec(fld("a", `["int","null"]`, "null")), where: `record R: field "a"`, problem: `does not match the union's first branch (int)`},
	{name: "record default lacking a field without default", text: rec(fld("s", recS, `{"y":"v"}`)), where: `record R: field "s"`, problem: `field "x" of S is missing, and has no default`},
	{name: "record default of the wrong type", text: rec(fld("s", recS, `{"x":"1"}`)), where: `record R: field "s"`, problem: `field "x": "1" is not an integer`},
	{name: "string for record", text: rec(fld("s", recS, `"x"`)), where: `record R: field "s"`, problem: "is a string, not an object"},
	{name: "record defaulting to itself", text: rec(fld("next", `"R"`, `{}`)), where: `record R: field "next"`, problem: "nests too deeply"},
}

func TestParseValid(t *testing.T) {
	for _, c := range validSchemas {
		t.Run(c.name, func(t *testing.T) {
			if _, err := schema.Parse(c.text); err != nil {
				t.Fatalf("Parse(%s): %v", c.text, err)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, c := range invalidSchemas {
		t.Run(c.name, func(t *testing.T) {
			p, err := schema.Parse(c.text)
			if err == nil {
				t.Fatalf("Parse(%s) accepted it: %s", c.text, p.Canonical())
			}
			if !errors.Is(err, schema.ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			var e *schema.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *schema.Error", err, err)
			}
			if e.Where != c.where {
				t.Errorf("Where = %q, want %q (error: %v)", e.Where, c.where, err)
			}
			if !strings.Contains(e.Problem, c.problem) {
				t.Errorf("Problem = %q, want it to contain %q", e.Problem, c.problem)
			}
			if !strings.HasPrefix(err.Error(), "invalid avro schema: ") || !strings.Contains(err.Error(), e.Problem) {
				t.Errorf("Error() = %q, want the sentinel's text and the problem", err.Error())
			}
		})
	}
}

// TestParseProjectSchemas checks that the project's own schemas parse.
func TestParseProjectSchemas(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "avro", "*.avsc"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas under ../../avro: %v", err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := schema.Parse(string(text)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestParseModel(t *testing.T) {
	p, err := schema.Parse(`{"type":"record","name":"R","namespace":"n","aliases":["Old"],"doc":"d","fields":[
		{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"B"},"default":"A","order":"descending","aliases":["ee"],"doc":"fd"},
		{"name":"f","type":{"type":"fixed","name":"o.F","size":3}},
		{"name":"u","type":["null","E"],"default":null}]}`)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Root
	type fieldSummary struct {
		Name, Doc, Order, Default, Type string
		Aliases                         []string
	}
	var got []fieldSummary
	for _, f := range r.Fields {
		got = append(got, fieldSummary{f.Name, f.Doc, f.Order, string(f.Default), f.Type.Kind.String(), f.Aliases})
	}
	want := []fieldSummary{
		{"e", "fd", "descending", `"A"`, "enum", []string{"ee"}},
		{"f", "", "ascending", "", "fixed", nil},
		{"u", "", "ascending", "null", "union", nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if r.Name != "n.R" || r.Doc != "d" || !cmp.Equal(r.Aliases, []string{"n.Old"}) {
		t.Errorf("record: name %q doc %q aliases %v", r.Name, r.Doc, r.Aliases)
	}
	e := r.Fields[0].Type
	if e.Name != "n.E" || e.Default != "B" || !cmp.Equal(e.Symbols, []string{"A", "B"}) {
		t.Errorf("enum: %+v", e)
	}
	if f := r.Fields[1].Type; f.Name != "o.F" || f.Size != 3 {
		t.Errorf("fixed: %+v", f)
	}
	if u := r.Fields[2].Type; u.Branches[1] != e {
		t.Errorf("the union's E is not the enum defined before")
	}
}

// TestParseCrossCheckJava parses every table schema with Apache Avro Java
// 1.8.2 (Debian's libavro-java, defaults validated as 1.9 and later always
// do) and checks that it accepts and refuses the same schemas, except where
// a case says why it differs.
func TestParseCrossCheckJava(t *testing.T) {
	jars := []string{"avro.jar", "jackson-core-asl.jar", "jackson-mapper-asl.jar", "slf4j-api.jar", "slf4j-nop.jar"}
	for i, j := range jars {
		jars[i] = filepath.Join(javaDir, j)
		if _, err := os.Stat(jars[i]); err != nil {
			t.Skipf("libavro-java not installed (%v); .ci/run installs it", err)
		}
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		t.Skip("javac not installed")
	}
	cp := strings.Join(jars, ":")
	src, err := filepath.Abs(filepath.Join("testdata", "ParseCheck.java"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if out, err := exec.Command(javac, "-nowarn", "-cp", cp, "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	cases := append(append([]parseCase{}, validSchemas...), invalidSchemas...)
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.text
	}
	in, _ := json.Marshal(texts)
	cmd := exec.Command("java", "-Xss512k", "-cp", cp+":"+dir, "ParseCheck")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java ParseCheck: %v\n%s", err, stderr.String())
	}
	var verdicts []struct {
		Valid bool   `json:"valid"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out, &verdicts); err != nil || len(verdicts) != len(cases) {
		t.Fatalf("ParseCheck output (%d verdicts for %d cases): %v", len(verdicts), len(cases), err)
	}
	agree, differ := 0, 0
	for i, c := range cases {
		_, ourErr := schema.Parse(c.text)
		ours, java := ourErr == nil, verdicts[i].Valid
		switch {
		case c.java != "" && ours == java:
			t.Errorf("%s: marked as differing from Avro Java 1.8.2 (%s) but it agrees (valid=%v); drop the mark", c.name, c.java, java)
		case c.java != "":
			differ++
		case ours != java:
			t.Errorf("%s: Avro Java 1.8.2 says valid=%v (%s), we say valid=%v (%v)", c.name, java, verdicts[i].Error, ours, ourErr)
		default:
			agree++
		}
	}
	t.Logf("Avro Java 1.8.2 agrees on %d of %d schemas; %d differ for the reasons marked", agree, len(cases), differ)
}

// FuzzParse checks that Parse never panics, that every schema it accepts
// is well named (the fuzzer once found records and fields without names
// let through), and that its Parsing Canonical Form parses to itself.
func FuzzParse(f *testing.F) {
	for _, c := range validSchemas {
		f.Add(c.text)
	}
	for _, c := range invalidSchemas {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := schema.Parse(text)
		if err != nil {
			if !errors.Is(err, schema.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		schema.Walk(p.Root, func(n *schema.Schema) bool {
			if n.Kind.IsNamed() {
				for _, part := range strings.Split(n.Name, ".") {
					if part == "" {
						t.Errorf("accepted a named type with an invalid name %q", n.Name)
					}
				}
			}
			seen := map[string]bool{}
			for _, fl := range n.Fields {
				if fl.Name == "" || seen[fl.Name] {
					t.Errorf("accepted record %s with field name %q empty or repeated", n.Name, fl.Name)
				}
				seen[fl.Name] = true
			}
			if n.Kind == schema.Union {
				for _, b := range n.Branches {
					if b.Kind == schema.Union {
						t.Errorf("accepted a nested union")
					}
				}
			}
			return true
		})
		again, err := schema.Parse(p.Canonical())
		if err != nil {
			t.Fatalf("the canonical form %s of an accepted schema does not parse: %v", p.Canonical(), err)
		}
		if again.Canonical() != p.Canonical() {
			t.Errorf("canonical form changed on reparse:\n%s\n%s", p.Canonical(), again.Canonical())
		}
	})
}

func TestParsedCompact(t *testing.T) {
	text := "{\n  \"type\": \"record\", \"name\": \"R\",\n  \"doc\": \"a  b\",\n  \"fields\": [ {\"name\": \"a\", \"type\": \"int\", \"default\": 1} ]\n}\n"
	p, err := schema.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"record","name":"R","doc":"a  b","fields":[{"name":"a","type":"int","default":1}]}`
	if got := p.Compact(); got != want {
		t.Errorf("Compact() = %s, want %s", got, want)
	}
	if p.Text() != text {
		t.Errorf("Text() changed")
	}
}

// javaDir is where Debian installs the jars of libavro-java and its
// dependencies.
const javaDir = "/usr/share/java"
