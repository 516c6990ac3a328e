package cloudevents

import (
	"encoding/json"
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
		// UnmarshalText reads the bytes alike ("" aside: the zero id).
		var fromBytes EventID
		if berr := fromBytes.UnmarshalText([]byte(s)); s != "" && (fromBytes != id || (berr == nil) != (err == nil)) {
			t.Fatalf("UnmarshalText(%q) = %v, %v; ParseEventID = %v, %v", s, fromBytes, berr, id, err)
		}
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

// TestUnmarshalTextCopiesNothing: a consumer parses every message's ce_id
// header with it.
func TestUnmarshalTextCopiesNothing(t *testing.T) {
	b := []byte(NewEventID().String())
	var id EventID
	if n := testing.AllocsPerRun(100, func() { _ = id.UnmarshalText(b) }); n != 0 {
		t.Errorf("UnmarshalText allocates %v times", n)
	}
	if id.String() != string(b) {
		t.Errorf("parsed %v, want %s", id, b)
	}
	before := id
	if err := id.UnmarshalText([]byte("nope")); !errors.Is(err, ErrBadEventID) || id != before {
		t.Errorf("bad id: %v, err = %v; want it unchanged and ErrBadEventID", id, err)
	}
}

func BenchmarkNewEventID(b *testing.B) {
	now := time.Now()
	var buf [36]byte
	for i := 0; i < b.N; i++ {
		id := newEventID(now.UnixMilli())
		_ = id.appendText(buf[:0])
	}
}

func TestEventIDText(t *testing.T) {
	id := NewEventID()
	b, err := json.Marshal(struct{ ID EventID }{id})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"ID":"` + id.String() + `"}`; string(b) != want {
		t.Fatalf("json: %s, want %s", b, want)
	}
	var back struct{ ID EventID }
	if err := json.Unmarshal(b, &back); err != nil || back.ID != id {
		t.Fatalf("json round trip: %v, %v", back.ID, err)
	}
	if b, _ := json.Marshal(struct{ ID EventID }{}); string(b) != `{"ID":""}` {
		t.Errorf("the zero id marshals to %s", b)
	}
	if err := json.Unmarshal([]byte(`{"ID":""}`), &back); err != nil || !back.ID.IsZero() {
		t.Errorf(`"" unmarshals to %v, %v`, back.ID, err)
	}
	if err := json.Unmarshal([]byte(`{"ID":"nope"}`), &back); !errors.Is(err, ErrBadEventID) {
		t.Fatalf("bad id: err = %v, want ErrBadEventID", err)
	}
	if got, _ := id.AppendText([]byte("x:")); string(got) != "x:"+id.String() {
		t.Fatalf("AppendText = %q", got)
	}
	if !(EventID{}).IsZero() || id.IsZero() {
		t.Fatal("IsZero is wrong")
	}
	if d := time.Since(id.Time()); d < -time.Second || d > time.Minute {
		t.Fatalf("NewEventID's time is %v away from now", d)
	}
}
