package producer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lunchbot/eventkit/sdk/producer"
)

// TestConfigFromEnvDeliveryTimeout: KAFKA_DELIVERY_TIMEOUT sets the
// delivery timeout; unset leaves librdkafka's default (zero); anything but
// a positive duration is an error that names the variable.
func TestConfigFromEnvDeliveryTimeout(t *testing.T) {
	t.Setenv("KAFKA_BROKER_URL", "127.0.0.1:9092")
	t.Setenv("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081")
	for _, c := range []struct {
		value string
		want  time.Duration
		err   bool
	}{
		{"", 0, false},
		{"30s", 30 * time.Second, false},
		{" 2m ", 2 * time.Minute, false},
		{"0s", 0, true},
		{"-1s", 0, true},
		{"30", 0, true},
	} {
		t.Setenv(producer.EnvDeliveryTimeout, c.value)
		cfg, err := producer.ConfigFromEnv()
		switch {
		case c.err && (err == nil || !strings.Contains(err.Error(), "KAFKA_DELIVERY_TIMEOUT")):
			t.Errorf("%q: err = %v, want one naming KAFKA_DELIVERY_TIMEOUT", c.value, err)
		case !c.err && err != nil:
			t.Errorf("%q: %v", c.value, err)
		case !c.err && cfg.DeliveryTimeout != c.want:
			t.Errorf("%q: DeliveryTimeout = %v, want %v", c.value, cfg.DeliveryTimeout, c.want)
		}
	}
}
