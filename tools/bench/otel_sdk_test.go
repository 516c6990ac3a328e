//go:build !preotel

package bench

import (
	"context"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// providers are OpenTelemetry providers given to the SDK's producer and
// consumer (Config.TracerProvider, MeterProvider, Propagator).
type providers struct {
	tracer trace.TracerProvider
	meter  metric.MeterProvider
	prop   propagation.TextMapPropagator
	sdk    *sdktrace.TracerProvider // the real tracer provider, nil for no-op ones
	spans  *spanCounter             // what sdk exported
}

// noopProviders are otel's no-op providers given outright: unlike otel's
// untouched globals (the default), they open the SDK's telemetry.Gate, so
// the SDK does its per-message telemetry work, with calls that do
// nothing.
func noopProviders() providers {
	return providers{tracer: tracenoop.NewTracerProvider(), meter: metricnoop.NewMeterProvider(), prop: propagation.NewCompositeTextMapPropagator()}
}

// newOTelSDK returns a real OpenTelemetry SDK, set up as a service would:
// a tracer provider sampling every span (AlwaysSample) into a batch span
// processor (its defaults) whose exporter only counts the spans, a meter
// provider with a manual reader (never collected here: every measurement
// is aggregated all the same), and the W3C trace-context and baggage
// propagators. It is shut down when tb ends.
func newOTelSDK(tb testing.TB) providers {
	p := providers{prop: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}), spans: new(spanCounter)}
	p.sdk = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithBatcher(p.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	p.tracer, p.meter = p.sdk, mp
	tb.Cleanup(func() {
		ctx := context.Background()
		if err := p.sdk.Shutdown(ctx); err != nil {
			tb.Error(err)
		}
		if err := mp.Shutdown(ctx); err != nil {
			tb.Error(err)
		}
	})
	return p
}

// producer returns cfg with p's providers.
func (p providers) producer(cfg producer.Config) producer.Config {
	cfg.TracerProvider, cfg.MeterProvider, cfg.Propagator = p.tracer, p.meter, p.prop
	return cfg
}

// consumer returns cfg with p's providers.
func (p providers) consumer(cfg consumer.Config) consumer.Config {
	cfg.TracerProvider, cfg.MeterProvider, cfg.Propagator = p.tracer, p.meter, p.prop
	return cfg
}

// flush has the batch span processor export every span ended so far.
func (p providers) flush(ctx context.Context) error {
	if p.sdk == nil {
		return nil
	}
	return p.sdk.ForceFlush(ctx)
}

// exported returns how many spans were exported, once every span ended so
// far is.
func (p providers) exported(ctx context.Context) (int64, error) {
	if p.spans == nil {
		return 0, nil
	}
	err := p.flush(ctx)
	return p.spans.n.Load(), err
}

// spanCounter is a span exporter that counts the spans.
type spanCounter struct{ n atomic.Int64 }

func (c *spanCounter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	c.n.Add(int64(len(spans)))
	return nil
}

func (*spanCounter) Shutdown(context.Context) error { return nil }
