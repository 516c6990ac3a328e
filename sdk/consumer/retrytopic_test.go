package consumer_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

// TestRetryTopics: a handler that fails the first attempts of one key's
// event gets it again from retry tier 1 and then tier 2, each no sooner
// than its delay (less a tolerance for clocks), while the other keys go on;
// an event that keeps failing goes to the dead-letter topic after the last
// tier, with its original position and every attempt counted.
func TestRetryTopics(t *testing.T) {
	e := newEnv(t)
	tiers := []time.Duration{300 * time.Millisecond, 600 * time.Millisecond}
	for n := range tiers {
		e.createTopic(consumer.DefaultRetryTopicName(e.topic, n+1), 1)
	}
	e.createTopic(consumer.DefaultDeadLetterTopic(e.topic), 1)
	p := e.producer()
	evs := []*testEvent{{ID: 1, Name: "flaky"}, {ID: 2, Name: "doomed"}}
	for i := 3; i <= 30; i++ {
		evs = append(evs, &testEvent{ID: int64(i), Name: "fine"})
	}
	ds := e.publish(p, evs...)

	type call struct {
		at      time.Time
		attempt int
		topic   string
	}
	var mu sync.Mutex
	calls := map[string][]call{}
	fineDone := map[int64]time.Time{}
	flakyOK := make(chan struct{})
	handler := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		mu.Lock()
		defer mu.Unlock()
		calls[ev.Name] = append(calls[ev.Name], call{time.Now(), m.Attempt, m.Topic})
		switch ev.Name {
		case "flaky":
			if m.Attempt < 3 {
				return errors.New("not yet")
			}
			close(flakyOK)
		case "doomed":
			return errors.New("never")
		default:
			fineDone[ev.ID] = time.Now()
		}
		return nil
	})
	cfg := e.config("g-retry")
	cfg.RetryTopics = tiers
	cfg.Retry = consumer.RetryPolicy{} // the default with retry topics: one attempt per tier
	_, r := e.run(cfg, handler)
	recv(t, flakyOK, "flaky event's third attempt")
	dead := e.readTopic(consumer.DefaultDeadLetterTopic(e.topic), 1)
	e.waitCommitted("g-retry", e.topic)
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}

	const tolerance = 50 * time.Millisecond
	mu.Lock()
	defer mu.Unlock()
	for _, name := range []string{"flaky", "doomed"} {
		cs := calls[name]
		if len(cs) != 3 {
			t.Fatalf("%s: %d calls, want 3 (one per stage): %+v", name, len(cs), cs)
		}
		for i, want := range []string{e.topic, consumer.DefaultRetryTopicName(e.topic, 1), consumer.DefaultRetryTopicName(e.topic, 2)} {
			if cs[i].topic != want || cs[i].attempt != i+1 {
				t.Errorf("%s call %d: topic %s attempt %d, want %s attempt %d", name, i+1, cs[i].topic, cs[i].attempt, want, i+1)
			}
		}
		for i, d := range tiers {
			if gap := cs[i+1].at.Sub(cs[i].at); gap < d-tolerance {
				t.Errorf("%s: tier %d came %v after the failure, before its delay %v", name, i+1, gap, d)
			}
		}
	}
	// The other keys were not held up by the retries.
	for id := int64(3); id <= 30; id++ {
		at, ok := fineDone[id]
		if !ok {
			t.Fatalf("event %d never handled", id)
		}
		if !at.Before(calls["flaky"][1].at) {
			t.Errorf("event %d handled at %v, after flaky's first retry: it waited for it", id, at)
		}
	}
	if len(dead) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dead))
	}
	m := dead[0]
	for k, want := range map[string]string{
		consumer.HeaderDLQReason:    consumer.ReasonHandler,
		consumer.HeaderDLQTopic:     e.topic,
		consumer.HeaderDLQPartition: strconv.Itoa(int(ds[1].Partition)),
		consumer.HeaderDLQOffset:    strconv.FormatInt(ds[1].Offset, 10),
		consumer.HeaderDLQAttempts:  "3",
		consumer.HeaderDLQError:     "never",
	} {
		if got := header(m, k); got != want {
			t.Errorf("dead letter header %s = %q, want %q", k, got, want)
		}
	}
	if got := header(m, consumer.HeaderRetryTier); got != "" {
		t.Errorf("the dead letter kept retry header %s = %q", consumer.HeaderRetryTier, got)
	}
	t.Logf("flaky: %v, %v after the tiers", calls["flaky"][1].at.Sub(calls["flaky"][0].at), calls["flaky"][2].at.Sub(calls["flaky"][1].at))
}
