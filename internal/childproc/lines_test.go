package childproc

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// collect returns a LineWriter and the lines it has handed over so far.
func collect() (*LineWriter, func() []string) {
	var (
		mu  sync.Mutex
		got []string
	)
	w := NewLineWriter(func(l string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, l)
	})
	return w, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

func TestLineWriterSplitsAcrossWrites(t *testing.T) {
	w, got := collect()
	for _, chunk := range []string{"one\ntw", "o\n", "", "\n", "three\nfo", "ur"} {
		n, err := w.Write([]byte(chunk))
		if n != len(chunk) || err != nil {
			t.Fatalf("Write(%q) = %d, %v; want %d, nil", chunk, n, err, len(chunk))
		}
	}
	if diff := cmp.Diff([]string{"one", "two", "", "three"}, got()); diff != "" {
		t.Errorf("before Flush (-want +got):\n%s", diff)
	}
	w.Flush()
	want := []string{"one", "two", "", "three", "four"}
	if diff := cmp.Diff(want, got()); diff != "" {
		t.Errorf("after Flush (-want +got):\n%s", diff)
	}
	w.Flush() // nothing left: hands over nothing
	if diff := cmp.Diff(want, got()); diff != "" {
		t.Errorf("after a second Flush (-want +got):\n%s", diff)
	}
	fmt.Fprint(w, "five\n")
	if diff := cmp.Diff(append(want, "five"), got()); diff != "" {
		t.Errorf("a write after Flush (-want +got):\n%s", diff)
	}
}

// Concurrent writers of whole lines each get their lines through intact.
func TestLineWriterConcurrentWholeLines(t *testing.T) {
	w, got := collect()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				fmt.Fprintf(w, "g%d-%d\n", g, i)
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, l := range got() {
		seen[l]++
	}
	for g := range 4 {
		for i := range 50 {
			if l := fmt.Sprintf("g%d-%d", g, i); seen[l] != 1 {
				t.Errorf("line %q seen %d times, want 1", l, seen[l])
			}
		}
	}
	if len(seen) != 200 {
		t.Errorf("%d distinct lines, want 200", len(seen))
	}
}

func TestTailKeepsLastLines(t *testing.T) {
	tl := NewTail(3)
	w := tl.Stream(nil)
	fmt.Fprint(w, "a\nb\nc\nd\ne")
	if got, want := tl.String(), "b\nc\nd"; got != want {
		t.Errorf("String() = %q, want %q (the unterminated e waits for Flush)", got, want)
	}
	w.Flush()
	for n, want := range map[int]string{
		-1: "",
		0:  "",
		1:  "e",
		2:  "d\ne",
		3:  "c\nd\ne",
		10: "c\nd\ne",
	} {
		if got := tl.Last(n); got != want {
			t.Errorf("Last(%d) = %q, want %q", n, got, want)
		}
	}
	if got, want := tl.String(), "c\nd\ne"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestTailWithoutRoom(t *testing.T) {
	for _, n := range []int{0, -5} {
		tl := NewTail(n)
		tl.Add("x")
		if got := tl.String(); got != "" {
			t.Errorf("NewTail(%d) kept %q", n, got)
		}
	}
}

// Two streams written in turns, each in pieces, keep their lines apart.
func TestTailStreamsDoNotMixWithinALine(t *testing.T) {
	tl := NewTail(10)
	var also []string
	stdout, stderr := tl.Stream(func(l string) { also = append(also, l) }), tl.Stream(nil)
	fmt.Fprint(stdout, "out: sta")
	fmt.Fprint(stderr, "err: war")
	fmt.Fprint(stdout, "rted\nout: rea")
	fmt.Fprint(stderr, "ning\n")
	fmt.Fprint(stdout, "dy\n")
	want := "out: started\nerr: warning\nout: ready"
	if got := tl.String(); got != want {
		t.Errorf("tail = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"out: started", "out: ready"}, also); diff != "" {
		t.Errorf("lines passed on from stdout only (-want +got):\n%s", diff)
	}
	if !strings.Contains(tl.Last(1), "ready") {
		t.Errorf("Last(1) = %q", tl.Last(1))
	}
}
