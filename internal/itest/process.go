package itest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lunchbot/eventkit/internal/childproc"
)

// stopGrace is how long devstack gets to stop after SIGTERM before SIGKILL.
const stopGrace = 30 * time.Second

// proc is one running devstack process.
type proc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	tail    *childproc.Tail
	closers []io.Closer // closed once the process is gone

	brokerAddr       string
	registryURL      string
	securityProtocol string // PLAINTEXT unless the broker has TLS or SASL
	registryPID      int
	postgresPID      int // 0 without RegistryPostgres

	// moves receives devstack's answers to SIGUSR1, the lines that begin
	// with "leaders moved:" or "leaders not moved:".
	moves chan string

	done    chan struct{} // closed after cmd.Wait returned
	waitErr error         // set before done is closed

	stopOnce sync.Once
	stopErr  error
}

// launch runs "devstack run" with args and waits until it prints its ready
// line. Its output goes to an in-memory tail (for error messages) and, if
// log is not nil, to log.
func launch(ctx context.Context, b bins, args []string, log io.WriteCloser) (*proc, error) {
	full := append([]string{"run", "-exit-on-stdin-close", "-log-level=warn"}, args...)
	cmd := exec.Command(b.devstack, full...)
	cmd.Dir = b.root
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	p := &proc{cmd: cmd, stdin: stdin, tail: childproc.NewTail(200), moves: make(chan string, 16), done: make(chan struct{})}
	if log != nil {
		p.closers = append(p.closers, log)
	}
	onReady, ready := childproc.WatchReady()
	onLine := func(line string) {
		onReady(line)
		if strings.HasPrefix(line, leadersMovedPrefix) || strings.HasPrefix(line, leadersNotMovedPrefix) {
			select {
			case p.moves <- line:
			default: // nobody asked for it
			}
		}
	}
	stdout, stderr := io.Writer(p.tail.Stream(onLine)), io.Writer(p.tail.Stream(nil))
	if log != nil {
		stdout, stderr = io.MultiWriter(stdout, log), io.MultiWriter(stderr, log)
	}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	dieWithParent(cmd)
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		p.closeAll()
		return nil, fmt.Errorf("starting %s: %w", b.devstack, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		p.closeAll()
		close(p.done)
	}()

	select {
	case kv := <-ready:
		p.brokerAddr = kv["KAFKA_BROKER_URL"]
		p.registryURL = kv["SCHEMA_REGISTRY_URL"]
		p.securityProtocol = kv["KAFKA_SECURITY_PROTOCOL"]
		if p.securityProtocol == "" {
			p.securityProtocol = "PLAINTEXT"
		}
		p.registryPID, _ = strconv.Atoi(kv["REGISTRY_PID"])
		p.postgresPID, _ = strconv.Atoi(kv["POSTGRES_PID"])
		if p.brokerAddr == "" || p.registryURL == "" {
			_ = p.stop()
			return nil, fmt.Errorf("devstack printed a ready line without both addresses: %v", kv)
		}
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("devstack %s exited before it was ready (%w); its last output:\n%s",
			strings.Join(full, " "), p.waitErr, p.tail.Last(30))
	case <-ctx.Done():
		_ = p.stop()
		return nil, fmt.Errorf("devstack %s was not ready in time (%w); its last output:\n%s",
			strings.Join(full, " "), ctx.Err(), p.tail.Last(30))
	}
}

// The lines devstack prints after moving partition leaders on SIGUSR1.
const (
	leadersMovedPrefix    = "leaders moved:"
	leadersNotMovedPrefix = "leaders not moved:"
)

// moveLeaders sends devstack SIGUSR1 and waits for its answer: the number
// of partitions whose leader moved.
func (p *proc) moveLeaders(timeout time.Duration) (int, error) {
	// Drop answers nobody waited for.
	for len(p.moves) > 0 {
		<-p.moves
	}
	if err := p.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return 0, fmt.Errorf("signalling devstack: %w", err)
	}
	select {
	case line := <-p.moves:
		rest, ok := strings.CutPrefix(line, leadersMovedPrefix)
		if !ok {
			return 0, errors.New(line)
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " partitions"))
		if err != nil {
			return 0, fmt.Errorf("devstack answered %q: %w", line, err)
		}
		return n, nil
	case <-p.done:
		return 0, fmt.Errorf("devstack exited (%w) instead of moving the leaders; its last output:\n%s", p.waitErr, p.tail.Last(30))
	case <-time.After(timeout):
		return 0, fmt.Errorf("devstack did not answer SIGUSR1 within %v; its last output:\n%s", timeout, p.tail.Last(30))
	}
}

// stop closes devstack's standard input and sends SIGTERM, which stop it and
// its registry in order, and waits; after stopGrace it kills it. It reports
// an unclean exit.
func (p *proc) stop() error {
	p.stopOnce.Do(func() {
		_ = p.stdin.Close()
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = p.cmd.Process.Kill()
			<-p.done
			p.waitChildrenGone()
			p.stopErr = fmt.Errorf("devstack did not stop within %v of SIGTERM and was killed; its last output:\n%s", stopGrace, p.tail.Last(30))
			return
		}
		if p.waitErr != nil {
			p.stopErr = fmt.Errorf("devstack exited with %w; its last output:\n%s", p.waitErr, p.tail.Last(30))
		}
	})
	return p.stopErr
}

// kill stops devstack with SIGKILL, as a crash would, and waits until its
// registry and PostgreSQL (ended by their parent-death signals) are gone
// too, so that ports and data directories are free again.
func (p *proc) kill() {
	p.stopOnce.Do(func() {
		_ = p.stdin.Close()
		_ = p.cmd.Process.Kill()
		<-p.done
		p.waitChildrenGone()
	})
}

// waitChildrenGone waits up to stopGrace in all for the registry and
// PostgreSQL to be gone.
func (p *proc) waitChildrenGone() {
	ctx, cancel := context.WithTimeout(context.Background(), stopGrace)
	defer cancel()
	for _, pid := range []int{p.registryPID, p.postgresPID} {
		if pid > 0 {
			_ = childproc.WaitGone(ctx, pid)
		}
	}
}

func (p *proc) closeAll() {
	for _, c := range p.closers {
		_ = c.Close()
	}
}
