package consumer

import (
	"strconv"
	"sync"
	"testing"

	"github.com/lunchbot/eventkit/internal/race"
)

// TestInternedRepeatsWithoutCopies: a value seen before comes back as the
// same text without an allocation; past maxInterned values the others are
// still right, only copied.
func TestInternedRepeatsWithoutCopies(t *testing.T) {
	var in interned
	b := []byte("lunchbot-api")
	first := in.text(b)
	b[0] = 'L' // the bytes are the message's: the text must not share them
	if first != "lunchbot-api" {
		t.Fatalf("the text changed with the bytes: %q", first)
	}
	if got := in.text([]byte("lunchbot-api")); got != first {
		t.Fatalf("second text %q, want %q", got, first)
	}
	if n := testing.AllocsPerRun(100, func() { _ = in.text([]byte("lunchbot-api")) }); n != 0 && !race.Enabled {
		t.Errorf("a value seen before costs %v allocations", n)
	}
	for i := range 2 * maxInterned {
		v := "source-" + strconv.Itoa(i)
		if got := in.text([]byte(v)); got != v {
			t.Fatalf("text %q, want %q", got, v)
		}
	}
	if n := len(*in.table.Load()); n != maxInterned {
		t.Errorf("%d values kept, want the bound %d", n, maxInterned)
	}
}

// TestInternedConcurrent: workers share one table (run with -race).
func TestInternedConcurrent(t *testing.T) {
	var in interned
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				v := "v" + strconv.Itoa((i*(w+1))%100)
				if got := in.text([]byte(v)); got != v {
					t.Errorf("text %q, want %q", got, v)
					return
				}
			}
		}()
	}
	wg.Wait()
}
