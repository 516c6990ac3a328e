// Package corpus is generated from the schemas of codegen/testdata/corpus,
// which use every Avro type and shape the generator supports. Its tests
// round-trip values through the generated code and check the encoding
// against hamba/avro and Apache Avro for Python.
package corpus

//go:generate go run ../../../tools/eventctl generate -manifest ../../testdata/corpus/manifest.json
