package cloudevents

// The headers the producer puts on messages and the consumer reads.
const (
	// HeaderSpecVersion holds the CloudEvents version, SpecVersion.
	HeaderSpecVersion = "ce_specversion"
	// HeaderID holds the event id, a UUIDv7 in its 36-character text form
	// (EventID.String), unique per publish. Consumers may use it to
	// deduplicate redelivered messages.
	HeaderID = "ce_id"
	// HeaderSource holds the producer's name.
	HeaderSource = "ce_source"
	// HeaderType holds the event type, contract.Contract.Type
	// ("deadline.passed"). The consumer routes messages by it.
	HeaderType = "ce_type"
	// HeaderDataSchema holds the URL of the writer schema in the registry,
	// "<registry URL>/schemas/ids/<id>". It is set only when the producer
	// knows the registry's URL; the id is always in the value's wire-format
	// prefix.
	HeaderDataSchema = "ce_dataschema"
	// HeaderContentType holds ContentType.
	HeaderContentType = "content-type"
	// HeaderTraceparent holds the W3C trace context of the publishing call,
	// when it has one (see WithTraceparent).
	HeaderTraceparent = "traceparent"
)

// SpecVersion is the CloudEvents version of the headers.
const SpecVersion = "1.0"

// ContentType is the content type of the message value: Avro binary in the
// Confluent wire format (the magic byte 0, the 4-byte big-endian schema id,
// then the Avro body).
const ContentType = "application/avro"
