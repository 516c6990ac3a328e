package producer

import (
	"errors"
	"fmt"

	"github.com/lunchbot/eventkit/sdk/cloudevents"
)

// Errors matched with errors.Is.
var (
	// ErrInvalidEvent is matched by the error of publishing an event whose
	// Validate failed; the error also matches Validate's.
	ErrInvalidEvent = errors.New("producer: invalid event")
	// ErrClosed is returned by calls on a closed Producer.
	ErrClosed = errors.New("producer: closed")
	// ErrNotDelivered is matched by a *DeliveryError: Kafka did not
	// acknowledge the message.
	ErrNotDelivered = errors.New("producer: message not delivered")
	// ErrConfig is matched by New's error for a configuration that cannot
	// work.
	ErrConfig = errors.New("producer: bad configuration")
)

// DeliveryError reports a message Kafka did not acknowledge: the delivery
// timeout passed, the broker refused it, or Close purged it. It matches
// ErrNotDelivered and unwraps to the kafka.Error (errors.As) that says why.
type DeliveryError struct {
	Topic   string
	EventID cloudevents.EventID
	Err     error
}

// Error returns e.g. `producer: message 0190...-... to lunch-bot.deadlines not
// delivered: Local: Message timed out`.
func (e *DeliveryError) Error() string {
	if e.EventID.IsZero() { // HeadersNone, or a publish without a callback
		return fmt.Sprintf("producer: message to %s not delivered: %v", e.Topic, e.Err)
	}
	return fmt.Sprintf("producer: message %s to %s not delivered: %v", e.EventID, e.Topic, e.Err)
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Is matches ErrNotDelivered.
func (e *DeliveryError) Is(target error) bool { return target == ErrNotDelivered }
