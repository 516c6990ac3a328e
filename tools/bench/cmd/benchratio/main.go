// Command benchratio reads `go test -bench` output of the bench module
// (several -count runs) and prints, as Markdown, the median of each
// benchmark, how far the runs spread, the ratios of eventkit against each
// alternative and against the hand-written floor, and whether the targets
// hold.
//
//	go test -run='^$' -bench=. -benchmem -count=10 . > out/bench.txt
//	go run ./cmd/benchratio out/bench.txt
//
// With no file argument it reads standard input. It exits 1 when the input
// holds no benchmark line, 0 otherwise (a missed target is reported, not an
// error: the figures come from a shared, noisy machine).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	os.Exit(run())
}

func run() int {
	var in io.Reader = os.Stdin
	if len(os.Args) > 1 {
		var rs []io.Reader
		for _, name := range os.Args[1:] {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, "benchratio:", err)
				return 2
			}
			defer f.Close() //nolint:gocritic // deferInLoop: every file is read to the end of run
			rs = append(rs, f)
		}
		in = io.MultiReader(rs...)
	}
	res, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		return 2
	}
	if len(res.order) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no benchmark lines in the input")
		return 1
	}
	report(os.Stdout, res)
	return 0
}

// results holds every measurement of every benchmark, by name (without the
// -GOMAXPROCS suffix) and unit.
type results struct {
	order []string                        // names in first-seen order
	vals  map[string]map[string][]float64 // name → unit → values
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads benchmark lines: "BenchmarkName-2  N  v unit  v unit ...".
func parse(r io.Reader) (*results, error) {
	res := &results{vals: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		units := res.vals[name]
		if units == nil {
			units = map[string][]float64{}
			res.vals[name] = units
			res.order = append(res.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			units[f[i+1]] = append(units[f[i+1]], v)
		}
	}
	return res, sc.Err()
}

// median returns the median of name's values in unit, and whether there are
// any.
func (r *results) median(name, unit string) (float64, bool) {
	return medianOf(r.vals[name][unit])
}

// spread returns half the range (max - min) of name's values in unit,
// relative to their median: how far the runs of a noisy machine disagree.
func (r *results) spread(name, unit string) float64 {
	vs := r.vals[name][unit]
	m, ok := r.median(name, unit)
	if !ok || m == 0 {
		return 0
	}
	return (slices.Max(vs) - slices.Min(vs)) / 2 / m
}

// ratio returns a's values in unit over b's. When both have as many values
// (one per round of `make bench`, which runs every benchmark once per
// round) it is the median of the rounds' ratios, so that a burst of load
// that slowed one round counts once; otherwise the ratio of the medians.
func (r *results) ratio(a, b, unit string) (float64, bool) {
	va, vb := r.vals[a][unit], r.vals[b][unit]
	if len(va) == 0 || len(vb) == 0 {
		return 0, false
	}
	if len(va) != len(vb) {
		ma, _ := r.median(a, unit)
		mb, _ := r.median(b, unit)
		if mb == 0 {
			return 0, false
		}
		return ma / mb, true
	}
	return medianOf(r.roundRatios(a, b, unit))
}

// roundRatios returns a's values in unit over b's, round by round (the
// i-th over the i-th); nil when they have not as many values.
func (r *results) roundRatios(a, b, unit string) []float64 {
	return ratiosOf(r.vals[a][unit], r.vals[b][unit])
}

// ratiosOf returns va's values over vb's, the i-th over the i-th; nil when
// they have not as many values.
func ratiosOf(va, vb []float64) []float64 {
	if len(va) != len(vb) {
		return nil
	}
	var rs []float64
	for i := range va {
		if vb[i] != 0 {
			rs = append(rs, va[i]/vb[i])
		}
	}
	return rs
}

// medianOf returns the median of vs, and whether there are any.
func medianOf(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	vs = slices.Sorted(slices.Values(vs))
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2, true
	}
	return vs[len(vs)/2], true
}

// split returns the group ("Encode/rec=deadline") and impl of a name.
func split(name string) (group, impl string) {
	i := strings.LastIndex(name, "/impl=")
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+len("/impl="):]
}

// ownTables are the benchmarks that report doesn't put in the tables of
// implementations: each has a table of its own.
var ownTables = []string{"PublishAB", "PublishCPU", "PreOTel", "OTel", "ConsumeBacklog"}

// floors maps each eventkit implementation to the hand-written one it is
// held against.
var floors = map[string]string{"eventkit-serde": "hand", "eventkit-body": "hand-body"}

func report(w io.Writer, r *results) {
	var groups []string
	impls := map[string][]string{}
	// The benchmarks with tables of their own: PublishAB (one line per
	// round holds both clients), PublishCPU (CPU per message), PreOTel and
	// OTel (both sides of a comparison on one line), ConsumeBacklog
	// (memory).
	own := map[string][]string{}
	for _, name := range r.order {
		if b, _, _ := strings.Cut(name, "/"); slices.Contains(ownTables, b) {
			own[b] = append(own[b], name)
			continue
		}
		g, im := split(name)
		if _, ok := impls[g]; !ok {
			groups = append(groups, g)
		}
		impls[g] = append(impls[g], im)
	}
	for _, g := range groups {
		runs := len(r.vals[g+"/impl="+impls[g][0]]["ns/op"])
		if strings.HasPrefix(g, "Encode") || strings.HasPrefix(g, "Decode") {
			fmt.Fprintf(w, "\n### %s (median of %d runs)\n\n", g, runs)
			fmt.Fprintln(w, "| impl | ns/op | ± | B/op | allocs/op | vs eventkit-serde |")
			fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
			for _, im := range impls[g] {
				n := g + "/impl=" + im
				ns, _ := r.median(n, "ns/op")
				bop, _ := r.median(n, "B/op")
				al, _ := r.median(n, "allocs/op")
				vs := ""
				if x, ok := r.ratio(n, g+"/impl=eventkit-serde", "ns/op"); ok {
					vs = fmtRatio(x) + "×"
				}
				fmt.Fprintf(w, "| %s | %s | %.0f%% | %.0f | %.0f | %s |\n", im, num(ns), 100*r.spread(n, "ns/op"), bop, al, vs)
			}
			continue
		}
		fmt.Fprintf(w, "\n### %s (median of %d runs)\n\n", g, runs)
		fmt.Fprintln(w, "| impl | ns/msg | ± | msgs/s | B/op | allocs/op |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
		for _, im := range impls[g] {
			n := g + "/impl=" + im
			ns, _ := r.median(n, "ns/op")
			rate, _ := r.median(n, "msgs/s")
			bop, _ := r.median(n, "B/op")
			al, _ := r.median(n, "allocs/op")
			fmt.Fprintf(w, "| %s | %s | %.0f%% | %s | %.0f | %.0f |\n", im, num(ns), 100*r.spread(n, "ns/op"), num(rate), bop, al)
		}
	}
	reportPublishAB(w, r, own["PublishAB"])
	reportPublishCPU(w, r, own["PublishCPU"])
	reportPreOTel(w, r, own["PreOTel"])
	reportOTel(w, r, own["OTel"])
	reportConsumeRatios(w, r)
	reportBacklog(w, r, own["ConsumeBacklog"])
	fmt.Fprint(w, "\n### Ratios and targets\n\n")
	fmt.Fprintln(w, "| check | value | target | verdict |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	for _, g := range groups {
		enc, dec := strings.HasPrefix(g, "Encode"), strings.HasPrefix(g, "Decode")
		if !enc && !dec {
			continue
		}
		for _, im := range []string{"eventkit-serde", "eventkit-body"} {
			if x, ok := r.ratio(g+"/impl="+im, g+"/impl="+floors[im], "ns/op"); ok {
				check(w, fmt.Sprintf("%s: %s ÷ %s (floor)", g, im, floors[im]), x, "≤ 1.50", x <= 1.5)
			}
		}
		if al, ok := r.median(g+"/impl=eventkit-serde", "allocs/op"); ok && enc {
			check(w, g+": eventkit-serde allocs/op", al, "0", al == 0)
		}
		if c, ok := r.ratio(g+"/impl=confluent-avrov2", g+"/impl=eventkit-serde", "ns/op"); ok {
			if enc {
				check(w, g+": confluent-avrov2 Serialize ÷ eventkit-serde", c, "≥ 100", c >= 100)
			} else {
				check(w, g+": confluent-avrov2 DeserializeInto ÷ eventkit-serde", c, "≥ 6", c >= 6)
			}
		}
	}
	checkPublishAB(w, r, own["PublishAB"])
	checkPublishCPU(w, r)
	checkPreOTel(w, r, own["PreOTel"])
	pairs := []struct{ sdk, raw, target string }{
		{"Publish/impl=eventkit-async", "Publish/impl=raw-headers-opaque", ""},
		{"Publish/impl=eventkit-async", "Publish/impl=raw-headers", ""},
		{"Publish/impl=eventkit-async", "Publish/impl=raw", ""},
		{"Publish/impl=raw-headers-opaque", "Publish/impl=raw-headers", ""},
		{"Publish/impl=raw-headers", "Publish/impl=raw", ""},
		{"PublishSync/impl=eventkit", "PublishSync/impl=raw", "≥ 0.90"},
		{"Consume/impl=eventkit", "Consume/impl=raw-avrov2", ""},
		{"Consume/impl=eventkit", "Consume/impl=raw-bytes", ""},
	}
	for _, p := range pairs {
		x, ok := r.ratio(p.sdk, p.raw, "msgs/s")
		if !ok {
			continue
		}
		_, sdk := split(p.sdk)
		g, rawName := split(p.raw)
		label := fmt.Sprintf("%s: msgs/s of %s ÷ %s", g, sdk, rawName)
		if p.target == "" {
			fmt.Fprintf(w, "| %s | %.2f | (none) | |\n", label, x)
			continue
		}
		check(w, label, x, p.target, x >= 0.9)
	}
	checkConsume(w, r)
}

func check(w io.Writer, label string, v float64, target string, ok bool) {
	fmt.Fprintf(w, "| %s | %s | %s | %s |\n", label, fmtAgainst(v, target), target, verdict(ok))
}

// fmtAgainst is fmtRatio, with one more digit when v would otherwise print
// as the target's own figure ("≥ 0.90"), which it may miss.
func fmtAgainst(v float64, target string) string {
	s := fmtRatio(v)
	f := strings.Fields(target)
	if len(f) != 2 {
		return s
	}
	t, err1 := strconv.ParseFloat(f[1], 64)
	r, err2 := strconv.ParseFloat(s, 64)
	if err1 != nil || err2 != nil || r != t {
		return s
	}
	return strconv.FormatFloat(v, 'f', decimals(s)+1, 64)
}

// decimals returns how many digits follow the point in s.
func decimals(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// verdict says whether a target is met.
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func fmtRatio(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// num prints a figure with three significant digits at least.
func num(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}
