package telemetry

import (
	"context"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// TestGate: off with otel's untouched globals, on once the program sets a
// provider, and always on for a provider given outright.
func TestGate(t *testing.T) {
	g := NewGate(Providers{}.WithDefaults())
	if g.Tracing() || g.Metrics() || g.Propagation() {
		t.Fatal("the gate is open with otel's initial global providers")
	}
	given := NewGate(Providers{Tracer: noop.NewTracerProvider(), Propagator: propagation.TraceContext{}}.WithDefaults())
	if !given.Tracing() || !given.Propagation() {
		t.Error("a provider given outright does not open the gate")
	}
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(noop.NewTracerProvider())
	defer otel.SetTracerProvider(prev)
	if !g.Tracing() {
		t.Error("setting the global tracer provider did not open the gate")
	}
	if g.Propagation() {
		t.Error("setting the tracer provider opened propagation")
	}
	prevProp := otel.GetTextMapPropagator()
	// A composite propagator, as services set, is of an uncomparable type.
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	defer otel.SetTextMapPropagator(prevProp)
	if !g.Propagation() {
		t.Error("setting the global propagator did not open the gate")
	}
	if NewGate(Providers{}.WithDefaults()).Propagation() != true {
		t.Error("a gate made after the global propagator was set is shut")
	}
}

func TestCarrier(t *testing.T) {
	c := &Carrier{Headers: []kafka.Header{{Key: "ce_id", Value: []byte("x")}}}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: [16]byte{1}, SpanID: [8]byte{2}, TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	propagation.TraceContext{}.Inject(ctx, c)
	if got := c.Get("traceparent"); got != "00-01000000000000000000000000000000-0200000000000000-01" {
		t.Fatalf("traceparent %q", got)
	}
	c.Set("traceparent", "other")
	if len(c.Headers) != 2 || c.Get("traceparent") != "other" || c.Get("ce_id") != "x" {
		t.Fatalf("headers after Set: %+v", c.Headers)
	}
	back := propagation.TraceContext{}.Extract(context.Background(), &Carrier{Headers: []kafka.Header{{Key: "traceparent", Value: []byte("00-01000000000000000000000000000000-0200000000000000-01")}}})
	if got := trace.SpanContextFromContext(back); !got.IsRemote() || got.TraceID() != sc.TraceID() {
		t.Fatalf("extracted %+v", got)
	}
	if keys := c.Keys(); len(keys) != 2 || keys[0] != "ce_id" {
		t.Fatalf("Keys = %v", keys)
	}
}
