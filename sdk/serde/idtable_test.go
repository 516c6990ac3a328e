package serde

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/registry"
	"github.com/lunchbot/eventkit/sdk/wire"
)

func newContracts(n int) []*contract.Contract {
	cs := make([]*contract.Contract, n)
	for i := range cs {
		cs[i] = &contract.Contract{Type: fmt.Sprintf("t%d", i), Subject: fmt.Sprintf("s%d", i), Schema: strconv.Itoa(100 + i)}
	}
	return cs
}

func TestIDTableFindsEveryContractOnBothSidesOfTheArray(t *testing.T) {
	for _, n := range []int{0, 1, smallContracts - 1, smallContracts, smallContracts + 1, 3 * smallContracts} {
		cs := newContracts(n + 1) // the last is never added
		tables := []*idTable{{}}
		for i, c := range cs[:n] {
			tables = append(tables, tables[i].with(c, 100+i))
		}
		// Every table, old ones included (copy on write), has exactly the
		// contracts added before it.
		for k, tab := range tables {
			for i, c := range cs {
				id, ok := tab.lookup(c)
				if want := i < k; ok != want || (ok && id != 100+i) {
					t.Errorf("n=%d, table %d: lookup(contract %d) = %d, %v, want %d, %v", n, k, i, id, ok, 100+i, want)
				}
			}
		}
	}
}

func TestIDTableStartsAfreshWhenFull(t *testing.T) {
	cs := newContracts(maxContracts + 1)
	full := &idTable{n: smallContracts, more: map[*contract.Contract]int{}}
	for i, c := range cs[:maxContracts] {
		if i < smallContracts {
			full.small[i] = idEntry{c, i + 1}
		} else {
			full.more[c] = i + 1
		}
	}
	if id, ok := full.lookup(cs[maxContracts-1]); !ok || id != maxContracts {
		t.Fatalf("lookup of the last contract of a full table = %d, %v", id, ok)
	}
	next := full.with(cs[maxContracts], 7)
	if id, ok := next.lookup(cs[maxContracts]); !ok || id != 7 {
		t.Errorf("lookup of the contract added to a full table = %d, %v, want 7, true", id, ok)
	}
	for _, c := range []*contract.Contract{cs[0], cs[maxContracts-1]} {
		if _, ok := next.lookup(c); ok {
			t.Errorf("%s is still in the table that started afresh", c.Type)
		}
	}
}

// textRegistry answers LookupID with the integer of the schema text and
// counts the calls; the Serializer calls nothing else.
type textRegistry struct {
	registry.Client
	lookups atomic.Int64
}

func (r *textRegistry) LookupID(_ context.Context, _, text string, _ ...registry.Reference) (int, int, error) {
	r.lookups.Add(1)
	id, err := strconv.Atoi(text)
	return id, 1, err
}

// idEvent is an event whose contract is chosen at run time; its body is
// one byte.
type idEvent struct{ c *contract.Contract }

func (e *idEvent) Contract() *contract.Contract          { return e.c }
func (e *idEvent) AppendAvro(dst []byte) ([]byte, error) { return append(dst, 0x2a), nil }
func (e *idEvent) UnmarshalAvro(src []byte) error        { return nil }
func (e *idEvent) AppendKey(dst []byte) []byte           { return dst }
func (e *idEvent) Validate() error                       { return nil }
func (e *idEvent) String() string                        { return e.c.Type }

func idWire(id int) []byte { return append(wire.AppendHeader(nil, uint32(id)), 0x2a) }

func TestSerializerWithManyContractsConcurrently(t *testing.T) {
	const n = 3*smallContracts + 1
	cs := newContracts(n)
	reg := &textRegistry{}
	s := NewSerializer(reg, SerializerConfig{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range cs {
				e := &idEvent{c: cs[(i+g*5)%n]}
				want := 100 + (i+g*5)%n
				out, id, err := s.Append(ctx, nil, e)
				if err != nil || id != want || !bytes.Equal(out, idWire(want)) {
					errs <- fmt.Errorf("Append of %s = %x, %d, %w, want id %d", e, out, id, err, want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := map[string]int{}
	for _, c := range cs {
		if id, ok := s.SchemaID(c); ok {
			got[c.Type] = id
		}
	}
	want := map[string]int{}
	for i, c := range cs {
		want[c.Type] = 100 + i
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SchemaID (-want +got):\n%s", diff)
	}
	// Each contract is looked up at least once, and at most once per
	// goroutine that raced for it.
	if l := reg.lookups.Load(); l < n || l > 4*n {
		t.Errorf("%d registry lookups for %d contracts and 4 goroutines", l, n)
	}
	before := reg.lookups.Load()
	buf := make([]byte, 0, 16)
	last := &idEvent{c: cs[n-1]} // in the map, past the array
	allocs := testing.AllocsPerRun(100, func() { buf, _, _ = s.Append(ctx, buf[:0], last) })
	if allocs != 0 {
		t.Errorf("Append of a contract past the array allocates %.1f times, want 0", allocs)
	}
	if l := reg.lookups.Load(); l != before {
		t.Errorf("%d registry lookups after every contract was resolved", l-before)
	}
}
