package avrobin

import (
	"strconv"
	"unicode/utf8"
)

// MaxLogText is how many bytes of a string LogText keeps.
const MaxLogText = 256

// LogText returns s as a generated LogValue shows it: whole when it has at
// most MaxLogText bytes, else its start and how long it is, so that no
// string makes a log line long. Short strings cost nothing.
func LogText(s string) string {
	if len(s) <= MaxLogText {
		return s
	}
	return textStart(s, MaxLogText) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

// textStart returns the first n bytes of s or fewer, cut where a rune
// starts, so that the start of valid UTF-8 stays valid.
func textStart(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
