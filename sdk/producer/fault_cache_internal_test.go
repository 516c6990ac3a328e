package producer

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// TestFaultCachesBounded: the per-contract data of contracts first seen by
// a publish stays within its bound however many contracts come by (what is
// past the bound is still served, only not kept), and a contract keeps one
// header set, the one of its latest schema id, however many ids come by.
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
	for id := 1; id <= 50; id++ {
		for range 2 {
			hs := p.headerSet(ti, id)
			want := map[string]string{
				cloudevents.HeaderSpecVersion: cloudevents.SpecVersion, cloudevents.HeaderID: "", cloudevents.HeaderSource: "",
				cloudevents.HeaderType: "t", cloudevents.HeaderContentType: cloudevents.ContentType,
				cloudevents.HeaderDataSchema: "http://r/schemas/ids/" + strconv.Itoa(id),
			}
			got := map[string]string{}
			for _, h := range hs.h[:hs.n] {
				got[h.Key] = string(h.Value)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("headers of schema id %d (-want +got):\n%s", id, diff)
			}
			if ti.headers.Load() != hs {
				t.Fatalf("schema id %d: the header set is not the one kept", id)
			}
		}
	}
	// Without a registry URL there is no ce_dataschema.
	p.regURL = ""
	if hs := p.headerSet(p.info(first), 51); hs.n != 5 || hs.h[hs.n-1].Key != cloudevents.HeaderContentType {
		t.Errorf("without a registry URL: %d headers, last %q", hs.n, hs.h[hs.n-1].Key)
	}
}
