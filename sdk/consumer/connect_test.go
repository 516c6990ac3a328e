package consumer_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func unreachableConfig(logs *lockedBuffer, kafka kafkaconfig.Config) consumer.Config {
	testContract = &contract.Contract{Type: "eventkit.test", Name: "eventkit.test.Event", Topic: "nowhere", Subject: "nowhere-value", Schema: testSchema}
	return consumer.Config{
		Kafka:    kafka,
		Registry: registry.Config{URLs: []string{"http://127.0.0.1:1"}},
		GroupID:  "nobody-home",
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

// TestRunFailsFastWhenNoBrokerAnswers: Run returns ErrUnreachable within
// the connect timeout (plus slack) instead of waiting for ever.
func TestRunFailsFastWhenNoBrokerAnswers(t *testing.T) {
	logs := newLockedBuffer()
	c, err := consumer.New(unreachableConfig(logs, kafkaconfig.Config{BootstrapServers: "127.0.0.1:1", ConnectTimeout: time.Second}),
		consumer.Handle(func(context.Context, *testEvent, consumer.Message) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = c.Run(context.Background())
	if !errors.Is(err, kafkaconfig.ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach Kafka at 127.0.0.1:1 within 1s") {
		t.Fatalf("Run: %v, want ErrUnreachable with the address", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Run took %v with a 1s connect timeout", took)
	}
	if n := strings.Count(logs.String(), "\n"); n > 1 {
		t.Errorf("%d log lines:\n%s", n, logs.String())
	}
}

// TestConnectionErrorsAreSummarized: a consumer left waiting for a broker
// that never answers (the check skipped) logs one line about it, not one
// per connection attempt: one for the consumer's client and one for its
// dead-letter producer.
func TestConnectionErrorsAreSummarized(t *testing.T) {
	logs := newLockedBuffer()
	c, err := consumer.New(unreachableConfig(logs, kafkaconfig.Config{BootstrapServers: "127.0.0.1:1", SkipConnectCheck: true}),
		consumer.Handle(func(context.Context, *testEvent, consumer.Message) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	out := logs.String()
	if n := strings.Count(out, "brokers do not answer"); n != 2 {
		t.Errorf("%d 'brokers do not answer' lines, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "client=dead-letter"); n != 1 {
		t.Errorf("%d dead-letter producer lines, want 1:\n%s", n, out)
	}
	// started, the broker line, stopping, stopped (and a revocation or a
	// failed commit at most).
	if n := strings.Count(out, "\n"); n > 6 {
		t.Errorf("%d log lines in 5s of an unreachable broker:\n%s", n, out)
	}
}
