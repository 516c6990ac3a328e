package itest

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"testing"
)

// maxTopicLen is Kafka's limit on a topic name's length.
const maxTopicLen = 249

var topicSeq atomic.Uint64

// Topic returns a topic name no other call returns, in this process or
// another: base, the test's name, a counter and a random suffix, with
// characters Kafka refuses replaced by '-', cut to Kafka's 249 characters.
// Tests sharing a broker use it to stay apart; with TopicNameStrategy the
// registry subject is Topic(...) + "-value", so it separates subjects too.
func Topic(t testing.TB, base string) string {
	t.Helper()
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatalf("itest: random topic suffix: %v", err)
	}
	suffix := "." + strconv.FormatUint(topicSeq.Add(1), 10) + "-" + hex.EncodeToString(r[:])
	name := sanitizeTopic(t.Name())
	if base != "" {
		name = sanitizeTopic(base) + "." + name
	}
	if len(name)+len(suffix) > maxTopicLen {
		name = name[:maxTopicLen-len(suffix)]
	}
	return name + suffix
}

// sanitizeTopic keeps the characters Kafka allows in topic names
// ([a-zA-Z0-9._-]) and replaces the others with '-'.
func sanitizeTopic(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			b[i] = '-'
		}
	}
	return string(b)
}
