package producer_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/internal/itest"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/producer"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/serde"
)

// slack is what a loaded machine may add to a bounded wait.
const slack = 30 * time.Second

// deadAddr returns a 127.0.0.1 address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestFaultBrokerDownPublishBounded: with the broker down from the start
// (nothing listens) or gone mid-way (a kfake stack stopped after a first
// publish), a synchronous publish fails with ErrNotDelivered within the
// delivery timeout (plus slack), and an asynchronous one reports the same
// through its callback.
func TestFaultBrokerDownPublishBounded(t *testing.T) {
	const timeout = 3 * time.Second
	check := func(t *testing.T, p *producer.Producer, c func(id int64) *contractEvent) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // not the bound
		defer cancel()
		async := make(chan error, 1)
		start := time.Now()
		if err := p.PublishAsync(ctx, c(10), func(_ producer.Delivery, err error) { async <- err }); err != nil {
			t.Fatal(err)
		}
		_, err := p.Publish(ctx, c(11))
		took := time.Since(start)
		var de *producer.DeliveryError
		if !errors.As(err, &de) || !errors.Is(err, producer.ErrNotDelivered) {
			t.Errorf("sync publish: err = %v, want a *DeliveryError", err)
		}
		if took > timeout+slack {
			t.Errorf("sync publish returned after %v; the delivery timeout is %v", took, timeout)
		}
		select {
		case err := <-async:
			if !errors.Is(err, producer.ErrNotDelivered) {
				t.Errorf("async publish: callback err = %v, want ErrNotDelivered", err)
			}
		case <-time.After(timeout + slack):
			t.Errorf("async publish: no callback within %v", timeout+slack)
		}
		t.Logf("sync publish failed after %v (delivery timeout %v): %v", took.Round(10*time.Millisecond), timeout, err)
	}

	t.Run("never up", func(t *testing.T) {
		c := itestContract(t)
		p, err := producer.New(context.Background(), producer.Config{
			// The start-up check would refuse; this is about a producer
			// created before its broker, which waits for it.
			Kafka:    kafkaconfig.Config{BootstrapServers: deadAddr(t), SkipConnectCheck: true},
			Registry: registry.Config{URLs: []string{itest.Registry(t)}}, Serde: serde.SerializerConfig{AutoRegister: true},
			DeliveryTimeout: timeout, Logger: slog.New(slog.DiscardHandler),
		}, c)
		if err != nil {
			t.Fatalf("New without the connect check needs no broker: %v", err)
		}
		defer p.Close(context.Background())
		check(t, p, func(id int64) *contractEvent { return &contractEvent{testEvent{ID: id, Name: "x"}, c} })
	})

	t.Run("goes down", func(t *testing.T) {
		s := itest.Start(t, itest.Options{InMemory: true})
		c := itestContract(t)
		p, err := producer.New(context.Background(), producer.Config{
			Kafka:    kafkaconfig.Config{BootstrapServers: s.BrokerAddr},
			Registry: registry.Config{URLs: []string{s.RegistryURL}}, Serde: serde.SerializerConfig{AutoRegister: true},
			DeliveryTimeout: timeout, Logger: slog.New(slog.DiscardHandler),
		}, c)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(context.Background())
		if _, err := p.Publish(context.Background(), &contractEvent{testEvent{ID: 1, Name: "up"}, c}); err != nil {
			t.Fatal(err)
		}
		s.Stop()
		check(t, p, func(id int64) *contractEvent { return &contractEvent{testEvent{ID: id, Name: "x"}, c} })
	})
}

// TestFaultRegistryDownAtStart: producer.New fails with a clear error after
// its bounded retries when the registry cannot be reached: at once-ish when
// nothing listens (4 attempts, backoff at most 100+200+400ms), within
// MaxAttempts×RequestTimeout plus backoff when it accepts connections but
// never answers, and at the caller's deadline when that comes first.
func TestFaultRegistryDownAtStart(t *testing.T) {
	hanging := itest.NewFaultProxy(t, itest.Registry(t), nil)
	hanging.Set(itest.Fault{Delay: time.Hour})
	for _, tt := range []struct {
		name     string
		url      string
		cfg      registry.Config
		deadline time.Duration // of the caller's context; 0 for none
		bound    time.Duration
		says     string
	}{
		{"nothing listens, defaults", "http://" + deadAddr(t), registry.Config{}, 0,
			registry.DefaultMaxBackoff * time.Duration(registry.DefaultMaxAttempts), "connection refused"},
		{"never answers, 1s request timeout", hanging.URL, registry.Config{RequestTimeout: time.Second}, 0,
			time.Duration(registry.DefaultMaxAttempts) * (time.Second + registry.DefaultMaxBackoff), "no answer within 1s"},
		{"never answers, caller's 2s deadline", hanging.URL, registry.Config{}, 2 * time.Second,
			2 * time.Second, "deadline exceeded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := itestContract(t)
			cfg := tt.cfg
			cfg.URLs = []string{tt.url}
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			start := time.Now()
			p, err := producer.New(ctx, producer.Config{
				Kafka:    kafkaconfig.Config{BootstrapServers: deadAddr(t)},
				Registry: cfg, Logger: slog.New(slog.DiscardHandler),
			}, c)
			took := time.Since(start)
			if err == nil {
				p.Close(context.Background())
				t.Fatal("New succeeded without a registry")
			}
			if tt.deadline == 0 && !errors.Is(err, registry.ErrUnreachable) {
				t.Errorf("err = %v, want ErrUnreachable", err)
			}
			if tt.deadline > 0 && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded", err)
			}
			if !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), c.Subject) {
				t.Errorf("err = %q, want it to name the subject and say %q", err, tt.says)
			}
			if took > tt.bound+slack {
				t.Errorf("New failed after %v, want within %v", took, tt.bound)
			}
			t.Logf("New failed after %v: %v", took.Round(10*time.Millisecond), err)
		})
	}
}
