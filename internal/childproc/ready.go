package childproc

import (
	"strings"
	"sync"
)

// ReadyPrefix begins the ready line that "devstack run" (tools/devstack)
// prints on its standard output once the broker and the registry answer:
//
//	KAFKA_BROKER_URL=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 DEVSTACK_PID=… REGISTRY_PID=…
//
// with KAFKA_SECURITY_PROTOCOL=… and POSTGRES_PID=… when they apply.
const ReadyPrefix = "KAFKA_BROKER_URL="

// ParseReady returns the KEY=value fields of devstack's ready line and
// true, or nil and false when line is not one (it does not begin with
// ReadyPrefix). Fields without "=" are skipped; it does not check which
// keys are there.
func ParseReady(line string) (map[string]string, bool) {
	if !strings.HasPrefix(line, ReadyPrefix) {
		return nil, false
	}
	kv := make(map[string]string)
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		}
	}
	return kv, true
}

// WatchReady returns a line function to give a LineWriter (or Tail.Stream)
// of devstack's standard output, and a channel that receives the fields of
// the first ready line it sees (see ParseReady), once. Later ready lines
// are ignored; the line function never blocks and is safe for concurrent
// use.
func WatchReady() (onLine func(line string), ready <-chan map[string]string) {
	ch := make(chan map[string]string, 1)
	var once sync.Once
	return func(line string) {
		if kv, ok := ParseReady(line); ok {
			once.Do(func() { ch <- kv })
		}
	}, ch
}
