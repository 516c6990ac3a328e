package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"go.opentelemetry.io/otel"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// Telemetry is an example service's OpenTelemetry setup: a MeterProvider
// that Prometheus scrapes, the W3C trace-context and baggage propagators
// (so that a trace crosses the services), and, on Addr, an HTTP server
// with /metrics, /healthz (the process is up) and /readyz (it can take
// traffic: Ready reports true).
type Telemetry struct {
	// MeterProvider is for the SDK's producer and consumer configs.
	MeterProvider *sdkmetric.MeterProvider
	// Addr is the address the HTTP server listens on ("" for none).
	Addr string

	registry *prometheus.Registry
	srv      *http.Server
	file     string // Finish writes the metrics here
	ready    atomic.Pointer[func() bool]
}

// StartTelemetry sets the telemetry up, with an HTTP server on addr
// (host:port, port 0 for a free one) unless addr is "".
func StartTelemetry(addr string, log *slog.Logger) (*Telemetry, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	t := &Telemetry{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp)), registry: reg}
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	if addr == "" {
		return t, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics endpoint: %w", err)
	}
	t.Addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !t.isReady() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	t.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := t.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint stopped", slog.Any("error", err))
		}
	}()
	log.Info("metrics and health endpoints", slog.String("metrics", "http://"+t.Addr+"/metrics"),
		slog.String("readyz", "http://"+t.Addr+"/readyz"))
	return t, nil
}

// SetReady makes /readyz answer with ready(): a producer is ready once
// warmed up (ready always true), a consumer once partitions are assigned.
func (t *Telemetry) SetReady(ready func() bool) { t.ready.Store(&ready) }

func (t *Telemetry) isReady() bool {
	f := t.ready.Load()
	return f != nil && (*f)()
}

// WriteMetrics writes the metrics in Prometheus's text format.
func (t *Telemetry) WriteMetrics(w io.Writer) error {
	mfs, err := t.registry.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

// WriteMetricsFile writes the metrics to path (for the demo's summary),
// when path is not "".
func (t *Telemetry) WriteMetricsFile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := t.WriteMetrics(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// Shutdown stops the HTTP server and the MeterProvider.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	if t.srv != nil {
		errs = append(errs, t.srv.Shutdown(ctx))
	}
	errs = append(errs, t.MeterProvider.Shutdown(ctx))
	return errors.Join(errs...)
}

// EnvMetricsAddr is the default of a service's -metrics-addr.
const EnvMetricsAddr = "METRICS_ADDR"

// TelemetryConfig are a service's telemetry flags.
type TelemetryConfig struct {
	// Addr is where /metrics, /healthz and /readyz are served, "" for
	// nowhere (-metrics-addr, default $METRICS_ADDR).
	Addr string
	// File receives the service's metrics when it stops, in Prometheus's
	// text format (-metrics-file): the demo's summary reads them.
	File string
}

// AddFlags adds -metrics-addr and -metrics-file to fs.
func (c *TelemetryConfig) AddFlags(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.Addr, "metrics-addr", getenv(EnvMetricsAddr), "serve /metrics (Prometheus), /healthz and /readyz on `host:port`")
	fs.StringVar(&c.File, "metrics-file", "", "write the metrics to `FILE` on exit")
}

// Start starts the telemetry c describes.
func (c TelemetryConfig) Start(log *slog.Logger) (*Telemetry, error) {
	t, err := StartTelemetry(c.Addr, log)
	if err != nil {
		return nil, err
	}
	t.file = c.File
	return t, nil
}

// Finish writes the metrics file, if any, and shuts the telemetry down.
func (t *Telemetry) Finish() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(t.WriteMetricsFile(t.file), t.Shutdown(ctx))
}
