package childproc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// waitLimit bounds waits for the kernel to act on a signal; it is a safety
// net on a busy machine, not a measurement.
const waitLimit = 30 * time.Second

// startSleep starts "sleep 60" and makes sure it is gone when the test ends.
func startSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

func TestPIDAliveRunningAndReaped(t *testing.T) {
	if !PIDAlive(os.Getpid()) {
		t.Errorf("PIDAlive(own pid %d) = false", os.Getpid())
	}
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	if !PIDAlive(pid) {
		t.Fatalf("PIDAlive(%d) = false for a running sleep", pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // reaped: the pid no longer exists
	if PIDAlive(pid) {
		t.Errorf("PIDAlive(%d) = true after the process was killed and waited for", pid)
	}
}

func TestPIDAliveBadPIDs(t *testing.T) {
	for _, pid := range []int{0, -1, -1 << 30} {
		if PIDAlive(pid) {
			t.Errorf("PIDAlive(%d) = true", pid)
		}
	}
}

// A killed child that was not waited for is a zombie: signal 0 still
// reaches it, but PIDAlive reports it gone.
func TestPIDAliveZombie(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("zombies are told apart through Linux's /proc")
	}
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := WaitGone(ctx, pid); err != nil {
		t.Fatalf("the killed sleep does not count as gone: %v", err)
	}
	// Not waited for yet: the pid still exists, as a zombie.
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("signal 0 to the unwaited child %d: %v; want it to exist as a zombie", pid, err)
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	if PIDAlive(pid) {
		t.Errorf("PIDAlive(%d) = true for a zombie (/proc stat %q)", pid, stat)
	}
	if err := cmd.Wait(); err == nil {
		t.Errorf("Wait after SIGKILL = nil, want the signal as exit error")
	}
	if PIDAlive(pid) {
		t.Errorf("PIDAlive(%d) = true after the zombie was reaped", pid)
	}
}

func TestWaitGoneEndsWithContext(t *testing.T) {
	cmd := startSleep(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := WaitGone(ctx, cmd.Process.Pid)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WaitGone on a running process with a canceled context = %v, want context.Canceled", err)
	}
}

func TestWaitGoneReturnsWhenGone(t *testing.T) {
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	done := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	go func() { done <- WaitGone(ctx, pid) }()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err := <-done; err != nil {
		t.Errorf("WaitGone after the process was killed: %v", err)
	}
}
