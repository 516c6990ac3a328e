//go:build !linux

package itest

import "os/exec"

// dieWithParent has no parent-death signal to set outside Linux; devstack
// still stops when its standard input, a pipe from the test process, closes.
func dieWithParent(*exec.Cmd) {}
