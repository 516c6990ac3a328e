package ownrepo

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/race"
)

const heading = "## A service in its own repository"

// TestReadmeServiceInItsOwnRepository follows the README section in a
// fresh module: next to a copy of the repository (as a clone would be), one
// bash runs the section's shell blocks in order, the Go files are written
// where the section names them, and a comment line `# when ... has logged
// "X"` waits for X in the output, as the reader would.
func TestReadmeServiceInItsOwnRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module and runs the local stack")
	}
	if race.Enabled {
		t.Skip("runs other processes only: the race detector adds nothing")
	}
	for _, tool := range []string{"bash", "curl", "git", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README's commands need %s: %v", tool, err)
		}
	}
	// The section's commands use localhost:8080, the service's default.
	if l, err := net.Listen("tcp", "localhost:8080"); err != nil {
		t.Skipf("localhost:8080, which the section's commands use, is taken: %v", err)
	} else {
		l.Close()
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	todo, err := steps(string(readme), heading)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}

	dir := t.TempDir()
	copyRepository(t, root, filepath.Join(dir, "eventkit"))
	sh := startShell(t, dir)
	t.Cleanup(func() {
		// Whatever the section left running when a step failed.
		sh.kill()
		_ = exec.Command("make", "-C", filepath.Join(dir, "eventkit"), "dev-down").Run()
	})
	module := filepath.Join(dir, "lunch") // the first block makes it and goes there
	for n, s := range todo {
		if s.path != "" {
			path := filepath.Join(module, filepath.FromSlash(s.path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(s.text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for _, line := range s.shell {
			sh.send(line)
			if want := waitFor(line); want != "" {
				sh.waitOutput(want, 2*time.Minute)
			}
		}
		sh.send(fmt.Sprintf("echo %s", doneMark(n)))
		sh.waitOutput(doneMark(n), 10*time.Minute)
	}
	sh.close()
	out := sh.output()
	for _, want := range []string{"ordering closed cafe=7", "devstack stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

func doneMark(n int) string { return fmt.Sprintf("__step_%d_done__", n) }

// copyRepository copies the files git knows (tracked, and new ones not
// ignored) of root to dst: what a clone holds, with the change under test.
func copyRepository(t *testing.T, root, dst string) {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	list, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

// shell is one bash reading the section's lines on its standard input, as
// a terminal would give them, in a process group of its own.
type shell struct {
	t      *testing.T
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *syncBuffer
	exit   chan struct{}
	copied chan struct{} // the output's pipe closed: all that was written is in out
	err    error
	start  time.Time
}

func startShell(t *testing.T, dir string) *shell {
	t.Helper()
	sh := &shell{t: t, out: &syncBuffer{}, exit: make(chan struct{}), copied: make(chan struct{}), start: time.Now()}
	sh.cmd = exec.Command("bash")
	sh.cmd.Dir = dir
	sh.cmd.Env = append(cleanEnv(),
		// The copy's stack on free ports, beside any other stack on the
		// machine (a developer's make dev-up).
		"DEVSTACK_FLAGS=-kafka-port 0 -registry-port 0")
	// The output goes through a pipe of the test's own, so that the shell's
	// exit is seen when it exits, not when the last program it left in the
	// background closes the pipe.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(sh.out, r); r.Close(); close(sh.copied) }()
	sh.cmd.Stdout, sh.cmd.Stderr = w, w
	sh.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := sh.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	sh.in = in
	err = sh.cmd.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	go func() { sh.err = sh.cmd.Wait(); close(sh.exit) }()
	// A failing command stops the shell, as it stops the reader.
	sh.send("set -eo pipefail")
	return sh
}

// cleanEnv is the test's environment without the variables that would
// point the services or the integration tests elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "KAFKA_") || strings.HasPrefix(name, "SCHEMA_REGISTRY_") ||
			strings.HasPrefix(name, "EVENTKIT_TEST_") || name == "ADDR" || name == "DEVSTACK_FLAGS" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (sh *shell) send(line string) {
	sh.t.Helper()
	sh.t.Logf("%6.1fs $ %s", time.Since(sh.start).Seconds(), line)
	if _, err := io.WriteString(sh.in, line+"\n"); err != nil {
		sh.t.Fatalf("the shell stopped before %q: %v\n%s", line, err, sh.output())
	}
}

// waitOutput waits until the output holds want; it fails the test when the
// shell exits first or timeout passes.
func (sh *shell) waitOutput(want string, timeout time.Duration) {
	sh.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(sh.output(), want) {
		select {
		case <-sh.exit:
			sh.t.Fatalf("the shell exited (%v) before the output held %q:\n%s", sh.err, want, sh.output())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			sh.t.Fatalf("no %q in the output after %v:\n%s", want, timeout, sh.output())
		}
	}
}

// close ends the shell's input and waits for it to exit, which it must do
// with status 0.
func (sh *shell) close() {
	sh.t.Helper()
	sh.in.Close()
	select {
	case <-sh.exit:
	case <-time.After(2 * time.Minute):
		sh.t.Fatalf("the shell did not exit:\n%s", sh.output())
	}
	if sh.err != nil {
		sh.t.Fatalf("the shell: %v\n%s", sh.err, sh.output())
	}
	select {
	case <-sh.copied:
	case <-time.After(time.Minute):
		sh.t.Fatalf("a program the shell started in the background still runs:\n%s", sh.output())
	}
}

// kill stops the shell's process group: the shell and what it started.
func (sh *shell) kill() {
	if sh.cmd.Process != nil {
		_ = syscall.Kill(-sh.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-sh.exit
}

func (sh *shell) output() string { return sh.out.String() }

// syncBuffer is a bytes.Buffer safe for the shell's writes and the test's
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
