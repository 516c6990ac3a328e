package main

import "fmt"

// matrixType is one type of the matrix: every primitive, every logical type
// on each underlying type it has, an enum and a fixed.
type matrixType struct {
	// name names the schema: its file matrix_<name>.avsc and its
	// namespace corpus.matrix.<name>.
	name string
	// schema is the type; a named type's definition, which its first use
	// writes and later uses refer to by name.
	schema any
	named  string
	// key: values of the type can key messages; the event's key field is
	// its field "value".
	key bool
}

func logical(base, logicalType string) obj {
	return obj{{"type", base}, {"logicalType", logicalType}}
}

var matrixTypes = []matrixType{
	{name: "null", schema: "null"},
	{name: "boolean", schema: "boolean"},
	{name: "int", schema: "int", key: true},
	{name: "long", schema: "long", key: true},
	{name: "float", schema: "float"},
	{name: "double", schema: "double"},
	{name: "bytes", schema: "bytes", key: true},
	{name: "string", schema: "string", key: true},
	{name: "date", schema: logical("int", "date"), key: true},
	{name: "time_millis", schema: logical("int", "time-millis")},
	{name: "time_micros", schema: logical("long", "time-micros")},
	{name: "timestamp_millis", schema: logical("long", "timestamp-millis")},
	{name: "timestamp_micros", schema: logical("long", "timestamp-micros")},
	{name: "timestamp_nanos", schema: logical("long", "timestamp-nanos")},
	{name: "local_timestamp_millis", schema: logical("long", "local-timestamp-millis")},
	{name: "local_timestamp_micros", schema: logical("long", "local-timestamp-micros")},
	{name: "local_timestamp_nanos", schema: logical("long", "local-timestamp-nanos")},
	{name: "uuid_string", schema: logical("string", "uuid"), key: true},
	{name: "uuid_fixed", named: "ID", schema: obj{{"type", "fixed"}, {"name", "ID"}, {"size", 16}, {"logicalType", "uuid"}}},
	{name: "decimal_bytes", schema: logical("bytes", "decimal").with("precision", 30).with("scale", 9)},
	{name: "decimal_fixed", named: "Amount",
		schema: obj{{"type", "fixed"}, {"name", "Amount"}, {"size", 5}, {"logicalType", "decimal"}, {"precision", 11}, {"scale", 0}}},
	{name: "duration", named: "Span", schema: obj{{"type", "fixed"}, {"name", "Span"}, {"size", 12}, {"logicalType", "duration"}}},
	{name: "enum", named: "Color", key: true,
		schema: obj{{"type", "enum"}, {"name", "Color"}, {"symbols", []string{"RED", "GREEN", "BLUE"}}, {"default", "RED"}}},
	{name: "fixed", named: "Blob", schema: obj{{"type", "fixed"}, {"name", "Blob"}, {"size", 6}}},
}

// base returns the Avro type underlying the matrix type: what a union may
// hold once.
func (mt matrixType) base() string {
	switch s := mt.schema.(type) {
	case string:
		return s
	case obj:
		return s[0].value.(string)
	}
	panic("corpusgen: no base type")
}

// matrixSchema returns the schema of type mt in every shape, a field
// each: alone, optional, in unions, in arrays and maps and those nested,
// and in a record, its array and map. The schema's other named types are
// Holder (a record of the type) and Other (a record to share unions
// with), in the namespace of the schema, so that the schemas' Holders and
// Others clash by short name.
func matrixSchema(mt matrixType) obj {
	defined := false
	t := func() any {
		if mt.named == "" || !defined {
			defined = true
			return mt.schema
		}
		return mt.named
	}
	// another is a type of another kind, which a union may hold beside it.
	another := "string"
	if mt.base() == "string" {
		another = "long"
	}
	null := mt.base() == "null"
	other := func() any { return "Other" }
	var fields []obj
	add := func(name string, typ any) { fields = append(fields, field(name, typ)) }
	unlessNull := func(name string, typ func() any) {
		if !null {
			add(name, typ())
		}
	}

	add("value", t())
	unlessNull("optional", func() any { return union("null", t()) })
	unlessNull("optional_last", func() any { return union(t(), "null") })
	if null {
		add("union", union("null", another, record("Other", "A record to share unions with.", field("n", "long"))))
	} else {
		add("union", union("null", t(), another, record("Other", "A record to share unions with.", field("n", "long"))))
	}
	unlessNull("union_first", func() any { return union(t(), another) })
	add("array", array(t()))
	add("map", mapOf(t()))
	add("array_of_arrays", array(array(t())))
	add("map_of_arrays", mapOf(array(t())))
	add("array_of_maps", array(mapOf(t())))
	add("map_of_maps", mapOf(mapOf(t())))
	unlessNull("array_of_optionals", func() any { return array(union("null", t())) })
	unlessNull("map_of_optionals", func() any { return mapOf(union(t(), "null")) })
	if null {
		add("array_of_unions", array(union("null", another, other())))
	} else {
		add("array_of_unions", array(union(t(), another, other())))
	}
	add("optional_array", union("null", array(t())))
	add("optional_map", union(mapOf(t()), "null"))
	holder := []obj{field("value", t()), field("values", array(t()))}
	if !null {
		holder = append(holder, field("maybe", union("null", t())))
	}
	add("record", record("Holder", "Holds the type in a record.", holder...))
	add("records", array("Holder"))
	add("record_map", mapOf("Holder"))
	add("optional_record", union("null", "Holder"))

	return inNamespace(record("Matrix", generatedDoc+fmt.Sprintf(" The type %s in every shape.", mt.name), fields...), "corpus.matrix."+mt.name)
}
