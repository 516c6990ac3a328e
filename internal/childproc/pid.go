package childproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// pollInterval is how often WaitGone looks at the process again.
const pollInterval = 50 * time.Millisecond

// PIDAlive reports whether the process pid exists and is not a zombie (one
// that exited but that its parent has not waited for yet, which holds no
// port, file lock or memory any more). A pid of 0 or less is never alive. A
// process that exists but that this one may not signal (EPERM) counts as
// alive.
//
// Zombies are told apart through /proc/<pid>/stat, which only Linux has;
// elsewhere a process that signal 0 reaches counts as alive.
func PIDAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer func() { _ = p.Release() }() // on Unix it only forgets the pid
	if err := p.Signal(syscall.Signal(0)); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if runtime.GOOS != "linux" {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err)
	}
	// The state follows the command name, which is in parentheses and may
	// itself contain parentheses and spaces: "pid (comm) S ...".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// WaitGone waits until the process pid is gone (see PIDAlive). It returns
// nil once it is, or an error matching ctx's error when ctx ends first.
func WaitGone(ctx context.Context, pid int) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for PIDAlive(pid) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("process %d still runs: %w", pid, ctx.Err())
		case <-t.C:
		}
	}
	return nil
}
