package consumer_test

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// journal is the append-only file in which a consumer process records what
// its handlers did. A record is on disk (written and fsynced) when append
// returns, so that what a killed process recorded is what it did; the
// writers waiting at the same time share one fsync.
type journal struct {
	f    *os.File
	mu   sync.Mutex
	cond sync.Cond
	// buf holds the records appended and not yet written; queued counts
	// the records appended, synced those on disk.
	buf            []byte
	queued, synced uint64
	flushing       bool // a writer is writing and syncing the others' records
	err            error
}

func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &journal{f: f}
	j.cond.L = &j.mu
	return j, nil
}

// append adds one record (a line) and returns once it is on disk.
func (j *journal) append(line string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buf = append(j.buf, line...)
	j.queued++
	mine := j.queued
	for j.synced < mine && j.err == nil {
		if j.flushing {
			j.cond.Wait()
			continue
		}
		// Write what the others appended meanwhile too, outside the lock.
		j.flushing = true
		buf, upTo := j.buf, j.queued
		j.buf = nil
		j.mu.Unlock()
		_, err := j.f.Write(buf)
		if err == nil {
			err = j.f.Sync()
		}
		j.mu.Lock()
		j.flushing, j.synced = false, upTo
		if err != nil {
			j.err = fmt.Errorf("journal: %w", err)
		}
		j.cond.Broadcast()
	}
	return j.err
}

func (j *journal) close() error { return j.f.Close() }

// The kinds of journal records.
const (
	// A handler call began: "b <partition> <offset> <key> <at>", at in
	// nanoseconds since the process started.
	recBegin  = 'b'
	recEnd    = 'e' // it returned (the message was handled)
	recAssign = 'a' // a partition was assigned: "a <partition>"
	recRevoke = 'r' // it was revoked (OnRevoke)
)

// record is one line of a journal.
type record struct {
	kind byte
	part int32
	off  int64
	key  string
	at   time.Duration // since the process started (begin and end)
}

func (r record) String() string {
	if r.kind == recAssign || r.kind == recRevoke {
		return fmt.Sprintf("%c %d\n", r.kind, r.part)
	}
	return fmt.Sprintf("%c %d %d %s %d\n", r.kind, r.part, r.off, r.key, r.at)
}

// pos is a message's partition and offset.
type pos struct {
	part int32
	off  int64
}

func (r record) pos() pos { return pos{r.part, r.off} }

// readJournal returns the records of the journal at path (none if it does
// not exist yet), leaving out a last line not yet complete.
func readJournal(t *testing.T, path string) []record {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	var out []record
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		r, err := parseRecord(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, r)
	}
	return out
}

func parseRecord(line string) (record, error) {
	f := strings.Fields(line)
	bad := fmt.Errorf("bad journal record %q", line)
	if len(f) < 2 || len(f[0]) != 1 {
		return record{}, bad
	}
	r := record{kind: f[0][0]}
	p, err := strconv.ParseInt(f[1], 10, 32)
	if err != nil {
		return record{}, bad
	}
	r.part = int32(p)
	switch r.kind {
	case recAssign, recRevoke:
		if len(f) != 2 {
			return record{}, bad
		}
	case recBegin, recEnd:
		if len(f) != 5 {
			return record{}, bad
		}
		at, err := strconv.ParseInt(f[4], 10, 64)
		if err != nil {
			return record{}, bad
		}
		if r.off, err = strconv.ParseInt(f[2], 10, 64); err != nil {
			return record{}, bad
		}
		r.key, r.at = f[3], time.Duration(at)
	default:
		return record{}, bad
	}
	return r, nil
}

// ended returns how many times each message's handler call returned in
// recs.
func ended(recs []record) map[pos]int {
	out := map[pos]int{}
	for _, r := range recs {
		if r.kind == recEnd {
			out[r.pos()]++
		}
	}
	return out
}

// checkKeyOrder fails t unless, in one process's records, each key's
// handler calls ran one at a time (each began after the one before it
// returned) and, within each tenure of a partition (from its assignment
// on), in increasing offset order. A call is of the tenure it began in.
func checkKeyOrder(t *testing.T, who string, recs []record) {
	t.Helper()
	type tenureKey struct {
		part   int32
		tenure int
		key    string
	}
	tenure := map[int32]int{}
	last := map[tenureKey]int64{}
	running := map[string]int64{} // key: offset of its call in flight
	var bad []string
	for i, r := range recs {
		switch r.kind {
		case recAssign:
			tenure[r.part]++
		case recBegin:
			if off, busy := running[r.key]; busy {
				bad = append(bad, fmt.Sprintf("record %d: key %s: offset %d began while %d was in flight", i, r.key, r.off, off))
			}
			running[r.key] = r.off
			k := tenureKey{r.part, tenure[r.part], r.key}
			if prev, ok := last[k]; ok && r.off <= prev {
				bad = append(bad, fmt.Sprintf("record %d: key %s: partition %d offset %d after %d in one tenure", i, r.key, r.part, r.off, prev))
			}
			last[k] = r.off
		case recEnd:
			if off, busy := running[r.key]; !busy || off != r.off {
				bad = append(bad, fmt.Sprintf("record %d: key %s: offset %d returned, the call in flight was %d (%t)", i, r.key, r.off, off, busy))
			}
			delete(running, r.key)
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d key order violations, e.g.\n%s", who, len(bad), strings.Join(bad[:min(len(bad), 10)], "\n"))
	}
}
