package main

import (
	"fmt"
	"io"
	"strings"
)

// preOTelTarget: the SDK with no providers configured keeps at least this
// share of its rate before OpenTelemetry (issue 13).
const preOTelTarget = 0.95

// sideRatios returns, run by run, name's values in unit a over its values
// in unit b (both sides of a comparison reported on one line).
func (r *results) sideRatios(name, a, b string) []float64 {
	return ratiosOf(r.vals[name][a], r.vals[name][b])
}

// after returns what follows key= in a benchmark name ("op=publish/vs=x":
// "publish" for op).
func after(name, key string) string {
	_, v, _ := strings.Cut(name, "/"+key+"=")
	v, _, _ = strings.Cut(v, "/")
	return v
}

// reportPreOTel prints the PreOTel runs (names): the rates and CPU time per
// message of the SDK today and before OpenTelemetry.
func reportPreOTel(w io.Writer, r *results, names []string) {
	if len(names) == 0 {
		return
	}
	runs := len(r.vals[names[0]]["ratio"])
	fmt.Fprintf(w, "\n### PreOTel: the SDK with no providers against the SDK before OpenTelemetry, client processes in alternating batches (median of %d runs)\n\n", runs)
	fmt.Fprintln(w, "| op | vs | current msgs/s | base msgs/s | ratio | ratio range | current CPU ns/msg | base CPU ns/msg | CPU ratio |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range names {
		cur, _ := r.median(n, "current-msgs/s")
		base, _ := r.median(n, "base-msgs/s")
		x, _ := r.median(n, "ratio")
		cc, _ := r.median(n, "current-cpu-ns/msg")
		bc, _ := r.median(n, "base-cpu-ns/msg")
		cx, _ := medianOf(r.sideRatios(n, "current-cpu-ns/msg", "base-cpu-ns/msg"))
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %.2f |\n", after(n, "op"), after(n, "vs"), num(cur), num(base),
			fmtAgainst(x, fmt.Sprintf("≥ %.2f", preOTelTarget)), r.ratioRange(n, "ratio"), num(cc), num(bc), cx)
	}
}

// checkPreOTel adds the PreOTel targets (the runs against the SDK before
// OpenTelemetry, vs=preotel) to the table of ratios and targets.
func checkPreOTel(w io.Writer, r *results, names []string) {
	for _, n := range names {
		if after(n, "vs") != "preotel" {
			continue
		}
		if x, ok := r.median(n, "ratio"); ok {
			check(w, fmt.Sprintf("PreOTel/op=%s: msgs/s of the SDK with no providers ÷ before OpenTelemetry", after(n, "op")),
				x, fmt.Sprintf("≥ %.2f", preOTelTarget), x >= preOTelTarget)
		}
	}
}

// reportOTel prints the OTel runs (names): what each set of providers
// costs per message over none configured.
func reportOTel(w io.Writer, r *results, names []string) {
	if len(names) == 0 {
		return
	}
	runs := len(r.vals[names[0]]["extra-ns/msg"])
	fmt.Fprintf(w, "\n### OTel: what OpenTelemetry providers cost per message, over none configured, in alternating batches (median of %d runs)\n\n", runs)
	fmt.Fprintln(w, "| op | providers | none ns/msg | with ns/msg | extra ns/msg | none allocs/msg | with allocs/msg | extra allocs/msg | extra B/msg | spans/msg |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range names {
		var m [8]float64
		for i, u := range []string{"default-ns/msg", "with-ns/msg", "extra-ns/msg", "default-allocs/msg", "with-allocs/msg", "extra-allocs/msg", "extra-B/msg", "spans/msg"} {
			m[i], _ = r.median(n, u)
		}
		spans := ""
		if _, ok := r.median(n, "spans/msg"); ok {
			spans = fmt.Sprintf("%.3f", m[7])
		}
		op, _, _ := strings.Cut(strings.TrimPrefix(n, "OTel/op="), "/")
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.2f | %.2f | %.2f | %s | %s |\n", op, after(n, "providers"),
			num(m[0]), num(m[1]), num(m[2]), m[3], m[4], m[5], num(m[6]), spans)
	}
}
