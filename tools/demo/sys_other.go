//go:build !linux

package main

import (
	"os"
	"os/exec"
	"syscall"
)

// detach does nothing here: process groups and parent-death signals are
// Linux's. The demo still stops its children on SIGINT and SIGTERM.
func detach(*exec.Cmd, syscall.Signal) {}

// signalGroup signals pid alone.
func signalGroup(pid int, sig syscall.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(sig)
}

// lockFile does not lock here.
func lockFile(string) (func(), error) { return func() {}, nil }
