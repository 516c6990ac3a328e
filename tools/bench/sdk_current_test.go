//go:build !preotel

package bench

import (
	"context"
	"fmt"

	"github.com/lunchbot/eventkit/sdk/producer"
)

// sdkName names the SDK this binary is built against: the module's own.
// make bench also builds the benchmarks against the SDK as it was before
// OpenTelemetry, with the build tag preotel (sdk_preotel_test.go), for
// BenchmarkPreOTel.
const sdkName = "current"

// flushProducer waits for p's messages in flight (Producer.Flush).
func flushProducer(ctx context.Context, p *producer.Producer) (int, error) { return p.Flush(ctx) }

// withHeaders sets cfg's header profile by its name (HeaderProfile.String).
func withHeaders(cfg *producer.Config, profile string) error {
	for h := producer.HeadersFull; h <= producer.HeadersNone; h++ {
		if h.String() == profile {
			cfg.Headers = h
			return nil
		}
	}
	return fmt.Errorf("no header profile %q", profile)
}
