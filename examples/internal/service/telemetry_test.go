package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/metric"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTelemetryEndpoints: /healthz answers at once, /readyz only once the
// service says it is ready (and no longer when it says it is not), and
// /metrics and the metrics file show what was recorded.
func TestTelemetryEndpoints(t *testing.T) {
	cfg := TelemetryConfig{Addr: "127.0.0.1:0", File: filepath.Join(t.TempDir(), "m.prom")}
	tel, err := cfg.Start(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + tel.Addr
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if code, _ := get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before SetReady: %d, want 503", code)
	}
	var assigned atomic.Bool
	tel.SetReady(assigned.Load)
	if code, _ := get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with nothing assigned: %d, want 503", code)
	}
	assigned.Store(true)
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz when ready: %d %q", code, body)
	}
	c, err := tel.MeterProvider.Meter("test").Int64Counter("demo.things", metric.WithUnit("{thing}"))
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 3)
	if code, body := get(t, base+"/metrics"); code != http.StatusOK || !strings.Contains(body, "demo_things_total") {
		t.Errorf("/metrics: %d, no demo_things_total in:\n%s", code, body)
	}
	if err := tel.Finish(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(cfg.File)
	if err != nil || !bytes.Contains(b, []byte("demo_things_total")) {
		t.Errorf("metrics file: %v\n%s", err, b)
	}
	if resp, err := http.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("the endpoint still answers after Finish")
	}
}
