package main

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// captureStdout returns what fn prints to standard output.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = saved }()
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	fn()
	_ = w.Close()
	return <-done
}

// TestUpNamesAStopCommandThatExists: "up" finding the stack already running
// tells how to stop it with a command the user has: make dev-down for the
// Makefile's .devstack, else this binary's down (devstack is not on PATH).
func TestUpNamesAStopCommandThatExists(t *testing.T) {
	t.Chdir(t.TempDir())
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "state")
	for _, c := range []struct{ state, stop string }{
		{".devstack", "make dev-down"},
		{"./.devstack/", "make dev-down"},
		{other, self + " down -state " + other},
	} {
		if err := os.MkdirAll(c.state, 0o755); err != nil {
			t.Fatal(err)
		}
		// This test process passes for the running stack: its command line
		// (devstack.test) names devstack.
		files := newStateFiles(c.state)
		pid := os.Getpid()
		if err := os.WriteFile(files.pid, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(files.env, []byte("KAFKA_BROKER_URL=127.0.0.1:9092\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var code int
		out := captureStdout(t, func() { code = upMain([]string{"-state", c.state}) })
		want := "devstack already running (pid " + strconv.Itoa(pid) + "); stop it with " + c.stop + "\nKAFKA_BROKER_URL=127.0.0.1:9092\n"
		if code != 0 || out != want {
			t.Errorf("-state %s: exit %d, printed %q, want 0 and %q", c.state, code, out, want)
		}
		if _, err := os.Stat(strings.Fields(c.stop)[0]); c.stop != "make dev-down" && err != nil {
			t.Errorf("the stop command %q does not exist: %v", c.stop, err)
		}
	}
}
