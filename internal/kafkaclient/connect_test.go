package kafkaclient

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
)

// TestConnLogOneLinePerStateChange: a burst of connection errors makes one
// warning, the recovery one info line with the count, and secrets stay out.
func TestConnLogOneLinePerStateChange(t *testing.T) {
	var b bytes.Buffer
	c := NewConnLog(slog.New(slog.NewTextHandler(&b, nil)), []string{"pw-9"})
	c.Healthy() // up already: nothing
	for range 200 {
		c.Failure("Connect to ipv4#127.0.0.1:1 failed: Connection refused (pw-9)")
	}
	if !c.Down() || !strings.Contains(c.Last(), "Connection refused") {
		t.Fatalf("down %v, last %q", c.Down(), c.Last())
	}
	c.Healthy()
	c.Healthy()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines for 200 errors and a recovery, want 2:\n%s", len(lines), b.String())
	}
	if !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[1], "errors=200") || !strings.Contains(lines[1], "answer again") {
		t.Errorf("lines:\n%s", b.String())
	}
	if strings.Contains(b.String(), "pw-9") {
		t.Errorf("a secret was logged:\n%s", b.String())
	}
}

// TestForwardLogsSummarizesConnectionLines: librdkafka's FAIL lines go to
// the ConnLog; other lines are logged as they are.
func TestForwardLogsSummarizesConnectionLines(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewTextHandler(&b, nil))
	conn := NewConnLog(log, nil)
	logs := make(chan kafka.LogEvent, 10)
	for range 5 {
		logs <- kafka.LogEvent{Level: 3, Tag: "FAIL", Message: "Connect to ipv4#127.0.0.1:1 failed"}
	}
	logs <- kafka.LogEvent{Level: 4, Tag: "CONFWARN", Message: "a configuration warning"}
	close(logs)
	ForwardLogs(log, logs, nil, conn)
	if n := strings.Count(b.String(), "\n"); n != 2 || !strings.Contains(b.String(), "a configuration warning") {
		t.Errorf("%d lines, want the connection warning and the configuration warning:\n%s", n, b.String())
	}
}

// TestCheckReachableFailsWithinTheTimeout: nothing listens on port 1, so
// the check fails within its timeout (plus librdkafka's slack), with
// ErrUnreachable and the address in the message.
func TestCheckReachableFailsWithinTheTimeout(t *testing.T) {
	cfg := kafkaconfig.Config{BootstrapServers: "127.0.0.1:1", ConnectTimeout: time.Second}
	cm, err := cfg.ConfigMap(ProducerDefaults("check-test"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := kafka.NewProducer(&cm)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	conn := NewConnLog(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), nil)
	go ForwardLogs(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), p.Logs(), nil, conn)
	start := time.Now()
	err = CheckReachable(context.Background(), p, cfg, nil, conn, nil)
	took := time.Since(start)
	if !errors.Is(err, kafkaconfig.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "cannot reach Kafka at 127.0.0.1:1 within 1s: is the broker running? Point KAFKA_BROKER_URL at it") {
		t.Errorf("message: %v", err)
	}
	if took > 10*time.Second {
		t.Errorf("the check took %v with a 1s timeout", took)
	}
	// A context that ends sooner bounds it too.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	cfg.ConnectTimeout = time.Minute
	if err := CheckReachable(ctx, p, cfg, nil, NewConnLog(slog.New(slog.DiscardHandler), nil), nil); !errors.Is(err, kafkaconfig.ErrUnreachable) {
		t.Fatalf("with a short context: %v", err)
	}
}

// TestConnLogRecord: a refused handshake is the cause, another connection
// error a failure, and any other error is left to the caller.
func TestConnLogRecord(t *testing.T) {
	c := NewConnLog(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), nil)
	if c.Record(kafka.NewError(kafka.ErrMsgSizeTooLarge, "too large", false)) {
		t.Error("a message error counted as a connection error")
	}
	if !c.Record(kafka.NewError(kafka.ErrTransport, "connection refused", false)) || c.Refused() {
		t.Error("a transport error: not recorded, or taken for a refused handshake")
	}
	if !c.Down() {
		t.Error("a transport error did not mark the brokers down")
	}
	if !c.Record(kafka.NewError(kafka.ErrSsl, "certificate verify failed", false)) || !c.Refused() {
		t.Error("a TLS error not recorded as the cause")
	}
}
