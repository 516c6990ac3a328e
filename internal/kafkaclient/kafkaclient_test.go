package kafkaclient

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func TestLogLevelsAndScrub(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logs := make(chan kafka.LogEvent, 8)
	for lvl := 0; lvl <= 7; lvl++ {
		logs <- kafka.LogEvent{Level: lvl, Tag: "FAIL", Message: "line " + string(rune('0'+lvl)) + " pw-Xq7"}
	}
	close(logs)
	ForwardLogs(log, logs, []string{"pw-Xq7"}, nil)
	out := b.String()
	if strings.Contains(out, "pw-Xq7") {
		t.Fatalf("a secret was logged:\n%s", out)
	}
	want := map[string]string{"0": "ERROR", "3": "ERROR", "4": "WARN", "5": "INFO", "6": "DEBUG", "7": "DEBUG"}
	for lvl, level := range want {
		if !strings.Contains(out, "level="+level+` msg="line `+lvl+" [redacted]\" component=librdkafka tag=FAIL") {
			t.Errorf("librdkafka level %s not logged at %s:\n%s", lvl, level, out)
		}
	}
}

func TestLogSkipsDisabledLevels(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelWarn}))
	Log(log, kafka.LogEvent{Level: 7, Message: "chatter"}, nil)
	Log(log, kafka.LogEvent{Level: 4, Message: "warning"}, nil)
	if out := b.String(); strings.Contains(out, "chatter") || !strings.Contains(out, "warning") {
		t.Errorf("output:\n%s", out)
	}
}

func TestSecrets(t *testing.T) {
	got := Secrets(kafka.ConfigMap{"sasl.password": "p1", "sasl.username": "u", "sasl.oauthbearer.client.secret": "s1", "linger.ms": 5})
	slices.Sort(got)
	if want := []string{"p1", "s1"}; !slices.Equal(got, want) {
		t.Errorf("Secrets = %q, want %q", got, want)
	}
}

// TestProducerDefaultsAccepted: librdkafka takes the defaults as they are,
// and they make delivery idempotent.
func TestProducerDefaultsAccepted(t *testing.T) {
	cm := ProducerDefaults("kafkaclient-test")
	if cm["enable.idempotence"] != true || cm["acks"] != "all" || cm["partitioner"] != "murmur2_random" {
		t.Fatalf("defaults are not idempotent with the Java partitioner: %v", cm)
	}
	if err := cm.SetKey("bootstrap.servers", "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	p, err := kafka.NewProducer(&cm)
	if err != nil {
		t.Fatalf("librdkafka refused the defaults: %v", err)
	}
	p.Close()
}
