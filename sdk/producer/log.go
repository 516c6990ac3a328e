package producer

import (
	"context"
	"errors"
	"log/slog"

	"github.com/lunchbot/eventkit/internal/kafkaclient"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// logLoop forwards librdkafka's logs to the Logger, its connection errors
// summarized.
func (p *Producer) logLoop() {
	defer p.loops.Done()
	kafkaclient.ForwardLogs(p.log, p.kp.Logs(), p.secrets, p.conn)
}

// eventAttr is the event's body as a log attribute: its fields, when the
// event describes itself to slog (generated events do) and bodies are
// logged at all (Config.OmitEventBodies); the zero Attr, which slog drops,
// otherwise. Never a %v of the event.
func (p *Producer) eventAttr(e contract.Event) slog.Attr {
	if p.omitBodies || e == nil {
		return slog.Attr{}
	}
	if lv, ok := e.(slog.LogValuer); ok {
		return slog.Any("event", lv)
	}
	return slog.Attr{}
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

// logFailure logs a failed publish: a refused event (it failed Validate:
// the caller has the error) at debug level, anything else at error level.
func (p *Producer) logFailure(ctx context.Context, e contract.Event, d Delivery, err error) {
	level, msg := slog.LevelError, "publish failed"
	if errors.Is(err, ErrInvalidEvent) {
		level, msg = slog.LevelDebug, "publish refused: invalid event"
	}
	if !p.log.Enabled(ctx, level) {
		return
	}
	p.log.LogAttrs(ctx, level, msg, deliveryAttrs(d, slog.Any("error", err), p.eventAttr(e))...)
}
