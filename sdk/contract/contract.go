// Package contract describes an event contract: an Avro schema bound to a
// Kafka topic and a schema-registry subject, as the manifest in avro/ binds it
// and as generated code carries it.
//
// Generated event types implement Event; the SDK's serializers, producer and
// consumer work on that interface, so they never need reflection.
package contract

import "fmt"

// Compatibility is a schema-registry compatibility level.
type Compatibility string

// The compatibility levels of the Confluent Schema Registry.
const (
	Backward           Compatibility = "BACKWARD"
	BackwardTransitive Compatibility = "BACKWARD_TRANSITIVE"
	Forward            Compatibility = "FORWARD"
	ForwardTransitive  Compatibility = "FORWARD_TRANSITIVE"
	Full               Compatibility = "FULL"
	FullTransitive     Compatibility = "FULL_TRANSITIVE"
	None               Compatibility = "NONE"
)

// Levels lists every compatibility level.
var Levels = []Compatibility{Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive, None}

// ParseCompatibility returns the level named s (as the registry spells it).
func ParseCompatibility(s string) (Compatibility, error) {
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown compatibility level %q (want one of %v)", s, Levels)
}

// SubjectStrategy names how a subject is derived from a topic and a record.
type SubjectStrategy string

// The subject name strategies of the Confluent serializers.
const (
	// TopicName: "<topic>-value". The default.
	TopicName SubjectStrategy = "TopicNameStrategy"
	// RecordName: "<record full name>".
	RecordName SubjectStrategy = "RecordNameStrategy"
	// TopicRecordName: "<topic>-<record full name>".
	TopicRecordName SubjectStrategy = "TopicRecordNameStrategy"
)

// Subject returns the subject for a value schema named recordFullName on
// topic under the strategy.
func (s SubjectStrategy) Subject(topic, recordFullName string) (string, error) {
	switch s {
	case TopicName, "":
		return topic + "-value", nil
	case RecordName:
		return recordFullName, nil
	case TopicRecordName:
		return topic + "-" + recordFullName, nil
	}
	return "", fmt.Errorf("unknown subject name strategy %q (want %s, %s or %s)", string(s), TopicName, RecordName, TopicRecordName)
}

// Contract is what generated code knows of one event type.
type Contract struct {
	// Type is the event type ("deadline.passed"), used as the CloudEvents
	// type header.
	Type string
	// Name is the Avro full name of the record ("lunchbot.events.DeadlinePassed").
	Name string
	// Topic, Subject and Compatibility come from the manifest.
	Topic         string
	Subject       string
	Compatibility Compatibility
	// KeyField is the Avro name of the field whose value keys the Kafka
	// message, empty for none.
	KeyField string
	// Schema is the schema exactly as it is registered (docs and defaults
	// kept).
	Schema string
	// References are the schemas whose named types Schema uses by name
	// (shared types: a record, enum or fixed in a schema file of its own,
	// registered under a subject of its own), nil when Schema defines every
	// type it uses. Schema is registered, and looked up, with them.
	References []Reference
	// Canonical is the schema's Parsing Canonical Form; CRC64 and SHA256 are
	// its fingerprints. For a schema with references they are those of the
	// resolved schema (the referenced types spelled out where first used),
	// which is what its data is.
	Canonical string
	CRC64     uint64
	SHA256    [32]byte
}

// Reference is a schema whose named types another schema uses: a schema
// reference of the registry, with the referenced schema itself.
//
// It names no version: the registry numbers the versions of a subject as
// they are registered, differently in each registry, after the code was
// generated. The serializer finds the version at warm-up by looking Schema
// up under Subject (the version that is exactly the schema the code was
// generated with), so neither a newer version of a shared type nor another
// registry's numbering changes what an event is written with.
type Reference struct {
	// Name is the reference's name: the full name of the named type
	// ("com.example.orders.Money").
	Name string
	// Subject is the subject the referenced schema is registered under.
	Subject string
	// Schema is the referenced schema exactly as it is registered.
	Schema string
	// References are the referenced schema's own references.
	References []Reference
}

// Dependencies returns every schema c's schema needs: its references and, in
// turn, theirs, each once (by subject and name), dependencies first, the
// order in which their types are defined before the schema's.
func (c *Contract) Dependencies() []Reference {
	var out []Reference
	seen := map[[2]string]bool{}
	var visit func(refs []Reference)
	visit = func(refs []Reference) {
		for _, r := range refs {
			key := [2]string{r.Subject, r.Name}
			if seen[key] {
				continue
			}
			seen[key] = true
			visit(r.References)
			out = append(out, r)
		}
	}
	visit(c.References)
	return out
}

// Event is implemented by the generated type of every event in the manifest.
// The methods have pointer receivers; *T implements Event.
type Event interface {
	// Contract returns the event's contract. It returns the same pointer on
	// every call.
	Contract() *Contract
	// AppendAvro appends the Avro binary encoding of the event to dst.
	AppendAvro(dst []byte) ([]byte, error)
	// UnmarshalAvro replaces the event with the one encoded in src, which
	// must hold exactly one encoded value. Like encoding.BinaryUnmarshaler,
	// it must copy what it keeps: the caller may reuse src once it returns
	// (the SDK's deserializer decodes from pooled buffers).
	UnmarshalAvro(src []byte) error
	// AppendKey appends the Kafka message key (the key field, as text) to
	// dst; it appends nothing when the contract has no key field.
	AppendKey(dst []byte) []byte
	// Validate reports the first way the event breaks its contract.
	Validate() error
}
