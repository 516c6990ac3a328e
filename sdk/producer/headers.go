package producer

import (
	"strconv"
	"sync/atomic"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// HeaderProfile says which headers the producer puts on each message.
type HeaderProfile int

// The profiles. The consumer reads messages of every profile.
const (
	// HeadersFull is the CloudEvents Kafka binding in binary mode:
	// ce_specversion, ce_id, ce_source, ce_type, content-type and
	// ce_dataschema, plus the trace context (traceparent, tracestate,
	// baggage) when there is one. Any CloudEvents-aware consumer reads
	// the messages as events; the SDK's consumer deduplicates by ce_id and
	// routes by ce_type.
	HeadersFull HeaderProfile = iota
	// HeadersMinimal is ce_id and ce_type, plus the trace context: the
	// SDK's consumer still deduplicates, routes and continues the trace,
	// but the messages are not CloudEvents.
	HeadersMinimal
	// HeadersNone sends no header at all and makes no event id
	// (Delivery.EventID is zero): the cheapest publish. The SDK's consumer
	// routes by the writer schema's record name (the wire format carries
	// the schema id), has no id to deduplicate by, and starts a new trace.
	HeadersNone
)

// String returns "full", "minimal" or "none".
func (h HeaderProfile) String() string {
	switch h {
	case HeadersFull:
		return "full"
	case HeadersMinimal:
		return "minimal"
	case HeadersNone:
		return "none"
	}
	return "HeaderProfile(" + strconv.Itoa(int(h)) + ")"
}

// topicInfo is the per-contract data of a message's headers.
type topicInfo struct {
	topic   string
	typ     string
	typText []byte
	tracing topicTracing
	// headers is the header set of the schema id the contract's events
	// were last written with.
	headers atomic.Pointer[headerSet]
}

// headerSet holds the headers that are the same for every event of one
// contract and schema id, in their order on the wire; the ce_id value is
// filled in per message, at index idAt (-1: none).
type headerSet struct {
	schemaID int
	h        [6]kafka.Header
	n        int // headers used in h
	idAt     int
}

var (
	specVersionValue = []byte(cloudevents.SpecVersion)
	contentTypeValue = []byte(cloudevents.ContentType)
)

func newTopicInfo(c *contract.Contract) *topicInfo {
	return &topicInfo{topic: c.Topic, typ: c.Type, typText: []byte(c.Type), tracing: newTopicTracing(c.Topic, c.Type)}
}

// info returns the per-contract data of c.
func (p *Producer) info(c *contract.Contract) *topicInfo {
	if ti, ok := p.topics[c]; ok {
		return ti
	}
	if ti, ok := p.lateTopics.Load(c); ok {
		return ti.(*topicInfo)
	}
	if p.lateCount.Load() >= maxLateTopics {
		// Generated code has a fixed, small set of contracts; a program
		// that makes contracts on the fly must not grow the map for ever.
		return newTopicInfo(c)
	}
	ti, loaded := p.lateTopics.LoadOrStore(c, newTopicInfo(c))
	if !loaded {
		p.lateCount.Add(1)
	}
	return ti.(*topicInfo)
}

// maxLateTopics bounds the contracts whose per-contract data a Producer
// keeps beyond those given to New.
const maxLateTopics = 4096

// headerSet returns the header set of ti's events written with schema id
// id.
func (p *Producer) headerSet(ti *topicInfo, id int) *headerSet {
	if hs := ti.headers.Load(); hs != nil && hs.schemaID == id {
		return hs
	}
	hs := &headerSet{schemaID: id, idAt: -1}
	add := func(key string, value []byte) {
		hs.h[hs.n] = kafka.Header{Key: key, Value: value}
		hs.n++
	}
	switch p.profile {
	case HeadersFull:
		add(cloudevents.HeaderSpecVersion, specVersionValue)
		hs.idAt = hs.n
		add(cloudevents.HeaderID, nil)
		add(cloudevents.HeaderSource, p.name)
		add(cloudevents.HeaderType, ti.typText)
		add(cloudevents.HeaderContentType, contentTypeValue)
		if p.regURL != "" {
			add(cloudevents.HeaderDataSchema, []byte(p.regURL+"/schemas/ids/"+strconv.Itoa(id)))
		}
	case HeadersMinimal:
		hs.idAt = hs.n
		add(cloudevents.HeaderID, nil)
		add(cloudevents.HeaderType, ti.typText)
	}
	ti.headers.Store(hs)
	return hs
}
