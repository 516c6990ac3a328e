package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/registry"
)

// consoleRun runs eventctl in process with stdin, the environment vars and
// args, and returns its exit status, stdout and stderr.
func consoleRun(t *testing.T, vars map[string]string, stdin []byte, args ...string) (int, []byte, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	env := &environment{stdin: bytes.NewReader(stdin), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }}
	code := run(ctx, env, args)
	return code, stdout.Bytes(), stderr.String()
}

// deadlineSchema is the project's deadline.passed schema.
func deadlineSchema(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "avro", "deadline_passed.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// consoleStack returns the environment of the shared test stack, a topic of
// the test's own, and the id of the deadline schema registered under the
// topic's TopicNameStrategy subject.
func consoleStack(t *testing.T) (vars map[string]string, topic string, id int) {
	t.Helper()
	broker, url := itest.Broker(t), itest.Registry(t)
	topic = itest.Topic(t, "lunch-bot.deadlines")
	client, err := registry.New(registry.Config{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	id, err = client.Register(context.Background(), topic+"-value", deadlineSchema(t))
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return map[string]string{"KAFKA_BROKER_URL": broker, "SCHEMA_REGISTRY_URL": url}, topic, id
}

// consumed is one line of consume's output.
type consumed struct {
	Topic     string          `json:"topic"`
	Partition int32           `json:"partition"`
	Offset    int64           `json:"offset"`
	Key       *string         `json:"key"`
	SchemaID  *int            `json:"schema_id"`
	Record    string          `json:"record"`
	Value     json.RawMessage `json:"value"`
}

func parseConsumed(t *testing.T, out []byte) []consumed { return parseJSONLines[consumed](t, out) }

// parseJSONLines parses one JSON object per line into a T each, refusing
// fields T does not have.
func parseJSONLines[T any](t *testing.T, out []byte) []T {
	t.Helper()
	var got []T
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var v T
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("eventctl printed %q: %v", line, err)
		}
		got = append(got, v)
	}
	return got
}

var deadlineLines = []string{
	`{"type":"deadline.passed","cafe_id":42,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00.000000Z"}`,
	`{"type":"deadline.passed","cafe_id":7,"date":"2026-11-28","timestamp":"2026-11-28T11:45:00.123456Z"}`,
	`{"type":"deadline.passed","cafe_id":"x","date":"2026-11-28","timestamp":"2026-11-28T11:45:00.123456Z"}`,
	`{"type":"deadline.passed","cafe_id":9000000000,"date":"2026-11-29","timestamp":"2026-11-29T11:45:00.000001Z"}`,
}

func TestProduceConsumeRoundTrip(t *testing.T) {
	vars, topic, id := consoleStack(t)
	in := []byte(strings.Join(deadlineLines, "\n") + "\n\n")

	// All or nothing: the bad third line is reported and nothing is sent.
	code, out, errOut := consoleRun(t, vars, in, "produce", "--topic", topic, "--key-field", "cafe_id")
	if code != exitProblems {
		t.Fatalf("produce with a bad line: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		`eventctl produce: line 3: /cafe_id: expected long, got string "x"`,
		"1 of 4 line(s) refused; nothing was sent",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	// --stream sends the good lines and skips the bad one.
	code, out, errOut = consoleRun(t, vars, in, "produce", "--topic", topic, "--key-field", "cafe_id", "--stream")
	if code != exitProblems {
		t.Fatalf("produce --stream: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, `line 3: /cafe_id: expected long, got string "x"`) || !strings.Contains(errOut, "3 message(s) delivered") {
		t.Errorf("produce --stream stderr:\n%s", errOut)
	}
	t.Logf("produce --stream:\n%s", errOut)

	// Reading until the topic is idle finds exactly the three good lines:
	// nothing of the bad line, nothing from the all-or-nothing run.
	code, out, errOut = consoleRun(t, vars, nil, "consume", "--topic", topic, "--from-beginning", "--timeout", "5s")
	if code != exitOK {
		t.Fatalf("consume: exit %d\n%s%s", code, out, errOut)
	}
	got := parseConsumed(t, out)
	var values, keys []string
	for _, c := range got {
		if c.Topic != topic || c.SchemaID == nil || *c.SchemaID != id || c.Key == nil {
			t.Errorf("consumed %+v: want topic %s, schema id %d, a key", c, topic, id)
			continue
		}
		values = append(values, string(c.Value))
		keys = append(keys, *c.Key)
	}
	sort.Strings(values)
	sort.Strings(keys)
	want := []string{deadlineLines[0], deadlineLines[1], deadlineLines[3]}
	sort.Strings(want)
	if diff := cmp.Diff(want, values); diff != "" {
		t.Errorf("consumed values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"42", "7", "9000000000"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}

	// --max stops after N; --avro-json prints Avro's JSON encoding.
	code, out, errOut = consoleRun(t, vars, nil, "consume", "--topic", topic, "--from-beginning", "--max", "1", "--avro-json")
	if code != exitOK {
		t.Fatalf("consume --max 1: exit %d\n%s%s", code, out, errOut)
	}
	got = parseConsumed(t, out)
	if len(got) != 1 {
		t.Fatalf("consume --max 1 printed %d lines:\n%s", len(got), out)
	}
	var v map[string]any
	if err := json.Unmarshal(got[0].Value, &v); err != nil {
		t.Fatal(err)
	}
	if _, isNumber := v["date"].(float64); !isNumber {
		t.Errorf("--avro-json value %s: date is not a day number", got[0].Value)
	}
}

func TestProduceKeyAndGroup(t *testing.T) {
	vars, topic, _ := consoleStack(t)
	code, out, errOut := consoleRun(t, vars, []byte(deadlineLines[0]+"\n"+deadlineLines[1]+"\n"), "produce", "--topic", topic, "--key", "fixed")
	if code != exitOK {
		t.Fatalf("produce --key: exit %d\n%s%s", code, out, errOut)
	}
	group := topic + ".group"
	code, out, errOut = consoleRun(t, vars, nil, "consume", "--topic", topic, "--group", group, "--from-beginning", "--max", "2")
	if code != exitOK {
		t.Fatalf("consume --group: exit %d\n%s%s", code, out, errOut)
	}
	got := parseConsumed(t, out)
	if len(got) != 2 || *got[0].Key != "fixed" || *got[1].Key != "fixed" || got[0].Partition != got[1].Partition {
		t.Errorf("consumed %+v, want two messages keyed fixed on one partition", got)
	}
	// The group committed its offsets: a second run finds nothing new, and
	// a third message is the only one it reads.
	code, _, errOut = consoleRun(t, vars, []byte(deadlineLines[3]+"\n"), "produce", "--topic", topic, "--key", "fixed")
	if code != exitOK {
		t.Fatalf("produce: exit %d\n%s", code, errOut)
	}
	code, out, errOut = consoleRun(t, vars, nil, "consume", "--topic", topic, "--group", group, "--from-beginning", "--max", "1")
	if code != exitOK {
		t.Fatalf("consume --group again: exit %d\n%s%s", code, out, errOut)
	}
	got = parseConsumed(t, out)
	if len(got) != 1 || string(got[0].Value) != deadlineLines[3] {
		t.Errorf("second group run read %s, want only %s", out, deadlineLines[3])
	}
}

func TestConsumeSkipsUndecodableMessages(t *testing.T) {
	vars, topic, id := consoleStack(t)
	// eventctl produce first: the broker creates the topic on its metadata
	// request.
	code, out, errOut := consoleRun(t, vars, []byte(deadlineLines[0]+"\n"), "produce", "--topic", topic)
	if code != exitOK {
		t.Fatalf("produce: exit %d\n%s%s", code, out, errOut)
	}
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": vars["KAFKA_BROKER_URL"], "acks": "all", "go.delivery.reports": false, "go.logs.channel.enable": true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	unknown := binary.BigEndian.AppendUint32([]byte{0}, 2_000_000_000)
	truncated := binary.BigEndian.AppendUint32([]byte{0}, uint32(id))
	truncated = append(truncated, 0x1e, 'd', 'e') // a string cut short
	// All on partition 0, so they come in this order.
	part := int32(0)
	for _, v := range [][]byte{[]byte(`{"cafe_id":1}`), append(unknown, 2), truncated, nil} {
		if err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: part}, Value: v}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.Flush(30_000); n != 0 {
		t.Fatalf("%d messages not flushed", n)
	}
	code, out, errOut = consoleRun(t, vars, nil, "consume", "--topic", topic, "--from-beginning", "--max", "5")
	if code != exitProblems {
		t.Fatalf("consume: exit %d, want 1\n%s%s", code, out, errOut)
	}
	t.Logf("consume stderr:\n%s", errOut)
	for _, want := range []string{
		topic + "/0/",
		": skipped: wire: first byte is not the magic byte 0 (got 0x7b): the value is not in the Confluent wire format",
		": skipped: schema id 2000000000 is not in the registry at " + vars["SCHEMA_REGISTRY_URL"],
		": skipped: cannot decode the value with schema id " + strconv.Itoa(id) + ": /type: at byte 0: string length 15 exceeds the 2 byte(s) left",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	got := parseConsumed(t, out)
	var values []string
	for _, c := range got {
		values = append(values, string(c.Value))
	}
	// The tombstone prints with a null value, the good event in full.
	want := []string{"null", deadlineLines[0]}
	sort.Strings(values)
	sort.Strings(want)
	if diff := cmp.Diff(want, values); diff != "" {
		t.Errorf("printed values (-want +got):\n%s\n%s", diff, out)
	}
}

func TestEncodeDecodeThroughRegistry(t *testing.T) {
	vars, topic, id := consoleStack(t)
	subject := topic + "-value"
	code, wireBytes, errOut := consoleRun(t, vars, []byte(deadlineLines[1]), "encode", "--subject", subject)
	if code != exitOK {
		t.Fatalf("encode: exit %d\n%s", code, errOut)
	}
	if len(wireBytes) < 5 || wireBytes[0] != 0 || binary.BigEndian.Uint32(wireBytes[1:5]) != uint32(id) {
		t.Fatalf("encode wrote %x, want the wire header of id %d", wireBytes, id)
	}
	code, out, errOut := consoleRun(t, vars, wireBytes, "decode")
	if code != exitOK {
		t.Fatalf("decode: exit %d\n%s", code, errOut)
	}
	if got := strings.TrimSpace(string(out)); got != deadlineLines[1] {
		t.Errorf("decode = %s, want %s", got, deadlineLines[1])
	}
	// The same bytes without the registry, from the schema file and the id.
	avsc := filepath.Join("..", "..", "avro", "deadline_passed.avsc")
	code, offline, errOut := consoleRun(t, map[string]string{}, []byte(deadlineLines[1]), "encode", "--schema", avsc, "--id", strconv.Itoa(id))
	if code != exitOK || !bytes.Equal(offline, wireBytes) {
		t.Errorf("encode --schema --id: exit %d, %x, want %x\n%s", code, offline, wireBytes, errOut)
	}
	// And the bare body decodes with --schema.
	code, out, errOut = consoleRun(t, map[string]string{}, wireBytes[5:], "decode", "--schema", avsc, "--avro-json")
	if code != exitOK || !strings.Contains(string(out), `"date":20785`) {
		t.Errorf("decode --schema --avro-json: exit %d, %s\n%s", code, out, errOut)
	}
	// A message whose id the registry does not know.
	code, _, errOut = consoleRun(t, vars, append(binary.BigEndian.AppendUint32([]byte{0}, 2_000_000_001), 2), "decode")
	if code != exitBadInput || !strings.Contains(errOut, "schema id 2000000001 is not in the registry") {
		t.Errorf("decode of an unknown id: exit %d\n%s", code, errOut)
	}
}

func TestConsoleRegistryAndBrokerProblems(t *testing.T) {
	vars, topic, _ := consoleStack(t)
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"unknown subject", vars, []string{"produce", "--topic", topic + ".none"}, `subject "` + topic + `.none-value" has no schema in the registry at ` + vars["SCHEMA_REGISTRY_URL"] + `: register it first (eventctl register), or name another with --subject`},
		{"registry down", map[string]string{"SCHEMA_REGISTRY_URL": "http://127.0.0.1:1", "KAFKA_BROKER_URL": vars["KAFKA_BROKER_URL"]}, []string{"produce", "--topic", topic}, "cannot reach the schema registry at http://127.0.0.1:1: is it running? Point --registry or $SCHEMA_REGISTRY_URL at it"},
		{"registry flag wins", map[string]string{"SCHEMA_REGISTRY_URL": vars["SCHEMA_REGISTRY_URL"]}, []string{"encode", "--subject", topic + "-value", "--registry", "http://127.0.0.1:1"}, "cannot reach the schema registry at http://127.0.0.1:1"},
		{"broker down", map[string]string{"SCHEMA_REGISTRY_URL": vars["SCHEMA_REGISTRY_URL"]}, []string{"produce", "--topic", topic, "--bootstrap-servers", "127.0.0.1:1"}, "cannot reach Kafka at 127.0.0.1:1 within 10s: is the broker running? Point --bootstrap-servers or $KAFKA_BROKER_URL at it"},
		{"no such topic", vars, []string{"consume", "--topic", "no.such.topic.here", "--timeout", "2s"}, ""},
	} {
		code, out, errOut := consoleRun(t, c.vars, []byte(deadlineLines[0]), c.args...)
		if c.want == "" {
			// kfake creates topics on demand; either way no panic and a
			// clean exit.
			t.Logf("%s: exit %d\n%s", c.name, code, errOut)
			continue
		}
		if code != exitBadInput || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, want 2 and %q\n%s%s", c.name, code, c.want, out, errOut)
		}
	}
}

// TestConsoleOffline covers what needs no server: flags, and encode and
// decode with a schema file.
func TestConsoleOffline(t *testing.T) {
	avsc := filepath.Join("..", "..", "avro", "deadline_passed.avsc")
	none := map[string]string{}
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"produce without topic", "", []string{"produce"}, exitBadInput, "--topic is required"},
		{"produce key and key field", "", []string{"produce", "--topic", "t", "--key", "k", "--key-field", "cafe_id"}, exitBadInput, "--key and --key-field exclude each other"},
		{"produce stray argument", "", []string{"produce", "--topic", "t", "extra"}, exitBadInput, `unexpected argument "extra"`},
		{"produce help", "", []string{"produce", "-h"}, exitOK, "All or nothing (the default)"},
		{"consume without topic", "", []string{"consume"}, exitBadInput, "--topic is required"},
		{"consume negative max", "", []string{"consume", "--topic", "t", "--max", "-1"}, exitBadInput, "cannot be negative"},
		{"encode needs a schema", "{}", []string{"encode"}, exitBadInput, "pass either --subject"},
		{"encode id without schema", "{}", []string{"encode", "--subject", "s", "--id", "3"}, exitBadInput, "--id goes with --schema"},
		{"encode refuses a bad value", `{"cafe_id":"x","date":"2026-11-27","timestamp":0}`, []string{"encode", "--schema", avsc, "--id", "3"}, exitProblems, `eventctl encode: /cafe_id: expected long, got string "x"`},
		{"encode names the day a month lacks", `{"cafe_id":1,"date":"2026-02-30","timestamp":0}`, []string{"encode", "--schema", avsc}, exitProblems, "eventctl encode: /date: date \"2026-02-30\": February 2026 has 28 days\n"},
		{"encode refuses bad JSON", `{"cafe_id":`, []string{"encode", "--schema", avsc}, exitProblems, "not valid JSON at offset 11: unexpected end of input"},
		{"encode missing schema file", `{}`, []string{"encode", "--schema", "nope.avsc"}, exitBadInput, "nope.avsc"},
		{"decode not wire format", "{}", []string{"decode"}, exitProblems, "not a wire-format message (pass --schema FILE.avsc for a bare Avro body)"},
		{"decode malformed body", "\x02", []string{"decode", "--schema", avsc}, exitProblems, "eventctl decode: /type: at byte 0: string length 1 exceeds the 0 byte(s) left"},
		{"decode framed with --schema", "\x00\x00\x00\x00\x07\x1edeadline.passed\x54\xe0\xc4\x02\x00", []string{"decode", "--schema", avsc}, exitProblems, "looks like a wire-format message with schema id 7"},
		{"decode two files", "", []string{"decode", "a", "b"}, exitBadInput, `unexpected argument "b"`},
	} {
		code, out, errOut := consoleRun(t, none, []byte(c.stdin), c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, want %d and stderr with %q\nstdout %s\nstderr %s", c.name, code, c.code, c.want, out, errOut)
		}
	}
}

func TestEncodeDecodeOffline(t *testing.T) {
	avsc := filepath.Join("..", "..", "avro", "deadline_passed.avsc")
	none := map[string]string{}
	in := `{"cafe_id":42,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00Z"}`
	code, body, errOut := consoleRun(t, none, []byte(in), "encode", "--schema", avsc)
	if code != exitOK {
		t.Fatalf("encode: exit %d\n%s", code, errOut)
	}
	// The bytes of the Avro specification's encoding, written by hand: the
	// default "deadline.passed", 42, day 20784, 1795779900000000 µs.
	if want := "\x1edeadline.passed\x54\xe0\xc4\x02\x80\x9c\xc6\xf0\x92\xd0\xb0\x06"; string(body) != want {
		t.Errorf("encode = %x, want %x", body, want)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "body.bin")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := consoleRun(t, none, nil, "decode", "--schema", avsc, file)
	want := `{"type":"deadline.passed","cafe_id":42,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00.000000Z"}` + "\n"
	if code != exitOK || string(out) != want {
		t.Errorf("decode FILE: exit %d, %s, want %s\n%s", code, out, want, errOut)
	}
}

func TestProduceReportsAMessageTheClientRefuses(t *testing.T) {
	vars, topic, _ := consoleStack(t)
	// A valid message too large for the client needs a field of any
	// content: the deadline's schema with a note.
	subject := topic + "-noted"
	noted := strings.Replace(deadlineSchema(t), `"fields": [`, `"fields": [{"name": "note", "type": "string", "default": ""},`, 1)
	client, err := registry.New(registry.Config{URLs: []string{vars["SCHEMA_REGISTRY_URL"]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Register(context.Background(), subject, noted); err != nil {
		t.Fatalf("register: %v", err)
	}
	huge := `{"note":"` + strings.Repeat("x", 2<<20) + `","cafe_id":1,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00Z"}`
	code, out, errOut := consoleRun(t, vars, []byte(deadlineLines[0]+"\n"+huge+"\n"), "produce", "--topic", topic, "--subject", subject)
	if code != exitProblems {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	t.Logf("stderr:\n%s", errOut)
	for _, want := range []string{"line 2: not sent: ", "1 message(s) delivered", "; 1 not delivered"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestConsumeStopsOnInterrupt: consume without --max or --timeout runs until
// its context is cancelled (Ctrl-C in main), then exits 0 having printed what
// it read.
func TestConsumeStopsOnInterrupt(t *testing.T) {
	vars, topic, _ := consoleStack(t)
	if code, _, errOut := consoleRun(t, vars, []byte(deadlineLines[0]+"\n"), "produce", "--topic", topic); code != exitOK {
		t.Fatalf("produce: exit %d\n%s", code, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	env := &environment{stdin: bytes.NewReader(nil), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, env, []string{"consume", "--topic", topic, "--from-beginning"}) }()
	deadline := time.After(time.Minute)
	for !strings.Contains(stdout.String(), "\n") {
		select {
		case code := <-done:
			t.Fatalf("consume returned %d before any message\n%s", code, stderr.String())
		case <-deadline:
			t.Fatalf("no message printed within a minute\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after interrupt, want 0\n%s", code, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("consume did not return after its context was cancelled")
	}
	if got := parseConsumed(t, []byte(stdout.String())); len(got) != 1 || string(got[0].Value) != deadlineLines[0] {
		t.Errorf("printed %s", stdout.String())
	}
}

// TestProduceTakesSubjectAndKeyFromTheManifest: a topic of the manifest gets
// the manifest's subject and key field without flags.
func TestProduceTakesSubjectAndKeyFromTheManifest(t *testing.T) {
	vars, topic, _ := consoleStack(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "deadline_passed.avsc"), []byte(deadlineSchema(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	m := `{"events":[{"type":"deadline.passed","schema":"deadline_passed.avsc","topic":"` + topic + `","key":"cafe_id"}]}`
	manifestPath := filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(manifestPath, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := consoleRun(t, vars, []byte(deadlineLines[1]+"\n"), "produce", "--topic", topic, "--manifest", manifestPath)
	if code != exitOK || !strings.Contains(errOut, `(subject "`+topic+`-value" from the manifest `+manifestPath) {
		t.Fatalf("produce: exit %d\n%s", code, errOut)
	}
	code, out, errOut := consoleRun(t, vars, nil, "consume", "--topic", topic, "--from-beginning", "--max", "1")
	if code != exitOK {
		t.Fatalf("consume: exit %d\n%s", code, errOut)
	}
	if got := parseConsumed(t, out); len(got) != 1 || got[0].Key == nil || *got[0].Key != "7" {
		t.Errorf("consumed %s, want the key 7 (cafe_id)", out)
	}
	// A key field the schema cannot key by is refused before anything is
	// read.
	code, _, errOut = consoleRun(t, vars, []byte(deadlineLines[1]+"\n"), "produce", "--topic", topic, "--manifest", manifestPath, "--key-field", "timestamp")
	if code != exitBadInput || !strings.Contains(errOut, `key field "timestamp" is a timestamp-micros, which cannot key messages`) {
		t.Errorf("--key-field timestamp: exit %d\n%s", code, errOut)
	}
}
