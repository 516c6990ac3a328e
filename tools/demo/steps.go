package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lunchbot/eventkit/internal/childproc"
)

// registryPkg is the schema registry's main package, a go tool of the
// tools/devstack module.
const registryPkg = "github.com/axonops/axonops-schema-registry/cmd/schema-registry"

// mainBinaries are the main module's programs the demo runs.
var mainBinaries = []string{"./tools/eventctl", "./examples/deadline-publisher", "./examples/notifications-worker", "./examples/recommendations-worker"}

// build builds the main module's programs into bin/ and devstack into
// tools/devstack/bin/, both at once.
func (d *demo) build(ctx context.Context) error {
	d.heading("Build the binaries (go build: the first build compiles librdkafka, the broker and the registry, 2-3 minutes; later ones relink nothing)")
	devstackDir := filepath.Join(d.root, "tools", "devstack")
	var (
		wg   sync.WaitGroup
		errs = make([]error, 2)
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		args := append([]string{"build", "-o", d.rel(d.bin("")) + string(filepath.Separator)}, mainBinaries...)
		errs[0] = d.goBuild(ctx, d.root, "bin/: eventctl and the three example services", args)
	}()
	go func() {
		defer wg.Done()
		binDir := filepath.Join(devstackDir, "bin")
		if err := os.MkdirAll(binDir, 0o755); err != nil {
			errs[1] = err
			return
		}
		// internal/itest builds the same binaries under the same lock.
		unlock, err := lockFile(filepath.Join(binDir, ".build.lock"))
		if err != nil {
			errs[1] = fmt.Errorf("locking %s: %w", binDir, err)
			return
		}
		defer unlock()
		// -mod=readonly: a -mod in GOFLAGS meant for the main module must
		// not apply to this one.
		errs[1] = d.goBuild(ctx, devstackDir, "tools/devstack/bin/: devstack (kfake broker) and schema-registry (axonops)",
			[]string{"build", "-mod=readonly", "-o", "bin" + string(filepath.Separator), ".", registryPkg})
	}()
	wg.Wait()
	return errors.Join(errs...)
}

// goBuild runs go with args in dir and reports how long it took.
func (d *demo) goBuild(ctx context.Context, dir, what string, args []string) error {
	begin := time.Now()
	var out bytes.Buffer
	cmd := exec.Command(d.opts.goCmd, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &out, &out
	// SIGKILL for the whole group: the go command and its compilers; the
	// build cache is written atomically.
	if err := d.runChild(ctx, "go build", cmd, syscall.SIGKILL, 0); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("cd %s && %s %s: %w\n%s", d.rel(dir), d.opts.goCmd, strings.Join(args, " "), err, out.String())
	}
	d.indented(fmt.Sprintf("%s (%.1fs)", what, time.Since(begin).Seconds()))
	return nil
}

// runChild starts cmd detached and waits for it; when ctx ends first, it
// stops it (SIGTERM to its group, SIGKILL after grace) and returns ctx's
// cause.
func (d *demo) runChild(ctx context.Context, name string, cmd *exec.Cmd, deathSig syscall.Signal, grace time.Duration) error {
	c, err := start(name, cmd, deathSig)
	if err != nil {
		return err
	}
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		_ = c.stop(grace, d.hurry)
		return context.Cause(ctx)
	}
}

// portOrFree returns port if it is free on 127.0.0.1, else 0 (devstack then
// picks a free one), printing why.
func (d *demo) portOrFree(what string, port int) int {
	if port == 0 {
		return 0
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		d.indented(fmt.Sprintf("port %d is taken (another %s? make dev-down stops one started by make dev-up): using a free port", port, what))
		return 0
	}
	_ = l.Close()
	return port
}

// startStack starts devstack and waits until the broker and the registry
// answer. A preferred port taken in the meantime makes it retry on free
// ports.
func (d *demo) startStack(ctx context.Context) error {
	d.heading("Start Kafka and the schema registry (tools/devstack/bin/devstack run)")
	begin := time.Now()
	kafkaPort := d.portOrFree("Kafka broker", d.opts.kafkaPort)
	registryPort := d.portOrFree("schema registry", d.opts.registryPort)
	err := d.launchStack(ctx, kafkaPort, registryPort)
	if err != nil && ctx.Err() == nil && (kafkaPort != 0 || registryPort != 0) && strings.Contains(d.stackTail.String(), "is taken") {
		d.indented("a port was taken just now: retrying on free ports")
		err = d.launchStack(ctx, 0, 0)
	}
	if err != nil {
		return err
	}
	d.indented(fmt.Sprintf("KAFKA_BROKER_URL=%s", d.brokerURL))
	d.indented(fmt.Sprintf("SCHEMA_REGISTRY_URL=%s", d.registryURL))
	d.indented(fmt.Sprintf("ready in %.1fs (devstack pid %d, registry pid %d)", time.Since(begin).Seconds(), d.stack.cmd.Process.Pid, d.registryPID))
	return nil
}

// launchStack runs devstack on the given ports (0: a free one) and waits
// for its ready line.
func (d *demo) launchStack(ctx context.Context, kafkaPort, registryPort int) error {
	args := []string{"run", "-exit-on-stdin-close", "-log-level=warn",
		"-manifest", filepath.Join("avro", "manifest.json"),
		"-kafka-port", strconv.Itoa(kafkaPort), "-registry-port", strconv.Itoa(registryPort)}
	cmd := exec.Command(filepath.Join(d.root, "tools", "devstack", "bin", "devstack"), args...)
	cmd.Dir = d.root
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	d.stackTail = childproc.NewTail(60)
	onLine, ready := childproc.WatchReady()
	cmd.Stdout = d.stackTail.Stream(onLine)
	cmd.Stderr = d.stackTail.Stream(nil)
	cmd.WaitDelay = 5 * time.Second
	// SIGTERM when the demo dies: devstack then stops the registry.
	c, err := start("devstack", cmd, syscall.SIGTERM)
	if err != nil {
		_ = stdin.Close()
		return err
	}
	d.stack, d.stackStdin = c, stdin

	timeout := time.NewTimer(2 * time.Minute)
	defer timeout.Stop()
	select {
	case kv := <-ready:
		d.brokerURL, d.registryURL = kv["KAFKA_BROKER_URL"], kv["SCHEMA_REGISTRY_URL"]
		d.registryPID, _ = strconv.Atoi(kv["REGISTRY_PID"])
		if d.brokerURL == "" || d.registryURL == "" {
			return fmt.Errorf("devstack's ready line lacks an address: %v", kv)
		}
		return nil
	case <-c.done:
		d.stack = nil
		return fmt.Errorf("devstack %s exited before it was ready (%w); its last output:\n%s", strings.Join(args, " "), c.err, d.stackTail)
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-timeout.C:
		return fmt.Errorf("devstack was not ready within 2 minutes; its last output:\n%s", d.stackTail)
	}
}

// stopStack stops devstack (which stops the registry first) and checks
// that neither process is left.
func (d *demo) stopStack() error {
	if d.stack == nil {
		return nil
	}
	c := d.stack
	d.stack = nil
	_ = d.stackStdin.Close()
	err := c.stop(30*time.Second, d.hurry)
	if err != nil {
		err = fmt.Errorf("devstack: %w; its last output:\n%s", err, d.stackTail)
	}
	gone, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if d.registryPID > 0 && childproc.WaitGone(gone, d.registryPID) != nil {
		_ = syscall.Kill(d.registryPID, syscall.SIGKILL)
		return errors.Join(err, fmt.Errorf("the schema registry (pid %d) outlived devstack and was killed", d.registryPID))
	}
	if err != nil {
		return err
	}
	d.indented(fmt.Sprintf("devstack (pid %d) and the registry (pid %d) stopped; no process left", c.cmd.Process.Pid, d.registryPID))
	return nil
}

// serviceEnv is the demo's environment for the services: the stack's
// addresses, and none of the caller's Kafka, registry or publisher
// settings (which may point at a real cluster).
func (d *demo) serviceEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "KAFKA_"), strings.HasPrefix(k, "SCHEMA_REGISTRY_"),
			k == "CAFE_DEADLINES", k == "DAILY_TASKS", k == "SCHEDULE_TZ", k == "LOG_LEVEL", k == "LOG_FORMAT":
			continue
		}
		env = append(env, kv)
	}
	level := "warn"
	if d.opts.verbose {
		level = "info"
	}
	env = append(env, "KAFKA_BROKER_URL="+d.brokerURL, "SCHEMA_REGISTRY_URL="+d.registryURL, "LOG_LEVEL="+level)
	return append(env, extra...)
}

// register registers the manifest's schemas with eventctl.
func (d *demo) register(ctx context.Context) error {
	args := []string{"register", "--manifest", filepath.Join("avro", "manifest.json"), "--registry", d.registryURL}
	d.heading("Register the schemas (bin/eventctl %s)", strings.Join(args, " "))
	cmd := exec.Command(d.bin("eventctl"), args...)
	cmd.Dir = d.root
	cmd.Env = d.serviceEnv()
	lines := childproc.NewLineWriter(d.indented)
	cmd.Stdout, cmd.Stderr = lines, lines
	err := d.runChild(ctx, "eventctl register", cmd, syscall.SIGTERM, 10*time.Second)
	lines.Flush()
	if err != nil {
		return fmt.Errorf("eventctl register: %w", err)
	}
	return nil
}

// publish runs the example publisher once.
func (d *demo) publish(ctx context.Context) error {
	args := []string{"-once"}
	if len(d.cafes) > 0 {
		args = append(args, "-deadlines", strings.Join(d.cafes, ","))
	}
	if len(d.tasks) > 0 {
		args = append(args, "-tasks", strings.Join(d.tasks, ","))
	}
	if d.opts.date != "" {
		args = append(args, "-date", d.opts.date)
	}
	d.heading("Publish with the API service's role (bin/deadline-publisher %s)", strings.Join(args, " "))
	args = append(args, "-metrics-file", d.metricsFile("deadline-publisher"))
	cmd := exec.Command(d.bin("deadline-publisher"), args...)
	cmd.Dir = d.root
	cmd.Env = d.serviceEnv()
	var bad []string
	out := childproc.NewLineWriter(func(line string) {
		if err := checkRecord(line); err != nil {
			bad = append(bad, fmt.Sprintf("%q: %v", line, err))
			d.indented(line)
			return
		}
		d.published++
		d.printf("%s\n", line)
	})
	cmd.Stdout = out
	errLines := childproc.NewLineWriter(d.indented)
	cmd.Stderr = errLines
	err := d.runChild(ctx, "deadline-publisher", cmd, syscall.SIGTERM, 10*time.Second)
	out.Flush()
	errLines.Flush()
	if err != nil {
		return fmt.Errorf("deadline-publisher: %w", err)
	}
	if want := len(d.cafes) + len(d.tasks); d.published != want || len(bad) > 0 {
		return fmt.Errorf("deadline-publisher printed %d records of %d events; bad lines: %v", d.published, want, bad)
	}
	return nil
}

// consume runs both workers until each has handled the events published
// for it.
func (d *demo) consume(ctx context.Context) error {
	idle := d.opts.idleTimeout.String()
	type worker struct {
		name  string
		group string
		want  int
		got   int
		bad   []string
	}
	workers := []*worker{
		{name: "notifications-worker", group: "notifications", want: len(d.cafes)},
		{name: "recommendations-worker", group: "recommendations", want: len(d.tasks)},
	}
	var names []string
	for _, w := range workers {
		if w.want > 0 {
			names = append(names, fmt.Sprintf("bin/%s -max %d", w.name, w.want))
		}
	}
	d.heading("Consume with the workers, each event as a JSON line (%s)", strings.Join(names, ", "))
	var (
		children []*child
		outs     []*childproc.LineWriter
		mu       sync.Mutex
	)
	for _, w := range workers {
		if w.want == 0 {
			continue
		}
		cmd := exec.Command(d.bin(w.name), "-max", strconv.Itoa(w.want), "-idle-timeout", idle, "-metrics-file", d.metricsFile(w.name))
		cmd.Dir = d.root
		cmd.Env = d.serviceEnv("KAFKA_GROUP_ID=" + w.group)
		out := childproc.NewLineWriter(func(line string) {
			mu.Lock()
			defer mu.Unlock()
			if err := checkRecord(line); err != nil {
				w.bad = append(w.bad, fmt.Sprintf("%q: %v", line, err))
				d.indented(line)
				return
			}
			w.got++
			d.printf("%s\n", line)
		})
		errLines := childproc.NewLineWriter(d.indented)
		cmd.Stdout, cmd.Stderr = out, errLines
		outs = append(outs, out, errLines)
		c, err := start(w.name, cmd, syscall.SIGTERM)
		if err != nil {
			return err
		}
		children = append(children, c)
		d.workers = append(d.workers, c)
	}
	var errs []error
	for _, c := range children {
		select {
		case <-c.done:
		case <-ctx.Done():
			return context.Cause(ctx) // cleanup stops the workers
		}
		if c.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.name, c.err))
		}
	}
	for _, o := range outs {
		o.Flush()
	}
	mu.Lock()
	defer mu.Unlock()
	for _, w := range workers {
		d.consumed += w.got
		if w.got != w.want || len(w.bad) > 0 {
			errs = append(errs, fmt.Errorf("%s printed %d records of %d events; bad lines: %v", w.name, w.got, w.want, w.bad))
		}
	}
	return errors.Join(errs...)
}

// checkRecord checks that a line is an event record: JSON with a topic,
// a partition, an offset and a schema id.
func checkRecord(line string) error {
	var r struct {
		Topic     string `json:"topic"`
		Partition *int32 `json:"partition"`
		Offset    *int64 `json:"offset"`
		SchemaID  int    `json:"schema_id"`
	}
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		return err
	}
	switch {
	case r.Topic == "":
		return errors.New("no topic")
	case r.Partition == nil || *r.Partition < 0:
		return errors.New("no partition")
	case r.Offset == nil || *r.Offset < 0:
		return errors.New("no offset")
	case r.SchemaID <= 0:
		return errors.New("no schema id")
	}
	return nil
}
