package main

import (
	"bytes"
	"strings"
	"testing"
)

// Two rounds of PreOTel (against the SDK before OpenTelemetry, and a
// self-check) and of OTel.
const otelSample = `BenchmarkPreOTel/op=publish/vs=preotel-2  200000  10000 ns/op  500 base-B/msg  6 base-allocs/msg  6000 base-cpu-ns/msg  200000 base-msgs/s  5000 base-ns/msg  600 base-sys-ns/msg  520 current-B/msg  6 current-allocs/msg  6300 current-cpu-ns/msg  190000 current-msgs/s  5200 current-ns/msg  600 current-sys-ns/msg  0.95 ratio
BenchmarkPreOTel/op=consume/vs=preotel-2  200000  10000 ns/op  2000 base-B/msg  44 base-allocs/msg  5000 base-cpu-ns/msg  200000 base-msgs/s  5000 base-ns/msg  500 base-sys-ns/msg  2000 current-B/msg  41 current-allocs/msg  5000 current-cpu-ns/msg  180000 current-msgs/s  5500 current-ns/msg  500 current-sys-ns/msg  0.90 ratio
BenchmarkPreOTel/op=publish/vs=current-2  1  10000 ns/op  500 base-B/msg  6 base-allocs/msg  6000 base-cpu-ns/msg  200000 base-msgs/s  5000 base-ns/msg  600 base-sys-ns/msg  520 current-B/msg  6 current-allocs/msg  6000 current-cpu-ns/msg  100000 current-msgs/s  5000 current-ns/msg  600 current-sys-ns/msg  0.50 ratio
BenchmarkOTel/op=publish/providers=sdk-2   200000  18000 ns/op  1500 default-B/msg  6.05 default-allocs/msg  6000 default-ns/msg  2800 extra-B/msg  17 extra-allocs/msg  5000 extra-ns/msg  0.95 spans/msg  4300 with-B/msg  23.05 with-allocs/msg  11000 with-ns/msg
BenchmarkOTel/op=publish/providers=noop-2  200000  15000 ns/op  1500 default-B/msg  6.05 default-allocs/msg  6000 default-ns/msg  300 extra-B/msg  3 extra-allocs/msg  1000 extra-ns/msg  1800 with-B/msg  9.05 with-allocs/msg  7000 with-ns/msg
BenchmarkPreOTel/op=publish/vs=preotel-2  200000  10000 ns/op  500 base-B/msg  6 base-allocs/msg  6000 base-cpu-ns/msg  200000 base-msgs/s  5000 base-ns/msg  600 base-sys-ns/msg  520 current-B/msg  6 current-allocs/msg  6000 current-cpu-ns/msg  210000 current-msgs/s  4800 current-ns/msg  600 current-sys-ns/msg  1.05 ratio
BenchmarkPreOTel/op=consume/vs=preotel-2  200000  10000 ns/op  2000 base-B/msg  44 base-allocs/msg  5000 base-cpu-ns/msg  200000 base-msgs/s  5000 base-ns/msg  500 base-sys-ns/msg  2000 current-B/msg  41 current-allocs/msg  5500 current-cpu-ns/msg  184000 current-msgs/s  5400 current-ns/msg  500 current-sys-ns/msg  0.92 ratio
BenchmarkPreOTel/op=publish/vs=current-2  1  10000 ns/op  500 base-B/msg  6 base-allocs/msg  6000 base-cpu-ns/msg  200000 base-msgs/s  5000 base-ns/msg  600 base-sys-ns/msg  520 current-B/msg  6 current-allocs/msg  6000 current-cpu-ns/msg  100000 current-msgs/s  5000 current-ns/msg  600 current-sys-ns/msg  0.50 ratio
BenchmarkOTel/op=publish/providers=sdk-2   200000  18000 ns/op  1500 default-B/msg  6.05 default-allocs/msg  6000 default-ns/msg  3000 extra-B/msg  17 extra-allocs/msg  6000 extra-ns/msg  0.97 spans/msg  4500 with-B/msg  23.05 with-allocs/msg  12000 with-ns/msg
BenchmarkOTel/op=publish/providers=noop-2  200000  15000 ns/op  1500 default-B/msg  6.05 default-allocs/msg  6000 default-ns/msg  500 extra-B/msg  3 extra-allocs/msg  1200 extra-ns/msg  2000 with-B/msg  9.05 with-allocs/msg  7200 with-ns/msg
`

func TestReportOTel(t *testing.T) {
	r, err := parse(strings.NewReader(otelSample))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	report(&out, r)
	for _, want := range []string{
		// Ratios 0.95 and 1.05; CPU 6300/6000 and 6000/6000.
		"| publish | preotel | 200000 | 200000 | 1.00 | 0.95–1.05 | 6150 | 6000 | 1.02 |",
		"| consume | preotel | 182000 | 200000 | 0.91 | 0.90–0.92 | 5250 | 5000 | 1.05 |",
		"| publish | current | 100000 | 200000 | 0.50 | 0.50–0.50 | 6000 | 6000 | 1.00 |",
		"| PreOTel/op=publish: msgs/s of the SDK with no providers ÷ before OpenTelemetry | 1.00 | ≥ 0.95 | met |",
		"| PreOTel/op=consume: msgs/s of the SDK with no providers ÷ before OpenTelemetry | 0.91 | ≥ 0.95 | **missed** |",
		"| publish | sdk | 6000 | 11500 | 5500 | 6.05 | 23.05 | 17.00 | 2900 | 0.960 |",
		"| publish | noop | 6000 | 7100 | 1100 | 6.05 | 9.05 | 3.00 | 400.0 |  |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q; it is:\n%s", want, out.String())
		}
	}
	// The self-check (vs=current) is no figure to hold to the target.
	if strings.Contains(out.String(), "PreOTel/op=publish: msgs/s of the SDK with no providers ÷ before OpenTelemetry | 0.50") {
		t.Errorf("the self-check got a verdict:\n%s", out.String())
	}
}
