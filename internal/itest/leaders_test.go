package itest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"
)

// partitionLeaders returns the leader of each partition of topic and the
// number of brokers, as librdkafka's metadata says.
func partitionLeaders(t *testing.T, broker, topic string) (map[int32]int32, int) {
	t.Helper()
	a, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": broker, "log_level": 3})
	if err != nil {
		t.Fatalf("NewAdminClient: %v", err)
	}
	defer a.Close()
	md, err := a.GetMetadata(&topic, false, int(waitLimit/time.Millisecond))
	if err != nil {
		t.Fatalf("GetMetadata from %s: %v", broker, err)
	}
	leaders := make(map[int32]int32)
	for _, p := range md.Topics[topic].Partitions {
		leaders[p.ID] = p.Leader
	}
	return leaders, len(md.Brokers)
}

// TestMoveLeadersChangesEveryLeader starts three brokers, produces through
// librdkafka, moves the partition leaders twice, and checks through
// librdkafka's metadata that each partition's leader changed each time and
// that producing and consuming go on.
func TestMoveLeadersChangesEveryLeader(t *testing.T) {
	s := Start(t, Options{Brokers: 3, InMemory: true})
	if n := len(strings.Split(s.BrokerAddr, ",")); n != 3 {
		t.Fatalf("BrokerAddr %q lists %d brokers, want 3", s.BrokerAddr, n)
	}
	topic := Topic(t, "itest.leaders")
	createTopic(t, s.BrokerAddr, topic, 3)

	var want []record
	batch := func(round int) []record {
		var recs []record
		for i := range 30 {
			recs = append(recs, record{Key: fmt.Sprintf("cafe-%d", i%10), Value: fmt.Sprintf("round %d, %d", round, i)})
		}
		return recs
	}
	recs := batch(0)
	produce(t, s.BrokerAddr, topic, recs)
	want = append(want, recs...)

	before, brokers := partitionLeaders(t, s.BrokerAddr, topic)
	if brokers != 3 || len(before) != 3 {
		t.Fatalf("metadata: %d brokers, leaders %v; want 3 brokers and 3 partitions", brokers, before)
	}
	for round := 1; round <= 2; round++ {
		moved := s.MoveLeaders()
		if moved < len(before) {
			t.Errorf("round %d: devstack moved %d partitions, the topic alone has %d", round, moved, len(before))
		}
		after, _ := partitionLeaders(t, s.BrokerAddr, topic)
		for p, l := range before {
			if after[p] == l {
				t.Errorf("round %d: partition %d still led by broker %d", round, p, l)
			}
		}
		t.Logf("round %d: %d partitions moved; leaders of %s %v -> %v", round, moved, topic, before, after)
		before = after

		recs := batch(round)
		produce(t, s.BrokerAddr, topic, recs)
		want = append(want, recs...)
	}

	got := consume(t, s.BrokerAddr, topic, len(want))
	// Order holds per key only: compare per key.
	byKey := func(rs []record) map[string][]string {
		m := make(map[string][]string)
		for _, r := range rs {
			m[r.Key] = append(m[r.Key], r.Value)
		}
		return m
	}
	if diff := cmp.Diff(byKey(want), byKey(got)); diff != "" {
		t.Errorf("records consumed after the moves, per key (-produced +consumed):\n%s", diff)
	}
}

// TestMoveLeadersNeedsSeveralBrokers: on a stack of one broker MoveLeaders
// is refused (devstack answers "leaders not moved").
func TestMoveLeadersNeedsSeveralBrokers(t *testing.T) {
	s := Start(t, Options{InMemory: true})
	s.mu.Lock()
	p := s.p
	s.mu.Unlock()
	n, err := p.moveLeaders(waitLimit)
	if err == nil || !strings.Contains(err.Error(), "leaders not moved") {
		t.Errorf("moveLeaders on one broker = %d, %v; want devstack's refusal", n, err)
	}
}
