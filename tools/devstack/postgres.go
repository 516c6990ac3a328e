package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// The registry's PostgreSQL role and database. The cluster trusts local TCP
// connections, so the password only satisfies the registry's DSN format
// (an empty one would not parse).
const (
	pgUser     = "devstack"
	pgPassword = "devstack"
	pgDatabase = "schema_registry"
)

// postgresProc is a PostgreSQL cluster devstack runs for the registry.
type postgresProc struct {
	cmd     *exec.Cmd
	port    int
	dir     string
	tempDir string // removed at stop when the cluster lives in a temporary directory
	tail    *tailWriter

	done    chan struct{}
	waitErr error
}

// pgBinDir resolves -pg-bin: by default the newest /usr/lib/postgresql/*/bin
// (Debian's layout), else the directory of initdb on PATH.
func pgBinDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("-registry-storage postgres: no PostgreSQL server found (looked in /usr/lib/postgresql/*/bin and PATH); install Debian's postgresql or pass -pg-bin")
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// pgCredential returns who runs PostgreSQL: the current user, or the
// "postgres" user when devstack runs as root (PostgreSQL refuses root).
func pgCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("-registry-storage postgres as root: PostgreSQL refuses to run as root and there is no postgres user to run it as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("postgres user has uid %q, gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// startPostgres initialises dir as a cluster if it is not one yet, starts
// it on a free 127.0.0.1 port without a Unix socket, waits until it accepts
// connections and creates the registry's database on first use. An empty
// dir means a temporary cluster, removed at stop.
func startPostgres(ctx context.Context, cfg *config, log *slog.Logger) (*postgresProc, error) {
	bin, err := pgBinDir(cfg.pgBin)
	if err != nil {
		return nil, err
	}
	cred, err := pgCredential()
	if err != nil {
		return nil, err
	}
	p := &postgresProc{
		dir:  cfg.pgDir,
		tail: &tailWriter{prefix: "postgres: ", out: os.Stderr, max: 40},
		done: make(chan struct{}),
	}
	if p.dir == "" {
		if p.tempDir, err = os.MkdirTemp("", "devstack-postgres-"); err != nil {
			return nil, err
		}
		p.dir = filepath.Join(p.tempDir, "pgdata")
	}
	if p.dir, err = filepath.Abs(p.dir); err != nil {
		return nil, err
	}
	fail := func(err error) (*postgresProc, error) {
		if p.tempDir != "" {
			os.RemoveAll(p.tempDir)
		}
		return nil, err
	}
	if p.tempDir != "" && cred != nil {
		// MkdirTemp made it 0700 for root; the postgres user must reach it.
		if err := os.Chmod(p.tempDir, 0o755); err != nil {
			return fail(err)
		}
	}

	if _, err := os.Stat(filepath.Join(p.dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		// Parents readable by all: as root, the postgres user must pass them.
		if err := os.MkdirAll(filepath.Dir(p.dir), 0o755); err != nil {
			return fail(err)
		}
		if err := os.Mkdir(p.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fail(err)
		}
		if cred != nil {
			if err := os.Chown(p.dir, int(cred.Uid), int(cred.Gid)); err != nil {
				return fail(err)
			}
		}
		initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
			"-D", p.dir, "-U", pgUser, "--auth=trust", "--encoding=UTF8", "--no-sync")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := initdb.CombinedOutput(); err != nil {
			return fail(fmt.Errorf("initdb %s: %w\n%s(as root it runs as the postgres user, who must be able to enter every directory above it)", p.dir, err, out))
		}
	}

	if p.port, err = freePort(); err != nil {
		return fail(err)
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", p.dir,
		"-p", strconv.Itoa(p.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "fsync=off",
		"-c", "log_min_messages=warning",
	)
	cmd.Stdout, cmd.Stderr = p.tail, p.tail
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		Setpgid:    true,
		// SIGQUIT is PostgreSQL's immediate shutdown: should devstack die,
		// the cluster goes too, and recovers at its next start.
		Pdeathsig: syscall.SIGQUIT,
	}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("starting postgres: %w", err))
	}
	p.cmd = cmd
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()

	if err := p.waitReady(ctx, bin, cfg.timeout); err != nil {
		_ = p.stop(10 * time.Second)
		return nil, err
	}
	createdb := exec.CommandContext(ctx, filepath.Join(bin, "createdb"),
		"-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", pgUser, pgDatabase)
	if out, err := createdb.CombinedOutput(); err != nil && !bytes.Contains(out, []byte("already exists")) {
		_ = p.stop(10 * time.Second)
		return nil, fmt.Errorf("createdb %s: %w\n%s", pgDatabase, err, out)
	}
	log.Info("postgresql ready", "port", p.port, "dir", p.dir, "pid", cmd.Process.Pid)
	return p, nil
}

func (p *postgresProc) waitReady(ctx context.Context, bin string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		check := exec.CommandContext(ctx, filepath.Join(bin, "pg_isready"),
			"-q", "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", pgUser, "-d", "postgres")
		if check.Run() == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("postgres exited before it was ready (%v); last output:\n%s", p.waitErr, p.tail.String())
		case <-ctx.Done():
			return fmt.Errorf("postgres on 127.0.0.1:%d not ready within %v; last output:\n%s", p.port, timeout, p.tail.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop asks for PostgreSQL's fast shutdown (SIGINT), then its immediate one
// (SIGQUIT) after grace, and removes a temporary cluster.
func (p *postgresProc) stop(grace time.Duration) error {
	defer func() {
		if p.tempDir != "" {
			os.RemoveAll(p.tempDir)
		}
	}()
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	_ = p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	return fmt.Errorf("postgres did not stop within %v of SIGINT", grace)
}
