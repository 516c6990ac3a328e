//go:build !preotel

package bench

import (
	"context"
	"testing"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

// BenchmarkOTel measures what OpenTelemetry providers cost per message,
// against the SDK with none configured (otel's untouched no-op globals,
// the default, which keep the SDK's telemetry.Gate shut). The two take
// turns on batches of abBatch messages, as PublishAB's clients do, b.N
// messages each, in this process:
//
//	op=publish   two producers on one broker, PublishAsync of deadline events (every
//	             header): a batch from its first message to its last acknowledgement;
//	             with a real tracer provider a batch ends with a ForceFlush of its span
//	             processor, so that exporting its spans counts in its time
//	op=consume   the SDK consumer (Concurrency 1, the default) reading a batch from
//	             the beginning of a topic that holds min(b.N, abBatch) events
//	             published with a real tracer provider (so each carries a traceparent,
//	             and the process span has a parent), in a new group per batch: from
//	             the first message handled to the last
//
// with the providers
//
//	providers=sdk    newOTelSDK's: every span sampled, a batch span processor, a meter provider
//	providers=noop   otel's no-op providers given outright: the Gate open, the per-message
//	                 telemetry work done with calls that do nothing
//
// Each line reports both (see reportCost) with the prefixes default- and
// with-; their difference per message, extra-ns/msg, extra-allocs/msg and
// extra-B/msg (allocations are this process's: the broker's are the same
// for both); and with providers=sdk, spans/msg: the spans exported per
// message (below 1 when the batch span processor dropped some). Each
// variant first runs one batch untimed.
func BenchmarkOTel(b *testing.B) {
	ctx := context.Background()
	e := newBrokerEnv(b)
	e.warmUp(b, warmUpMessages)
	sdk := newOTelSDK(b)
	for _, v := range []struct {
		name string
		p    providers
	}{{"sdk", sdk}, {"noop", noopProviders()}} {
		b.Run("op=publish/providers="+v.name, func(b *testing.B) {
			brokers := startBroker(b)
			def := e.newSDKPublisher(e.newProducer(b, brokers))
			with := e.newSDKPublisher(e.newProducerWith(b, v.p.producer(e.producerConfig(brokers))))
			compareProviders(b, v.p,
				func(total *cost) func(from, n int) error {
					return measured(total, func(from, n int) error { return def.publish(ctx, from, n) })
				},
				func(total *cost) func(from, n int) error {
					return measured(total, func(from, n int) error {
						if err := with.publish(ctx, from, n); err != nil {
							return err
						}
						return v.p.flush(ctx)
					})
				})
		})
		b.Run("op=consume/providers="+v.name, func(b *testing.B) {
			brokers := startBroker(b)
			fill := e.newSDKPublisher(e.newProducerWith(b, sdk.producer(e.producerConfig(brokers))))
			if err := fill.publish(ctx, 0, min(b.N, abBatch)); err != nil {
				b.Fatal(err)
			}
			consume := func(cfg func(consumer.Config) consumer.Config) func(*cost) func(from, n int) error {
				return func(total *cost) func(from, n int) error {
					return func(_, n int) error {
						c, err := consumeCost(cfg(e.consumerConfig(brokers)), n)
						total.add(c)
						return err
					}
				}
			}
			compareProviders(b, v.p, consume(func(c consumer.Config) consumer.Config { return c }), consume(v.p.consumer))
		})
	}
}

// compareProviders runs batches without providers (def) and with p (with)
// in turn, each first once untimed, and reports what they cost: def and
// with return a batch function that adds its cost to total.
func compareProviders(b *testing.B, p providers, def, with func(total *cost) func(from, n int) error) {
	b.Helper()
	ctx := context.Background()
	var untimed cost
	first := min(b.N, abBatch)
	if err := def(&untimed)(0, first); err != nil {
		b.Fatal(err)
	}
	if err := with(&untimed)(0, first); err != nil {
		b.Fatal(err)
	}
	spans, err := p.exported(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var defCost, withCost cost
	b.ResetTimer()
	b.StartTimer()
	err = alternate(b.N, def(&defCost), with(&withCost))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	after, err := p.exported(ctx)
	if err != nil {
		b.Fatal(err)
	}
	reportCost(b, "default-", defCost)
	reportCost(b, "with-", withCost)
	per := func(c cost, v uint64) float64 { return c.perMsg(float64(v)) }
	b.ReportMetric(per(withCost, uint64(withCost.Elapsed))-per(defCost, uint64(defCost.Elapsed)), "extra-ns/msg")
	b.ReportMetric(per(withCost, withCost.Mallocs)-per(defCost, defCost.Mallocs), "extra-allocs/msg")
	b.ReportMetric(per(withCost, withCost.Bytes)-per(defCost, defCost.Bytes), "extra-B/msg")
	if p.spans != nil {
		b.ReportMetric(per(withCost, uint64(after-spans)), "spans/msg")
	}
}
