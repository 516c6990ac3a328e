package consumer

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

// instruments are the consumer's OpenTelemetry spans and metrics: a
// "process <topic>" span per message handled (kind CONSUMER), a child of
// the producer's span whose context the message's headers carry (so that
// one trace goes from a publish to its handler, and on to what the handler
// publishes), with retries, retry-topic hops and dead-lettering recorded on
// it as events; a batch's span links to every message's context instead.
// Metrics: messaging.client.consumed.messages, messaging.process.duration,
// and the SDK's eventkit.consumer.* counters and gauges.
type instruments struct {
	gate   telemetry.Gate
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	group  string

	consumed       messagingconv.ClientConsumedMessages
	process        messagingconv.ProcessDuration
	deadLettered   metric.Int64Counter
	retried        metric.Int64Counter
	decodeFailures metric.Int64Counter
	inFlight       metric.Int64ObservableGauge
	lag            metric.Int64Gauge
	meter          metric.Meter

	// topics holds each subscribed topic's attributes, made once.
	topics map[string]*topicAttrs
}

type topicAttrs struct {
	spanName  string
	base      []attribute.KeyValue // system, destination, group
	consumed  metric.AddOption
	processed metric.RecordOption
}

// consumerKind is the span kind option, made once.
var consumerKind = trace.WithSpanKind(trace.SpanKindConsumer)

func newInstruments(prov telemetry.Providers, group string, topics []string) (*instruments, error) {
	m := prov.MeterOf()
	ins := &instruments{gate: telemetry.NewGate(prov), tracer: prov.TracerOf(), prop: prov.Propagator, group: group, meter: m,
		topics: map[string]*topicAttrs{}}
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	ins.consumed, err = messagingconv.NewClientConsumedMessages(m)
	add(err)
	ins.process, err = messagingconv.NewProcessDuration(m)
	add(err)
	ins.deadLettered, err = m.Int64Counter("eventkit.consumer.dead_lettered",
		metric.WithDescription("Messages sent to a dead-letter topic, by reason."), metric.WithUnit("{message}"))
	add(err)
	ins.retried, err = m.Int64Counter("eventkit.consumer.retried",
		metric.WithDescription("Handler failures retried: in place, or through a retry topic."), metric.WithUnit("{message}"))
	add(err)
	ins.decodeFailures, err = m.Int64Counter("eventkit.consumer.decode_failures",
		metric.WithDescription("Messages that did not decode (they are dead-lettered)."), metric.WithUnit("{message}"))
	add(err)
	ins.inFlight, err = m.Int64ObservableGauge("eventkit.consumer.in_flight",
		metric.WithDescription("Messages polled and not done: queued for a worker or being handled."), metric.WithUnit("{message}"))
	add(err)
	ins.lag, err = m.Int64Gauge("eventkit.consumer.lag",
		metric.WithDescription("Per partition this member holds: the high watermark minus the consumer's commit point (its lowest unfinished offset), at each commit round and at shutdown."),
		metric.WithUnit("{message}"))
	add(err)
	for _, t := range topics {
		ins.topics[t] = newTopicAttrs(t, group)
	}
	return ins, errors.Join(errs...)
}

// newTopicAttrs returns the attributes of topic's messages in group.
func newTopicAttrs(topic, group string) *topicAttrs {
	base := []attribute.KeyValue{telemetry.Kafka, semconv.MessagingDestinationName(topic), semconv.MessagingConsumerGroupName(group)}
	return &topicAttrs{
		spanName:  "process " + topic,
		base:      base,
		consumed:  metric.WithAttributeSet(attribute.NewSet(append(base[:3:3], semconv.MessagingOperationName("poll"))...)),
		processed: metric.WithAttributeSet(attribute.NewSet(append(base[:3:3], semconv.MessagingOperationName("process"))...)),
	}
}

// attrsOf returns the attributes of p's messages: those its topic got when
// the consumer was made (every subscription has them), else made now.
func (ins *instruments) attrsOf(p *partition) *topicAttrs {
	if p.attrs != nil {
		return p.attrs
	}
	return newTopicAttrs(p.topic, ins.group)
}

// observe registers the gauges' callback over r; the registration ends
// with Run.
func (ins *instruments) observe(r *run) (metric.Registration, error) {
	group := metric.WithAttributes(telemetry.Kafka, semconv.MessagingConsumerGroupName(ins.group))
	return ins.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		count, _ := r.sched.load()
		o.ObserveInt64(ins.inFlight, int64(count), group)
		return nil
	}, ins.inFlight)
}

// recordLag records the lag of every partition r holds. It runs with the
// commits, not per message: its last value stays readable after Run
// returns.
func (r *run) recordLag() {
	ins := r.ins
	if !ins.gate.Metrics() || !ins.lag.Enabled(context.Background()) {
		return
	}
	for _, l := range r.lags() {
		ins.lag.Record(context.Background(), l.lag, metric.WithAttributes(telemetry.Kafka, semconv.MessagingConsumerGroupName(ins.group),
			semconv.MessagingDestinationName(l.topic), semconv.MessagingDestinationPartitionID(strconv.Itoa(int(l.partition)))))
	}
}

// polled counts a message the poll brought, of a topic with attributes
// ta (nil for none).
func (ins *instruments) polled(ta *topicAttrs) {
	if ta != nil && ins.gate.Metrics() {
		ins.consumed.Inst().Add(context.Background(), 1, ta.consumed)
	}
}

// processOp is the telemetry of one handling: a message, or a batch.
type processOp struct {
	ins   *instruments
	ta    *topicAttrs
	span  trace.Span // nil when not recording
	start time.Time  // zero when the duration is not measured
	// errType is the outcome's error.type, "" for success.
	errType string
}

// startProcess starts the handling of m (whose Message is msg): its span,
// parented to the context the message's headers carry, and its clock, in
// m.ownOp. It returns the handler's context.
func (ins *instruments) startProcess(ctx context.Context, m *inflight, msg *Message) (context.Context, *processOp) {
	op := &m.ownOp
	*op = processOp{ins: ins, ta: ins.attrsOf(m.part)}
	if ins.gate.Metrics() && ins.process.Enabled(ctx) {
		op.start = time.Now()
	}
	if !ins.gate.Tracing() {
		return ctx, op
	}
	ctx = ins.extract(ctx, m.km.Headers)
	ctx, span := ins.tracer.Start(ctx, op.ta.spanName, consumerKind)
	if !span.IsRecording() {
		return ctx, op
	}
	op.span = span
	span.SetAttributes(op.ta.base...)
	span.SetAttributes(
		semconv.MessagingOperationName("process"),
		semconv.MessagingOperationTypeProcess,
		semconv.MessagingDestinationPartitionID(strconv.Itoa(int(msg.Partition))),
		semconv.MessagingKafkaOffset(int(msg.Offset)),
		semconv.MessagingKafkaMessageKey(string(msg.Key)),
		semconv.MessagingMessageID(msg.EventID.String()),
		telemetry.EventTypeKey.String(msg.EventType),
	)
	return ctx, op
}

// startBatch starts the handling of a batch: one span that links to the
// context of every message (as the conventions ask of batch processing).
func (ins *instruments) startBatch(ctx context.Context, unit []*inflight) (context.Context, *processOp) {
	op := &processOp{ins: ins, ta: ins.attrsOf(unit[0].part)}
	if ins.gate.Metrics() && ins.process.Enabled(ctx) {
		op.start = time.Now()
	}
	if !ins.gate.Tracing() {
		return ctx, op
	}
	links := make([]trace.Link, 0, len(unit))
	for _, m := range unit {
		if sc := trace.SpanContextFromContext(ins.extract(context.Background(), m.km.Headers)); sc.IsValid() {
			links = append(links, trace.Link{SpanContext: sc})
		}
	}
	ctx, span := ins.tracer.Start(ctx, op.ta.spanName, consumerKind, trace.WithLinks(links...))
	if span.IsRecording() {
		op.span = span
		span.SetAttributes(op.ta.base...)
		span.SetAttributes(semconv.MessagingOperationName("process"), semconv.MessagingOperationTypeProcess,
			semconv.MessagingBatchMessageCount(len(unit)))
	}
	return ctx, op
}

// extract returns ctx with the trace context of headers: the propagator's,
// or the traceparent header's when the propagator finds none.
func (ins *instruments) extract(ctx context.Context, headers []kafka.Header) context.Context {
	c := &telemetry.Carrier{Headers: headers}
	ctx = ins.prop.Extract(ctx, c)
	if !trace.SpanContextFromContext(ctx).IsValid() && c.Get(cloudevents.HeaderTraceparent) != "" {
		ctx = propagation.TraceContext{}.Extract(ctx, c)
	}
	return ctx
}

// decoded records the writer's schema id.
func (op *processOp) decoded(schemaID int) {
	if op != nil && op.span != nil {
		op.span.SetAttributes(telemetry.SchemaIDKey.Int(schemaID))
	}
}

// retry records a failed attempt that is retried in place.
func (op *processOp) retry(attempt int, err error) {
	if op == nil {
		return
	}
	if op.span != nil {
		op.span.AddEvent("retry", trace.WithAttributes(attribute.Int("eventkit.attempt", attempt), attribute.String("exception.message", err.Error())))
	}
	op.ins.count(op.ins.retried, op.ta, attribute.String("eventkit.retry", "in_place"))
}

// retryTopic records a hop to a retry topic.
func (op *processOp) retryTopic(topic string, tier int, err error) {
	if op == nil {
		return
	}
	op.errType = "retry"
	if op.span != nil {
		op.span.AddEvent("retry_topic", trace.WithAttributes(attribute.String("eventkit.retry.topic", topic),
			attribute.Int("eventkit.retry.tier", tier), attribute.String("exception.message", err.Error())))
	}
	op.ins.count(op.ins.retried, op.ta, attribute.String("eventkit.retry", "topic"))
}

// deadLetter records a message sent to (or, with dead-lettering off,
// dropped instead of) its dead-letter topic.
func (op *processOp) deadLetter(topic, reason string, cause error) {
	if op == nil {
		return
	}
	op.errType = reason
	if op.span != nil {
		op.span.AddEvent("dead_letter", trace.WithAttributes(attribute.String("eventkit.dead_letter.topic", topic),
			telemetry.ReasonKey.String(reason), attribute.String("exception.message", errorText(cause))))
	}
	op.ins.count(op.ins.deadLettered, op.ta, telemetry.ReasonKey.String(reason))
	if reason == ReasonDecode {
		op.ins.count(op.ins.decodeFailures, op.ta)
	}
}

// end ends the handling: its span (with an error status unless it was
// handled) and its duration. handled says whether the handler succeeded;
// unfinished handlings (shutdown) end with error.type "abandoned".
func (op *processOp) end(handled, finished bool) {
	if op == nil {
		return
	}
	switch {
	case handled:
		op.errType = ""
	case !finished:
		op.errType = "abandoned"
	case op.errType == "":
		op.errType = "unknown"
	}
	if op.span != nil {
		if op.errType != "" {
			op.span.SetStatus(codes.Error, op.errType)
			op.span.SetAttributes(semconv.ErrorTypeKey.String(op.errType))
		}
		op.span.End()
	}
	if !op.start.IsZero() {
		d := time.Since(op.start).Seconds()
		if op.errType == "" {
			op.ins.process.Inst().Record(context.Background(), d, op.ta.processed)
		} else {
			op.ins.process.Inst().Record(context.Background(), d, metric.WithAttributes(
				append(op.ta.base[:len(op.ta.base):len(op.ta.base)], semconv.MessagingOperationName("process"), semconv.ErrorTypeKey.String(op.errType))...))
		}
	}
}

// count adds one to c with the topic's attributes and extra.
func (ins *instruments) count(c metric.Int64Counter, ta *topicAttrs, extra ...attribute.KeyValue) {
	if !ins.gate.Metrics() {
		return
	}
	c.Add(context.Background(), 1, metric.WithAttributes(append(ta.base[:len(ta.base):len(ta.base)], extra...)...))
}

// partitionLag is one partition's lag.
type partitionLag struct {
	topic     string
	partition int32
	lag       int64
}

// lags returns each assigned partition's lag: its high watermark (as the
// last fetch saw it, no request) minus the consumer's commit point.
func (r *run) lags() []partitionLag {
	type point struct {
		topic         string
		id            int32
		at, committed int64
	}
	var ps []point
	r.sched.locked(func() {
		for _, p := range r.parts {
			if !p.revoked {
				ps = append(ps, point{p.topic, p.id, p.offs.commitPoint(), p.committed})
			}
		}
	})
	out := make([]partitionLag, 0, len(ps))
	for _, p := range ps {
		low, high, err := r.kc.GetWatermarkOffsets(p.topic, p.id)
		if err != nil || high < 0 {
			continue
		}
		at := p.at
		if at < 0 {
			at = p.committed
		}
		if at < 0 {
			at = low
		}
		out = append(out, partitionLag{topic: p.topic, partition: p.id, lag: max(high-at, 0)})
	}
	return out
}

// observeAll registers the gauges over r and the registry client's counters,
// returning what it registered.
func (ins *instruments) observeAll(r *run, c *registry.HTTPClient) ([]metric.Registration, error) {
	var regs []metric.Registration
	reg, err := ins.observe(r)
	if reg != nil {
		regs = append(regs, reg)
	}
	reg2, err2 := ins.observeRegistry(c)
	if reg2 != nil {
		regs = append(regs, reg2)
	}
	return regs, errors.Join(err, err2)
}

// observeRegistry registers the registry client's counters; nothing for a
// Deserializer the configuration brought.
func (ins *instruments) observeRegistry(c *registry.HTTPClient) (metric.Registration, error) {
	if c == nil {
		return nil, nil
	}
	return telemetry.ObserveRegistry(ins.meter, func() telemetry.RegistryStats {
		s := c.Stats()
		return telemetry.RegistryStats{Requests: s.Requests, Retries: s.Retries, CacheHits: s.CacheHits, CacheMisses: s.CacheMisses}
	}, telemetry.Kafka, semconv.MessagingConsumerGroupName(ins.group))
}
