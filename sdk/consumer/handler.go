package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lunchbot/eventkit/sdk/contract"
)

// Handler is a typed handler registered with Handle or HandleBatch.
type Handler struct {
	contract *contract.Contract
	newEvent func() contract.Event
	call     func(ctx context.Context, e contract.Event, m Message) error
	// batch is set for a batch handler, which calls batchCall instead.
	batch     *BatchConfig
	batchCall func(ctx context.Context, es []contract.Event, ms []Message) error
}

// Handle registers fn for the events of type *T (a generated event type):
// the consumer subscribes to T's topic and calls fn with each event of that
// type, decoded into a new *T. fn's context carries the message's
// traceparent (see cloudevents.WithTraceparent), so events it publishes
// continue the trace.
func Handle[T any, PT interface {
	*T
	contract.Event
}](fn func(ctx context.Context, e PT, m Message) error) Handler {
	h := handlerOf[T, PT]()
	if fn != nil {
		h.call = func(ctx context.Context, e contract.Event, m Message) error { return fn(ctx, e.(PT), m) }
	}
	return h
}

// BatchConfig says how a batch handler's batches are made.
type BatchConfig struct {
	// Size is the largest batch. Default: DefaultBatchSize.
	Size int
	// Linger is how long a batch that is not full waits for more events
	// that are ready to be handled; zero hands over what is there at once.
	// Default: 0.
	Linger time.Duration
}

// DefaultBatchSize is the default of BatchConfig.Size.
const DefaultBatchSize = 100

// HandleBatch registers fn for the events of type *T, handed over in
// batches of up to cfg.Size events with their messages, in the order the
// consumer's Ordering keeps (a batch holds several events of one key only
// in offset order, and no other call holds that key meanwhile).
//
// fn reports the outcome of the whole batch: nil when every event is done;
// a *BatchError naming the first event that failed: the events before it
// are done, that one is retried or dead-lettered as a single handler's
// failure would be, and the ones after it are handed over again in another
// batch; any other error fails the whole batch, which is retried in place
// per Config.Retry and then has each event retried through the retry
// topics or dead-lettered.
func HandleBatch[T any, PT interface {
	*T
	contract.Event
}](cfg BatchConfig, fn func(ctx context.Context, es []PT, ms []Message) error) Handler {
	h := handlerOf[T, PT]()
	if cfg.Size <= 0 {
		cfg.Size = DefaultBatchSize
	}
	h.batch = &cfg
	if fn != nil {
		h.batchCall = func(ctx context.Context, es []contract.Event, ms []Message) error {
			typed := make([]PT, len(es))
			for i, e := range es {
				typed[i] = e.(PT)
			}
			return fn(ctx, typed, ms)
		}
	}
	return h
}

func handlerOf[T any, PT interface {
	*T
	contract.Event
}]() Handler {
	var zero T
	return Handler{
		contract: PT(&zero).Contract(),
		newEvent: func() contract.Event { return PT(new(T)) },
	}
}

// usable reports whether h was made by Handle or HandleBatch with a
// function and a contract that names a topic.
func (h *Handler) usable() bool {
	if h.contract == nil || h.contract.Topic == "" {
		return false
	}
	if h.batch != nil {
		return h.batchCall != nil
	}
	return h.call != nil
}

// BatchError is what a batch handler returns when the event at Index (of
// the batch it was given) failed: the events before it are done and the
// ones after it are handed over again.
type BatchError struct {
	Index int
	Err   error
}

// Error returns "batch event <index> failed: <err>".
func (e *BatchError) Error() string { return fmt.Sprintf("batch event %d failed: %v", e.Index, e.Err) }

// Unwrap returns Err.
func (e *BatchError) Unwrap() error { return e.Err }

// FailedAt returns the *BatchError for the event at index i of a batch.
func FailedAt(i int, err error) error { return &BatchError{Index: i, Err: err} }

// batchFailure returns the index a batch handler's error names, and
// whether it names one in range.
func batchFailure(err error, n int) (int, bool) {
	var be *BatchError
	if errors.As(err, &be) && be.Index >= 0 && be.Index < n {
		return be.Index, true
	}
	return 0, false
}

// route holds the handlers of one topic.
type route struct {
	byType map[string]*Handler // by event type (the ce_type header)
	byName map[string]*Handler // by the Avro full name of the event's record
	only   *Handler            // the handler when the topic has one
}

// pick returns the handler for an event type (a ce_type header's value),
// nil for none.
func (r *route) pick(typ []byte) *Handler {
	return r.byType[string(typ)] // no copy: the compiler looks the bytes up
}

// writerNamer is what routing a message without an event-type header
// needs of the Deserializer: *serde.Deserializer implements it. Without it
// such a message goes to the topic's only handler.
type writerNamer interface {
	WriterName(ctx context.Context, msg []byte) (string, error)
	CachedWriterName(msg []byte) (string, bool)
}
