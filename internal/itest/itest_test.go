package itest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/childproc"
)

func TestMain(m *testing.M) { Main(m) }

// waitLimit bounds every wait for a server in these tests. It is a limit
// for giving up, not a performance assertion.
const waitLimit = 60 * time.Second

type record struct {
	Key, Value string
	Headers    map[string]string
}

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

// registryDo sends a request with the registry's content type and decodes a
// JSON answer into out, returning the status code.
func registryDo(t *testing.T, method, u string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	client := &http.Client{Timeout: waitLimit}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, u, err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %s: decoding %q: %v", method, u, resp.Status, data, err)
		}
	}
	return resp.StatusCode
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
	return v
}

func TestRegistryRegistersAndServesSchemaByID(t *testing.T) {
	reg := Registry(t)
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	avsc, err := os.ReadFile(filepath.Join(root, "avro", "deadline_passed.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	subject := Topic(t, "lunch-bot.deadlines") + "-value"
	versionsURL := reg + "/subjects/" + url.PathEscape(subject) + "/versions"

	var first, second struct {
		ID int `json:"id"`
	}
	if code := registryDo(t, http.MethodPost, versionsURL, map[string]string{"schema": string(avsc)}, &first); code != http.StatusOK {
		t.Fatalf("register: status %d", code)
	}
	if first.ID <= 0 {
		t.Fatalf("register returned id %d", first.ID)
	}
	if code := registryDo(t, http.MethodPost, versionsURL, map[string]string{"schema": string(avsc)}, &second); code != http.StatusOK {
		t.Fatalf("register again: status %d", code)
	}
	if second.ID != first.ID {
		t.Errorf("registering the same schema again gave id %d, first gave %d", second.ID, first.ID)
	}

	var byID struct {
		Schema string `json:"schema"`
	}
	if code := registryDo(t, http.MethodGet, reg+"/schemas/ids/"+strconv.Itoa(first.ID), nil, &byID); code != http.StatusOK {
		t.Fatalf("GET /schemas/ids/%d: status %d", first.ID, code)
	}
	if diff := cmp.Diff(decodeJSON(t, string(avsc)), decodeJSON(t, byID.Schema)); diff != "" {
		t.Errorf("schema read back by id differs from the registered one (-registered +read):\n%s", diff)
	}

	var versions []int
	if code := registryDo(t, http.MethodGet, versionsURL, nil, &versions); code != http.StatusOK {
		t.Fatalf("GET versions: status %d", code)
	}
	if diff := cmp.Diff([]int{1}, versions); diff != "" {
		t.Errorf("versions of %s (-want +got):\n%s", subject, diff)
	}

	var missing struct {
		ErrorCode int `json:"error_code"`
	}
	unknown := first.ID + 1_000_000
	if code := registryDo(t, http.MethodGet, reg+"/schemas/ids/"+strconv.Itoa(unknown), nil, &missing); code != http.StatusNotFound || missing.ErrorCode != 40403 {
		t.Errorf("GET /schemas/ids/%d: status %d, error_code %d; want 404 and 40403 (schema not found)", unknown, code, missing.ErrorCode)
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

// registerSchema registers schema under subject and returns its id.
func registerSchema(t *testing.T, reg, subject, schema string) int {
	t.Helper()
	var resp struct {
		ID int `json:"id"`
	}
	u := reg + "/subjects/" + url.PathEscape(subject) + "/versions"
	if code := registryDo(t, http.MethodPost, u, map[string]string{"schema": schema}, &resp); code != http.StatusOK || resp.ID <= 0 {
		t.Fatalf("POST %s: status %d, id %d", u, code, resp.ID)
	}
	return resp.ID
}

// schemaByID returns the status of GET /schemas/ids/{id} and the schema.
func schemaByID(t *testing.T, reg string, id int) (int, string) {
	t.Helper()
	var resp struct {
		Schema string `json:"schema"`
	}
	code := registryDo(t, http.MethodGet, reg+"/schemas/ids/"+strconv.Itoa(id), nil, &resp)
	return code, resp.Schema
}

const smallSchema = `{"type":"record","name":"Ping","namespace":"itest","fields":[{"name":"n","type":"long"}]}`

// The control for the restart tests that keep data: without a data
// directory the restarted broker has lost the topic, and a registry on
// memory storage has lost its schemas.
func TestRestartInMemoryLosesEverything(t *testing.T) {
	s := Start(t, Options{InMemory: true})
	topic := Topic(t, "itest.restart-mem")
	produce(t, s.BrokerAddr, topic, []record{{Key: "k", Value: "v"}})
	if _, ok := metadataTopics(t, s.BrokerAddr)[topic]; !ok {
		t.Fatalf("topic %s missing right after producing to it", topic)
	}
	id := registerSchema(t, s.RegistryURL, topic+"-value", smallSchema)
	s.Restart()
	if n, ok := metadataTopics(t, s.BrokerAddr)[topic]; ok {
		t.Errorf("in-memory broker still has topic %s (%d partitions) after Restart", topic, n)
	}
	if code, schema := schemaByID(t, s.RegistryURL, id); code != http.StatusNotFound {
		t.Errorf("memory registry after Restart: GET /schemas/ids/%d status %d (%q); want 404", id, code, schema)
	}
}

func TestRestartKeepsRegistrySchemasInPostgres(t *testing.T) {
	s := Start(t, Options{RegistryPostgres: true})
	subject := Topic(t, "itest.pg") + "-value"
	id := registerSchema(t, s.RegistryURL, subject, smallSchema)
	s.Restart()
	code, schema := schemaByID(t, s.RegistryURL, id)
	if code != http.StatusOK {
		t.Fatalf("after Restart: GET /schemas/ids/%d status %d; want 200", id, code)
	}
	if diff := cmp.Diff(decodeJSON(t, smallSchema), decodeJSON(t, schema)); diff != "" {
		t.Errorf("schema %d after Restart (-registered +read):\n%s", id, diff)
	}
	if again := registerSchema(t, s.RegistryURL, subject, smallSchema); again != id {
		t.Errorf("registering the same schema after Restart gave id %d; before it was %d", again, id)
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

func TestEnvironmentOverridesStartNothing(t *testing.T) {
	t.Setenv(EnvKafka, "kafka.example:9092")
	t.Setenv(EnvRegistry, "http://registry.example:8081/")
	if got := Broker(t); got != "kafka.example:9092" {
		t.Errorf("Broker = %q; want the value of %s", got, EnvKafka)
	}
	if got := Registry(t); got != "http://registry.example:8081" {
		t.Errorf("Registry = %q; want the value of %s without the trailing slash", got, EnvRegistry)
	}
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

func TestPortTakenIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("builds devstack")
	}
	b, err := binaries()
	if err != nil {
		t.Fatalf("itest: %v", err)
	}
	for _, flagName := range []string{"-kafka-port", "-registry-port"} {
		t.Run(flagName, func(t *testing.T) {
			ln, port := listenAny(t)
			defer ln.Close()
			args := []string{"run", "-kafka-port=0", "-registry-port=0", flagName + "=" + strconv.Itoa(port)}
			out, code := runStatus(t, b.devstack, args...)
			if code != 1 {
				t.Errorf("devstack %v exited %d; want 1\n%s", args, code, out)
			}
			for _, want := range []string{fmt.Sprintf("127.0.0.1:%d is taken", port), flagName} {
				if !strings.Contains(out, want) {
					t.Errorf("devstack %v output lacks %q:\n%s", args, want, out)
				}
			}
		})
	}
}

// TestNoOrphansWhenTestProcessDies runs this test binary again as a helper
// that starts a stack and is then killed with SIGKILL, as a test timeout or
// a crash would end it; devstack and the registry must go away with it.
func TestNoOrphansWhenTestProcessDies(t *testing.T) {
	if os.Getenv("ITEST_ORPHAN_HELPER") == "1" {
		s := Start(t, Options{InMemory: true})
		fmt.Printf("PIDS %d %d\n", s.p.cmd.Process.Pid, s.p.registryPID)
		time.Sleep(5 * time.Minute) // killed by the parent long before
		return
	}
	if testing.Short() {
		t.Skip("starts a stack")
	}
	if _, err := binaries(); err != nil { // build here, not in the helper
		t.Fatalf("itest: %v", err)
	}
	helper, pids := startOrphanHelper(t)
	devstackPID, registryPID := pids[0], pids[1]
	if !childproc.PIDAlive(devstackPID) || !childproc.PIDAlive(registryPID) {
		t.Fatalf("helper reported pids %d and %d, not both alive", devstackPID, registryPID)
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	deadline := time.Now().Add(waitLimit)
	for (childproc.PIDAlive(devstackPID) || childproc.PIDAlive(registryPID)) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	for name, pid := range map[string]int{"devstack": devstackPID, "schema registry": registryPID} {
		if childproc.PIDAlive(pid) {
			t.Errorf("%s (pid %d) still runs %v after the test process was killed", name, pid, waitLimit)
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill()
			}
		}
	}
}
