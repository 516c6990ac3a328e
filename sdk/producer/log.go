package producer

import (
	"context"
	"log/slog"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// logLoop forwards librdkafka's logs to the Logger.
func (p *Producer) logLoop() {
	defer p.loops.Done()
	kafkaclient.ForwardLogs(p.log, p.kp.Logs(), p.secrets)
}

// deliveryAttrs lists d's fields (and extra) as log attributes.
func deliveryAttrs(d Delivery, extra ...slog.Attr) []slog.Attr {
	return append([]slog.Attr{
		slog.String("topic", d.Topic),
		slog.Int("partition", int(d.Partition)),
		slog.Int64("offset", d.Offset),
		slog.Int("schema_id", d.SchemaID),
		slog.String("event_id", d.EventID.String()),
	}, extra...)
}

// logFailure logs a failed publish with the event's fields.
func (p *Producer) logFailure(ctx context.Context, e contract.Event, d Delivery, err error) {
	attrs := deliveryAttrs(d, slog.Any("error", err))
	if e != nil {
		attrs = append(attrs, slog.Any("event", e))
	}
	p.log.LogAttrs(ctx, slog.LevelError, "publish failed", attrs...)
}
