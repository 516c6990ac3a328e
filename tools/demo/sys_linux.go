package main

import (
	"os"
	"os/exec"
	"syscall"
)

func init() {
	// Runs on the main thread (package initialization is locked to it),
	// which lives as long as the process: when make (or whatever started
	// the demo) dies, the demo gets SIGTERM and stops what it started.
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	if errno == 0 && os.Getppid() == 1 {
		os.Exit(1) // the parent died before the signal was set
	}
}

// detach puts cmd in a process group of its own, so that a terminal's
// Ctrl-C reaches only the demo, which stops its children in order, and
// makes the kernel send sig to cmd when the demo dies, however it dies.
func detach(cmd *exec.Cmd, sig syscall.Signal) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: sig}
}

// signalGroup sends sig to the process group of pid (one detach made).
func signalGroup(pid int, sig syscall.Signal) error { return syscall.Kill(-pid, sig) }

// lockFile takes an exclusive lock on path, as internal/itest does before
// building tools/devstack/bin, and returns its release.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
