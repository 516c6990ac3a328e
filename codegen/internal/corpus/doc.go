// Package corpus is generated from the schemas of codegen/testdata/corpus,
// which use every Avro type and shape the generator supports: hand-written
// ones, and those of gen/, which codegen/internal/corpusgen writes (every
// primitive and logical type in every shape, records that recurse, names
// that clash in Go, aliases) with the manifest and corpusevents_test.go.
// Its tests round-trip random values (values_test.go) through the
// generated code and check the encoding against hamba/avro and Apache Avro
// for Python.
package corpus

//go:generate go run ../corpusgen -root ../../..
//go:generate go run ../../../tools/eventctl generate -manifest ../../testdata/corpus/manifest.json
