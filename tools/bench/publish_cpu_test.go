package bench

import (
	"os"
	"testing"
)

// BenchmarkPublishCPU measures what publishing costs the client's CPU,
// with the broker's own work on the messages left out: the client runs in
// a process of its own (this test binary again, see clientChild) and
// publishes b.N deadline events asynchronously, in batches of abBatch each
// waited for, to the broker (kfake) in this process. The figures are the
// client process's (getrusage: every thread, Go's and librdkafka's, from
// a batch's first message to its last acknowledgement, added up over the
// batches), per message:
//
//	cpu-ns/msg   user and system CPU time
//	sys-ns/msg   of which the system's
//	msgs/s       the client's rate
//	B/op, allocs/op, B/msg, allocs/msg   the client's Go allocations
//
// of each client:
//
//	impl=eventkit-full      PublishAsync, a callback per message, profile HeadersFull (the default)
//	impl=eventkit-minimal   the same with HeadersMinimal
//	impl=eventkit-none      the same with HeadersNone
//	impl=eventkit-none-nocallback   HeadersNone, PublishAsync without a callback (fire and
//	                        forget), each batch waited for with Flush
//	impl=raw-headers        Produce of pre-encoded key and value with the six CloudEvents headers
//	impl=raw-opaque         the same without headers, with the event as the message's Opaque, so
//	                        that each delivery report says which event it is about, as PublishAsync
//	                        tells each caller
//	impl=raw                neither headers nor Opaque
//
// Each client process first publishes min(b.N, abBatch) messages untimed
// (its heap growing, its connection and producer id). The implementations
// run in a rotating order (BENCH_ROUND), as BenchmarkPublish's do.
func BenchmarkPublishCPU(b *testing.B) {
	e := newBrokerEnv(b)
	run := func(spec clientSpec) func(*testing.B) {
		return func(b *testing.B) {
			spec.Brokers, spec.Registry = startBroker(b), e.regURL
			c := startClient(b, os.Args[0], spec)
			c.do(b, clientCmd{Op: "publish", N: min(b.N, abBatch)})
			var total cost
			batch := c.batch(b, "publish", &total)
			b.ResetTimer()
			for from := 0; from < b.N; from += abBatch {
				_ = batch(from, min(abBatch, b.N-from))
			}
			b.StopTimer()
			reportCost(b, "", total)
			b.ReportMetric(total.perMsg(float64(total.Bytes)), "B/op")
			b.ReportMetric(total.perMsg(float64(total.Mallocs)), "allocs/op")
		}
	}
	runRotated(b, []impl{
		{"eventkit-full", run(clientSpec{Publisher: "eventkit", Profile: "full"})},
		{"eventkit-minimal", run(clientSpec{Publisher: "eventkit", Profile: "minimal"})},
		{"eventkit-none", run(clientSpec{Publisher: "eventkit", Profile: "none"})},
		{"eventkit-none-nocallback", run(clientSpec{Publisher: "eventkit", Profile: "none", NoCallback: true})},
		{"raw-headers", run(clientSpec{Publisher: "raw", Headers: true})},
		{"raw-opaque", run(clientSpec{Publisher: "raw", Opaque: true})},
		{"raw", run(clientSpec{Publisher: "raw"})},
	})
}
