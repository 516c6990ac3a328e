package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// Two rounds of the consumer benchmarks, in rotated orders.
const consumeSample = `BenchmarkConsumeSlow/impl=eventkit-c64-2   5000  160000 ns/op  6000 msgs/s
BenchmarkConsumeSlow/impl=eventkit-c1-2    5000  10300000 ns/op  100 msgs/s
BenchmarkConsumeNoop/impl=eventkit-c64-2   1000  7000 ns/op  140000 msgs/s  2900 B/op  40 allocs/op
BenchmarkConsumeNoop/impl=eventkit-c1-2    1000  7100 ns/op  141000 msgs/s  2900 B/op  40 allocs/op
BenchmarkConsumeNoop/impl=raw-count-2      1000  6400 ns/op  150000 msgs/s  2300 B/op  34 allocs/op
BenchmarkConsumeNoop/impl=eventkit-c1-again-2  1000  7100 ns/op  144000 msgs/s  2900 B/op  40 allocs/op
BenchmarkConsumeBacklog/prefetch=default-2  1  15000000000 ns/op  1000 msgs/s  10 peak-heap-MiB  100 peak-in-flight  120 peak-rss-MiB  20 start-rss-MiB
BenchmarkConsumeBacklog/prefetch=16MiB-2    1  15000000000 ns/op  1000 msgs/s  12 peak-heap-MiB  100 peak-in-flight  60 peak-rss-MiB  20 start-rss-MiB
BenchmarkConsumeSlow/impl=eventkit-c1-2    5000  10300000 ns/op  100 msgs/s
BenchmarkConsumeSlow/impl=eventkit-c64-2   5000  160000 ns/op  3000 msgs/s
BenchmarkConsumeNoop/impl=eventkit-c1-2    1000  7100 ns/op  120000 msgs/s  2900 B/op  40 allocs/op
BenchmarkConsumeNoop/impl=raw-count-2      1000  6400 ns/op  120000 msgs/s  2300 B/op  34 allocs/op
BenchmarkConsumeNoop/impl=eventkit-c64-2   1000  7000 ns/op  108000 msgs/s  2900 B/op  40 allocs/op
BenchmarkConsumeNoop/impl=eventkit-c1-again-2  1000  7100 ns/op  114000 msgs/s  2900 B/op  40 allocs/op
BenchmarkConsumeBacklog/prefetch=default-2  1  15000000000 ns/op  1000 msgs/s  14 peak-heap-MiB  100 peak-in-flight  130 peak-rss-MiB  20 start-rss-MiB
BenchmarkConsumeBacklog/prefetch=16MiB-2    1  15000000000 ns/op  1000 msgs/s  12 peak-heap-MiB  100 peak-in-flight  50 peak-rss-MiB  20 start-rss-MiB
`

// TestFmtAgainst: a figure that would print as its target's gets a digit
// more, so that a miss by a hair does not read as the target itself.
func TestFmtAgainst(t *testing.T) {
	for _, c := range []struct {
		v      float64
		target string
		want   string
	}{
		{0.8997, "≥ 0.90", "0.900"},
		{0.8949, "≥ 0.90", "0.89"},
		{0.9049, "≥ 0.90", "0.905"},
		{39.96, "≥ 40", "39.96"},
		{39.96, "≥ 100", "40.0"},
		{1.2, "0", "1.20"},
	} {
		if got := fmtAgainst(c.v, c.target); got != c.want {
			t.Errorf("fmtAgainst(%v, %q) = %q, want %q", c.v, c.target, got, c.want)
		}
	}
}

func TestReportConsumeTargets(t *testing.T) {
	r, err := parse(strings.NewReader(consumeSample))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	report(&out, r)
	for _, want := range []string{
		// Rounds: 6000/100 = 60, 3000/100 = 30; median 45.
		"| ConsumeSlow: msgs/s of eventkit-c64 ÷ eventkit-c1 (10ms handler; c1 handles a tenth of the events, so rates are compared) | 60.0, 30.0 | 45.0 | 30.0–60.0 | ≥ 40 | met |",
		// 140000/150000 = 0.93, 108000/120000 = 0.90; median 0.92.
		"| ConsumeNoop: msgs/s of eventkit-c64 ÷ raw-count (no-op handler) | 0.93, 0.90 | 0.92 | 0.90–0.93 | ≥ 0.90 | met |",
		// 140000/141000 = 0.99, 108000/120000 = 0.90.
		"| ConsumeNoop: msgs/s of eventkit-c64 ÷ eventkit-c1 (no-op handler: no slower than Concurrency 1) | 0.99, 0.90 | 0.95 | 0.90–0.99 | ≥ 1.00 or ≥ c1-again ÷ c1 | **missed** |",
		// 144000/141000 = 1.02, 114000/120000 = 0.95: context, no verdict.
		"| ConsumeNoop: msgs/s of eventkit-c1-again ÷ eventkit-c1 (the same code twice: the noise of these ratios) | 1.02, 0.95 | 0.99 | 0.95–1.02 | (none) |  |",
		"| ConsumeNoop: msgs/s of eventkit-c1-again ÷ eventkit-c1 (the same code twice: the noise of these ratios) | 0.99 | (none) | |",
		"| ConsumeSlow: msgs/s of eventkit-c64 ÷ eventkit-c1 (10ms handler; c1 handles a tenth of the events, so rates are compared) | 45.0 | ≥ 40 | met |",
		"| ConsumeNoop: msgs/s of eventkit-c64 ÷ raw-count (no-op handler) | 0.92 | ≥ 0.90 | met |",
		"| prefetch=default | 12.00 | 10.00–14.00 | 125.0 | 120.0–130.0 | 20.00 | 100 | 1000 |",
		"| prefetch=16MiB | 12.00 | 12.00–12.00 | 55.00 | 50.00–60.00 | 20.00 | 100 | 1000 |",
		// Rounds: 120-60 = 60, 130-50 = 80.
		"Peak RSS of prefetch=default minus prefetch=16MiB, per-round median: 70.00 MiB.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q; it is:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "### ConsumeBacklog/prefetch") {
		t.Errorf("the backlog runs got a throughput table of their own:\n%s", out.String())
	}
}

// TestConsumeControl: a ratio under its target of 1.00 is met when it is at
// least the control's (the same code run twice), and missed below it.
func TestConsumeControl(t *testing.T) {
	const rounds = `BenchmarkConsumeNoop/impl=eventkit-c64-2   1000  7000 ns/op  140000 msgs/s
BenchmarkConsumeNoop/impl=eventkit-c1-2    1000  7000 ns/op  141000 msgs/s
BenchmarkConsumeNoop/impl=eventkit-c1-again-2  1000  7000 ns/op  %d msgs/s
BenchmarkConsumeNoop/impl=eventkit-c64-2   1000  7000 ns/op  120000 msgs/s
BenchmarkConsumeNoop/impl=eventkit-c1-2    1000  7000 ns/op  121000 msgs/s
BenchmarkConsumeNoop/impl=eventkit-c1-again-2  1000  7000 ns/op  %d msgs/s
`
	for _, c := range []struct {
		again1, again2 int
		want           string
	}{
		// c64 ÷ c1: 0.993, 0.992; c1-again ÷ c1: 0.965, 0.975.
		{136000, 118000, "| ConsumeNoop: msgs/s of eventkit-c64 ÷ eventkit-c1 (no-op handler: no slower than Concurrency 1) | 0.99 | ≥ 1.00 or ≥ c1-again ÷ c1 | met |"},
		// c1-again ÷ c1: 1.000, 1.000.
		{141000, 121000, "| ConsumeNoop: msgs/s of eventkit-c64 ÷ eventkit-c1 (no-op handler: no slower than Concurrency 1) | 0.99 | ≥ 1.00 or ≥ c1-again ÷ c1 | **missed** |"},
	} {
		r, err := parse(strings.NewReader(fmt.Sprintf(rounds, c.again1, c.again2)))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		report(&out, r)
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("with c1-again at %d and %d msgs/s, the report lacks %q; it is:\n%s", c.again1, c.again2, c.want, out.String())
		}
	}
}
