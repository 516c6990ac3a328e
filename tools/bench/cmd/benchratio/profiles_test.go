package main

import (
	"bytes"
	"strings"
	"testing"
)

// Two rounds of PublishAB with header profiles and of PublishCPU.
const profilesSample = `BenchmarkPublishAB/profile=full/vs=raw-headers-opaque-2  400000  9000 ns/op  200000 eventkit-msgs/s  0.95 ratio  210000 raw-msgs/s
BenchmarkPublishAB/profile=none/vs=raw-2                 400000  3000 ns/op  500000 eventkit-msgs/s  0.80 ratio  625000 raw-msgs/s
BenchmarkPublishAB/profile=none/vs=raw-opaque-2          400000  3000 ns/op  500000 eventkit-msgs/s  0.92 ratio  543000 raw-msgs/s
BenchmarkPublishAB/profile=none-nocallback/vs=raw-2      400000  3000 ns/op  580000 eventkit-msgs/s  0.93 ratio  625000 raw-msgs/s
BenchmarkPublishCPU/impl=eventkit-none-nocallback-2  200000  2000 ns/op  300 B/msg  5.00 allocs/msg  2100 cpu-ns/msg  600000 msgs/s  1600 ns/msg  300 sys-ns/msg  300 B/op  5 allocs/op
BenchmarkPublishCPU/impl=eventkit-none-2  200000  2000 ns/op  400 B/msg  6.01 allocs/msg  2600 cpu-ns/msg  500000 msgs/s  2000 ns/msg  300 sys-ns/msg  400 B/op  6 allocs/op
BenchmarkPublishCPU/impl=raw-opaque-2     200000  2000 ns/op  300 B/msg  7.00 allocs/msg  2400 cpu-ns/msg  450000 msgs/s  2200 ns/msg  300 sys-ns/msg  300 B/op  7 allocs/op
BenchmarkPublishCPU/impl=raw-2            200000  1500 ns/op  280 B/msg  6.00 allocs/msg  2000 cpu-ns/msg  650000 msgs/s  1500 ns/msg  300 sys-ns/msg  280 B/op  6 allocs/op
BenchmarkPublishAB/profile=full/vs=raw-headers-opaque-2  400000  9000 ns/op  190000 eventkit-msgs/s  0.85 ratio  220000 raw-msgs/s
BenchmarkPublishAB/profile=none/vs=raw-2                 400000  3000 ns/op  500000 eventkit-msgs/s  0.96 ratio  520000 raw-msgs/s
BenchmarkPublishAB/profile=none/vs=raw-opaque-2          400000  3000 ns/op  500000 eventkit-msgs/s  0.98 ratio  510000 raw-msgs/s
BenchmarkPublishAB/profile=none-nocallback/vs=raw-2      400000  3000 ns/op  470000 eventkit-msgs/s  0.89 ratio  520000 raw-msgs/s
BenchmarkPublishCPU/impl=eventkit-none-nocallback-2  200000  2000 ns/op  300 B/msg  5.00 allocs/msg  2100 cpu-ns/msg  600000 msgs/s  1600 ns/msg  300 sys-ns/msg  300 B/op  5 allocs/op
BenchmarkPublishCPU/impl=raw-2            200000  1500 ns/op  280 B/msg  6.00 allocs/msg  2000 cpu-ns/msg  600000 msgs/s  1500 ns/msg  300 sys-ns/msg  280 B/op  6 allocs/op
BenchmarkPublishCPU/impl=eventkit-none-2  200000  2000 ns/op  400 B/msg  6.01 allocs/msg  2000 cpu-ns/msg  500000 msgs/s  2000 ns/msg  300 sys-ns/msg  400 B/op  6 allocs/op
BenchmarkPublishCPU/impl=raw-opaque-2     200000  2000 ns/op  300 B/msg  7.00 allocs/msg  2200 cpu-ns/msg  450000 msgs/s  2200 ns/msg  300 sys-ns/msg  300 B/op  7 allocs/op
`

func TestReportProfiles(t *testing.T) {
	r, err := parse(strings.NewReader(profilesSample))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	report(&out, r)
	for _, want := range []string{
		"| full | raw-headers-opaque | 195000 | 215000 | 0.90 | 0.85–0.95 |",
		"| none | raw | 500000 | 572500 | 0.88 | 0.80–0.96 |",
		// The median of the runs' ratios, (0.95+0.85)/2, falls a hair
		// short of 0.90 in floating point: a digit more says so.
		"| PublishAB: msgs/s of eventkit-async (profile full) ÷ raw-headers-opaque (alternating batches) | 0.900 | ≥ 0.90 | **missed** |",
		"| PublishAB: msgs/s of eventkit-async (profile none) ÷ raw (alternating batches) | 0.88 | (none) | |",
		"| PublishAB: msgs/s of eventkit-async (profile none) ÷ raw-opaque (alternating batches) | 0.95 | ≥ 0.90 | met |",
		// Fire and forget against raw without an Opaque: (0.93+0.89)/2.
		"| PublishAB: msgs/s of eventkit-async (profile none-nocallback) ÷ raw (alternating batches) | 0.91 | ≥ 0.90 | met |",
		// CPU: rounds 2600/2000 = 1.30 and 2000/2000 = 1.00, median 1.15.
		"| eventkit-none | 2300 | 13% | 300.0 | 500000 | 400.0 | 6.01 | 1.15× |",
		"| raw | 2000 | 0% | 300.0 | 625000 | 280.0 | 6.00 | 1.00× |",
		"| PublishCPU: client CPU time per message of eventkit-none ÷ raw | 1.15 | (none) | |",
		// Rounds 2600/2400 = 1.083 and 2000/2200 = 0.909.
		"| PublishCPU: client CPU time per message of eventkit-none ÷ raw-opaque | 1.00 | ≤ 1.10 | met |",
		"| PublishCPU: client CPU time per message of eventkit-none-nocallback ÷ raw | 1.05 | ≤ 1.10 | met |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q; it is:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "### PublishCPU/impl") || strings.Contains(out.String(), "### PublishAB/profile") {
		t.Errorf("PublishAB or PublishCPU got a table of implementations:\n%s", out.String())
	}
}
