package consumer_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/consumer"
)

// TestFaultBrokerGoneCloseBounded stops the broker under a running consumer
// and then stops the consumer, its one message finished only once the
// broker is gone (so that its offset is still to commit, whatever the
// periodic commits did before): Run returns once CloseTimeout has passed,
// with an error matching ErrCloseTimeout, instead of waiting for
// librdkafka's last commit until the group session times out; and no log
// line claims the brokers answer again.
func TestFaultBrokerGoneCloseBounded(t *testing.T) {
	s := itest.Start(t, itest.Options{})
	e := &env{t: t, broker: s.BrokerAddr, regURL: s.RegistryURL}
	useContract(t)
	e.createTopic(testContract.Topic, 3)
	p := e.producer()
	e.publish(p, &testEvent{ID: 1, Name: "a"})
	_, _ = p.Close(context.Background())

	logs := newLockedBuffer()
	cfg := e.config("close-bounded")
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	cfg.CloseTimeout = 2 * time.Second
	handled, release := make(chan struct{}, 1), make(chan struct{})
	c, err := consumer.New(cfg, consumer.Handle(func(context.Context, *testEvent, consumer.Message) error {
		handled <- struct{}{}
		<-release
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	recv(t, handled, "the event")
	s.Stop()
	cancel()
	close(release)
	select {
	case err := <-done:
		if !errors.Is(err, consumer.ErrCloseTimeout) {
			t.Errorf("Run = %v, want an error matching ErrCloseTimeout", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("Run did not return after its context ended, the broker gone; logs:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "answer again") {
		t.Errorf("a log line says the brokers answer again while they are gone:\n%s", logs.String())
	}
}
