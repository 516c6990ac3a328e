package compat

import (
	"fmt"
	"strings"
)

// rwCase is one reader/writer pair with the verdict the Avro specification
// (as Apache Avro Java 1.11 applies it) gives: want lists every expected
// problem as "KIND LOCATION", empty for a compatible pair.
type rwCase struct {
	name           string
	reader, writer string
	want           []string
	// python, when set, says why python3-avro's port of the checker is known
	// to answer differently; the cross-check then skips the comparison of
	// kinds and locations (and of the verdict when pythonVerdict is set).
	python        string
	pythonVerdict bool
	// java18, when set, says why Apache Avro Java 1.8.2 (Debian's
	// libavro-java) gives the other verdict: its checker predates enum
	// defaults, unqualified name matching and non-union readers of writer
	// unions.
	java18 string
	// selfIncompatible marks a case whose reader cannot read data written
	// with itself (Java's own quirk, kept).
	selfIncompatible bool
}

// The promotions the Avro specification allows ("Schema Resolution": the
// writer's type may be promoted to the reader's), plus every type read as
// itself.
var promotions = map[[2]string]bool{
	{"int", "long"}: true, {"int", "float"}: true, {"int", "double"}: true,
	{"long", "float"}: true, {"long", "double"}: true,
	{"float", "double"}: true,
	{"string", "bytes"}: true, {"bytes", "string"}: true,
}

var primitiveNames = []string{"null", "boolean", "int", "long", "float", "double", "bytes", "string"}

// primitiveCases crosses every primitive reader with every primitive writer.
func primitiveCases() []rwCase {
	var out []rwCase
	for _, w := range primitiveNames {
		for _, r := range primitiveNames {
			c := rwCase{name: fmt.Sprintf("primitive/%s reads %s", r, w), reader: `"` + r + `"`, writer: `"` + w + `"`}
			if r != w && !promotions[[2]string{w, r}] {
				c.want = []string{"TYPE_MISMATCH /"}
			}
			out = append(out, c)
		}
	}
	return out
}

// rec wraps fields (JSON objects, comma separated) in a record named name.
func rec(name, fields string) string {
	return `{"type":"record","name":"` + name + `","namespace":"ns","fields":[` + fields + `]}`
}

// The list node of a recursive linked list, with extra fields.
func list(valueType, extra string) string {
	f := `{"name":"value","type":"` + valueType + `"},{"name":"next","type":["null","LongList"],"default":null}`
	if extra != "" {
		f += "," + extra
	}
	return rec("LongList", f)
}

func enumOf(name string, symbols ...string) string {
	return `{"type":"enum","name":"` + name + `","symbols":["` + strings.Join(symbols, `","`) + `"]}`
}

var handCases = []rwCase{
	// Records and fields.
	{name: "record/identical", reader: rec("R", `{"name":"a","type":"int"}`), writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "record/reader adds field without default",
		reader: rec("R", `{"name":"a","type":"int"},{"name":"b","type":"string"}`), writer: rec("R", `{"name":"a","type":"int"}`),
		want: []string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/1"}},
	{name: "record/reader adds field with default",
		reader: rec("R", `{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}`), writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "record/reader adds optional field with null default",
		reader: rec("R", `{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}`), writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "record/reader drops a writer field",
		reader: rec("R", `{"name":"a","type":"int"}`), writer: rec("R", `{"name":"a","type":"int"},{"name":"b","type":"string"}`)},
	{name: "record/reader with no fields reads anything", reader: rec("R", ``), writer: rec("R", `{"name":"a","type":"int"},{"name":"b","type":"string"}`)},
	{name: "record/field promoted int to long",
		reader: rec("R", `{"name":"a","type":"long"}`), writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "record/field narrowed long to int",
		reader: rec("R", `{"name":"a","type":"int"}`), writer: rec("R", `{"name":"a","type":"long"}`),
		want: []string{"TYPE_MISMATCH /fields/0/type"}},
	{name: "record/fields reordered",
		reader: rec("R", `{"name":"b","type":"string"},{"name":"a","type":"int"}`), writer: rec("R", `{"name":"a","type":"int"},{"name":"b","type":"string"}`)},
	{name: "record/field renamed with reader alias",
		reader: rec("R", `{"name":"b","type":"int","aliases":["a"]}`), writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "record/field renamed with reader alias, type changed",
		reader: rec("R", `{"name":"b","type":"int","aliases":["a"]}`), writer: rec("R", `{"name":"a","type":"string"}`),
		want: []string{"TYPE_MISMATCH /fields/0/type"}},
	{name: "record/field renamed without alias",
		reader: rec("R", `{"name":"b","type":"int"}`), writer: rec("R", `{"name":"a","type":"int"}`),
		want: []string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/0"}},
	{name: "record/writer field aliases are not used",
		reader: rec("R", `{"name":"b","type":"int"}`), writer: rec("R", `{"name":"a","type":"int","aliases":["b"]}`),
		want: []string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/0"}},
	{name: "record/field name and alias match two writer fields",
		reader: rec("R", `{"name":"a","type":"int","aliases":["b"]}`), writer: rec("R", `{"name":"a","type":"int"},{"name":"b","type":"int"}`),
		want:   []string{"READER_FIELD_MATCHES_MULTIPLE_WRITER_FIELDS /fields/0"},
		python: "python3-avro takes the first match instead of failing", pythonVerdict: true},
	{name: "record/field alias equal to its own name",
		reader: rec("R", `{"name":"a","type":"int","aliases":["a"]}`), writer: rec("R", `{"name":"a","type":"int"}`),
		want:   []string{"READER_FIELD_MATCHES_MULTIPLE_WRITER_FIELDS /fields/0"},
		python: "python3-avro takes the first match instead of failing", pythonVerdict: true, selfIncompatible: true},
	{name: "record/repeated alias counts once",
		reader: rec("R", `{"name":"b","type":"int","aliases":["a","a"]}`), writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "record/every problem reported",
		reader: rec("R", `{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long"}`),
		writer: rec("R", `{"name":"a","type":"string"},{"name":"c","type":"string"}`),
		want:   []string{"TYPE_MISMATCH /fields/0/type", "READER_FIELD_MISSING_DEFAULT_VALUE /fields/1", "TYPE_MISMATCH /fields/2/type"}},
	{name: "record/two fields added without defaults",
		reader: rec("R", `{"name":"x","type":"int"},{"name":"a","type":"int"},{"name":"y","type":"int"}`), writer: rec("R", `{"name":"a","type":"int"}`),
		want: []string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/0", "READER_FIELD_MISSING_DEFAULT_VALUE /fields/2"}},
	{name: "record/renamed record",
		reader: rec("S", `{"name":"a","type":"int"}`), writer: rec("R", `{"name":"a","type":"int"}`),
		want: []string{"NAME_MISMATCH /name"}},
	{name: "record/renamed record and changed field both reported",
		reader: rec("S", `{"name":"a","type":"int"}`), writer: rec("R", `{"name":"a","type":"string"}`),
		want: []string{"NAME_MISMATCH /name", "TYPE_MISMATCH /fields/0/type"}},
	{name: "record/namespace changed, same unqualified name",
		reader: `{"type":"record","name":"R","namespace":"a","fields":[{"name":"f","type":"int"}]}`,
		writer: `{"type":"record","name":"R","namespace":"b","fields":[{"name":"f","type":"int"}]}`,
		java18: "Avro 1.8 compares full names"},
	{name: "record/renamed with full-name alias",
		reader: `{"type":"record","name":"New","namespace":"x","aliases":["y.Old"],"fields":[{"name":"f","type":"int"}]}`,
		writer: `{"type":"record","name":"Old","namespace":"y","fields":[{"name":"f","type":"int"}]}`},
	{name: "record/renamed with unqualified alias takes the reader's namespace",
		reader: `{"type":"record","name":"New","namespace":"x","aliases":["Old"],"fields":[{"name":"f","type":"int"}]}`,
		writer: `{"type":"record","name":"Old","namespace":"x","fields":[{"name":"f","type":"int"}]}`,
		python: "python3-avro compares raw aliases with the writer's full name", pythonVerdict: true},
	{name: "record/unqualified alias in another namespace does not match",
		reader: `{"type":"record","name":"New","namespace":"x","aliases":["Old"],"fields":[{"name":"f","type":"int"}]}`,
		writer: `{"type":"record","name":"Old","namespace":"y","fields":[{"name":"f","type":"int"}]}`,
		want:   []string{"NAME_MISMATCH /name"}},
	{name: "record/writer aliases do not rename",
		reader: `{"type":"record","name":"New","fields":[{"name":"f","type":"int"}]}`,
		writer: `{"type":"record","name":"Old","aliases":["New"],"fields":[{"name":"f","type":"int"}]}`,
		want:   []string{"NAME_MISMATCH /name"}},
	{name: "record/docs, order and extra attributes do not matter",
		reader: rec("R", `{"name":"a","type":"int","doc":"new doc","order":"descending","x-extra":1}`), writer: rec("R", `{"name":"a","type":"int","doc":"old"}`)},
	{name: "record/nested record field type changed",
		reader: rec("R", `{"name":"a","type":"int"},{"name":"in","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int"}]}}`),
		writer: rec("R", `{"name":"a","type":"int"},{"name":"in","type":{"type":"record","name":"In","fields":[{"name":"x","type":"boolean"}]}}`),
		want:   []string{"TYPE_MISMATCH /fields/1/type/fields/0/type"}},
	{name: "record/nested record gains field without default",
		reader: rec("R", `{"name":"in","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]}}`),
		writer: rec("R", `{"name":"in","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int"}]}}`),
		want:   []string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/0/type/fields/1"}},
	{name: "record/nested record renamed",
		reader: rec("R", `{"name":"in","type":{"type":"record","name":"In2","fields":[]}}`),
		writer: rec("R", `{"name":"in","type":{"type":"record","name":"In","fields":[]}}`),
		want:   []string{"NAME_MISMATCH /fields/0/type/name"}},
	{name: "record/named type reused: problem reported once at its definition",
		reader: rec("R", `{"name":"a","type":{"type":"record","name":"Foo","fields":[{"name":"x","type":"int"}]}},{"name":"b","type":"Foo"}`),
		writer: rec("R", `{"name":"a","type":{"type":"record","name":"Foo","fields":[{"name":"x","type":"string"}]}},{"name":"b","type":"Foo"}`),
		want:   []string{"TYPE_MISMATCH /fields/0/type/fields/0/type"}},
	{name: "record/record versus string", reader: rec("R", `{"name":"a","type":"int"}`), writer: `"string"`, want: []string{"TYPE_MISMATCH /"}},
	{name: "record/record versus map", reader: rec("R", ``), writer: `{"type":"map","values":"int"}`, want: []string{"TYPE_MISMATCH /"}},

	// Enums.
	{name: "enum/identical", reader: enumOf("E", "A", "B"), writer: enumOf("E", "A", "B")},
	{name: "enum/reader has more symbols", reader: enumOf("E", "A", "B", "C"), writer: enumOf("E", "A", "B")},
	{name: "enum/symbols reordered", reader: enumOf("E", "B", "A"), writer: enumOf("E", "A", "B")},
	{name: "enum/reader lacks a symbol", reader: enumOf("E", "A", "B"), writer: enumOf("E", "A", "B", "C"),
		want: []string{"MISSING_ENUM_SYMBOLS /symbols"}},
	{name: "enum/reader lacks symbols but has a default",
		reader: `{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`, writer: enumOf("E", "A", "B", "C", "D"),
		java18: "Avro 1.8 has no enum defaults"},
	{name: "enum/writer default does not help",
		reader: enumOf("E", "A", "B"), writer: `{"type":"enum","name":"E","symbols":["A","B","C"],"default":"A"}`,
		want: []string{"MISSING_ENUM_SYMBOLS /symbols"}},
	{name: "enum/renamed", reader: enumOf("F", "A"), writer: enumOf("E", "A"), want: []string{"NAME_MISMATCH /name"}},
	{name: "enum/renamed and lacking symbols", reader: enumOf("F", "A"), writer: enumOf("E", "A", "B"),
		want: []string{"NAME_MISMATCH /name", "MISSING_ENUM_SYMBOLS /symbols"}},
	{name: "enum/renamed with alias",
		reader: `{"type":"enum","name":"F","aliases":["E"],"symbols":["A"]}`, writer: enumOf("E", "A")},
	{name: "enum/in a field lacks a symbol",
		reader: rec("R", `{"name":"s","type":`+enumOf("Status", "NEW", "DONE")+`}`),
		writer: rec("R", `{"name":"s","type":`+enumOf("Status", "NEW", "DONE", "LATE")+`}`),
		want:   []string{"MISSING_ENUM_SYMBOLS /fields/0/type/symbols"}},
	{name: "enum/field with enum default but no field default, missing from writer",
		reader: rec("R", `{"name":"a","type":"int"},{"name":"s","type":{"type":"enum","name":"S","symbols":["X","Y"],"default":"X"}}`),
		writer: rec("R", `{"name":"a","type":"int"}`),
		want:   []string{"TYPE_MISMATCH /fields/1/type"}},
	{name: "enum/field with a field default, missing from writer",
		reader: rec("R", `{"name":"a","type":"int"},{"name":"s","type":{"type":"enum","name":"S","symbols":["X","Y"],"default":"X"},"default":"Y"}`),
		writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "enum/string does not read an enum", reader: `"string"`, writer: enumOf("E", "A"), want: []string{"TYPE_MISMATCH /"}},
	{name: "enum/enum does not read a string", reader: enumOf("E", "A"), writer: `"string"`, want: []string{"TYPE_MISMATCH /"}},

	// Fixed.
	{name: "fixed/identical", reader: `{"type":"fixed","name":"F","size":16}`, writer: `{"type":"fixed","name":"F","size":16}`},
	{name: "fixed/size changed", reader: `{"type":"fixed","name":"F","size":16}`, writer: `{"type":"fixed","name":"F","size":8}`,
		want: []string{"FIXED_SIZE_MISMATCH /size"}},
	{name: "fixed/renamed", reader: `{"type":"fixed","name":"G","size":4}`, writer: `{"type":"fixed","name":"F","size":4}`,
		want: []string{"NAME_MISMATCH /name"}},
	{name: "fixed/renamed and resized", reader: `{"type":"fixed","name":"G","size":4}`, writer: `{"type":"fixed","name":"F","size":5}`,
		want: []string{"NAME_MISMATCH /name", "FIXED_SIZE_MISMATCH /size"}},
	{name: "fixed/renamed with alias", reader: `{"type":"fixed","name":"G","aliases":["F"],"size":4}`, writer: `{"type":"fixed","name":"F","size":4}`},
	{name: "fixed/bytes does not read fixed", reader: `"bytes"`, writer: `{"type":"fixed","name":"F","size":4}`, want: []string{"TYPE_MISMATCH /"}},
	{name: "fixed/fixed does not read bytes", reader: `{"type":"fixed","name":"F","size":4}`, writer: `"bytes"`, want: []string{"TYPE_MISMATCH /"}},
	{name: "fixed/in a field, resized",
		reader: rec("R", `{"name":"id","type":{"type":"fixed","name":"Id","size":16}}`), writer: rec("R", `{"name":"id","type":{"type":"fixed","name":"Id","size":12}}`),
		want: []string{"FIXED_SIZE_MISMATCH /fields/0/type/size"}},

	// Arrays and maps.
	{name: "array/items promoted", reader: `{"type":"array","items":"long"}`, writer: `{"type":"array","items":"int"}`},
	{name: "array/items narrowed", reader: `{"type":"array","items":"int"}`, writer: `{"type":"array","items":"long"}`,
		want: []string{"TYPE_MISMATCH /items"}},
	{name: "array/of arrays", reader: `{"type":"array","items":{"type":"array","items":"int"}}`, writer: `{"type":"array","items":{"type":"array","items":"double"}}`,
		want: []string{"TYPE_MISMATCH /items/items"}},
	{name: "array/of records gaining a field",
		reader: `{"type":"array","items":` + rec("I", `{"name":"a","type":"int"},{"name":"b","type":"int"}`) + `}`,
		writer: `{"type":"array","items":` + rec("I", `{"name":"a","type":"int"}`) + `}`,
		want:   []string{"READER_FIELD_MISSING_DEFAULT_VALUE /items/fields/1"}},
	{name: "array/versus map", reader: `{"type":"array","items":"int"}`, writer: `{"type":"map","values":"int"}`, want: []string{"TYPE_MISMATCH /"}},
	{name: "array/versus its item type", reader: `{"type":"array","items":"int"}`, writer: `"int"`, want: []string{"TYPE_MISMATCH /"}},
	{name: "map/values promoted", reader: `{"type":"map","values":"double"}`, writer: `{"type":"map","values":"float"}`},
	{name: "map/values changed", reader: `{"type":"map","values":"string"}`, writer: `{"type":"map","values":"boolean"}`,
		want: []string{"TYPE_MISMATCH /values"}},
	{name: "map/string and bytes values", reader: `{"type":"map","values":"bytes"}`, writer: `{"type":"map","values":"string"}`},
	{name: "map/in a field",
		reader: rec("R", `{"name":"m","type":{"type":"map","values":"int"}}`), writer: rec("R", `{"name":"m","type":{"type":"map","values":"long"}}`),
		want: []string{"TYPE_MISMATCH /fields/0/type/values"}},
	{name: "map/versus array", reader: `{"type":"map","values":"int"}`, writer: `{"type":"array","items":"int"}`, want: []string{"TYPE_MISMATCH /"}},

	// Unions.
	{name: "union/identical", reader: `["null","int"]`, writer: `["null","int"]`},
	{name: "union/branches reordered", reader: `["int","null"]`, writer: `["null","int"]`},
	{name: "union/reader adds a branch", reader: `["null","int","string"]`, writer: `["null","int"]`},
	{name: "union/reader drops a branch", reader: `["null","int"]`, writer: `["null","int","string"]`,
		want: []string{"MISSING_UNION_BRANCH /2"}},
	{name: "union/reader drops two branches", reader: `["string"]`, writer: `["null","int","string","boolean"]`,
		want: []string{"MISSING_UNION_BRANCH /0", "MISSING_UNION_BRANCH /1", "MISSING_UNION_BRANCH /3"}},
	{name: "union/branch read by promotion", reader: `["null","long"]`, writer: `["null","int"]`},
	{name: "union/several branches read by one promoted branch", reader: `["null","double"]`, writer: `["int","long","float"]`},
	{name: "union/reader union reads a plain writer", reader: `["null","string"]`, writer: `"string"`},
	{name: "union/reader union reads a plain writer by promotion", reader: `["null","long"]`, writer: `"int"`},
	{name: "union/reader union lacks the writer's type", reader: `["null","int"]`, writer: `"string"`,
		want: []string{"MISSING_UNION_BRANCH /"}},
	{name: "union/plain reader of a writer union", reader: `"string"`, writer: `["null","string"]`,
		want: []string{"TYPE_MISMATCH /0"}},
	{name: "union/plain reader of a single-branch union", reader: `"string"`, writer: `["string"]`},
	{name: "union/plain reader of a union it reads entirely", reader: `"long"`, writer: `["int","long"]`,
		java18: "Avro 1.8 fails any non-union reader of a union of several branches"},
	{name: "union/plain reader of a union, several branches fail", reader: `"int"`, writer: `["int","long","string"]`,
		want: []string{"TYPE_MISMATCH /1", "TYPE_MISMATCH /2"}},
	{name: "union/field made required", reader: rec("R", `{"name":"a","type":"string"}`), writer: rec("R", `{"name":"a","type":["null","string"]}`),
		want: []string{"TYPE_MISMATCH /fields/0/type/0"}},
	{name: "union/field made optional", reader: rec("R", `{"name":"a","type":["null","string"],"default":null}`), writer: rec("R", `{"name":"a","type":"string"}`)},
	{name: "union/null only", reader: `["null"]`, writer: `["null","int"]`, want: []string{"MISSING_UNION_BRANCH /1"}},
	{name: "union/string branch reads bytes", reader: `["null","string"]`, writer: `"bytes"`},
	{name: "union/records matched by name",
		reader: `["null",` + rec("A", `{"name":"x","type":"int"}`) + `,` + rec("B", `{"name":"y","type":"int"}`) + `]`,
		writer: rec("B", `{"name":"y","type":"int"}`)},
	{name: "union/record matched by alias",
		reader: `["null",{"type":"record","name":"New","namespace":"ns","aliases":["ns.Old"],"fields":[]}]`,
		writer: `["null",{"type":"record","name":"Old","namespace":"ns","fields":[]}]`},
	{name: "union/record branch gains a field without default",
		reader: `["null",` + rec("Foo", `{"name":"x","type":"int"},{"name":"y","type":"int"}`) + `]`,
		writer: `["null",` + rec("Foo", `{"name":"x","type":"int"}`) + `]`,
		want:   []string{"MISSING_UNION_BRANCH /1"}},
	{name: "union/record branch gains a field with default",
		reader: `["null",` + rec("Foo", `{"name":"x","type":"int"},{"name":"y","type":"int","default":0}`) + `]`,
		writer: `["null",` + rec("Foo", `{"name":"x","type":"int"}`) + `]`},
	{name: "union/enum branch lacks a symbol",
		reader: `["null",` + enumOf("E", "A") + `]`, writer: `["null",` + enumOf("E", "A", "B") + `]`,
		want: []string{"MISSING_UNION_BRANCH /1"}},
	{name: "union/in a field, branch dropped",
		reader: rec("R", `{"name":"v","type":["null","int"]}`), writer: rec("R", `{"name":"v","type":["null","int","string"]}`),
		want: []string{"MISSING_UNION_BRANCH /fields/0/type/2"}},
	{name: "union/reader record of a union writer with a record branch",
		reader: rec("R", `{"name":"a","type":"int"}`), writer: `["null",` + rec("R", `{"name":"a","type":"int"}`) + `]`,
		want: []string{"TYPE_MISMATCH /0"}},
	{name: "union/reader union with the writer's record", reader: `["null",` + rec("R", `{"name":"a","type":"int"}`) + `]`, writer: rec("R", `{"name":"a","type":"int"}`)},
	{name: "union/array branch items changed",
		reader: `["null",{"type":"array","items":"int"}]`, writer: `["null",{"type":"array","items":"string"}]`,
		want: []string{"MISSING_UNION_BRANCH /1"}},

	// Recursive types.
	{name: "recursive/identical lists", reader: list("long", ""), writer: list("long", "")},
	{name: "recursive/list value promoted", reader: list("long", ""), writer: list("int", "")},
	{name: "recursive/list value narrowed", reader: list("int", ""), writer: list("long", ""),
		want: []string{"TYPE_MISMATCH /fields/0/type"}},
	{name: "recursive/list gains field with default", reader: list("long", `{"name":"tag","type":"string","default":""}`), writer: list("long", "")},
	{name: "recursive/list gains field without default", reader: list("long", `{"name":"tag","type":"string"}`), writer: list("long", ""),
		want: []string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/2"}},
	{name: "recursive/tree through an array",
		reader: rec("Tree", `{"name":"v","type":"long"},{"name":"children","type":{"type":"array","items":"Tree"}}`),
		writer: rec("Tree", `{"name":"v","type":"int"},{"name":"children","type":{"type":"array","items":"Tree"}}`)},
	{name: "recursive/tree through a map, value narrowed",
		reader: rec("Tree", `{"name":"v","type":"float"},{"name":"kids","type":{"type":"map","values":"Tree"}}`),
		writer: rec("Tree", `{"name":"v","type":"double"},{"name":"kids","type":{"type":"map","values":"Tree"}}`),
		want:   []string{"TYPE_MISMATCH /fields/0/type"}},
	{name: "recursive/mutually recursive records",
		reader: rec("A", `{"name":"b","type":["null",{"type":"record","name":"B","fields":[{"name":"a","type":["null","A"]},{"name":"n","type":"long"}]}]}`),
		writer: rec("A", `{"name":"b","type":["null",{"type":"record","name":"B","fields":[{"name":"a","type":["null","A"]},{"name":"n","type":"int"}]}]}`)},

	// Logical types do not change compatibility.
	{name: "logical/timestamp-millis reads timestamp-micros",
		reader: `{"type":"long","logicalType":"timestamp-millis"}`, writer: `{"type":"long","logicalType":"timestamp-micros"}`},
	{name: "logical/plain long reads a timestamp", reader: `"long"`, writer: `{"type":"long","logicalType":"timestamp-micros"}`},
	{name: "logical/timestamp reads a date by promotion",
		reader: `{"type":"long","logicalType":"timestamp-micros"}`, writer: `{"type":"int","logicalType":"date"}`},
	{name: "logical/date does not read a timestamp",
		reader: `{"type":"int","logicalType":"date"}`, writer: `{"type":"long","logicalType":"timestamp-micros"}`,
		want: []string{"TYPE_MISMATCH /"}},
	{name: "logical/decimal precision changed",
		reader: `{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}`, writer: `{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}`},
	{name: "logical/decimal bytes does not read decimal fixed",
		reader: `{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}`,
		writer: `{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":4,"scale":1}`,
		want:   []string{"TYPE_MISMATCH /"}},
	{name: "logical/uuid reads string", reader: `{"type":"string","logicalType":"uuid"}`, writer: `"string"`},
	{name: "logical/string reads uuid as bytes", reader: `"bytes"`, writer: `{"type":"string","logicalType":"uuid"}`},
	{name: "logical/duration fixed reads plain fixed of the same name and size",
		reader: `{"type":"fixed","name":"F","size":12,"logicalType":"duration"}`, writer: `{"type":"fixed","name":"F","size":12}`},

	// The project's own event, evolved.
	{name: "event/deadline.passed adds a required field",
		reader: deadline(`,{"name":"cafe_name","type":"string"}`), writer: deadline(``),
		want: []string{"READER_FIELD_MISSING_DEFAULT_VALUE /fields/4"}},
	{name: "event/deadline.passed adds an optional field", reader: deadline(`,{"name":"cafe_name","type":["null","string"],"default":null}`), writer: deadline(``)},
	{name: "event/deadline.passed read by a version without the new field", reader: deadline(``), writer: deadline(`,{"name":"cafe_name","type":"string"}`)},
}

// deadline is the project's deadline.passed schema with extra fields.
func deadline(extra string) string {
	return `{"type":"record","name":"DeadlinePassed","namespace":"lunchbot.events","fields":[
	{"name":"type","type":"string","default":"deadline.passed"},
	{"name":"cafe_id","type":"long"},
	{"name":"date","type":{"type":"int","logicalType":"date"}},
	{"name":"timestamp","type":{"type":"long","logicalType":"timestamp-micros"}}` + extra + `]}`
}

func allCases() []rwCase {
	return append(primitiveCases(), handCases...)
}
