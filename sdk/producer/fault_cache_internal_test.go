package producer

import (
	"strconv"
	"testing"

	"github.com/lunchbot/eventkit/contract"
)

// TestFaultCachesBounded: the per-contract data of contracts first seen by
// a publish, and the ce_dataschema values per contract, stay within their
// bounds however many contracts and schema ids come by; what is past the
// bounds is still served, only not kept.
func TestFaultCachesBounded(t *testing.T) {
	p := &Producer{topics: map[*contract.Contract]*topicInfo{}, regURL: "http://r"}
	var first *contract.Contract
	for i := range maxLateTopics + 100 {
		c := &contract.Contract{Type: "t", Topic: "topic-" + strconv.Itoa(i)}
		if i == 0 {
			first = c
		}
		if ti := p.info(c); ti.topic != c.Topic {
			t.Fatalf("contract %d: topic %q, want %q", i, ti.topic, c.Topic)
		}
	}
	n := 0
	p.lateTopics.Range(func(any, any) bool { n++; return true })
	if n != maxLateTopics || p.lateCount.Load() != maxLateTopics {
		t.Errorf("%d contracts kept (count %d), want %d", n, p.lateCount.Load(), maxLateTopics)
	}
	if a, b := p.info(first), p.info(first); a != b {
		t.Error("a kept contract's data is made again")
	}

	ti := p.info(first)
	for id := 1; id <= maxDataSchemas+50; id++ {
		if got, want := string(p.dataSchema(ti, id)), "http://r/schemas/ids/"+strconv.Itoa(id); got != want {
			t.Fatalf("ce_dataschema of id %d = %q, want %q", id, got, want)
		}
	}
	n = 0
	ti.dataCache.Range(func(any, any) bool { n++; return true })
	if n != maxDataSchemas {
		t.Errorf("%d ce_dataschema values kept, want %d", n, maxDataSchemas)
	}
}
