//go:build preotel

package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/lunchbot/eventkit/sdk/producer"
)

// sdkName names the SDK this binary is built against: the SDK as it was
// before OpenTelemetry (make bench builds it so, with the build tag
// preotel, for BenchmarkPreOTel). Files that need the current SDK's API
// have the build constraint !preotel.
const sdkName = "preotel"

// flushProducer: the SDK before OpenTelemetry has no Flush.
func flushProducer(context.Context, *producer.Producer) (int, error) {
	return 0, errors.New("the SDK before OpenTelemetry has no Flush")
}

// withHeaders accepts only the full profile: the SDK before OpenTelemetry
// had no other, and sent every header.
func withHeaders(_ *producer.Config, profile string) error {
	if profile != "full" {
		return fmt.Errorf("the SDK before OpenTelemetry has no header profile %q", profile)
	}
	return nil
}
