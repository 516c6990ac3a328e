package producer

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEventIDIsUUIDv7(t *testing.T) {
	now := time.Date(2025, 12, 8, 12, 30, 0, 123_000_000, time.UTC)
	seen := map[EventID]bool{}
	for i := 0; i < 10_000; i++ {
		id := newEventID(now.UnixMilli())
		if seen[id] {
			t.Fatalf("id %s repeated after %d ids", id, i)
		}
		seen[id] = true
		s := id.String()
		if !uuidV7.MatchString(s) {
			t.Fatalf("%q is not a UUIDv7", s)
		}
		if !id.Time().Equal(now) {
			t.Fatalf("id time %v, want %v", id.Time(), now)
		}
		back, err := ParseEventID(s)
		if err != nil || back != id {
			t.Fatalf("ParseEventID(%q) = %v, %v", s, back, err)
		}
	}
	if (EventID{}).String() != "" {
		t.Error("the zero id prints non-empty")
	}
}

func TestParseEventIDErrors(t *testing.T) {
	for _, s := range []string{"", "0190a5d-ac96-774b-bcce-b302099a8057", "01890a5d-ac96-774b-bcce-b302099a805g",
		"01890a5dxac96-774b-bcce-b302099a8057", "01890a5d-ac96-774b-bcce-b302099a80577", "01890a5d-ac96-774b-bcce-b302099a80-7"} {
		if _, err := ParseEventID(s); !errors.Is(err, ErrBadEventID) {
			t.Errorf("ParseEventID(%q) err = %v, want ErrBadEventID", s, err)
		}
	}
	id, err := ParseEventID("01890A5D-AC96-774B-BCCE-B302099A8057")
	if err != nil || id.String() != "01890a5d-ac96-774b-bcce-b302099a8057" {
		t.Errorf("upper case: %v, %v", id, err)
	}
}

func FuzzParseEventID(f *testing.F) {
	f.Add("01890a5d-ac96-774b-bcce-b302099a8057")
	f.Add("01890a5d-ac96-774b-bcce-b302099a80-7")
	f.Add("------------------------------------")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseEventID(s)
		if err != nil {
			return
		}
		if id == (EventID{}) {
			if id.String() != "" {
				t.Fatalf("the nil UUID prints %q, want \"\"", id.String())
			}
			return
		}
		// A parsed id prints back as s, up to case.
		again, err := ParseEventID(id.String())
		if err != nil || again != id {
			t.Fatalf("%q parsed to %v, which does not parse back (%v)", s, id, err)
		}
	})
}

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

func BenchmarkNewEventID(b *testing.B) {
	now := time.Now()
	var buf [36]byte
	for i := 0; i < b.N; i++ {
		id := newEventID(now.UnixMilli())
		_ = id.appendText(buf[:0])
	}
}
