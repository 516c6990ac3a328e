package consumer

import (
	"context"

	"github.com/lunchbot/eventkit/sdk/contract"
)

// Handler is a typed handler registered with Handle.
type Handler struct {
	contract *contract.Contract
	newEvent func() contract.Event
	call     func(ctx context.Context, e contract.Event, m Message) error
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
	var zero T
	h := Handler{
		contract: PT(&zero).Contract(),
		newEvent: func() contract.Event { return PT(new(T)) },
	}
	if fn != nil {
		h.call = func(ctx context.Context, e contract.Event, m Message) error { return fn(ctx, e.(PT), m) }
	}
	return h
}

// route holds the handlers of one topic.
type route struct {
	byType map[string]*Handler
	only   *Handler // the handler when the topic has one
}

// pick returns the handler for an event type, nil for none. A message
// without a type goes to the topic's only handler.
func (r *route) pick(typ string) *Handler {
	if typ == "" {
		return r.only
	}
	return r.byType[typ]
}
