package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `goos: linux
BenchmarkEncode/rec=deadline/impl=eventkit-serde-2   	1000	  30.0 ns/op	  0 B/op	  0 allocs/op
BenchmarkEncode/rec=deadline/impl=eventkit-serde-2   	1000	  20.0 ns/op	  0 B/op	  0 allocs/op
BenchmarkEncode/rec=deadline/impl=eventkit-serde-2   	1000	  25.0 ns/op	  0 B/op	  0 allocs/op
BenchmarkEncode/rec=deadline/impl=hand-2             	1000	  10.0 ns/op	  0 B/op	  0 allocs/op
BenchmarkEncode/rec=deadline/impl=confluent-avrov2-2 	1000	  5000 ns/op	  4000 B/op	  25 allocs/op
BenchmarkDecode/rec=deadline/impl=eventkit-serde-2   	1000	  60.0 ns/op	  0 B/op	  0 allocs/op
BenchmarkDecode/rec=deadline/impl=hand-2             	1000	  50.0 ns/op	  0 B/op	  0 allocs/op
BenchmarkDecode/rec=deadline/impl=confluent-avrov2-2 	1000	  1200 ns/op	  600 B/op	  9 allocs/op
BenchmarkPublish/impl=eventkit-async-2               	100	  5000 ns/op	  200000 msgs/s	  1000 B/op	  7 allocs/op
BenchmarkPublish/impl=raw-2                          	%6|noise interleaved by librdkafka
BenchmarkPublish/impl=raw-2                          	100	  4000 ns/op	  250000 msgs/s	  900 B/op	  5 allocs/op
BenchmarkPublish/impl=raw-headers-opaque-2           	100	  5500 ns/op	  180000 msgs/s	  900 B/op	  6 allocs/op
BenchmarkPublishAB/vs=raw-headers-opaque-2           	100	  9000 ns/op	  200000 eventkit-msgs/s	  0.95 ratio	  210000 raw-msgs/s
BenchmarkPublishAB/vs=raw-2                          	100	  5000 ns/op	  200000 eventkit-msgs/s	  0.25 ratio	  800000 raw-msgs/s
BenchmarkPublishAB/vs=raw-headers-opaque-2           	100	  9000 ns/op	  190000 eventkit-msgs/s	  0.85 ratio	  220000 raw-msgs/s
BenchmarkPublishAB/vs=raw-headers-opaque-2           	100	  9000 ns/op	  200000 eventkit-msgs/s	  0.91 ratio	  220000 raw-msgs/s
BenchmarkPublishAB/vs=raw-2                          	100	  5000 ns/op	  200000 eventkit-msgs/s	  0.27 ratio	  800000 raw-msgs/s
PASS
`

func TestParseMedianSpread(t *testing.T) {
	r, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	wantOrder := []string{
		"Encode/rec=deadline/impl=eventkit-serde", "Encode/rec=deadline/impl=hand", "Encode/rec=deadline/impl=confluent-avrov2",
		"Decode/rec=deadline/impl=eventkit-serde", "Decode/rec=deadline/impl=hand", "Decode/rec=deadline/impl=confluent-avrov2",
		"Publish/impl=eventkit-async", "Publish/impl=raw", "Publish/impl=raw-headers-opaque",
		"PublishAB/vs=raw-headers-opaque", "PublishAB/vs=raw",
	}
	if diff := cmp.Diff(wantOrder, r.order); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if m, ok := r.median("Encode/rec=deadline/impl=eventkit-serde", "ns/op"); !ok || m != 25 {
		t.Errorf("median = %v, %v; want 25", m, ok)
	}
	if s := r.spread("Encode/rec=deadline/impl=eventkit-serde", "ns/op"); s != 0.2 {
		t.Errorf("spread = %v, want 0.2 (range 10 / 2 / median 25)", s)
	}
	if m, ok := r.median("Publish/impl=raw", "msgs/s"); !ok || m != 250000 {
		t.Errorf("raw msgs/s = %v, %v; want 250000 (the interleaved line skipped)", m, ok)
	}
	if _, ok := r.median("Publish/impl=absent", "ns/op"); ok {
		t.Error("median of an absent benchmark reported ok")
	}
}

func TestReportRatiosAndVerdicts(t *testing.T) {
	r, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	report(&out, r)
	for _, want := range []string{
		"| Encode/rec=deadline: eventkit-serde ÷ hand (floor) | 2.50 | ≤ 1.50 | **missed** |",
		"| Encode/rec=deadline: eventkit-serde allocs/op | 0.00 | 0 | met |",
		"| Encode/rec=deadline: confluent-avrov2 Serialize ÷ eventkit-serde | 200 | ≥ 100 | met |",
		"| Decode/rec=deadline: eventkit-serde ÷ hand (floor) | 1.20 | ≤ 1.50 | met |",
		"| Decode/rec=deadline: confluent-avrov2 DeserializeInto ÷ eventkit-serde | 20.0 | ≥ 6 | met |",
		"| Publish: msgs/s of eventkit-async ÷ raw-headers-opaque | 1.11 | (none) | |",
		"| Publish: msgs/s of eventkit-async ÷ raw | 0.80 | (none) | |",
		// A PublishAB name without a profile is of the full one (runs
		// before there were profiles).
		"| PublishAB: msgs/s of eventkit-async (profile full) ÷ raw-headers-opaque (alternating batches) | 0.91 | ≥ 0.90 | met |",
		"| PublishAB: msgs/s of eventkit-async (profile full) ÷ raw (alternating batches) | 0.26 | (none) | |",
		"| full | raw-headers-opaque | 200000 | 220000 | 0.91 | 0.85–0.95 |",
		"| confluent-avrov2 | 5000 | 0% | 4000 | 25 | 200× |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q; it is:\n%s", want, out.String())
		}
	}
}

func TestRatioPairsRounds(t *testing.T) {
	in := `BenchmarkX/impl=a-2 1 10 ns/op
BenchmarkX/impl=b-2 1 5 ns/op
BenchmarkX/impl=a-2 1 20 ns/op
BenchmarkX/impl=b-2 1 20 ns/op
BenchmarkX/impl=c-2 1 4 ns/op
`
	r, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	// Rounds: a/b = 2 then 1, median 1.5 (the ratio of medians would be
	// 15/12.5 = 1.2).
	if x, ok := r.ratio("X/impl=a", "X/impl=b", "ns/op"); !ok || x != 1.5 {
		t.Errorf("paired ratio = %v, %v; want 1.5", x, ok)
	}
	// Unequal counts: the ratio of the medians, 15/4.
	if x, ok := r.ratio("X/impl=a", "X/impl=c", "ns/op"); !ok || x != 3.75 {
		t.Errorf("unpaired ratio = %v, %v; want 3.75", x, ok)
	}
	if _, ok := r.ratio("X/impl=a", "X/impl=absent", "ns/op"); ok {
		t.Error("ratio with an absent benchmark reported ok")
	}
}
