// Package service holds what the example services share: a logger
// configured from the environment, the rules that stop a worker early (for
// demos and tests), and the JSON line each example prints per event.
//
// It is part of the examples, not of the SDK: a real service would have its
// own logging and output.
package service

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Environment variables read by Logger.
const (
	// EnvLogLevel is the minimum level logged: debug, info (default), warn
	// or error.
	EnvLogLevel = "LOG_LEVEL"
	// EnvLogFormat is text (default) or json.
	EnvLogFormat = "LOG_FORMAT"
)

// Logger returns a slog logger writing to w, configured by LOG_LEVEL and
// LOG_FORMAT as getenv reads them, with a "service" attribute naming the
// program. It reports an unknown level or format.
func Logger(w io.Writer, getenv func(string) string, name string) (*slog.Logger, error) {
	var level slog.Level
	switch v := strings.ToLower(strings.TrimSpace(getenv(EnvLogLevel))); v {
	case "", "info":
		level = slog.LevelInfo
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, fmt.Errorf("%s=%q: want debug, info, warn or error", EnvLogLevel, v)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch v := strings.ToLower(strings.TrimSpace(getenv(EnvLogFormat))); v {
	case "", "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("%s=%q: want text or json", EnvLogFormat, v)
	}
	return slog.New(h).With(slog.String("service", name)), nil
}
