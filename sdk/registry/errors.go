package registry

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// Sentinel errors. Errors returned by Client methods match them with
// errors.Is.
var (
	// ErrSubjectNotFound: the subject does not exist (registry error code
	// 40401).
	ErrSubjectNotFound = errors.New("registry: subject not found")
	// ErrVersionNotFound: the subject has no such version (40402).
	ErrVersionNotFound = errors.New("registry: version not found")
	// ErrSchemaNotFound: no schema has this id, or the schema is not
	// registered under the subject (40403).
	ErrSchemaNotFound = errors.New("registry: schema not found")
	// ErrIncompatible: the subject's compatibility level refuses the schema
	// (HTTP 409).
	ErrIncompatible = errors.New("registry: schema incompatible with the subject's earlier versions")
	// ErrInvalidSchema: the registry cannot parse the schema (42201).
	ErrInvalidSchema = errors.New("registry: invalid schema")
	// ErrUnauthorized: the registry refused the credentials, or needs some
	// (HTTP 401 or 403).
	ErrUnauthorized = errors.New("registry: unauthorized")
	// ErrUnreachable: no registry URL answered (network errors, or 5xx and
	// 429 answers) within the retry budget.
	ErrUnreachable = errors.New("registry: unreachable")
	// ErrResponseTooLarge: the registry's answer exceeded
	// Config.MaxResponseBytes.
	ErrResponseTooLarge = errors.New("registry: response too large")
	// ErrBadResponse: the registry answered 2xx with a body that is not what
	// the API specifies.
	ErrBadResponse = errors.New("registry: malformed response")
)

// The registry error codes this package maps to sentinel errors.
const (
	CodeSubjectNotFound = 40401
	CodeVersionNotFound = 40402
	CodeSchemaNotFound  = 40403
	CodeIncompatible    = 409
	CodeInvalidSchema   = 42201
)

// Error is an error answer of the registry. It matches (errors.Is) the
// sentinel error of its code or status, e.g. ErrSubjectNotFound for 40401,
// ErrUnauthorized for HTTP 401 and 403.
type Error struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the registry's error code ("error_code", e.g. 40401), 0 when
	// the body carried none.
	Code int
	// Message is the registry's message, cut to 1 KiB.
	Message string

	// hint says what to do next; it never holds a secret.
	hint string
}

// Error returns e.g. `registry answered 404 Not Found (error code 40401):
// Subject 'x' not found.`.
func (e *Error) Error() string {
	s := fmt.Sprintf("registry answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != 0 {
		s += fmt.Sprintf(" (error code %d)", e.Code)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.hint != "" {
		s += " (" + e.hint + ")"
	}
	return s
}

// Unwrap returns the sentinel error the answer matches, nil for none.
func (e *Error) Unwrap() error {
	switch e.Code {
	case CodeSubjectNotFound:
		return ErrSubjectNotFound
	case CodeVersionNotFound:
		return ErrVersionNotFound
	case CodeSchemaNotFound:
		return ErrSchemaNotFound
	case CodeInvalidSchema:
		return ErrInvalidSchema
	}
	switch e.StatusCode {
	case http.StatusConflict:
		return ErrIncompatible
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrUnauthorized
	}
	return nil
}

// LogValue logs the error's fields as a group.
func (e *Error) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("status", e.StatusCode),
		slog.Int("code", e.Code),
		slog.String("message", e.Message),
	)
}

// retryable reports whether a request that got this answer may be retried:
// 408, 429 and 5xx.
func (e *Error) retryable() bool {
	return e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}
