package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// abBatch is how many messages BenchmarkPublishAB sends in one go with one
// client before switching to the other.
const abBatch = 50_000

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
//	vs=raw-headers-opaque  raw Produce with the same six headers and the event as Opaque, so
//	                       that each delivery report says which event it is about, as
//	                       PublishAsync tells each caller: the like-for-like baseline
//	vs=raw-headers         the same headers, no Opaque
//	vs=raw                 no headers, no Opaque
func BenchmarkPublishAB(b *testing.B) {
	e := newBrokerEnv(b)
	e.warmUp(b, warmUpMessages)
	for _, vs := range []struct {
		name            string
		headers, opaque bool
	}{
		{"raw-headers-opaque", true, true},
		{"raw-headers", true, false},
		{"raw", false, false},
	} {
		b.Run("vs="+vs.name, func(b *testing.B) { e.publishAB(b, vs.headers, vs.opaque) })
	}
}

func (e *brokerEnv) publishAB(b *testing.B, headers, opaque bool) {
	ctx := context.Background()
	brokers := startBroker(b)
	p := e.newProducer(b, brokers)
	var rawPending sync.WaitGroup
	var rawFailed atomic.Int64
	kp := newRawProducer(b, brokers, &rawPending, &rawFailed, opaque)

	var sdkPending sync.WaitGroup
	var sdkFailed atomic.Int64
	done := deliveryDone(&sdkPending, &sdkFailed)
	sdkBatch := func(from, n int) time.Duration {
		start := time.Now()
		for i := from; i < from+n; i++ {
			sdkPending.Add(1)
			if err := p.PublishAsync(ctx, e.events[i%benchKeys], done); err != nil {
				b.Fatal(err)
			}
		}
		sdkPending.Wait()
		return time.Since(start)
	}

	r := e.newRawPublisher(kp, &rawPending, headers, opaque)
	rawBatch := func(from, n int) time.Duration {
		start := time.Now()
		r.publish(b, from, n)
		return time.Since(start)
	}

	var sdkTime, rawTime time.Duration
	b.ResetTimer()
	for sent, pair := 0, 0; sent < b.N; pair++ {
		n := min(abBatch, b.N-sent)
		if pair%2 == 0 {
			sdkTime += sdkBatch(sent, n)
			rawTime += rawBatch(sent, n)
		} else {
			rawTime += rawBatch(sent, n)
			sdkTime += sdkBatch(sent, n)
		}
		sent += n
	}
	b.StopTimer()
	if n, m := sdkFailed.Load(), rawFailed.Load(); n > 0 || m > 0 {
		b.Fatalf("messages not delivered: %d of the SDK's, %d of the raw producer's", n, m)
	}
	sdkRate := float64(b.N) / sdkTime.Seconds()
	rawRate := float64(b.N) / rawTime.Seconds()
	b.ReportMetric(sdkRate, "eventkit-msgs/s")
	b.ReportMetric(rawRate, "raw-msgs/s")
	b.ReportMetric(sdkRate/rawRate, "ratio")
}
