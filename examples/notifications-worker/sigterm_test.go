package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/events/lunchbot"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// workerProc is the notifications-worker binary running.
type workerProc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	mu     sync.Mutex
	recs   []service.Record
	lines  chan struct{} // a token per record printed
	done   chan error
}

func startWorker(t *testing.T, bin string, env []string, args ...string) *workerProc {
	t.Helper()
	w := &workerProc{cmd: exec.Command(bin, args...), lines: make(chan struct{}, 1<<16), done: make(chan error, 1)}
	w.cmd.Env = env
	w.cmd.Stderr = &w.stderr
	out, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var r service.Record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				continue
			}
			w.mu.Lock()
			w.recs = append(w.recs, r)
			w.mu.Unlock()
			w.lines <- struct{}{}
		}
		w.done <- w.cmd.Wait()
	}()
	return w
}

// wait waits for the process to exit and returns its exit code.
func (w *workerProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-w.done:
		t.Logf("the worker exited: %v", err)
	case <-time.After(2 * waitLimit):
		t.Fatalf("the worker did not exit; its stderr:\n%s", w.stderr.String())
	}
	return w.cmd.ProcessState.ExitCode()
}

func (w *workerProc) records() []service.Record {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]service.Record(nil), w.recs...)
}

// TestSIGTERMMidStreamLosesNothing runs the notifications-worker binary on
// a stack of the test's own while events are being published, sends it
// SIGTERM mid-stream, and checks that it exits 0 having committed the
// offset of every message it printed as handled and nothing beyond; run
// again with the same group, it continues from the committed offsets: per
// partition, the two runs together handled every offset exactly once.
func TestSIGTERMMidStreamLosesNothing(t *testing.T) {
	bin := itest.GoBuild(t, "./examples/notifications-worker")
	s := itest.Start(t, itest.Options{InMemory: true, Manifest: itest.ManifestPath(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*waitLimit)
	defer cancel()
	reg, err := registry.New(registry.Config{URLs: []string{s.RegistryURL}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range events.Contracts() {
		if _, err := reg.Register(ctx, c.Subject, c.Schema); err != nil {
			t.Fatal(err)
		}
	}
	const group = "notifications-sigterm"
	env := append(os.Environ(), kafkaconfig.EnvBrokerURL+"="+s.BrokerAddr, registry.EnvURL+"="+s.RegistryURL,
		"KAFKA_GROUP_ID="+group, "LOG_LEVEL=warn")

	// Publish 3,000 events (distinct cafes) in the background.
	const total = 3000
	pub, err := lunchbot.New(ctx, producer.Config{Kafka: kafkaconfig.Config{BootstrapServers: s.BrokerAddr}, Registry: registry.Config{URLs: []string{s.RegistryURL}}})
	if err != nil {
		t.Fatal(err)
	}
	published := make(chan error, 1)
	go func() {
		defer close(published)
		for i := 1; i <= total; i++ {
			if _, err := pub.Producer().Publish(ctx, lunchbot.DeadlinePassed(int64(i), dec8)); err != nil {
				published <- err
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()

	w1 := startWorker(t, bin, env)
	for range total / 5 {
		select {
		case <-w1.lines:
		case <-time.After(waitLimit):
			t.Fatalf("the worker printed %d records; stderr:\n%s", len(w1.records()), w1.stderr.String())
		}
	}
	if err := w1.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := w1.wait(t); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0; stderr:\n%s", code, w1.stderr.String())
	}
	run1 := w1.records()
	committed := committedOffsets(t, s.BrokerAddr, group)
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("first run handled %d events before SIGTERM; committed %v", len(run1), committed)

	byPart1 := offsetsByPartition(t, run1)
	// The worker handles cafes concurrently: a partition's committed offset
	// is its lowest unfinished one, and every offset below it was handled.
	for p, upTo := range committed {
		handled := map[int64]bool{}
		for _, o := range byPart1[p] {
			handled[o] = true
		}
		for o := int64(0); o < upTo; o++ {
			if !handled[o] {
				t.Errorf("partition %d: committed %d, but offset %d was not handled", p, upTo, o)
			}
		}
	}

	w2 := startWorker(t, bin, env, "-idle-timeout=10s")
	if code := w2.wait(t); code != 0 {
		t.Errorf("second run: exit code %d, want 0; stderr:\n%s", code, w2.stderr.String())
	}
	run2 := w2.records()
	byPart2 := offsetsByPartition(t, run2)
	t.Logf("second run handled %d events", len(run2))
	high := highWatermarks(t, s.BrokerAddr)
	var sum int64
	for p, h := range high {
		sum += h
		seen := map[int64]int{}
		for _, o := range byPart1[p] {
			seen[o]++
		}
		for _, o := range byPart2[p] {
			seen[o]++
		}
		for _, o := range byPart2[p] {
			if o < committed[p] {
				t.Errorf("partition %d: the second run handled offset %d, below the committed %d", p, o, committed[p])
			}
		}
		for o := int64(0); o < h; o++ {
			if seen[o] != 1 {
				t.Errorf("partition %d offset %d handled %d times across the runs, want once", p, o, seen[o])
			}
		}
	}
	if sum != total {
		t.Errorf("the topic holds %d messages, want %d", sum, total)
	}
}

// offsetsByPartition returns the printed offsets of each partition, in the
// order printed, and fails t unless each cafe's (each key's) come in
// increasing order: the worker handles cafes concurrently, one cafe's
// events in order.
func offsetsByPartition(t *testing.T, recs []service.Record) map[int32][]int64 {
	t.Helper()
	out := map[int32][]int64{}
	last := map[string]int64{}
	for _, r := range recs {
		out[r.Partition] = append(out[r.Partition], r.Offset)
		if prev, ok := last[r.Key]; ok && r.Offset <= prev {
			t.Errorf("cafe %s: offset %d printed after %d", r.Key, r.Offset, prev)
		}
		last[r.Key] = r.Offset
	}
	return out
}

const deadlinesTopic = "lunch-bot.deadlines"

func partitions(t *testing.T, c *kafka.Consumer) []kafka.TopicPartition {
	t.Helper()
	topic := deadlinesTopic
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var tps []kafka.TopicPartition
	for _, p := range md.Topics[topic].Partitions {
		tps = append(tps, kafka.TopicPartition{Topic: &topic, Partition: p.ID})
	}
	sort.Slice(tps, func(i, j int) bool { return tps[i].Partition < tps[j].Partition })
	return tps
}

func adminConsumer(t *testing.T, broker, group string) *kafka.Consumer {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": broker, "group.id": group, "go.logs.channel.enable": true})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range c.Logs() {
		}
	}()
	return c
}

func committedOffsets(t *testing.T, broker, group string) map[int32]int64 {
	t.Helper()
	c := adminConsumer(t, broker, group)
	defer c.Close()
	got, err := c.Committed(partitions(t, c), 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	for _, tp := range got {
		out[tp.Partition] = int64(tp.Offset)
	}
	return out
}

func highWatermarks(t *testing.T, broker string) map[int32]int64 {
	t.Helper()
	c := adminConsumer(t, broker, "watermarks")
	defer c.Close()
	out := map[int32]int64{}
	for _, tp := range partitions(t, c) {
		_, h, err := c.QueryWatermarkOffsets(deadlinesTopic, tp.Partition, 10000)
		if err != nil {
			t.Fatal(err)
		}
		out[tp.Partition] = h
	}
	return out
}
