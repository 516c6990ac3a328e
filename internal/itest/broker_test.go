package itest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/childproc"
)

func produce(t *testing.T, broker, topic string, recs []record) {
	t.Helper()
	p, err := kafka.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers":  broker,
		"acks":               "all",
		"enable.idempotence": true,
		"log_level":          3,
	})
	if err != nil {
		t.Fatalf("NewProducer: %v", err)
	}
	defer p.Close()
	deliveries := make(chan kafka.Event, len(recs))
	for _, r := range recs {
		msg := &kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
			Key:            []byte(r.Key),
			Value:          []byte(r.Value),
		}
		for k, v := range r.Headers {
			msg.Headers = append(msg.Headers, kafka.Header{Key: k, Value: []byte(v)})
		}
		if err := p.Produce(msg, deliveries); err != nil {
			t.Fatalf("Produce: %v", err)
		}
	}
	timeout := time.After(waitLimit)
	for range recs {
		select {
		case e := <-deliveries:
			m, ok := e.(*kafka.Message)
			if !ok {
				t.Fatalf("delivery event %T: %v", e, e)
			}
			if m.TopicPartition.Error != nil {
				t.Fatalf("delivery to %s: %v", broker, m.TopicPartition.Error)
			}
		case <-timeout:
			t.Fatalf("no delivery report from %s within %v", broker, waitLimit)
		}
	}
}

// consume reads n records of topic from the beginning with a new consumer
// group, giving up after waitLimit.
func consume(t *testing.T, broker, topic string, n int) []record {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers":  broker,
		"group.id":           topic + ".group",
		"auto.offset.reset":  "earliest",
		"enable.auto.commit": false,
		"log_level":          3,
	})
	if err != nil {
		t.Fatalf("NewConsumer: %v", err)
	}
	defer c.Close()
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	var got []record
	deadline := time.Now().Add(waitLimit)
	for len(got) < n && time.Now().Before(deadline) {
		m, err := c.ReadMessage(time.Second)
		if err != nil {
			var kerr kafka.Error
			if errors.As(err, &kerr) && kerr.IsTimeout() {
				continue
			}
			t.Fatalf("ReadMessage: %v", err)
		}
		r := record{Key: string(m.Key), Value: string(m.Value)}
		for _, h := range m.Headers {
			if r.Headers == nil {
				r.Headers = make(map[string]string)
			}
			r.Headers[h.Key] = string(h.Value)
		}
		got = append(got, r)
	}
	return got
}

func TestProduceConsumeThroughLibrdkafka(t *testing.T) {
	broker := Broker(t)
	topic := Topic(t, "itest.roundtrip")
	// One key: one partition, so the order is the produce order.
	want := []record{
		{Key: "cafe-42", Value: "first", Headers: map[string]string{"event-type": "deadline.passed"}},
		{Key: "cafe-42", Value: "second"},
		{Key: "cafe-42", Value: "third", Headers: map[string]string{"a": "1", "b": "2"}},
	}
	produce(t, broker, topic, want)
	got := consume(t, broker, topic, len(want))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("consumed records differ from produced (-want +got):\n%s", diff)
	}
}

// metadataTopics lists the broker's topics and their partition counts
// through librdkafka's admin client.
func metadataTopics(t *testing.T, broker string) map[string]int {
	t.Helper()
	a, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": broker, "log_level": 3})
	if err != nil {
		t.Fatalf("NewAdminClient: %v", err)
	}
	defer a.Close()
	md, err := a.GetMetadata(nil, true, int(waitLimit/time.Millisecond))
	if err != nil {
		t.Fatalf("GetMetadata from %s: %v", broker, err)
	}
	topics := make(map[string]int)
	for name, tm := range md.Topics {
		topics[name] = len(tm.Partitions)
	}
	return topics
}

// createTopic creates a topic through librdkafka's admin client.
func createTopic(t *testing.T, broker, topic string, partitions int) {
	t.Helper()
	a, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": broker, "log_level": 3})
	if err != nil {
		t.Fatalf("NewAdminClient: %v", err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	res, err := a.CreateTopics(ctx, []kafka.TopicSpecification{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}})
	if err != nil {
		t.Fatalf("CreateTopics %s: %v", topic, err)
	}
	for _, r := range res {
		if r.Error.Code() != kafka.ErrNoError {
			t.Fatalf("CreateTopics %s: %v", r.Topic, r.Error)
		}
	}
}

func TestRestartKeepsBrokerData(t *testing.T) {
	s := Start(t, Options{})
	if s.DataDir == "" {
		t.Fatal("Start without InMemory gave no DataDir")
	}
	topic := Topic(t, "itest.restart")
	want := []record{{Key: "cafe-7", Value: "before restart"}}
	produce(t, s.BrokerAddr, topic, want)

	broker, registry := s.BrokerAddr, s.RegistryURL
	pidBefore := s.p.cmd.Process.Pid
	s.Restart()
	if s.p.cmd.Process.Pid == pidBefore {
		t.Fatalf("Restart kept devstack pid %d; it did not restart", pidBefore)
	}
	if s.BrokerAddr != broker || s.RegistryURL != registry {
		t.Fatalf("addresses changed across Restart: %s %s -> %s %s", broker, registry, s.BrokerAddr, s.RegistryURL)
	}
	if diff := cmp.Diff(want, consume(t, s.BrokerAddr, topic, len(want))); diff != "" {
		t.Errorf("records after restart (-produced +consumed):\n%s", diff)
	}
	var subjects []string
	if code := registryDo(t, http.MethodGet, s.RegistryURL+"/subjects", nil, &subjects); code != http.StatusOK {
		t.Errorf("registry after restart: GET /subjects status %d", code)
	}
}

// A crash (SIGKILL to devstack, which takes the registry and PostgreSQL
// with it) keeps what the broker acknowledged and what the registry stored.
// The topic is created explicitly: kfake persists a topic that a metadata
// request auto-creates only at a clean stop, so a crash loses it.
func TestKillThenRestartKeepsAckedData(t *testing.T) {
	s := Start(t, Options{RegistryPostgres: true})
	topic := Topic(t, "itest.crash")
	createTopic(t, s.BrokerAddr, topic, 1)
	want := []record{{Key: "cafe-9", Value: "acked before the crash"}}
	produce(t, s.BrokerAddr, topic, want)
	id := registerSchema(t, s.RegistryURL, topic+"-value", smallSchema)
	registryPID, postgresPID := s.p.registryPID, s.p.postgresPID
	if postgresPID <= 0 {
		t.Fatalf("devstack reported no POSTGRES_PID with RegistryPostgres")
	}

	s.Kill()
	for name, pid := range map[string]int{"schema registry": registryPID, "postgres": postgresPID} {
		if childproc.PIDAlive(pid) {
			t.Errorf("%s (pid %d) survived the SIGKILL of devstack", name, pid)
		}
	}
	s.Restart()
	if diff := cmp.Diff(want, consume(t, s.BrokerAddr, topic, len(want))); diff != "" {
		t.Errorf("records after crash and restart (-produced +consumed):\n%s", diff)
	}
	if code, _ := schemaByID(t, s.RegistryURL, id); code != http.StatusOK {
		t.Errorf("after crash and restart: GET /schemas/ids/%d status %d; want 200", id, code)
	}
}

func TestKcatSeesManifestTopicsAndRoundTrips(t *testing.T) {
	kcat, err := execLookPath("kcat")
	if err != nil {
		t.Fatalf("kcat is not installed (.ci/run installs Debian's kcat): %v", err)
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(root, "avro", "manifest.json")
	wantTopics := manifestTopicNames(t, manifest)
	s := Start(t, Options{InMemory: true, Manifest: manifest, Partitions: 2})

	out := run(t, nil, kcat, "-b", s.BrokerAddr, "-L", "-J", "-m", "30")
	var md struct {
		Brokers []struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		} `json:"brokers"`
		Topics []struct {
			Topic      string            `json:"topic"`
			Partitions []json.RawMessage `json:"partitions"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(out, &md); err != nil {
		t.Fatalf("kcat -L -J output %q: %v", out, err)
	}
	if len(md.Brokers) != 1 || md.Brokers[0].Name != s.BrokerAddr {
		t.Errorf("kcat -L brokers = %+v; want one broker named %s", md.Brokers, s.BrokerAddr)
	}
	got := make(map[string]int)
	for _, tp := range md.Topics {
		got[tp.Topic] = len(tp.Partitions)
	}
	want := make(map[string]int)
	for _, tp := range wantTopics {
		want[tp] = 2
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kcat -L topics (-manifest's +listed):\n%s", diff)
	}

	topic := Topic(t, "itest.kcat")
	run(t, strings.NewReader("cafe-1:hello\ncafe-2:world\n"), kcat, "-b", s.BrokerAddr, "-P", "-t", topic, "-K:", "-p", "0")
	consumed := run(t, nil, kcat, "-b", s.BrokerAddr, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k=%s\n")
	if diff := cmp.Diff("cafe-1=hello\ncafe-2=world\n", string(consumed)); diff != "" {
		t.Errorf("kcat consumed (-produced +consumed):\n%s", diff)
	}
}

func manifestTopicNames(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Events []struct {
			Topic string `json:"topic"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var topics []string
	for _, e := range m.Events {
		topics = append(topics, e.Topic)
	}
	if len(topics) == 0 {
		t.Fatalf("%s names no topics", path)
	}
	return topics
}

func TestTopicNamesAreValidAndDistinct(t *testing.T) {
	seen := make(map[string]bool)
	for _, base := range []string{"lunch-bot.deadlines", "with space/and:colon", "", strings.Repeat("x", 300)} {
		for range 3 {
			name := Topic(t, base)
			if seen[name] {
				t.Errorf("Topic(%q) returned %q twice", base, name)
			}
			seen[name] = true
			if len(name) > maxTopicLen {
				t.Errorf("Topic(%q) = %d characters; Kafka allows %d", base, len(name), maxTopicLen)
			}
			if sanitizeTopic(name) != name {
				t.Errorf("Topic(%q) = %q has characters Kafka refuses", base, name)
			}
		}
	}
	if got := Topic(t, "lunch-bot.deadlines"); !strings.HasPrefix(got, "lunch-bot.deadlines.TestTopicNamesAreValidAndDistinct.") {
		t.Errorf("Topic = %q; want base and test name first", got)
	}
}
