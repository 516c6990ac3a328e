package consumer

import (
	"math/rand/v2"
	"testing"
)

func TestOffsetsCommitOnlyBelowTheLowestUnfinished(t *testing.T) {
	o := newOffsets()
	if got := o.commitPoint(); got != -1 {
		t.Fatalf("empty: commit point %d, want -1", got)
	}
	for _, off := range []int64{10, 11, 13, 14} { // 12 compacted away
		o.add(off)
	}
	if o.finish(13) || o.commitPoint() != 10 {
		t.Fatalf("13 done: commit point %d, want 10", o.commitPoint())
	}
	if !o.finish(10) || o.commitPoint() != 11 {
		t.Fatalf("10 done: commit point %d, want 11", o.commitPoint())
	}
	if md := o.metadata(); md == "" || !parseFinished(11, md)[13] || len(parseFinished(11, md)) != 1 {
		t.Fatalf("metadata %q does not list exactly 13 above 11", md)
	}
	if !o.finish(11) || o.commitPoint() != 14 {
		t.Fatalf("11 done: commit point %d, want 14 (13 was done already)", o.commitPoint())
	}
	if o.metadata() != "" {
		t.Errorf("nothing done above the commit point, metadata %q", o.metadata())
	}
	if o.finish(11) {
		t.Error("finishing 11 twice moved the commit point")
	}
	o.finish(14)
	if o.commitPoint() != 15 || o.unfinished() != 0 {
		t.Fatalf("all done: commit point %d (want 15), %d unfinished", o.commitPoint(), o.unfinished())
	}
}

func TestOffsetsTruncate(t *testing.T) {
	o := newOffsets()
	for off := int64(0); off < 6; off++ {
		o.add(off)
	}
	o.finish(0)
	o.finish(4)
	o.truncate(3) // 3, 4 and 5 are polled again later
	if o.commitPoint() != 1 || o.unfinished() != 2 || o.next != 3 {
		t.Fatalf("after truncate(3): commit point %d, %d unfinished, next %d", o.commitPoint(), o.unfinished(), o.next)
	}
	o.finish(1)
	o.finish(2)
	if o.commitPoint() != 3 {
		t.Fatalf("commit point %d, want 3: the truncated ones are not done", o.commitPoint())
	}
	o.add(3)
	if o.commitPoint() != 3 {
		t.Fatalf("re-added 3: commit point %d", o.commitPoint())
	}
}

// TestOffsetsRandomOrder finishes offsets in random order and checks the
// commit point against the definition after every step.
func TestOffsetsRandomOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 50; round++ {
		o := newOffsets()
		var offs []int64
		off := int64(rng.IntN(100))
		for i := 0; i < 3000; i++ {
			off += 1 + int64(rng.IntN(3))
			o.add(off)
			offs = append(offs, off)
		}
		done := map[int64]bool{}
		order := rng.Perm(len(offs))
		for _, i := range order {
			o.finish(offs[i])
			done[offs[i]] = true
			want := o.next
			for _, x := range offs {
				if !done[x] {
					want = x
					break
				}
			}
			if got := o.commitPoint(); got != want {
				t.Fatalf("round %d: commit point %d, want %d", round, got, want)
			}
			fin := parseFinished(want, o.metadata())
			n := 0
			for _, x := range offs {
				if x > want && done[x] {
					n++
				}
			}
			if o.metadata() != "" && len(fin) == 0 {
				t.Fatalf("metadata %q does not parse", o.metadata())
			}
			if len(fin) > n {
				t.Fatalf("metadata lists %d offsets, only %d are done above %d", len(fin), n, want)
			}
			for x := range fin {
				if !done[x] || x <= want {
					t.Fatalf("metadata lists %d, which is not done above %d", x, want)
				}
			}
		}
	}
}

func TestParseFinishedRefusesDamage(t *testing.T) {
	for _, md := range []string{"", "other metadata", finishedMetadataPrefix + "!!", finishedMetadataPrefix + "AA"} {
		if got := parseFinished(5, md); got != nil {
			t.Errorf("parseFinished(%q) = %v, want nil", md, got)
		}
	}
}

func FuzzParseFinished(f *testing.F) {
	o := newOffsets()
	for off := int64(0); off < 10; off++ {
		o.add(off)
	}
	o.finish(3)
	o.finish(7)
	f.Add(int64(0), o.metadata())
	f.Add(int64(-1), finishedMetadataPrefix)
	f.Fuzz(func(t *testing.T, committed int64, md string) {
		for off := range parseFinished(committed, md) {
			if off <= committed {
				t.Fatalf("%d listed at or below the committed %d", off, committed)
			}
		}
	})
}
