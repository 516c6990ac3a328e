package consumer_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/lunchbot/eventkit/sdk/consumer"
)

// TestSIGKILLRestartRedeliversOnlyUnfinished runs a consumer process (16
// workers, per-key order, handlers that sleep a few milliseconds) on 5,000
// events of 500 keys over 6 partitions, kills it with SIGKILL mid-run, and
// runs a fresh one in the same group to the end. From the two processes'
// journals and the offsets and metadata the first one committed last:
//   - every event was handled;
//   - each key's events were handled one at a time, in offset order,
//     within each run;
//   - everything the first run committed (below the committed offset, or
//     listed as finished in the metadata) it had handled, and the second
//     run handled none of it;
//   - the second run handled everything else, once: what was in flight at
//     the kill, what had finished after the last commit, and what the
//     first run never reached.
func TestSIGKILLRestartRedeliversOnlyUnfinished(t *testing.T) {
	if testing.Short() {
		t.Skip("starts consumer processes")
	}
	const partitions, keys, perKey = 6, 500, 10
	e := newEnv(t)
	topic := e.useTopic("sigkill", partitions)
	// Each key's events in pairs, one after the other, so that handling
	// them out of order or at once would show.
	var evs []*testEvent
	for i := 0; i < perKey; i += 2 {
		for k := 1; k <= keys; k++ {
			evs = append(evs, &testEvent{ID: int64(k), Name: fmt.Sprintf("e%d", i)}, &testEvent{ID: int64(k), Name: fmt.Sprintf("e%d", i+1)})
		}
	}
	// In small rounds: small batches of every partition, which the
	// consumer's small fetches take side by side.
	p := e.producer()
	for i := 0; i < len(evs); i += 100 {
		e.publishAsync(p, evs[i:min(i+100, len(evs))])
	}
	const group = "g-sigkill"
	dir := t.TempDir()
	spec := e.childSpec(group, "run1", filepath.Join(dir, "run1"))
	// Slow enough to be killed mid-run.
	spec.MinSleep, spec.MaxSleep = 5*time.Millisecond, 25*time.Millisecond

	// Run 1: killed once 40% is handled and every partition has a commit.
	run1 := startChild(t, spec)
	waitFor(t, "40% of the events handled and a commit of every partition", func() bool {
		if len(ended(run1.records(t))) < len(evs)*4/10 {
			return false
		}
		committed, _ := e.committed(group, topic)
		return len(committed) == partitions
	}, run1)
	run1.kill(t)
	recs1 := run1.records(t)
	tps, high := e.committedPartitions(group, topic)
	committed, finished := lastCommit(tps)
	if len(committed) != partitions {
		t.Fatalf("committed offsets after the kill: %v, want one for each of %d partitions", committed, partitions)
	}

	// Run 2: a fresh process in the same group, until everything is
	// committed.
	spec.Name, spec.Journal = "run2", filepath.Join(dir, "run2")
	run2 := startChild(t, spec)
	e.waitCommitted(group, topic)
	run2.stop(t)
	recs2 := run2.records(t)

	checkKeyOrder(t, "run 1", recs1)
	checkKeyOrder(t, "run 2", recs2)
	o := compareRuns(high, committed, finished, recs1, recs2)
	if o.total != int64(len(evs)) {
		t.Errorf("the topic holds %d messages, want %d", o.total, len(evs))
	}
	report := func(what string, ps []pos) {
		if len(ps) > 0 {
			t.Errorf("%d messages %s, e.g. %v", len(ps), what, ps[:min(len(ps), 10)])
		}
	}
	report("never handled", o.lost)
	report("committed by run 1 without being handled", o.gaps)
	report("committed by run 1 and handled again by run 2", o.againCommitted)
	report("not committed by run 1 and not handled by run 2", o.notAgain)
	report("handled twice within one run", o.twice)
	t.Logf("run 1 handled %d of %d events before SIGKILL (%d calls in flight); its last commit: offsets %v, and %d offsets above them finished (metadata), which run 2 skipped",
		o.handled1, len(evs), len(o.inFlight), committed, len(finished))
	t.Logf("run 2 handled %d events; delivered again (handler called in both runs): %d, of which %d were in flight at the kill and %d had finished after the last commit (handled in both runs)",
		o.handled2, len(o.inFlight)+len(o.finishedAfterCommit), len(o.inFlight), len(o.finishedAfterCommit))
}

// lastCommit returns the committed offsets of tps, and the offsets above
// them that the commit metadata lists as finished.
func lastCommit(tps []kafka.TopicPartition) (committed map[int32]int64, finished map[pos]bool) {
	committed, finished = map[int32]int64{}, map[pos]bool{}
	for _, tp := range tps {
		if tp.Offset < 0 {
			continue
		}
		committed[tp.Partition] = int64(tp.Offset)
		if tp.Metadata != nil {
			for off := range consumer.ParseFinished(int64(tp.Offset), *tp.Metadata) {
				finished[pos{tp.Partition, off}] = true
			}
		}
	}
	return committed, finished
}

// restart is what two runs of a consumer, the first killed, did with
// each message of a topic.
type restart struct {
	total              int64 // messages in the topic
	handled1, handled2 int   // messages each run handled
	// lost were never handled; gaps were committed by run 1 and not
	// handled by it; againCommitted were committed by run 1 and handled by
	// run 2; notAgain were neither committed by run 1 nor handled by run
	// 2; twice were handled twice by one run.
	lost, gaps, againCommitted, notAgain, twice []pos
	// Of those run 1 did not commit and run 2 handled, inFlight were being
	// handled by run 1 when it was killed, finishedAfterCommit were
	// handled by it after its last commit.
	inFlight, finishedAfterCommit []pos
}

// compareRuns sorts out the messages of the partitions (their high
// watermarks in high) by what the runs' journals and run 1's last commit
// say.
func compareRuns(high, committed map[int32]int64, finished map[pos]bool, recs1, recs2 []record) restart {
	ended1, ended2 := ended(recs1), ended(recs2)
	begun1 := map[pos]bool{}
	for _, r := range recs1 {
		if r.kind == recBegin {
			begun1[r.pos()] = true
		}
	}
	o := restart{handled1: len(ended1), handled2: len(ended2)}
	for part, h := range high {
		o.total += h
		for off := int64(0); off < h; off++ {
			p := pos{part, off}
			done := off < committed[part] || finished[p] // by run 1's last commit
			switch {
			case ended1[p]+ended2[p] == 0:
				o.lost = append(o.lost, p)
			case done && ended1[p] == 0:
				o.gaps = append(o.gaps, p)
			case done && ended2[p] > 0:
				o.againCommitted = append(o.againCommitted, p)
			case !done && ended2[p] == 0:
				o.notAgain = append(o.notAgain, p)
			}
			if ended1[p] > 1 || ended2[p] > 1 {
				o.twice = append(o.twice, p)
			}
			switch {
			case done || ended2[p] == 0 || !begun1[p]:
			case ended1[p] > 0:
				o.finishedAfterCommit = append(o.finishedAfterCommit, p)
			default:
				o.inFlight = append(o.inFlight, p)
			}
		}
	}
	return o
}
