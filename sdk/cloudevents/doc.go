// Package cloudevents is the vocabulary the producer and the consumer share
// about a message's metadata: the header names of the CloudEvents Kafka
// protocol binding in binary mode, the event id every published message
// carries, and the W3C traceparent that links a handler's work to the
// publish that caused it.
//
// In binary mode (https://github.com/cloudevents/spec,
// kafka-protocol-binding.md) the CloudEvents attributes travel as
// "ce_"-prefixed headers, the data content type as "content-type", and the
// event itself as the message value (here: Avro in the Confluent wire
// format).
package cloudevents
