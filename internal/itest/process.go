package itest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long devstack gets to stop after SIGTERM before SIGKILL.
const stopGrace = 30 * time.Second

// proc is one running devstack process.
type proc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	tail    *tail
	closers []io.Closer // closed once the process is gone

	brokerAddr       string
	registryURL      string
	securityProtocol string // PLAINTEXT unless the broker has TLS or SASL
	registryPID      int
	postgresPID      int // 0 without RegistryPostgres

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
	p := &proc{cmd: cmd, stdin: stdin, tail: newTail(200), done: make(chan struct{})}
	if log != nil {
		p.closers = append(p.closers, log)
	}
	ready := &readyWriter{ch: make(chan map[string]string, 1)}
	stdout, stderr := io.Writer(p.tail.stream()), io.Writer(p.tail.stream())
	if log != nil {
		stdout, stderr = io.MultiWriter(stdout, log), io.MultiWriter(stderr, log)
	}
	cmd.Stdout = io.MultiWriter(stdout, ready)
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
	case kv := <-ready.ch:
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
		return nil, fmt.Errorf("devstack %s exited before it was ready (%v); its last output:\n%s",
			strings.Join(full, " "), p.waitErr, p.tail.last(30))
	case <-ctx.Done():
		_ = p.stop()
		return nil, fmt.Errorf("devstack %s was not ready in time (%w); its last output:\n%s",
			strings.Join(full, " "), ctx.Err(), p.tail.last(30))
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
			p.stopErr = fmt.Errorf("devstack did not stop within %v of SIGTERM and was killed; its last output:\n%s", stopGrace, p.tail.last(30))
			return
		}
		if p.waitErr != nil {
			p.stopErr = fmt.Errorf("devstack exited with %v; its last output:\n%s", p.waitErr, p.tail.last(30))
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

func (p *proc) waitChildrenGone() {
	deadline := time.Now().Add(stopGrace)
	for _, pid := range []int{p.registryPID, p.postgresPID} {
		for pid > 0 && pidAlive(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func (p *proc) closeAll() {
	for _, c := range p.closers {
		_ = c.Close()
	}
}

// pidAlive reports whether a process exists and is not a zombie.
func pidAlive(pid int) bool {
	proc, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if err := proc.Signal(syscall.Signal(0)); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err)
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// readyWriter watches devstack's standard output for its ready line,
// "KAFKA_BROKER_URL=… SCHEMA_REGISTRY_URL=… …", and sends its fields once.
type readyWriter struct {
	ch      chan map[string]string
	partial []byte
	sent    bool
}

func (w *readyWriter) Write(b []byte) (int, error) {
	if w.sent {
		return len(b), nil
	}
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		if !strings.HasPrefix(line, "KAFKA_BROKER_URL=") {
			continue
		}
		kv := make(map[string]string)
		for _, f := range strings.Fields(line) {
			if k, v, ok := strings.Cut(f, "="); ok {
				kv[k] = v
			}
		}
		w.sent = true
		w.partial = nil
		w.ch <- kv
		return len(b), nil
	}
}

// tail keeps the last lines written to any of its streams.
type tail struct {
	max   int
	mu    sync.Mutex
	lines []string
}

func newTail(max int) *tail { return &tail{max: max} }

// stream returns a writer for one output stream; each stream keeps its own
// unterminated line so that stdout and stderr do not mix within a line.
func (t *tail) stream() io.Writer { return &tailStream{t: t} }

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// last returns the last n lines kept.
func (t *tail) last(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// String returns every line kept.
func (t *tail) String() string { return t.last(t.max) }

type tailStream struct {
	t       *tail
	partial []byte
}

func (s *tailStream) Write(b []byte) (int, error) {
	s.partial = append(s.partial, b...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		s.t.add(string(s.partial[:i]))
		s.partial = s.partial[i+1:]
	}
}
