package producer

import (
	"strconv"
	"sync/atomic"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// topicInfo is the per-contract data of a message's headers.
type topicInfo struct {
	topic   string
	typ     string
	typText []byte
	// headers is the header set of the schema id the contract's events
	// were last written with.
	headers atomic.Pointer[headerSet]
}

// headerSet holds the headers that are the same for every event of one
// contract and schema id, in their order on the wire; the ce_id value is
// filled in per message.
type headerSet struct {
	schemaID int
	h        [6]kafka.Header
	n        int // headers used in h
}

// idHeader is the index of ce_id in a headerSet.
const idHeader = 1

var (
	specVersionValue = []byte(cloudevents.SpecVersion)
	contentTypeValue = []byte(cloudevents.ContentType)
)

func newTopicInfo(c *contract.Contract) *topicInfo {
	return &topicInfo{topic: c.Topic, typ: c.Type, typText: []byte(c.Type)}
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
	hs := &headerSet{schemaID: id, n: 5}
	hs.h[0] = kafka.Header{Key: cloudevents.HeaderSpecVersion, Value: specVersionValue}
	hs.h[idHeader] = kafka.Header{Key: cloudevents.HeaderID}
	hs.h[2] = kafka.Header{Key: cloudevents.HeaderSource, Value: p.name}
	hs.h[3] = kafka.Header{Key: cloudevents.HeaderType, Value: ti.typText}
	hs.h[4] = kafka.Header{Key: cloudevents.HeaderContentType, Value: contentTypeValue}
	if p.regURL != "" {
		hs.h[5] = kafka.Header{Key: cloudevents.HeaderDataSchema, Value: []byte(p.regURL + "/schemas/ids/" + strconv.Itoa(id))}
		hs.n = 6
	}
	ti.headers.Store(hs)
	return hs
}
