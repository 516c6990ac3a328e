package bench

import (
	"os"
	"testing"
)

// TestMain runs the tests and benchmarks, or, in a process that a
// benchmark started as a client of its broker, only that client: the
// consumer whose memory BenchmarkConsumeBacklog measures
// (BENCH_BACKLOG_CHILD set), or the client of BenchmarkPublishCPU and
// BenchmarkPreOTel (BENCH_CLIENT_CHILD).
func TestMain(m *testing.M) {
	if spec := os.Getenv(envBacklogChild); spec != "" {
		os.Exit(backlogChild(spec))
	}
	if spec := os.Getenv(envClientChild); spec != "" {
		os.Exit(clientChild(spec))
	}
	os.Exit(m.Run())
}
