// Package consumer reads typed events from Kafka in a consumer group and
// hands each to the handler registered for its event type, at least once,
// with as many handler calls in flight as Config.Concurrency allows.
//
// Handlers are registered by type with Handle (one event a call) or
// HandleBatch (up to a batch's size a call):
//
//	c, err := consumer.New(cfg,
//		consumer.Handle(func(ctx context.Context, e *events.DeadlinePassed, m consumer.Message) error {
//			return notify(ctx, e.CafeID, e.Date)
//		}),
//	)
//	err = c.Run(ctx) // until ctx ends
//
// # Concurrency and order
//
// One goroutine polls; Config.Concurrency workers call the handlers. Which
// messages may run at the same time is Config.Ordering's choice. With
// OrderKey (the default), events of one key wait for each other and
// different keys run side by side, within and across partitions:
//
//	partition 0:  k1@0  k2@1  k1@2  k3@3
//	partition 1:  k4@0  k4@1
//
//	worker 1:  k1@0 ──────▶ k1@2 ──▶      (k1@2 waits for k1@0)
//	worker 2:  k2@1 ──▶ k3@3 ──▶
//	worker 3:  k4@0 ──▶ k4@1 ──▶          (k4@1 waits for k4@0)
//
// OrderPartition runs one message of a partition at a time; OrderNone runs
// anything. Concurrency 1 handles one message at a time, in the order they
// arrive. Messages without a key have no key order to keep.
//
// # Delivery guarantees
//
// The consumer commits, for each partition, only up to its lowest unfinished
// offset (finished: handled, sent to a retry topic or the dead-letter topic,
// or skipped), every Config.CommitInterval, when partitions are revoked and
// when Run stops: no gap is ever committed. The offsets already finished
// above it go into the commit's metadata, and whoever consumes the
// partition next skips them, so a crash delivers again only what was
// unfinished (or finished since the last commit). Handlers must tolerate
// duplicates all the same (Message.EventID identifies them).
//
// A message is routed by its topic and its ce_type header; one without the
// header goes to its topic's handler when the topic has only one. Messages
// of event types without a handler are skipped (and committed), or
// dead-lettered with Config.Unhandled.
//
// # Backpressure
//
// At most Config.MaxInFlight messages (and Config.MaxInFlightBytes of keys
// and values) are held between the poll and the end of their handling; past
// that the consumer takes no more until half of it is done, pausing its
// partitions (librdkafka stops fetching) when that takes the handlers more
// than a second, so memory stays bounded however large the backlog and
// however slow the handlers. (A pause drops what librdkafka had prefetched,
// and a resumed partition is fetched from again only up to a second later:
// the short waits of a fast consumer do without it.)
//
// # Failures and retries
//
// A handler's error (or panic, recovered and turned into a *PanicError) is
// retried in place per Config.Retry, which holds the message's key (or
// partition) meanwhile: strict order, at the price of that key's progress.
// An error wrapped with Permanent is not retried. With Config.RetryTopics,
// a message that still fails goes to the retry topic of the next tier
// ("<topic>.retry.<n>"), which the same consumer reads, pausing each retry
// partition until its head message is due (never sleeping on the poll
// loop); its key's later events go on meanwhile, so a retried event leaves
// its key's order. After the last tier, or for a permanent error, the
// message is produced to the dead-letter topic ("<topic>.dlq" by default)
// with its original key, value and headers plus the dlq.* headers that say
// why, and consumption goes on. Messages that cannot be decoded (not in the
// wire format, unknown schema id, schema the event cannot read, corrupt
// body) go to the dead-letter topic at once. A registry that cannot be
// reached is not the message's fault: decoding is retried until it
// answers. A broker that cannot be reached is waited for (librdkafka
// reconnects); a broker that refuses the credentials makes Run return an
// error, since retrying cannot fix it, and a fatal librdkafka error does
// too.
//
// # Rebalances
//
// Partitions are assigned with librdkafka's cooperative-sticky strategy: a
// member joining or leaving moves only the partitions that change owner.
// A revoked partition's queued messages are dropped (its new owner reads
// them), the handler calls in flight on it are waited for (up to
// Config.ShutdownGrace), and its finished offsets are committed before it
// is let go. Config.OnAssign and Config.OnRevoke report both.
//
// # Shutdown
//
// When Run's context ends, no more messages are handed out; the handler
// calls in flight finish (their context is cancelled only after
// Config.ShutdownGrace), pending in-place retries are abandoned (the
// message will be redelivered), the finished offsets are committed and the
// client leaves the group.
package consumer
