// Command demo runs eventkit end to end on this machine, for "make demo":
// it builds the example services, eventctl and tools/devstack, starts a
// Kafka broker and a schema registry (devstack, on 127.0.0.1:9092 and :8081,
// or on free ports when those are taken), registers the schemas of
// avro/manifest.json with eventctl register, publishes deadline.passed and
// daily_task events with examples/deadline-publisher, consumes them with
// examples/notifications-worker and examples/recommendations-worker, which
// print each event they handled as a JSON line (topic, partition, offset,
// schema id, headers, event), and stops the stack.
//
// It leaves no process behind: its children run in process groups of their
// own and get a parent-death signal, and SIGINT (Ctrl-C), SIGTERM or SIGHUP
// stop them in order (a second signal kills them). Binaries go to bin/ and
// tools/devstack/bin/, both ignored by git; go build relinks only what
// changed, so later runs skip the build.
//
// Usage (from the repository root):
//
//	go build -o bin/demo ./tools/demo && bin/demo [flags]
//
// Exit status: 0 when every event published was consumed and everything
// stopped cleanly, 1 on a failure, 2 on bad flags, 130 when interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lunchbot/eventkit/internal/childproc"
)

// options are the demo's flags.
type options struct {
	goCmd        string
	verbose      bool
	cafes        string
	tasks        string
	date         string
	kafkaPort    int
	registryPort int
	idleTimeout  time.Duration
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.goCmd, "go", "go", "the go `command` that builds the binaries")
	fs.BoolVar(&o.verbose, "v", false, "show the services' info logs (default: warnings and errors only)")
	fs.StringVar(&o.cafes, "cafes", "1,2,3", "cafes whose deadline.passed the publisher publishes")
	fs.StringVar(&o.tasks, "tasks", "generate_recommendations,send_order_reminders", "daily tasks the publisher publishes (the recommendations worker runs generate_recommendations and ignores the others)")
	fs.StringVar(&o.date, "date", "", "ordering day of the deadlines, YYYY-MM-DD (default: today)")
	fs.IntVar(&o.kafkaPort, "kafka-port", 9092, "preferred Kafka port; a free one is used when it is taken")
	fs.IntVar(&o.registryPort, "registry-port", 8081, "preferred schema registry port; a free one is used when it is taken")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", time.Minute, "how long a worker may wait for its next event before the demo fails")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected arguments %q\n", fs.Args())
		return 2
	}
	cafes, tasks := splitList(o.cafes), splitList(o.tasks)
	if len(cafes) == 0 && len(tasks) == 0 {
		fmt.Fprintln(stderr, "demo: nothing to publish: -cafes and -tasks are both empty")
		return 2
	}
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return 2
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	hurry := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		s := <-sigs
		cancel(fmt.Errorf("%w: %v", errInterrupted, s))
		<-sigs
		close(hurry)
	}()

	metricsDir, err := os.MkdirTemp("", "eventkit-demo-metrics-")
	if err != nil {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return 1
	}
	defer os.RemoveAll(metricsDir)
	d := &demo{opts: o, root: root, out: stdout, errOut: stderr, hurry: hurry, cafes: cafes, tasks: tasks, metricsDir: metricsDir}
	begin := time.Now()
	err = d.run(ctx)
	if cerr := d.cleanup(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(context.Cause(ctx), errInterrupted):
		d.printf("\ndemo: %v: stopped everything it had started\n", context.Cause(ctx))
		return 130
	case err != nil:
		d.printf("\ndemo failed: %v\n", err)
		return 1
	}
	d.printf("\nDone in %.1fs: %d events published, %d consumed and printed; the stack is stopped.\n",
		time.Since(begin).Seconds(), d.published, d.consumed)
	d.printf("To run the stack yourself: make dev-up, then set -a; . .devstack/env; set +a (make dev-down stops it).\n")
	return 0
}

// errInterrupted is the cause of the demo's context when a signal ended it.
var errInterrupted = errors.New("interrupted")

// demo is the state of one run.
type demo struct {
	opts         options
	root         string
	out, errOut  io.Writer
	hurry        <-chan struct{}
	cafes, tasks []string

	mu   sync.Mutex // serializes printing
	step int

	stack       *child
	stackStdin  io.Closer
	brokerURL   string
	registryURL string
	stackTail   *childproc.Tail
	registryPID int
	workers     []*child

	published, consumed int
	// metricsDir holds the files the services write their metrics to.
	metricsDir string
}

// steps is the number of steps run prints.
const steps = 7

func (d *demo) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.out, format, args...)
}

// heading prints the next step's heading.
func (d *demo) heading(format string, args ...any) {
	d.step++
	d.printf("\n[%d/%d] %s\n", d.step, steps, fmt.Sprintf(format, args...))
}

// indented prints a line of a command's output under its heading.
func (d *demo) indented(line string) { d.printf("    %s\n", line) }

func (d *demo) bin(name string) string { return filepath.Join(d.root, "bin", name) }

// rel returns path relative to the repository root, for messages.
func (d *demo) rel(path string) string {
	if r, err := filepath.Rel(d.root, path); err == nil {
		return r
	}
	return path
}

// run runs the steps; cleanup stops what a failed or interrupted run left.
func (d *demo) run(ctx context.Context) error {
	if err := d.build(ctx); err != nil {
		return err
	}
	if err := d.startStack(ctx); err != nil {
		return err
	}
	if err := d.register(ctx); err != nil {
		return err
	}
	if err := d.publish(ctx); err != nil {
		return err
	}
	if err := d.consume(ctx); err != nil {
		return err
	}
	if err := d.summarize(); err != nil {
		return err
	}
	d.heading("Stop the stack")
	return d.stopStack()
}

// cleanup stops the workers and the stack if they still run.
func (d *demo) cleanup() error {
	var errs []error
	for _, w := range d.workers {
		if !w.exited() {
			if err := w.stop(10*time.Second, d.hurry); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if d.stack != nil {
		if err := d.stopStack(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// repoRoot walks up from the working directory to the repository root.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if isFile(filepath.Join(dir, "avro", "manifest.json")) && isFile(filepath.Join(dir, "tools", "devstack", "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run it inside the eventkit repository (no avro/manifest.json and tools/devstack/go.mod above %s)", wd)
		}
		dir = parent
	}
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
