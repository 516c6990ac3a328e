package consumer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/consumer"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
	"github.com/lunchbot/eventkit/sdk/registry"
)

func TestNewValidates(t *testing.T) {
	newContractForUnit()
	h, _ := collect()
	ok := consumer.Config{GroupID: "g", Registry: registry.Config{URLs: []string{"http://127.0.0.1:1"}}}
	tests := []struct {
		name     string
		cfg      consumer.Config
		handlers []consumer.Handler
	}{
		{"no group", consumer.Config{}, []consumer.Handler{h}},
		{"no handler", ok, nil},
		{"nil handler func", ok, []consumer.Handler{consumer.Handle[testEvent](nil)}},
		{"zero handler", ok, []consumer.Handler{{}}},
		{"duplicate", ok, []consumer.Handler{h, h}},
		{"bad kafka config", consumer.Config{GroupID: "g", Kafka: kafkaconfig.Config{SecurityProtocol: "carrier-pigeon"}}, []consumer.Handler{h}},
		{"bad registry URL", consumer.Config{GroupID: "g", Registry: registry.Config{URLs: []string{"ftp://x"}}}, []consumer.Handler{h}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := consumer.New(tt.cfg, tt.handlers...)
			if !errors.Is(err, consumer.ErrConfig) {
				t.Errorf("err = %v, want ErrConfig", err)
			}
		})
	}
}

// newContractForUnit sets a test contract for tests that need no server.
func newContractForUnit() {
	testContract = newUnitContract()
}

func TestRunOnce(t *testing.T) {
	newContractForUnit()
	h, _ := collect()
	c, err := consumer.New(consumer.Config{GroupID: "g", Kafka: kafkaconfig.Config{BootstrapServers: "127.0.0.1:1"}, Logger: slog.New(slog.DiscardHandler)}, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatalf("first Run with an ended context: %v", err)
	}
	if err := c.Run(context.Background()); !errors.Is(err, consumer.ErrRunning) {
		t.Errorf("second Run: err = %v, want ErrRunning", err)
	}
	if diff := cmp.Diff([]string{testContract.Topic}, c.Topics()); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
}

func TestConfigHidesSecrets(t *testing.T) {
	cfg := consumer.Config{
		GroupID:  "g",
		Kafka:    kafkaconfig.Config{SecurityProtocol: "sasl_ssl", SASLMechanism: "PLAIN", SASLUsername: "u", SASLPassword: "kafka-hunter2"},
		Registry: registry.Config{Username: "r", Password: "registry-hunter2"},
	}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
		fmt.Fprintf(&out, verb+"\n", cfg)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("cfg", "cfg", cfg)
	for _, secret := range []string{"kafka-hunter2", "registry-hunter2"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("%s printed:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "sasl_ssl") {
		t.Errorf("the settings are not printed at all:\n%s", out.String())
	}
}
