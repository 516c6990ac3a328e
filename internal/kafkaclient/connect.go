package kafkaclient

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/internal/redact"
	"github.com/lunchbot/eventkit/sdk/kafkaconfig"
)

// metadataClient is what the reachability check needs of a librdkafka
// client: *kafka.Producer and *kafka.Consumer have it.
type metadataClient interface {
	GetMetadata(topic *string, allTopics bool, timeoutMs int) (*kafka.Metadata, error)
}

// CheckReachable asks the brokers for metadata, for up to
// cfg.ConnectTimeout (or until ctx ends): a cluster that does not answer
// fails here, at start, with kafkaconfig.ErrUnreachable and what to check.
// It asks in short rounds, calling drain between them (nil for a client
// whose events another goroutine reads), so that the client's errors (a
// refused password, an untrusted certificate) reach conn and the message.
func CheckReachable(ctx context.Context, c metadataClient, cfg kafkaconfig.Config, secrets []string, conn *ConnLog, drain func()) error {
	timeout := cfg.ConnectTimeout
	if timeout <= 0 {
		timeout = kafkaconfig.DefaultConnectTimeout
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	deadline := time.Now().Add(timeout)
	for {
		round := min(time.Until(deadline), checkRound)
		_, err := c.GetMetadata(nil, false, int(max(round, time.Millisecond).Milliseconds()))
		if err == nil {
			return nil
		}
		if drain != nil {
			drain()
		}
		// A refused password or certificate does not heal by waiting.
		if !time.Now().Before(deadline) || ctx.Err() != nil || conn.Refused() {
			return Unreachable(cfg, timeout, redact.Error(err, secrets), conn.Last, "")
		}
	}
}

// checkRound bounds one metadata request of CheckReachable.
const checkRound = 500 * time.Millisecond

// Unreachable is the error of brokers that did not answer within timeout:
// it says where the client looked and what to check, and matches
// kafkaconfig.ErrUnreachable and cause. last, if not nil, returns the
// client's last message; flag, if not empty, is the command-line flag that
// sets the brokers, named beside the environment variable.
func Unreachable(cfg kafkaconfig.Config, timeout time.Duration, cause error, last func() string, flag string) error {
	servers := cfg.BootstrapServers
	if servers == "" {
		servers = kafkaconfig.DefaultBootstrapServers
	}
	lastText := ""
	if last != nil {
		lastText = redact.Scrub(last(), nil)
	}
	hint := ""
	if lastText != "" {
		hint = "; last client message: " + lastText
	}
	what := fmt.Sprintf("is the broker running? Point %s at it", kafkaconfig.EnvBrokerURL)
	if flag != "" {
		what = fmt.Sprintf("is the broker running? Point %s or $%s at it", flag, kafkaconfig.EnvBrokerURL)
	}
	switch l := strings.ToLower(lastText + " " + cause.Error()); {
	case strings.Contains(l, "sasl authentication") || strings.Contains(l, "authentication failed"):
		what = fmt.Sprintf("the broker refused the credentials (check %s, %s and %s)",
			kafkaconfig.EnvSASLUsername, kafkaconfig.EnvSASLPassword, kafkaconfig.EnvSASLMechanism)
	case strings.Contains(l, "certificate verify failed") || strings.Contains(l, "ssl handshake failed"):
		what = fmt.Sprintf("the TLS handshake failed (check %s and %s)", kafkaconfig.EnvSSLCALocation, kafkaconfig.EnvSecurityProtocol)
	}
	return fmt.Errorf("%w at %s within %s: %s (%w%s)",
		kafkaconfig.ErrUnreachable, servers, timeout, what, cause, hint)
}

// ConnLog turns a client's repeated connection errors into a line per
// change of state: one when the brokers stop answering, one when they
// answer again (with how many errors came meanwhile), and a reminder at
// most once a minute while they stay down. librdkafka reports every failed
// connection attempt, several a second: logging each would drown the
// service's logs.
type ConnLog struct {
	log     *slog.Logger
	secrets []string

	isDown atomic.Bool // down, for Healthy's fast path

	mu       sync.Mutex
	down     bool
	since    time.Time // when the brokers stopped answering
	noted    time.Time // the last line written
	errors   int       // errors since the last line
	total    int       // errors since they stopped answering
	lastText string
	cause    string // the last refused credential or certificate
}

// NewConnLog returns the ConnLog of a client that logs to log.
func NewConnLog(log *slog.Logger, secrets []string) *ConnLog {
	return &ConnLog{log: log, secrets: secrets}
}

// remindEvery is how often a ConnLog repeats that the brokers are still down.
const remindEvery = time.Minute

// Failure records a connection error.
func (c *ConnLog) Failure(text string) {
	text = redact.Scrub(text, c.secrets)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.lastText = text
	c.total++
	if !c.down {
		c.down, c.since, c.noted, c.errors = true, now, now, 0
		c.isDown.Store(true)
		c.log.Warn("kafka: the brokers do not answer; retrying (further connection errors are counted, not logged)",
			slog.String("error", text))
		return
	}
	c.errors++
	if now.Sub(c.noted) >= remindEvery {
		c.log.Warn("kafka: the brokers still do not answer", slog.Duration("for", now.Sub(c.since).Round(time.Second)),
			slog.Int("errors", c.errors), slog.String("last_error", text))
		c.noted, c.errors = now, 0
	}
}

// Healthy records a sign that the brokers answer (a delivery, a message, an
// assignment).
func (c *ConnLog) Healthy() {
	if !c.isDown.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.down {
		return
	}
	c.down = false
	c.isDown.Store(false)
	c.log.Info("kafka: the brokers answer again", slog.Duration("after", time.Since(c.since).Round(time.Millisecond)),
		slog.Int("errors", c.total))
	c.total = 0
}

// Cause records an error that says why the brokers cannot be used (a
// refused password, an untrusted certificate): a connection failure that
// Last prefers to the generic ones that follow it.
func (c *ConnLog) Cause(text string) {
	c.mu.Lock()
	c.cause = redact.Scrub(text, c.secrets)
	c.mu.Unlock()
	c.Failure(text)
}

// Record notes a client error about connecting, a refused handshake as the
// cause (Cause), any other as a failure (Failure), and reports whether e
// was one; other errors are the caller's to log.
func (c *ConnLog) Record(e kafka.Error) bool {
	switch {
	case IsHandshakeError(e):
		c.Cause(e.Error())
	case IsConnError(e):
		c.Failure(e.Error())
	default:
		return false
	}
	return true
}

// Refused reports whether a handshake was refused (Cause was called).
func (c *ConnLog) Refused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cause != ""
}

// Last returns the most telling connection error: the last cause, else the
// last failure; "" for none.
func (c *ConnLog) Last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cause != "" {
		return c.cause
	}
	return c.lastText
}

// Down reports whether the brokers are taken to be down.
func (c *ConnLog) Down() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.down
}

// IsConnError reports whether a client error event is about reaching the
// brokers (transport, resolution, all brokers down, a refused handshake)
// rather than about a message or the configuration.
func IsConnError(e kafka.Error) bool {
	switch e.Code() {
	case kafka.ErrTransport, kafka.ErrAllBrokersDown, kafka.ErrResolve, kafka.ErrTimedOut:
		return true
	}
	return IsHandshakeError(e)
}

// IsHandshakeError reports whether e is a refused TLS or SASL handshake: a
// cause to name (ConnLog.Cause), which no retry fixes.
func IsHandshakeError(e kafka.Error) bool {
	return e.Code() == kafka.ErrSsl || e.Code() == kafka.ErrAuthentication
}

// isConnLog reports whether a librdkafka log line reports a failed
// connection: its FAIL and ERROR lines are.
func isConnLog(le kafka.LogEvent) bool {
	return le.Level <= 4 && (le.Tag == "FAIL" || le.Tag == "ERROR")
}

// isCauseLog reports whether a connection log line names a refused
// handshake.
func isCauseLog(le kafka.LogEvent) bool {
	m := strings.ToLower(le.Message)
	return strings.Contains(m, "sasl authentication") || strings.Contains(m, "ssl handshake failed") || strings.Contains(m, "certificate verify failed")
}
