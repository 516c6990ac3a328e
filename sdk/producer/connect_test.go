package producer_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
)

// TestNewFailsFastWhenNoBrokerAnswers: with nothing listening, New fails
// within the connect timeout (plus slack), with ErrUnreachable and what
// to check, and logs no more than a line about it.
func TestNewFailsFastWhenNoBrokerAnswers(t *testing.T) {
	logs := &syncBuffer{}
	start := time.Now()
	_, err := producer.New(context.Background(), producer.Config{
		Kafka:      kafkaconfig.Config{BootstrapServers: "127.0.0.1:1", ConnectTimeout: time.Second},
		Serializer: &fakeSerializer{id: 1},
		Logger:     newLogger(logs),
	}, testContract)
	took := time.Since(start)
	if !errors.Is(err, kafkaconfig.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if want := "cannot reach Kafka at 127.0.0.1:1 within 1s: is the broker running? Point KAFKA_BROKER_URL at it"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if took > 10*time.Second {
		t.Errorf("New took %v with a 1s connect timeout", took)
	}
	if n := strings.Count(logs.String(), "\n"); n > 1 {
		t.Errorf("%d log lines:\n%s", n, logs.String())
	}
}

// TestConnectionErrorsAreSummarized: a producer whose broker never answers
// (the start-up check skipped) logs one line about it, however many
// connection attempts librdkafka makes, plus one per undelivered message.
func TestConnectionErrorsAreSummarized(t *testing.T) {
	logs := &syncBuffer{}
	p, err := producer.New(context.Background(), producer.Config{
		Kafka:           kafkaconfig.Config{BootstrapServers: "127.0.0.1:1", SkipConnectCheck: true},
		Serializer:      &fakeSerializer{id: 1},
		Logger:          newLogger(logs),
		DeliveryTimeout: 3 * time.Second,
	}, testContract)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := p.Publish(ctx, &testEvent{ID: 1, Name: "a"})
	if !errors.Is(err, producer.ErrNotDelivered) {
		t.Fatalf("Publish: %v (%+v), want ErrNotDelivered after the delivery timeout", err, d)
	}
	_, _ = p.Close(ctx)
	out := logs.String()
	if n := strings.Count(out, "brokers do not answer"); n != 1 {
		t.Errorf("%d 'brokers do not answer' lines, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "\n"); n > 3 {
		t.Errorf("%d log lines in 3s of an unreachable broker:\n%s", n, out)
	}
}

func newLogger(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
