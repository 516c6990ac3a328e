package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// topicFill keeps a broker's deadline topic filled for the consume
// benchmarks: the first run that needs n messages publishes what is
// missing (with the SDK producer, its clock stopped), so every run of a
// benchmark reads the same topic contents from the beginning.
type topicFill struct {
	e       *brokerEnv
	brokers string
	// events are the deadline events published in turn, one per key
	// (cafe id).
	events []*events.DeadlinePassed
	n      int // messages on the topic
}

// newTopicFill returns the filler of brokers' deadline topic, with events
// of keys distinct cafe ids.
func (e *brokerEnv) newTopicFill(brokers string, keys int) *topicFill {
	f := &topicFill{e: e, brokers: brokers}
	for i := range keys {
		ev := sampleDeadline()
		ev.CafeID = 1000 + int64(i)
		f.events = append(f.events, ev)
	}
	return f
}

// upTo makes the topic hold at least n messages. It stops b's clock.
func (f *topicFill) upTo(b *testing.B, n int) {
	b.Helper()
	if f.n >= n {
		return
	}
	b.StopTimer()
	ctx := context.Background()
	p, err := producer.New(ctx, f.e.producerConfig(f.brokers), events.DeadlinePassedContract)
	if err != nil {
		b.Fatal(err)
	}
	var pending sync.WaitGroup
	var failed atomic.Int64
	done := deliveryDone(&pending, &failed)
	for i := f.n; i < n; i++ {
		pending.Add(1)
		if err := p.PublishAsync(ctx, f.events[i%len(f.events)], done); err != nil {
			b.Fatal(err)
		}
	}
	pending.Wait()
	if left, err := p.Close(ctx); err != nil || left != 0 {
		b.Fatalf("closing the producer that fills the topic: %d undelivered, %v", left, err)
	}
	if m := failed.Load(); m > 0 {
		b.Fatalf("filling the topic: %d messages not delivered", m)
	}
	f.n = n
}
