package consumer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// childEnv is the environment variable that makes the test binary a
// consumer process (TestHelperConsumer) for the tests that kill one; its
// value is the process's childSpec as JSON.
const childEnv = "EVENTKIT_CONSUMER_CHILD"

// childSpec says what a consumer process consumes and where it records what
// its handlers do.
type childSpec struct {
	Broker, Registry, Topic, Group, Name string
	// Journal is the file it records to (see journal).
	Journal     string
	Concurrency int
	// Each handler call sleeps between MinSleep and MaxSleep, or SlowSleep
	// for an event named slowName.
	MinSleep, MaxSleep time.Duration
	SlowSleep          time.Duration
	CommitInterval     time.Duration
	ShutdownGrace      time.Duration
}

// slowName names the events whose handler call takes childSpec.SlowSleep.
const slowName = "slow"

// childSpec returns the spec of a consumer process of group on the test's
// topic that records to journal.
func (e *env) childSpec(group, name, journal string) childSpec {
	return childSpec{
		Broker: e.broker, Registry: e.regURL, Topic: testContract.Topic, Group: group, Name: name, Journal: journal,
		Concurrency: 16, MinSleep: time.Millisecond, MaxSleep: 4 * time.Millisecond,
		CommitInterval: 250 * time.Millisecond, ShutdownGrace: 10 * time.Second,
	}
}

// TestHelperConsumer is not a test: it is the consumer process the process
// tests start, the test binary run again with childEnv set. It consumes
// the spec's topic with per-key order until SIGTERM, recording in its
// journal each partition assigned and revoked, and each handler call when
// it begins and when it returns (before the consumer counts the message
// done). It exits when its standard input closes (the test process died).
func TestHelperConsumer(t *testing.T) {
	raw := os.Getenv(childEnv)
	if raw == "" {
		t.Skip("the consumer process of the process tests: runs only when they start it")
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(3)
	}()
	if err := runChild(spec); err != nil {
		t.Fatal(err)
	}
}

func runChild(spec childSpec) error {
	j, err := openJournal(spec.Journal)
	if err != nil {
		return err
	}
	defer j.close()
	must := func(r record) {
		if err := j.append(r.String()); err != nil {
			// The test cannot judge what it cannot read: fail loudly.
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
	}
	testContract = &contract.Contract{
		Type: "eventkit.test", Name: "eventkit.test.Event",
		Topic: spec.Topic, Subject: spec.Topic + "-value", KeyField: "id", Schema: testSchema,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg := consumer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: spec.Broker, Properties: map[string]any{
			// kfake's least: a killed member's partitions move on soon.
			"session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
			// Small fetches: every partition's backlog is fetched side by
			// side, not one partition's after the other's.
			"max.partition.fetch.bytes": 16 << 10,
		}},
		Registry:       registry.Config{URLs: []string{spec.Registry}},
		GroupID:        spec.Group,
		Name:           spec.Name,
		Logger:         slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Concurrency:    spec.Concurrency,
		Ordering:       consumer.OrderKey,
		CommitInterval: spec.CommitInterval,
		ShutdownGrace:  spec.ShutdownGrace,
		OnAssign: func(_ context.Context, ps []consumer.Partition) {
			for _, p := range ps {
				must(record{kind: recAssign, part: p.Partition})
			}
		},
		OnRevoke: func(_ context.Context, ps []consumer.Partition) {
			for _, p := range ps {
				must(record{kind: recRevoke, part: p.Partition})
			}
		},
	}
	started := time.Now()
	handler := consumer.Handle(func(_ context.Context, e *testEvent, m consumer.Message) error {
		r := record{kind: recBegin, part: m.Partition, off: m.Offset, key: string(m.Key), at: time.Since(started)}
		must(r)
		// A handler that does not heed its context's end, the worst case
		// for revocations and shutdown.
		if e.Name == slowName {
			time.Sleep(spec.SlowSleep)
		} else {
			time.Sleep(spec.MinSleep + rand.N(spec.MaxSleep-spec.MinSleep+1))
		}
		r.kind, r.at = recEnd, time.Since(started)
		must(r)
		return nil
	})
	c, err := consumer.New(cfg, handler)
	if err != nil {
		return err
	}
	return c.Run(ctx)
}

// child is a consumer process.
type child struct {
	name string
	spec childSpec
	cmd  *exec.Cmd
	out  *lockedBuffer // its standard output and error
	done chan struct{} // closed when it has exited
	err  error         // how it exited, set before done is closed
}

// startChild starts a consumer process of spec. The test's cleanup kills it
// if it still runs, and shows its last output if the test failed.
func startChild(t *testing.T, spec childSpec) *child {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	c := &child{name: spec.Name, spec: spec, out: newLockedBuffer(), done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestHelperConsumer$", "-test.count=1")
	c.cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	// Its standard input closes when this process dies, however it dies:
	// the child then exits too.
	stdin, err := c.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		_ = stdin.Close()
		if t.Failed() {
			t.Logf("%s's last output:\n%s", c.name, tailOf(c.out.String(), 40))
		}
	})
	return c
}

// kill kills the process with SIGKILL, as a crash would, and waits until it
// is gone.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatalf("killing %s: %v", c.name, err)
	}
	<-c.done
	c.checkRaces(t)
}

// stop sends the process SIGTERM and fails t unless it exits 0 in time.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signalling %s: %v", c.name, err)
	}
	select {
	case <-c.done:
	case <-time.After(waitLimit):
		t.Fatalf("%s did not exit within %v of SIGTERM", c.name, waitLimit)
	}
	if c.err != nil {
		t.Errorf("%s exited with %v after SIGTERM, want 0", c.name, c.err)
	}
	c.checkRaces(t)
}

// exited reports whether the process has exited (it should not have).
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// checkRaces fails t if the race detector reported a race in the process.
func (c *child) checkRaces(t *testing.T) {
	t.Helper()
	out := c.out.String()
	if i := strings.Index(out, "WARNING: DATA RACE"); i >= 0 {
		t.Errorf("%s: the race detector found a data race:\n%s", c.name, out[i:])
	}
}

// records returns the process's journal.
func (c *child) records(t *testing.T) []record {
	t.Helper()
	return readJournal(t, c.spec.Journal)
}

// waitFor polls cond until it holds, and fails t if it does not within
// waitLimit or if one of the processes exited meanwhile.
func waitFor(t *testing.T, what string, cond func() bool, procs ...*child) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		for _, c := range procs {
			if c.exited() {
				t.Fatalf("%s exited (%v) while waiting for %s", c.name, c.err, what)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, waitLimit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
