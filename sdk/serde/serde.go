// Package serde turns generated events into Confluent wire-format bytes and
// back, with the schema ids of a schema registry.
//
// A Serializer finds the registry id of each event's contract once (Warm,
// or the first Append) and then frames and encodes events without calling
// the registry or allocating. A Deserializer reads the writer's schema id
// from each message, fetches that schema once, and decodes either with the
// event's generated decoder directly (the writer used the reader's schema)
// or after Avro schema resolution (the writer used an older or newer
// compatible version), applying the reader's defaults.
//
// Both are safe for concurrent use, keep their caches bounded, and never
// panic on bad input.
package serde

import "errors"

var (
	// ErrSchemaMismatch is matched (errors.Is) by Decode's error when the
	// writer's schema cannot be resolved to the reader's: the message was
	// written with another subject's schema, or with a version the reader
	// cannot read. The verdict is cached per (schema id, event type).
	ErrSchemaMismatch = errors.New("serde: writer schema cannot be read with the event's schema")
	// ErrDecode is matched by Decode's error when the message body is not a
	// valid encoding of the writer's schema, or the event rejects it.
	ErrDecode = errors.New("serde: message body does not decode")
	// ErrEncode is matched by Append's error when the event cannot be
	// encoded (it breaks its contract).
	ErrEncode = errors.New("serde: event does not encode")
)

// DefaultCacheSize is the default number of entries of the Deserializer's
// caches (writer schemas, and resolution plans per (schema id, event type)).
const DefaultCacheSize = 1000

// maxContracts caps the Serializer's table of contract ids; past it the
// table starts afresh (generated code has a fixed, small set of contracts).
const maxContracts = 4096
