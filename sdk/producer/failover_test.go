package producer_test

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
	"github.com/lunchbot/eventkit/sdk/wire"
)

// failoverDeadline is the generated deadline.passed event on a topic (and
// subject) of the test's own.
type failoverDeadline struct {
	events.DeadlinePassed
	c *contract.Contract
}

func (e *failoverDeadline) Contract() *contract.Contract { return e.c }

// failoverBase is the timestamp of event 0: event i has timestamp
// failoverBase + i ms, so the payload carries its sequence number.
var failoverBase = time.Date(2025, 12, 8, 11, 0, 0, 0, time.UTC)

// TestFailoverPublishAcrossLeaderChanges publishes 10,000 deadline.passed
// events with PublishAsync, keyed by 50 cafe ids, to a topic of 6
// partitions on 3 brokers, and moves every partition's leader to another
// broker 4 times while publishing, with messages in flight. Reading the
// whole topic back with a raw librdkafka consumer: every acknowledged event
// is on the topic exactly once (by ce_id, and by the sequence number in its
// timestamp), no event reported failed is there, and the events of each
// cafe are in publish order, at the offsets their deliveries reported.
func TestFailoverPublishAcrossLeaderChanges(t *testing.T) {
	const (
		total      = 10_000
		cafes      = 50
		partitions = 6
		moves      = 4
	)
	s := itest.Start(t, itest.Options{Brokers: 3, InMemory: true})
	gen := events.DeadlinePassedContract
	c := *gen
	c.Topic = itest.Topic(t, "deadlines")
	c.Subject = c.Topic + "-value"
	createPartitions(t, s.BrokerAddr, c.Topic, partitions)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var logs syncBuffer
	defer func() {
		if t.Failed() {
			t.Logf("the producer's logs:\n%s", lastLines(logs.String(), 40))
		}
	}()
	p, err := producer.New(ctx, producer.Config{
		// librdkafka's "topic" debug logs show the leader changes it sees.
		Kafka:    kafkaconfig.Config{BootstrapServers: s.BrokerAddr, Properties: map[string]any{"debug": "topic"}},
		Registry: registry.Config{URLs: []string{s.RegistryURL}},
		Serde:    serde.SerializerConfig{AutoRegister: true},
		Name:     "failover-test",
		// Long enough that nothing times out on a loaded machine: a
		// leader change must cost retries, not messages.
		DeliveryTimeout: 2 * time.Minute,
		Logger: slog.New(slog.NewTextHandler(dropLines{&logs, "event published"},
			&slog.HandlerOptions{Level: slog.LevelDebug})),
	}, &c)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = p.Close(context.Background()) }()

	type outcome struct {
		d   producer.Delivery
		err error
	}
	var (
		mu       sync.Mutex
		outcomes = make(map[int64]outcome, total)
		reports  sync.WaitGroup
		moved    []int
	)
	for i := int64(0); i < total; i++ {
		if i > 0 && i%(total/(moves+1)) == 0 {
			// With the messages published so far partly still in flight.
			moved = append(moved, s.MoveLeaders())
		}
		ev := &failoverDeadline{*events.NewDeadlinePassed(), &c}
		ev.CafeID = 1000 + i%cafes
		ev.Date = avrobin.Date{Year: 2025, Month: time.December, Day: 8}
		ev.Timestamp = failoverBase.Add(time.Duration(i) * time.Millisecond)
		reports.Add(1)
		id := i
		err := p.PublishAsync(ctx, ev, func(d producer.Delivery, err error) {
			defer reports.Done()
			mu.Lock()
			outcomes[id] = outcome{d, err}
			mu.Unlock()
		})
		if err != nil {
			reports.Done()
			mu.Lock()
			outcomes[id] = outcome{err: err}
			mu.Unlock()
		}
		// A steady pace, so that the moves happen mid-stream.
		if i%4 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	if n, err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %d undelivered: %v", n, err)
	}
	reports.Wait()
	if len(moved) < 3 {
		t.Fatalf("leaders moved %d times, want at least 3", len(moved))
	}
	for k, n := range moved {
		if n < partitions {
			t.Errorf("move %d: %d partitions moved, the topic alone has %d", k+1, n, partitions)
		}
	}

	// The client saw the moves: produce requests refused by a former
	// leader, and partitions whose leader changed in its metadata.
	notLeader := strings.Count(logs.String(), "Not leader for partition")
	var changes int
	for _, m := range leaderChange.FindAllStringSubmatch(logs.String(), -1) {
		if m[1] != "-1" && m[1] != m[2] { // -1: no leader known yet
			changes++
		}
	}
	t.Logf("librdkafka saw %d leader changes and %d produce answers \"Not leader for partition\"", changes, notLeader)
	if changes < len(moved) {
		t.Errorf("librdkafka logged %d leader changes for %d moves: did the moves reach the client?", changes, len(moved))
	}

	acked := make(map[string]int64) // ce_id → sequence number
	var failed []int64
	causes := map[string]int{}
	for id, o := range outcomes {
		if o.err != nil {
			failed = append(failed, id)
			causes[o.err.Error()]++
			continue
		}
		acked[o.d.EventID.String()] = id
	}
	for cause, k := range causes {
		t.Logf("%d publishes failed with: %s", k, cause)
	}
	if len(outcomes) != total {
		t.Fatalf("%d outcomes for %d publishes", len(outcomes), total)
	}

	// Read the whole topic back.
	msgs := readWholeTopic(t, s.BrokerAddr, c.Topic)
	seen := make(map[int64]int) // sequence number → times read
	var duplicates, strangers, mismatched, misplaced int
	lastOfKey := make(map[string]int64)
	var disorder []string
	for _, m := range msgs {
		ceID, _ := header(m, cloudevents.HeaderID)
		_, body, err := wire.Parse(m.Value)
		if err != nil {
			t.Fatalf("message at %v: %v", m.TopicPartition, err)
		}
		var ev events.DeadlinePassed
		if err := ev.UnmarshalAvro(body); err != nil {
			t.Fatalf("message at %v: %v", m.TopicPartition, err)
		}
		seq := int64(ev.Timestamp.Sub(failoverBase) / time.Millisecond)
		if want := strconv.FormatInt(1000+seq%cafes, 10); string(m.Key) != want || ev.CafeID != 1000+seq%cafes {
			t.Errorf("event %d at %v: key %q, cafe %d; want %s", seq, m.TopicPartition, m.Key, ev.CafeID, want)
		}
		seen[seq]++
		if seen[seq] > 1 {
			duplicates++
		}
		id, ok := acked[ceID]
		switch {
		case !ok:
			strangers++ // failed, or never published
		case id != seq:
			mismatched++
		default:
			d := outcomes[id].d
			if d.Partition != m.TopicPartition.Partition || d.Offset != int64(m.TopicPartition.Offset) {
				misplaced++
			}
		}
		// Messages come partition by partition in offset order, and one
		// key lives in one partition.
		if last, ok := lastOfKey[string(m.Key)]; ok && seq <= last && len(disorder) < 10 {
			disorder = append(disorder, fmt.Sprintf("cafe %s: event %d after %d", m.Key, seq, last))
		}
		lastOfKey[string(m.Key)] = seq
	}
	var lost []int64
	for _, id := range acked {
		if seen[id] == 0 {
			lost = append(lost, id)
		}
	}
	slices.Sort(lost)
	var failedStored []int64
	for _, id := range failed {
		if seen[id] > 0 {
			failedStored = append(failedStored, id)
		}
	}
	t.Logf("published %d events, leaders moved %d times (%v partitions each): %d acknowledged, %d failed; read %d messages: %d duplicates, %d lost, %d reported failed but stored, %d keys out of order",
		total, len(moved), moved, len(acked), len(failed), len(msgs), duplicates, len(lost), len(failedStored), len(disorder))
	if len(lost) > 0 {
		t.Errorf("%d acknowledged events not on the topic, e.g. %v", len(lost), lost[:min(10, len(lost))])
	}
	if duplicates > 0 {
		t.Errorf("%d events on the topic more than once", duplicates)
	}
	if len(failedStored) > 0 {
		t.Errorf("%d events reported failed are on the topic, e.g. %v", len(failedStored), failedStored[:min(10, len(failedStored))])
	}
	if strangers > len(failedStored) {
		t.Errorf("%d messages whose ce_id no acknowledged publish reported", strangers-len(failedStored))
	}
	if mismatched > 0 {
		t.Errorf("%d messages whose ce_id belongs to another event", mismatched)
	}
	if misplaced > 0 {
		t.Errorf("%d messages at another partition or offset than their delivery reported", misplaced)
	}
	if len(disorder) > 0 {
		t.Errorf("events of one cafe out of publish order: %v", disorder)
	}
	if len(lastOfKey) != cafes {
		t.Errorf("%d cafes on the topic, want %d", len(lastOfKey), cafes)
	}
	if len(failed) > 0 {
		t.Errorf("%d publishes failed across leader changes with a 2 min delivery timeout; want none", len(failed))
	}
}

// createPartitions creates topic with the given number of partitions.
func createPartitions(t *testing.T, brokers, topic string, partitions int) {
	t.Helper()
	a, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": brokers, "log_level": 3})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := a.CreateTopics(ctx, []kafka.TopicSpecification{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Error.Code() != kafka.ErrNoError {
			t.Fatalf("creating %s: %v", topic, r.Error)
		}
	}
}

// readWholeTopic reads every partition of topic from the beginning up to
// its high watermark, partition after partition, each in offset order.
func readWholeTopic(t *testing.T, brokers, topic string) []*kafka.Message {
	t.Helper()
	c := rawConsumer(t, kafka.ConfigMap{
		"bootstrap.servers": brokers, "group.id": "reader-" + topic,
		"enable.auto.commit": false,
	})
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*kafka.Message
	for _, pm := range md.Topics[topic].Partitions {
		_, high, err := c.QueryWatermarkOffsets(topic, pm.ID, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if high == 0 {
			continue
		}
		if err := c.Assign([]kafka.TopicPartition{{Topic: &topic, Partition: pm.ID, Offset: kafka.OffsetBeginning}}); err != nil {
			t.Fatal(err)
		}
		next := int64(0)
		for deadline := time.Now().Add(time.Minute); next < high; {
			if time.Now().After(deadline) {
				t.Fatalf("partition %d: read up to offset %d of %d", pm.ID, next, high)
			}
			m, err := c.ReadMessage(time.Second)
			if err != nil {
				continue
			}
			if m.TopicPartition.Partition != pm.ID {
				continue
			}
			out = append(out, m)
			next = int64(m.TopicPartition.Offset) + 1
		}
	}
	return out
}

// leaderChange matches librdkafka's debug line of a partition's leader
// change: "[2]: leader 1 epoch 0 -> leader 2 epoch 1".
var leaderChange = regexp.MustCompile(`: leader (-?\d+) epoch -?\d+ -> leader (-?\d+) epoch`)

// dropLines is a log writer that keeps the records (one per Write) that do
// not contain drop.
type dropLines struct {
	w    *syncBuffer
	drop string
}

func (d dropLines) Write(p []byte) (int, error) {
	if strings.Contains(string(p), d.drop) {
		return len(p), nil
	}
	return d.w.Write(p)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
