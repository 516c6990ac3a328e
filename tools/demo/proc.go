package main

import (
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// child is a process the demo started, in a process group of its own.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once it exited
	err  error         // its exit error, set before done is closed
}

// start starts cmd detached (see detach) with parent-death signal sig.
func start(name string, cmd *exec.Cmd, sig syscall.Signal) (*child, error) {
	detach(cmd, sig)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// exited reports whether the child has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the child's process group and waits; after grace,
// or at once when hurry is closed, it sends SIGKILL. It returns the exit
// error, nil for a clean exit.
func (c *child) stop(grace time.Duration, hurry <-chan struct{}) error {
	if c.exited() {
		return c.err
	}
	_ = signalGroup(c.cmd.Process.Pid, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.done:
		return c.err
	case <-t.C:
	case <-hurry:
	}
	_ = signalGroup(c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.done
	return fmt.Errorf("%s did not stop within %v of SIGTERM and was killed", c.name, grace)
}
