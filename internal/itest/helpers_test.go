package itest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

var execLookPath = exec.LookPath

// run runs a command with stdin and returns its standard output; it fails t
// when the command fails.
func run(t *testing.T, stdin io.Reader, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// runStatus runs a command and returns its combined output and exit code.
func runStatus(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exitErr):
		return string(out), exitErr.ExitCode()
	default:
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
		return "", -1
	}
}

// listenAny listens on a free port of 127.0.0.1 and returns the port.
func listenAny(t *testing.T) (net.Listener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, ln.Addr().(*net.TCPAddr).Port
}

// startOrphanHelper runs this test binary as the helper of
// TestNoOrphansWhenTestProcessDies and returns it with the devstack and
// registry pids it printed.
func startOrphanHelper(t *testing.T) (*exec.Cmd, [2]int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoOrphansWhenTestProcessDies$")
	// The helper's temporary directories land in ours, removed after this
	// test even though the helper never gets to clean up.
	cmd.Env = append(os.Environ(), "ITEST_ORPHAN_HELPER=1", "TMPDIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	type result struct {
		pids [2]int
		err  error
	}
	found := make(chan result, 1)
	var seen bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			seen.WriteString(line + "\n")
			var r result
			if _, err := fmt.Sscanf(line, "PIDS %d %d", &r.pids[0], &r.pids[1]); err == nil {
				found <- r
				_, _ = io.Copy(io.Discard, stdout)
				return
			}
		}
		found <- result{err: fmt.Errorf("helper ended its output without a PIDS line: %w", sc.Err())}
	}()
	r := <-found
	if r.err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", r.err, seen.String(), stderr.String())
	}
	return cmd, r.pids
}
