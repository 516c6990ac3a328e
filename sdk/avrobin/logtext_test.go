package avrobin

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLogText: short strings whole, long ones cut at a rune's start with
// their length, never longer than MaxLogText and the suffix.
func TestLogText(t *testing.T) {
	long := strings.Repeat("é", MaxLogText) // two bytes each: a cut in the middle of one must back off
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"cafe", "cafe"},
		{strings.Repeat("a", MaxLogText), strings.Repeat("a", MaxLogText)},
		{strings.Repeat("a", MaxLogText+1), strings.Repeat("a", MaxLogText) + "... (257 bytes)"},
		{"x" + long, "x" + strings.Repeat("é", (MaxLogText-1)/2) + "... (513 bytes)"},
	} {
		got := LogText(c.in)
		if got != c.want {
			t.Errorf("LogText(%d bytes) = %q, want %q", len(c.in), got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("LogText(%d bytes) is not valid UTF-8: %q", len(c.in), got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = LogText("a short name") }); n != 0 {
		t.Errorf("LogText of a short string allocates %v times", n)
	}
}
