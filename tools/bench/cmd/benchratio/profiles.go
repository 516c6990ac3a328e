package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// abTargets are PublishAB's targets, by "profile/vs": the SDK's rate over
// the raw producer's in alternating batches, the median of the runs.
var abTargets = map[string]float64{
	// The SDK against raw librdkafka doing the same work: the same key,
	// value and headers, and an Opaque per message to tell each publisher
	// its outcome.
	"full/raw-headers-opaque": 0.9,
	// Without headers (issue 13), like for like: with a callback per
	// message against raw librdkafka with an Opaque per message, and
	// without callbacks (fire and forget) against raw librdkafka without.
	"none/raw-opaque":     0.9,
	"none-nocallback/raw": 0.9,
}

// abCase returns the header profile and the raw producer of a PublishAB
// name; a name without a profile (before there were profiles) is of the
// full one.
func abCase(name string) (profile, vs string) {
	profile = "full"
	if _, p, ok := strings.Cut(name, "/profile="); ok {
		profile, _, _ = strings.Cut(p, "/")
	}
	_, vs, _ = strings.Cut(name, "/vs=")
	return profile, vs
}

// reportPublishAB prints the PublishAB runs (names): both clients' rates
// and their ratio.
func reportPublishAB(w io.Writer, r *results, names []string) {
	if len(names) == 0 {
		return
	}
	runs := len(r.vals[names[0]]["ratio"])
	fmt.Fprintf(w, "\n### PublishAB: eventkit-async and a raw producer in alternating batches (median of %d runs)\n\n", runs)
	fmt.Fprintln(w, "| profile | vs | eventkit msgs/s | raw msgs/s | ratio | ratio range |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	for _, n := range names {
		sdk, _ := r.median(n, "eventkit-msgs/s")
		raw, _ := r.median(n, "raw-msgs/s")
		x, _ := r.median(n, "ratio")
		profile, vs := abCase(n)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.2f | %s |\n", profile, vs, num(sdk), num(raw), x, r.ratioRange(n, "ratio"))
	}
}

// checkPublishAB adds PublishAB's ratios to the table of ratios and
// targets: with a verdict where there is a target, without otherwise (the
// ratios to raw librdkafka without the Opaque or the headers, and what
// those cost raw librdkafka itself).
func checkPublishAB(w io.Writer, r *results, names []string) {
	for _, n := range names {
		x, ok := r.median(n, "ratio")
		if !ok {
			continue
		}
		profile, vs := abCase(n)
		label := fmt.Sprintf("PublishAB: msgs/s of eventkit-async (profile %s) ÷ %s (alternating batches)", profile, vs)
		if t, ok := abTargets[profile+"/"+vs]; ok {
			check(w, label, x, fmt.Sprintf("≥ %.2f", t), x >= t)
		} else {
			fmt.Fprintf(w, "| %s | %.2f | (none) | |\n", label, x)
		}
	}
}

// ratioRange prints the smallest and largest of name's values in unit,
// as ratios.
func (r *results) ratioRange(name, unit string) string {
	vs := r.vals[name][unit]
	if len(vs) == 0 {
		return ""
	}
	return fmtRatio(slices.Min(vs)) + "–" + fmtRatio(slices.Max(vs))
}

// cpuChecks are the ratios of PublishCPU's CPU time per message: a's over
// b's in the same round, the median of the rounds, held to max where there
// is a target.
var cpuChecks = []struct {
	a, b   string
	target string
	max    float64
}{
	{"eventkit-none-nocallback", "raw", "≤ 1.10", 1.1},
	{"eventkit-none", "raw-opaque", "≤ 1.10", 1.1},
	{"eventkit-none", "raw", "", 0},
	{"eventkit-minimal", "raw", "", 0},
	{"eventkit-full", "raw-headers", "", 0},
	{"eventkit-full", "raw", "", 0},
	{"raw-opaque", "raw", "", 0},
	{"raw-headers", "raw", "", 0},
}

// reportPublishCPU prints the client's CPU time per message of each
// PublishCPU run (names), and its ratio to raw's.
func reportPublishCPU(w io.Writer, r *results, names []string) {
	if len(names) == 0 {
		return
	}
	runs := len(r.vals[names[0]]["cpu-ns/msg"])
	fmt.Fprintf(w, "\n### PublishCPU: the publishing client's CPU time per message, in a process of its own (median of %d runs)\n\n", runs)
	fmt.Fprintln(w, "| impl | CPU ns/msg | ± | sys ns/msg | msgs/s | B/msg | allocs/msg | CPU vs raw |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range names {
		cpu, _ := r.median(n, "cpu-ns/msg")
		sys, _ := r.median(n, "sys-ns/msg")
		rate, _ := r.median(n, "msgs/s")
		bm, _ := r.median(n, "B/msg")
		am, _ := r.median(n, "allocs/msg")
		vs := ""
		if x, ok := r.ratio(n, "PublishCPU/impl=raw", "cpu-ns/msg"); ok {
			vs = fmtRatio(x) + "×"
		}
		_, im := split(n)
		fmt.Fprintf(w, "| %s | %s | %.0f%% | %s | %s | %s | %.2f | %s |\n", im, num(cpu), 100*r.spread(n, "cpu-ns/msg"), num(sys), num(rate), num(bm), am, vs)
	}
}

// checkPublishCPU adds the CPU ratios to the table of ratios and targets.
func checkPublishCPU(w io.Writer, r *results) {
	for _, c := range cpuChecks {
		x, ok := r.ratio("PublishCPU/impl="+c.a, "PublishCPU/impl="+c.b, "cpu-ns/msg")
		if !ok {
			continue
		}
		label := fmt.Sprintf("PublishCPU: client CPU time per message of %s ÷ %s", c.a, c.b)
		if c.target == "" {
			fmt.Fprintf(w, "| %s | %.2f | (none) | |\n", label, x)
			continue
		}
		check(w, label, x, c.target, x <= c.max)
	}
}
