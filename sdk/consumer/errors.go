package consumer

import (
	"errors"
	"fmt"
)

// Errors matched with errors.Is.
var (
	// ErrConfig is matched by New's error for a configuration that cannot
	// work.
	ErrConfig = errors.New("consumer: bad configuration")
	// ErrRunning is returned by a second call of Run.
	ErrRunning = errors.New("consumer: Run was already called")
	// ErrCloseTimeout is matched by Run's error when its final commit and
	// leaving the group took longer than Config.CloseTimeout (the brokers
	// did not answer): what was not committed is delivered again.
	ErrCloseTimeout = errors.New("consumer: closing timed out")
)

// PanicError is a handler's panic, recovered.
type PanicError struct {
	// Value is what the handler panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error returns "handler panicked: <value>".
func (e *PanicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Permanent wraps err so that the consumer does not retry it: the message
// goes to the dead-letter topic at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err (or an error it wraps) was made by
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
