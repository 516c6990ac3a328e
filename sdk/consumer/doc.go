// Package consumer reads typed events from Kafka in a consumer group and
// hands each to the handler registered for its event type, at least once.
//
// Handlers are registered by type with Handle:
//
//	c, err := consumer.New(cfg,
//		consumer.Handle(func(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
//			return notify(ctx, e.CafeID, e.Date)
//		}),
//	)
//	err = c.Run(ctx) // until ctx ends
//
// # Delivery guarantees
//
// An offset is committed only after its message's handler returned nil, or
// after the message went to the dead-letter topic: offsets are stored once
// a message is done (enable.auto.offset.store=false) and librdkafka commits
// the stored offsets every Config.CommitInterval, when partitions are
// revoked, and when Run stops. A crash or a shutdown in the middle of a
// message gets that message delivered again, to this consumer or another
// one of the group; handlers must therefore tolerate duplicates (the
// message's EventID identifies them).
//
// Messages of one partition are handled one after the other, in order.
// A message is routed by its topic and its ce_type header; one without the
// header goes to its topic's handler when the topic has only one. Messages
// of event types without a handler are skipped (and committed): workers
// ignore the tasks they do not own.
//
// # Failures
//
// A handler's error (or panic, recovered and turned into a *PanicError) is
// retried per Config.Retry; an error wrapped with Permanent is not. A
// message whose handler still fails, or that cannot be decoded (not in the
// wire format, unknown schema id, schema the event cannot read, corrupt
// body), is produced to the dead-letter topic ("<topic>.dlq" by default)
// with its original key, value and headers plus the dlq.* headers that say
// why, and consumption goes on. A registry that cannot be reached is not
// the message's fault: decoding is retried until it answers. A broker that
// cannot be reached is waited for (librdkafka reconnects); a broker that
// refuses the credentials makes Run return an error, since retrying cannot
// fix it, and a fatal librdkafka error does too.
//
// # Shutdown
//
// When Run's context ends, the message in flight is finished (its handler's
// context is cancelled only after Config.ShutdownGrace), pending retries
// are abandoned (the message will be redelivered), stored offsets are
// committed and the client leaves the group.
package consumer
