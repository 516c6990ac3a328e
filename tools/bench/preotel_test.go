package bench

import (
	"os"
	"testing"
)

// envPreOTelBin names the test binary of this package built against the
// SDK as it was before OpenTelemetry (make bench builds it:
// bin/bench-preotel.test, with the build tag preotel).
const envPreOTelBin = "BENCH_PREOTEL_BIN"

// BenchmarkPreOTel holds the SDK with OpenTelemetry and no providers
// configured (otel's no-op globals, the default) to the SDK before
// OpenTelemetry: two client processes, this test binary (current) and the
// one BENCH_PREOTEL_BIN names (base: make bench builds it against the
// commit before OpenTelemetry came, with the consumer's backpressure fix
// that came after; see the Makefile), both clients of the broker (kfake)
// and the registry of this process, take turns on batches of abBatch
// messages, as PublishAB's clients do, b.N messages each:
//
//	op=publish   PublishAsync of deadline events, a callback per message, every header (the
//	             only profile before OpenTelemetry): a batch from its first message to its
//	             last acknowledgement
//	op=consume   the SDK consumer (Concurrency 1, the default) reading a batch from the
//	             beginning of a topic that holds min(b.N, abBatch) events (the same ones for
//	             both, published by this process), in a new group per batch: from the first
//	             message handled to the last
//
// Each client first runs one batch untimed (its first consumer was slower
// than the next ones). Each line reports both clients' figures (see reportCost) with the
// prefixes current- and base-, and ratio: current-msgs/s over
// base-msgs/s. Without BENCH_PREOTEL_BIN the base is this binary too, and
// the lines are named vs=current instead of vs=preotel: a check that the
// benchmark runs, not a figure.
func BenchmarkPreOTel(b *testing.B) {
	e := newBrokerEnv(b)
	base := os.Getenv(envPreOTelBin)
	if base == "" {
		base = os.Args[0]
	}
	brokers := startBroker(b)
	spec := clientSpec{Brokers: brokers, Registry: e.regURL, Publisher: "eventkit", Profile: "full"}
	cur := startClient(b, os.Args[0], spec)
	old := startClient(b, base, spec)
	if cur.sdk != sdkName || (base != os.Args[0] && old.sdk != "preotel") {
		b.Fatalf("client processes built against SDKs %q and %q, want %q and preotel", cur.sdk, old.sdk, sdkName)
	}
	fill := e.newTopicFill(brokers, benchKeys)
	for _, op := range []string{"publish", "consume"} {
		b.Run("op="+op+"/vs="+old.sdk, func(b *testing.B) {
			if op == "consume" {
				fill.upTo(b, min(b.N, abBatch))
			}
			var untimed, curCost, oldCost cost
			_ = cur.batch(b, op, &untimed)(0, min(b.N, abBatch))
			_ = old.batch(b, op, &untimed)(0, min(b.N, abBatch))
			b.ResetTimer()
			b.StartTimer()
			_ = alternate(b.N, cur.batch(b, op, &curCost), old.batch(b, op, &oldCost))
			b.StopTimer()
			reportCost(b, "current-", curCost)
			reportCost(b, "base-", oldCost)
			b.ReportMetric(curCost.rate()/oldCost.rate(), "ratio")
		})
	}
}
