package producer_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// TestPublishWithoutCallback: events published without a callback, mixed
// with some that have one, all reach the topic; Flush returns once every
// report is in (the callbacks run), and each untracked one is logged at
// debug level with its partition and offset.
func TestPublishWithoutCallback(t *testing.T) {
	var logs syncBuffer
	p, c, broker := realProducer(t, &logs)
	ctx := context.Background()
	const n = 600
	var called atomic.Int64
	for i := range n {
		var done func(producer.Delivery, error)
		if i%3 == 0 {
			done = func(_ producer.Delivery, err error) {
				if err == nil {
					called.Add(1)
				}
			}
		}
		if err := p.PublishAsync(ctx, &contractEvent{testEvent{ID: int64(i), Name: "x"}, c}, done); err != nil {
			t.Fatal(err)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if left, err := p.Flush(fctx); left != 0 || err != nil {
		t.Fatalf("Flush = %d, %v", left, err)
	}
	if got := called.Load(); got != n/3 {
		t.Errorf("%d callbacks ran by the time Flush returned, want %d", got, n/3)
	}
	if size := topicSize(t, broker, c.Topic); size != n {
		t.Errorf("%d messages on the topic, want %d", size, n)
	}
	out := logs.String()
	if got := strings.Count(out, `msg="event published (without a callback)"`); got != n-n/3 {
		t.Errorf("%d untracked publishes logged, want %d", got, n-n/3)
	}
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("errors logged:\n%.2000s", out)
	}
	if left, err := p.Close(ctx); left != 0 || err != nil {
		t.Errorf("Close = %d, %v", left, err)
	}
}

// TestPublishWithoutCallbackFails: with no broker, events published
// without a callback fail after the delivery timeout: each failure is
// logged at error level with its topic, none is lost from the count, and
// Flush returns when all are reported (bounded by its context otherwise).
func TestPublishWithoutCallbackFails(t *testing.T) {
	var logs syncBuffer
	c := itestContract(t)
	p, err := producer.New(context.Background(), producer.Config{
		Kafka:           kafkaconfig.Config{BootstrapServers: deadAddr(t), SkipConnectCheck: true},
		Registry:        registry.Config{URLs: []string{itest.Registry(t)}},
		Serde:           serde.SerializerConfig{AutoRegister: true},
		DeliveryTimeout: time.Second,
		Logger:          slog.New(slog.NewTextHandler(&logs, nil)),
	}, c)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	for i := range 3 {
		if err := p.PublishAsync(context.Background(), &contractEvent{testEvent{ID: int64(i), Name: "x"}, c}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// A context that ends first: Flush says how many are still out.
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	left, err := p.Flush(short)
	cancel()
	if left != 3 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Flush before the delivery timeout = %d, %v; want 3 and DeadlineExceeded", left, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if left, err := p.Flush(ctx); left != 0 || err != nil {
		t.Fatalf("Flush = %d, %v", left, err)
	}
	out := logs.String()
	if got := strings.Count(out, `level=ERROR msg="event not delivered (published without a callback)"`); got != 3 ||
		strings.Count(out, "topic="+c.Topic+" partition=-1 error=\"producer: message to "+c.Topic+" not delivered: Local: Message timed out\"") != 3 {
		t.Errorf("%d failures logged, want 3:\n%s", got, out)
	}
}

// TestFlushAndCloseConcurrently: a Flush in progress when Close is called
// neither crashes nor outlives it, and sees every message reported (Close
// flushes them); Flush after Close has nothing to wait for.
func TestFlushAndCloseConcurrently(t *testing.T) {
	p, c, _ := realProducer(t, nil)
	ctx := context.Background()
	for i := range 2000 {
		if err := p.PublishAsync(ctx, &contractEvent{testEvent{ID: int64(i), Name: "x"}, c}, nil); err != nil {
			t.Fatal(err)
		}
	}
	bounded, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	flushErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := p.Flush(bounded)
		flushErr <- err
	}()
	if left, err := p.Close(bounded); left != 0 || err != nil {
		t.Errorf("Close = %d, %v", left, err)
	}
	wg.Wait()
	if err := <-flushErr; err != nil {
		t.Errorf("Flush during Close: %v", err)
	}
	if left, err := p.Flush(bounded); left != 0 || err != nil {
		t.Errorf("Flush after Close = %d, %v", left, err)
	}
}
