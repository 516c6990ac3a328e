package producer_test

import (
	"context"
	"sort"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// TestHeaderProfiles: each profile sends the headers it promises, and no
// others; with HeadersNone there is no event id either.
func TestHeaderProfiles(t *testing.T) {
	for _, tc := range []struct {
		profile producer.HeaderProfile
		want    []string
	}{
		{producer.HeadersFull, []string{cloudevents.HeaderContentType, cloudevents.HeaderDataSchema, cloudevents.HeaderID, cloudevents.HeaderSource, cloudevents.HeaderSpecVersion, cloudevents.HeaderType, cloudevents.HeaderTraceparent}},
		{producer.HeadersMinimal, []string{cloudevents.HeaderID, cloudevents.HeaderType, cloudevents.HeaderTraceparent}},
		{producer.HeadersNone, nil},
	} {
		t.Run(tc.profile.String(), func(t *testing.T) {
			mc := mockCluster(t)
			p, _ := newProducer(t, mc.BootstrapServers(), nil, func(c *producer.Config) { c.Headers = tc.profile })
			// A traceparent from cloudevents.WithTraceparent travels unless
			// the profile sends no header.
			ctx := cloudevents.WithTraceparent(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			d, err := p.Publish(ctx, &testEvent{ID: 1, Name: "a"})
			if err != nil {
				t.Fatal(err)
			}
			if (tc.profile == producer.HeadersNone) != d.EventID.IsZero() {
				t.Errorf("event id %v with profile %v", d.EventID, tc.profile)
			}
			m := readAllPartitions(t, mc.BootstrapServers(), testContract.Topic, 1)[0]
			var got []string
			for _, h := range m.Headers {
				got = append(got, h.Key)
			}
			sort.Strings(got)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if len(got) != len(want) {
				t.Fatalf("headers %v, want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("headers %v, want %v", got, want)
				}
			}
			if v, ok := header(m, cloudevents.HeaderID); ok && v != d.EventID.String() {
				t.Errorf("ce_id %q, the delivery says %v", v, d.EventID)
			}
		})
	}
}

// TestSendSpanAndPropagation: with a tracer provider, a publish makes a
// "send <topic>" PRODUCER span, a child of the caller's span, whose context
// the message carries in its traceparent header (tracestate too).
func TestSendSpanAndPropagation(t *testing.T) {
	mc := mockCluster(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	prop := propagation.TraceContext{}
	p, _ := newProducer(t, mc.BootstrapServers(), nil, func(c *producer.Config) {
		c.TracerProvider, c.Propagator = tp, prop
	})
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	ts, _ := trace.ParseTraceState("vendor=value")
	ctx = trace.ContextWithSpanContext(ctx, parent.SpanContext().WithTraceState(ts))
	if _, err := p.Publish(ctx, &testEvent{ID: 5, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	parent.End()
	m := readAllPartitions(t, mc.BootstrapServers(), testContract.Topic, 1)[0]
	var send sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "send "+testContract.Topic {
			send = s
		}
	}
	if send == nil {
		t.Fatalf("no send span among %d", len(rec.Ended()))
	}
	if send.SpanKind() != trace.SpanKindProducer || send.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("send span kind %v parent %v", send.SpanKind(), send.Parent().SpanID())
	}
	tpHeader, _ := header(m, cloudevents.HeaderTraceparent)
	want := "00-" + send.SpanContext().TraceID().String() + "-" + send.SpanContext().SpanID().String() + "-01"
	if tpHeader != want {
		t.Errorf("traceparent %q, want the send span's %q", tpHeader, want)
	}
	if st, _ := header(m, "tracestate"); st != "vendor=value" {
		t.Errorf("tracestate %q", st)
	}
}
