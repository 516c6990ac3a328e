package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stateFiles are the files "up" and "down" share in -state DIR.
type stateFiles struct{ pid, log, env string }

func newStateFiles(dir string) stateFiles {
	return stateFiles{
		pid: filepath.Join(dir, "devstack.pid"),
		log: filepath.Join(dir, "devstack.log"),
		env: filepath.Join(dir, "env"),
	}
}

// upMain starts "devstack run" in its own session with output to
// DIR/devstack.log, records its pid in DIR/devstack.pid and waits until it
// has written DIR/env (a file a shell can source).
func upMain(args []string) int {
	fs := flag.NewFlagSet("devstack up", flag.ContinueOnError)
	cfg := registerRunFlags(fs)
	state := fs.String("state", "", "directory for devstack.pid, devstack.log and env (required)")
	wait := fs.Duration("wait", 3*time.Minute, "how long to wait for the stack to be ready")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(os.Stderr, "devstack up: unexpected arguments %q\n", fs.Args())
		return 2
	case *state == "":
		fmt.Fprintln(os.Stderr, "devstack up: -state DIR is required")
		return 2
	case cfg.readyFile != "" || cfg.exitOnStdinClose:
		fmt.Fprintln(os.Stderr, "devstack up: -ready-file and -exit-on-stdin-close are for run; up sets what it needs")
		return 2
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(os.Stderr, "devstack up: %v\n", err)
		return 2
	}
	if err := os.MkdirAll(*state, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "devstack up: %v\n", err)
		return 1
	}
	files := newStateFiles(*state)
	if pid, ok := runningPid(files.pid); ok {
		env, _ := os.ReadFile(files.env)
		fmt.Printf("devstack already running (pid %d); stop it with %s\n%s", pid, stopCommand(*state), env)
		return 0
	}
	_ = os.Remove(files.env)

	childArgs := []string{"run"}
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "state" && f.Name != "wait" {
			childArgs = append(childArgs, "-"+f.Name+"="+f.Value.String())
		}
	})
	childArgs = append(childArgs, "-ready-file="+files.env)

	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "devstack up: locating this executable: %v\n", err)
		return 1
	}
	logFile, err := os.OpenFile(files.log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "devstack up: %v\n", err)
		return 1
	}
	defer logFile.Close()
	cmd := exec.Command(self, childArgs...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// A session of its own: it outlives make and the terminal.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "devstack up: %v\n", err)
		return 1
	}
	pid := cmd.Process.Pid
	if err := os.WriteFile(files.pid, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		_ = cmd.Process.Kill()
		fmt.Fprintf(os.Stderr, "devstack up: %v\n", err)
		return 1
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.After(*wait)
	for {
		if env, err := os.ReadFile(files.env); err == nil {
			fmt.Printf("devstack started (pid %d); log: %s; stop: %s\n%s", pid, files.log, stopCommand(*state), env)
			return 0
		}
		select {
		case err := <-exited:
			_ = os.Remove(files.pid)
			fmt.Fprintf(os.Stderr, "devstack up: the stack exited before it was ready (%v); end of %s:\n%s\n", err, files.log, fileTail(files.log, 30))
			return 1
		case <-deadline:
			_ = syscall.Kill(pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			_ = os.Remove(files.pid)
			fmt.Fprintf(os.Stderr, "devstack up: not ready within %v; stopped it; end of %s:\n%s\n", *wait, files.log, fileTail(files.log, 30))
			return 1
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// makeState is the -state directory the Makefile's dev-up and dev-down pass.
const makeState = ".devstack"

// stopCommand is a command that stops the stack of -state dir and exists
// where the user is: make dev-down for the Makefile's state directory (the
// devstack binary is not on PATH), else this very binary's down.
func stopCommand(dir string) string {
	if filepath.Clean(dir) == makeState {
		return "make dev-down"
	}
	self, err := os.Executable()
	if err != nil {
		self = "devstack"
	}
	return self + " down -state " + dir
}

// downMain stops the stack recorded in -state DIR: SIGTERM, then SIGKILL
// after -wait (the registry then dies with it through its parent-death
// signal).
func downMain(args []string) int {
	fs := flag.NewFlagSet("devstack down", flag.ContinueOnError)
	state := fs.String("state", "", "directory given to devstack up (required)")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait after SIGTERM before SIGKILL")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *state == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "devstack down: usage: devstack down -state DIR")
		return 2
	}
	files := newStateFiles(*state)
	pid, ok := runningPid(files.pid)
	if !ok {
		_ = os.Remove(files.pid)
		_ = os.Remove(files.env)
		fmt.Println("devstack is not running")
		return 0
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(*wait)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	status := 0
	if alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		fmt.Fprintf(os.Stderr, "devstack down: pid %d did not stop within %v of SIGTERM; killed it\n", pid, *wait)
		status = 1
	}
	_ = os.Remove(files.pid)
	_ = os.Remove(files.env)
	fmt.Printf("devstack stopped (pid %d)\n", pid)
	return status
}

// runningPid reads a pid file and reports whether that process is alive and
// is a devstack (a reused pid of some other program is not ours to signal).
func runningPid(pidFile string) (int, bool) {
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 || !alive(pid) {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err == nil && !bytes.Contains(cmdline, []byte("devstack")) {
		return 0, false
	}
	return pid, true
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !os.IsNotExist(err)
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// fileTail returns the last n lines of a file.
func fileTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
