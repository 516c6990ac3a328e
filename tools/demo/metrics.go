package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metricsFile is where service name writes its metrics when it stops
// (its -metrics-file).
func (d *demo) metricsFile(name string) string { return filepath.Join(d.metricsDir, name+".prom") }

// summarize prints what the services' own metrics say: what each sent,
// consumed, handled and dead-lettered, and the workers' lag at the end.
func (d *demo) summarize() error {
	d.heading("Read the services' metrics (what each wrote from its Prometheus registry on exit)")
	for _, name := range []string{"deadline-publisher", "notifications-worker", "recommendations-worker"} {
		fams, err := readMetrics(d.metricsFile(name))
		if os.IsNotExist(err) {
			continue // a worker with nothing to consume did not run
		}
		if err != nil {
			return fmt.Errorf("%s's metrics: %w", name, err)
		}
		var parts []string
		if v, ok := sum(fams, "messaging_client_sent_messages_total"); ok {
			parts = append(parts, fmt.Sprintf("%.0f sent", v))
		}
		if v, ok := sum(fams, "eventkit_producer_undelivered_total"); ok {
			parts = append(parts, fmt.Sprintf("%.0f undelivered", v))
		}
		if v, ok := sum(fams, "messaging_client_consumed_messages_total"); ok {
			parts = append(parts, fmt.Sprintf("%.0f consumed", v))
		}
		if v, ok := sum(fams, "messaging_process_duration_seconds"); ok {
			parts = append(parts, fmt.Sprintf("%.0f handled", v))
		}
		if v, ok := sum(fams, "eventkit_consumer_dead_lettered_total"); ok || strings.Contains(name, "worker") {
			parts = append(parts, fmt.Sprintf("%.0f dead-lettered", v))
		}
		if v, ok := sum(fams, "eventkit_consumer_lag"); ok {
			parts = append(parts, fmt.Sprintf("lag %.0f", v))
		}
		if v, ok := sum(fams, "eventkit_registry_requests_total"); ok {
			parts = append(parts, fmt.Sprintf("%.0f registry requests", v))
		}
		d.indented(fmt.Sprintf("%-23s %s", name+":", strings.Join(parts, ", ")))
	}
	return nil
}

// readMetrics parses a file of Prometheus's text format.
func readMetrics(path string) (map[string]*dto.MetricFamily, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(f)
}

// sum adds up a family's values: counters, gauges, and the counts of
// histograms.
func sum(fams map[string]*dto.MetricFamily, name string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
	total := 0.0
	for _, m := range f.GetMetric() {
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Histogram != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total, true
}
