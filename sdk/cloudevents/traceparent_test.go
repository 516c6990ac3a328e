package cloudevents

import (
	"context"
	"regexp"
	"testing"
)

func TestTraceparent(t *testing.T) {
	valid := []string{
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // a future version may append fields
	}
	invalid := []string{
		"",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has no more fields
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",       // zero trace id
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",       // zero parent id
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",       // version ff is invalid
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",       // upper case
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
		"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	}
	for _, tp := range valid {
		if got := TraceparentFrom(WithTraceparent(context.Background(), tp)); got != tp {
			t.Errorf("valid %q: got %q back", tp, got)
		}
	}
	for _, tp := range invalid {
		if got := TraceparentFrom(WithTraceparent(context.Background(), tp)); got != "" {
			t.Errorf("invalid %q: got %q back, want it ignored", tp, got)
		}
	}
}

func FuzzValidTraceparent(f *testing.F) {
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	f.Add("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x")
	f.Fuzz(func(t *testing.T, tp string) {
		if !ValidTraceparent(tp) {
			return
		}
		// What passes has the version 00 layout in its first 55 bytes.
		re := regexp.MustCompile(`^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}`)
		if !re.MatchString(tp) {
			t.Fatalf("%q accepted", tp)
		}
	})
}
