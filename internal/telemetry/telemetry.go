// Package telemetry holds what the producer and the consumer share about
// OpenTelemetry: the instrumentation scope, the providers' defaults (the
// global ones, as instrumentation libraries do), the carrier that puts a
// trace context in Kafka headers, and the attributes of the messaging
// semantic conventions (semconv v1.39.0) the SDK records.
//
// The SDK depends on the OpenTelemetry API only. With no SDK configured
// (otel's global no-op providers) a span costs a context and a metric a
// method call: the hot paths start spans without attributes and set them
// only when the span is recording, and pass precomputed attribute sets.
package telemetry

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the SDK's spans and metrics.
const ScopeName = "github.com/lunchbot/eventkit"

// SchemaURL is the semantic conventions' version the SDK follows.
const SchemaURL = semconv.SchemaURL

// Providers are the OpenTelemetry providers a producer or consumer uses.
type Providers struct {
	Tracer     trace.TracerProvider
	Meter      metric.MeterProvider
	Propagator propagation.TextMapPropagator
}

// WithDefaults fills the nil providers with otel's global ones. The global
// providers delegate to whatever the program sets later with
// otel.SetTracerProvider and friends.
func (p Providers) WithDefaults() Providers {
	if p.Tracer == nil {
		p.Tracer = otel.GetTracerProvider()
	}
	if p.Meter == nil {
		p.Meter = otel.GetMeterProvider()
	}
	if p.Propagator == nil {
		p.Propagator = otel.GetTextMapPropagator()
	}
	return p
}

// TracerOf returns the SDK's tracer of p.
func (p Providers) TracerOf() trace.Tracer {
	return p.Tracer.Tracer(ScopeName, trace.WithSchemaURL(SchemaURL))
}

// MeterOf returns the SDK's meter of p.
func (p Providers) MeterOf() metric.Meter {
	return p.Meter.Meter(ScopeName, metric.WithSchemaURL(SchemaURL))
}

// The SDK's own attributes, beside the conventions'.
const (
	// SchemaIDKey is the registry id of the schema an event was written with.
	SchemaIDKey = attribute.Key("eventkit.schema.id")
	// EventTypeKey is the event type (the contract's, the ce_type header).
	EventTypeKey = attribute.Key("eventkit.event.type")
	// ReasonKey says why a message was dead-lettered or retried.
	ReasonKey = attribute.Key("eventkit.reason")
	// PartitionKey names a partition in the SDK's own per-partition
	// metrics (the lag).
	PartitionKey = semconv.MessagingDestinationPartitionIDKey
)

// Kafka is messaging.system=kafka.
var Kafka = semconv.MessagingSystemKafka

// Gate tells, cheaply on every message, whether tracing, metrics and
// propagation do anything: false while the providers are otel's initial
// global ones and no program has set real ones (otel.SetTracerProvider,
// otel.SetMeterProvider, otel.SetTextMapPropagator). The SDK skips its per-message work then, so that
// instrumentation costs nothing until it is switched on; providers set
// later are picked up on the next message.
type Gate struct {
	tracer trace.TracerProvider          // the initial global delegate, or nil
	meter  metric.MeterProvider          // likewise
	prop   propagation.TextMapPropagator // likewise
}

// NewGate returns the Gate of providers p (after WithDefaults).
func NewGate(p Providers) Gate {
	var g Gate
	if initialGlobal(p.Tracer) {
		g.tracer = p.Tracer
	}
	if initialGlobal(p.Meter) {
		g.meter = p.Meter
	}
	if initialGlobal(p.Propagator) {
		g.prop = p.Propagator
	}
	return g
}

// Tracing reports whether spans may record.
func (g Gate) Tracing() bool { return g.tracer == nil || otel.GetTracerProvider() != g.tracer }

// Metrics reports whether measurements may be recorded.
func (g Gate) Metrics() bool { return g.meter == nil || otel.GetMeterProvider() != g.meter }

// Propagation reports whether the propagator may inject or extract
// anything. (g.prop is a pointer: the comparison cannot panic whatever the
// global propagator's type.)
func (g Gate) Propagation() bool {
	return g.prop == nil || otel.GetTextMapPropagator() != g.prop
}

// initialGlobal reports whether p is otel's global delegate holding no
// provider yet. The delegate's type is internal to otel, so it is known by
// name: should otel rename it, every provider counts as real, which costs
// time, not correctness.
func initialGlobal(p any) bool {
	// The type first: comparing p with a global of an uncomparable type
	// (propagation's composite propagator is a slice) would panic.
	switch t := fmt.Sprintf("%T", p); p.(type) {
	case trace.TracerProvider:
		return t == "*global.tracerProvider" && p == otel.GetTracerProvider()
	case metric.MeterProvider:
		return t == "*global.meterProvider" && p == otel.GetMeterProvider()
	case propagation.TextMapPropagator:
		return t == "*global.textMapPropagator" && p == otel.GetTextMapPropagator()
	}
	return false
}

// RegistryStats is what the SDK reports of a schema-registry client.
type RegistryStats struct {
	Requests, Retries, CacheHits, CacheMisses uint64
}

// ObserveRegistry registers eventkit.registry.requests (HTTP requests,
// retries included) and eventkit.registry.cache.lookups (cache hits and
// misses, by eventkit.cache.result) read from stats at each collection.
func ObserveRegistry(m metric.Meter, stats func() RegistryStats, attrs ...attribute.KeyValue) (metric.Registration, error) {
	requests, err1 := m.Int64ObservableCounter("eventkit.registry.requests",
		metric.WithDescription("HTTP requests to the schema registry, retries included."), metric.WithUnit("{request}"))
	lookups, err2 := m.Int64ObservableCounter("eventkit.registry.cache.lookups",
		metric.WithDescription("Lookups in the registry client's caches, by result (hit or miss)."), metric.WithUnit("{lookup}"))
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	base := metric.WithAttributes(attrs...)
	hit := metric.WithAttributes(append(attrs[:len(attrs):len(attrs)], attribute.String("eventkit.cache.result", "hit"))...)
	miss := metric.WithAttributes(append(attrs[:len(attrs):len(attrs)], attribute.String("eventkit.cache.result", "miss"))...)
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := stats()
		o.ObserveInt64(requests, int64(s.Requests), base)
		o.ObserveInt64(lookups, int64(s.CacheHits), hit)
		o.ObserveInt64(lookups, int64(s.CacheMisses), miss)
		return nil
	}, requests, lookups)
}
