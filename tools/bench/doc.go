// Package bench holds the benchmarks that put eventkit side by side with the
// alternatives a Go service could use instead: hamba/avro, linkedin/goavro,
// confluent-kafka-go's schemaregistry serde (avrov2), franz-go's sr.Serde,
// a hand-written codec (the floor) and a memcpy of the same bytes (the
// reference), and, against a local kfake broker, raw confluent-kafka-go
// producers and consumers.
//
// It is a module of its own so that the SDK's go.mod gains none of the
// alternatives as dependencies. Everything is in _test.go files except the
// generated larger record (package benchevents, from schemas/ with
// `go generate`) and the ratio printer (cmd/benchratio). Run it with
// `make bench` from the repository root; BENCHMARKS.md has the latest
// results.
package bench

//go:generate go -C ../.. run ./tools/eventctl generate -manifest tools/bench/schemas/manifest.json
