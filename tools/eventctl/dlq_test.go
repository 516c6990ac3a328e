package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// dlqWait bounds the waits for the servers: a limit for giving up, not a
// performance assertion.
const dlqWait = time.Minute

// dlqEvent is the generated deadline.passed event under a contract of the
// test's own topic (the generated contract must not be modified).
type dlqEvent struct{ events.DeadlinePassed }

var dlqContract *contract.Contract

func (*dlqEvent) Contract() *contract.Contract { return dlqContract }

// dlqEntries parses list's JSON lines.
func dlqEntries(t *testing.T, out []byte) []dlqEntry { return parseJSONLines[dlqEntry](t, out) }

// dlqCreateTopics creates topics with the partition counts given.
func dlqCreateTopics(t *testing.T, broker string, topics map[string]int) {
	t.Helper()
	a, err := kafka.NewAdminClient(&kafka.ConfigMap{"bootstrap.servers": broker, "log_level": 3})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var specs []kafka.TopicSpecification
	for name, n := range topics {
		specs = append(specs, kafka.TopicSpecification{Topic: name, NumPartitions: n, ReplicationFactor: 1})
	}
	ctx, cancel := context.WithTimeout(context.Background(), dlqWait)
	defer cancel()
	res, err := a.CreateTopics(ctx, specs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Error.Code() != kafka.ErrNoError {
			t.Fatalf("creating %s: %v", r.Topic, r.Error)
		}
	}
}

// dlqProduceRaw produces messages as they are and waits for their
// acknowledgement.
func dlqProduceRaw(t *testing.T, broker string, msgs ...*kafka.Message) {
	t.Helper()
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": broker, "acks": "all", "go.logs.channel.enable": true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	go func() {
		for range p.Logs() {
		}
	}()
	report := make(chan kafka.Event, len(msgs))
	for _, m := range msgs {
		if err := p.Produce(m, report); err != nil {
			t.Fatal(err)
		}
	}
	for range msgs {
		select {
		case ev := <-report:
			if m, ok := ev.(*kafka.Message); !ok || m.TopicPartition.Error != nil {
				t.Fatalf("raw produce: %v", ev)
			}
		case <-time.After(dlqWait):
			t.Fatal("raw produce: no delivery report")
		}
	}
}

// dlqTopicSize is the number of messages of a topic (the sum of its
// partitions' high watermarks, none deleted).
func dlqTopicSize(t *testing.T, broker, topic string) int64 {
	t.Helper()
	c := dlqTestConsumer(t, broker)
	defer c.Close()
	md, err := c.GetMetadata(&topic, false, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, p := range md.Topics[topic].Partitions {
		_, high, err := c.QueryWatermarkOffsets(topic, p.ID, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		n += high
	}
	return n
}

// dlqRunConsumer runs an sdk/consumer of group with handle until stop is
// called, which returns Run's error.
func dlqRunConsumer(t *testing.T, vars map[string]string, group string, handle func(context.Context, *dlqEvent, consumer.Message) error) (stop func() error) {
	t.Helper()
	c, err := consumer.New(consumer.Config{
		Kafka:          kafkaconfig.Config{BootstrapServers: vars["KAFKA_BROKER_URL"]},
		Registry:       registry.Config{URLs: []string{vars["SCHEMA_REGISTRY_URL"]}},
		GroupID:        group,
		Name:           "dlq-test",
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Retry:          consumer.RetryPolicy{Attempts: 2, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond},
		CommitInterval: 200 * time.Millisecond,
	}, consumer.Handle(handle))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(dlqWait):
			t.Fatal("the consumer did not stop")
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// TestDLQListAndReplay: dead letters made by a real consumer (a handler
// that always fails, a message that does not decode) are listed with their
// reasons and filters, replayed once (not again, also after a replay that
// stopped between producing and recording), and handled from the original
// topic by the consumer once its handler succeeds.
func TestDLQListAndReplay(t *testing.T) {
	vars, topic, _ := consoleStack(t)
	broker := vars["KAFKA_BROKER_URL"]
	dlq := topic + ".dlq"
	dlqCreateTopics(t, broker, map[string]int{topic: 3, dlq: 2})
	c := *events.DeadlinePassedContract
	c.Topic, c.Subject = topic, topic+"-value"
	dlqContract = &c

	// Three events, and a message that is not in the wire format.
	p, err := producer.New(context.Background(), producer.Config{
		Kafka: kafkaconfig.Config{BootstrapServers: broker}, Registry: registry.Config{URLs: []string{vars["SCHEMA_REGISTRY_URL"]}},
		Serde: serde.SerializerConfig{AutoRegister: true}, Name: "dlq-test",
	}, dlqContract)
	if err != nil {
		t.Fatal(err)
	}
	published := map[string]producer.Delivery{} // by key
	for cafe := int64(1); cafe <= 3; cafe++ {
		e := &dlqEvent{events.DeadlinePassed{Type: "deadline.passed", CafeID: cafe, Date: avrobin.Date{Year: 2026, Month: 11, Day: 27}, Timestamp: time.Date(2026, 11, 27, 11, 45, 0, 0, time.UTC)}}
		d, err := p.Publish(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		published[strconv.FormatInt(cafe, 10)] = d
	}
	if _, err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	dlqProduceRaw(t, broker, &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Key: []byte("bad"), Value: []byte("not avro")})

	// A consumer whose handler always fails dead-letters all four.
	group := "dlq-test-" + topic
	stop := dlqRunConsumer(t, vars, group, func(context.Context, *dlqEvent, consumer.Message) error {
		return errors.New("the kitchen is closed")
	})
	for deadline := time.Now().Add(dlqWait); dlqTopicSize(t, broker, dlq) < 4; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d dead letters after %s, want 4", dlqTopicSize(t, broker, dlq), dlqWait)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	// list: every dead letter, the events decoded.
	code, out, errOut := consoleRun(t, vars, nil, "dlq", "list", "--topic", topic, "--format", "json")
	if code != exitOK {
		t.Fatalf("dlq list: exit %d\n%s%s", code, out, errOut)
	}
	all := dlqEntries(t, out)
	if len(all) != 4 {
		t.Fatalf("listed %d dead letters, want 4:\n%s", len(all), out)
	}
	byKey := map[string]dlqEntry{}
	for _, e := range all {
		var key string
		if err := json.Unmarshal(e.Key, &key); err != nil {
			t.Fatalf("key %s: %v", e.Key, err)
		}
		byKey[key] = e
		if e.DLQ != fmt.Sprintf("%s/%d/%d", dlq, e.DLQPartition, e.DLQOffset) || e.DLQTopic != dlq || e.Topic != topic ||
			e.Group != group || e.Consumer != "dlq-test" || e.Partition == nil || e.Offset == nil || e.Timestamp == nil || e.Attempts == nil {
			t.Errorf("dead letter %s lacks where it came from: %+v", key, e)
		}
		if _, err := time.Parse(time.RFC3339, e.DeadLetteredAt); err != nil {
			t.Errorf("dead_lettered_at %q: %v", e.DeadLetteredAt, err)
		}
	}
	for key, d := range published {
		e, ok := byKey[key]
		if !ok {
			t.Fatalf("no dead letter with key %s:\n%s", key, out)
		}
		want := `{"type":"deadline.passed","cafe_id":` + key + `,"date":"2026-11-27","timestamp":"2026-11-27T11:45:00.000000Z"}`
		if e.Reason != "handler" || e.Error != "the kitchen is closed" || *e.Attempts != 2 || e.EventType != "deadline.passed" ||
			e.EventID != d.EventID.String() || *e.Partition != d.Partition || *e.Offset != d.Offset ||
			e.SchemaID == nil || int(*e.SchemaID) != d.SchemaID || string(e.Event) != want || e.DecodeError != "" {
			t.Errorf("dead letter of key %s: %+v, event %s; want reason handler, 2 attempts, event %s, id %s at %d/%d", key, e, e.Event, want, d.EventID, d.Partition, d.Offset)
		}
	}
	bad := byKey["bad"]
	if bad.Reason != "decode" || *bad.Attempts != 0 || bad.EventType != "" || bad.SchemaID != nil || string(bad.Event) != "null" || *bad.Partition != 0 ||
		bad.Error != "serde: wire: first byte is not the magic byte 0 (got 0x6e)" ||
		bad.DecodeError != "wire: first byte is not the magic byte 0 (got 0x6e): the value is not in the Confluent wire format (written without the registry's serializer? Read it raw with kcat)" {
		t.Errorf("the undecodable dead letter: %+v", bad)
	}

	// The text format: one line each, the same facts.
	code, text, errOut := consoleRun(t, vars, nil, "dlq", "list", "--topic", dlq, "--key", "bad")
	want := fmt.Sprintf("%s %s reason=decode from=%s/0/%d attempts=0 group=%s consumer=dlq-test key=\"bad\" error=%q undecoded=%q\n",
		bad.DLQ, bad.DeadLetteredAt, topic, *bad.Offset, group, bad.Error, bad.DecodeError)
	if code != exitOK || string(text) != want {
		t.Errorf("dlq list --key bad: exit %d\n%s\nwant\n%s%s", code, text, want, errOut)
	}
	one := byKey["2"]
	code, text, _ = consoleRun(t, vars, nil, "dlq", "list", "--topic", topic, "--key", "2")
	want = fmt.Sprintf("%s %s reason=handler from=%s/%d/%d attempts=2 group=%s consumer=dlq-test key=\"2\" type=deadline.passed event_id=%s error=\"the kitchen is closed\" event=%s\n",
		one.DLQ, one.DeadLetteredAt, topic, *one.Partition, *one.Offset, group, one.EventID, one.Event)
	if code != exitOK || string(text) != want {
		t.Errorf("dlq list --key 2: exit %d\n%s\nwant\n%s", code, text, want)
	}

	// The filters.
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for _, c := range []struct {
		name string
		args []string
		keys []string
	}{
		{"reason decode", []string{"--reason", "decode"}, []string{"bad"}},
		{"reason handler", []string{"--reason", "handler"}, []string{"1", "2", "3"}},
		{"key", []string{"--key", "3"}, []string{"3"}},
		{"type", []string{"--type", "deadline.passed"}, []string{"1", "2", "3"}},
		{"since an hour ago", []string{"--since", "1h"}, []string{"1", "2", "3", "bad"}},
		{"until in an hour", []string{"--until", future}, []string{"1", "2", "3", "bad"}},
		{"place", []string{"--partition", strconv.Itoa(int(one.DLQPartition)), "--offsets", strconv.FormatInt(one.DLQOffset, 10)}, []string{"2"}},
		{"open range", []string{"--partition", strconv.Itoa(int(one.DLQPartition)), "--offsets", strconv.FormatInt(one.DLQOffset, 10) + "-"}, nil},
		{"two filters", []string{"--reason", "handler", "--key", "bad"}, []string{}},
	} {
		code, out, errOut := consoleRun(t, vars, nil, append([]string{"dlq", "list", "--topic", topic, "--format", "json"}, c.args...)...)
		var keys []string
		for _, e := range dlqEntries(t, out) {
			var k string
			_ = json.Unmarshal(e.Key, &k)
			keys = append(keys, k)
		}
		sort.Strings(keys)
		switch {
		case c.keys == nil: // as many as sit at or after that offset
			if code != exitOK || len(keys) == 0 || !slices.Contains(keys, "2") {
				t.Errorf("%s: exit %d, keys %q", c.name, code, keys)
			}
		case len(c.keys) == 0:
			if code != exitProblems || len(keys) != 0 || errOut != "eventctl dlq list: none of the 4 dead letter(s) read from "+dlq+" matches\n" {
				t.Errorf("%s: exit %d, keys %q, stderr %q", c.name, code, keys, errOut)
			}
		default:
			if code != exitOK || !cmp.Equal(keys, c.keys) {
				t.Errorf("%s: exit %d, keys %q, want %q\n%s", c.name, code, keys, c.keys, errOut)
			}
		}
	}
	if code, out, _ := consoleRun(t, vars, nil, "dlq", "list", "--topic", topic, "--max", "2", "--format", "json"); code != exitOK || len(dlqEntries(t, out)) != 2 {
		t.Errorf("--max 2: exit %d\n%s", code, out)
	}
	if code, _, errOut := consoleRun(t, vars, nil, "dlq", "list", "--topic", topic, "--since", future); code != exitProblems || errOut != "eventctl dlq list: none of the 4 dead letter(s) read from "+dlq+" matches\n" {
		t.Errorf("--since the future: exit %d, %q", code, errOut)
	}

	// A dry run says what it would replay, and produces nothing.
	handler := []string{"dlq", "replay", "--topic", topic, "--reason", "handler"}
	code, out, errOut = consoleRun(t, vars, nil, append(handler, "--dry-run")...)
	var wantLines []string
	for _, e := range all {
		if e.Reason == "handler" {
			wantLines = append(wantLines, fmt.Sprintf("would replay %s to %s key=%s type=deadline.passed reason=handler", e.DLQ, topic, e.Key))
		}
	}
	if code != exitOK || strings.Join(wantLines, "\n")+"\n" != string(out) ||
		errOut != "eventctl dlq replay: 3 of the 4 dead letter(s) read from "+dlq+" selected: 3 would be replayed, 0 already replayed\n" {
		t.Errorf("replay --dry-run: exit %d\n%s\nwant\n%s\n%s", code, out, strings.Join(wantLines, "\n"), errOut)
	}
	if n := dlqTopicSize(t, broker, topic); n != 4 {
		t.Errorf("the dry run left %d messages in %s, want the 4 there were", n, topic)
	}

	// A replay that stopped after producing one dead letter, before it
	// could print or record anything: the message is there, with its mark.
	first := byKey["1"]
	dead := readDeadLetter(dlqReadMessage(t, broker, kafka.TopicPartition{Topic: &dlq, Partition: first.DLQPartition, Offset: kafka.Offset(first.DLQOffset)}))
	dlqProduceRaw(t, broker, &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Key: dead.msg.Key, Value: dead.msg.Value, Headers: replayHeaders(dead)})

	// The replay: the two others, once.
	code, out, errOut = consoleRun(t, vars, nil, handler...)
	if code != exitOK {
		t.Fatalf("replay: exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	replayedTo := map[string]string{} // dead letter → where it went
	for i, e := range handlerEntries(all) {
		if i >= len(lines) {
			t.Fatalf("replay printed\n%s\nwant a line for each of the 3 dead letters", out)
		}
		line := lines[i]
		if e.DLQ == first.DLQ {
			prefix := "already replayed " + e.DLQ + " to " + topic + "/"
			if !strings.HasPrefix(line, prefix) {
				t.Errorf("line %q, want %s...", line, prefix)
			}
			replayedTo[e.DLQ] = strings.TrimPrefix(line, "already replayed "+e.DLQ+" to ")
			continue
		}
		var to string
		if _, err := fmt.Sscanf(line, "replayed "+e.DLQ+" to %s", &to); err != nil || line != "replayed "+e.DLQ+" to "+to+" key="+string(e.Key)+" type=deadline.passed reason=handler" {
			t.Errorf("line %q, want replayed %s to ... key=%s type=deadline.passed reason=handler", line, e.DLQ, e.Key)
		}
		replayedTo[e.DLQ] = to
	}
	if want := "eventctl dlq replay: 3 of the 4 dead letter(s) read from " + dlq + " selected: 2 replayed, 1 already replayed\n"; errOut != want {
		t.Errorf("replay said %q, want %q", errOut, want)
	}

	// Again: nothing more.
	code, out, errOut = consoleRun(t, vars, nil, handler...)
	wantLines = nil
	for _, e := range handlerEntries(all) {
		wantLines = append(wantLines, "already replayed "+e.DLQ+" to "+replayedTo[e.DLQ])
	}
	if code != exitOK || string(out) != strings.Join(wantLines, "\n")+"\n" ||
		errOut != "eventctl dlq replay: 3 of the 4 dead letter(s) read from "+dlq+" selected: 0 replayed, 3 already replayed\n" {
		t.Errorf("replay again: exit %d\n%s\nwant\n%s\n%s", code, out, strings.Join(wantLines, "\n"), errOut)
	}
	if n := dlqTopicSize(t, broker, topic); n != 7 {
		t.Errorf("%s holds %d messages, want 7: the 4 published and 3 replayed", topic, n)
	}
	// Nothing matches: exit 1.
	code, _, errOut = consoleRun(t, vars, nil, "dlq", "replay", "--topic", topic, "--reason", "panic")
	if code != exitProblems || errOut != "eventctl dlq replay: none of the 4 dead letter(s) read from "+dlq+" matches; nothing replayed\n" {
		t.Errorf("replay --reason panic: exit %d, %q", code, errOut)
	}

	// The consumer, its handler fixed, gets the three events once more,
	// from the original topic, with the mark of their dead letter.
	got := make(chan consumer.Message, 10)
	stop = dlqRunConsumer(t, vars, group, func(_ context.Context, e *dlqEvent, m consumer.Message) error {
		got <- m
		return nil
	})
	handled := map[string]string{} // dead letter → event id
	for len(handled) < 3 {
		select {
		case m := <-got:
			from, _ := m.Headers.Get(headerReplayedFrom)
			var keys []string
			for _, h := range m.Headers {
				keys = append(keys, h.Key)
				if strings.HasPrefix(h.Key, "dlq.") && h.Key != headerReplayedFrom || m.Topic != topic {
					t.Errorf("handled %s/%d/%d with the header %s", m.Topic, m.Partition, m.Offset, h.Key)
				}
			}
			if keys[len(keys)-1] != headerReplayedFrom {
				t.Errorf("headers %q, want the original ones and %s", keys, headerReplayedFrom)
			}
			if _, dup := handled[string(from)]; dup {
				t.Errorf("%s handled twice", from)
			}
			handled[string(from)] = m.EventID.String()
		case <-time.After(dlqWait):
			t.Fatalf("handled %v after %s, want the 3 replayed events", handled, dlqWait)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	want3 := map[string]string{}
	for _, e := range handlerEntries(all) {
		want3[e.DLQ] = e.EventID
	}
	if diff := cmp.Diff(want3, handled); diff != "" {
		t.Errorf("handled (dead letter → event id) (-want +got):\n%s", diff)
	}
}

// handlerEntries are the handler dead letters of all, in list order.
func handlerEntries(all []dlqEntry) []dlqEntry {
	var out []dlqEntry
	for _, e := range all {
		if e.Reason == "handler" {
			out = append(out, e)
		}
	}
	return out
}

// dlqReadMessage reads the message at tp.
func dlqReadMessage(t *testing.T, broker string, tp kafka.TopicPartition) *kafka.Message {
	t.Helper()
	c := dlqTestConsumer(t, broker)
	defer c.Close()
	if err := c.Assign([]kafka.TopicPartition{tp}); err != nil {
		t.Fatal(err)
	}
	m, err := c.ReadMessage(dlqWait)
	if err != nil {
		t.Fatalf("reading %s/%d/%d: %v", *tp.Topic, tp.Partition, tp.Offset, err)
	}
	return m
}

// dlqTestConsumer is a consumer for the test to look at topics with.
func dlqTestConsumer(t *testing.T, broker string) *kafka.Consumer {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": broker, "group.id": "dlq-test", "go.logs.channel.enable": true})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range c.Logs() {
		}
	}()
	return c
}
