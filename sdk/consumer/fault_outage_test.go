package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// TestFaultBrokerOutageNothingAcknowledgedLost publishes 10,000 events with
// unique ids while the broker (kfake persisting to a data directory) is
// stopped and restarted on the same port mid-stream, longer than the
// delivery timeout, so that some publishes fail. It then consumes the
// topic with the SDK consumer: every event whose publish was acknowledged is
// consumed exactly once, the events of each key (64 keys) in the order they
// were published, and anything else consumed is an event whose
// publish reported a failure (librdkafka may report a timeout for a message
// the broker did store). The registry keeps its schemas in PostgreSQL, as a
// production registry would.
//
// The "stop" case stops the broker cleanly (SIGTERM); the "kill" case
// crashes it (SIGKILL), after which it recovers from its data directory.
func TestFaultBrokerOutageNothingAcknowledgedLost(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 events and a broker restart")
	}
	t.Run("stop", func(t *testing.T) { outage(t, false) })
	t.Run("kill", func(t *testing.T) { outage(t, true) })
}

func outage(t *testing.T, crash bool) {
	const total = 10_000
	const outageAt = 3_000
	s := itest.Start(t, itest.Options{RegistryPostgres: true})
	e := &env{t: t, broker: s.BrokerAddr, regURL: s.RegistryURL}
	useContract(t)
	e.createTopic(testContract.Topic, 3) // created, not auto-created: it survives a crash too

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const timeout = 5 * time.Second
	plogs := newLockedBuffer()
	defer func() {
		if t.Failed() || testing.Verbose() {
			var other []string
			for _, l := range strings.Split(plogs.String(), "\n") {
				if l != "" && !strings.Contains(l, "event not delivered") {
					other = append(other, l)
				}
			}
			t.Logf("the producer's logs other than failed deliveries:\n%s", tailOf(strings.Join(other, "\n"), 40))
		}
	}()
	p, err := producer.New(ctx, producer.Config{
		// librdkafka waits up to reconnect.backoff.max.ms (10s by default)
		// between tries to reach a broker that is down: with a delivery
		// timeout shorter than that, messages published just after the
		// broker is back may time out before librdkafka tries again.
		Kafka: kafkaconfig.Config{BootstrapServers: s.BrokerAddr, Properties: map[string]any{
			"reconnect.backoff.max.ms": 1000,
		}},
		Registry:        registry.Config{URLs: []string{s.RegistryURL}},
		Serde:           serde.SerializerConfig{AutoRegister: true},
		DeliveryTimeout: timeout,
		Name:            "outage-test",
		Logger:          slog.New(slog.NewTextHandler(plogs, nil)),
	}, testContract)
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu       sync.Mutex
		out      = newOutcomes()
		refused  atomic.Int64 // PublishAsync returned an error: never sent
		outage   = make(chan struct{})
		restored = make(chan struct{})
	)
	// The outage: stop the broker, stay down for longer than the delivery
	// timeout, start it again on the same port with the same data.
	var down, up time.Time
	go func() {
		<-outage
		down = time.Now()
		if crash {
			s.Kill()
		} else {
			s.Stop()
		}
		time.Sleep(timeout + 3*time.Second)
		close(restored) // the test's goroutine restarts it (Restart may call Fatal)
	}()

	restartedAt := int64(-1) // the first event published after the restart
	for i := int64(0); i < total; i++ {
		if i == outageAt {
			close(outage)
		}
		if !up.IsZero() && restartedAt < 0 {
			restartedAt = i
		}
		if i < outageAt || restartedAt >= 0 && i < restartedAt+2000 {
			// A steady pace before the outage, so that the broker goes
			// down with messages in flight rather than with thousands
			// queued, and through librdkafka's reconnection.
			time.Sleep(time.Millisecond)
		}
		if i >= outageAt && up.IsZero() {
			select {
			case <-restored:
				s.Restart()
				up = time.Now()
			default:
				if i < total/2 {
					// Keep publishing at a steady pace while the broker
					// is down.
					time.Sleep(5 * time.Millisecond)
				} else {
					// Do not run out of events before it is back.
					<-restored
					s.Restart()
					up = time.Now()
				}
			}
		}
		if err := out.publish(ctx, p, i); err != nil {
			refused.Add(1)
		}
	}
	if up.IsZero() {
		<-restored
		s.Restart()
		up = time.Now()
	}
	if n, err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %d undelivered: %v", n, err)
	}
	out.reports.Wait()
	acked, failed := out.acked, out.failed // no more writes
	if got := len(acked) + len(failed); got != total {
		t.Fatalf("%d outcomes for %d publishes", got, total)
	}
	causes := map[string]int{}
	for _, err := range failed {
		if !errors.Is(err, producer.ErrNotDelivered) {
			t.Errorf("a failed publish: %v, want ErrNotDelivered", err)
		}
		var de *producer.DeliveryError
		if errors.As(err, &de) {
			causes[de.Err.Error()]++
		} else {
			causes[err.Error()]++
		}
	}
	for cause, k := range causes {
		t.Logf("%d publishes failed with: %s", k, cause)
	}
	t.Logf("failed event ids: %s; the first event after the restart: %d", ranges(failed), restartedAt)
	ackedAfter := 0
	for id := range acked {
		if id >= restartedAt {
			ackedAfter++
		}
	}
	if restartedAt < 0 || ackedAfter == 0 {
		t.Errorf("no event published after the broker came back was acknowledged")
	}
	t.Logf("published %d events: %d acknowledged, %d failed (%d refused at once); broker down for %v",
		total, len(acked), len(failed), refused.Load(), up.Sub(down).Round(100*time.Millisecond))
	if len(failed) == 0 {
		t.Log("no publish failed: the outage was shorter than the delivery timeout")
	}

	// Consume the whole topic with a fresh group.
	_, high := e.committed("g-outage-verify", testContract.Topic)
	var onTopic int64
	for _, h := range high {
		onTopic += h
	}
	counts := map[int64]int{}
	var n atomic.Int64
	all := make(chan struct{})
	var allOnce sync.Once
	lastOfKey := map[string]int64{}
	var disorder []string
	h := consumer.Handle(func(_ context.Context, ev *testEvent, m consumer.Message) error {
		mu.Lock()
		counts[ev.ID]++
		if last, ok := lastOfKey[string(m.Key)]; ok && ev.ID <= last && len(disorder) < 10 {
			disorder = append(disorder, fmt.Sprintf("key %s: event %d after %d", m.Key, ev.ID, last))
		}
		lastOfKey[string(m.Key)] = ev.ID
		mu.Unlock()
		if n.Add(1) == onTopic {
			allOnce.Do(func() { close(all) })
		}
		return nil
	})
	cfg := e.config("g-outage-verify")
	cfg.Logger = slog.New(slog.NewTextHandler(newLockedBuffer(), nil))
	c, err := consumer.New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, c)
	select {
	case <-all:
	case <-time.After(5 * time.Minute):
		t.Fatalf("consumed %d of the %d messages on the topic", n.Load(), onTopic)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	var lost, duplicated, extraStored []int64
	for id := range acked {
		switch counts[id] {
		case 0:
			lost = append(lost, id)
		case 1:
		default:
			duplicated = append(duplicated, id)
		}
	}
	for id, k := range counts {
		if acked[id] {
			continue
		}
		if _, ok := failed[id]; !ok {
			t.Errorf("event %d consumed %d times but never published", id, k)
		}
		extraStored = append(extraStored, id)
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
	sort.Slice(duplicated, func(i, j int) bool { return duplicated[i] < duplicated[j] })
	t.Logf("consumed %d messages: %d distinct acknowledged events, %d lost, %d duplicated; %d events reported failed were stored anyway",
		onTopic, len(acked)-len(lost), len(lost), len(duplicated), len(extraStored))
	if len(lost) > 0 {
		t.Errorf("%d acknowledged events never consumed, e.g. %v", len(lost), lost[:min(10, len(lost))])
	}
	if len(disorder) > 0 {
		t.Errorf("events of one key consumed out of publish order: %v", disorder)
	}
	if len(lastOfKey) != keys {
		t.Errorf("%d keys consumed, want %d", len(lastOfKey), keys)
	}
	if len(duplicated) > 0 {
		t.Errorf("%d acknowledged events consumed more than once, e.g. %v", len(duplicated), duplicated[:min(10, len(duplicated))])
	}
}

// keys is the number of keys of the outage test's events: each key's events
// must be consumed in the order they were published.
const keys = 64

// keyedEvent is testEvent keyed by its id modulo keys.
type keyedEvent struct{ testEvent }

func (e *keyedEvent) AppendKey(dst []byte) []byte { return strconv.AppendInt(dst, e.ID%keys, 10) }

// ranges lists the keys of m as sorted ranges, "3000-3712 4100".
func ranges[V any](m map[int64]V) string {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var b strings.Builder
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(strconv.FormatInt(ids[i], 10))
		if j > i {
			b.WriteString("-" + strconv.FormatInt(ids[j], 10))
		}
		i = j + 1
	}
	return b.String()
}

// outcomes records the outcome of each test event published with
// PublishAsync: acknowledged, or failed with its error.
type outcomes struct {
	mu      sync.Mutex
	acked   map[int64]bool
	failed  map[int64]error
	reports sync.WaitGroup // one per publish, done with its outcome
}

func newOutcomes() *outcomes {
	return &outcomes{acked: map[int64]bool{}, failed: map[int64]error{}}
}

// publish publishes test event id (keyed) with PublishAsync and records
// its outcome; PublishAsync's own error is recorded and returned.
func (o *outcomes) publish(ctx context.Context, p *producer.Producer, id int64) error {
	o.reports.Add(1)
	err := p.PublishAsync(ctx, &keyedEvent{testEvent{ID: id, Name: fmt.Sprintf("event-%d", id)}}, func(_ producer.Delivery, err error) {
		defer o.reports.Done()
		o.record(id, err)
	})
	if err != nil {
		o.record(id, err)
		o.reports.Done()
	}
	return err
}

func (o *outcomes) record(id int64, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.failed[id] = err
	} else {
		o.acked[id] = true
	}
}
