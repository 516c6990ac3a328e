package bench

import (
	"os"
	"testing"
)

// TestMain runs the tests and benchmarks, or, in a process that
// BenchmarkConsumeBacklog started (BENCH_BACKLOG_CHILD set), only the
// consumer whose memory it measures.
func TestMain(m *testing.M) {
	if spec := os.Getenv(envBacklogChild); spec != "" {
		os.Exit(backlogChild(spec))
	}
	os.Exit(m.Run())
}
