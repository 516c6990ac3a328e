// Package kafkaclient holds what the SDK's librdkafka clients share — the
// producer, the consumer, the consumer's dead-letter producer and eventctl's
// console commands: the producer defaults that make delivery idempotent,
// the secrets to scrub from whatever a client prints, and the forwarding of
// librdkafka's logs to log/slog.
package kafkaclient

import (
	"context"
	"log/slog"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/redact"
)

// ProducerDefaults are the librdkafka properties of every producer the SDK
// makes, before the caller's: idempotent delivery, the Java client's
// partitioner, no Go copy of a delivered message, logs on a channel.
func ProducerDefaults(clientID string) kafka.ConfigMap {
	return kafka.ConfigMap{
		// No duplicates, no reordering on retries.
		"enable.idempotence": true,
		"acks":               "all",
		// The partitioner of the Java client and franz-go, so that the same
		// key lands on the same partition whoever produces it.
		"partitioner": "murmur2_random",
		"client.id":   clientID,
		// Delivery handlers need a message's opaque and position, not a Go
		// copy of its key and value.
		"go.delivery.report.fields": "none",
		// librdkafka's logs go to slog (ForwardLogs), not to stderr.
		"go.logs.channel.enable": true,
	}
}

// Secrets returns the secret values of a client configuration: the values
// of the properties whose names say they hold one (sasl.password,
// *.secret, ...), to be scrubbed with redact.Scrub from the client's errors
// and logs.
func Secrets(cm kafka.ConfigMap) []string { return redact.Properties(cm) }

// ForwardLogs logs every librdkafka log line of logs (a client's Logs
// channel, with go.logs.channel.enable) until the channel closes, with the
// secrets scrubbed: syslog levels 0-3 as errors, 4 (warning) as warnings,
// 5 (notice) as info, 6 (info) and 7 (debug) as debug. Lines that report a
// failed connection go to conn instead, when it is not nil, which logs
// them once per change of state.
func ForwardLogs(log *slog.Logger, logs <-chan kafka.LogEvent, secrets []string, conn *ConnLog) {
	for le := range logs {
		if conn != nil && isConnLog(le) {
			if isCauseLog(le) {
				conn.Cause(le.Message)
			} else {
				conn.Failure(le.Message)
			}
			continue
		}
		Log(log, le, secrets)
	}
}

// Log logs one librdkafka log line as ForwardLogs does.
func Log(log *slog.Logger, le kafka.LogEvent, secrets []string) {
	level := slog.LevelDebug // 6 (info) and 7 (debug): librdkafka's chatter
	switch {
	case le.Level <= 3:
		level = slog.LevelError
	case le.Level == 4:
		level = slog.LevelWarn
	case le.Level == 5:
		level = slog.LevelInfo
	}
	ctx := context.Background()
	if !log.Enabled(ctx, level) {
		return
	}
	log.LogAttrs(ctx, level, redact.Scrub(le.Message, secrets),
		slog.String("component", "librdkafka"), slog.String("tag", le.Tag))
}
