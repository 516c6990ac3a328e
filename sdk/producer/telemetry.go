package producer

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/semconv/v1.39.0/messagingconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/lunchbot/eventkit/internal/telemetry"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// tracing is the producer's OpenTelemetry instrumentation: a "send <topic>"
// span per publish (kind PRODUCER, ended when Kafka acknowledges or gives
// up), its context injected into the message's headers, and the
// messaging.client.sent.messages and messaging.client.operation.duration
// metrics.
type tracing struct {
	gate     telemetry.Gate
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	sent     messagingconv.ClientSentMessages
	duration messagingconv.ClientOperationDuration
	reg      metric.Registration // the observable gauges
	regReg   metric.Registration // the registry client's counters, if New built it
}

// producerKind is the span kind option, made once.
var producerKind = trace.WithSpanKind(trace.SpanKindProducer)

// epoch is the origin of a ticket's start time, so that it fits an int64.
var epoch = time.Now()

func newTracing(p *Producer, prov telemetry.Providers, reg *registry.HTTPClient) (*tracing, error) {
	m := prov.MeterOf()
	t := &tracing{gate: telemetry.NewGate(prov), tracer: prov.TracerOf(), prop: prov.Propagator}
	var errs []error
	var err error
	t.sent, err = messagingconv.NewClientSentMessages(m)
	errs = append(errs, err)
	t.duration, err = messagingconv.NewClientOperationDuration(m)
	errs = append(errs, err)
	inFlight, err := m.Int64ObservableGauge("eventkit.producer.in_flight",
		metric.WithDescription("Messages handed to librdkafka whose delivery report has not come yet."),
		metric.WithUnit("{message}"))
	errs = append(errs, err)
	queued, err := m.Int64ObservableGauge("eventkit.producer.queue.depth",
		metric.WithDescription("Messages and requests in librdkafka's queues (rd_kafka_outq_len)."),
		metric.WithUnit("{message}"))
	errs = append(errs, err)
	undelivered, err := m.Int64ObservableCounter("eventkit.producer.undelivered",
		metric.WithDescription("Messages Kafka did not acknowledge (delivery timeout, refusal, purge at Close)."),
		metric.WithUnit("{message}"))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	attrs := metric.WithAttributes(telemetry.Kafka, semconv.MessagingClientID(string(p.name)))
	t.reg, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(inFlight, p.inflight(), attrs)
		o.ObserveInt64(queued, int64(p.kp.Len()), attrs)
		o.ObserveInt64(undelivered, p.undelivered.Load(), attrs)
		return nil
	}, inFlight, queued, undelivered)
	if err != nil || reg == nil {
		return t, err
	}
	t.regReg, err = telemetry.ObserveRegistry(m, func() telemetry.RegistryStats {
		s := reg.Stats()
		return telemetry.RegistryStats{Requests: s.Requests, Retries: s.Retries, CacheHits: s.CacheHits, CacheMisses: s.CacheMisses}
	}, telemetry.Kafka, semconv.MessagingClientID(string(p.name)))
	return t, err
}

// unregister ends the gauges' callbacks.
func (t *tracing) unregister() error {
	err := t.reg.Unregister()
	if t.regReg != nil {
		err = errors.Join(err, t.regReg.Unregister())
	}
	return err
}

// topicTracing is what a contract's spans and metrics share, made once.
type topicTracing struct {
	spanName string
	// base are the metrics' attributes, spanAttrs base and the event type.
	base, spanAttrs []attribute.KeyValue
	ok              metric.MeasurementOption // base, as a set
}

func newTopicTracing(topic, typ string) topicTracing {
	base := []attribute.KeyValue{
		telemetry.Kafka,
		semconv.MessagingDestinationName(topic),
		semconv.MessagingOperationName("send"),
		semconv.MessagingOperationTypeSend,
	}
	return topicTracing{
		spanName:  "send " + topic,
		base:      base,
		spanAttrs: append(base[:len(base):len(base)], telemetry.EventTypeKey.String(typ)),
		ok:        metric.WithAttributeSet(attribute.NewSet(base...)),
	}
}

// start starts the publish's span, a child of ctx's span, or of the
// traceparent ctx carries (cloudevents.WithTraceparent) when it has no
// span; it returns the span's context and the span when it records.
func (t *tracing) start(ctx context.Context, tp string, ti *topicInfo, d *Delivery, key []byte) (context.Context, trace.Span) {
	if !t.gate.Tracing() {
		return ctx, nil
	}
	if tp != "" && !trace.SpanContextFromContext(ctx).IsValid() {
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": tp})
	}
	ctx, span := t.tracer.Start(ctx, ti.tracing.spanName, producerKind)
	if !span.IsRecording() {
		return ctx, nil
	}
	span.SetAttributes(ti.tracing.spanAttrs...)
	span.SetAttributes(
		semconv.MessagingMessageID(d.EventID.String()),
		semconv.MessagingKafkaMessageKey(string(key)),
		telemetry.SchemaIDKey.Int(d.SchemaID),
	)
	return ctx, span
}

// inject puts ctx's trace context in the headers, unless the propagator is
// otel's untouched global one (a no-op behind a lock); the traceparent tp
// (from cloudevents.WithTraceparent) goes in too when the propagator put
// none.
func (t *tracing) inject(ctx context.Context, c *telemetry.Carrier, tp string) {
	if t.gate.Propagation() {
		t.prop.Inject(ctx, c)
	}
	if tp != "" && c.Get(cloudevents.HeaderTraceparent) == "" {
		c.Set(cloudevents.HeaderTraceparent, tp)
	}
}

// timed reports whether a publish's duration is to be measured.
func (t *tracing) timed(ctx context.Context) bool {
	return t.gate.Metrics() && t.duration.Enabled(ctx)
}

// finish ends a message's span and records its metrics.
func (t *tracing) finish(tk *ticket, tp kafka.TopicPartition) {
	ctx := context.Background()
	ti := &tk.ti.tracing
	var errType string
	if tp.Error != nil {
		errType = "unknown"
		var ke kafka.Error
		if errors.As(tp.Error, &ke) {
			errType = ke.Code().String()
		}
	}
	if s := tk.span; s != nil {
		if tp.Error != nil {
			s.SetStatus(codes.Error, tp.Error.Error())
			s.SetAttributes(semconv.ErrorTypeKey.String(errType))
		} else {
			s.SetAttributes(
				semconv.MessagingDestinationPartitionID(strconv.Itoa(int(tp.Partition))),
				semconv.MessagingKafkaOffset(int(tp.Offset)),
			)
		}
		s.End()
	}
	if !t.gate.Metrics() {
		return
	}
	if errType == "" {
		t.record(ctx, tk, ti.ok)
		return
	}
	t.record(ctx, tk, metric.WithAttributes(append(ti.base[:len(ti.base):len(ti.base)], semconv.ErrorTypeKey.String(errType))...))
}

// record counts a message sent and, when it was timed, its duration.
func (t *tracing) record(ctx context.Context, tk *ticket, attrs metric.MeasurementOption) {
	t.sent.Inst().Add(ctx, 1, attrs)
	if tk.start != 0 {
		t.duration.Inst().Record(ctx, time.Duration(int64(time.Since(epoch))-tk.start).Seconds(), attrs)
	}
}
