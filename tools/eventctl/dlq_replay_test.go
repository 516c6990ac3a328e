package main

import (
	"strings"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func TestPlanReplay(t *testing.T) {
	topic := "t.dlq"
	dl := func(offset int64, origin ...string) *dlqReplayItem {
		hs := []kafka.Header{}
		if len(origin) == 1 {
			hs = append(hs, kafka.Header{Key: "dlq.topic", Value: []byte("t")}, kafka.Header{Key: "dlq.partition", Value: []byte("0")}, kafka.Header{Key: "dlq.offset", Value: []byte(origin[0])})
		}
		return &dlqReplayItem{d: readDeadLetter(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0, Offset: kafka.Offset(offset)}, Headers: hs})}
	}
	items := []*dlqReplayItem{
		dl(0, "5"), // the message at t/0/5, dead-lettered twice; the second was replayed before
		dl(1, "5"),
		dl(2, "6"), // t/0/6, dead-lettered twice, neither replayed: the first is
		dl(3, "6"),
		dl(4, "7"), // replayed before
		dl(5),      // no dlq.* headers
		dl(6, "8"),
	}
	todo := planReplay(items, map[string]string{"t.dlq/0/1": "t/1/20", "t.dlq/0/4": "t/2/21"})
	var ids []string
	for _, it := range todo {
		ids = append(ids, it.d.id)
	}
	if strings.Join(ids, " ") != "t.dlq/0/2 t.dlq/0/6" {
		t.Errorf("to replay: %q, want t.dlq/0/2 and t.dlq/0/6", ids)
	}
	for i, want := range []string{"same as t.dlq/0/1", "before t/1/20", "", "same as t.dlq/0/2", "before t/2/21", "error", ""} {
		it := items[i]
		got := ""
		switch {
		case it.sameAs != "":
			got = "same as " + it.sameAs
		case it.before != "":
			got = "before " + it.before
		case it.err != nil:
			got = "error"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", it.d.id, got, want)
		}
	}
	if want := "no dlq.topic header: not a dead letter of eventkit's consumer, so its topic is not known"; items[5].err == nil || items[5].err.Error() != want {
		t.Errorf("without headers: %v, want %s", items[5].err, want)
	}
}

func TestReplayHeaders(t *testing.T) {
	topic := "t.dlq"
	d := readDeadLetter(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 1, Offset: 2}, Headers: []kafka.Header{
		{Key: "ce_id", Value: []byte("x")},
		{Key: "dlq.replayed-from", Value: []byte("t.dlq/0/0")}, // a replay that failed again
		{Key: "traceparent", Value: []byte("00-...")},
		{Key: "dlq.reason", Value: []byte("handler")},
		{Key: "dlq.error", Value: []byte("boom")},
	}})
	var got []string
	for _, h := range replayHeaders(d) {
		got = append(got, h.Key+"="+string(h.Value))
	}
	if want := "ce_id=x traceparent=00-... dlq.replayed-from=t.dlq/1/2"; strings.Join(got, " ") != want {
		t.Errorf("replay headers %q, want %s", got, want)
	}
}
