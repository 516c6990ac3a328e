package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// consumeTargets are the consumer benchmarks' targets: msgs/s of a over
// b's in the same round, the median of the rounds held to the target. A
// ratio with the target noTarget is context. With a control, the target
// is met also when the ratio is at least control's over b: "no slower than
// b" then reads "compares with b at least as well as b's own code run a
// second time does", since two runs of one code swing by a few percent on
// the machine, and a tie could not otherwise be told from a loss.
var consumeTargets = []struct {
	a, b, note, target string
	min                float64
	control            string
}{
	{"ConsumeSlow/impl=eventkit-c64", "ConsumeSlow/impl=eventkit-c1", "10ms handler; c1 handles a tenth of the events, so rates are compared", "≥ 40", 40, ""},
	{"ConsumeNoop/impl=eventkit-c64", "ConsumeNoop/impl=raw-count", "no-op handler", "≥ 0.90", 0.9, ""},
	{"ConsumeNoop/impl=eventkit-c64", "ConsumeNoop/impl=eventkit-c1", "no-op handler: no slower than Concurrency 1", "≥ 1.00 or ≥ c1-again ÷ c1", 1, "ConsumeNoop/impl=eventkit-c1-again"},
	{"ConsumeNoop/impl=eventkit-c1-again", "ConsumeNoop/impl=eventkit-c1", "the same code twice: the noise of these ratios", noTarget, 0, ""},
}

// noTarget is the target of a ratio reported as context.
const noTarget = "(none)"

// consumeMet reports whether target i holds at median x.
func consumeMet(r *results, i int, x float64) bool {
	t := consumeTargets[i]
	if x >= t.min {
		return true
	}
	if t.control == "" {
		return false
	}
	c, ok := medianOf(r.roundRatios(t.control, t.b, "msgs/s"))
	return ok && x >= c
}

// consumeVerdict is the verdict of target i at median x.
func consumeVerdict(r *results, i int, x float64) string {
	if consumeTargets[i].target == noTarget {
		return ""
	}
	return verdict(consumeMet(r, i, x))
}

// consumeLabel names target i in the tables.
func consumeLabel(i int) string {
	t := consumeTargets[i]
	g, a := split(t.a)
	_, b := split(t.b)
	return fmt.Sprintf("%s: msgs/s of %s ÷ %s (%s)", g, a, b, t.note)
}

// reportConsumeRatios prints, for each consumer target with figures, the
// rounds' ratios, their median and range, and whether the target holds.
func reportConsumeRatios(w io.Writer, r *results) {
	header := false
	for i, t := range consumeTargets {
		rs := r.roundRatios(t.a, t.b, "msgs/s")
		x, ok := medianOf(rs)
		if !ok {
			continue
		}
		if !header {
			header = true
			fmt.Fprint(w, "\n### Consumer: same-run ratios\n\n")
			fmt.Fprintln(w, "| ratio | per round | median | range | target | verdict |")
			fmt.Fprintln(w, "|---|---|---:|---:|---:|---|")
		}
		per := make([]string, len(rs))
		for j, v := range rs {
			per[j] = fmtRatio(v)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s–%s | %s | %s |\n", consumeLabel(i), strings.Join(per, ", "), fmtAgainst(x, t.target),
			fmtRatio(slices.Min(rs)), fmtRatio(slices.Max(rs)), t.target, consumeVerdict(r, i, x))
	}
}

// checkConsume adds the consumer targets to the table of ratios and
// targets.
func checkConsume(w io.Writer, r *results) {
	for i, t := range consumeTargets {
		x, ok := medianOf(r.roundRatios(t.a, t.b, "msgs/s"))
		switch {
		case !ok:
		case t.target == noTarget:
			fmt.Fprintf(w, "| %s | %.2f | %s | |\n", consumeLabel(i), x, noTarget)
		default:
			check(w, consumeLabel(i), x, t.target, consumeMet(r, i, x))
		}
	}
}

// backlogUnits are the figures of BenchmarkConsumeBacklog, in the order
// of its table.
var backlogUnits = []string{"peak-heap-MiB", "peak-rss-MiB", "start-rss-MiB", "peak-in-flight", "msgs/s"}

// reportBacklog prints the memory figures of the ConsumeBacklog runs
// (names), and how much resident set each prefetch setting saves against
// the first.
func reportBacklog(w io.Writer, r *results, names []string) {
	if len(names) == 0 {
		return
	}
	runs := len(r.vals[names[0]]["peak-rss-MiB"])
	fmt.Fprintf(w, "\n### ConsumeBacklog: the consumer's memory with a backlog (median of %d runs)\n\n", runs)
	fmt.Fprintln(w, "| run | peak heap MiB | range | peak RSS MiB | range | start RSS MiB | peak in flight | msgs/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range names {
		var med [5]float64
		for i, u := range backlogUnits {
			med[i], _ = r.median(n, u)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %.0f | %s |\n", n[strings.Index(n, "/")+1:], num(med[0]), r.valueRange(n, "peak-heap-MiB"),
			num(med[1]), r.valueRange(n, "peak-rss-MiB"), num(med[2]), med[3], num(med[4]))
	}
	for _, n := range names[1:] {
		d, ok := medianOf(r.roundDiffs(names[0], n, "peak-rss-MiB"))
		if !ok {
			continue
		}
		fmt.Fprintf(w, "\nPeak RSS of %s minus %s, per-round median: %s MiB.\n", names[0][strings.Index(names[0], "/")+1:], n[strings.Index(n, "/")+1:], num(d))
	}
}

// valueRange prints the smallest and largest of name's values in unit.
func (r *results) valueRange(name, unit string) string {
	vs := r.vals[name][unit]
	if len(vs) == 0 {
		return ""
	}
	return num(slices.Min(vs)) + "–" + num(slices.Max(vs))
}

// roundDiffs returns a's values in unit minus b's, round by round; nil
// when they have not as many values.
func (r *results) roundDiffs(a, b, unit string) []float64 {
	va, vb := r.vals[a][unit], r.vals[b][unit]
	if len(va) != len(vb) {
		return nil
	}
	ds := make([]float64, len(va))
	for i := range va {
		ds[i] = va[i] - vb[i]
	}
	return ds
}
