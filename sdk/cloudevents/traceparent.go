package cloudevents

import "context"

// traceKey is the context key of the traceparent.
type traceKey struct{}

// WithTraceparent returns a context carrying the W3C traceparent tp
// ("00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>"); the producer
// sends it as the traceparent header. An invalid tp is ignored, as the W3C
// Trace Context specification asks (ctx is returned unchanged).
//
// This is the SDK's OpenTelemetry-free way to propagate a trace. The
// consumer puts the traceparent of each message it handles in the
// handler's context this way, so a handler that publishes continues the
// trace.
func WithTraceparent(ctx context.Context, tp string) context.Context {
	if !ValidTraceparent(tp) {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, tp)
}

// TraceparentFrom returns the traceparent WithTraceparent put in ctx, or "".
func TraceparentFrom(ctx context.Context) string {
	tp, _ := ctx.Value(traceKey{}).(string)
	return tp
}

// ValidTraceparent reports whether tp is a well-formed W3C traceparent of
// version 00 (or a later version, of which the first 55 characters are read
// as version 00's): lower-case hex fields, trace id and parent id not all
// zeros.
func ValidTraceparent(tp string) bool {
	if len(tp) < 55 || (len(tp) > 55 && (tp[:2] == "00" || tp[55] != '-')) {
		return false
	}
	if tp[2] != '-' || tp[35] != '-' || tp[52] != '-' || tp[:2] == "ff" {
		return false
	}
	if _, ok := lowerHex(tp[:2]); !ok {
		return false
	}
	if nz, ok := lowerHex(tp[3:35]); !ok || !nz {
		return false
	}
	if nz, ok := lowerHex(tp[36:52]); !ok || !nz {
		return false
	}
	_, ok := lowerHex(tp[53:55])
	return ok
}

// lowerHex reports whether s is lower-case hex, and whether it has a digit
// other than 0.
func lowerHex(s string) (nonZero, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			nonZero = nonZero || c != '0'
		case c >= 'a' && c <= 'f':
			nonZero = true
		default:
			return false, false
		}
	}
	return nonZero, true
}
