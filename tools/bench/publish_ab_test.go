package bench

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkPublishAB measures the async publish ratio in a way that the
// machine's drift cannot skew: the SDK producer and a raw producer, both
// connected to one broker, publish b.N deadline events each, alternating
// batches of abBatch messages (SDK first in one pair, raw first in the
// next). Each batch is timed from its first message to its last
// acknowledgement, and the times add up per client, so both see the same
// minutes of the shared machine. BenchmarkPublish runs each client on its
// own, one after the other, which makes its ratios swing with the load.
//
// It reports eventkit-msgs/s, raw-msgs/s and ratio (the first over the
// second); ns/op is of both clients' messages together. The process first
// publishes untimed, as BenchmarkPublish does. Each batch's wait
// for its last acknowledgement (linger.ms and a round trip, a few
// milliseconds) is counted on both sides, which pulls the ratio toward 1 by
// about 0.01 at these batch sizes.
//
// The SDK producer runs with each header profile (producer.Config.Headers):
//
//	profile=full      the default: the six CloudEvents headers (binary mode)
//	profile=minimal   ce_id and ce_type
//	profile=none      no header, no event id
//	profile=none-nocallback   HeadersNone and PublishAsync without a callback (fire and
//	                  forget), each batch waited for with Flush
//
// against these raw producers:
//
//	vs=raw-headers-opaque  raw Produce with the same six headers and the event as Opaque, so
//	                       that each delivery report says which event it is about, as
//	                       PublishAsync tells each caller: the like-for-like baseline of
//	                       profile=full
//	vs=raw-headers         the same six headers, no Opaque
//	vs=raw-opaque          no headers, the event as Opaque: the like-for-like baseline of
//	                       profile=none
//	vs=raw                 no headers, no Opaque
func BenchmarkPublishAB(b *testing.B) {
	e := newBrokerEnv(b)
	e.warmUp(b, warmUpMessages)
	for _, c := range []struct {
		profile, vs     string
		headers, opaque bool
	}{
		{"full", "raw-headers-opaque", true, true},
		{"full", "raw-headers", true, false},
		{"full", "raw", false, false},
		{"minimal", "raw-headers", true, false},
		{"minimal", "raw", false, false},
		{"none", "raw-headers", true, false},
		{"none", "raw-opaque", false, true},
		{"none", "raw", false, false},
		{"none-nocallback", "raw", false, false},
	} {
		b.Run("profile="+c.profile+"/vs="+c.vs, func(b *testing.B) { e.publishAB(b, c.profile, c.headers, c.opaque) })
	}
}

func (e *brokerEnv) publishAB(b *testing.B, profile string, headers, opaque bool) {
	ctx := context.Background()
	brokers := startBroker(b)
	cfg := e.producerConfig(brokers)
	profile, noCallback := strings.CutSuffix(profile, "-nocallback")
	if err := withHeaders(&cfg, profile); err != nil {
		b.Fatal(err)
	}
	var logErrors atomic.Int64
	if noCallback {
		countLogErrors(&cfg, &logErrors)
	}
	sdk := e.newSDKPublisher(e.newProducerWith(b, cfg))
	sdk.noCallback, sdk.logErrors = noCallback, &logErrors
	var rawPending sync.WaitGroup
	var rawFailed atomic.Int64
	raw := e.newRawPublisher(newRawProducer(b, brokers, &rawPending, &rawFailed, opaque), &rawPending, headers, opaque)

	var sdkCost, rawCost cost
	b.ResetTimer()
	err := alternate(b.N,
		measured(&sdkCost, func(from, n int) error { return sdk.publish(ctx, from, n) }),
		measured(&rawCost, raw.publish))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if m := rawFailed.Load(); m > 0 {
		b.Fatalf("%d of the raw producer's messages not delivered", m)
	}
	b.ReportMetric(sdkCost.rate(), "eventkit-msgs/s")
	b.ReportMetric(rawCost.rate(), "raw-msgs/s")
	b.ReportMetric(sdkCost.rate()/rawCost.rate(), "ratio")
}
