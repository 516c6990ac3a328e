package itest

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// GoBuild builds the main package pkg (a path relative to the repository
// root, e.g. "./examples/notifications-worker") into a temporary directory
// of t and returns the binary's path, for tests that run a service as a
// process (to send it signals, say). It fails t when the build fails.
func GoBuild(t testing.TB, pkg string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("itest: %v", err)
	}
	goBin, err := goCommand()
	if err != nil {
		t.Fatalf("itest: %v", err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command(goBin, "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("itest: go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// ManifestPath returns the path of the repository's avro/manifest.json, for
// Options.Manifest.
func ManifestPath(t testing.TB) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("itest: %v", err)
	}
	p, err := manifestPath(root)
	if err != nil {
		t.Fatalf("itest: %v", err)
	}
	return p
}
