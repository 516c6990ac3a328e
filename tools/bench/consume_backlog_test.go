package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkConsumeBacklog's settings. The backlog and the sampling time
// come from the environment (make bench sets them); the defaults keep make
// bench-smoke quick.
const (
	envBacklogMsgs = "BENCH_BACKLOG_MSGS"
	envBacklogTime = "BENCH_BACKLOG_TIME"

	defaultBacklogMsgs = 20_000
	defaultBacklogTime = 2 * time.Second

	backlogPartitions  = 6
	backlogConcurrency = 16
	backlogHandling    = time.Millisecond
	backlogEvery       = 100 * time.Millisecond
)

// BenchmarkConsumeBacklog measures the SDK consumer's memory in front of a
// backlog far larger than it may hold: a topic of 6 partitions filled with
// BENCH_BACKLOG_MSGS deadline events (as the SDK producer sends them: a
// small value and six CloudEvents headers), read in a new group by a
// consumer with Concurrency 16 and a handler that sleeps 1ms, so that the
// backlog stays for the whole run. For BENCH_BACKLOG_TIME after the
// consumer starts, its Go heap in use and its process's resident set
// (VmRSS of /proc/self/status) are sampled every 100ms; the peaks are the
// figures:
//
//	peak-heap-MiB    the Go heap in use (runtime.MemStats.HeapInuse)
//	peak-rss-MiB     the process's resident set: the Go heap and librdkafka's own memory
//	start-rss-MiB    the resident set before the consumer was made
//	peak-in-flight   Stats().InFlight (at most MaxInFlight)
//	msgs/s           the messages handled over the sampling time
//
// To count only the client, the consumer runs in a process of its own:
// the test binary again, started with BENCH_BACKLOG_CHILD (see TestMain),
// while the broker (kfake, holding the backlog) and the registry stay in
// this one. MaxInFlight is at its default in every run; librdkafka's
// prefetch settings are not:
//
//	prefetch=default   at their defaults (queued.min.messages=100000,
//	                   queued.max.messages.kbytes=65536)
//	prefetch=16MiB     queued.max.messages.kbytes=16384
//	prefetch=1MiB      queued.max.messages.kbytes=1024
//
// What the resident set loses from one to the next is librdkafka's fetch
// queue: it holds up to queued.min.messages messages or
// queued.max.messages.kbytes, whichever it reaches first.
//
// One op is one sampling run; run it with -benchtime=1x.
func BenchmarkConsumeBacklog(b *testing.B) {
	msgs := envSetting(b, envBacklogMsgs, defaultBacklogMsgs, strconv.Atoi)
	sample := envSetting(b, envBacklogTime, defaultBacklogTime, time.ParseDuration)
	e := newBrokerEnv(b)
	brokers := startBrokerPartitions(b, backlogPartitions)
	e.newTopicFill(brokers, benchKeys).upTo(b, msgs)
	for _, v := range []struct {
		name  string
		props map[string]string
	}{
		{"default", nil},
		{"16MiB", map[string]string{"queued.max.messages.kbytes": "16384"}},
		{"1MiB", map[string]string{"queued.max.messages.kbytes": "1024"}},
	} {
		b.Run("prefetch="+v.name, func(b *testing.B) {
			var peak backlogResult
			for range b.N {
				res := runBacklogChild(b, backlogSpec{
					Brokers:     brokers,
					Registry:    e.regURL,
					Group:       newGroup(),
					Concurrency: backlogConcurrency,
					Handling:    backlogHandling,
					Properties:  v.props,
					Sample:      sample,
					Every:       backlogEvery,
				})
				if res.Handled == 0 {
					b.Fatalf("the consumer handled nothing in %v: %+v", sample, res)
				}
				peak.max(res)
			}
			const mib = 1 << 20
			b.ReportMetric(float64(peak.PeakHeap)/mib, "peak-heap-MiB")
			b.ReportMetric(float64(peak.PeakRSS)/mib, "peak-rss-MiB")
			b.ReportMetric(float64(peak.StartRSS)/mib, "start-rss-MiB")
			b.ReportMetric(float64(peak.PeakInFlight), "peak-in-flight")
			b.ReportMetric(float64(peak.Handled)/sample.Seconds(), "msgs/s")
		})
	}
}

// runBacklogChild runs the consumer of spec in a child process and returns
// what it measured.
func runBacklogChild(b *testing.B, spec backlogSpec) backlogResult {
	b.Helper()
	js, err := json.Marshal(spec)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), spec.Sample+2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), envBacklogChild+"="+string(js))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("backlog consumer process: %v\n%s", err, stderr.String())
	}
	var res backlogResult
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		b.Fatalf("backlog consumer process: reading its result: %v\n%s\n%s", err, out, stderr.String())
	}
	return res
}

// envSetting returns the environment variable name parsed by parse, def
// when it is not set; it fails b when the value is not a positive one.
func envSetting[T int | time.Duration](b *testing.B, name string, def T, parse func(string) (T, error)) T {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil || x <= 0 {
		b.Fatalf("%s=%q: want a positive %T", name, v, def)
	}
	return x
}
