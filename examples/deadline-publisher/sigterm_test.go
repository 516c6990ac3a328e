package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/examples/internal/service"
	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/cloudevents"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// TestSIGTERMMidStreamEveryAcknowledgedEventIsStored runs the
// deadline-publisher binary publishing 3,000 deadlines (-once; it has no
// continuous mode) on a stack of the test's own, sends it SIGTERM
// mid-stream, and checks that every delivery it printed as acknowledged is
// on the topic at the printed partition and offset, with the printed event
// id and key.
func TestSIGTERMMidStreamEveryAcknowledgedEventIsStored(t *testing.T) {
	bin := itest.GoBuild(t, "./examples/deadline-publisher")
	s := itest.Start(t, itest.Options{InMemory: true, Manifest: itest.ManifestPath(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
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
	const cafes = 3000
	ids := make([]string, cafes)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	cmd := exec.Command(bin, "-once", "-date=2025-12-08", "-deadlines="+strings.Join(ids, ","))
	cmd.Env = append(os.Environ(), kafkaconfig.EnvBrokerURL+"="+s.BrokerAddr, registry.EnvURL+"="+s.RegistryURL, "LOG_LEVEL=warn")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var recs []service.Record
	sc := bufio.NewScanner(out)
	signalled := false
	for sc.Scan() {
		var r service.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
		if len(recs) == cafes/5 && !signalled {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Logf("the publisher exited: %v", err) // what it printed is checked below
	case <-time.After(2 * time.Minute):
		t.Fatalf("the publisher did not exit after SIGTERM; stderr:\n%s", stderr.String())
	}
	// -once stopped by a signal reports the interrupted publish as a
	// failure (exit 1); a signal after the last publish exits 0.
	t.Logf("printed %d of %d deliveries; exit code %d; stderr:\n%s", len(recs), cafes, cmd.ProcessState.ExitCode(), lastLines(stderr.String(), 5))
	if !signalled {
		t.Fatalf("the publisher finished before the signal")
	}
	if len(recs) >= cafes {
		t.Errorf("all %d deliveries printed: SIGTERM did not stop the publisher", cafes)
	}

	// Every printed delivery is on the topic, as printed.
	type pos struct {
		p int32
		o int64
	}
	want := map[pos]service.Record{}
	for _, r := range recs {
		if r.Action != "published" || r.Topic != "lunch-bot.deadlines" {
			t.Errorf("record %+v", r)
		}
		want[pos{r.Partition, r.Offset}] = r
	}
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": s.BrokerAddr, "group.id": "sigterm-check", "go.logs.channel.enable": true, "enable.auto.commit": false})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		for range c.Logs() {
		}
	}()
	topic := "lunch-bot.deadlines"
	var tps []kafka.TopicPartition
	for p := int32(0); p < 3; p++ {
		tps = append(tps, kafka.TopicPartition{Topic: &topic, Partition: p, Offset: kafka.OffsetBeginning})
	}
	if err := c.Assign(tps); err != nil {
		t.Fatal(err)
	}
	found := 0
	deadline := time.Now().Add(2 * time.Minute)
	for found < len(want) && time.Now().Before(deadline) {
		m, err := c.ReadMessage(time.Second)
		if err != nil {
			continue
		}
		r, ok := want[pos{m.TopicPartition.Partition, int64(m.TopicPartition.Offset)}]
		if !ok {
			continue // published but not printed: the publish in flight at the signal
		}
		found++
		var id string
		for _, h := range m.Headers {
			if h.Key == cloudevents.HeaderID {
				id = string(h.Value)
			}
		}
		if id != r.EventID.String() || string(m.Key) != r.Key {
			t.Errorf("partition %d offset %d holds event %s key %s; printed %s key %s", m.TopicPartition.Partition, m.TopicPartition.Offset, id, m.Key, r.EventID, r.Key)
		}
	}
	if found != len(want) {
		t.Errorf("%d of the %d printed deliveries found on the topic", found, len(want))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
