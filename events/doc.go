// Package events holds the Go types generated from the event contracts in
// avro/: one type per event, with its schema, topic, subject and key, and
// reflection-free Avro encoding and decoding. Each event's contract is a
// variable (DeadlinePassedContract), and Contracts lists them all in the
// manifest's order.
//
// Do not edit the generated files; edit the .avsc files and run
// "make generate" (or "go generate ./events").
package events

//go:generate go run ../tools/eventctl generate -manifest ../avro/manifest.json
