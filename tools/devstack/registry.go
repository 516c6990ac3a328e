package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// registryProc is the schema registry child process.
type registryProc struct {
	cmd  *exec.Cmd
	url  string
	tail *tailWriter

	done    chan struct{} // closed once the process has been waited for
	waitErr error         // set before done is closed
}

// registryBinary resolves -registry-bin: by default schema-registry next to
// this executable (tools/devstack/bin/).
func registryBinary(flagValue string) (string, error) {
	bin := flagValue
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("locating this executable: %w", err)
		}
		bin = filepath.Join(filepath.Dir(self), "schema-registry")
	}
	st, err := os.Stat(bin)
	if err != nil {
		return "", fmt.Errorf("schema registry binary: %w (build it: cd tools/devstack && go build -o bin/ . github.com/axonops/axonops-schema-registry/cmd/schema-registry)", err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("schema registry binary %s is not an executable file", bin)
	}
	return bin, nil
}

// startRegistry launches the registry and waits until GET /subjects answers
// 200. With -registry-port 0 a free port is picked; should another process
// take it between the pick and the registry's bind, a new one is tried.
func startRegistry(ctx context.Context, cfg *config, bin string, pg *postgresProc, log *slog.Logger) (*registryProc, error) {
	attempts := 1
	if cfg.registryPort == 0 {
		attempts = 3
	}
	var lastErr error
	for range attempts {
		port := cfg.registryPort
		if port == 0 {
			var err error
			if port, err = freePort(); err != nil {
				return nil, err
			}
		}
		p, err := launchRegistry(ctx, cfg, bin, port, pg, log)
		if err == nil {
			return p, nil
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) || cfg.registryPort != 0 {
			break
		}
	}
	return nil, lastErr
}

func launchRegistry(ctx context.Context, cfg *config, bin string, port int, pg *postgresProc, log *slog.Logger) (*registryProc, error) {
	p := &registryProc{
		url:  fmt.Sprintf("http://127.0.0.1:%d", port),
		tail: &tailWriter{prefix: "registry: ", out: os.Stderr, max: 40},
		done: make(chan struct{}),
	}
	cmd := exec.Command(bin)
	// Later entries win: ours override whatever the caller's environment
	// says about where and how the registry runs.
	cmd.Env = append(os.Environ(),
		"SCHEMA_REGISTRY_HOST=127.0.0.1",
		"SCHEMA_REGISTRY_PORT="+strconv.Itoa(port),
		"SCHEMA_REGISTRY_STORAGE_TYPE=memory",
		"SCHEMA_REGISTRY_COMPATIBILITY_LEVEL="+strings.ToUpper(cfg.compatibility),
	)
	if pg != nil {
		cmd.Env = append(cmd.Env,
			"SCHEMA_REGISTRY_STORAGE_TYPE=postgresql",
			"SCHEMA_REGISTRY_PG_HOST=127.0.0.1",
			"SCHEMA_REGISTRY_PG_PORT="+strconv.Itoa(pg.port),
			"SCHEMA_REGISTRY_PG_DATABASE="+pgDatabase,
			"SCHEMA_REGISTRY_PG_USER="+pgUser,
			"SCHEMA_REGISTRY_PG_PASSWORD="+pgPassword,
			"SCHEMA_REGISTRY_PG_SSLMODE=disable",
		)
	}
	cmd.Stdout = p.tail
	cmd.Stderr = p.tail
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Its own process group: a terminal's Ctrl-C reaches only devstack,
		// which then stops the registry in order.
		Setpgid: true,
		// Dies with devstack even when devstack is killed with SIGKILL.
		Pdeathsig: syscall.SIGKILL,
	}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting schema registry %s: %w", bin, err)
	}
	p.cmd = cmd
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()

	if err := p.waitReady(ctx, cfg.timeout); err != nil {
		_ = p.stop(5 * time.Second)
		if strings.Contains(p.tail.String(), "address already in use") {
			return nil, fmt.Errorf("schema registry: 127.0.0.1:%d is taken by another process (%w); stop it (another devstack? try make dev-down) or choose -registry-port (0 picks a free port)",
				port, errPortTaken)
		}
		return nil, err
	}
	log.Info("schema registry ready", "url", p.url, "pid", cmd.Process.Pid)
	return p, nil
}

// waitReady polls GET /subjects until it answers 200, the process exits, or
// the timeout passes.
func (p *registryProc) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	var lastErr error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/subjects", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /subjects: %s", resp.Status)
		}
		lastErr = err
		select {
		case <-p.done:
			return fmt.Errorf("schema registry exited before it was ready (%v); last output:\n%s", p.waitErr, p.tail.String())
		case <-ctx.Done():
			return fmt.Errorf("schema registry at %s did not answer within %v: %w; last output:\n%s", p.url, timeout, lastErr, p.tail.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM to the registry's process group, and SIGKILL if it has
// not exited within grace. It returns once the process has been reaped.
func (p *registryProc) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
	return fmt.Errorf("schema registry did not stop within %v of SIGTERM and was killed", grace)
}

// tailWriter copies complete lines to out with a prefix and keeps the last
// max lines for error messages.
type tailWriter struct {
	prefix string
	out    *os.File
	max    int

	mu      sync.Mutex
	partial []byte
	lines   []string
}

func (w *tailWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, b...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		fmt.Fprintf(w.out, "%s%s\n", w.prefix, line)
		w.lines = append(w.lines, line)
		if len(w.lines) > w.max {
			w.lines = w.lines[len(w.lines)-w.max:]
		}
	}
	return len(b), nil
}

// String returns the kept lines, and any unterminated last line.
func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := strings.Join(w.lines, "\n")
	if len(w.partial) > 0 {
		s += "\n" + string(w.partial)
	}
	return s
}
