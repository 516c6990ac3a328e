package consumer

import (
	"time"
	"unsafe"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

// Message is what a handler learns of the Kafka message its event came in.
type Message struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Headers   Headers
	Timestamp time.Time
	// SchemaID is the id of the schema the event was written with.
	SchemaID int
	// EventID is the ce_id header, parsed; zero when the header is absent
	// or not a UUID (Headers.Get(cloudevents.HeaderID) has its text then).
	EventID cloudevents.EventID
	// EventType and Source are the ce_type and ce_source headers, empty
	// when absent.
	EventType string
	Source    string
	// Attempt is 1 on the first call of the handler for this message, 2 on
	// the first retry, and so on.
	Attempt int
}

// Header is one Kafka message header.
type Header struct {
	Key   string
	Value []byte
}

// Headers are a message's headers, in their order on the wire. A key may
// appear more than once.
type Headers []Header

// Get returns the value of the last header named key.
func (h Headers) Get(key string) ([]byte, bool) {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Key == key {
			return h[i].Value, true
		}
	}
	return nil, false
}

// messageOf describes km to its handler h (nil for none); texts gives the
// strings of the header values that repeat.
func messageOf(km *kafka.Message, h *Handler, texts *interned) Message {
	m := Message{
		Topic:     topicOf(km),
		Partition: km.TopicPartition.Partition,
		Offset:    int64(km.TopicPartition.Offset),
		Key:       km.Key,
		Headers:   headersOf(km.Headers),
		Timestamp: km.Timestamp,
	}
	if v, ok := m.Headers.Get(cloudevents.HeaderType); ok {
		if h != nil && string(v) == h.contract.Type {
			m.EventType = h.contract.Type // the usual case, without a copy
		} else {
			m.EventType = texts.text(v)
		}
	}
	if v, ok := m.Headers.Get(cloudevents.HeaderID); ok {
		_ = m.EventID.UnmarshalText(v) // zero when it is not a UUID
	}
	if v, ok := m.Headers.Get(cloudevents.HeaderSource); ok {
		m.Source = texts.text(v)
	}
	return m
}

// headersOf returns hs as Headers, without a copy: a handler's Message
// shares the polled message's headers, the consumer forwarding the copy it
// kept before (inflight.keepHeaders). Header and kafka.Header have the same
// fields, so the same layout, which the conversion below checks when it
// compiles.
func headersOf(hs []kafka.Header) Headers {
	if len(hs) == 0 {
		return nil
	}
	return unsafe.Slice((*Header)(unsafe.Pointer(unsafe.SliceData(hs))), len(hs))
}

var _ = Header(kafka.Header{}) // compiles only while their fields are the same

// topicOf returns km's topic.
func topicOf(km *kafka.Message) string {
	if km.TopicPartition.Topic == nil {
		return ""
	}
	return *km.TopicPartition.Topic
}
