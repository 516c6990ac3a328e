package consumer_test

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
)

// TestFailoverConsumeAcrossLeaderChanges runs the SDK consumer in a group
// on a topic of 6 partitions on 3 brokers while an SDK producer feeds it
// 5,000 events keyed by 64 keys, and moves every partition's leader to
// another broker 5 times: 4 times while publishing, once more while the
// consumer catches up. Every acknowledged event is handled, the events of
// each key in publish order, nothing goes to the dead-letter topic, and Run
// does not stop with an error.
//
// Duplicates would be allowed (at least once) but none is expected, and
// the test requires none: a leader change moves where the client fetches
// from, not its position, and does not rebalance the group (kfake's group
// coordinator does not move), so nothing makes the consumer go back to its
// committed offsets. A duplicate would mean the position was lost.
func TestFailoverConsumeAcrossLeaderChanges(t *testing.T) {
	const (
		total      = 5_000
		partitions = 6
		moves      = 4 // while publishing; one more after
	)
	s := itest.Start(t, itest.Options{Brokers: 3, InMemory: true})
	e := &env{t: t, broker: s.BrokerAddr, regURL: s.RegistryURL}
	useContract(t)
	e.topic = testContract.Topic
	e.createTopic(e.topic, partitions)

	var (
		mu        sync.Mutex
		handled   = make(map[int64]int, total)
		lastOfKey = make(map[string]int64)
		disorder  []string
	)
	h := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		mu.Lock()
		defer mu.Unlock()
		handled[ev.ID]++
		if last, ok := lastOfKey[string(m.Key)]; ok && ev.ID <= last && len(disorder) < 10 {
			disorder = append(disorder, fmt.Sprintf("key %s: event %d after %d", m.Key, ev.ID, last))
		}
		lastOfKey[string(m.Key)] = ev.ID
		return nil
	})
	clogs := newLockedBuffer()
	defer func() {
		if t.Failed() {
			t.Logf("the consumer's logs:\n%s", tailOf(clogs.String(), 40))
		}
	}()
	cfg := e.config("g-failover")
	// librdkafka's "topic" debug logs show the leader changes it sees.
	cfg.Kafka.Properties = map[string]any{"debug": "topic"}
	cfg.Logger = slog.New(slog.NewTextHandler(librdkafkaAndWarnings{clogs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)

	p := e.producer()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out := newOutcomes()
	var moved []int
	for i := int64(0); i < total; i++ {
		if i > 0 && i%(total/(moves+1)) == 0 {
			moved = append(moved, s.MoveLeaders())
		}
		_ = out.publish(ctx, p, i) // a refusal is recorded as failed
		// A steady pace, so that the consumer keeps up and fetches while
		// the leaders move.
		if i%2 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	// Once more while the consumer may still be catching up.
	moved = append(moved, s.MoveLeaders())
	out.reports.Wait()
	acked, failed := out.acked, out.failed // no more writes

	// Wait until every acknowledged event was handled.
	missing := func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		var out []int64
		for id := range acked {
			if handled[id] == 0 {
				out = append(out, id)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
		return out
	}
	for deadline := time.Now().Add(5 * time.Minute); ; {
		m := missing()
		if len(m) == 0 {
			break
		}
		select {
		case err := <-r.done:
			close(r.done)
			t.Fatalf("Run returned %v with %d acknowledged events not handled", err, len(m))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acknowledged events never handled, e.g. %v", len(m), m[:min(10, len(m))])
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case err := <-r.done:
		close(r.done)
		t.Fatalf("Run returned before it was stopped: %v", err)
	default:
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}

	logs := clogs.String()
	var changes int
	for _, m := range leaderChange.FindAllStringSubmatch(logs, -1) {
		if m[1] != "-1" && m[1] != m[2] { // -1: no leader known yet
			changes++
		}
	}
	notLeader := strings.Count(logs, "Not leader for partition")
	mu.Lock()
	defer mu.Unlock()
	var duplicates, strangers int
	for id, n := range handled {
		if n > 1 {
			duplicates += n - 1
		}
		if !acked[id] {
			strangers++
		}
	}
	dlq := e.dlqSize()
	t.Logf("published %d events, leaders moved %d times (%v partitions each): %d acknowledged, %d failed; handled %d distinct events, %d duplicates, %d not acknowledged, %d dead-lettered; the consumer's librdkafka saw %d leader changes, %d \"Not leader for partition\"",
		total, len(moved), moved, len(acked), len(failed), len(handled), duplicates, strangers, dlq, changes, notLeader)
	for k, n := range moved {
		if n < partitions {
			t.Errorf("move %d: %d partitions moved, the topic alone has %d", k+1, n, partitions)
		}
	}
	if changes < len(moved) {
		t.Errorf("the consumer's librdkafka logged %d leader changes for %d moves: did the moves reach it?", changes, len(moved))
	}
	if len(failed) > 0 {
		t.Errorf("%d publishes failed (e.g. %v); want none", len(failed), ranges(failed))
	}
	if duplicates > 0 {
		t.Errorf("%d events handled more than once across leader changes", duplicates)
	}
	if strangers > 0 {
		t.Errorf("%d events handled whose publish was not acknowledged", strangers)
	}
	if dlq != 0 {
		t.Errorf("%d messages on the dead-letter topic, want none", dlq)
	}
	if len(disorder) > 0 {
		t.Errorf("events of one key handled out of publish order: %v", disorder)
	}
	if len(lastOfKey) != keys {
		t.Errorf("%d keys handled, want %d", len(lastOfKey), keys)
	}
}

// leaderChange matches librdkafka's debug line of a partition's leader
// change: "[2]: leader 1 epoch 0 -> leader 2 epoch 1".
var leaderChange = regexp.MustCompile(`: leader (-?\d+) epoch -?\d+ -> leader (-?\d+) epoch`)

// librdkafkaAndWarnings is a log writer that keeps librdkafka's records and
// those at info level and above (one record per Write), not the SDK's
// per-message debug records.
type librdkafkaAndWarnings struct{ w *lockedBuffer }

func (l librdkafkaAndWarnings) Write(p []byte) (int, error) {
	s := string(p)
	if strings.Contains(s, "level=DEBUG") && !strings.Contains(s, "component=librdkafka") {
		return len(p), nil
	}
	return l.w.Write(p)
}
