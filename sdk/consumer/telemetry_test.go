package consumer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// otelKit is an OpenTelemetry SDK that records in memory.
type otelKit struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	prop   propagation.TextMapPropagator
}

func newOtelKit(t *testing.T) *otelKit {
	k := &otelKit{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader(),
		prop: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})}
	k.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(k.spans), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	k.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(k.reader))
	t.Cleanup(func() {
		_ = k.tp.Shutdown(context.Background())
		_ = k.mp.Shutdown(context.Background())
	})
	return k
}

// metrics collects the metrics and returns the data points' sums (counters
// and gauges: the value, histograms: the count) by metric name and by the
// attribute filter.
func (k *otelKit) metrics(t *testing.T, name string, match func(attribute.Set) bool) (total int64, found bool) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := k.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			found = true
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if match == nil || match(p.Attributes) {
						total += p.Value
					}
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					if match == nil || match(p.Attributes) {
						total += p.Value
					}
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					if match == nil || match(p.Attributes) {
						total += int64(p.Count)
					}
				}
			}
		}
	}
	return total, found
}

func has(key, value string) func(attribute.Set) bool {
	return func(s attribute.Set) bool {
		v, ok := s.Value(attribute.Key(key))
		return ok && v.Emit() == value
	}
}

// TestTracesAndMetrics publishes three events inside a request's span; the
// consumer handles two and dead-letters the third after an in-place retry.
// One trace goes from the request through each "send" span to its
// "process" span (and on to what the handler publishes); the spans carry
// the messaging attributes; the metrics count what was sent and handled;
// the lag gauge comes back to 0; the dead letter shows on its span and in
// the counter.
func TestTracesAndMetrics(t *testing.T) {
	e := newEnv(t)
	k := newOtelKit(t)
	p, err := producer.New(context.Background(), producer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: e.broker}, Registry: e.registry(), Serde: serde.SerializerConfig{AutoRegister: true},
		Name: "otel-test", Logger: testLogger(t), TracerProvider: k.tp, MeterProvider: k.mp, Propagator: k.prop,
	}, testContract)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())

	reqCtx, req := k.tp.Tracer("test").Start(context.Background(), "request")
	for _, ev := range []*testEvent{{ID: 1, Name: "one"}, {ID: 2, Name: "two"}, {ID: 3, Name: "bad"}} {
		if _, err := p.Publish(reqCtx, ev); err != nil {
			t.Fatal(err)
		}
	}
	req.End()

	handled := make(chan string, 10)
	h := consumer.Handle(func(ctx context.Context, ev *testEvent, m consumer.Message) error {
		if ev.Name == "bad" {
			return errors.New("bad event")
		}
		// What a handler publishes continues the trace.
		_, child := k.tp.Tracer("test").Start(ctx, "handler work")
		child.End()
		handled <- ev.Name
		return nil
	})
	cfg := e.config("g-otel")
	cfg.TracerProvider, cfg.MeterProvider, cfg.Propagator = k.tp, k.mp, k.prop
	cfg.Retry = consumer.RetryPolicy{Attempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
	c, r := e.run(cfg, h)
	recv(t, handled, "first event")
	recv(t, handled, "second event")
	e.readTopic(consumer.DefaultDeadLetterTopic(e.topic), 1)
	e.waitCommitted("g-otel", e.topic)

	// Lag: back to 0 once everything is done (the gauge reads the last
	// fetch's high watermark, so allow it a moment).
	deadline := time.Now().Add(waitLimit)
	for {
		lag, found := k.metrics(t, "eventkit.consumer.lag", nil)
		if found && lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lag %d (found %v), want 0 after consumption", lag, found)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st := c.Stats(); st.InFlight != 0 {
		t.Errorf("in flight %d after consumption", st.InFlight)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}

	spans := k.spans.Ended()
	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	sends, processes := byName["send "+e.topic], byName["process "+e.topic]
	if len(sends) != 3 || len(processes) != 3 || len(byName["handler work"]) != 2 {
		t.Fatalf("spans: %d send, %d process, %d handler work; want 3, 3, 2", len(sends), len(processes), len(byName["handler work"]))
	}
	reqSC := req.SpanContext()
	sendByID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range sends {
		if s.SpanKind() != trace.SpanKindProducer || s.Parent().SpanID() != reqSC.SpanID() || s.SpanContext().TraceID() != reqSC.TraceID() {
			t.Errorf("send span %v: kind %v, parent %v, want a PRODUCER child of the request", s.SpanContext().SpanID(), s.SpanKind(), s.Parent().SpanID())
		}
		wantAttrs(t, s, map[string]string{
			"messaging.system": "kafka", "messaging.destination.name": e.topic, "messaging.operation.name": "send",
			"messaging.operation.type": "send", "eventkit.event.type": "eventkit.test",
		}, "messaging.message.id", "messaging.kafka.message.key", "messaging.destination.partition.id", "messaging.kafka.offset", "eventkit.schema.id")
		sendByID[s.SpanContext().SpanID()] = s
	}
	var dead sdktrace.ReadOnlySpan
	for _, s := range processes {
		parent, ok := sendByID[s.Parent().SpanID()]
		if !ok || s.SpanKind() != trace.SpanKindConsumer || s.SpanContext().TraceID() != reqSC.TraceID() {
			t.Errorf("process span %v: kind %v, parent %v: want a CONSUMER child of a send span, in the request's trace", s.SpanContext().SpanID(), s.SpanKind(), s.Parent().SpanID())
			continue
		}
		wantAttrs(t, s, map[string]string{
			"messaging.system": "kafka", "messaging.destination.name": e.topic, "messaging.operation.name": "process",
			"messaging.operation.type": "process", "messaging.consumer.group.name": "g-otel",
			"messaging.message.id": attrOf(parent, "messaging.message.id"), "messaging.kafka.offset": attrOf(parent, "messaging.kafka.offset"),
		}, "messaging.destination.partition.id", "messaging.kafka.message.key", "eventkit.schema.id")
		for _, ev := range s.Events() {
			if ev.Name == "dead_letter" {
				dead = s
			}
		}
	}
	if dead == nil {
		t.Fatal("no process span records the dead letter")
	}
	if attrOf(dead, "error.type") != consumer.ReasonHandler || dead.Status().Code.String() != "Error" {
		t.Errorf("dead-lettered span: error.type %q, status %v", attrOf(dead, "error.type"), dead.Status())
	}
	retried := false
	for _, ev := range dead.Events() {
		retried = retried || ev.Name == "retry"
	}
	if !retried {
		t.Error("the in-place retry is not on the span")
	}
	for _, w := range byName["handler work"] {
		if _, ok := sendByID[w.Parent().SpanID()]; ok || w.SpanContext().TraceID() != reqSC.TraceID() {
			t.Errorf("handler work span is not a child of a process span in the request's trace")
		}
	}

	for _, m := range []struct {
		name  string
		match func(attribute.Set) bool
		want  int64
	}{
		{"messaging.client.sent.messages", has("messaging.destination.name", e.topic), 3},
		{"messaging.client.consumed.messages", has("messaging.destination.name", e.topic), 3},
		{"messaging.process.duration", has("messaging.destination.name", e.topic), 3},
		{"messaging.client.operation.duration", has("messaging.operation.name", "send"), 3},
		{"eventkit.consumer.dead_lettered", has("eventkit.reason", consumer.ReasonHandler), 1},
		{"eventkit.consumer.retried", has("eventkit.retry", "in_place"), 1},
	} {
		if got, _ := k.metrics(t, m.name, m.match); got != m.want {
			t.Errorf("%s = %d, want %d", m.name, got, m.want)
		}
	}
	if reqs, found := k.metrics(t, "eventkit.registry.requests", nil); !found || reqs == 0 {
		t.Errorf("eventkit.registry.requests = %d (found %v)", reqs, found)
	}
}

func attrOf(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// wantAttrs checks that s has the attributes of want, and the keys of
// present with any value.
func wantAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[string]string, present ...string) {
	t.Helper()
	for k, v := range want {
		if got := attrOf(s, k); got != v {
			t.Errorf("%s: %s = %q, want %q", s.Name(), k, got, v)
		}
	}
	for _, k := range present {
		if attrOf(s, k) == "" {
			t.Errorf("%s: no %s", s.Name(), k)
		}
	}
}
